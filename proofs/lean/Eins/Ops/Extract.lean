/-
  extract (modules/eins/extract.c): dst = (src >> lsb) & mask(len), 32 or
  64 bits; imm = lsb | len << 8.  Operands dst, src in r0, r3.
-/
import Eins.Equiv

namespace Eins.Extract
open Bpf

/-- extract_gen_proof; the three branches are ext_form's: the field is
    the top bits, its mask fits a positive imm32, or neither -/
def proof (w64 : Bool) (dst src : Nat) (lsb len : BitVec 32) : List Bpf.Insn :=
  [.alu w64 .mov dst (.reg src)] ++
  if lsb + len = width w64 then
    (if lsb ≠ 0 then [.alu w64 .rsh dst (.imm lsb)] else [])
  else if len < 32 then
    (if lsb ≠ 0 then [.alu w64 .rsh dst (.imm lsb)] else []) ++
    [.alu w64 .and dst (.imm ((1 <<< len) - 1))]
  else
    [.alu w64 .lsh dst (.imm (width w64 - lsb - len)),
     .alu w64 .rsh dst (.imm (width w64 - len))]

/-- extract_emit_x86; `bmi1` is boot_cpu_has(BMI1), r11 is 11 -/
def x86 (bmi1 w64 : Bool) (dst src : Nat) (lsb len : BitVec 32) : List X86.Insn :=
  if bmi1 then [.movImm32 11 (lsb ||| len <<< 8), .bextr w64 dst src 11]
  else
    (if dst ≠ src ∨ !w64 then [.mov w64 dst src] else []) ++
    if lsb + len = width w64 then
      (if lsb ≠ 0 then [.shiftImm w64 .shr dst (lsb.setWidth 8)] else [])
    else if len < 32 then
      (if lsb ≠ 0 then [.shiftImm w64 .shr dst (lsb.setWidth 8)] else []) ++
      [.andImm w64 dst ((1 <<< len) - 1)]
    else
      [.shiftImm w64 .shl dst ((width w64 - lsb - len).setWidth 8),
       .shiftImm w64 .shr dst ((width w64 - len).setWidth 8)]

/-- extract_emit_arm64: ubfx dst, src, #lsb, #len = ubfm #lsb, #lsb+len-1 -/
def a64 (w64 : Bool) (dst src : Nat) (lsb len : BitVec 32) : List A64.Insn :=
  [.ubfm w64 dst src (lsb.setWidth 8) ((lsb + len - 1).setWidth 8)]

/-- The fields extract_validate accepts: lsb, len < 256, 1 <= len,
    lsb + len <= width. -/
def ClaimX86 (w64 : Bool) : Prop :=
  ∀ (bmi1 : Bool) (lsb len : BitVec 32), lsb < 256 → len < 256 → 1 ≤ len →
    lsb + len ≤ width w64 →
    X86Equiv (proof w64 0 3 lsb len) (x86 bmi1 w64 0 2 lsb len) []

def ClaimA64 (w64 : Bool) : Prop :=
  ∀ (lsb len : BitVec 32), lsb < 256 → len < 256 → 1 ≤ len →
    lsb + len ≤ width w64 →
    A64Equiv (proof w64 0 3 lsb len) (a64 w64 7 2 lsb len) []

end Eins.Extract

namespace Eins
open Extract

theorem extract_x86_w64 : ClaimX86 true := by
  unfold ClaimX86; eins_equiv [proof, x86]
theorem extract_x86_w32 : ClaimX86 false := by
  unfold ClaimX86; eins_equiv [proof, x86]
theorem extract_a64_w64 : ClaimA64 true := by
  unfold ClaimA64; eins_equiv [proof, a64]
theorem extract_a64_w32 : ClaimA64 false := by
  unfold ClaimA64; eins_equiv [proof, a64]

end Eins
