/-
  EInsn: the native emits of eins.ko are equivalent to their proof
  sequences.  `lake build` checks every theorem; see ../README.md.
-/
import Eins.Ops.Rotate
import Eins.Ops.Select
import Eins.Ops.Extract
import Eins.Ops.SwapMem
import Eins.Ops.Bitcount
import Eins.Ops.ShiftAdd
import Eins.Ops.MulHigh
