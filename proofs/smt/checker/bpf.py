# SPDX-License-Identifier: GPL-2.0
"""BPF semantics in z3 for the insns proof sequences use.

run(insns, regs, mem, mul) executes a proof sequence (forward jumps only,
as the core enforces) from symbolic registers r0-r10 and a memory array,
with 64-bit BPF_MUL as @mul.lo (see mul.py), and returns the final
registers and memory, merging the paths with If.
"""
import struct
import z3
import mul as mulmodel

ALU, JMP, JMP32, ALU64, LD, LDX, STX = 0x04, 0x05, 0x06, 0x07, 0x00, 0x01, 0x03
SIZE_BYTES = {0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8}


def decode(hexwords):
    """'bf10000000000000 ...' -> [(code, dst, src, off, imm)]"""
    out = []
    for h in hexwords:
        code, regs, off, imm = struct.unpack('<BBhi', bytes.fromhex(h))
        out.append((code, regs & 0xf, regs >> 4, off, imm))
    return out


def load(mem, addr, nbytes):
    if nbytes == 1:
        return mem[addr]
    return z3.Concat(*[mem[addr + i] for i in reversed(range(nbytes))])


def store(mem, addr, val, nbytes):
    for i in range(nbytes):
        mem = z3.Store(mem, addr + i, z3.Extract(8 * i + 7, 8 * i, val))
    return mem


def bswap(v, nbytes):
    return z3.Concat(*[z3.Extract(8 * i + 7, 8 * i, v) for i in range(nbytes)])


def alu(op, a, b, bits, mul=mulmodel.REAL):
    mask = bits - 1
    return {
        0x00: lambda: a + b, 0x10: lambda: a - b,
        0x20: lambda: mul.lo(a, b) if bits == 64 else a * b,
        0x40: lambda: a | b, 0x50: lambda: a & b, 0xa0: lambda: a ^ b,
        0x60: lambda: a << (b & mask), 0x70: lambda: z3.LShR(a, b & mask),
        0xc0: lambda: a >> (b & mask), 0xb0: lambda: b, 0x80: lambda: -a,
    }[op]()


def compare(rel, a, b):
    """The comparisons BPF jumps, x86 condition codes and A64 conditions
    share, by name: 'ult' is unsigned <, 'slt' signed <, and so on."""
    return {
        'eq': lambda: a == b, 'ne': lambda: a != b,
        'ugt': lambda: z3.UGT(a, b), 'uge': lambda: z3.UGE(a, b),
        'ult': lambda: z3.ULT(a, b), 'ule': lambda: z3.ULE(a, b),
        'sgt': lambda: a > b, 'sge': lambda: a >= b,
        'slt': lambda: a < b, 'sle': lambda: a <= b,
    }[rel]()


# BPF jump ops; BPF_JSET is "a & b != 0"
JMP_REL = {0x10: 'eq', 0x50: 'ne', 0x20: 'ugt', 0x30: 'uge', 0xa0: 'ult',
           0xb0: 'ule', 0x60: 'sgt', 0x70: 'sge', 0xc0: 'slt', 0xd0: 'sle'}


def cond(op, a, b):
    if op == 0x40:
        return compare('ne', a & b, 0)
    return compare(JMP_REL[op], a, b)


def step(insns, pc, regs, mem, mul):
    """Execute from pc to the end; returns [(path condition, regs, mem)]."""
    while pc < len(insns):
        code, dst, src, off, imm = insns[pc]
        cls, op = code & 7, code & 0xf0
        if code == (LD | 0x18):                  # ld_imm64
            lo, hi = imm & 0xffffffff, insns[pc + 1][4] & 0xffffffff
            regs = {**regs, dst: z3.BitVecVal(hi << 32 | lo, 64)}
            pc += 2
            continue
        if cls in (ALU, ALU64):
            bits = 64 if cls == ALU64 else 32
            if op == 0xd0:                       # BPF_END, v4 bswap
                n = imm // 8
                v = z3.Extract(imm - 1, 0, regs[dst])
                if code != (ALU | 0xd0):         # to_le on this LE machine: no swap
                    v = bswap(regs[dst], n)
                regs = {**regs, dst: z3.ZeroExt(64 - imm, v)}
                pc += 1
                continue
            a = regs[dst] if bits == 64 else z3.Extract(31, 0, regs[dst])
            if code & 0x08:
                b = regs[src] if bits == 64 else z3.Extract(31, 0, regs[src])
            else:
                b = z3.BitVecVal(imm & (2 ** bits - 1), bits) if bits == 32 \
                    else z3.BitVecVal(imm % 2 ** 64, 64)
            r = alu(op, a, b, bits, mul)
            regs = {**regs, dst: r if bits == 64 else z3.ZeroExt(32, r)}
        elif cls == LDX:
            n = SIZE_BYTES[code & 0x18]
            v = load(mem, regs[src] + off, n)
            regs = {**regs, dst: z3.ZeroExt(64 - 8 * n, v) if n < 8 else v}
        elif cls == STX:
            n = SIZE_BYTES[code & 0x18]
            mem = store(mem, regs[dst] + off, regs[src], n)
        elif cls in (JMP, JMP32):
            if op == 0x00:                       # ja
                pc += 1 + (imm if cls == JMP32 else off)
                continue
            a, b = regs[dst], regs[src] if code & 0x08 else z3.BitVecVal(imm % 2 ** 64, 64)
            if cls == JMP32:
                a, b = z3.Extract(31, 0, a), z3.Extract(31, 0, b)
            c = cond(op, a, b)
            taken = step(insns, pc + 1 + off, regs, mem, mul)
            fall = step(insns, pc + 1, regs, mem, mul)
            return [(z3.And(c, pc_), r, m) for pc_, r, m in taken] + \
                   [(z3.And(z3.Not(c), pc_), r, m) for pc_, r, m in fall]
        else:
            raise ValueError(f'insn {code:#x} not modelled')
        pc += 1
    return [(z3.BoolVal(True), regs, mem)]


def run(insns, regs, mem, mul=mulmodel.REAL):
    paths = step(insns, 0, regs, mem, mul)
    final_regs, final_mem = paths[-1][1], paths[-1][2]
    for c, r, m in reversed(paths[:-1]):
        final_regs = {k: z3.If(c, r[k], final_regs[k]) for k in r}
        final_mem = z3.If(c, m, final_mem)
    return final_regs, final_mem
