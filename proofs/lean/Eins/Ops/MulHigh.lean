/-
  mul_high (modules/eins/mul_high.c): dst = the high 64 bits of the
  128-bit product a * b, unsigned or signed.  Operands dst, a, b, t1, t2,
  t3 in r0, r3, r4, r5, r8, r1.

  Bit-blasting a 64x64-bit multiplier is out of reach of SAT (z3 gave up
  on it too), so the high product is first rewritten, by two lemmas proven
  over the natural numbers and with small bit-vector steps, into the
  schoolbook sum of 32x32-bit partial products the proof sequence
  computes; what is left for `bv_decide` then has the same multipliers on
  both sides.  The SMT checker does the same split (proofs/smt/checker/mul.py).
-/
import Eins.Equiv

namespace Eins.MulHigh
open Bpf

/-- mul_high_gen_proof -/
def proof (signed : Bool) (d a b t1 t2 t3 : Nat) : List Bpf.Insn :=
  [.alu false .mov t1 (.reg a), .alu false .mov t2 (.reg b),
   .alu true .mul t1 (.reg t2), .alu true .rsh t1 (.imm 32),
   .alu false .mov t2 (.reg a), .alu true .mov t3 (.reg b),
   .alu true .rsh t3 (.imm 32), .alu true .mul t2 (.reg t3),
   .alu false .mov t3 (.reg t2), .alu true .add t1 (.reg t3),
   .alu true .rsh t2 (.imm 32),
   .alu true .mov d (.reg a), .alu true .rsh d (.imm 32),
   .alu false .mov t3 (.reg b), .alu true .mul d (.reg t3),
   .alu false .mov t3 (.reg d), .alu true .add t1 (.reg t3),
   .alu true .rsh d (.imm 32), .alu true .add t2 (.reg d),
   .alu true .mov d (.reg a), .alu true .rsh d (.imm 32),
   .alu true .mov t3 (.reg b), .alu true .rsh t3 (.imm 32),
   .alu true .mul d (.reg t3), .alu true .add d (.reg t2),
   .alu true .rsh t1 (.imm 32), .alu true .add d (.reg t1)] ++
  if signed then
    [.alu true .mov t1 (.reg a), .alu true .arsh t1 (.imm 63),
     .alu true .and t1 (.reg b), .alu true .sub d (.reg t1),
     .alu true .mov t1 (.reg b), .alu true .arsh t1 (.imm 63),
     .alu true .and t1 (.reg a), .alu true .sub d (.reg t1)]
  else []

/-- mul_high_emit_x86: MULX with BMI2 for the unsigned product (rdx is 2,
    r10/r11 are 10/11), else MUL/IMUL with rax and rdx saved -/
def x86 (bmi2 signed : Bool) (d a b : Nat) : List X86.Insn :=
  if !signed ∧ bmi2 then
    (if a = 2 ∨ b = 2 then [.mulx 11 11 (if a = 2 then b else a)]
     else [.mov true 10 2, .mov true 2 a, .mulx 11 11 b, .mov true 2 10]) ++
    [.mov true d 11]
  else
    [.mov true 10 0, .mov true 11 2] ++ (if a ≠ 0 then [.mov true 0 a] else []) ++
    [.mul1 signed (if b = 0 then 10 else b), .mov true 0 10] ++
    (if d ≠ 2 then [.mov true d 2, .mov true 2 11] else [])

/-- mul_high_emit_arm64 -/
def a64 (signed : Bool) (d a b : Nat) : List A64.Insn :=
  [if signed then .smulh d a b else .umulh d a b]

/-! The high product as the proof sequence computes it. -/

def lo (x : U64) : U64 := (x.setWidth 32).setWidth 64
def hi (x : U64) : U64 := x >>> 32

/-- p0 = lo a * lo b, p1 = lo a * hi b, p2 = hi a * lo b, p3 = hi a * hi b;
    mid = hi p0 + lo p1 + lo p2; high = p3 + hi p1 + hi p2 + hi mid -/
def school (a b : U64) : U64 :=
  let p0 := lo a * lo b
  let p1 := lo a * hi b
  let p2 := hi a * lo b
  let p3 := hi a * hi b
  p3 + hi p1 + hi p2 + hi (hi p0 + lo p1 + lo p2)

/-- The ring identity, linear in the four partial products as omega
    wants it. -/
theorem expand (a1 a0 b1 b0 c : Nat) :
    (a1 * c + a0) * (b1 * c + b0) =
      a1 * b1 * (c * c) + a1 * b0 * c + a0 * b1 * c + a0 * b0 := by
  rw [Nat.add_mul, Nat.mul_add, Nat.mul_add, Nat.mul_mul_mul_comm,
    Nat.mul_right_comm a1 c b0, ← Nat.mul_assoc a0 b1 c]
  omega

/-- A 32x32-bit product is at most (2^32 - 1)^2. -/
theorem prod_le (x y : Nat) (hx : x < 4294967296) (hy : y < 4294967296) :
    x * y ≤ 18446744065119617025 :=
  Nat.mul_le_mul (m := 4294967295) (n := 4294967295) (by omega) (by omega)

theorem umulh_school (a b : U64) :
    (a.setWidth 128 * b.setWidth 128).extractLsb' 64 64 = school a b := by
  apply BitVec.eq_of_toNat_eq
  have ha := a.isLt
  have hb := b.isLt
  simp only [school, lo, hi, BitVec.toNat_mul, BitVec.toNat_add,
    BitVec.toNat_setWidth, BitVec.toNat_ushiftRight, BitVec.extractLsb'_toNat,
    Nat.shiftRight_eq_div_pow, Nat.reducePow] at *
  generalize a.toNat = A at *
  generalize b.toNat = B at *
  -- the 32-bit halves
  obtain ⟨a1, a0, h1, h0, rfl⟩ : ∃ a1 a0, a1 < 4294967296 ∧ a0 < 4294967296 ∧
      A = a1 * 4294967296 + a0 :=
    ⟨A / 4294967296, A % 4294967296, by omega, by omega, by omega⟩
  obtain ⟨b1, b0, k1, k0, rfl⟩ : ∃ b1 b0, b1 < 4294967296 ∧ b0 < 4294967296 ∧
      B = b1 * 4294967296 + b0 :=
    ⟨B / 4294967296, B % 4294967296, by omega, by omega, by omega⟩
  have ea0 : (a1 * 4294967296 + a0) % 4294967296 = a0 := by omega
  have ea1 : (a1 * 4294967296 + a0) / 4294967296 = a1 := by omega
  have eb0 : (b1 * 4294967296 + b0) % 4294967296 = b0 := by omega
  have eb1 : (b1 * 4294967296 + b0) / 4294967296 = b1 := by omega
  have wa : (a1 * 4294967296 + a0) % 340282366920938463463374607431768211456 =
      a1 * 4294967296 + a0 := by omega
  have wb : (b1 * 4294967296 + b0) % 340282366920938463463374607431768211456 =
      b1 * 4294967296 + b0 := by omega
  have fa0 : a0 % 18446744073709551616 = a0 := by omega
  have fb0 : b0 % 18446744073709551616 = b0 := by omega
  -- the partial products, each below 2^64
  have q00 := prod_le a0 b0 h0 k0
  have q01 := prod_le a0 b1 h0 k1
  have q10 := prod_le a1 b0 h1 k0
  have q11 := prod_le a1 b1 h1 k1
  have r00 : a0 * b0 % 18446744073709551616 = a0 * b0 := Nat.mod_eq_of_lt (by omega)
  have r01 : a0 * b1 % 18446744073709551616 = a0 * b1 := Nat.mod_eq_of_lt (by omega)
  have r10 : a1 * b0 % 18446744073709551616 = a1 * b0 := Nat.mod_eq_of_lt (by omega)
  have r11 : a1 * b1 % 18446744073709551616 = a1 * b1 := Nat.mod_eq_of_lt (by omega)
  simp only [ea0, ea1, eb0, eb1, wa, wb, fa0, fb0, r00, r01, r10, r11, expand]
  omega

theorem smulh_umulh (a b : U64) :
    (a.signExtend 128 * b.signExtend 128).extractLsb' 64 64 =
      (a.setWidth 128 * b.setWidth 128).extractLsb' 64 64 -
        (a.sshiftRight 63 &&& b) - (b.sshiftRight 63 &&& a) := by
  -- sext x = zext x + (the sign bit ? 2^128 - 2^64 : 0)
  have ha : a.signExtend 128 = a.setWidth 128 +
      (bif a.msb then 0xffffffffffffffff0000000000000000#128 else 0) := by
    bv_decide
  have hb : b.signExtend 128 = b.setWidth 128 +
      (bif b.msb then 0xffffffffffffffff0000000000000000#128 else 0) := by
    bv_decide
  rw [ha, hb, BitVec.add_mul, BitVec.mul_add, BitVec.mul_add]
  generalize hp : a.setWidth 128 * b.setWidth 128 = p
  cases hsa : a.msb <;> cases hsb : b.msb <;>
    simp only [cond_true, cond_false, BitVec.mul_zero, BitVec.zero_mul,
      BitVec.add_zero] <;> bv_decide

def ClaimX86 (signed : Bool) : Prop :=
  ∀ bmi2 : Bool,
    X86Equiv (proof signed 0 3 4 5 8 1) (x86 bmi2 signed 0 2 1) [5, 8, 1]

def ClaimA64 (signed : Bool) : Prop :=
  A64Equiv (proof signed 0 3 4 5 8 1) (a64 signed 7 2 3) [5, 8, 1]

end Eins.MulHigh

namespace Eins
open MulHigh

/-! The native high product is rewritten to the schoolbook sum by
    umulh_school (and smulh_umulh), which the unfolding leaves with the
    same multipliers on both sides for `bv_decide`. -/

theorem mul_high_x86_unsigned : ClaimX86 false := by
  unfold ClaimX86; eins_equiv [proof, x86, smulh_umulh, umulh_school, school, lo, hi]
theorem mul_high_x86_signed : ClaimX86 true := by
  unfold ClaimX86; eins_equiv [proof, x86, smulh_umulh, umulh_school, school, lo, hi]
theorem mul_high_a64_unsigned : ClaimA64 false := by
  unfold ClaimA64; eins_equiv [proof, a64, smulh_umulh, umulh_school, school, lo, hi]
theorem mul_high_a64_signed : ClaimA64 true := by
  unfold ClaimA64; eins_equiv [proof, a64, smulh_umulh, umulh_school, school, lo, hi]

end Eins
