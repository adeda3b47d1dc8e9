/* SPDX-License-Identifier: GPL-2.0 */
/* <bpf/bpf_endian.h> for tools/np's kernel-module build of a BPF source */
#ifndef KOPS_NP_BPF_ENDIAN_H
#define KOPS_NP_BPF_ENDIAN_H

#include <asm/byteorder.h>

#define bpf_htons(x)		__cpu_to_be16(x)
#define bpf_ntohs(x)		__be16_to_cpu(x)
#define bpf_htonl(x)		__cpu_to_be32(x)
#define bpf_ntohl(x)		__be32_to_cpu(x)
#define bpf_cpu_to_be64(x)	__cpu_to_be64(x)
#define bpf_be64_to_cpu(x)	__be64_to_cpu(x)
#define bpf_constant_htons(x)	___constant_swab16(x)
#define bpf_constant_ntohs(x)	___constant_swab16(x)
#define bpf_constant_htonl(x)	___constant_swab32(x)
#define bpf_constant_ntohl(x)	___constant_swab32(x)

#endif
