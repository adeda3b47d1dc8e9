#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check.py CASES [--per-group N] [--plant] [--skip-op OP]: SMT translation
validation.

For every case enum printed (the module's real proof sequence and native
emits), prove with z3 that the x86-64 and the A64 code, decoded by this
checker's own decoders, leave every BPF-visible register the op does not
declare clobbered and all of memory as the proof sequence does, and that
they change no other native register than the JIT's scratch registers.
--plant mutates the emitted code of the cases whose operands are all in
different registers (wrong condition, shift off by one, MOVBE of the wrong
width, other destination register, a callee-saved register clobbered) and
expects every mutation to be refuted.  Prints one line per
(op, arch, variant) and a final "N passed, N failed".
"""
import random
import sys
import z3
import a64
import bpf
import x86

X86_MAP = [0, 7, 6, 2, 1, 8, 3, 13, 14, 15, 5]
A64_MAP = [7, 0, 1, 2, 3, 4, 19, 20, 21, 22, 25]
X86_SCRATCH = {10, 11}
A64_SCRATCH = {9, 10, 11, 12}


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
    bfinal, bmem = bpf.run(bpf.decode(case['proof']), dict(enumerate(breg)), mem)

    nmap, nregs, scratch, mod = (X86_MAP, 16, X86_SCRATCH, x86) if arch == 'x86' \
        else (A64_MAP, 31, A64_SCRATCH, a64)
    init = {n: z3.BitVec(f'n{n}', 64) for n in range(nregs)}
    for i, n in enumerate(nmap):
        init[n] = breg[i]
    try:
        nfinal, nmem = mod.run(code, init, mem)
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


def mutations(arch, code):
    """Planted bugs: code variants that must not be equivalent."""
    if arch == 'x86':
        out = []
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
        out.append(('callee-saved rbx clobbered', code + bytes([0x48, 0x31, 0xdb])))
        out.append(('r12 clobbered', code + bytes([0x4d, 0x31, 0xe4])))
        return out
    out = []
    for i, w in enumerate(code):
        if w & 0x7fe00c00 == 0x1a800000:                       # csel cond
            out.append(('csel condition', code[:i] + [w ^ 0x1000] + code[i + 1:]))
        if w & 0x7fa00000 == 0x13800000:                       # extr lsb
            out.append(('extr lsb', code[:i] + [w ^ 0x400] + code[i + 1:]))
        out.append(('destination register', code[:i] + [w ^ 1] + code[i + 1:]))
    out.append(('callee-saved x19 clobbered', code + [0xaa1f03f3]))   # mov x19, xzr
    return out


def main():
    path, per_group, plant = sys.argv[1], None, '--plant' in sys.argv
    if '--per-group' in sys.argv:
        per_group = int(sys.argv[sys.argv.index('--per-group') + 1])
    skip = set()
    if '--skip-op' in sys.argv:
        skip.add(sys.argv[sys.argv.index('--skip-op') + 1])
    skipped = 0
    groups = {}
    with open(path) as f:
        for line in f:
            c = parse(line)
            for arch in ('x86', 'a64'):
                if c[arch] is not None:
                    groups.setdefault((c['op'], arch, c['variant']), []).append(c)
    rng = random.Random(1)
    passed = failed = 0
    for (op, arch, variant), cases in sorted(groups.items()):
        if op in skip:
            skipped += 1
            print(f'skip - {op} {arch} variant {variant}: not proven here '
                  '(64x64 high multiply: beyond bit-vector SMT, see proofs/README.md)')
            continue
        seen, todo = set(), []
        for c in cases:                     # identical code: check once
            key = (tuple(c['proof']), bytes(c[arch]) if arch == 'x86' else tuple(c[arch]), c['clobber'])
            if key not in seen:
                seen.add(key)
                todo.append(c)
        if per_group and len(todo) > per_group:
            # keep one case with all operands in different registers: there
            # every planted bug changes the result (with x == y, say, a
            # flipped condition is no bug at all)
            distinct = [c for c in todo if len(set(c['regs'])) == len(c['regs'])]
            first = distinct[:1] or todo[:1]
            todo = first + rng.sample([c for c in todo if c is not first[0]],
                                      per_group - 1)
        bad, caught, planted = None, 0, 0
        for c in todo:
            why = equivalent(c, arch, c[arch])
            if why:
                bad = (c, why)
                break
            if plant and len(set(c['regs'])) == len(c['regs']):
                for name, code in mutations(arch, c[arch]):
                    why = equivalent(c, arch, code)
                    planted += 1
                    caught += why is not None
                    if why is None:
                        bad = (c, f'planted bug not caught: {name}')
                        break
            if bad:
                break
        label = f'{op} {arch} variant {variant}'
        if bad:
            failed += 1
            c, why = bad
            print(f'not ok - {label}: regs {c["regs"]} imm {c["imm"]} feat {c["feat"]}: {why}')
        else:
            passed += 1
            extra = f', {caught}/{planted} planted bugs refuted' if plant else ''
            print(f'ok - {label}: {len(todo)} of {len(cases)} cases proven{extra}')
        sys.stdout.flush()
    print(f'{passed} passed, {failed} failed' + (f', {skipped} skipped' if skipped else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
