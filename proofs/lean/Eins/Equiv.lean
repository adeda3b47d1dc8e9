/-
  The claim, per op, arch and variant (DESIGN.md §6): run the proof
  sequence on a BPF state, and the native code on the native state the
  JIT's register map makes of it; then every BPF register the op does not
  declare clobbered, and every byte of memory, end equal, and no native
  register outside the mapped ones and the JIT's scratch registers
  changes.  Flags and the values of unmapped registers are arbitrary.
-/
import Eins.Bpf
import Eins.X86
import Eins.A64

namespace Eins

/-- BPF register i lives in native register map[i]: the x86-64 JIT's
    reg2hex/is_ereg and the arm64 JIT's bpf2a64. -/
def x86Map : List Nat := [0, 7, 6, 2, 1, 8, 3, 13, 14, 15, 5]
def a64Map : List Nat := [7, 0, 1, 2, 3, 4, 19, 20, 21, 22, 25]

/-- Native registers that are neither mapped nor JIT scratch
    (x86: r10, r11; arm64: x9-x12): an emit must leave them alone. -/
def x86Untouched : List Nat := [4, 9, 12]
def a64Untouched : List Nat :=
  [5, 6, 8, 13, 14, 15, 16, 17, 18, 23, 24, 26, 27, 28, 29, 30]

/-- The BPF register a native register holds, if any. -/
def owner : List Nat → Nat → Nat → Option Nat
  | [], _, _ => none
  | m :: ms, n, i => if m = n then some i else owner ms n (i + 1)

/-- The native register file at the site: mapped registers hold the BPF
    values, the others arbitrary values. -/
def inflate (map : List Nat) (b other : Regs) : Regs :=
  fun n => match owner map n 0 with
    | some i => b i
    | none => other n

/-- map[i] -/
def mapped : List Nat → Nat → Nat
  | [], _ => 0
  | m :: _, 0 => m
  | _ :: ms, i + 1 => mapped ms i

/-- BPF registers that must agree: r0-r10 less the op's clobbers. -/
def kept (clobber : List Nat) : List Nat :=
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter (fun i => decide (i ∉ clobber))

def X86Equiv (proof : List Bpf.Insn) (code : List X86.Insn)
    (clobber : List Nat) : Prop :=
  ∀ (b other : Regs) (mem : Mem) (flags : X86.Cc → Bool) (addr : U64),
    let bs := Bpf.run proof ⟨b, mem⟩
    let xs := X86.run code ⟨inflate x86Map b other, mem, flags⟩
    (∀ i ∈ kept clobber, xs.r (mapped x86Map i) = bs.r i) ∧
    (∀ n ∈ x86Untouched, xs.r n = other n) ∧
    xs.mem addr = bs.mem addr

def A64Equiv (proof : List Bpf.Insn) (code : List A64.Insn)
    (clobber : List Nat) : Prop :=
  ∀ (b other : Regs) (mem : Mem) (flags : A64.Cond → Bool) (addr : U64),
    let bs := Bpf.run proof ⟨b, mem⟩
    let ns := A64.run code ⟨inflate a64Map b other, mem, flags⟩
    (∀ i ∈ kept clobber, ns.r (mapped a64Map i) = bs.r i) ∧
    (∀ n ∈ a64Untouched, ns.r n = other n) ∧
    ns.mem addr = bs.mem addr

/-- The proof of one claim: unfold the op's definitions (`ids`), split on
    what the C decides from the immediate or the CPU features, unfold both
    runs on the now concrete code, then bit-blast what is left: bit-vector
    equations over the initial registers and memory bytes. -/
macro "eins_equiv" "[" ids:ident,* "]" : tactic => `(tactic| (
  intros
  try unfold X86Equiv
  try unfold A64Equiv
  intros
  try simp (config := { decide := true }) only [$ids,*]
  repeat' split
  all_goals try simp (config := { decide := true }) [*, $ids,*, Bpf.run,
    Bpf.exec, Bpf.step, Bpf.merge, Bpf.taken, Bpf.srcVal, Bpf.alu,
    Bpf.JmpOp.eval, X86.run, X86.step, X86.State.put, X86.State.get,
    X86.at32or64, X86.shift, X86.cmpFlags, X86.testFlags, X86.bextr,
    A64.run, A64.step, A64.State.get, A64.State.put, A64.op2, A64.cmpFlags,
    A64.tstFlags, A64.extr, A64.xzr, kept, mapped, inflate, owner, x86Map,
    a64Map, x86Untouched, a64Untouched, upd, ea, loadLE, storeLE, bswapLE,
    List.filter_cons, List.filter_nil,
    A64.movImm32, popcnt, clzFrom, ctzFrom, rbitAux, rotl, rotr, lo32, zx,
    width, Rel.eval]
  all_goals bv_decide))

end Eins
