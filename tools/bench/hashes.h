/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The hash functions of the benchmark programs, written from their
 * published definitions: the kernel's jhash (Bob Jenkins' lookup3
 * hashlittle), jhash2 and jhash_3words, SipHash-2-4, XXH64, MurmurHash3_x86_32
 * and MurmurHash3_x64_128.  Little-endian word reads, any length, so
 * `make bench-check` can test them against the published vectors;
 * the BPF programs call them with constant key lengths (13 bytes for an
 * IPv4 5-tuple, 37 for IPv6), where every length test folds away.
 *
 * workloads.h defines the idiom macros (ROTL32, ROTL64, LD32, LD64) for
 * the variant being built before including this.
 */
#ifndef BENCH_HASHES_H
#define BENCH_HASHES_H

/* jhash (include/linux/jhash.h): lookup3's mix and final */
#define JHASH_INITVAL	0xdeadbeef

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

BENCH_INLINE bu32 h_jhash(const bu8 *k, bu32 len, bu32 initval)
{
	bu32 a, b, c;

	a = b = c = JHASH_INITVAL + len + initval;
	while (len > 12) {
		a += LD32(k);
		b += LD32(k + 4);
		c += LD32(k + 8);
		JHASH_MIX(a, b, c);
		len -= 12;
		k += 12;
	}
	if (!len)
		return c;
	/* the tail, little-endian, as lookup3's byte-wise switch */
	switch (len) {
	case 12: c += (bu32)k[11] << 24;	/* fall through */
	case 11: c += (bu32)k[10] << 16;	/* fall through */
	case 10: c += (bu32)k[9] << 8;		/* fall through */
	case 9:  c += k[8];			/* fall through */
	case 8:  b += (bu32)k[7] << 24;		/* fall through */
	case 7:  b += (bu32)k[6] << 16;		/* fall through */
	case 6:  b += (bu32)k[5] << 8;		/* fall through */
	case 5:  b += k[4];			/* fall through */
	case 4:  a += (bu32)k[3] << 24;		/* fall through */
	case 3:  a += (bu32)k[2] << 16;		/* fall through */
	case 2:  a += (bu32)k[1] << 8;		/* fall through */
	case 1:  a += k[0];
	}
	JHASH_FINAL(a, b, c);
	return c;
}

/* jhash2: the same over @n u32 words */
BENCH_INLINE bu32 h_jhash2(const bu32 *k, bu32 n, bu32 initval)
{
	bu32 a, b, c;

	a = b = c = JHASH_INITVAL + (n << 2) + initval;
	while (n > 3) {
		a += k[0];
		b += k[1];
		c += k[2];
		JHASH_MIX(a, b, c);
		n -= 3;
		k += 3;
	}
	if (!n)
		return c;
	switch (n) {
	case 3: c += k[2];	/* fall through */
	case 2: b += k[1];	/* fall through */
	case 1: a += k[0];
	}
	JHASH_FINAL(a, b, c);
	return c;
}

BENCH_INLINE bu32 h_jhash_3words(bu32 a, bu32 b, bu32 c, bu32 initval)
{
	initval += JHASH_INITVAL + (3 << 2);
	a += initval;
	b += initval;
	c += initval;
	JHASH_FINAL(a, b, c);
	return c;
}

/* SipHash-2-4 with a 128-bit key */
#define SIPROUND(v0, v1, v2, v3) do {					\
	v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32);	\
	v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32);	\
} while (0)

/* up to 7 bytes, little-endian */
BENCH_INLINE bu64 h_tail64(const bu8 *p, bu32 n)
{
	bu64 t = 0;

	switch (n) {
	case 7: t |= (bu64)p[6] << 48;	/* fall through */
	case 6: t |= (bu64)p[5] << 40;	/* fall through */
	case 5: t |= (bu64)p[4] << 32;	/* fall through */
	case 4: t |= (bu64)p[3] << 24;	/* fall through */
	case 3: t |= (bu64)p[2] << 16;	/* fall through */
	case 2: t |= (bu64)p[1] << 8;	/* fall through */
	case 1: t |= p[0];
	}
	return t;
}

BENCH_INLINE bu64 h_siphash(const bu8 *m, bu32 len, bu64 k0, bu64 k1)
{
	bu64 v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	bu64 v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	bu64 b = (bu64)len << 56, w;
	bu32 i;

	for (i = 0; i + 8 <= len; i += 8) {
		w = LD64(m + i);
		v3 ^= w;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= w;
	}
	b |= h_tail64(m + i, len - i);
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

/* XXH64 */
#define XXP1	0x9e3779b185ebca87ULL
#define XXP2	0xc2b2ae3d27d4eb4fULL
#define XXP3	0x165667b19e3779f9ULL
#define XXP4	0x85ebca77c2b2ae63ULL
#define XXP5	0x27d4eb2f165667c5ULL

BENCH_INLINE bu64 xxh64_round(bu64 acc, bu64 v)
{
	acc += v * XXP2;
	acc = ROTL64(acc, 31);
	return acc * XXP1;
}

BENCH_INLINE bu64 xxh64_merge(bu64 h, bu64 v)
{
	h ^= xxh64_round(0, v);
	return h * XXP1 + XXP4;
}

BENCH_INLINE bu64 h_xxh64(const bu8 *p, bu32 len, bu64 seed)
{
	bu64 h, v1, v2, v3, v4;
	bu32 i = 0;

	if (len >= 32) {
		v1 = seed + XXP1 + XXP2;
		v2 = seed + XXP2;
		v3 = seed;
		v4 = seed - XXP1;
		for (; i + 32 <= len; i += 32) {
			v1 = xxh64_round(v1, LD64(p + i));
			v2 = xxh64_round(v2, LD64(p + i + 8));
			v3 = xxh64_round(v3, LD64(p + i + 16));
			v4 = xxh64_round(v4, LD64(p + i + 24));
		}
		h = ROTL64(v1, 1) + ROTL64(v2, 7) + ROTL64(v3, 12) +
		    ROTL64(v4, 18);
		h = xxh64_merge(h, v1);
		h = xxh64_merge(h, v2);
		h = xxh64_merge(h, v3);
		h = xxh64_merge(h, v4);
	} else {
		h = seed + XXP5;
	}
	h += len;
	for (; i + 8 <= len; i += 8) {
		h ^= xxh64_round(0, LD64(p + i));
		h = ROTL64(h, 27) * XXP1 + XXP4;
	}
	if (i + 4 <= len) {
		h ^= (bu64)LD32(p + i) * XXP1;
		h = ROTL64(h, 23) * XXP2 + XXP3;
		i += 4;
	}
	for (; i < len; i++) {
		h ^= p[i] * XXP5;
		h = ROTL64(h, 11) * XXP1;
	}
	h ^= h >> 33;
	h *= XXP2;
	h ^= h >> 29;
	h *= XXP3;
	return h ^ (h >> 32);
}

/* MurmurHash3_x86_32 */
BENCH_INLINE bu32 mm3_fmix32(bu32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	return h ^ (h >> 16);
}

BENCH_INLINE bu32 mm3_k32(bu32 k)
{
	k *= 0xcc9e2d51;
	k = ROTL32(k, 15);
	return k * 0x1b873593;
}

BENCH_INLINE bu32 h_murmur3_32(const bu8 *p, bu32 len, bu32 seed)
{
	bu32 h = seed, i;

	for (i = 0; i + 4 <= len; i += 4) {
		h ^= mm3_k32(LD32(p + i));
		h = ROTL32(h, 13);
		h = h * 5 + 0xe6546b64;
	}
	if (len & 3)
		h ^= mm3_k32((bu32)h_tail64(p + i, len & 3));
	return mm3_fmix32(h ^ len);
}

/* MurmurHash3_x64_128: h[0] and h[1] are the low and high halves */
#define MM3_C1	0x87c37b91114253d5ULL
#define MM3_C2	0x4cf5ad432745937fULL

BENCH_INLINE bu64 mm3_fmix64(bu64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	return k ^ (k >> 33);
}

BENCH_INLINE bu64 mm3_k1(bu64 k)
{
	k *= MM3_C1;
	k = ROTL64(k, 31);
	return k * MM3_C2;
}

BENCH_INLINE bu64 mm3_k2(bu64 k)
{
	k *= MM3_C2;
	k = ROTL64(k, 33);
	return k * MM3_C1;
}

BENCH_INLINE void h_murmur3_128(const bu8 *p, bu32 len, bu32 seed, bu64 *out)
{
	bu64 h1 = seed, h2 = seed;
	bu32 i, n;

	for (i = 0; i + 16 <= len; i += 16) {
		h1 ^= mm3_k1(LD64(p + i));
		h1 = ROTL64(h1, 27);
		h1 += h2;
		h1 = h1 * 5 + 0x52dce729;
		h2 ^= mm3_k2(LD64(p + i + 8));
		h2 = ROTL64(h2, 31);
		h2 += h1;
		h2 = h2 * 5 + 0x38495ab5;
	}
	n = len - i;
	if (n > 8)
		h2 ^= mm3_k2(h_tail64(p + i + 8, n - 8));
	if (n >= 8)
		h1 ^= mm3_k1(LD64(p + i));
	else if (n)
		h1 ^= mm3_k1(h_tail64(p + i, n));
	h1 ^= len;
	h2 ^= len;
	h1 += h2;
	h2 += h1;
	h1 = mm3_fmix64(h1);
	h2 = mm3_fmix64(h2);
	h1 += h2;
	h2 += h1;
	out[0] = h1;
	out[1] = h2;
}

#endif
