/-
  select (modules/eins/select.c): dst = (a cc b) ? x : y for every BPF
  jump condition, comparing 64 or 32 bits, b a register or an immediate.
  Operands dst, a, x, y[, b] in r0, r3, r4, r5, r8.
-/
import Eins.Equiv

namespace Eins.Select
open Bpf

/-- select_gen_proof -/
def proof (cc : JmpOp) (w32 isImm : Bool) (dst a x y b : Nat) (imm : BitVec 32) :
    List Bpf.Insn :=
  [.jmp (!w32) cc a (if isImm then .imm imm else .reg b) 2,
   .alu true .mov dst (.reg y), .ja 1, .alu true .mov dst (.reg x)]

/-- select_x86_cc -/
def x86Cc : JmpOp → X86.Cc
  | .jeq => .e | .jgt => .a | .jge => .ae | .jlt => .b | .jle => .be
  | .jsgt => .g | .jsge => .ge | .jslt => .l | .jsle => .le
  | .jne => .ne | .jset => .ne

/-- select_emit_x86 (x86_cmp_imm / x86_cmp_rr, then mov and cmov) -/
def x86 (cc : JmpOp) (w32 isImm : Bool) (dst a x y b : Nat) (imm : BitVec 32) :
    List X86.Insn :=
  let test : Bool := cc == .jset
  let cmp : X86.Insn :=
    if isImm then (if test then .testImm (!w32) a imm else .cmpImm (!w32) a imm)
    else (if test then .test (!w32) a b else .cmp (!w32) a b)
  if dst = x then [cmp, .cmov (x86Cc cc).neg dst y]
  else [cmp] ++ (if dst ≠ y then [.mov true dst y] else []) ++ [.cmov (x86Cc cc) dst x]

/-- select_a64_cc -/
def a64Cc : JmpOp → A64.Cond
  | .jeq => .eq | .jgt => .hi | .jge => .hs | .jlt => .lo | .jle => .ls
  | .jsgt => .gt | .jsge => .ge | .jslt => .lt | .jsle => .le
  | .jne => .ne | .jset => .ne

/-- select_emit_arm64 (A64_TMP is x10) -/
def a64 (cc : JmpOp) (w32 isImm : Bool) (dst a x y b : Nat) (imm : BitVec 32) :
    List A64.Insn :=
  let sf := !w32
  let test : Bool := cc == .jset
  let csel : A64.Insn := .csel dst x y (a64Cc cc)
  if isImm ∧ ¬test ∧ ¬imm.slt 0 ∧ imm.slt 4096 then
    [.cmpImm sf a (imm.setWidth 12), csel]
  else if isImm then
    A64.movImm32 sf 10 imm ++ [if test then .tstSr sf a 10 else .cmpSr sf a 10, csel]
  else
    [if test then .tstSr sf a b else .cmpSr sf a b, csel]

def ClaimX86 (cc : JmpOp) (w32 isImm : Bool) : Prop :=
  ∀ imm : BitVec 32, (isImm = false → imm = 0) →
    X86Equiv (proof cc w32 isImm 0 3 4 5 8 imm) (x86 cc w32 isImm 0 2 1 8 14 imm) []

def ClaimA64 (cc : JmpOp) (w32 isImm : Bool) : Prop :=
  ∀ imm : BitVec 32, (isImm = false → imm = 0) →
    A64Equiv (proof cc w32 isImm 0 3 4 5 8 imm) (a64 cc w32 isImm 7 2 3 4 21 imm) []

theorem x86_ok (cc : JmpOp) (w32 isImm : Bool) : ClaimX86 cc w32 isImm := by
  unfold ClaimX86
  cases cc <;> cases w32 <;> cases isImm <;>
    eins_equiv [proof, x86, x86Cc, X86.Cc.neg]

theorem a64_ok (cc : JmpOp) (w32 isImm : Bool) : ClaimA64 cc w32 isImm := by
  unfold ClaimA64
  cases cc <;> cases w32 <;> cases isImm <;>
    eins_equiv [proof, a64, a64Cc]

end Eins.Select

namespace Eins
open Select

theorem select_x86_jeq64_reg : ClaimX86 .jeq false false := x86_ok ..
theorem select_x86_jne64_reg : ClaimX86 .jne false false := x86_ok ..
theorem select_x86_jset64_reg : ClaimX86 .jset false false := x86_ok ..
theorem select_x86_jgt64_reg : ClaimX86 .jgt false false := x86_ok ..
theorem select_x86_jge64_reg : ClaimX86 .jge false false := x86_ok ..
theorem select_x86_jlt64_reg : ClaimX86 .jlt false false := x86_ok ..
theorem select_x86_jle64_reg : ClaimX86 .jle false false := x86_ok ..
theorem select_x86_jsgt64_reg : ClaimX86 .jsgt false false := x86_ok ..
theorem select_x86_jsge64_reg : ClaimX86 .jsge false false := x86_ok ..
theorem select_x86_jslt64_reg : ClaimX86 .jslt false false := x86_ok ..
theorem select_x86_jsle64_reg : ClaimX86 .jsle false false := x86_ok ..
theorem select_x86_jeq32_reg : ClaimX86 .jeq true false := x86_ok ..
theorem select_x86_jne32_reg : ClaimX86 .jne true false := x86_ok ..
theorem select_x86_jset32_reg : ClaimX86 .jset true false := x86_ok ..
theorem select_x86_jgt32_reg : ClaimX86 .jgt true false := x86_ok ..
theorem select_x86_jge32_reg : ClaimX86 .jge true false := x86_ok ..
theorem select_x86_jlt32_reg : ClaimX86 .jlt true false := x86_ok ..
theorem select_x86_jle32_reg : ClaimX86 .jle true false := x86_ok ..
theorem select_x86_jsgt32_reg : ClaimX86 .jsgt true false := x86_ok ..
theorem select_x86_jsge32_reg : ClaimX86 .jsge true false := x86_ok ..
theorem select_x86_jslt32_reg : ClaimX86 .jslt true false := x86_ok ..
theorem select_x86_jsle32_reg : ClaimX86 .jsle true false := x86_ok ..
theorem select_x86_jeq64_imm : ClaimX86 .jeq false true := x86_ok ..
theorem select_x86_jne64_imm : ClaimX86 .jne false true := x86_ok ..
theorem select_x86_jset64_imm : ClaimX86 .jset false true := x86_ok ..
theorem select_x86_jgt64_imm : ClaimX86 .jgt false true := x86_ok ..
theorem select_x86_jge64_imm : ClaimX86 .jge false true := x86_ok ..
theorem select_x86_jlt64_imm : ClaimX86 .jlt false true := x86_ok ..
theorem select_x86_jle64_imm : ClaimX86 .jle false true := x86_ok ..
theorem select_x86_jsgt64_imm : ClaimX86 .jsgt false true := x86_ok ..
theorem select_x86_jsge64_imm : ClaimX86 .jsge false true := x86_ok ..
theorem select_x86_jslt64_imm : ClaimX86 .jslt false true := x86_ok ..
theorem select_x86_jsle64_imm : ClaimX86 .jsle false true := x86_ok ..
theorem select_x86_jeq32_imm : ClaimX86 .jeq true true := x86_ok ..
theorem select_x86_jne32_imm : ClaimX86 .jne true true := x86_ok ..
theorem select_x86_jset32_imm : ClaimX86 .jset true true := x86_ok ..
theorem select_x86_jgt32_imm : ClaimX86 .jgt true true := x86_ok ..
theorem select_x86_jge32_imm : ClaimX86 .jge true true := x86_ok ..
theorem select_x86_jlt32_imm : ClaimX86 .jlt true true := x86_ok ..
theorem select_x86_jle32_imm : ClaimX86 .jle true true := x86_ok ..
theorem select_x86_jsgt32_imm : ClaimX86 .jsgt true true := x86_ok ..
theorem select_x86_jsge32_imm : ClaimX86 .jsge true true := x86_ok ..
theorem select_x86_jslt32_imm : ClaimX86 .jslt true true := x86_ok ..
theorem select_x86_jsle32_imm : ClaimX86 .jsle true true := x86_ok ..

theorem select_a64_jeq64_reg : ClaimA64 .jeq false false := a64_ok ..
theorem select_a64_jne64_reg : ClaimA64 .jne false false := a64_ok ..
theorem select_a64_jset64_reg : ClaimA64 .jset false false := a64_ok ..
theorem select_a64_jgt64_reg : ClaimA64 .jgt false false := a64_ok ..
theorem select_a64_jge64_reg : ClaimA64 .jge false false := a64_ok ..
theorem select_a64_jlt64_reg : ClaimA64 .jlt false false := a64_ok ..
theorem select_a64_jle64_reg : ClaimA64 .jle false false := a64_ok ..
theorem select_a64_jsgt64_reg : ClaimA64 .jsgt false false := a64_ok ..
theorem select_a64_jsge64_reg : ClaimA64 .jsge false false := a64_ok ..
theorem select_a64_jslt64_reg : ClaimA64 .jslt false false := a64_ok ..
theorem select_a64_jsle64_reg : ClaimA64 .jsle false false := a64_ok ..
theorem select_a64_jeq32_reg : ClaimA64 .jeq true false := a64_ok ..
theorem select_a64_jne32_reg : ClaimA64 .jne true false := a64_ok ..
theorem select_a64_jset32_reg : ClaimA64 .jset true false := a64_ok ..
theorem select_a64_jgt32_reg : ClaimA64 .jgt true false := a64_ok ..
theorem select_a64_jge32_reg : ClaimA64 .jge true false := a64_ok ..
theorem select_a64_jlt32_reg : ClaimA64 .jlt true false := a64_ok ..
theorem select_a64_jle32_reg : ClaimA64 .jle true false := a64_ok ..
theorem select_a64_jsgt32_reg : ClaimA64 .jsgt true false := a64_ok ..
theorem select_a64_jsge32_reg : ClaimA64 .jsge true false := a64_ok ..
theorem select_a64_jslt32_reg : ClaimA64 .jslt true false := a64_ok ..
theorem select_a64_jsle32_reg : ClaimA64 .jsle true false := a64_ok ..
theorem select_a64_jeq64_imm : ClaimA64 .jeq false true := a64_ok ..
theorem select_a64_jne64_imm : ClaimA64 .jne false true := a64_ok ..
theorem select_a64_jset64_imm : ClaimA64 .jset false true := a64_ok ..
theorem select_a64_jgt64_imm : ClaimA64 .jgt false true := a64_ok ..
theorem select_a64_jge64_imm : ClaimA64 .jge false true := a64_ok ..
theorem select_a64_jlt64_imm : ClaimA64 .jlt false true := a64_ok ..
theorem select_a64_jle64_imm : ClaimA64 .jle false true := a64_ok ..
theorem select_a64_jsgt64_imm : ClaimA64 .jsgt false true := a64_ok ..
theorem select_a64_jsge64_imm : ClaimA64 .jsge false true := a64_ok ..
theorem select_a64_jslt64_imm : ClaimA64 .jslt false true := a64_ok ..
theorem select_a64_jsle64_imm : ClaimA64 .jsle false true := a64_ok ..
theorem select_a64_jeq32_imm : ClaimA64 .jeq true true := a64_ok ..
theorem select_a64_jne32_imm : ClaimA64 .jne true true := a64_ok ..
theorem select_a64_jset32_imm : ClaimA64 .jset true true := a64_ok ..
theorem select_a64_jgt32_imm : ClaimA64 .jgt true true := a64_ok ..
theorem select_a64_jge32_imm : ClaimA64 .jge true true := a64_ok ..
theorem select_a64_jlt32_imm : ClaimA64 .jlt true true := a64_ok ..
theorem select_a64_jle32_imm : ClaimA64 .jle true true := a64_ok ..
theorem select_a64_jsgt32_imm : ClaimA64 .jsgt true true := a64_ok ..
theorem select_a64_jsge32_imm : ClaimA64 .jsge true true := a64_ok ..
theorem select_a64_jslt32_imm : ClaimA64 .jslt true true := a64_ok ..
theorem select_a64_jsle32_imm : ClaimA64 .jsle true true := a64_ok ..

end Eins
