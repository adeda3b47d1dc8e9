/-
  shift_add (modules/eins/shift_add.c): dst = a + (b << s) + imm, 32 or 64
  bits.  Operands dst, a, b, tmp in r0, r3, r4, r5; s and imm symbolic.
-/
import Eins.Equiv

namespace Eins.ShiftAdd
open Bpf

/-- shift_add_gen_proof -/
def proof (w64 : Bool) (dst a b tmp : Nat) (s imm : BitVec 32) : List Bpf.Insn :=
  [.alu w64 .mov tmp (.reg b)] ++
  (if s ≠ 0 then [.alu w64 .lsh tmp (.imm s)] else []) ++
  [.alu w64 .add tmp (.reg a)] ++
  (if imm ≠ 0 then [.alu w64 .add tmp (.imm imm)] else []) ++
  [.alu w64 .mov dst (.reg tmp)]

/-- shift_add_emit_x86: LEA scales by 1, 2, 4, 8; larger shifts go
    through the scratch operand -/
def x86 (w64 : Bool) (dst a b tmp : Nat) (s imm : BitVec 32) : List X86.Insn :=
  if s ≤ 3 then [.lea w64 dst a b (s.setWidth 8) imm]
  else [.mov w64 tmp b, .shiftImm w64 .shl tmp (s.setWidth 8), .lea w64 dst a tmp 0 imm]

/-- shift_add_emit_arm64 (A64_TMP is x10) -/
def a64 (w64 : Bool) (dst a b : Nat) (s imm : BitVec 32) : List A64.Insn :=
  [.addSr w64 dst a b (s.setWidth 8)] ++
  if (0 : BitVec 32).slt imm ∧ imm.slt 4096 then [.addImm w64 dst dst (imm.setWidth 12)]
  else if imm ≠ 0 then A64.movImm32 w64 10 imm ++ [.addSr w64 dst dst 10 0]
  else []

def ClaimX86 (w64 : Bool) : Prop :=
  ∀ s imm : BitVec 32, s < width w64 →
    X86Equiv (proof w64 0 3 4 5 s imm) (x86 w64 0 2 1 8 s imm) [5]

def ClaimA64 (w64 : Bool) : Prop :=
  ∀ s imm : BitVec 32, s < width w64 →
    A64Equiv (proof w64 0 3 4 5 s imm) (a64 w64 7 2 3 s imm) [5]

end Eins.ShiftAdd

namespace Eins
open ShiftAdd

theorem shift_add_x86_w64 : ClaimX86 true := by
  unfold ClaimX86; eins_equiv [proof, x86]
theorem shift_add_x86_w32 : ClaimX86 false := by
  unfold ClaimX86; eins_equiv [proof, x86]
theorem shift_add_a64_w64 : ClaimA64 true := by
  unfold ClaimA64; eins_equiv [proof, a64]
theorem shift_add_a64_w32 : ClaimA64 false := by
  unfold ClaimA64; eins_equiv [proof, a64]

end Eins
