# SPDX-License-Identifier: GPL-2.0
"""A64 decoder and z3 semantics for the insns the EInsn emits use.

run(words, regs, mem): 31 symbolic 64-bit registers (31 reads as zero in
these forms), a memory array, and NZCV kept as the operands of the last
SUBS/ANDS.
"""
import z3
import mul as mulmodel
from bpf import bswap, compare, load, store
from x86 import Unknown, popcount, lzcnt


# conditions after SUBS a, b (cmp)
COND_REL = {0: 'eq', 1: 'ne', 2: 'uge', 3: 'ult', 8: 'ugt', 9: 'ule',
            10: 'sge', 11: 'slt', 12: 'sgt', 13: 'sle'}


def f(w, hi, lo):
    return (w >> lo) & ((1 << (hi - lo + 1)) - 1)


class State:
    def __init__(self, regs, mem, mul):
        self.mul = mul
        self.r = dict(regs)
        self.mem = mem
        self.flags = None

    def get(self, n, bits):
        v = z3.BitVecVal(0, 64) if n == 31 else self.r[n]
        return v if bits == 64 else z3.Extract(31, 0, v)

    def put(self, n, v, bits):
        if n != 31:
            self.r[n] = v if bits == 64 else z3.ZeroExt(32, v)

    def cond(self, c):
        kind, a, b = self.flags
        if kind == 'ands':           # flags of a & b: only Z is used
            if c not in (0, 1):
                raise Unknown(f'condition {c} after ANDS')
            a, b = a & b, 0
        return compare(COND_REL[c], a, b)


def rbit(v, bits):
    return z3.Concat(*[z3.Extract(i, i, v) for i in range(bits)])


def run(words, regs, mem, mul=mulmodel.REAL):
    st = State(regs, mem, mul)
    for w in words:
        sf = w >> 31
        bits = 64 if sf else 32
        rd, rn, rm = w & 31, f(w, 9, 5), f(w, 20, 16)
        if w & 0x7fa00000 == 0x13800000:                  # extr
            lsb = f(w, 15, 10)
            cat = z3.Concat(st.get(rn, bits), st.get(rm, bits))
            st.put(rd, z3.Extract(lsb + bits - 1, lsb, cat), bits)
        elif w & 0x7fe0fc00 == 0x1ac02c00:                # rorv
            st.put(rd, z3.RotateRight(st.get(rn, bits),
                                      st.get(rm, bits) & (bits - 1)), bits)
        elif w & 0x7f200000 in (0x0b000000, 0x4b000000, 0x6b000000):
            if f(w, 23, 22):
                raise Unknown('add/sub with a non-LSL shift')
            a, b = st.get(rn, bits), st.get(rm, bits) << f(w, 15, 10)
            top = w & 0x7f200000
            if top == 0x6b000000:                         # subs (cmp)
                st.flags = ('subs', a, b)
                st.put(rd, a - b, bits)
            else:
                st.put(rd, a + b if top == 0x0b000000 else a - b, bits)
        elif w & 0x7f200000 == 0x6a000000 and not f(w, 23, 22):  # ands
            a, b = st.get(rn, bits), st.get(rm, bits) << f(w, 15, 10)
            st.flags = ('ands', a, b)
            st.put(rd, a & b, bits)
        elif w & 0x7f800000 in (0x11000000, 0x71000000):  # add / subs imm
            if f(w, 22, 22):
                raise Unknown('imm12 shifted by 12')
            a, k = st.get(rn, bits), z3.BitVecVal(f(w, 21, 10), bits)
            if w & 0x7f800000 == 0x71000000:
                st.flags = ('subs', a, k)
                st.put(rd, a - k, bits)
            else:
                st.put(rd, a + k, bits)
        elif w & 0x7fe00c00 == 0x1a800000 and sf:         # csel
            st.put(rd, z3.If(st.cond(f(w, 15, 12)), st.get(rn, 64),
                             st.get(rm, 64)), 64)
        elif w & 0x7f800000 == 0x53000000:                # ubfm
            immr, imms, v = f(w, 21, 16), f(w, 15, 10), st.get(rn, bits)
            if imms >= immr:
                res = z3.LShR(v, immr) & ((1 << (imms - immr + 1)) - 1)
            else:
                res = (v & ((1 << (imms + 1)) - 1)) << (bits - immr)
            st.put(rd, res, bits)
        elif w & 0x1f800000 == 0x12800000:                # movn/movz/movk
            opc, hw, imm = f(w, 30, 29), f(w, 22, 21), f(w, 20, 5)
            sh = 16 * hw
            if opc == 0:
                st.put(rd, z3.BitVecVal(~(imm << sh) % 2 ** bits, bits), bits)
            elif opc == 2:
                st.put(rd, z3.BitVecVal(imm << sh, bits), bits)
            elif opc == 3:
                keep = st.get(rd, bits) & ~(0xffff << sh) % 2 ** bits
                st.put(rd, keep | (imm << sh), bits)
            else:
                raise Unknown('mov wide opc 1')
        elif w & 0x3f200c00 in (0x38000000, 0x38200800):  # ldur/stur/ldr/str
            size, load_op = 8 << f(w, 31, 30), f(w, 22, 22)
            if w & 0x00200000:                            # register offset
                if f(w, 15, 10) != 0x1a:
                    raise Unknown('register offset other than LSL 0')
                a = st.get(rn, 64) + st.get(rm, 64)
            else:
                off = f(w, 20, 12)
                a = st.get(rn, 64) + (off - 512 if off & 256 else off)
            if f(w, 23, 23):
                raise Unknown('sign-extending load')
            if load_op:
                st.put(rd, z3.ZeroExt(64 - size, load(st.mem, a, size // 8))
                       if size < 64 else load(st.mem, a, 8), 64)
            else:
                st.mem = store(st.mem, a, st.get(rd, 64), size // 8)
        elif w & 0x7ffff000 == 0x5ac00000:                # rbit/rev*/
            opc, v = f(w, 11, 10), st.get(rn, bits)
            if opc == 0:
                res = rbit(v, bits)
            elif opc == 1:                                # rev16
                res = z3.Concat(*[bswap(z3.Extract(h + 15, h, v), 2)
                                  for h in reversed(range(0, bits, 16))])
            elif opc == 2 and bits == 32 or opc == 3:     # rev (w or x)
                res = bswap(v, bits // 8)
            else:
                raise Unknown('rev32 of x')
            st.put(rd, res, bits)
        elif w & 0x7ffffc00 in (0x5ac01000, 0x5ac01c00):  # clz, cnt
            v = st.get(rn, bits)
            st.put(rd, lzcnt(v, bits) if w & 0xc00 == 0 else popcount(v, bits),
                   bits)
        elif w & 0xffe0fc00 in (0x9bc07c00, 0x9b407c00):  # umulh, smulh
            x, y = st.get(rn, 64), st.get(rm, 64)
            st.put(rd, st.mul.uhi(x, y) if w & 0x800000 else st.mul.shi(x, y),
                   64)
        else:
            raise Unknown(f'insn {w:08x}')
    return st.r, st.mem
