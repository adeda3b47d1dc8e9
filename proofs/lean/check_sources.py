#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check_sources.py CASES: what can be checked of the Lean proofs without a
Lean toolchain.

- no Lean source under proofs/lean uses the escape hatches that would let
  a theorem stand unproven (the words are built below so that this file
  does not trip a grep for them);
- the project pins a toolchain and builds the library with lake;
- every (op, arch, variant) the SMT checker proves (check.py --names CASES)
  has a theorem of that name in namespace Eins.
Prints TAP-style ok/not ok lines and a final "N passed, N failed".
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, '..', 'smt', 'checker', 'check.py')
FORBIDDEN = ['sor' + 'ry', 'ad' + 'mit', 'ax' + 'iom', 'native' + '_decide',
             'implemented' + '_by', 'unsafe']


def lean_sources():
    for root, _, files in os.walk(HERE):
        if '.lake' in root:
            continue
        for f in sorted(files):
            if f.endswith('.lean'):
                yield os.path.join(root, f)


def main():
    results = []
    text = {p: open(p).read() for p in lean_sources()}
    for word in FORBIDDEN:
        hits = [f'{os.path.relpath(p, HERE)}:{n + 1}'
                for p, t in text.items()
                for n, line in enumerate(t.splitlines())
                if re.search(rf'\b{word}\b', line)]
        results.append((not hits, f'Lean sources do not use {word}'
                        + (f' (found: {", ".join(hits[:5])})' if hits else '')))
    toolchain = os.path.join(HERE, 'lean-toolchain')
    results.append((os.path.exists(toolchain) and
                    open(toolchain).read().startswith('leanprover/lean4:'),
                    'lean-toolchain pins a Lean 4 release'))
    lakefile = os.path.join(HERE, 'lakefile.toml')
    results.append((os.path.exists(lakefile) and 'name = "Eins"' in open(lakefile).read(),
                    'lakefile.toml builds the Eins library'))
    # every module the library root imports exists
    root = text.get(os.path.join(HERE, 'Eins.lean'), '')
    missing = [m for m in re.findall(r'^import (\S+)', root, re.M)
               if not os.path.exists(os.path.join(HERE, *m.split('.')) + '.lean')]
    results.append((bool(root) and not missing,
                    'Eins.lean imports only modules that exist'
                    + (f' (missing: {", ".join(missing)})' if missing else '')))

    names = subprocess.run([sys.executable, CHECKER, '--names', sys.argv[1]],
                           check=True, capture_output=True, text=True).stdout.split()
    theorems = set()
    for t in text.values():
        theorems.update(re.findall(r'^theorem\s+(\S+)', t, re.M))
    lacking = [n for n in names if n not in theorems]
    results.append((names and not lacking,
                    f'a Lean theorem for each of the {len(names)} SMT groups'
                    + (f' (missing {len(lacking)}: {", ".join(lacking[:6])} ...)'
                       if lacking else '')))
    for ok, what in results:
        print(f'{"ok" if ok else "not ok"} - {what}')
    failed = sum(not ok for ok, _ in results)
    print(f'{len(results) - failed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
