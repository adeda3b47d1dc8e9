/-
  A64 semantics for the instructions the EInsn emits use, one constructor
  per form modules/eins/a64.h encodes.  Registers x0..x30; register 31 is
  xzr in every form used here (reads 0, writes are dropped).  W-register
  writes zero-extend.
-/
import Eins.Basic

namespace Eins.A64

def xzr : Nat := 31

inductive Cond
  | eq | ne | hs | lo | hi | ls | ge | lt | gt | le
  deriving DecidableEq, Repr

inductive Insn
  /-- extr rd, rn, rm, #lsb (ror when rn = rm) -/
  | extr (sf : Bool) (rd rn rm : Nat) (lsb : BitVec 8)
  | rorv (sf : Bool) (rd rn rm : Nat)
  /-- add/sub (shifted register, lsl #sh) -/
  | addSr (sf : Bool) (rd rn rm : Nat) (sh : BitVec 8)
  | subSr (sf : Bool) (rd rn rm : Nat) (sh : BitVec 8)
  /-- subs/ands (shifted register) with rd = xzr: cmp, tst -/
  | cmpSr (sf : Bool) (rn rm : Nat)
  | tstSr (sf : Bool) (rn rm : Nat)
  /-- subs xzr, rn, #imm12: cmp with an immediate -/
  | cmpImm (sf : Bool) (rn : Nat) (imm : BitVec 12)
  | addImm (sf : Bool) (rd rn : Nat) (imm : BitVec 12)
  /-- 64-bit csel rd, rn, rm, cond -/
  | csel (rd rn rm : Nat) (c : Cond)
  | movz (sf : Bool) (rd : Nat) (imm : BitVec 16) (hw : Nat)
  | movn (sf : Bool) (rd : Nat) (imm : BitVec 16) (hw : Nat)
  | movk (sf : Bool) (rd : Nat) (imm : BitVec 16) (hw : Nat)
  /-- ubfm rd, rn, #immr, #imms with immr <= imms (ubfx: the field of
      imms - immr + 1 bits at immr) -/
  | ubfm (sf : Bool) (rd rn : Nat) (immr imms : BitVec 8)
  /-- ldur/stur (unscaled offset) and ldr/str (register offset) of 8, 16,
      32 or 64 bits; loads zero-extend -/
  | ldur (bits : Nat) (rt rn : Nat) (off : BitVec 16)
  | stur (bits : Nat) (rt rn : Nat) (off : BitVec 16)
  | ldrReg (bits : Nat) (rt rn rm : Nat)
  | strReg (bits : Nat) (rt rn rm : Nat)
  | rev16w (rd rn : Nat)
  | rev32w (rd rn : Nat)
  | rev64 (rd rn : Nat)
  | clz (sf : Bool) (rd rn : Nat)
  | rbit (sf : Bool) (rd rn : Nat)
  | cnt (sf : Bool) (rd rn : Nat)
  | umulh (rd rn rm : Nat)
  | smulh (rd rn rm : Nat)

structure State where
  r : Regs
  mem : Mem
  flags : Cond → Bool

def State.get (s : State) (n : Nat) : U64 := if n = xzr then 0 else s.r n

/-- Write a 64-bit or (zero-extended) 32-bit result. -/
def State.put (s : State) (sf : Bool) (n : Nat) (v : U64) : State :=
  if n = xzr then s else { s with r := upd s.r n (if sf then v else zx (lo32 v)) }

/-- A 32- or 64-bit op on register values. -/
def op2 (sf : Bool) (f32 : BitVec 32 → BitVec 32 → BitVec 32)
    (f64 : U64 → U64 → U64) (a b : U64) : U64 :=
  if sf then f64 a b else zx (f32 (lo32 a) (lo32 b))

def cmpFlags {w : Nat} (a b : BitVec w) : Cond → Bool
  | .eq => Rel.eq.eval a b | .ne => Rel.ne.eval a b
  | .hs => Rel.uge.eval a b | .lo => Rel.ult.eval a b
  | .hi => Rel.ugt.eval a b | .ls => Rel.ule.eval a b
  | .ge => Rel.sge.eval a b | .lt => Rel.slt.eval a b
  | .gt => Rel.sgt.eval a b | .le => Rel.sle.eval a b

/-- ANDS: N and Z of the result, C = V = 0. -/
def tstFlags {w : Nat} (a b : BitVec w) : Cond → Bool :=
  let v := a &&& b
  let z := v == 0
  let n := v.msb
  fun
  | .eq => z | .ne => !z | .hs => false | .lo => true
  | .hi => false | .ls => true | .ge => !n | .lt => n
  | .gt => !z && !n | .le => z || n

def extr {w : Nat} (hi lo : BitVec w) (lsb : BitVec 8) : BitVec w :=
  ((hi ++ lo) >>> lsb.setWidth (w + w)).setWidth w

def step (s : State) : Insn → State
  | .extr sf d n m lsb =>
      s.put sf d (if sf then extr (s.get n) (s.get m) lsb
                  else zx (extr (lo32 (s.get n)) (lo32 (s.get m)) lsb))
  | .rorv sf d n m => s.put sf d (op2 sf rotr rotr (s.get n) (s.get m))
  | .addSr sf d n m sh =>
      s.put sf d (op2 sf (fun a b => a + (b <<< sh.setWidth 32))
        (fun a b => a + (b <<< sh.setWidth 64))
        (s.get n) (s.get m))
  | .subSr sf d n m sh =>
      s.put sf d (op2 sf (fun a b => a - (b <<< sh.setWidth 32))
        (fun a b => a - (b <<< sh.setWidth 64))
        (s.get n) (s.get m))
  | .cmpSr sf n m =>
      { s with flags := if sf then cmpFlags (s.get n) (s.get m)
                        else cmpFlags (lo32 (s.get n)) (lo32 (s.get m)) }
  | .tstSr sf n m =>
      { s with flags := if sf then tstFlags (s.get n) (s.get m)
                        else tstFlags (lo32 (s.get n)) (lo32 (s.get m)) }
  | .cmpImm sf n imm =>
      { s with flags := if sf then cmpFlags (s.get n) (imm.setWidth 64)
                        else cmpFlags (lo32 (s.get n)) (imm.setWidth 32) }
  | .addImm sf d n imm =>
      s.put sf d (op2 sf (· + ·) (· + ·) (s.get n) (imm.setWidth 64))
  | .csel d n m c => s.put true d (bif s.flags c then s.get n else s.get m)
  | .movz sf d imm hw => s.put sf d (imm.setWidth 64 <<< (16 * hw))
  | .movn sf d imm hw => s.put sf d (~~~(imm.setWidth 64 <<< (16 * hw)))
  | .movk sf d imm hw =>
      let keep := ~~~((0xffff : U64) <<< (16 * hw))
      s.put sf d ((s.get d &&& keep) ||| (imm.setWidth 64 <<< (16 * hw)))
  | .ubfm sf d n immr imms =>
      let mask : U64 := ((1 : U64) <<< (imms - immr + 1).setWidth 64) - 1
      s.put sf d (((if sf then s.get n else zx (lo32 (s.get n))) >>> immr.setWidth 64)
        &&& mask)
  | .ldur bits t n off => s.put true t (loadLE s.mem (ea (s.get n) off) (bits / 8))
  | .stur bits t n off =>
      { s with mem := storeLE s.mem (ea (s.get n) off) (s.get t) (bits / 8) }
  | .ldrReg bits t n m =>
      s.put true t (loadLE s.mem (s.get n + s.get m) (bits / 8))
  | .strReg bits t n m =>
      { s with mem := storeLE s.mem (s.get n + s.get m) (s.get t) (bits / 8) }
  | .rev16w d n =>
      let v := s.get n
      s.put false d (bswapLE v 2 ||| (bswapLE (v >>> 16) 2 <<< 16))
  | .rev32w d n => s.put false d (bswapLE (s.get n) 4)
  | .rev64 d n => s.put true d (bswapLE (s.get n) 8)
  | .clz sf d n =>
      s.put sf d (if sf then clzFrom (s.get n) 64 else zx (clzFrom (lo32 (s.get n)) 32))
  | .rbit sf d n =>
      s.put sf d (if sf then rbitAux (s.get n) 64 else zx (rbitAux (lo32 (s.get n)) 32))
  | .cnt sf d n =>
      s.put sf d (if sf then popcnt (s.get n) 64 else zx (popcnt (lo32 (s.get n)) 32))
  | .umulh d n m =>
      s.put true d (((s.get n).setWidth 128 * (s.get m).setWidth 128).extractLsb' 64 64)
  | .smulh d n m =>
      s.put true d (((s.get n).signExtend 128 * (s.get m).signExtend 128).extractLsb' 64 64)

/-- a64_mov_imm32(code, sf, rd, imm) -/
def movImm32 (sf : Bool) (rd : Nat) (imm : BitVec 32) : List Insn :=
  let lo := imm.setWidth 16
  let hi := (imm >>> 16).setWidth 16
  if imm.slt 0 ∧ sf then
    [.movn sf rd (~~~lo) 0] ++ (if hi ≠ 0xffff then [.movk sf rd hi 1] else [])
  else
    [.movz sf rd lo 0] ++ (if hi ≠ 0 then [.movk sf rd hi 1] else [])

def run (code : List Insn) (s : State) : State := code.foldl step s

end Eins.A64
