/-
  Machine words, memory and register files shared by the BPF, x86-64 and
  A64 models.  Registers are numbered as in each ISA; a register file is a
  function from register numbers to 64-bit values.
-/
import Std.Tactic.BVDecide

namespace Eins

abbrev U64 := BitVec 64

/-- Byte-addressed memory. -/
abbrev Mem := U64 → BitVec 8

/-- A register file; `upd` writes one register. -/
abbrev Regs := Nat → U64

def upd (r : Regs) (n : Nat) (v : U64) : Regs :=
  fun m => if m = n then v else r m

/-- Effective address base + off; every ISA forms it the same way, so the
    memory cells both sides touch are the same terms. -/
def ea (base : U64) (off : BitVec 16) : U64 := base + off.signExtend 64

/-- Little-endian load of `n` bytes at `a`, zero-extended to 64 bits. -/
def loadLE (m : Mem) (a : U64) : Nat → U64
  | 0 => 0
  | k + 1 => (m a).setWidth 64 ||| (loadLE m (a + 1) k <<< 8)

/-- Little-endian store of the low `n` bytes of `v` at `a`. -/
def storeLE (m : Mem) (a : U64) (v : U64) : Nat → Mem
  | 0 => m
  | k + 1 => storeLE (fun x => bif x == a then v.setWidth 8 else m x) (a + 1)
      (v >>> 8) k

/-- Byte swap of the low `n` bytes of `v`, zero-extended. -/
def bswapLE (v : U64) : Nat → U64
  | 0 => 0
  | k + 1 => ((v &&& 0xff) <<< (8 * k)) ||| bswapLE (v >>> 8) k

/-- Number of set bits among the low `k` bits. -/
def popcnt {w : Nat} (x : BitVec w) : Nat → BitVec w
  | 0 => 0
  | k + 1 => popcnt x k + ((x >>> k) &&& 1)

/-- Count leading zeros of a `w`-bit value, scanning bits k-1 .. 0; the
    width for 0. -/
def clzFrom {w : Nat} (x : BitVec w) : Nat → BitVec w
  | 0 => BitVec.ofNat w w
  | k + 1 => bif x.getLsbD k then BitVec.ofNat w (w - 1 - k) else clzFrom x k

/-- Count trailing zeros, scanning bits from `i` upwards (`k` of them);
    the width for 0. -/
def ctzFrom {w : Nat} (x : BitVec w) (i : Nat) : Nat → BitVec w
  | 0 => BitVec.ofNat w w
  | k + 1 => bif x.getLsbD i then BitVec.ofNat w i else ctzFrom x (i + 1) k

/-- Bit reversal of a `w`-bit value. -/
def rbitAux {w : Nat} (x : BitVec w) : Nat → BitVec w
  | 0 => 0
  | k + 1 => rbitAux x k ||| (((x >>> k) &&& 1) <<< (w - 1 - k))

/-- Rotate right by `c` modulo the width, as both ISAs define it. -/
def rotr {w : Nat} (x c : BitVec w) : BitVec w :=
  let k := c &&& BitVec.ofNat w (w - 1)
  (x >>> k) ||| (x <<< ((BitVec.ofNat w w - k) &&& BitVec.ofNat w (w - 1)))

def rotl {w : Nat} (x c : BitVec w) : BitVec w :=
  rotr x (0 - c)

/-- The operand width of a 64- or 32-bit op variant, as an immediate. -/
def width (w64 : Bool) : BitVec 32 := if w64 then 64 else 32

/-- The low 32 bits, and a 32-bit result written to a 64-bit register. -/
def lo32 (v : U64) : BitVec 32 := v.setWidth 32
def zx (v : BitVec 32) : U64 := v.setWidth 64

/-- The comparisons BPF jumps, x86 condition codes and A64 conditions
    share. -/
inductive Rel
  | eq | ne | ugt | uge | ult | ule | sgt | sge | slt | sle
  deriving DecidableEq, Repr

def Rel.eval {w : Nat} (rel : Rel) (a b : BitVec w) : Bool :=
  match rel with
  | .eq => a == b
  | .ne => a != b
  | .ugt => b.ult a
  | .uge => b.ule a
  | .ult => a.ult b
  | .ule => a.ule b
  | .sgt => b.slt a
  | .sge => b.sle a
  | .slt => a.slt b
  | .sle => a.sle b

end Eins
