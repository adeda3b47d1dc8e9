#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check.py CASES [--per-group N] [--plant]: SMT translation validation.
check.py --names CASES: the (op, arch, variant) group names, which are the
names of the Lean theorems too.

For every case enum printed (the module's real proof sequence and native
emits), prove with z3 that the x86-64 and the A64 code, decoded by this
checker's own decoders, leave every BPF-visible register the op does not
declare clobbered and all of memory as the proof sequence does, and that
they change no other native register than the JIT's scratch registers.
With --per-group N, each group proves its cases in the enumerator's
distinct-register assignment (every immediate there) and N others at
random.  --plant mutates the emitted code of a case whose operands are all
in different registers (wrong condition, swapped operands, shift off by
one, MOVBE of the wrong width, MUL/IMUL or UMULH/SMULH signedness, other destination
register, a callee-saved register clobbered) and the mul lemmas, and
expects every mutation to be refuted.  The high-multiply op is checked
with multiplication abstracted (mul.py), after its two lemmas are proven.
Prints one line per lemma and per (op, arch, variant) and a final
"N passed, N failed".
"""
import multiprocessing
import os
import random
import sys
import z3
import a64
import bpf
import mul
import x86

X86_MAP = [0, 7, 6, 2, 1, 8, 3, 13, 14, 15, 5]
A64_MAP = [7, 0, 1, 2, 3, 4, 19, 20, 21, 22, 25]
X86_SCRATCH = {10, 11}
A64_SCRATCH = {9, 10, 11, 12}
# ops whose native code multiplies 64x64->128 bits: proven with every
# 64-bit multiply abstracted, which the lemmas of mul.py justify
ABSTRACT_MUL_OPS = {'eins_mul_high'}


def parse(line):
    head, regs, clob, proof, xcode, acode = [p.strip() for p in line.split('|')]
    op, variant, imm, feat = head.split()
    return dict(op=op, variant=variant, imm=int(imm), feat=feat,
                regs=[int(r) for r in regs.split()], clobber=int(clob, 16),
                proof=proof.split(), x86=None if xcode == '-' else bytes.fromhex(xcode),
                a64=None if acode == '-' else [int(w, 16) for w in acode.split()])


def equivalent(case, arch, code):
    """None if proven equal, else a counterexample or the reason."""
    breg = [z3.BitVec(f'r{i}', 64) for i in range(11)]
    mem = z3.Array('mem', z3.BitVecSort(64), z3.BitVecSort(8))
    model = mul.Abstract() if case['op'] in ABSTRACT_MUL_OPS else mul.REAL
    bfinal, bmem = bpf.run(bpf.decode(case['proof']), dict(enumerate(breg)),
                           mem, model)

    nmap, nregs, scratch, mod = (X86_MAP, 16, X86_SCRATCH, x86) if arch == 'x86' \
        else (A64_MAP, 31, A64_SCRATCH, a64)
    init = {n: z3.BitVec(f'n{n}', 64) for n in range(nregs)}
    for i, n in enumerate(nmap):
        init[n] = breg[i]
    try:
        nfinal, nmem = mod.run(code, init, mem, model)
    except (x86.Unknown, IndexError, KeyError) as e:
        return f'undecodable: {e}'

    goals = [nmem == bmem]
    for i in range(10):
        if not case['clobber'] & (1 << i):
            goals.append(nfinal[nmap[i]] == bfinal[i])
    for n in range(nregs):
        if n not in nmap and n not in scratch:
            goals.append(nfinal[n] == init[n])     # nothing else touched
    goals.append(nfinal[nmap[10]] == breg[10])    # nor the frame pointer
    s = z3.Solver()
    s.set('timeout', 60000)
    s.add(z3.Not(z3.And(*goals)))
    r = s.check()
    if r == z3.unsat:
        return None
    return 'counterexample' if r == z3.sat else f'solver: {r}'


def x86_swap_rr(code, rex, modrm):
    """@code with the reg and rm operands of the ModRM byte at @modrm (and
    the R and B bits of the REX prefix at @rex, if any) swapped."""
    out = bytearray(code)
    m = code[modrm]
    out[modrm] = m & 0xc0 | (m & 7) << 3 | (m >> 3) & 7
    if rex is not None:
        r = code[rex]
        out[rex] = r & 0xfa | (r & 1) << 2 | (r >> 2) & 1
    return bytes(out)


def x86_first_swap(code):
    """Swapped operands in the first CMOVcc, else the last register MOV
    with a REX prefix (often a restore), where the two registers differ."""
    for i in range(len(code) - 2):
        rex = i - 1 if i and 0x40 <= code[i - 1] <= 0x4f else None
        if code[i] == 0x0f and 0x40 <= code[i + 1] <= 0x4f:
            return x86_swap_rr(code, rex, i + 2)
    for i in reversed(range(1, len(code) - 1)):
        if code[i] == 0x89 and 0x40 <= code[i - 1] <= 0x4f and \
                code[i + 1] >> 6 == 3:
            swapped = x86_swap_rr(code, i - 1, i + 1)
            if swapped != code:
                return swapped
    return None


def a64_first_swap(code):
    """Swapped rn and rm in the first CSEL, RORV or shifted ADD (none of
    them commutative), where they differ."""
    for i, w in enumerate(code):
        if w & 0x7fe00c00 == 0x1a800000 or w & 0x7fe0fc00 == 0x1ac02c00 or \
                (w & 0x7f200000 == 0x0b000000 and w & 0xfc00):
            rn, rm = w >> 5 & 31, w >> 16 & 31
            if rn != rm:
                return code[:i] + [w & ~(31 << 5 | 31 << 16) | rm << 5 | rn << 16] + code[i + 1:]
    return None


def mutations(arch, code):
    """Planted bugs: code variants that must not be equivalent."""
    if arch == 'x86':
        out = []
        swapped = x86_first_swap(code)
        if swapped:
            out.append(('swapped operands', swapped))
        for i in range(len(code) - 1):
            if code[i] == 0x0f and 0x40 <= code[i + 1] <= 0x4f:   # wrong cc
                out.append(('cmov condition', code[:i + 1] + bytes([code[i + 1] ^ 1]) + code[i + 2:]))
            if code[i] == 0xc1 and i + 2 < len(code):              # shift + 1
                out.append(('shift count', code[:i + 2] + bytes([code[i + 2] + 1 & 0x3f]) + code[i + 3:]))
            if code[i:i + 2] == b'\x0f\x38' and i + 2 < len(code) and \
                    code[i + 2] in (0xf0, 0xf1):                 # movbe width
                if i and 0x40 <= code[i - 1] <= 0x4f:
                    out.append(('movbe width', code[:i - 1] + bytes([code[i - 1] ^ 8]) + code[i:]))
                else:
                    out.append(('movbe width', code[:i] + b'\x48' + code[i:]))
            if code[i] == 0xf7 and i and code[i - 1] & 0xf8 == 0x48 and \
                    code[i + 1] >> 6 == 3 and (code[i + 1] >> 3 & 7) in (4, 5):
                out.append(('mul signedness', code[:i + 1] + bytes([code[i + 1] ^ 8]) + code[i + 2:]))
        out.append(('callee-saved rbx clobbered', code + bytes([0x48, 0x31, 0xdb])))
        out.append(('r12 clobbered', code + bytes([0x4d, 0x31, 0xe4])))
        return out
    out = []
    swapped = a64_first_swap(code)
    if swapped:
        out.append(('swapped operands', swapped))
    for i, w in enumerate(code):
        if w & 0x7fe00c00 == 0x1a800000:                       # csel cond
            out.append(('csel condition', code[:i] + [w ^ 0x1000] + code[i + 1:]))
        if w & 0x7fa00000 == 0x13800000:                       # extr lsb
            out.append(('extr lsb', code[:i] + [w ^ 0x400] + code[i + 1:]))
        if w & 0xff60fc00 == 0x9b407c00:                       # umulh/smulh
            out.append(('mul signedness', code[:i] + [w ^ 0x800000] + code[i + 1:]))
        out.append(('destination register', code[:i] + [w ^ 1] + code[i + 1:]))
    out.append(('callee-saved x19 clobbered', code + [0xaa1f03f3]))   # mov x19, xzr
    return out


# how many distinct-register cases of a group get planted bugs
PLANT_CASES = 4
# BPF register of operand i in the enumerator's sweep of every immediate
CANON = [0, 3, 4, 5, 8]
CC_NAMES = {0x10: 'jeq', 0x50: 'jne', 0x40: 'jset', 0x20: 'jgt', 0x30: 'jge',
            0xa0: 'jlt', 0xb0: 'jle', 0x60: 'jsgt', 0x70: 'jsge',
            0xc0: 'jslt', 0xd0: 'jsle'}


def variant_name(op, v):
    """The variant part of a group's name, and of its Lean theorem's."""
    w = lambda bit: '32' if v & bit else '64'
    return {
        'eins_rotate': lambda: ('right' if v & 1 else 'left') + w(2) +
                               ('_reg' if v & 4 else '_imm'),
        'eins_select': lambda: CC_NAMES[v & 0xf0] + w(0x100) +
                               ('_imm' if v & 0x200 else '_reg'),
        'eins_extract': lambda: 'w' + w(1),
        'eins_swap_mem': lambda: ('store' if v & 4 else 'load') +
                                 {1: '16', 2: '32', 3: '64'}[v & 3],
        'eins_bitcount': lambda: ('popcnt', 'clz', 'ctz')[v & 3] + w(4),
        'eins_shift_add': lambda: 'w' + w(1),     # the shift is an immediate
        'eins_mul_high': lambda: 'signed' if v & 1 else 'unsigned',
    }[op]()


def theorem_name(op, arch, v):
    return f'{op[len("eins_"):]}_{arch}_{variant_name(op, v)}'


def load_groups(path):
    groups = {}
    with open(path) as f:
        for line in f:
            c = parse(line)
            for arch in ('x86', 'a64'):
                if c[arch] is not None:
                    key = theorem_name(c['op'], arch, int(c['variant'], 16))
                    groups.setdefault(key, []).append((arch, c))
    return groups


def pick_cases(cases, arch, per_group, rng):
    """Distinct codes; with @per_group, every case in the CANON registers
    (all immediates, both feature settings) plus per_group random others,
    and enough all-distinct-register ones to plant bugs in."""
    seen, todo = set(), []
    for a, c in cases:
        code = bytes(c[arch]) if arch == 'x86' else tuple(c[arch])
        key = (tuple(c['proof']), code, c['clobber'])
        if key not in seen:
            seen.add(key)
            todo.append(c)
    if not per_group or len(todo) <= per_group:
        return todo, len(todo)
    canon = [c for c in todo if c['regs'] == CANON[:len(c['regs'])]]
    rest = [c for c in todo if c['regs'] != CANON[:len(c['regs'])]]
    chosen = canon + rng.sample(rest, min(per_group, len(rest)))
    # enough all-distinct cases to plant bugs in, for each feature setting
    # (they choose different emits)
    feats = sorted({c['feat'] for c in todo})
    for feat in feats:
        def wanted(c):
            return c['feat'] == feat and len(set(c['regs'])) == len(c['regs'])
        short = PLANT_CASES // len(feats) - sum(map(wanted, chosen))
        pool = [c for c in rest if wanted(c) and c not in chosen]
        if short > 0:
            chosen += rng.sample(pool, min(short, len(pool)))
    return chosen, len(todo)


def check_group(job):
    """One (op, arch, variant): prove the chosen cases, then plant bugs.

    Bugs are planted in up to PLANT_CASES of the cases whose operands are
    all in different registers (there a planted bug can change the result:
    with x == y, say, a flipped condition is no bug at all).  A bug can
    still be harmless in one case (a flipped "a < 0" when the immediate is
    0, a swapped save of a register the op clobbers), so each kind must be
    refuted in at least one of them."""
    name, arch, todo, total, plant = job
    for c in todo:
        why = equivalent(c, arch, c[arch])
        if why:
            return False, f'not ok - {name}: regs {c["regs"]} imm {c["imm"]} feat {c["feat"]}: {why}'
    if not plant:
        return True, f'ok - {name}: {len(todo)} of {total} cases proven'
    distinct = [c for c in todo if len(set(c['regs'])) == len(c['regs'])]
    # alternate the feature settings (they choose different emits), nonzero
    # immediates first within each
    queues = {}
    for c in sorted(distinct, key=lambda c: c['imm'] == 0):
        queues.setdefault(c['feat'], []).append(c)
    spread = []
    while len(spread) < PLANT_CASES and any(queues.values()):
        spread += [q.pop(0) for q in queues.values() if q]
    caught, tried = set(), set()
    for c in spread[:PLANT_CASES]:
        for bug, code in mutations(arch, c[arch]):
            tried.add(bug)
            if bug not in caught and equivalent(c, arch, code) is not None:
                caught.add(bug)
    missed = sorted(tried - caught)
    if missed:
        return False, f'not ok - {name}: planted bug never refuted: {", ".join(missed)}'
    return True, (f'ok - {name}: {len(todo)} of {total} cases proven, '
                  f'{len(caught)} kinds of planted bug refuted')


def main():
    args = sys.argv[1:]
    if args[:1] == ['--names']:         # the theorem names Lean must have
        for name in sorted(load_groups(args[1])):
            print(name)
        return 0
    path, per_group, plant = args[0], None, '--plant' in args
    if '--per-group' in args:
        per_group = int(args[args.index('--per-group') + 1])
    passed = failed = 0
    for name, proven, secs in mul.lemmas():
        passed += proven
        failed += not proven
        print(f'{"ok" if proven else "not ok"} - lemma {name} ({secs:.1f} s)')
    if plant:
        for name, proven in mul.planted_lemmas():
            passed += not proven
            failed += proven
            print(f'{"not ok" if proven else "ok"} - planted wrong lemma refuted: {name}')
    rng = random.Random(1)
    jobs = []
    for name, cases in sorted(load_groups(path).items()):
        arch = cases[0][0]
        todo, total = pick_cases(cases, arch, per_group, rng)
        jobs.append((name, arch, todo, total, plant))
    with multiprocessing.Pool(os.cpu_count()) as pool:
        for ok, line in pool.imap(check_group, jobs):
            passed += ok
            failed += not ok
            print(line)
            sys.stdout.flush()
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
