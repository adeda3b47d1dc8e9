#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""np-ir.py: give a BPF program's C, compiled as kernel C, BPF's semantics.

    np-ir.py IN.ll OUT.ll

IN.ll is clang's LLVM IR for one program file of a whole-program module,
straight from the front end (-Xclang -disable-llvm-passes), before any
optimization could use C's undefined behaviour.  Where C leaves an
operation undefined but BPF defines it, the operation is rewritten to
compute what BPF computes:

  x / 0 = 0, x % 0 = x                    (udiv, sdiv, urem, srem)
  S_MIN / -1 = S_MIN, S_MIN % -1 = 0      (sdiv, srem: x / -1 is -x)
  x << n, x >> n: n taken modulo the width (shl, lshr, ashr)
  no overflow is poison                   (nsw, nuw, exact dropped)
  clz(0), ctz(0) = the width              (llvm.ctlz, llvm.cttz)

so a packet cannot make the native code trap (x86-64 DIV faults on a zero
divisor and on S_MIN / -1) nor let the optimizer assume a value away.
Signed overflow of +, -, * already wraps (the kernel builds with
-fno-strict-overflow).  A division by a constant other than 0 (and -1
when signed), a shift by a constant below the width, stays as it is.

Anything this script does not understand in such an instruction (a
vector type) is refused with a message naming the line: exit status 1.
"""
import re
import sys

INT = re.compile(r'^-?\d+$')
DIV = re.compile(r'^(\s*)(%[-\w.$"]+) = (udiv|sdiv|urem|srem)( exact)? (\S+) (.*)$')
SHIFT = re.compile(r'^(\s*)(%[-\w.$"]+) = (shl|lshr|ashr)((?: nuw| nsw| exact)*) (\S+) (.*)$')
WRAP = re.compile(r'^(\s*%[-\w.$"]+ = (?:add|sub|mul|trunc))((?: nuw| nsw)+)( .*)$')
BITCOUNT = re.compile(r'(call \S+ @llvm\.(?:ctlz|cttz)\.i\d+\(i\d+ [^,]+, )i1 true\)')


def split_top(text):
    """Split at commas outside parentheses/brackets: 'a, f(b, c), !dbg !1'."""
    parts, depth, cur = [], 0, ''
    for ch in text:
        if ch in '([{<':
            depth += 1
        elif ch in ')]}>':
            depth -= 1
        if ch == ',' and depth == 0:
            parts.append(cur.strip())
            cur = ''
        else:
            cur += ch
    parts.append(cur.strip())
    return parts


class Rewriter:
    def __init__(self):
        self.seq = 0
        self.counts = {'div': 0, 'shift': 0, 'flags': 0, 'bitcount': 0}

    def tmp(self, what):
        return '%%np.%d.%s' % (self.seq, what)

    def div(self, m, where):
        ind, res, op, _, ty, rest = m.groups()
        if not re.fullmatch(r'i\d+', ty):
            raise ValueError('%s: %s on %s' % (where, op, ty))
        parts = split_top(rest)
        a, b, meta = parts[0], parts[1], parts[2:]
        tail = ''.join(', ' + x for x in meta)
        signed = op[0] == 's'
        if INT.match(b) and int(b) != 0 and not (signed and int(b) == -1):
            return ['%s%s = %s %s %s, %s%s' % (ind, res, op, ty, a, b, tail)]
        self.seq += 1
        self.counts['div'] += 1
        z, d, q = self.tmp('zero'), self.tmp('divisor'), self.tmp('q')
        out = ['%s%s = icmp eq %s %s, 0' % (ind, z, ty, b)]
        if signed:
            m1, bad, neg, t = (self.tmp('minus1'), self.tmp('bad'),
                               self.tmp('neg'), self.tmp('t'))
            out += ['%s%s = icmp eq %s %s, -1' % (ind, m1, ty, b),
                    '%s%s = or i1 %s, %s' % (ind, bad, z, m1),
                    '%s%s = select i1 %s, %s 1, %s %s' % (ind, d, bad, ty, ty, b),
                    '%s%s = %s %s %s, %s' % (ind, q, op, ty, a, d)]
            if op == 'sdiv':    # x / -1 = -x, wrapping: S_MIN stays S_MIN
                out += ['%s%s = sub %s 0, %s' % (ind, neg, ty, a),
                        '%s%s = select i1 %s, %s %s, %s %s' % (ind, t, m1, ty, neg, ty, q),
                        '%s%s = select i1 %s, %s 0, %s %s%s' % (ind, res, z, ty, ty, t, tail)]
            else:               # x % -1 = 0 (x % 1), x % 0 = x
                out += ['%s%s = select i1 %s, %s %s, %s %s%s' % (ind, res, z, ty, a, ty, q, tail)]
            return out
        out += ['%s%s = select i1 %s, %s 1, %s %s' % (ind, d, z, ty, ty, b),
                '%s%s = %s %s %s, %s' % (ind, q, op, ty, a, d)]
        zero_val = '0' if op == 'udiv' else a
        out += ['%s%s = select i1 %s, %s %s, %s %s%s' % (ind, res, z, ty, zero_val, ty, q, tail)]
        return out

    def shift(self, m, where):
        ind, res, op, flags, ty, rest = m.groups()
        if not re.fullmatch(r'i\d+', ty):
            raise ValueError('%s: %s on %s' % (where, op, ty))
        width = int(ty[1:])
        parts = split_top(rest)
        a, n, meta = parts[0], parts[1], parts[2:]
        tail = ''.join(', ' + x for x in meta)
        if flags:
            self.counts['flags'] += 1
        if INT.match(n) and 0 <= int(n) < width:
            return ['%s%s = %s %s %s, %s%s' % (ind, res, op, ty, a, n, tail)]
        self.seq += 1
        self.counts['shift'] += 1
        if width & (width - 1):
            raise ValueError('%s: %s on %s' % (where, op, ty))
        amt = self.tmp('amount')
        return ['%s%s = and %s %s, %d' % (ind, amt, ty, n, width - 1),
                '%s%s = %s %s %s, %s%s' % (ind, res, op, ty, a, amt, tail)]

    def line(self, text, where):
        m = DIV.match(text)
        if m:
            return self.div(m, where)
        m = SHIFT.match(text)
        if m:
            return self.shift(m, where)
        m = WRAP.match(text)
        if m:
            self.counts['flags'] += 1
            return [m.group(1) + m.group(3)]
        text, n = BITCOUNT.subn(r'\1i1 false)', text)
        self.counts['bitcount'] += n
        if re.search(r'= (udiv|sdiv|urem|srem|shl|lshr|ashr) ', text):
            raise ValueError('%s: not understood: %s' % (where, text.strip()))
        return [text]


def main():
    if len(sys.argv) != 3:
        sys.stderr.write('usage: np-ir.py IN.ll OUT.ll\n')
        return 2
    rw = Rewriter()
    out = []
    try:
        with open(sys.argv[1]) as f:
            for i, text in enumerate(f.read().split('\n'), 1):
                out += rw.line(text, '%s:%d' % (sys.argv[1], i))
    except ValueError as e:
        sys.stderr.write('np-ir: %s: refused (only scalar integer division and '
                         'shifts are given BPF semantics)\n' % e)
        return 1
    with open(sys.argv[2], 'w') as f:
        f.write('\n'.join(out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
