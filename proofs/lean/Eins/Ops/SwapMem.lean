/-
  swap_mem (modules/eins/swap_mem.c): byte-swapping load or store of 16,
  32 or 64 bits at base + off.  Load operands dst, base in r0, r3; store
  operands base, src, tmp in r0, r3, r4.
-/
import Eins.Equiv

namespace Eins.SwapMem
open Bpf

/-- swap_mem_gen_proof -/
def proof (store : Bool) (bits : Nat) (r0 r1 r2 : Nat) (off : BitVec 16) :
    List Bpf.Insn :=
  if store then
    [.alu true .mov r2 (.reg r1), .bswap bits r2, .stx (bits / 8) r0 r2 off]
  else
    [.ldx (bits / 8) r0 r1 off, .bswap bits r0]

/-- swap_mem_emit_x86; `movbe` is boot_cpu_has(MOVBE) -/
def x86 (movbe store : Bool) (bits : Nat) (r0 r1 r2 : Nat) (off : BitVec 16) :
    List X86.Insn :=
  if store then
    if movbe then [.movbeStore bits r0 r1 off]
    else
      [.mov (bits = 64) r2 r1,
       if bits = 16 then .rol16by8 r2 else .bswap (bits = 64) r2,
       .store bits r0 r2 off]
  else if bits = 16 then [.movzx16 r0 r1 off, .rol16by8 r0]
  else if movbe then [.movbeLoad bits r0 r1 off]
  else [.load bits r0 r1 off, .bswap (bits = 64) r0]

/-- swap_a64_rev -/
def rev (bits : Nat) (rd rn : Nat) : A64.Insn :=
  if bits = 64 then .rev64 rd rn else if bits = 16 then .rev16w rd rn else .rev32w rd rn

/-- a64_ldst: ldur/stur when the offset fits 9 signed bits, else the
    offset in x10 and a register-offset ldr/str -/
def ldst (load : Bool) (bits : Nat) (rt rn : Nat) (off : BitVec 16) : List A64.Insn :=
  if (-256 : BitVec 16).sle off ∧ off.sle 255 then
    [if load then .ldur bits rt rn off else .stur bits rt rn off]
  else
    A64.movImm32 true 10 (off.signExtend 32) ++
    [if load then .ldrReg bits rt rn 10 else .strReg bits rt rn 10]

/-- swap_mem_emit_arm64 (x11 holds the swapped copy of a store) -/
def a64 (store : Bool) (bits : Nat) (r0 r1 : Nat) (off : BitVec 16) : List A64.Insn :=
  if store then rev bits 11 r1 :: ldst false bits 11 r0 off
  else ldst true bits r0 r1 off ++ [rev bits r0 r0]

def ClaimX86 (store : Bool) (bits : Nat) : Prop :=
  ∀ (movbe : Bool) (off : BitVec 16),
    X86Equiv (proof store bits 0 3 4 off) (x86 movbe store bits 0 2 1 off)
      (if store then [4] else [])

/-- Offsets of the ldur/stur form: the register-offset form computes the
    same address as another term (x10 = off), which bit-blasting with
    memory as a function cannot identify; the SMT check covers it. -/
def ClaimA64 (store : Bool) (bits : Nat) : Prop :=
  ∀ off : BitVec 16, (-256 : BitVec 16).sle off → off.sle 255 →
    A64Equiv (proof store bits 0 3 4 off) (a64 store bits 7 2 off)
      (if store then [4] else [])

end Eins.SwapMem

namespace Eins
open SwapMem

theorem swap_mem_x86_load16 : ClaimX86 false 16 := by
  unfold ClaimX86; eins_equiv [proof, x86]
theorem swap_mem_x86_load32 : ClaimX86 false 32 := by
  unfold ClaimX86; eins_equiv [proof, x86]
theorem swap_mem_x86_load64 : ClaimX86 false 64 := by
  unfold ClaimX86; eins_equiv [proof, x86]
theorem swap_mem_x86_store16 : ClaimX86 true 16 := by
  unfold ClaimX86; eins_equiv [proof, x86]
theorem swap_mem_x86_store32 : ClaimX86 true 32 := by
  unfold ClaimX86; eins_equiv [proof, x86]
theorem swap_mem_x86_store64 : ClaimX86 true 64 := by
  unfold ClaimX86; eins_equiv [proof, x86]

theorem swap_mem_a64_load16 : ClaimA64 false 16 := by
  unfold ClaimA64; eins_equiv [proof, a64, ldst, rev]
theorem swap_mem_a64_load32 : ClaimA64 false 32 := by
  unfold ClaimA64; eins_equiv [proof, a64, ldst, rev]
theorem swap_mem_a64_load64 : ClaimA64 false 64 := by
  unfold ClaimA64; eins_equiv [proof, a64, ldst, rev]
theorem swap_mem_a64_store16 : ClaimA64 true 16 := by
  unfold ClaimA64; eins_equiv [proof, a64, ldst, rev]
theorem swap_mem_a64_store32 : ClaimA64 true 32 := by
  unfold ClaimA64; eins_equiv [proof, a64, ldst, rev]
theorem swap_mem_a64_store64 : ClaimA64 true 64 := by
  unfold ClaimA64; eins_equiv [proof, a64, ldst, rev]

end Eins
