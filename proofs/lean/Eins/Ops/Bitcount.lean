/-
  bitcount (modules/eins/bitcount.c): popcount, count leading zeros, count
  trailing zeros of 32 or 64 bits (clz and ctz of 0 are the width).
  Operands dst, src, tmp, tmp2 in r0, r3, r4, r5; x86 only with the CPU
  feature the emit checks (without it the JIT runs the proof sequence).
-/
import Eins.Equiv

namespace Eins.Bitcount
open Bpf

inductive Kind | popcnt | clz | ctz

/-- bc_const: byte repeated in every byte of the register -/
def const (w64 : Bool) (reg : Nat) (byte : BitVec 32) : List Bpf.Insn :=
  let lo := byte * 0x01010101
  if w64 then [.ldimm64 reg (lo ++ lo)] else [.alu false .mov reg (.imm lo)]

/-- bc_popcount: SWAR sums of pairs, nibbles, bytes, then a multiply -/
def popcount (w64 : Bool) (dst t m : Nat) : List Bpf.Insn :=
  [.alu w64 .mov t (.reg dst), .alu w64 .rsh t (.imm 1)] ++ const w64 m 0x55 ++
  [.alu w64 .and t (.reg m), .alu w64 .sub dst (.reg t)] ++ const w64 m 0x33 ++
  [.alu w64 .mov t (.reg dst), .alu w64 .rsh t (.imm 2), .alu w64 .and t (.reg m),
   .alu w64 .and dst (.reg m), .alu w64 .add dst (.reg t),
   .alu w64 .mov t (.reg dst), .alu w64 .rsh t (.imm 4), .alu w64 .add dst (.reg t)] ++
  const w64 m 0x0f ++ [.alu w64 .and dst (.reg m)] ++ const w64 m 0x01 ++
  [.alu w64 .mul dst (.reg m), .alu w64 .rsh dst (.imm (if w64 then 56 else 24))]

/-- x |= x >> k for k = 1, 2, 4, ... below the width -/
def smear (w64 : Bool) (dst t : Nat) : List Bpf.Insn :=
  ((if w64 then [1, 2, 4, 8, 16, 32] else [1, 2, 4, 8, 16]).map fun k =>
    [.alu w64 .mov t (.reg dst), .alu w64 .rsh t (.imm (BitVec.ofNat 32 k)),
     .alu w64 .or dst (.reg t)]).flatten

/-- bitcount_gen_proof -/
def proof (k : Kind) (w64 : Bool) (dst src t m : Nat) : List Bpf.Insn :=
  [.alu w64 .mov dst (.reg src)] ++
  (match k with
   | .clz => smear w64 dst t ++ [.alu w64 .xor dst (.imm (-1))]
   | .ctz => [.alu w64 .mov t (.reg dst), .alu w64 .neg t (.imm 0),
              .alu w64 .and dst (.reg t), .alu w64 .add dst (.imm (-1))]
   | .popcnt => []) ++
  popcount w64 dst t m

/-- bitcount_emit_x86 with its feature present (POPCNT, ABM, BMI1) -/
def x86 (k : Kind) (w64 : Bool) (dst src : Nat) : List X86.Insn :=
  match k with
  | .popcnt => [.popcnt w64 dst src]
  | .clz => [.lzcnt w64 dst src]
  | .ctz => [.tzcnt w64 dst src]

/-- bitcount_emit_arm64 (popcount: CNT, with FEAT_CSSC; A64_TMP is x10) -/
def a64 (k : Kind) (w64 : Bool) (dst src : Nat) : List A64.Insn :=
  match k with
  | .clz => [.clz w64 dst src]
  | .ctz => [.rbit w64 10 src, .clz w64 dst 10]
  | .popcnt => [.cnt w64 dst src]

def ClaimX86 (k : Kind) (w64 : Bool) : Prop :=
  X86Equiv (proof k w64 0 3 4 5) (x86 k w64 0 2) [4, 5]

def ClaimA64 (k : Kind) (w64 : Bool) : Prop :=
  A64Equiv (proof k w64 0 3 4 5) (a64 k w64 7 2) [4, 5]

end Eins.Bitcount

namespace Eins
open Bitcount

theorem bitcount_x86_popcnt64 : ClaimX86 .popcnt true := by
  unfold ClaimX86; eins_equiv [proof, x86, popcount, const]
theorem bitcount_x86_popcnt32 : ClaimX86 .popcnt false := by
  unfold ClaimX86; eins_equiv [proof, x86, popcount, const]
theorem bitcount_x86_clz64 : ClaimX86 .clz true := by
  unfold ClaimX86; eins_equiv [proof, x86, popcount, const, smear]
theorem bitcount_x86_clz32 : ClaimX86 .clz false := by
  unfold ClaimX86; eins_equiv [proof, x86, popcount, const, smear]
theorem bitcount_x86_ctz64 : ClaimX86 .ctz true := by
  unfold ClaimX86; eins_equiv [proof, x86, popcount, const]
theorem bitcount_x86_ctz32 : ClaimX86 .ctz false := by
  unfold ClaimX86; eins_equiv [proof, x86, popcount, const]

theorem bitcount_a64_popcnt64 : ClaimA64 .popcnt true := by
  unfold ClaimA64; eins_equiv [proof, a64, popcount, const]
theorem bitcount_a64_popcnt32 : ClaimA64 .popcnt false := by
  unfold ClaimA64; eins_equiv [proof, a64, popcount, const]
theorem bitcount_a64_clz64 : ClaimA64 .clz true := by
  unfold ClaimA64; eins_equiv [proof, a64, popcount, const, smear]
theorem bitcount_a64_clz32 : ClaimA64 .clz false := by
  unfold ClaimA64; eins_equiv [proof, a64, popcount, const, smear]
theorem bitcount_a64_ctz64 : ClaimA64 .ctz true := by
  unfold ClaimA64; eins_equiv [proof, a64, popcount, const]
theorem bitcount_a64_ctz32 : ClaimA64 .ctz false := by
  unfold ClaimA64; eins_equiv [proof, a64, popcount, const]

end Eins
