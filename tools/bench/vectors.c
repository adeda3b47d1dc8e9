// SPDX-License-Identifier: GPL-2.0
/*
 * vectors (host, `make bench-check`): the benchmark's hash functions
 * against their published test vectors, and the packet ring and tables
 * against what they claim to be.  TAP-style output.
 *
 *	vectors SIPHASH_KUNIT_C
 *
 * The SipHash-2-4 vectors (the reference implementation's, 64 lengths)
 * are read from the kernel's lib/siphash_kunit.c, which carries them.
 * The SMHasher verification values hash 256 keys (key i: the bytes
 * 0..i-1, seed 256 - i), then the concatenated digests with seed 0, and
 * take the first 32 bits, little-endian.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "workloads.h"

static int passed, failed;

static void ok(int cond, const char *fmt, unsigned long long got,
	       unsigned long long want)
{
	printf("%s - ", cond ? "ok" : "not ok");
	printf(fmt, got, want);
	printf("\n");
	if (cond)
		passed++;
	else
		failed++;
}

/* a test input, 8-byte aligned as the programs' keys are */
static bu8 *msg(const char *s, bu32 len)
{
	static bu64 buf[128];

	memcpy(buf, s, len);
	return (bu8 *)buf;
}

static const char fs[] = "Four score and seven years ago";

static void test_jhash(void)
{
	bu32 w[3] = { 0x01234567, 0x89abcdef, 0xdeadbeef };

	ok(h_jhash(msg("", 0), 0, 0) == 0xdeadbeef,
	   "jhash(\"\", 0) = %#llx, lookup3 %#llx", h_jhash(msg("", 0), 0, 0),
	   0xdeadbeef);
	ok(h_jhash(msg("", 0), 0, 0xdeadbeef) == 0xbd5b7dde,
	   "jhash(\"\", 0xdeadbeef) = %#llx, lookup3 %#llx",
	   h_jhash(msg("", 0), 0, 0xdeadbeef), 0xbd5b7dde);
	ok(h_jhash(msg(fs, 30), 30, 0) == 0x17770551,
	   "jhash(\"Four score...\", 0) = %#llx, lookup3 %#llx",
	   h_jhash(msg(fs, 30), 30, 0), 0x17770551);
	ok(h_jhash(msg(fs, 30), 30, 1) == 0xcd628161,
	   "jhash(\"Four score...\", 1) = %#llx, lookup3 %#llx",
	   h_jhash(msg(fs, 30), 30, 1), 0xcd628161);
	/* include/linux/jhash.h: jhash2 of n words == jhash of their bytes */
	{
		bu32 k[12], n, bad = 0;

		for (n = 0; n < 12; n++)
			k[n] = n * 0x9e3779b9;
		for (n = 0; n <= 12; n++)
			bad += h_jhash2(k, n, 13) != h_jhash(msg((char *)k, 4 * n), 4 * n, 13);
		ok(!bad, "jhash2 differs from jhash on the same bytes for %llu of %llu lengths",
		   bad, 13);
	}
	/* jhash_3words(a, b, c) == jhash of them */
	ok(h_jhash_3words(w[0], w[1], w[2], 7) ==
	   h_jhash(msg((char *)w, 12), 12, 7),
	   "jhash_3words = %#llx, jhash of the 12 bytes %#llx",
	   h_jhash_3words(w[0], w[1], w[2], 7),
	   h_jhash(msg((char *)w, 12), 12, 7));
}

/* the 64 reference vectors, as lib/siphash_kunit.c carries them */
static void test_siphash(const char *kunit)
{
	bu64 want[64];
	char line[512], *p, *e;
	int n = 0, in = 0, i;
	bu8 m[64];
	FILE *f = fopen(kunit, "r");

	if (!f) {
		perror(kunit);
		failed++;
		return;
	}
	while (fgets(line, sizeof(line), f) && n < 64) {
		if (strstr(line, "test_vectors_siphash[64]"))
			in = 1;
		else if (in && strchr(line, '}'))
			break;
		else if (in)
			for (p = line; (p = strstr(p, "0x")); p = e)
				want[n++] = strtoull(p, &e, 16);
	}
	fclose(f);
	ok(n == 64, "%llu SipHash vectors read from siphash_kunit.c, want %llu",
	   n, 64);
	for (i = 0; i < 64; i++)
		m[i] = i;
	for (i = 0; i < n; i++) {
		bu64 h = h_siphash(msg((char *)m, i), i, SIP_K0, SIP_K1);

		if (h != want[i] || i == n - 1)
			ok(h == want[i], "siphash-2-4 of the first bytes: %#llx, reference %#llx",
			   h, want[i]);
		if (h != want[i])
			break;
	}
}

#define VERIFY(name, bytes, hash_stmt)					\
static bu32 verify_##name(void)						\
{									\
	static bu8 digests[256 * (bytes)];				\
	bu8 key[256];							\
	bu64 out[2];							\
	int i;								\
									\
	for (i = 0; i < 256; i++) {					\
		const bu8 *k;						\
		bu32 len = i, seed = 256 - i;				\
									\
		key[i] = i;						\
		k = msg((char *)key, len);				\
		hash_stmt;						\
		memcpy(digests + i * (bytes), out, bytes);		\
	}								\
	{								\
		static bu64 big[256 * (bytes) / 8];			\
		const bu8 *k = (const bu8 *)big;			\
		bu32 len = 256 * (bytes), seed = 0;			\
									\
		memcpy(big, digests, sizeof(big));			\
		hash_stmt;						\
	}								\
	return (bu32)out[0];						\
}

VERIFY(xxh64, 8, out[0] = h_xxh64(k, len, seed))
VERIFY(murmur3_32, 4, out[0] = h_murmur3_32(k, len, seed))
VERIFY(murmur3_128, 16, h_murmur3_128(k, len, seed, out))

static void test_xxh64(void)
{
	static const char nobody[] = "Nobody inspects the spammish repetition";

	ok(h_xxh64(msg("", 0), 0, 0) == 0xef46db3751d8e999ULL,
	   "xxh64(\"\") = %#llx, reference %#llx", h_xxh64(msg("", 0), 0, 0),
	   0xef46db3751d8e999ULL);
	ok(h_xxh64(msg("abc", 3), 3, 0) == 0x44bc2cf5ad770999ULL,
	   "xxh64(\"abc\") = %#llx, reference %#llx",
	   h_xxh64(msg("abc", 3), 3, 0), 0x44bc2cf5ad770999ULL);
	ok(h_xxh64(msg(nobody, 39), 39, 0) == 0xfbcea83c8a378bf1ULL,
	   "xxh64(\"Nobody inspects...\") = %#llx, reference %#llx",
	   h_xxh64(msg(nobody, 39), 39, 0), 0xfbcea83c8a378bf1ULL);
	ok(verify_xxh64() == 0x024b7cf4,
	   "xxh64 SMHasher verification %#llx, published %#llx",
	   verify_xxh64(), 0x024b7cf4);
}

static void test_murmur3(void)
{
	static const struct {
		const char *m;
		bu32 len, seed, want;
	} v[] = {
		{ "", 0, 0, 0 },
		{ "", 0, 1, 0x514e28b7 },
		{ "", 0, 0xffffffff, 0x81f16f39 },
		{ "\x21\x43\x65\x87", 4, 0, 0xf55b516b },
		{ "\x21\x43\x65\x87", 4, 0x5082edee, 0x2362f9de },
		{ "\x21\x43\x65", 3, 0, 0x7e4a8634 },
		{ "\x21\x43", 2, 0, 0xa0f7b07a },
		{ "\x21", 1, 0, 0x72661cf4 },
		{ "\0\0\0\0", 4, 0, 0x2362f9de },
		{ "Hello, world!", 13, 0x9747b28c, 0x24884cba },
		{ "The quick brown fox jumps over the lazy dog", 43,
		  0x9747b28c, 0x2fa826cd },
	};
	bu64 h[2];
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		bu32 got = h_murmur3_32(msg(v[i].m, v[i].len), v[i].len,
					v[i].seed);

		ok(got == v[i].want, "murmur3_x86_32 = %#llx, published %#llx",
		   got, v[i].want);
	}
	ok(verify_murmur3_32() == 0xb0f57ee3,
	   "murmur3_x86_32 SMHasher verification %#llx, published %#llx",
	   verify_murmur3_32(), 0xb0f57ee3);

	/* mmh3.hash64("foo") and hash64("foo", 42): (low, high) halves */
	h_murmur3_128(msg("foo", 3), 3, 0, h);
	ok(h[0] == 16316970633193145697ULL && h[1] == 9128664383759220103ULL,
	   "murmur3_x64_128(\"foo\") low %#llx, published %#llx", h[0],
	   16316970633193145697ULL);
	ok(verify_murmur3_128() == 0x6384ba69,
	   "murmur3_x64_128 SMHasher verification %#llx, published %#llx",
	   verify_murmur3_128(), 0x6384ba69);
}

/* the ring has every kind of packet it claims, all parse as generated */
static void test_ring(void)
{
	static struct bench_pkt ring[PKT_RING];
	int i, kind[6] = { 0 }, bad = 0;
	struct flow f;

	bench_ring_fill(ring, BENCH_RING_SEED);
	for (i = 0; i < PKT_RING; i++) {
		const bu8 *d = ring[i].data, *end = d + ring[i].len;
		int r = parse(d, end, &f);

		if (r < 0 || ring[i].len > PKT_SLOT || ring[i].len < 42)
			bad++;
		else if (r)
			kind[0]++;
		else
			kind[1 + f.v6]++;
		kind[3] += !r && f.later_frag;
		kind[4] += LD16(d + 12) == 0x0081 || LD16(d + 12) == 0xa888;
		kind[5] += !r && !f.v6 && (d[14 + 4 * (LD16(d + 12) != 8)] & 0xf) > 5;
		/* truncating the IP header must be caught */
		if (!r && parse(d, d + 14 + 19, &f) != -1)
			bad++;
	}
	ok(!bad, "%llu packets of the ring malformed or missed a truncation, want %llu",
	   bad, 0);
	ok(kind[0] && kind[1] && kind[2] && kind[3] && kind[4] && kind[5],
	   "ring: %llu non-IP packets (and IPv4, IPv6, fragments, VLAN, IP options all present: %llu)",
	   kind[0], kind[0] && kind[1] && kind[2] && kind[3] && kind[4] && kind[5]);
}

/* Maglev: every slot taken, each backend M/N slots, give or take one */
static void test_maglev(void)
{
	static bu32 lut[MAGLEV_M];
	int n[NR_BACKENDS] = { 0 }, i, lo = MAGLEV_M, hi = 0;

	bench_fill_maglev(lut);
	for (i = 0; i < MAGLEV_M; i++)
		if (lut[i] < NR_BACKENDS)
			n[lut[i]]++;
	for (i = 0; i < NR_BACKENDS; i++) {
		lo = n[i] < lo ? n[i] : lo;
		hi = n[i] > hi ? n[i] : hi;
	}
	ok(hi - lo <= 1, "maglev: backends own %llu to %llu slots", lo, hi);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: vectors SIPHASH_KUNIT_C\n");
		return 2;
	}
	test_jhash();
	test_siphash(argv[1]);
	test_xxh64();
	test_murmur3();
	test_ring();
	test_maglev();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
