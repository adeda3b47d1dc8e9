// SPDX-License-Identifier: GPL-2.0
/*
 * Kops whole-program mode: a module supplies native code for one BPF
 * program, bound to the exact bytecode it was built from.
 *
 * The verifier checks the bytecode as always.  Before it rewrites anything
 * the program's binding hash is taken: SHA-256 over the program type, the
 * instructions as loaded (map references as the index of the map in the
 * order the program first names it, kfunc calls by the function's name)
 * and the type, key and value size, entry count and flags of every map;
 * frozen read-only data is hashed with its bytes.  Subprograms are part
 * of the program as loaded.  The module's build tool computes the same
 * hash from the object file.  After verification, and before any
 * subprogram is jited, the program is bound to the module's code only if
 * the hashes match, the module's switch is on, the loader has CAP_BPF and
 * CAP_PERFMON and the module has finished loading; the JIT then jumps to
 * that code in the program's place, and jits none of its subprograms.
 * The choice is made once, here, so JIT passes cannot disagree.
 */
#include <crypto/sha2.h>
#include <linux/bpf.h>
#include <linux/bpf_native_prog.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/filter.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>

struct bpf_native_entry {
	struct list_head list;
	struct bpf_native_prog *np;
};

static LIST_HEAD(bpf_native_progs);
static DEFINE_MUTEX(bpf_native_mutex);

bool __weak bpf_jit_supports_native_prog(void)
{
	return false;
}

static struct bpf_native_prog *find_native_prog(const char *name)
{
	struct bpf_native_entry *entry;

	lockdep_assert_held(&bpf_native_mutex);
	list_for_each_entry(entry, &bpf_native_progs, list)
		if (!strcmp(entry->np->name, name))
			return entry->np;
	return NULL;
}

/**
 * register_bpf_native_prog - offer native code for a BPF program
 * @np: the code and its binding, owned by the calling module
 *
 * Call from module init.  One registration per program name.
 */
int register_bpf_native_prog(struct bpf_native_prog *np)
{
	struct bpf_native_entry *entry;
	int err = 0;

	if (!np->name || !np->owner || !np->func || !np->enabled ||
	    (np->map_cnt && !np->maps) || np->map_cnt > MAX_USED_MAPS)
		return -EINVAL;

	entry = kzalloc(sizeof(*entry), GFP_KERNEL);
	if (!entry)
		return -ENOMEM;
	entry->np = np;
	np->bound_cnt = 0;

	mutex_lock(&bpf_native_mutex);
	if (find_native_prog(np->name))
		err = -EEXIST;
	else
		list_add_tail(&entry->list, &bpf_native_progs);
	mutex_unlock(&bpf_native_mutex);
	if (err)
		kfree(entry);
	return err;
}
EXPORT_SYMBOL_GPL(register_bpf_native_prog);

/*
 * A bound program holds a reference on the module, so by the time its
 * exit calls this no program runs @np.
 */
void unregister_bpf_native_prog(struct bpf_native_prog *np)
{
	struct bpf_native_entry *entry, *tmp;

	mutex_lock(&bpf_native_mutex);
	list_for_each_entry_safe(entry, tmp, &bpf_native_progs, list) {
		if (entry->np != np)
			continue;
		list_del(&entry->list);
		kfree(entry);
	}
	mutex_unlock(&bpf_native_mutex);
}
EXPORT_SYMBOL_GPL(unregister_bpf_native_prog);

static bool has_native_prog(const char *name)
{
	bool found;

	mutex_lock(&bpf_native_mutex);
	found = find_native_prog(name);
	mutex_unlock(&bpf_native_mutex);
	return found;
}

/* Program types that run through bpf_prog_run() and use a 32-bit result. */
static bool native_prog_type_ok(enum bpf_prog_type type)
{
	switch (type) {
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_SOCKET_FILTER:
		return true;
	default:
		return false;
	}
}

static bool is_ldimm64_func(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW) &&
	       insn->src_reg == BPF_PSEUDO_FUNC;
}

static bool is_ldimm64_map(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW) &&
	       (insn->src_reg == BPF_PSEUDO_MAP_FD ||
		insn->src_reg == BPF_PSEUDO_MAP_IDX ||
		insn->src_reg == BPF_PSEUDO_MAP_VALUE ||
		insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE);
}

static bool is_kfunc_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) &&
	       insn->src_reg == BPF_PSEUDO_KFUNC_CALL;
}

/* Why the program's code cannot be replaced, or NULL. */
static const char *native_prog_unfit(struct bpf_verifier_env *env)
{
	const struct bpf_prog *prog = env->prog;
	const struct bpf_insn *insn = prog->insnsi;
	u32 i;

	if (!bpf_jit_supports_native_prog())
		return "this JIT cannot call native code";
	/*
	 * The native code runs without the verifier's Spectre hardening and
	 * may read the stack before writing it: ask for what lets a program
	 * skip those (CAP_PERFMON) besides CAP_BPF, in the initial
	 * namespace, so a BPF token does not confer it.
	 */
	if (!bpf_capable() || !perfmon_capable())
		return "the loader lacks CAP_BPF and CAP_PERFMON";
	if (!prog->jit_requested)
		return "the program is not JITed";
	if (!native_prog_type_ok(prog->type))
		return "program type not supported";
	if (bpf_prog_is_dev_bound(prog->aux))
		return "offloaded or device-bound program";
	if (env->kinsn_cnt)
		return "program uses kinsn sites";
	if (prog->aux->arena)
		return "program uses an arena";

	for (i = 0; i < prog->len; i++) {
		if (is_kfunc_call(&insn[i]) && insn[i].off)
			return "calls to module kfuncs are not supported";
		if (insn[i].code == (BPF_JMP | BPF_CALL) && !insn[i].src_reg &&
		    insn[i].imm == BPF_FUNC_tail_call)
			return "tail calls are not supported";
		if (insn[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    insn[i].src_reg && !is_ldimm64_map(&insn[i]) &&
		    !is_ldimm64_func(&insn[i]))
			return "ld_imm64 of BTF ids is not supported";
	}
	return NULL;
}

static void hash_u32(struct sha256_state *sctx, u32 val)
{
	__le32 le = cpu_to_le32(val);

	sha256_update(sctx, (const u8 *)&le, sizeof(le));
}

/*
 * One insn, little-endian: code, dst | src << 4, off, imm.  A map
 * reference names its map by index in used_maps and keeps its value
 * offset; fd and fd_array forms hash alike.
 */
static void hash_insn(struct sha256_state *sctx, struct bpf_insn insn)
{
	__le16 off = cpu_to_le16(insn.off);
	u8 head[2] = { insn.code, insn.dst_reg | insn.src_reg << 4 };

	sha256_update(sctx, head, sizeof(head));
	sha256_update(sctx, (const u8 *)&off, sizeof(off));
	hash_u32(sctx, insn.imm);
}

/*
 * A kfunc call names its function by BTF id, which is the running
 * kernel's: hash the function's name instead, with imm 0.  (Only vmlinux
 * kfuncs get here; a bad id hashes as "" and the verifier refuses it.)
 */
static void hash_kfunc_call(struct sha256_state *sctx, struct bpf_insn insn)
{
	struct btf *btf = bpf_get_btf_vmlinux();
	const struct btf_type *t = NULL;
	const char *name = "";

	if (!IS_ERR_OR_NULL(btf))
		t = btf_type_by_id(btf, insn.imm);
	if (t && btf_type_is_func(t))
		name = btf_name_by_offset(btf, t->name_off);
	insn.imm = 0;
	hash_insn(sctx, insn);
	sha256_update(sctx, name, strlen(name) + 1);
}

static void hash_insns(struct sha256_state *sctx,
		       struct bpf_verifier_env *env)
{
	const struct bpf_insn *insn = env->prog->insnsi;
	struct bpf_insn lo, hi;
	u32 i;

	for (i = 0; i < env->prog->len; i++) {
		if (is_kfunc_call(&insn[i])) {
			hash_kfunc_call(sctx, insn[i]);
			continue;
		}
		if (!is_ldimm64_map(&insn[i]) || i + 1 == env->prog->len) {
			hash_insn(sctx, insn[i]);
			continue;
		}
		lo = insn[i];
		hi = insn[i + 1];
		if (lo.src_reg == BPF_PSEUDO_MAP_IDX)
			lo.src_reg = BPF_PSEUDO_MAP_FD;
		if (lo.src_reg == BPF_PSEUDO_MAP_IDX_VALUE)
			lo.src_reg = BPF_PSEUDO_MAP_VALUE;
		lo.imm = env->insn_aux_data[i].map_index;
		hi.imm = lo.src_reg == BPF_PSEUDO_MAP_VALUE ?
			 env->insn_aux_data[i].map_off : 0;
		hash_insn(sctx, lo);
		hash_insn(sctx, hi);
		i++;
	}
}

/*
 * An XDP program loads with expected_attach_type BPF_XDP or 0, meaning the
 * same; libbpf sends 0 when its feature probe fails.  Hash them alike.
 */
static u32 native_attach_type(const struct bpf_prog *prog)
{
	if (prog->type == BPF_PROG_TYPE_XDP &&
	    prog->expected_attach_type == BPF_XDP)
		return 0;
	return prog->expected_attach_type;
}

/*
 * Read-only global data (libbpf's .rodata, frozen before the program is
 * loaded) is hashed with its bytes: the native code holds its own copy.
 * Any other map is only described, the native code reads it at run time.
 */
static void hash_map_contents(struct sha256_state *sctx, struct bpf_map *map)
{
	u64 addr;

	if (!(map->map_flags & BPF_F_RDONLY_PROG) || !READ_ONCE(map->frozen) ||
	    map->max_entries != 1 || !map->ops->map_direct_value_addr ||
	    map->ops->map_direct_value_addr(map, &addr, 0)) {
		hash_u32(sctx, 0);
		return;
	}
	hash_u32(sctx, 1);
	sha256_update(sctx, (const u8 *)(unsigned long)addr, map->value_size);
}

/**
 * bpf_native_prog_hash - take the binding hash of a program being loaded
 * @env: the verifier, after map references are resolved and before any
 *	rewrite
 *
 * Only done when a module offers code under the program's name.
 */
void bpf_native_prog_hash(struct bpf_verifier_env *env)
{
	struct bpf_prog *prog = env->prog;
	struct sha256_state sctx;
	struct bpf_map *map;
	u32 i;

	env->native_hashed = has_native_prog(prog->aux->name);
	if (!env->native_hashed)
		return;
	env->native_unfit = native_prog_unfit(env);
	if (env->native_unfit)
		return;

	sha256_init(&sctx);
	hash_u32(&sctx, prog->type);
	hash_u32(&sctx, native_attach_type(prog));
	hash_u32(&sctx, prog->len);
	hash_u32(&sctx, env->used_map_cnt);
	hash_insns(&sctx, env);
	for (i = 0; i < env->used_map_cnt; i++) {
		map = env->used_maps[i];
		hash_u32(&sctx, map->map_type);
		hash_u32(&sctx, map->key_size);
		hash_u32(&sctx, map->value_size);
		hash_u32(&sctx, map->max_entries);
		hash_u32(&sctx, map->map_flags);
		hash_map_contents(&sctx, map);
	}
	sha256_final(&sctx, env->native_hash);
}

/*
 * @np->maps holds the maps of the programs running @np's code: another
 * program may share the code only if it names the very same maps.
 */
static bool native_prog_same_maps(struct bpf_verifier_env *env,
				  const struct bpf_native_prog *np)
{
	return !memcmp(np->maps, env->used_maps,
		       np->map_cnt * sizeof(np->maps[0]));
}

/* Why @np cannot run in place of the program, or NULL. */
static const char *native_prog_mismatch(struct bpf_verifier_env *env,
					struct bpf_native_prog *np)
{
	if (env->native_unfit)
		return env->native_unfit;
	if (!READ_ONCE(*np->enabled))
		return "disabled by the module's switch";
	if (memcmp(np->hash, env->native_hash, BPF_NATIVE_HASH_SIZE))
		return "binding hash differs: not the bytecode the module was built from";
	if (np->map_cnt != env->used_map_cnt)
		return "the module expects another number of maps";
	if (env->prog->aux->num_exentries)
		return "the program needs an exception table";
	if (np->bound_cnt && !native_prog_same_maps(env, np))
		return "the module's code already runs this program with other maps";
	/*
	 * try_module_get() succeeds while the module's init still runs, and
	 * an init that fails after registering frees the code a program
	 * would run: bind only to a module that finished loading.
	 */
	if (READ_ONCE(np->owner->state) == MODULE_STATE_COMING)
		return "the module is still loading";
	if (!try_module_get(np->owner))
		return "the module is being unloaded";
	return NULL;
}

/**
 * bpf_native_prog_bind - let the JIT call a module's code for the program
 * @env: the verifier, after a successful verification
 *
 * Any mismatch keeps the normal JIT; the verifier log (any level) says why.
 */
void bpf_native_prog_bind(struct bpf_verifier_env *env)
{
	struct bpf_prog *prog = env->prog;
	struct bpf_native_prog *np;
	const char *why;
	u32 i;

	if (!env->native_hashed)
		return;

	mutex_lock(&bpf_native_mutex);
	np = find_native_prog(prog->aux->name);
	why = np ? native_prog_mismatch(env, np) : "the module was unloaded";
	if (!why) {
		for (i = 0; i < np->map_cnt; i++)
			np->maps[i] = env->used_maps[i];
		if (!np->bound_cnt && np->maps_bound)
			np->maps_bound(np);
		np->bound_cnt++;
		prog->aux->native_prog = np;
	}
	mutex_unlock(&bpf_native_mutex);

	/*
	 * At any log level: a level 2 log of a large program can run out of
	 * room before the verifier gets here.
	 */
	if (why && env->native_unfit)	/* not hashed: no binding to show */
		bpf_log(&env->log, "native code for %s not used: %s\n",
			prog->aux->name, why);
	else if (why)
		bpf_log(&env->log, "native code for %s not used: %s (program %*phN)\n",
			prog->aux->name, why, 8, env->native_hash);
	if (why)
		return;
	bpf_log(&env->log, "native code for %s from module %s replaces the program\n",
		prog->aux->name, module_name(np->owner));
	pr_info("bpf: program %s runs native code from module %s (binding %*phN)\n",
		prog->aux->name, module_name(np->owner), 8, np->hash);
}

/* Called when the program is freed: no CPU runs it any more. */
void bpf_native_prog_unbind(struct bpf_prog *prog)
{
	struct bpf_native_prog *np = prog->aux->native_prog;

	if (!np)
		return;
	mutex_lock(&bpf_native_mutex);
	if (!--np->bound_cnt && np->map_cnt)
		memset(np->maps, 0, np->map_cnt * sizeof(np->maps[0]));
	mutex_unlock(&bpf_native_mutex);
	prog->aux->native_prog = NULL;
	module_put(np->owner);
}

void bpf_native_prog_show_fdinfo(struct seq_file *m,
				 const struct bpf_prog *prog)
{
	const struct bpf_native_prog *np = prog->aux->native_prog;

	if (np && prog->jited)
		seq_printf(m, "native_prog:\t%s\n", module_name(np->owner));
}
