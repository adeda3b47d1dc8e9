# SPDX-License-Identifier: GPL-2.0
"""64-bit multiplication models, and the two lemmas that make the
abstract one sound.

Bit-blasting a 64x64->128 multiplier defeats z3 (a direct proof that the
mul_high proof sequence computes UMULH gave up after 120 s), so for the
high-multiply op the checker splits the claim in two:

1. lemmas() proves, once, for all 64-bit a and b:
     umulh:  hi64(zext(a) * zext(b)) == hi64(school(a, b, bvmul))
     smulh:  hi64(sext(a) * sext(b)) ==
             hi64(zext(a) * zext(b)) - ((a >>s 63) & b) - ((b >>s 63) & a)
   where school() is the schoolbook sum of the four 32x32-bit partial
   products.  Each is a chain of small rewriting steps, every step proven
   valid by z3 (a distributive expansion, widening of one 32x32 product,
   a sign split), then the result read off after the last rewrite.

2. Abstract() models every 64-bit multiply of a case, BPF's and the
   native one's, by one uninterpreted function U (made commutative by
   ordering its arguments): BPF_MUL is U(x, y), the low half of a native
   widening multiply is U(x, y), UMULH is hi64(school(x, y, U)) and SMULH
   the same with the sign correction of lemma smulh.  A case proven for
   every U holds for U = bvmul, and by the lemmas that is the real
   instruction semantics.
"""
import time
import z3

Z, S, E = z3.ZeroExt, z3.SignExt, z3.Extract


def halves(x):
    return E(63, 32, x), E(31, 0, x)


def school(a, b, mul):
    """The 128-bit sum of the four 32x32 partial products, each formed by
    @mul on zero-extended 64-bit halves."""
    (a1, a0), (b1, b0) = halves(a), halves(b)

    def part(x, y):
        return Z(64, mul(Z(32, x), Z(32, y)))

    return (part(a1, b1) << 64) + (part(a1, b0) << 32) + \
        (part(a0, b1) << 32) + part(a0, b0)


def sign_fix(a, b):
    """(a <s 0 ? b : 0) + (b <s 0 ? a : 0), written with masks"""
    return ((a >> 63) & b) + ((b >> 63) & a)


class Real:
    """Bit-vector multiplication as it is."""

    def lo(self, x, y):
        return x * y

    def uhi(self, x, y):
        return E(127, 64, Z(64, x) * Z(64, y))

    def shi(self, x, y):
        return E(127, 64, S(64, x) * S(64, y))


class Abstract(Real):
    """Every 64-bit multiply through one commutative uninterpreted U."""

    def __init__(self):
        self.u = z3.Function('U', z3.BitVecSort(64), z3.BitVecSort(64),
                             z3.BitVecSort(64))

    def lo(self, x, y):
        le = z3.ULE(x, y)
        return self.u(z3.If(le, x, y), z3.If(le, y, x))

    def uhi(self, x, y):
        return E(127, 64, school(x, y, self.lo))

    def shi(self, x, y):
        return self.uhi(x, y) - sign_fix(x, y)


REAL = Real()


def _valid(goal, simplify=False):
    s = z3.Solver()
    s.set('timeout', 60000)
    g = z3.Not(goal)
    s.add(z3.simplify(g, som=True) if simplify else g)
    return s.check() == z3.unsat


class Chain:
    """Rewrite a term step by step; each step replaces subterms by terms
    proven equal to them, so the last term equals the first."""

    def __init__(self, term):
        self.term, self.ok = term, True

    def rewrite(self, pairs, simplify=False):
        for old, new in pairs:
            self.ok &= _valid(old == new, simplify)
        self.term = z3.substitute(self.term, *pairs)

    def ends_at(self, goal, atoms):
        """Last step: term == goal with @atoms generalised to fresh
        variables, which leaves only additions and shifts to prove."""
        fresh = [(t, z3.FreshConst(t.sort(), 'g')) for t in atoms]
        return self.ok and _valid(z3.substitute(self.term == goal, *fresh))


def lemma_umulh(a, b, sum_of_parts=school):
    c = z3.BitVecVal(1 << 32, 128)
    (a1, a0), (b1, b0) = halves(a), halves(b)
    x1, x0, y1, y0 = Z(96, a1), Z(96, a0), Z(96, b1), Z(96, b0)
    ch = Chain(Z(64, a) * Z(64, b))
    ch.rewrite([(Z(64, a), x1 * c + x0), (Z(64, b), y1 * c + y0)])
    ch.rewrite([((x1 * c + x0) * (y1 * c + y0),
                 x1 * y1 * c * c + x1 * y0 * c + x0 * y1 * c + x0 * y0)],
               simplify=True)
    pairs, atoms = [], []
    for x, y in ((a1, b1), (a1, b0), (a0, b1), (a0, b0)):
        narrow = Z(32, x) * Z(32, y)
        pairs.append((Z(96, x) * Z(96, y), Z(64, narrow)))
        atoms.append(narrow)
    ch.rewrite(pairs)
    return ch.ends_at(sum_of_parts(a, b, lambda x, y: x * y), atoms)


def lemma_smulh(a, b, fix=sign_fix):
    k = z3.BitVecVal(1 << 64, 128)
    zero64 = z3.BitVecVal(0, 64)
    sa, sb = Z(127, E(63, 63, a)), Z(127, E(63, 63, b))
    za, zb = Z(64, a), Z(64, b)
    ch = Chain(S(64, a) * S(64, b))
    ch.rewrite([(S(64, a), za - sa * k), (S(64, b), zb - sb * k)])
    ch.rewrite([((za - sa * k) * (zb - sb * k),
                 za * zb - sa * zb * k - sb * za * k + sa * sb * k * k)],
               simplify=True)
    ch.rewrite([(sa * sb * k * k, z3.BitVecVal(0, 128))], simplify=True)
    ch.rewrite([(sa * zb * k, z3.Concat((a >> 63) & b, zero64)),
                (sb * za * k, z3.Concat((b >> 63) & a, zero64))])
    product = za * zb
    ch.term = E(127, 64, ch.term)
    return ch.ends_at(E(127, 64, product) - fix(a, b), [product])


def lemma_commutes(a, b):
    return _valid(a * b == b * a)


def lemmas():
    """[(name, proven, seconds)] for the lemmas Abstract() relies on."""
    a, b = z3.BitVecs('a b', 64)
    out = []
    for name, fn in (('bvmul commutes', lemma_commutes),
                     ('umulh == schoolbook sum of 32x32 products', lemma_umulh),
                     ('smulh == umulh - sign corrections', lemma_smulh)):
        t = time.time()
        out.append((name, fn(a, b), time.time() - t))
    return out


def planted_lemmas():
    """[(name, proven)] for wrong versions of the lemmas; none may be
    proven."""
    a, b = z3.BitVecs('a b', 64)

    def school_off_by_one(x, y, mul):
        (x1, x0), (y1, y0) = halves(x), halves(y)
        part = lambda u, v: Z(64, mul(Z(32, u), Z(32, v)))
        return (part(x1, y1) << 64) + (part(x1, y0) << 32) + \
            (part(x0, y1) << 31) + part(x0, y0)

    return [('partial product shifted by 31',
             lemma_umulh(a, b, school_off_by_one)),
            ('sign correction with b twice',
             lemma_smulh(a, b, lambda x, y: ((x >> 63) & y) + ((y >> 63) & y)))]
