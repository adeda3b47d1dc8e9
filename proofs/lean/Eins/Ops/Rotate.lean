/-
  rotate (modules/eins/rotate.c): dst = rotl/rotr(src, n), 32 or 64 bits,
  n an immediate (operands dst, src, tmp) or a register (operands dst,
  src, cnt, tmp, tmp2).  Theorems for operands in r0, r3, r4, r5, r8 (the
  SMT checker's sweep of every count uses the same registers; it also
  covers every other register assignment).
-/
import Eins.Equiv

namespace Eins.Rotate
open Bpf

/-- rot_left_count (rot_width is `width`) -/
def leftCount (right w64 : Bool) (imm : BitVec 32) : BitVec 32 :=
  if right then width w64 - imm else imm

/-- rotate_gen_proof, immediate count -/
def proofImm (right w64 : Bool) (dst src tmp : Nat) (imm : BitVec 32) :
    List Bpf.Insn :=
  let n := leftCount right w64 imm
  [.alu w64 .mov tmp (.reg src), .alu w64 .rsh tmp (.imm (width w64 - n))] ++
  (if dst ≠ src then [.alu w64 .mov dst (.reg src)] else []) ++
  [.alu w64 .lsh dst (.imm n), .alu w64 .or dst (.reg tmp)]

/-- rotate_gen_proof, register count -/
def proofReg (right w64 : Bool) (dst src cnt tmp tmp2 : Nat) : List Bpf.Insn :=
  let first := if right then AluOp.rsh else AluOp.lsh
  let second := if right then AluOp.lsh else AluOp.rsh
  [.alu w64 .mov tmp (.reg src), .alu w64 first tmp (.reg cnt),
   .alu w64 .mov tmp2 (.imm 0), .alu w64 .sub tmp2 (.reg cnt)] ++
  (if dst ≠ src then [.alu w64 .mov dst (.reg src)] else []) ++
  [.alu w64 second dst (.reg tmp2), .alu w64 .or dst (.reg tmp)]

/-- rotate_emit_x86, immediate count; `bmi2` is boot_cpu_has(BMI2) -/
def x86Imm (bmi2 right w64 : Bool) (dst src : Nat) (imm : BitVec 32) :
    List X86.Insn :=
  let n := leftCount right w64 imm
  if dst ≠ src ∧ bmi2 then [.rorx w64 dst src ((width w64 - n).setWidth 8)]
  else (if dst ≠ src then [.mov w64 dst src] else []) ++
    [.shiftImm w64 .rol dst (n.setWidth 8)]

/-- rotate_x86_by_reg (rcx is hardware register 1, r10/r11 are 10/11) -/
def x86Reg (right w64 : Bool) (dst src cnt tmp tmp2 : Nat) : List X86.Insn :=
  let op := if right then X86.Shift.ror else X86.Shift.rol
  let rcxFree : Bool := tmp == 1 || tmp2 == 1
  if (cnt = 1 ∧ dst ≠ 1) ∨ rcxFree then
    (if cnt ≠ 1 then [.mov false 1 cnt] else []) ++
    (if dst ≠ src ∨ !w64 then [.mov w64 dst src] else []) ++
    [.shiftCl w64 op dst]
  else
    (if cnt ≠ 1 then [.mov true 10 1] else []) ++ [.mov w64 11 src] ++
    (if cnt ≠ 1 then [.mov false 1 cnt] else []) ++ [.shiftCl w64 op 11] ++
    (if cnt ≠ 1 then [.mov true 1 10] else []) ++ [.mov true dst 11]

/-- rotate_emit_arm64 (A64_TMP is x10, xzr 31) -/
def a64Imm (right w64 : Bool) (dst src : Nat) (imm : BitVec 32) : List A64.Insn :=
  [.extr w64 dst src src ((width w64 - leftCount right w64 imm).setWidth 8)]

def a64Reg (right w64 : Bool) (dst src cnt : Nat) : List A64.Insn :=
  if right then [.rorv w64 dst src cnt]
  else [.subSr w64 10 31 cnt 0, .rorv w64 dst src 10]

/-! Operands: dst r0, src r3, tmp r4 (immediate); dst r0, src r3, cnt r4,
    tmp r5, tmp2 r8 (register).  Native: x86 rax 0, rdx 2, rcx 1, r8 8,
    r14 14; A64 x7, x2, x3, x4, x21. -/

def ImmX86 (right w64 : Bool) : Prop :=
  ∀ (bmi2 : Bool) (imm : BitVec 32), 1 ≤ imm → imm < width w64 →
    X86Equiv (proofImm right w64 0 3 4 imm) (x86Imm bmi2 right w64 0 2 imm) [4]

def RegX86 (right w64 : Bool) : Prop :=
  X86Equiv (proofReg right w64 0 3 4 5 8) (x86Reg right w64 0 2 1 8 14) [5, 8]

def ImmA64 (right w64 : Bool) : Prop :=
  ∀ (imm : BitVec 32), 1 ≤ imm → imm < width w64 →
    A64Equiv (proofImm right w64 0 3 4 imm) (a64Imm right w64 7 2 imm) [4]

def RegA64 (right w64 : Bool) : Prop :=
  A64Equiv (proofReg right w64 0 3 4 5 8) (a64Reg right w64 7 2 3) [5, 8]

end Eins.Rotate

namespace Eins
open Rotate

theorem rotate_x86_left64_imm : ImmX86 false true := by
  unfold ImmX86; eins_equiv [proofImm, x86Imm, leftCount]
theorem rotate_x86_right64_imm : ImmX86 true true := by
  unfold ImmX86; eins_equiv [proofImm, x86Imm, leftCount]
theorem rotate_x86_left32_imm : ImmX86 false false := by
  unfold ImmX86; eins_equiv [proofImm, x86Imm, leftCount]
theorem rotate_x86_right32_imm : ImmX86 true false := by
  unfold ImmX86; eins_equiv [proofImm, x86Imm, leftCount]
theorem rotate_x86_left64_reg : RegX86 false true := by
  unfold RegX86; eins_equiv [proofReg, x86Reg]
theorem rotate_x86_right64_reg : RegX86 true true := by
  unfold RegX86; eins_equiv [proofReg, x86Reg]
theorem rotate_x86_left32_reg : RegX86 false false := by
  unfold RegX86; eins_equiv [proofReg, x86Reg]
theorem rotate_x86_right32_reg : RegX86 true false := by
  unfold RegX86; eins_equiv [proofReg, x86Reg]

theorem rotate_a64_left64_imm : ImmA64 false true := by
  unfold ImmA64; eins_equiv [proofImm, a64Imm, leftCount]
theorem rotate_a64_right64_imm : ImmA64 true true := by
  unfold ImmA64; eins_equiv [proofImm, a64Imm, leftCount]
theorem rotate_a64_left32_imm : ImmA64 false false := by
  unfold ImmA64; eins_equiv [proofImm, a64Imm, leftCount]
theorem rotate_a64_right32_imm : ImmA64 true false := by
  unfold ImmA64; eins_equiv [proofImm, a64Imm, leftCount]
theorem rotate_a64_left64_reg : RegA64 false true := by
  unfold RegA64; eins_equiv [proofReg, a64Reg]
theorem rotate_a64_right64_reg : RegA64 true true := by
  unfold RegA64; eins_equiv [proofReg, a64Reg]
theorem rotate_a64_left32_reg : RegA64 false false := by
  unfold RegA64; eins_equiv [proofReg, a64Reg]
theorem rotate_a64_right32_reg : RegA64 true false := by
  unfold RegA64; eins_equiv [proofReg, a64Reg]

end Eins
