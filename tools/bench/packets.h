/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * What the per-packet benchmark programs run on, the same in the VM and on
 * the host: a ring of generated packets and the contents of the tables the
 * programs look up (a Maglev table, backends, classifier bitmaps).
 *
 * The ring mixes what an XDP program meets: ARP; IPv4 with 0-3 words of
 * options, fragments, optional 802.1Q/802.1ad tags; IPv6 with up to three
 * extension headers (hop-by-hop, routing, destination options, fragment);
 * TCP, UDP and ICMP; 48 recurring flows and random ones.  Payloads are
 * random bytes, half of them under 48 bytes, a quarter of 200-711 and a
 * quarter of 1000-1375 (an Internet mix, as far as a loop over them
 * cares); one in eight payloads of 4 bytes or more carries one of
 * pk_scan's signatures.
 */
#ifndef BENCH_PACKETS_H
#define BENCH_PACKETS_H

#define PKT_RING	256	/* packets per ring */
#define PKT_SLOT	1536	/* bytes per packet buffer */
#define PKT_FLOWS	48	/* recurring flows */

struct bench_pkt {
	bu8 data[PKT_SLOT];
	bu32 len;
};

BENCH_INLINE bu64 pkt_rand(bu64 *s)
{
	bu64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

BENCH_INLINE void pkt_put16(bu8 *p, bu32 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

BENCH_INLINE void pkt_put32(bu8 *p, bu32 v)
{
	pkt_put16(p, v >> 16);
	pkt_put16(p + 2, v);
}

/* TCP, UDP or ICMP header at @p; returns its length */
BENCH_INLINE bu32 pkt_l4(bu8 *p, bu32 proto, bu32 flow, bu64 r)
{
	static const unsigned short dports[8] = {
		80, 443, 53, 22, 23, 8080, 6010, 51000 };

	if (proto == 1) {
		p[0] = 8;	/* echo request */
		return 8;
	}
	pkt_put16(p, 1024 + flow * 37);
	pkt_put16(p + 2, flow < PKT_FLOWS ? dports[flow % 8] : (bu32)(r >> 40));
	if (proto == 17)
		return 8;
	pkt_put32(p + 4, (bu32)r);
	p[12] = 5 << 4;			/* data offset */
	p[13] = (r >> 20) % 4 ? 0x10 : 0x02;	/* ACK or SYN */
	return 20;
}

/* a payload's length: see the mix above */
BENCH_INLINE bu32 pkt_payload_len(bu64 r)
{
	switch (r % 4) {
	case 0:
	case 1:
		return (r >> 2) % 48;
	case 2:
		return 200 + (r >> 2) % 512;
	default:
		return 1000 + (r >> 2) % 376;
	}
}

/* @n random payload bytes at @p, one in eight with a signature */
BENCH_INLINE void pkt_payload(bu8 *p, bu32 n, bu64 *s)
{
	bu64 r = pkt_rand(s), at;
	bu32 i;

	for (i = 0; i < n; i++)
		p[i] = pkt_rand(s) >> 32;
	if (n < 4 || (r & 7))
		return;
	at = (r >> 3) % (n - 3);
	pkt_put32(p + at, r & 8 ? 0x89e5488b : 0x62696e2f);
}

/* one packet; returns its length */
BENCH_INLINE bu32 pkt_gen(bu8 *p, bu64 *s)
{
	static const bu8 src0[4] = { 10, 172, 192, 100 };
	bu64 r = pkt_rand(s), r2 = pkt_rand(s);
	bu32 kind = r % 100, flow = (r >> 8) % (PKT_FLOWS + 16);
	bu32 off = 12, proto, i, n, ip, nh, l4len;

	for (i = 0; i < PKT_SLOT; i++)
		p[i] = 0;
	for (i = 0; i < 6; i++) {
		p[i] = i == 0 ? 2 : i == 5 ? 1 : 0;
		p[6 + i] = i == 0 ? 2 : i == 5 ? 2 : 0;
	}
	if (kind < 6) {			/* ARP */
		pkt_put16(p + 12, 0x0806);
		return 42;
	}
	if ((r >> 16) % 8 == 0) {	/* 802.1ad outer, then 802.1Q */
		if ((r >> 19) % 2) {
			pkt_put16(p + off, 0x88a8);
			pkt_put16(p + off + 2, 100);
			off += 4;
		}
		pkt_put16(p + off, 0x8100);
		pkt_put16(p + off + 2, 200 + flow);
		off += 4;
	}
	r2 >>= 2;
	proto = r2 % 10 < 5 ? 6 : r2 % 10 < 9 ? 17 : 1;
	ip = off + 2;
	if (kind < 60) {		/* IPv4 */
		bu32 ihl = 5 + (r >> 24) % 4, frag = 0;

		pkt_put16(p + off, 0x0800);
		p[ip] = 0x40 | ihl;
		for (i = 20; i < ihl * 4; i++)
			p[ip + i] = 1;		/* NOP options */
		if ((r >> 28) % 16 == 0)
			frag = (r >> 32) % 2 ? 0x2000 : 0x00b9;
		pkt_put16(p + ip + 6, frag);
		p[ip + 8] = 64;
		p[ip + 9] = proto;
		pkt_put32(p + ip + 12, flow < PKT_FLOWS ?
			  (bu32)src0[flow % 4] << 24 | flow << 8 | 7 : (bu32)r2);
		pkt_put32(p + ip + 16, 0xc6336400 | (flow & 0x3f));
		l4len = frag & 0x1fff ? 0 : pkt_l4(p + ip + ihl * 4, proto, flow, r);
		i = pkt_payload_len(pkt_rand(s));
		pkt_payload(p + ip + ihl * 4 + l4len, i, s);
		n = ihl * 4 + l4len + i;
		pkt_put16(p + ip + 2, n);
		return ip + n;
	}
	pkt_put16(p + off, 0x86dd);	/* IPv6 */
	p[ip] = 0x60;
	p[ip + 7] = 64;
	p[ip + 8] = 0x20;
	p[ip + 9] = 0x01;
	p[ip + 10] = src0[flow % 4];
	pkt_put32(p + ip + 20, flow < PKT_FLOWS ? flow : (bu32)r2);
	p[ip + 24] = 0x20;
	p[ip + 25] = 0x01;
	p[ip + 39] = flow;
	off = ip + 40;
	nh = ip + 6;
	n = (r >> 24) % 4;
	for (i = 0; i < n; i++) {
		/* hop-by-hop only first; a fragment header ends the chain */
		bu32 type = i == 0 && (r >> 30) % 2 ? 0 :
			    (r >> (32 + 2 * i)) % 3 == 0 ? 43 :
			    (r >> (32 + 2 * i)) % 3 == 1 ? 60 : 44;
		bu32 hlen = (r >> (40 + 2 * i)) % 3;

		p[nh] = type;
		nh = off;
		if (type == 44) {
			if ((r >> 48) % 2)
				pkt_put16(p + off + 2, 0x0160);
			off += 8;
			break;
		}
		p[off + 1] = hlen;
		off += (hlen + 1) * 8;
	}
	p[nh] = proto;
	l4len = pkt_l4(p + off, proto, flow, r);
	i = pkt_payload_len(pkt_rand(s));
	pkt_payload(p + off + l4len, i, s);
	n = off + l4len + i;
	pkt_put16(p + ip + 4, n - ip - 40);
	return n;
}

/*
 * A per-packet program's result over the ring, the same in the VM and on
 * the host: FNV-1a over each packet's action and output bytes, in order.
 */
#define PKT_DIGEST_INIT	0xcbf29ce484222325ULL

BENCH_INLINE bu64 pkt_digest(bu64 h, bu32 action, const bu8 *out, bu32 len)
{
	const bu8 *a = (const bu8 *)&action;
	bu32 i;

	for (i = 0; i < sizeof(action); i++)
		h = (h ^ a[i]) * 0x100000001b3ULL;
	for (i = 0; i < len; i++)
		h = (h ^ out[i]) * 0x100000001b3ULL;
	return h;
}

BENCH_INLINE void bench_ring_fill(struct bench_pkt *ring, bu64 seed)
{
	bu64 s = seed;
	int i;

	for (i = 0; i < PKT_RING; i++)
		ring[i].len = pkt_gen(ring[i].data, &s);
}

/* ---- the tables ---- */

#define MAGLEV_M	4093	/* a prime, one of Cilium's table sizes */
#define NR_BACKENDS	31

struct backend {
	bu8 mac[6];
	bu16 weight;
};

/*
 * Maglev's table population (Eisenbud et al., NSDI 2016): every backend
 * walks its own permutation of the slots (offset, skip from two hashes of
 * its number, MurmurHash3's finaliser) and takes the next free one, in
 * turn, until the table is full.
 */
BENCH_INLINE void bench_fill_maglev(bu32 *lut)
{
	bu32 offset[NR_BACKENDS], skip[NR_BACKENDS], next[NR_BACKENDS];
	bu32 b, c, filled = 0;

	for (c = 0; c < MAGLEV_M; c++)
		lut[c] = ~0u;
	for (b = 0; b < NR_BACKENDS; b++) {
		offset[b] = mm3_fmix32(2 * b + 1) % MAGLEV_M;
		skip[b] = mm3_fmix32(2 * b + 2) % (MAGLEV_M - 1) + 1;
		next[b] = 0;
	}
	for (;;) {
		for (b = 0; b < NR_BACKENDS; b++) {
			do {
				c = (offset[b] + (bu64)next[b] * skip[b]) % MAGLEV_M;
				next[b]++;
			} while (lut[c] != ~0u);
			lut[c] = b;
			if (++filled == MAGLEV_M)
				return;
		}
	}
}

BENCH_INLINE void bench_fill_backends(struct backend *be)
{
	bu32 b;

	for (b = 0; b < NR_BACKENDS + 1; b++) {
		be[b].mac[0] = 0x02;
		be[b].mac[1] = 0xbe;
		be[b].mac[5] = b;
		be[b].weight = 1;
	}
}

/*
 * A bit-vector classifier (Lakshman and Stiliadis, SIGCOMM 1998) over
 * byte-aligned fields: CLS_RULES rules, and for each field value the
 * bitmap of the rules it matches.  Fields: first and second byte of the
 * source address (so /8 and /16 prefixes), the destination port's high
 * byte (ranges of 256 ports), the protocol class.  The first set bit of
 * the AND of the four bitmaps is the rule that applies.
 */
#define CLS_RULES	64
#define CLS_FIELDS	4

struct cls_rule {
	bu32 action;
	bu32 hits;
};

BENCH_INLINE bu32 cls_proto_class(bu32 proto)
{
	return proto == 6 ? 1 : proto == 17 ? 2 : proto == 1 ? 3 : 0;
}

BENCH_INLINE void bench_fill_cls(bu64 *bits, struct cls_rule *rules)
{
	static const bu8 src0[4] = { 10, 172, 192, 100 };
	bu64 s = 0x853c49e6748fea9bULL;
	bu32 r, v, f;

	for (v = 0; v < CLS_FIELDS * 256; v++)
		bits[v] = 0;
	for (r = 0; r < CLS_RULES - 1; r++) {	/* the last rule: none */
		bu64 x = pkt_rand(&s);
		int plen = x % 3 * 8;		/* /0, /8, /16 */
		bu32 a0 = src0[(x >> 4) % 4], a1 = (x >> 8) % 64;
		bu32 p0 = (x >> 16) % 256, pn = (x >> 24) % 4 ? 1 : 256;
		bu32 pc = (x >> 32) % 4;

		for (v = 0; v < 256; v++) {
			if (!plen || v == a0)
				bits[v] |= 1ULL << r;
			if (plen < 16 || v == a1)
				bits[256 + v] |= 1ULL << r;
			if (pn == 256 || v == p0)
				bits[512 + v] |= 1ULL << r;
		}
		for (f = 0; f < 4; f++)
			if (!pc || f == pc)
				bits[768 + f] |= 1ULL << r;
		rules[r].action = (x >> 40) % 3 ? 2 : 1;	/* PASS : DROP */
		rules[r].hits = 0;
	}
	rules[CLS_RULES - 1].action = 2;
	rules[CLS_RULES - 1].hits = 0;
}

#endif
