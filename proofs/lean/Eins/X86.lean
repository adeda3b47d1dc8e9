/-
  x86-64 semantics for the instructions the EInsn emits use, one
  constructor per instruction form the C emits encode (modules/eins/x86.h
  and the op files).  Registers are hardware numbers: rax 0, rcx 1, rdx 2,
  rbx 3, rsp 4, rbp 5, rsi 6, rdi 7, r8..r15 8..15.  32-bit writes
  zero-extend, 16-bit writes keep bits 63..16.
-/
import Eins.Basic

namespace Eins.X86

/-- Condition codes, by their low opcode nibble. -/
inductive Cc
  | b | ae | e | ne | be | a | l | ge | le | g
  deriving DecidableEq, Repr

def Cc.neg : Cc → Cc
  | .b => .ae | .ae => .b | .e => .ne | .ne => .e | .be => .a | .a => .be
  | .l => .ge | .ge => .l | .le => .g | .g => .le

/-- Group-2 shifts and rotates (the ModRM reg field). -/
inductive Shift
  | rol | ror | shl | shr

inductive Insn
  | mov (w64 : Bool) (dst src : Nat)
  /-- mov r32, imm32 (B8+r): zero-extends -/
  | movImm32 (dst : Nat) (imm : BitVec 32)
  /-- C1 /ext ib -/
  | shiftImm (w64 : Bool) (op : Shift) (dst : Nat) (n : BitVec 8)
  /-- D3 /ext: count in cl -/
  | shiftCl (w64 : Bool) (op : Shift) (dst : Nat)
  /-- 66 C1 /0 08: rol r16, 8 -/
  | rol16by8 (dst : Nat)
  | rorx (w64 : Bool) (dst src : Nat) (n : BitVec 8)
  | cmp (w64 : Bool) (a b : Nat)
  | test (w64 : Bool) (a b : Nat)
  /-- 83 /7 ib or 81 /7 id: the immediate is sign-extended -/
  | cmpImm (w64 : Bool) (a : Nat) (imm : BitVec 32)
  /-- F7 /0 id -/
  | testImm (w64 : Bool) (a : Nat) (imm : BitVec 32)
  /-- 64-bit cmovcc -/
  | cmov (cc : Cc) (dst src : Nat)
  /-- 81 /4 id -/
  | andImm (w64 : Bool) (dst : Nat) (imm : BitVec 32)
  | bextr (w64 : Bool) (dst src ctl : Nat)
  /-- movzx r32, word [base + disp] -/
  | movzx16 (dst base : Nat) (disp : BitVec 16)
  /-- mov r, [m] / mov [m], r of 16, 32 or 64 bits -/
  | load (bits : Nat) (dst base : Nat) (disp : BitVec 16)
  | store (bits : Nat) (base src : Nat) (disp : BitVec 16)
  | movbeLoad (bits : Nat) (dst base : Nat) (disp : BitVec 16)
  | movbeStore (bits : Nat) (base src : Nat) (disp : BitVec 16)
  | bswap (w64 : Bool) (r : Nat)
  | popcnt (w64 : Bool) (dst src : Nat)
  | lzcnt (w64 : Bool) (dst src : Nat)
  | tzcnt (w64 : Bool) (dst src : Nat)
  /-- lea dst, [base + index * 2^scale + disp] -/
  | lea (w64 : Bool) (dst base index : Nat) (scale : BitVec 8) (disp : BitVec 32)
  /-- mulx hi, lo, src: hi:lo = rdx * src (lo written first) -/
  | mulx (hi lo src : Nat)
  /-- mul / imul src (F7 /4, /5): rdx:rax = rax * src -/
  | mul1 (signed : Bool) (src : Nat)

structure State where
  r : Regs
  mem : Mem
  /-- the condition codes the last CMP/TEST left -/
  flags : Cc → Bool

/-- The flags of CMP a, b as the conditions they decide. -/
def cmpFlags {w : Nat} (a b : BitVec w) : Cc → Bool
  | .b => Rel.ult.eval a b | .ae => Rel.uge.eval a b
  | .e => Rel.eq.eval a b | .ne => Rel.ne.eval a b
  | .be => Rel.ule.eval a b | .a => Rel.ugt.eval a b
  | .l => Rel.slt.eval a b | .ge => Rel.sge.eval a b
  | .le => Rel.sle.eval a b | .g => Rel.sgt.eval a b

/-- TEST: ZF and SF of a & b, CF = OF = 0. -/
def testFlags {w : Nat} (a b : BitVec w) : Cc → Bool :=
  let v := a &&& b
  let zf := v == 0
  let sf := v.msb
  fun
  | .b => false | .ae => true | .e => zf | .ne => !zf
  | .be => zf | .a => !zf | .l => sf | .ge => !sf
  | .le => zf || sf | .g => !zf && !sf

/-- Read the low 32 or all 64 bits; write with the x86 width rules. -/
def State.get (s : State) (w64 : Bool) (n : Nat) : U64 :=
  if w64 then s.r n else zx (lo32 (s.r n))

def State.put (s : State) (n : Nat) (v : U64) : State := { s with r := upd s.r n v }

def shift {w : Nat} (op : Shift) (x c : BitVec w) : BitVec w :=
  match op with
  | .rol => rotl x c
  | .ror => rotr x c
  | .shl => x <<< (c &&& BitVec.ofNat w (w - 1))
  | .shr => x >>> (c &&& BitVec.ofNat w (w - 1))

/-- An op on the low 32 or all 64 bits, 32-bit results zero-extended. -/
def at32or64 (w64 : Bool) (f32 : BitVec 32 → BitVec 32) (f64 : U64 → U64)
    (x : U64) : U64 :=
  if w64 then f64 x else zx (f32 (lo32 x))

def bextr {w : Nat} (src ctl : BitVec w) : BitVec w :=
  let start := ctl &&& 0xff
  let len := (ctl >>> 8) &&& 0xff
  let shifted := bif start.ult (BitVec.ofNat w w) then src >>> start else 0
  let mask := bif len.ult (BitVec.ofNat w w) then (1 <<< len) - 1 else 0 - 1
  shifted &&& mask

def step (s : State) : Insn → State
  | .mov w d src => s.put d (s.get w src)
  | .movImm32 d imm => s.put d (zx imm)
  | .shiftImm w op d n =>
      s.put d (at32or64 w (fun x => shift op x (n.setWidth 32))
        (fun x => shift op x (n.setWidth 64)) (s.r d))
  | .shiftCl w op d =>
      s.put d (at32or64 w (fun x => shift op x (lo32 (s.r 1) &&& 0xff))
        (fun x => shift op x (s.r 1 &&& 0xff)) (s.r d))
  | .rol16by8 d =>
      let v := s.r d
      s.put d ((v &&& 0xffffffffffff0000) ||| bswapLE v 2)
  | .rorx w d src n =>
      s.put d (at32or64 w (fun x => rotr x (n.setWidth 32))
        (fun x => rotr x (n.setWidth 64)) (s.r src))
  | .cmp w a b =>
      { s with flags := if w then cmpFlags (s.r a) (s.r b)
                        else cmpFlags (lo32 (s.r a)) (lo32 (s.r b)) }
  | .test w a b =>
      { s with flags := if w then testFlags (s.r a) (s.r b)
                        else testFlags (lo32 (s.r a)) (lo32 (s.r b)) }
  | .cmpImm w a imm =>
      { s with flags := if w then cmpFlags (s.r a) (imm.signExtend 64)
                        else cmpFlags (lo32 (s.r a)) imm }
  | .testImm w a imm =>
      { s with flags := if w then testFlags (s.r a) (imm.signExtend 64)
                        else testFlags (lo32 (s.r a)) imm }
  | .cmov cc d src => s.put d (bif s.flags cc then s.r src else s.r d)
  | .andImm w d imm =>
      s.put d (at32or64 w (fun x => x &&& imm) (fun x => x &&& imm.signExtend 64)
        (s.r d))
  | .bextr w d src ctl =>
      s.put d (if w then bextr (s.r src) (s.r ctl)
               else zx (bextr (lo32 (s.r src)) (lo32 (s.r ctl))))
  | .movzx16 d b disp => s.put d (loadLE s.mem (ea (s.r b) disp) 2)
  | .load 16 d b disp =>
      s.put d ((s.r d &&& 0xffffffffffff0000) ||| loadLE s.mem (ea (s.r b) disp) 2)
  | .load bits d b disp => s.put d (loadLE s.mem (ea (s.r b) disp) (bits / 8))
  | .store bits b src disp =>
      { s with mem := storeLE s.mem (ea (s.r b) disp) (s.r src) (bits / 8) }
  | .movbeLoad bits d b disp =>
      s.put d (bswapLE (loadLE s.mem (ea (s.r b) disp) (bits / 8)) (bits / 8))
  | .movbeStore bits b src disp =>
      { s with mem := storeLE s.mem (ea (s.r b) disp)
                        (bswapLE (s.r src) (bits / 8)) (bits / 8) }
  | .bswap w r => s.put r (bswapLE (s.r r) (if w then 8 else 4))
  | .popcnt w d src =>
      s.put d (at32or64 w (fun x => popcnt x 32) (fun x => popcnt x 64) (s.r src))
  | .lzcnt w d src =>
      s.put d (at32or64 w (fun x => clzFrom x 32) (fun x => clzFrom x 64) (s.r src))
  | .tzcnt w d src =>
      s.put d (at32or64 w (fun x => ctzFrom x 0 32) (fun x => ctzFrom x 0 64) (s.r src))
  | .lea w d b i sc disp =>
      let a := s.r b + (s.r i <<< sc.setWidth 64) + disp.signExtend 64
      s.put d (if w then a else zx (lo32 a))
  | .mulx hi lo src =>
      let p := (s.r 2).setWidth 128 * (s.r src).setWidth 128
      (s.put lo (p.setWidth 64)).put hi (p.extractLsb' 64 64)
  | .mul1 signed src =>
      let p := if signed then (s.r 0).signExtend 128 * (s.r src).signExtend 128
               else (s.r 0).setWidth 128 * (s.r src).setWidth 128
      (s.put 0 (p.setWidth 64)).put 2 (p.extractLsb' 64 64)

def run (code : List Insn) (s : State) : State := code.foldl step s

end Eins.X86
