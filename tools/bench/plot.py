#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""plot.py X86_CSV ARM64_CSV OUTDIR: the benchmark plots as plain SVG.

speedup.svg: speedup over the stock JIT of EInsn, eins-opt, the
whole-program mode and native C (both builds), per program (x86-64, measured natively); size.svg: native
code size of EInsn and eins-opt relative to the stock JIT's, per program,
x86-64 and arm64.
"""
import csv
import sys


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def bars(title, names, series, unit, path, ref=None):
    """Grouped horizontal bars; series = [(label, colour, values)]."""
    bar, gap, left, width = 12, 10, 130, 420
    top = 40
    height = top + len(names) * (bar * len(series) + gap) + 40
    vmax = max(max(v) for _, _, v in series + ([] if ref is None else [("", "", [ref])]))
    scale = width / (vmax * 1.1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{max(left + width + 90, left + 190 * len(series))}" '
           f'height="{height}" font-family="sans-serif" font-size="11">',
           f'<text x="10" y="20" font-size="14">{title}</text>']
    y = top
    for i, name in enumerate(names):
        out.append(f'<text x="{left - 6}" y="{y + bar * len(series) / 2 + 4}" '
                   f'text-anchor="end">{name}</text>')
        for label, colour, values in series:
            w = values[i] * scale
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar - 2}" '
                       f'fill="{colour}"/>')
            out.append(f'<text x="{left + w + 4:.1f}" y="{y + bar - 3}">'
                       f'{values[i]:.2f}{unit}</text>')
            y += bar
        y += gap
    if ref is not None:
        x = left + ref * scale
        out.append(f'<line x1="{x:.1f}" y1="{top - 5}" x2="{x:.1f}" y2="{y}" '
                   f'stroke="black" stroke-dasharray="3,3"/>')
    lx = left
    for label, colour, _ in series:
        out.append(f'<rect x="{lx}" y="{y + 10}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{lx + 14}" y="{y + 19}">{label}</text>')
        lx += 190
    out.append('</svg>')
    with open(path, 'w') as f:
        f.write('\n'.join(out) + '\n')


def main():
    x86, arm, outdir = rows(sys.argv[1]), rows(sys.argv[2]), sys.argv[3]
    names = [r['workload'] for r in x86]
    f = lambda r, k: float(r[k])
    ratio = lambda k: [f(r, 'stock_ns') / f(r, k) for r in x86]
    bars('Speedup over the stock JIT, median of the runs (x86-64, run natively; 1.0 = stock)',
         names,
         [('EInsn builtins', '#2b6cb0', ratio('eins_ns')),
          ('plain C after eins-opt', '#38a169', ratio('opt_ns')),
          ('whole-program (np_bench.ko)', '#805ad5', ratio('wp_ns')),
          ('native C, clang -O2', '#9ca3af', ratio('native_ns')),
          ('native C, -O2 -march=native', '#4a5568', ratio('march_ns')),
          ('native C, kernel-legal', '#2d3748', ratio('kernel_ns'))],
         'x', f'{outdir}/speedup.svg', ref=1.0)
    size = lambda rs, k: [f(r, k) / f(r, 'stock_bytes') for r in rs]
    bars('Native code size relative to the stock JIT (1.0 = stock)', names,
         [('x86-64 EInsn', '#2b6cb0', size(x86, 'eins_bytes')),
          ('x86-64 eins-opt', '#38a169', size(x86, 'opt_bytes')),
          ('arm64 EInsn', '#c05621', size(arm, 'eins_bytes')),
          ('arm64 eins-opt', '#d69e2e', size(arm, 'opt_bytes'))],
         '', f'{outdir}/size.svg', ref=1.0)


if __name__ == '__main__':
    main()
