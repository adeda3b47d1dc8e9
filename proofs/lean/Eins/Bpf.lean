/-
  BPF semantics for the instructions proof sequences use: ALU and ALU64
  (32-bit results zero-extended), forward conditional and unconditional
  jumps, LDX/STX, BPF_END (bswap) and the 64-bit immediate load.
  Registers r0..r10.
-/
import Eins.Basic

namespace Eins.Bpf

inductive Src
  | reg (r : Nat)
  | imm (v : BitVec 32)

inductive AluOp
  | add | sub | mul | or | and | lsh | rsh | arsh | xor | mov | neg

inductive JmpOp
  | jeq | jne | jset | jgt | jge | jlt | jle | jsgt | jsge | jslt | jsle
  deriving DecidableEq, Repr

inductive Insn
  /-- `w64`: ALU64, else ALU (32-bit, zero-extending) -/
  | alu (w64 : Bool) (op : AluOp) (dst : Nat) (src : Src)
  /-- `w64`: JMP, else JMP32; skips `off` insns when taken -/
  | jmp (w64 : Bool) (op : JmpOp) (dst : Nat) (src : Src) (off : Nat)
  | ja (off : Nat)
  | ldx (bytes : Nat) (dst base : Nat) (off : BitVec 16)
  | stx (bytes : Nat) (base src : Nat) (off : BitVec 16)
  /-- BPF_ALU64 | BPF_END (v4 bswap) of the low `bits` bits -/
  | bswap (bits : Nat) (dst : Nat)
  | ldimm64 (dst : Nat) (v : U64)

structure State where
  r : Regs
  mem : Mem

def srcVal (s : State) : Src → U64
  | .reg r => s.r r
  | .imm v => v.signExtend 64

def alu {w : Nat} (op : AluOp) (a b : BitVec w) : BitVec w :=
  let m := b &&& BitVec.ofNat w (w - 1)
  match op with
  | .add => a + b
  | .sub => a - b
  | .mul => a * b
  | .or => a ||| b
  | .and => a &&& b
  | .xor => a ^^^ b
  | .lsh => a <<< m
  | .rsh => a >>> m
  | .arsh => a.sshiftRight' m
  | .mov => b
  | .neg => 0 - a

def JmpOp.eval {w : Nat} (op : JmpOp) (a b : BitVec w) : Bool :=
  match op with
  | .jeq => Rel.eq.eval a b
  | .jne => Rel.ne.eval a b
  | .jset => (a &&& b) != 0
  | .jgt => Rel.ugt.eval a b
  | .jge => Rel.uge.eval a b
  | .jlt => Rel.ult.eval a b
  | .jle => Rel.ule.eval a b
  | .jsgt => Rel.sgt.eval a b
  | .jsge => Rel.sge.eval a b
  | .jslt => Rel.slt.eval a b
  | .jsle => Rel.sle.eval a b

def taken (s : State) (w64 : Bool) (op : JmpOp) (dst : Nat) (src : Src) : Bool :=
  if w64 then op.eval (s.r dst) (srcVal s src)
  else op.eval (lo32 (s.r dst)) (lo32 (srcVal s src))

/-- One non-jump instruction. -/
def step (s : State) : Insn → State
  | .alu true op d src => ⟨upd s.r d (alu op (s.r d) (srcVal s src)), s.mem⟩
  | .alu false op d src =>
      ⟨upd s.r d (zx (alu op (lo32 (s.r d)) (lo32 (srcVal s src)))), s.mem⟩
  | .ldx n d b off => ⟨upd s.r d (loadLE s.mem (ea (s.r b) off) n), s.mem⟩
  | .stx n b src off => ⟨s.r, storeLE s.mem (ea (s.r b) off) (s.r src) n⟩
  | .bswap bits d => ⟨upd s.r d (bswapLE (s.r d) (bits / 8)), s.mem⟩
  | .ldimm64 d v => ⟨upd s.r d v, s.mem⟩
  | _ => s

/-- Both paths of a jump, merged register by register and byte by byte. -/
def merge (c : Bool) (t f : State) : State :=
  ⟨fun n => bif c then t.r n else f.r n, fun a => bif c then t.mem a else f.mem a⟩

/-- Run with `fuel` steps; jumps only go forward, as the core enforces. -/
def exec : Nat → List Insn → State → State
  | 0, _, s => s
  | _ + 1, [], s => s
  | fuel + 1, .jmp w64 op d src off :: rest, s =>
      merge (taken s w64 op d src) (exec fuel (rest.drop off) s) (exec fuel rest s)
  | fuel + 1, .ja off :: rest, s => exec fuel (rest.drop off) s
  | fuel + 1, i :: rest, s => exec fuel rest (step s i)

def run (p : List Insn) (s : State) : State := exec p.length p s

end Eins.Bpf
