/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The benchmark workloads, one C source for every variant: BENCH_EINS
 * picks the eins.h builtin at each idiom site, otherwise plain C (what the
 * stock JIT gets, and what clang -O2 compiles natively).  Each workload
 * reads the BENCH_BYTES input buffer and returns one u64.
 */
#ifndef BENCH_WORKLOADS_H
#define BENCH_WORKLOADS_H

typedef unsigned long long bu64;
typedef unsigned int bu32;
typedef unsigned short bu16;
typedef unsigned char bu8;

/* one function per program: a BPF subprogram call would not run natively */
#define BENCH_INLINE	static inline __attribute__((always_inline))

#define BENCH_BYTES	1024
#define BENCH_WORDS	(BENCH_BYTES / 8)

#ifdef BENCH_EINS
#include "eins.h"
#define ROTL64(x, n)		eins_rotl64(x, n)
#define ROTL32(x, n)		eins_rotl32(x, n)
#define MIN_U(a, b)		eins_select_lt(a, b, a, b)
#define MAX_U(a, b)		eins_select_gt(a, b, a, b)
#define SEL_NZ(c, x, y)		eins_select_imm(EINS_NE, c, 0, x, y)
#define EXTRACT(x, lsb, len)	eins_extract64(x, lsb, len)
#define LOAD_BE16(p, off)	eins_load_swap16(p, off)
#define LOAD_BE32(p, off)	eins_load_swap32(p, off)
#define POPCNT(x)		eins_popcount64(x)
#define CLZ(x)			eins_clz64(x)
#define CTZ(x)			eins_ctz64(x)
#define SHIFT_ADD(a, b, s, k)	eins_shift_add64(a, b, s, k)
#define MULHU(a, b)		eins_mulhu64(a, b)
#else
BENCH_INLINE bu64 b_mulhu(bu64 a, bu64 b)
{
	bu64 al = (bu32)a, ah = a >> 32, bl = (bu32)b, bh = b >> 32;
	bu64 p0 = al * bl, p1 = al * bh, p2 = ah * bl, p3 = ah * bh;
	bu64 mid = (p0 >> 32) + (bu32)p1 + (bu32)p2;

	return p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
}

BENCH_INLINE bu64 b_popcnt(bu64 x)
{
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

BENCH_INLINE bu64 b_clz(bu64 x)
{
	x |= x >> 1; x |= x >> 2; x |= x >> 4;
	x |= x >> 8; x |= x >> 16; x |= x >> 32;
	return b_popcnt(~x);
}

#define ROTL64(x, n)		((bu64)(x) << (n) | (bu64)(x) >> (64 - (n)))
#define ROTL32(x, n)		((bu32)((bu32)(x) << (n) | (bu32)(x) >> (32 - (n))))
#define MIN_U(a, b)		((a) < (b) ? (a) : (b))
#define MAX_U(a, b)		((a) > (b) ? (a) : (b))
#define SEL_NZ(c, x, y)		((c) ? (x) : (y))
#define EXTRACT(x, lsb, len)	(((x) >> (lsb)) & ((1ULL << (len)) - 1))
#define LOAD_BE16(p, off)	((bu16)(((const bu8 *)(p))[off] << 8 | ((const bu8 *)(p))[(off) + 1]))
#define LOAD_BE32(p, off)	((bu32)((bu32)LOAD_BE16(p, off) << 16 | LOAD_BE16(p, (off) + 2)))
#define POPCNT(x)		b_popcnt(x)
#define CLZ(x)			b_clz(x)
#define CTZ(x)			b_popcnt(((x) & -(x)) - 1)
#define SHIFT_ADD(a, b, s, k)	((a) + ((b) << (s)) + (k))
#define MULHU(a, b)		b_mulhu(a, b)
#endif

#define P1	0x9e3779b185ebca87ULL
#define P2	0xc2b2ae3d27d4eb4fULL
#define P4	0x85ebca77c2b2ae63ULL

/* ---- one micro per op: a loop dominated by that op ---- */

BENCH_INLINE bu64 wl_rotate(const bu64 *w, const bu8 *p)
{
	bu64 h = P4;
	int i;

	for (i = 0; i < BENCH_WORDS; i++)
		h = ROTL64(h ^ w[i], 13) + ROTL64(h, 41);
	return h;
}

BENCH_INLINE bu64 wl_select(const bu64 *w, const bu8 *p)
{
	bu64 s = 0, lo = 1ULL << 40, hi = 1ULL << 62;
	int i;

	for (i = 0; i < BENCH_WORDS; i++)
		s += MIN_U(MAX_U(w[i], lo), hi);
	return s;
}

BENCH_INLINE bu64 wl_extract(const bu64 *w, const bu8 *p)
{
	bu64 s = 0;
	int i;

	for (i = 0; i < BENCH_WORDS; i++)
		s += EXTRACT(w[i], 12, 20) ^ EXTRACT(w[i], 37, 9);
	return s;
}

BENCH_INLINE bu64 wl_swap_mem(const bu64 *w, const bu8 *p)
{
	bu64 s = 0;
	int i;

	for (i = 0; i < BENCH_BYTES; i += 8) {
		const bu8 *q = p + i;

		s += LOAD_BE32(q, 0) ^ LOAD_BE32(q, 4);
	}
	return s;
}

BENCH_INLINE bu64 wl_bitcount(const bu64 *w, const bu8 *p)
{
	bu64 s = 0;
	int i;

	for (i = 0; i < BENCH_WORDS; i++)
		s += POPCNT(w[i]) + CLZ(w[i]) + CTZ(w[i]);
	return s;
}

BENCH_INLINE bu64 wl_shift_add(const bu64 *w, const bu8 *p)
{
	bu64 h = 1, g = 2;
	int i;

	for (i = 0; i < BENCH_WORDS; i++) {
		h = SHIFT_ADD(w[i], h, 3, 11);
		g = SHIFT_ADD(g, w[i], 2, 5);
	}
	return h ^ g;
}

BENCH_INLINE bu64 wl_mul_high(const bu64 *w, const bu8 *p)
{
	bu64 h = P1;
	int i;

	for (i = 0; i < BENCH_WORDS; i++)
		h ^= MULHU(w[i] ^ h, P2);
	return h;
}

/* ---- application-shaped programs ---- */

/* Bob Jenkins' lookup3 hash over the input as u32 words (jhash2) */
#define JHASH_MIX(a, b, c) do {					\
	a -= c; a ^= ROTL32(c, 4);  c += b;				\
	b -= a; b ^= ROTL32(a, 6);  a += c;				\
	c -= b; c ^= ROTL32(b, 8);  b += a;				\
	a -= c; a ^= ROTL32(c, 16); c += b;				\
	b -= a; b ^= ROTL32(a, 19); a += c;				\
	c -= b; c ^= ROTL32(b, 4);  b += a;				\
} while (0)

#define JHASH_FINAL(a, b, c) do {					\
	c ^= b; c -= ROTL32(b, 14);					\
	a ^= c; a -= ROTL32(c, 11);					\
	b ^= a; b -= ROTL32(a, 25);					\
	c ^= b; c -= ROTL32(b, 16);					\
	a ^= c; a -= ROTL32(c, 4);					\
	b ^= a; b -= ROTL32(a, 14);					\
	c ^= b; c -= ROTL32(b, 24);					\
} while (0)

BENCH_INLINE bu64 wl_jhash(const bu64 *w, const bu8 *p)
{
	const bu32 *k = (const bu32 *)w;
	bu32 a, b, c;
	int i;

	a = b = c = 0xdeadbeef + (BENCH_BYTES / 4 << 2);
	for (i = 0; i + 3 < BENCH_BYTES / 4; i += 3) {
		a += k[i];
		b += k[i + 1];
		c += k[i + 2];
		JHASH_MIX(a, b, c);
	}
	a += k[i];
	JHASH_FINAL(a, b, c);
	return c;
}

#define SIPROUND(v0, v1, v2, v3) do {					\
	v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32);	\
	v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32);	\
} while (0)

/* SipHash-2-4 of the input with a fixed key */
BENCH_INLINE bu64 wl_siphash(const bu64 *w, const bu8 *p)
{
	bu64 k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
	bu64 v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	bu64 v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	bu64 b = (bu64)BENCH_BYTES << 56;
	int i;

	for (i = 0; i < BENCH_WORDS; i++) {
		v3 ^= w[i];
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= w[i];
	}
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

BENCH_INLINE bu64 xxh_round(bu64 acc, bu64 v)
{
	acc += v * P2;
	acc = ROTL64(acc, 31);
	return acc * P1;
}

/* xxHash64's main loop and avalanche (four lanes, seed 0) */
BENCH_INLINE bu64 wl_xxhash64(const bu64 *w, const bu8 *p)
{
	bu64 v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1, h;
	int i;

	for (i = 0; i < BENCH_WORDS; i += 4) {
		v1 = xxh_round(v1, w[i]);
		v2 = xxh_round(v2, w[i + 1]);
		v3 = xxh_round(v3, w[i + 2]);
		v4 = xxh_round(v4, w[i + 3]);
	}
	h = ROTL64(v1, 1) + ROTL64(v2, 7) + ROTL64(v3, 12) + ROTL64(v4, 18);
	h += BENCH_BYTES;
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	return h ^ (h >> 32);
}

/* MurmurHash3 x86_32 of the input, seed 42 */
BENCH_INLINE bu64 wl_murmur3(const bu64 *w, const bu8 *p)
{
	const bu32 *k = (const bu32 *)w;
	bu32 h = 42, x;
	int i;

	for (i = 0; i < BENCH_BYTES / 4; i++) {
		x = k[i] * 0xcc9e2d51;
		x = ROTL32(x, 15);
		h ^= x * 0x1b873593;
		h = ROTL32(h, 13);
		h = h * 5 + 0xe6546b64;
	}
	h ^= BENCH_BYTES;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	return h ^ (h >> 16);
}

/*
 * Parse 16 64-byte frames: Ethernet, IPv4 or IPv6, TCP or UDP; sum a hash
 * of the network-order fields a flow classifier reads.
 */
BENCH_INLINE bu64 wl_parser(const bu64 *w, const bu8 *p)
{
	bu64 s = 0;
	int f;

	for (f = 0; f < BENCH_BYTES; f += 64) {
		const bu8 *q = p + f;
		bu32 proto, src, dst, ports;

		if (LOAD_BE16(q, 12) == 0x0800) {
			proto = q[23];
			src = LOAD_BE32(q, 26);
			dst = LOAD_BE32(q, 30);
			ports = LOAD_BE32(q, 34);
		} else {
			proto = q[20];
			src = LOAD_BE32(q, 34) ^ LOAD_BE32(q, 38);
			dst = LOAD_BE32(q, 50) ^ LOAD_BE32(q, 54);
			ports = LOAD_BE32(q, 58) ^ LOAD_BE16(q, 62);
		}
		s = s * 31 + (src ^ dst) + ports + (proto == 6 ? 1 : 2);
	}
	return s;
}

/*
 * Load balancer: a flow hash of each 16-byte 5-tuple record, then a
 * Maglev-style pick: offset and skip from two hashes, reduced to the
 * table size with a multiply-high, and the backend of the first probe.
 */
BENCH_INLINE bu64 wl_lb(const bu64 *w, const bu8 *p)
{
	bu64 s = 0, table = 65537;
	int i;

	for (i = 0; i < BENCH_WORDS; i += 2) {
		bu64 h1 = ROTL64(w[i] * P1, 31) ^ w[i + 1];
		bu64 h2 = ROTL64(w[i + 1] * P2, 27) + w[i];
		bu64 off = MULHU(h1 * P1, table);
		bu64 skip = MULHU(h2 * P2, table - 1) + 1;
		bu64 slot = off + skip;

		s += MIN_U(slot, slot - table);	/* (off + skip) mod table */
	}
	return s;
}

/* Bitmap scan: set bits, and the first set bit per 64-bit word */
BENCH_INLINE bu64 wl_bitmap(const bu64 *w, const bu8 *p)
{
	bu64 s = 0, first = 0;
	int i;

	for (i = 0; i < BENCH_WORDS; i++) {
		s += POPCNT(w[i] & w[(i + 1) % BENCH_WORDS]);
		first += SEL_NZ(w[i], CTZ(w[i]), 64);
	}
	return s << 32 | first;
}

/*
 * Token bucket: per event, refill by elapsed time, clamp to the burst,
 * and pass the event if it fits.
 */
BENCH_INLINE bu64 wl_token_bucket(const bu64 *w, const bu8 *p)
{
	bu64 tokens = 1000, passed = 0, burst = 5000, now = 0;
	int i;

	for (i = 0; i < BENCH_WORDS; i++) {
		bu64 cost = EXTRACT(w[i], 0, 10);
		bu64 fits;

		now += EXTRACT(w[i], 20, 6);
		tokens = MIN_U(tokens + now * 3, burst);
		fits = tokens >= cost;
		tokens -= SEL_NZ(fits, cost, 0);
		passed += fits;
	}
	return passed << 32 | tokens;
}

/*
 * An input: random words from @seed, with Ethernet/IP/L4 headers every 64
 * bytes.  bench_fill() is the one the VM and the timings use.
 */
BENCH_INLINE void bench_fill_seed(bu64 *w, bu64 seed)
{
	bu64 x = seed;
	bu8 *p = (bu8 *)w;
	int i;

	for (i = 0; i < BENCH_WORDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
	for (i = 0; i < BENCH_BYTES; i += 64) {
		int v6 = (i / 64) % 3 == 2;

		p[i + 12] = v6 ? 0x86 : 0x08;
		p[i + 13] = v6 ? 0xdd : 0x00;
		p[i + (v6 ? 20 : 23)] = (i / 64) % 2 ? 17 : 6;
	}
}

BENCH_INLINE void bench_fill(bu64 *w)
{
	bench_fill_seed(w, 0x243f6a8885a308d3ULL);
}

/* name, function: every workload, in the order of the report */
#define BENCH_WORKLOADS(X)						\
	X(rotate) X(select) X(extract) X(swap_mem) X(bitcount)		\
	X(shift_add) X(mul_high) X(jhash) X(siphash) X(xxhash64)	\
	X(murmur3) X(parser) X(lb) X(bitmap) X(token_bucket)

#endif
