# SPDX-License-Identifier: GPL-2.0
"""cross.py CASES: the two BPF models must agree.

CASES is sem_cross's output (tools/eins-opt/tests/sem_cross.c): random
runs of the insns proof sequences use, with the registers, stack bytes and
(for ALU-only runs) concrete filter results bpfsem.c gives.  Each run is
executed here by bpf.py, the SMT checker's model, on the same registers and
zeroed memory; every register and stack byte must come out the same.
Prints one TAP-style line (make check counts it) and the first cases that
differ.
"""
import sys
import z3
import bpf

STACK_TOP = 0x7f0000001000
STACK_BYTES = 64


def main():
    cases = bad = 0
    for line in open(sys.argv[1]):
        hexes, rin, rout, stack, filt = [f.split() for f in line.split('|')]
        insns = bpf.decode(hexes)
        regs = {i: z3.BitVecVal(int(v, 16), 64) for i, v in enumerate(rin)}
        mem = z3.K(z3.BitVecSort(64), z3.BitVecVal(0, 8))
        fregs, fmem = bpf.run(insns, regs, mem)
        got = [z3.simplify(fregs[i]).as_long() for i in range(11)]
        got_stack = [z3.simplify(fmem[STACK_TOP - STACK_BYTES + i]).as_long()
                     for i in range(STACK_BYTES)]
        want = [int(v, 16) for v in rout]
        want_stack = [int(v, 16) for v in stack]
        cases += 1
        diff = [f'r{i} {want[i]:x} (bpfsem.c) {got[i]:x} (bpf.py)'
                for i in range(11) if got[i] != want[i]]
        diff += [f'stack byte {i - STACK_BYTES}: {want_stack[i]:x} (bpfsem.c) '
                 f'{got_stack[i]:x} (bpf.py)'
                 for i in range(STACK_BYTES) if got_stack[i] != want_stack[i]]
        if filt != ['-']:
            diff += [f'r{i} {int(v, 16):x} (bpfsem.c filter) {got[i]:x} (bpf.py)'
                     for i, v in enumerate(filt) if int(v, 16) != got[i]]
        if diff:
            bad += 1
            if bad <= 5:
                print(f'# differ: {" ".join(hexes)}: {"; ".join(diff[:4])}')
    ok = cases > 0 and bad == 0
    print(f'{"ok" if ok else "not ok"} - BPF models agree: bpfsem.c (z3 terms '
          f'and concrete filter) and bpf.py on {cases} random runs, '
          f'{bad} differ')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
