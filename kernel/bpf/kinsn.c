// SPDX-License-Identifier: GPL-2.0
/*
 * Kops: registration of module-provided operations ("kinsns"), decoding of
 * kinsn sites, and the table the JITs consult.  Nothing here knows any
 * particular op; see include/linux/bpf_kinsn.h.
 */
#include <linux/bpf.h>
#include <linux/bpf_kinsn.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/bsearch.h>
#include <linux/filter.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

struct bpf_kinsn_entry {
	struct list_head list;
	const struct bpf_kinsn_set *set;
	struct btf *btf;
};

static LIST_HEAD(bpf_kinsn_sets);
static DEFINE_MUTEX(bpf_kinsn_mutex);

static bool bpf_kinsn_is_sane(const struct bpf_kinsn *kinsn)
{
	return kinsn->name && kinsn->validate && kinsn->gen_proof &&
	       kinsn->max_insn_cnt && kinsn->max_insn_cnt <= BPF_KINSN_MAX_PROOF &&
	       kinsn->max_emit_bytes <= BPF_KINSN_MAX_EMIT;
}

/**
 * register_bpf_kinsn_set - make a module's ops callable as kinsn sites
 * @set: the ops and the BTF ids of their functions
 *
 * Call from module init.  Programs name an op by its function's BTF id,
 * resolved against the module's BTF exactly like a kfunc; the program's
 * reference on that BTF pins the module while the program exists.
 */
int register_bpf_kinsn_set(const struct bpf_kinsn_set *set)
{
	struct bpf_kinsn_entry *entry;
	struct btf *btf;
	u32 i;

	for (i = 0; i < set->cnt; i++)
		if (!set->btf_ids[i] || !bpf_kinsn_is_sane(set->ops[i]))
			return -EINVAL;

	btf = btf_get_module_btf(set->owner);
	if (IS_ERR_OR_NULL(btf))
		return btf ? PTR_ERR(btf) : -ENOENT;

	entry = kzalloc(sizeof(*entry), GFP_KERNEL);
	if (!entry) {
		btf_put(btf);
		return -ENOMEM;
	}
	entry->set = set;
	entry->btf = btf;

	mutex_lock(&bpf_kinsn_mutex);
	list_add_tail(&entry->list, &bpf_kinsn_sets);
	mutex_unlock(&bpf_kinsn_mutex);
	return 0;
}
EXPORT_SYMBOL_GPL(register_bpf_kinsn_set);

void unregister_bpf_kinsn_set(const struct bpf_kinsn_set *set)
{
	struct bpf_kinsn_entry *entry, *tmp;

	mutex_lock(&bpf_kinsn_mutex);
	list_for_each_entry_safe(entry, tmp, &bpf_kinsn_sets, list) {
		if (entry->set != set)
			continue;
		list_del(&entry->list);
		btf_put(entry->btf);
		kfree(entry);
	}
	mutex_unlock(&bpf_kinsn_mutex);
}
EXPORT_SYMBOL_GPL(unregister_bpf_kinsn_set);

/*
 * Find the op called as @btf_id in @btf.  The caller holds a reference on
 * the module owning @btf (the verifier took one when it resolved the call),
 * so the op cannot be unregistered while it is used.
 */
const struct bpf_kinsn *bpf_kinsn_find(const struct btf *btf, u32 btf_id)
{
	const struct bpf_kinsn *kinsn = NULL;
	struct bpf_kinsn_entry *entry;
	u32 i;

	mutex_lock(&bpf_kinsn_mutex);
	list_for_each_entry(entry, &bpf_kinsn_sets, list) {
		if (entry->btf != btf)
			continue;
		for (i = 0; i < entry->set->cnt && !kinsn; i++)
			if (btf_relocate_id(btf, entry->set->btf_ids[i]) == btf_id)
				kinsn = entry->set->ops[i];
	}
	mutex_unlock(&bpf_kinsn_mutex);
	return kinsn;
}

/* Number of insns of the site whose payload is @payload, call included. */
static int bpf_kinsn_site_len(const struct bpf_insn *payload)
{
	return 2 + (payload->src_reg + 1) / 2;
}

static bool bpf_kinsn_is_carrier(const struct bpf_insn *insn)
{
	return insn->code == (BPF_ALU64 | BPF_MOV | BPF_X) &&
	       !insn->off && !insn->imm;
}

/* Read the operand registers from the carriers that follow the payload. */
static const char *bpf_kinsn_decode_regs(const struct bpf_insn *carriers,
					 struct bpf_kinsn_site *site)
{
	const struct bpf_insn *carrier;
	int i;

	for (i = 0; i < site->nr_regs; i++) {
		carrier = &carriers[i / 2];
		if (!bpf_kinsn_is_carrier(carrier))
			return "operand carrier is not a register move";
		site->regs[i] = i % 2 ? carrier->src_reg : carrier->dst_reg;
		if (site->regs[i] >= MAX_BPF_REG)
			return "operand register out of range";
	}
	carrier = &carriers[site->nr_regs / 2];
	if (site->nr_regs % 2 && carrier->src_reg != carrier->dst_reg)
		return "unused carrier field does not repeat the register";
	return NULL;
}

/*
 * Decode and validate the site starting with the kinsn call @insn; at most
 * @insn_cnt insns are left in the program.  Returns the site's length in
 * insns, or -EINVAL with @reason saying what is malformed.
 */
int bpf_kinsn_decode(const struct bpf_kinsn *kinsn,
		     const struct bpf_insn *insn, u32 insn_cnt,
		     struct bpf_kinsn_site *site, const char **reason)
{
	const struct bpf_insn *payload = &insn[1];
	int len;

	memset(site, 0, sizeof(*site));
	*reason = NULL;
	/* the call is never checked as a call: it is replaced before that */
	if (insn->dst_reg)
		*reason = "call uses reserved fields";
	else if (insn_cnt < 2 || payload->code != BPF_KINSN_PAYLOAD)
		*reason = "call is not followed by a payload";
	else if (payload->dst_reg || payload->src_reg > BPF_KINSN_MAX_REGS)
		*reason = "payload uses reserved fields";
	else if (bpf_kinsn_site_len(payload) > insn_cnt)
		*reason = "site truncated by the end of the program";
	if (*reason)
		return -EINVAL;

	len = bpf_kinsn_site_len(payload);
	site->variant = payload->off;
	site->imm = payload->imm;
	site->nr_regs = payload->src_reg;
	*reason = bpf_kinsn_decode_regs(&insn[2], site);
	if (!*reason)
		*reason = kinsn->validate(site);
	if (!*reason && ((site->def_regs | site->clobber_regs) & BIT(BPF_REG_FP)))
		*reason = "frame pointer r10 cannot be written";
	return *reason ? -EINVAL : len;
}

/*
 * A proof sequence is code the verifier can follow on its own: no calls or
 * exits, 64-bit immediates only as plain constants, and forward jumps that
 * stay inside the sequence, so the only way out is its end.  Returns the
 * number of insn slots @insn takes (2 for a 64-bit immediate), 0 if it
 * does not belong in a proof sequence.
 */
static int bpf_kinsn_proof_insn_len(const struct bpf_insn *insn, int idx,
				    int cnt)
{
	u8 class = BPF_CLASS(insn->code);
	int off;

	switch (class) {
	case BPF_ALU:
	case BPF_ALU64:
		return 1;
	case BPF_LD:
		if (insn->code != (BPF_LD | BPF_IMM | BPF_DW) || insn->src_reg ||
		    idx + 1 >= cnt || insn[1].code || insn[1].dst_reg ||
		    insn[1].src_reg || insn[1].off)
			return 0;
		return 2;
	case BPF_LDX:
	case BPF_STX:
	case BPF_ST:
		return BPF_MODE(insn->code) == BPF_MEM ||
		       BPF_MODE(insn->code) == BPF_MEMSX;
	case BPF_JMP:
	case BPF_JMP32:
		if (BPF_OP(insn->code) == BPF_CALL ||
		    BPF_OP(insn->code) == BPF_EXIT)
			return 0;
		off = insn->code == (BPF_JMP32 | BPF_JA) ? insn->imm : insn->off;
		return off >= 0 && idx + 1 + off <= cnt;
	default:
		return 0;
	}
}

/*
 * The register @insn writes, or -1.  Native code may write only what the
 * op declares, so the proof sequence the verifier follows must not write
 * anything else either.
 */
static int bpf_kinsn_proof_insn_def(const struct bpf_insn *insn)
{
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
	case BPF_LD:
	case BPF_LDX:
		return insn->dst_reg;
	default:
		return -1;
	}
}

/*
 * Write the proof sequence of @region into @insn (room for
 * BPF_KINSN_MAX_PROOF insns) and return its length.
 */
int bpf_kinsn_gen_proof(struct bpf_verifier_env *env,
			const struct bpf_kinsn_region *region,
			struct bpf_insn *insn)
{
	const struct bpf_kinsn *kinsn = region->kinsn;
	int i, len, cnt, def;
	u16 writable;

	cnt = kinsn->gen_proof(&region->site, insn);
	if (cnt <= 0 || cnt > kinsn->max_insn_cnt) {
		bpf_verifier_log_write(env, "kinsn %s: bad proof sequence length %d\n",
				       kinsn->name, cnt);
		return -EFAULT;
	}
	writable = region->site.def_regs | region->site.clobber_regs;
	for (i = 0; i < cnt; i += len) {
		len = bpf_kinsn_proof_insn_len(&insn[i], i, cnt);
		if (!len) {
			bpf_verifier_log_write(env, "kinsn %s: proof insn %d leaves the sequence\n",
					       kinsn->name, i);
			return -EFAULT;
		}
		def = bpf_kinsn_proof_insn_def(&insn[i]);
		if (def >= 0 && !(writable & BIT(def))) {
			bpf_verifier_log_write(env, "kinsn %s: proof insn %d writes r%d\n",
					       kinsn->name, i, def);
			return -EFAULT;
		}
	}
	return cnt;
}

static int bpf_kinsn_region_cmp(const void *key, const void *elt)
{
	const struct bpf_kinsn_region *region = elt;
	u32 idx = *(const u32 *)key;

	if (idx < region->off)
		return -1;
	return idx > region->off;
}

/*
 * The region starting at insn @idx of @prog, if the JIT may emit its op's
 * native code there.  Constant blinding rewrites and shifts insns after
 * the verifier has checked the regions, so blinded programs get none.
 */
struct bpf_kinsn_region *
bpf_jit_kinsn_region(const struct bpf_prog *prog, u32 idx)
{
	const struct bpf_prog_aux *aux = prog->aux;

	if (!aux->kinsn_cnt || prog->blinded)
		return NULL;
	return bsearch(&idx, aux->kinsn_tab, aux->kinsn_cnt,
		       sizeof(aux->kinsn_tab[0]), bpf_kinsn_region_cmp);
}

/* Whether the JIT should ask the op for native code for @region. */
bool bpf_jit_kinsn_wants_native(const struct bpf_kinsn_region *region)
{
	return !(region->site.flags & BPF_KINSN_PROOF_ONLY) && region->jit_len;
}

/**
 * bpf_jit_kinsn_settle - accept the length of an op's native code
 * @region: the region the op emitted code for
 * @len: what the op's emit returned (0: keep the proof sequence)
 * @max: the op's limit, in the same unit
 *
 * The JITs size the image on one pass and write it on a later one, and
 * call the op on every pass.  The first answer decides for the region;
 * a later pass that gets another fails the JIT before anything is
 * written, instead of writing past the image.  Returns @len, or -EFAULT.
 */
int bpf_jit_kinsn_settle(struct bpf_kinsn_region *region, int len, int max)
{
	if (len < 0 || len > max) {
		pr_err("bpf_jit: kinsn %s emitted %d, more than %d\n",
		       region->kinsn->name, len, max);
		return -EFAULT;
	}
	if (region->jit_len == BPF_KINSN_JIT_UNSET)
		region->jit_len = len;
	if (len != region->jit_len) {
		pr_err("bpf_jit: kinsn %s emitted %d, %d on an earlier pass\n",
		       region->kinsn->name, len, region->jit_len);
		return -EFAULT;
	}
	return len;
}

/*
 * Give subprogram @func, which holds the insns of @prog starting at
 * @start, its own table of the regions it contains.
 */
int bpf_kinsn_split_regions(struct bpf_prog *func, const struct bpf_prog *prog,
			    u32 start)
{
	const struct bpf_kinsn_region *tab = prog->aux->kinsn_tab;
	u32 i, first, cnt = 0;

	for (i = 0; i < prog->aux->kinsn_cnt; i++) {
		if (tab[i].off < start || tab[i].off >= start + func->len)
			continue;
		if (!cnt++)
			first = i;
	}
	if (!cnt)
		return 0;

	func->aux->kinsn_tab = kvmemdup(&tab[first], cnt * sizeof(*tab),
					GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!func->aux->kinsn_tab)
		return -ENOMEM;
	for (i = 0; i < cnt; i++)
		func->aux->kinsn_tab[i].off -= start;
	func->aux->kinsn_cnt = cnt;
	return 0;
}
