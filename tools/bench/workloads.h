/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The benchmark workloads, one C source for every variant:
 *
 *   default		the C a BPF programmer writes today for -mcpu=v4: bpf_ntohs/
 *			bpf_ntohl on a field (a load and a v4 bswap), clang's
 *			__builtin_popcountll/clzll/ctzll, ternaries, shifts;
 *			the stock JIT gets it, eins-opt rewrites it, and it is
 *			compiled natively for the "native C" columns
 *   BENCH_EINS		the eins.h builtin at each idiom site
 *   BENCH_NATIVE	native C: the high multiply as unsigned __int128
 *
 * Two kinds of workload:
 *   micro (wl_*)	one per op, a loop over a 1 KiB input dominated by it;
 *			returns a u64
 *   per packet (pk_*)	production-shaped XDP programs, run on a ring of
 *			generated packets (packets.h): the parser, a Maglev
 *			load balancer, a per-flow token bucket, a bit-vector
 *			classifier, and flow hashing with jhash, SipHash-2-4,
 *			XXH64, MurmurHash3 x86_32 and x64_128 (hashes.h);
 *			return an XDP action and may write the packet
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

/*
 * Plain little-endian loads and stores of packet and key bytes; keys and
 * addresses stay in network order.  may_alias: the key is written as
 * words and read as bytes and words of other sizes.
 */
typedef bu16 __attribute__((may_alias)) bu16a;
typedef bu32 __attribute__((may_alias)) bu32a;
typedef bu64 __attribute__((may_alias)) bu64a;
#define LD16(p)		(*(const bu16a *)(p))
#define LD32(p)		(*(const bu32a *)(p))
#define LD64(p)		(*(const bu64a *)(p))

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
#define CTZ_NZ(x)		eins_ctz64(x)
#define SHIFT_ADD(a, b, s, k)	eins_shift_add64(a, b, s, k)
#define MULHU(a, b)		eins_mulhu64(a, b)
#else
#ifdef BENCH_NATIVE
#define MULHU(a, b)	((bu64)(((unsigned __int128)(a) * (b)) >> 64))
#else
/* BPF has no 64x64->128 multiply: the 32-bit halves, as hand-written */
BENCH_INLINE bu64 b_mulhu(bu64 a, bu64 b)
{
	bu64 al = (bu32)a, ah = a >> 32, bl = (bu32)b, bh = b >> 32;
	bu64 p0 = al * bl, p1 = al * bh, p2 = ah * bl, p3 = ah * bh;
	bu64 mid = (p0 >> 32) + (bu32)p1 + (bu32)p2;

	return p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
}
#define MULHU(a, b)		b_mulhu(a, b)
#endif
#define ROTL64(x, n)		((bu64)(x) << (n) | (bu64)(x) >> (64 - (n)))
#define ROTL32(x, n)		((bu32)((bu32)(x) << (n) | (bu32)(x) >> (32 - (n))))
#define MIN_U(a, b)		((a) < (b) ? (a) : (b))
#define MAX_U(a, b)		((a) > (b) ? (a) : (b))
#define SEL_NZ(c, x, y)		((c) ? (x) : (y))
#define EXTRACT(x, lsb, len)	(((x) >> (lsb)) & ((1ULL << (len)) - 1))
/* bpf_ntohs(hdr->field), bpf_ntohl(hdr->field) */
#define LOAD_BE16(p, off)	__builtin_bswap16(LD16((const bu8 *)(p) + (off)))
#define LOAD_BE32(p, off)	__builtin_bswap32(LD32((const bu8 *)(p) + (off)))
#define POPCNT(x)		__builtin_popcountll(x)
#define CLZ(x)			((x) ? __builtin_clzll(x) : 64)
#define CTZ(x)			((x) ? __builtin_ctzll(x) : 64)
#define CTZ_NZ(x)		__builtin_ctzll(x)	/* x known non-zero */
#define SHIFT_ADD(a, b, s, k)	((a) + ((b) << (s)) + (k))
#endif

/*
 * the tables: BPF array maps (also when tools/np compiles this source into
 * a kernel module for the whole-program mode), or plain arrays in the
 * native builds
 */
#if defined(__bpf__) || defined(KOPS_NATIVE_PROG)
#define BENCH_MAP(name, vtype, n)					\
struct {								\
	__uint(type, BPF_MAP_TYPE_ARRAY);				\
	__uint(max_entries, n);						\
	__type(key, bu32);						\
	__type(value, vtype);						\
} name SEC(".maps")
#define BENCH_LOOKUP(name, idx)						\
	({ bu32 __k = (idx); bpf_map_lookup_elem(&name, &__k); })
#else
#define BENCH_MAP(name, vtype, n)	static vtype name[n]
#define BENCH_LOOKUP(name, idx)						\
	({ bu32 __k = (idx);						\
	   __k < sizeof(name) / sizeof(name[0]) ? (void *)&name[__k] : (void *)0; })
#endif

/*
 * Keep a checked packet pointer in its register: clang may otherwise
 * recompute data + off after the bounds check, into a register the
 * verifier knows no range for (Cilium's relax_verifier() does the same).
 */
#ifdef __bpf__
#define VERIFIER_KEEP(p)	asm volatile("" : "+r"(p))
#else
#define VERIFIER_KEEP(p)	do { } while (0)
#endif

#include "hashes.h"
#include "packets.h"

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

	/* not a ^ b: clang folds bswap(a) ^ bswap(b) into one bswap */
	for (i = 0; i < BENCH_BYTES; i += 8) {
		const bu8 *q = p + i;

		s += LOAD_BE32(q, 0) * 3 + LOAD_BE32(q, 4);
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

/* ---- per-packet programs ---- */

enum { BENCH_DROP = 1, BENCH_PASS = 2, BENCH_TX = 3 };	/* XDP_* */

struct flow {
	bu32 src[4], dst[4];	/* network order */
	bu16 sport, dport;	/* network order */
	bu16 len;		/* IP datagram length */
	bu16 l4;		/* where the L4 header starts */
	bu8 proto, v6, later_frag;
};

/* L4 ports at @off, unless a later fragment; 0, or -1 if truncated */
BENCH_INLINE int parse_l4(const bu8 *data, bu64 off, const bu8 *end,
			  struct flow *f)
{
	const bu8 *l4 = data + off;

	f->sport = 0;
	f->dport = 0;
	f->l4 = off;
	if (f->later_frag || (f->proto != 6 && f->proto != 17))
		return 0;
	if (l4 + 4 > end)
		return -1;
	VERIFIER_KEEP(l4);
	f->sport = LD16(l4);
	f->dport = LD16(l4 + 2);
	return 0;
}

BENCH_INLINE int parse_v4(const bu8 *data, bu64 off, const bu8 *end,
			  struct flow *f)
{
	const bu8 *ip = data + off;
	bu32 ihl;

	if (ip + 20 > end || ip[0] >> 4 != 4)
		return -1;
	ihl = ip[0] & 0xf;				/* iph->ihl */
	if (ihl < 5)
		return -1;
	/* frag_off & htons(IP_OFFSET): no swap needed */
	f->later_frag = (LD16(ip + 6) & __builtin_bswap16(0x1fff)) != 0;
	f->proto = ip[9];
	f->len = LOAD_BE16(ip, 2);			/* ntohs(tot_len) */
	f->src[0] = LD32(ip + 12);
	f->dst[0] = LD32(ip + 16);
	f->src[1] = f->src[2] = f->src[3] = 0;
	f->dst[1] = f->dst[2] = f->dst[3] = 0;
	f->v6 = 0;
	return parse_l4(data, SHIFT_ADD(off, ihl, 2, 0), end, f);
}

#define IPV6_EXT_MAX	4

BENCH_INLINE int parse_v6(const bu8 *data, bu64 off, const bu8 *end,
			  struct flow *f)
{
	const bu8 *ip = data + off;
	bu32 nh, i;

	if (ip + 40 > end || ip[0] >> 4 != 6)
		return -1;
	nh = ip[6];
	f->len = LOAD_BE16(ip, 4) + 40;		/* ntohs(payload_len) */
	for (i = 0; i < 4; i++) {
		f->src[i] = LD32(ip + 8 + 4 * i);
		f->dst[i] = LD32(ip + 24 + 4 * i);
	}
	f->v6 = 1;
	f->later_frag = 0;
	off += 40;
	/* extension headers: hop-by-hop, routing, dest options, fragment */
	for (i = 0; i < IPV6_EXT_MAX; i++) {
		const bu8 *x = data + off;

		if (nh == 44) {
			if (x + 8 > end)
				return -1;
			f->later_frag = (LD16(x + 2) & __builtin_bswap16(0xfff8)) != 0;
			nh = x[0];
			off += 8;
		} else if (nh == 0 || nh == 43 || nh == 60) {
			if (x + 2 > end)
				return -1;
			nh = x[0];
			off = SHIFT_ADD(off, x[1], 3, 8);	/* (hdrlen + 1) * 8 */
		} else {
			break;
		}
	}
	f->proto = nh;
	return parse_l4(data, off, end, f);
}

/* 0: an IP flow in @f; 1: not IP; -1: malformed */
BENCH_INLINE int parse(const bu8 *data, const bu8 *end, struct flow *f)
{
	bu32 eth, i;
	bu64 off = 14;

	if (data + 14 > end)
		return -1;
	/*
	 * bpf_ntohs(h_proto) in every build: it is only compared with
	 * constants, so clang swaps those and loads plainly (eins.h)
	 */
	eth = __builtin_bswap16(LD16(data + 12));
	for (i = 0; i < 2; i++) {			/* 802.1ad, 802.1Q */
		if (eth != 0x88a8 && eth != 0x8100)
			break;
		if (data + off + 4 > end)
			return -1;
		eth = __builtin_bswap16(LD16(data + off + 2));
		off += 4;
	}
	if (eth == 0x0800)
		return parse_v4(data, off, end, f);
	if (eth == 0x86dd)
		return parse_v6(data, off, end, f);
	return 1;
}

/*
 * The flow's 5-tuple as a hash key: 13 bytes for IPv4, 37 for IPv6,
 * zeros up to 40 (addresses, ports, protocol, in network order), put
 * together in registers and stored as the five aligned words the hashes
 * read, as a BPF author who knows the cost of narrow stores read back as
 * wider loads (a failed store-to-load forward) writes it.
 */
#define KEY_V4	13
#define KEY_V6	37
#define KEY_WORDS	5

BENCH_INLINE bu32 flow_key(const struct flow *f, bu8 *key)
{
	bu64a *w = (bu64a *)key;
	bu64 ports = f->sport | (bu64)f->dport << 16 | (bu64)f->proto << 32;

	if (!f->v6) {
		w[0] = f->src[0] | (bu64)f->dst[0] << 32;
		w[1] = ports;
		w[2] = w[3] = w[4] = 0;
		return KEY_V4;
	}
	w[0] = f->src[0] | (bu64)f->src[1] << 32;
	w[1] = f->src[2] | (bu64)f->src[3] << 32;
	w[2] = f->dst[0] | (bu64)f->dst[1] << 32;
	w[3] = f->dst[2] | (bu64)f->dst[3] << 32;
	w[4] = ports;
	return KEY_V6;
}

BENCH_MAP(stats, bu64, 8);

BENCH_INLINE void count(bu32 what)
{
	bu64 *c = BENCH_LOOKUP(stats, what);

	if (c)
		*c += 1;
}

/*
 * The parser on its own, as a filter: drop malformed packets, telnet and
 * X11 (ports 23, 6000-6063); pass the rest; count per protocol.
 */
BENCH_INLINE bu32 pk_parse(const bu8 *data, const bu8 *end)
{
	struct flow f;
	int r = parse(data, end, &f);
	bu32 dport;

	if (r)
		return r < 0 ? BENCH_DROP : BENCH_PASS;
	count(f.v6 * 4 + cls_proto_class(f.proto));
	dport = __builtin_bswap16(f.dport);
	if (dport == 23 || (dport >= 6000 && dport < 6064))
		return BENCH_DROP;
	return BENCH_PASS;
}

BENCH_MAP(maglev, bu32, MAGLEV_M);
BENCH_MAP(backends, struct backend, NR_BACKENDS + 1);

/*
 * L2 load balancer: the flow's jhash (jhash_3words over the addresses
 * and ports for IPv4, jhash2 over the addresses and ports for IPv6, the
 * protocol as the seed, as Cilium does) picks a Maglev table slot,
 * hash % M as Cilium does; the backend's MAC goes into the Ethernet
 * destination and the packet goes back out.
 */
BENCH_INLINE bu32 pk_lb(bu8 *data, const bu8 *end)
{
	bu32 words[9], h, *id, i;
	struct backend *be;
	struct flow f;

	if (parse(data, end, &f))
		return BENCH_PASS;
	if (!f.v6) {
		h = h_jhash_3words(f.src[0], f.dst[0],
				   (bu32)f.sport << 16 | f.dport, f.proto);
	} else {
		for (i = 0; i < 4; i++) {
			words[i] = f.src[i];
			words[4 + i] = f.dst[i];
		}
		words[8] = (bu32)f.sport << 16 | f.dport;
		h = h_jhash2(words, 9, f.proto);
	}
	id = BENCH_LOOKUP(maglev, h % MAGLEV_M);
	if (!id)
		return BENCH_DROP;
	be = BENCH_LOOKUP(backends, *id);
	if (!be)
		return BENCH_DROP;
	*(bu32a *)data = LD32(be->mac);
	*(bu16a *)(data + 4) = LD16(be->mac + 4);
	return BENCH_TX;
}

#define TB_BUCKETS	4096
#define TB_RATE_Q64	0x019999999999999aULL	/* 6.25e-3 bytes/ns: 50 Mbit/s */
#define TB_BURST	3000			/* bytes */
#define TB_TICK		200			/* ns between packets */

struct bucket {
	bu64 tokens;	/* bytes */
	bu64 last;	/* ns */
};

BENCH_MAP(buckets, struct bucket, TB_BUCKETS);
BENCH_MAP(tb_clock, bu64, 1);

/*
 * Per-flow token bucket: the flow's XXH64 picks its bucket; refill by
 * the elapsed time times the rate (a 64.64 fixed-point multiply, the
 * high half), clamp to the burst, pass the packet if its length fits.
 * The time is a virtual clock in a map advanced per packet: a jited
 * image run on the host cannot call bpf_ktime_get_ns().
 */
BENCH_INLINE bu32 pk_ratelimit(const bu8 *data, const bu8 *end)
{
	bu8 key[KEY_WORDS * 8] __attribute__((aligned(8)));
	struct bucket *b;
	bu64 now, tokens, fits, *clk;
	struct flow f;
	bu32 n;

	if (parse(data, end, &f))
		return BENCH_PASS;
	clk = BENCH_LOOKUP(tb_clock, 0);
	if (!clk)
		return BENCH_PASS;
	now = *clk + TB_TICK;
	*clk = now;
	n = flow_key(&f, key);
	b = BENCH_LOOKUP(buckets, (n == KEY_V4 ? h_xxh64(key, KEY_V4, 0) :
				   h_xxh64(key, KEY_V6, 0)) % TB_BUCKETS);
	if (!b)
		return BENCH_PASS;
	tokens = MIN_U(b->tokens + MULHU(now - b->last, TB_RATE_Q64),
		       (bu64)TB_BURST);
	b->last = now;
	fits = tokens >= f.len;
	b->tokens = tokens - SEL_NZ(fits, (bu64)f.len, 0);
	return SEL_NZ(fits, BENCH_PASS, BENCH_DROP);
}

BENCH_MAP(cls_bits, bu64, CLS_FIELDS * 256);
BENCH_MAP(cls_rules, struct cls_rule, CLS_RULES);

BENCH_INLINE bu64 cls_field(bu32 idx)
{
	bu64 *m = BENCH_LOOKUP(cls_bits, idx);

	return m ? *m : 0;
}

/*
 * Bit-vector classifier (packets.h): AND the four fields' rule bitmaps;
 * the lowest set bit is the first matching rule, whose action applies;
 * the rule's hit counter counts how many rules matched.
 */
BENCH_INLINE bu32 pk_classify(const bu8 *data, const bu8 *end)
{
	struct cls_rule *rule;
	struct flow f;
	bu64 m;
	bu32 dport;

	if (parse(data, end, &f))
		return BENCH_PASS;
	dport = __builtin_bswap16(f.dport);
	m = cls_field(f.src[0] & 0xff) &
	    cls_field(256 + EXTRACT(f.src[0], 8, 8)) &
	    cls_field(512 + EXTRACT(dport, 8, 8)) &
	    cls_field(768 + cls_proto_class(f.proto));
	if (!m)
		return BENCH_PASS;
	rule = BENCH_LOOKUP(cls_rules, CTZ_NZ(m));
	if (!rule)
		return BENCH_PASS;
	rule->hits += POPCNT(m);
	return rule->action;
}

/*
 * Flow hashing: the 5-tuple key's hash (13 or 37 bytes), written over
 * the Ethernet destination as a steering tag.  One per hash function.
 */
#define SIP_K0	0x0706050403020100ULL
#define SIP_K1	0x0f0e0d0c0b0a0908ULL

BENCH_INLINE bu64 hash_jhash(const bu8 *k, bu32 n)
{
	return h_jhash(k, n, 0x5eed);
}

BENCH_INLINE bu64 hash_siphash(const bu8 *k, bu32 n)
{
	return h_siphash(k, n, SIP_K0, SIP_K1);
}

BENCH_INLINE bu64 hash_xxh64(const bu8 *k, bu32 n)
{
	return h_xxh64(k, n, 0x5eed);
}

BENCH_INLINE bu64 hash_murmur3_32(const bu8 *k, bu32 n)
{
	return h_murmur3_32(k, n, 0x5eed);
}

BENCH_INLINE bu64 hash_murmur3_128(const bu8 *k, bu32 n)
{
	bu64 h[2];

	h_murmur3_128(k, n, 0x5eed, h);
	return h[0] ^ h[1];
}

#define PK_HASH(name)							\
BENCH_INLINE bu32 pk_##name(bu8 *data, const bu8 *end)			\
{									\
	bu8 key[KEY_WORDS * 8] __attribute__((aligned(8)));		\
	struct flow f;							\
	bu64 h;								\
									\
	if (parse(data, end, &f))					\
		return BENCH_PASS;					\
	h = flow_key(&f, key) == KEY_V4 ? hash_##name(key, KEY_V4) :	\
					  hash_##name(key, KEY_V6);	\
	*(bu64a *)data = h;						\
	return BENCH_TX;						\
}
PK_HASH(jhash)
PK_HASH(siphash)
PK_HASH(xxh64)
PK_HASH(murmur3_32)
PK_HASH(murmur3_128)

/* ---- per-packet programs that loop over the payload ---- */

/*
 * A loop a BPF program may run for a length it reads from the packet:
 * bpf_for() (an open-coded iterator, the bpf_iter_num kfuncs), as a BPF
 * author writes it since 6.4; a plain loop in the native builds.
 */
#if defined(__bpf__) || defined(KOPS_NATIVE_PROG)
#define FOR_RANGE(i, start, end)	bpf_for(i, start, end)
#else
#define FOR_RANGE(i, start, end)	for ((i) = (start); (i) < (end); (i)++)
#endif

#define PKT_MTU		1500

/* the L4 segment's length, at most PKT_MTU; 0 if not TCP or UDP */
BENCH_INLINE bu32 l4_segment(const bu8 *data, const bu8 *end,
			     struct flow *f)
{
	bu64 len;

	if (parse(data, end, f) || f->later_frag ||
	    (f->proto != 6 && f->proto != 17))
		return 0;
	len = end - (data + f->l4);
	return len > PKT_MTU ? PKT_MTU : len;
}

/*
 * The L4 checksum recomputed, as a NAT or a tunnel endpoint does after
 * rewriting a header: the ones' complement sum of the pseudo-header and
 * the segment (its checksum field zeroed), the segment in 32-bit words
 * as csum_partial() adds them, the carries folded at the end; stored in
 * the TCP or UDP checksum field.
 */
BENCH_INLINE bu32 pk_csum(bu8 *data, const bu8 *end)
{
	struct flow f;
	bu8 *l4, *tail;
	bu32 len, words, csum_off;
	bu64 sum;
	int i;

	len = l4_segment(data, end, &f);
	if (!len)
		return BENCH_PASS;
	csum_off = f.proto == 6 ? 16 : 6;
	if (len < csum_off + 2)
		return BENCH_PASS;
	l4 = data + f.l4;
	VERIFIER_KEEP(l4);
	if (l4 + csum_off + 2 > end)
		return BENCH_PASS;
	*(bu16a *)(l4 + csum_off) = 0;
	sum = (bu64)f.src[0] + f.dst[0] + f.src[1] + f.dst[1] + f.src[2] +
	      f.dst[2] + f.src[3] + f.dst[3] +
	      (((bu64)f.proto + len) << 8);	/* csum_tcpudp_nofold() */
	words = len >> 2;
	FOR_RANGE(i, 0, words) {
		const bu8 *p = l4 + 4 * i;

		VERIFIER_KEEP(p);
		if (p + 4 > end)
			break;
		sum += LD32(p);
	}
	tail = l4 + (len & ~3u);			/* the odd bytes */
	VERIFIER_KEEP(tail);
	if ((len & 3) && tail + 1 <= end)
		sum += tail[0];
	if ((len & 3) >= 2 && tail + 2 <= end)
		sum += (bu64)tail[1] << 8;
	if ((len & 3) == 3 && tail + 3 <= end)
		sum += (bu64)tail[2] << 16;
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*(bu16a *)(l4 + csum_off) = ~sum;
	return BENCH_TX;
}

/* the two signatures pk_scan looks for, as payload bytes in memory order */
#define SIG_A	0x8b48e589U	/* 89 e5 48 8b */
#define SIG_B	0x2f6e6962U	/* 62 69 6e 2f: "bin/" */

/*
 * A payload filter, an intrusion detector's first stage: drop a TCP or
 * UDP packet whose payload holds one of two 4-byte signatures at any
 * offset, counting the drops; pass the rest.
 */
BENCH_INLINE bu32 pk_scan(const bu8 *data, const bu8 *end)
{
	const bu8 *pl;
	struct flow f;
	int i, len, hdr;

	len = l4_segment(data, end, &f);
	if (!len)
		return BENCH_PASS;
	hdr = f.proto == 6 ? 20 : 8;
	if (len < hdr + 4)
		return BENCH_PASS;
	pl = data + f.l4;
	VERIFIER_KEEP(pl);
	if (f.proto == 6) {
		if (pl + 20 > end)
			return BENCH_PASS;
		hdr = (pl[12] >> 4) * 4;		/* doff */
	}
	pl += hdr;
	FOR_RANGE(i, 0, len - hdr - 3) {
		const bu8 *p = pl + i;
		bu32 w;

		VERIFIER_KEEP(p);
		if (p + 4 > end)
			break;
		w = LD32(p);
		if (w == SIG_A || w == SIG_B) {
			count(7);
			return BENCH_DROP;
		}
	}
	return BENCH_PASS;
}

/*
 * The micro input: random words from @seed, with Ethernet/IP/L4 headers
 * every 64 bytes.  bench_fill() is the one the VM and the timings use.
 */
BENCH_INLINE void bench_fill_seed(bu64 *w, bu64 seed)
{
	bu64 x = seed;
	int i;

	for (i = 0; i < BENCH_WORDS; i++)
		w[i] = pkt_rand(&x);
}

BENCH_INLINE void bench_fill(bu64 *w)
{
	bench_fill_seed(w, 0x243f6a8885a308d3ULL);
}

#define BENCH_RING_SEED	0x13198a2e03707344ULL

/*
 * name: every workload, micro then per packet, in the order of the
 * report; the per-packet programs that read headers, then those that
 * loop over the payload
 */
#define BENCH_MICROS(X)							\
	X(rotate) X(select) X(extract) X(swap_mem) X(bitcount)		\
	X(shift_add) X(mul_high)
#define BENCH_HEADER_PROGS(X)						\
	X(parse) X(lb) X(ratelimit) X(classify) X(jhash) X(siphash)	\
	X(xxh64) X(murmur3_32) X(murmur3_128)
#define BENCH_LOOP_PROGS(X)	X(csum) X(scan)
#define BENCH_PACKET_PROGS(X)	BENCH_HEADER_PROGS(X) BENCH_LOOP_PROGS(X)

#endif
