# SPDX-License-Identifier: GPL-2.0
"""x86-64 decoder and z3 semantics for the insns the EInsn emits use.

run(code, regs, mem, mul) decodes @code (bytes) with its own decoder,
rejecting anything it does not know, and executes it on 16 symbolic 64-bit
registers and a memory array, with 64x64-bit multiplies as @mul (mul.py).
Flags are kept as the operands of the last CMP/TEST.
"""
import z3
import mul as mulmodel
from bpf import bswap, compare, load, store


class Unknown(Exception):
    pass


# condition codes (the low nibble of Jcc/CMOVcc) after CMP a, b
CC_REL = {0x2: 'ult', 0x3: 'uge', 0x4: 'eq', 0x5: 'ne', 0x6: 'ule',
          0x7: 'ugt', 0xc: 'slt', 0xd: 'sge', 0xe: 'sle', 0xf: 'sgt'}


def popcount(v, bits):
    return sum(z3.ZeroExt(bits - 1, z3.Extract(i, i, v)) for i in range(bits))


def lzcnt(v, bits):
    r = z3.BitVecVal(bits, bits)
    for i in range(bits):            # the highest set bit wins
        r = z3.If(z3.Extract(i, i, v) == 1, z3.BitVecVal(bits - 1 - i, bits), r)
    return r


def tzcnt(v, bits):
    r = z3.BitVecVal(bits, bits)
    for i in reversed(range(bits)):  # the lowest set bit wins
        r = z3.If(z3.Extract(i, i, v) == 1, z3.BitVecVal(i, bits), r)
    return r


class State:
    def __init__(self, regs, mem, mul):
        self.r = dict(regs)
        self.mem = mem
        self.mul = mul
        self.flags = None

    def get(self, n, bits):
        return self.r[n] if bits == 64 else z3.Extract(bits - 1, 0, self.r[n])

    def put(self, n, v, bits):
        if bits == 64:
            self.r[n] = v
        elif bits == 32:
            self.r[n] = z3.ZeroExt(32, v)
        else:                        # 8/16-bit writes keep the rest
            self.r[n] = z3.Concat(z3.Extract(63, bits, self.r[n]), v)

    def cond(self, cc):
        kind, a, b = self.flags
        if kind == 'test':           # flags of a & b: only ZF is used
            if cc not in (4, 5):
                raise Unknown(f'condition {cc:#x} after TEST')
            a, b = a & b, 0
        return compare(CC_REL[cc], a, b)


def modrm(code, i, rex):
    """-> (mod, reg, rm or memory (base, index, scale, disp), next i)"""
    m = code[i]
    mod, reg, rm = m >> 6, (m >> 3) & 7 | (rex & 4) << 1, m & 7
    i += 1
    if mod == 3:
        return mod, reg, rm | (rex & 1) << 3, i
    index, scale = None, 0
    if rm == 4:                      # SIB
        sib = code[i]
        i += 1
        scale, idx, base = sib >> 6, (sib >> 3) & 7 | (rex & 2) << 2, sib & 7
        index = None if idx == 4 else idx
        rm = base
    base = rm | (rex & 1) << 3
    if mod == 0 and rm == 5:
        raise Unknown('RIP-relative or no-base addressing')
    disp = 0
    if mod == 1:
        disp = int.from_bytes(code[i:i + 1], 'little', signed=True)
        i += 1
    elif mod == 2:
        disp = int.from_bytes(code[i:i + 4], 'little', signed=True)
        i += 4
    return mod, reg, (base, index, scale, disp), i


def addr(st, m):
    base, index, scale, disp = m
    a = st.r[base] + disp
    if index is not None:
        a = a + (st.r[index] << scale)
    return a


def run(code, regs, mem, mul=mulmodel.REAL):
    st = State(regs, mem, mul)
    i = 0
    while i < len(code):
        opsize, rep, rex = 32, None, 0
        while code[i] in (0x66, 0xf2, 0xf3):
            if code[i] == 0x66:
                opsize = 16
            else:
                rep = code[i]
            i += 1
        if 0x40 <= code[i] <= 0x4f:
            rex = code[i]
            i += 1
            if rex & 8:
                opsize = 64
        op = code[i]
        i += 1
        if op == 0xc4:
            i = vex(code, i, st)
        elif op in (0x89, 0x8b):
            mod, reg, rm, i = modrm(code, i, rex)
            if mod == 3:
                st.put(rm if op == 0x89 else reg,
                       st.get(reg if op == 0x89 else rm, opsize), opsize)
            elif op == 0x89:
                st.mem = store(st.mem, addr(st, rm), st.get(reg, opsize), opsize // 8)
            else:
                st.put(reg, load(st.mem, addr(st, rm), opsize // 8), opsize)
        elif op in (0xc1, 0xd3):
            mod, ext, rm, i = modrm(code, i, rex)
            if mod != 3:
                raise Unknown('shift of memory')
            if op == 0xc1:
                cnt = code[i]
                i += 1
                cnt = z3.BitVecVal(cnt & (63 if opsize == 64 else 31), opsize)
            else:
                cnt = st.get(1, opsize) & (63 if opsize == 64 else 31)
            v = st.get(rm, opsize)
            n = cnt % opsize if opsize == 16 else cnt
            res = {0: z3.RotateLeft(v, n), 1: z3.RotateRight(v, n),
                   4: v << n, 5: z3.LShR(v, n), 7: v >> n}[ext]
            # a masked count of 0 leaves the register (all of it) alone
            old = st.r[rm]
            st.put(rm, res, opsize)
            st.r[rm] = z3.If(cnt == 0, old, st.r[rm])
        elif op in (0x81, 0x83):
            mod, ext, rm, i = modrm(code, i, rex)
            n = 4 if op == 0x81 else 1
            imm = int.from_bytes(code[i:i + n], 'little', signed=True)
            i += n
            v, k = st.get(rm, opsize), z3.BitVecVal(imm % 2 ** opsize, opsize)
            if ext == 7:
                st.flags = ('cmp', v, k)
            elif ext == 4:
                st.put(rm, v & k, opsize)
            else:
                raise Unknown(f'81/83 /{ext}')
        elif op in (0x39, 0x85):
            mod, reg, rm, i = modrm(code, i, rex)
            st.flags = ('cmp' if op == 0x39 else 'test', st.get(rm, opsize),
                        st.get(reg, opsize))
        elif op == 0xf7:
            mod, ext, rm, i = modrm(code, i, rex)
            if ext == 0:
                imm = int.from_bytes(code[i:i + 4], 'little', signed=True)
                i += 4
                st.flags = ('test', st.get(rm, opsize),
                            z3.BitVecVal(imm % 2 ** opsize, opsize))
            elif ext in (4, 5) and opsize == 64:         # mul, imul
                x, y = st.r[0], st.r[rm]
                hi = st.mul.uhi(x, y) if ext == 4 else st.mul.shi(x, y)
                st.r[0], st.r[2] = st.mul.lo(x, y), hi
            else:
                raise Unknown(f'f7 /{ext}')
        elif op == 0x8d:
            mod, reg, m, i = modrm(code, i, rex)
            st.put(reg, z3.Extract(opsize - 1, 0, addr(st, m)), opsize)
        elif 0xb8 <= op <= 0xbf and opsize == 32:
            imm = int.from_bytes(code[i:i + 4], 'little')
            i += 4
            st.put(op - 0xb8 | (rex & 1) << 3, z3.BitVecVal(imm, 32), 32)
        elif op == 0x0f:
            i = twobyte(code, i, st, opsize, rep, rex)
        else:
            raise Unknown(f'opcode {op:#x}')
    return st.r, st.mem


def twobyte(code, i, st, opsize, rep, rex):
    op = code[i]
    i += 1
    if 0x40 <= op <= 0x4f:
        mod, reg, rm, i = modrm(code, i, rex)
        c = st.cond(op & 0xf)
        new = st.get(rm, opsize)
        old = st.r[reg]
        st.put(reg, new, opsize)
        st.r[reg] = z3.If(c, st.r[reg], old)
    elif 0xc8 <= op <= 0xcf:
        n = op - 0xc8 | (rex & 1) << 3
        st.put(n, bswap(st.get(n, opsize), opsize // 8), opsize)
    elif op == 0xb7:
        mod, reg, m, i = modrm(code, i, rex)
        st.put(reg, z3.ZeroExt(opsize - 16, load(st.mem, addr(st, m), 2)), opsize)
    elif op == 0x38 and code[i] in (0xf0, 0xf1):
        store_op = code[i] == 0xf1
        mod, reg, m, i = modrm(code, i + 1, rex)
        if store_op:
            st.mem = store(st.mem, addr(st, m),
                           bswap(st.get(reg, opsize), opsize // 8), opsize // 8)
        elif opsize == 16:
            raise Unknown('16-bit movbe load')
        else:
            st.put(reg, bswap(load(st.mem, addr(st, m), opsize // 8), opsize // 8),
                   opsize)
    elif op in (0xb8, 0xbc, 0xbd) and rep == 0xf3:
        mod, reg, rm, i = modrm(code, i, rex)
        v = st.get(rm, opsize)
        st.put(reg, {0xb8: popcount, 0xbc: tzcnt, 0xbd: lzcnt}[op](v, opsize),
               opsize)
    else:
        raise Unknown(f'0f {op:#x}')
    return i


def vex(code, i, st):
    b1, b2 = code[i], code[i + 1]
    i += 2
    rex = (0 if b1 & 0x80 else 4) | (0 if b1 & 0x20 else 1)
    vmap, w, vvvv, pp = b1 & 0x1f, b2 >> 7, (~b2 >> 3) & 0xf, b2 & 3
    bits = 64 if w else 32
    op = code[i]
    mod, reg, rm, i = modrm(code, i + 1, rex)
    if mod != 3:
        raise Unknown('VEX with memory')
    src = st.get(rm, bits)
    if vmap == 3 and op == 0xf0 and pp == 3:          # rorx
        st.put(reg, z3.RotateRight(src, code[i] & (bits - 1)), bits)
        return i + 1
    if vmap == 2 and op == 0xf7 and pp == 0:          # bextr
        ctl = st.get(vvvv, bits)
        start = z3.ZeroExt(bits - 8, z3.Extract(7, 0, ctl))
        ln = z3.ZeroExt(bits - 8, z3.Extract(15, 8, ctl))
        shifted = z3.If(z3.UGE(start, bits), 0, z3.LShR(src, start))
        mask = z3.If(z3.UGE(ln, bits), -1, (z3.BitVecVal(1, bits) << ln) - 1)
        st.put(reg, shifted & mask, bits)
        return i
    if vmap == 2 and op == 0xf6 and pp == 3 and bits == 64:  # mulx
        x = st.r[2]
        st.r[vvvv], st.r[reg] = st.mul.lo(x, src), st.mul.uhi(x, src)
        return i
    raise Unknown(f'VEX map {vmap} op {op:#x}')
