// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mapscribe_lsm.bpf.c — the LSM tier: every program of the syscall tier, plus
 * security_mmap_file, which hands the sys_exit mmap handler the exact struct
 * file being mapped. The syscall tier resolves the fd at sys_exit instead,
 * which races with a concurrent close()/dup2() of that fd; the hook does not.
 *
 * Kernels that refuse BPF LSM (lockdown, no "bpf" in lsm=) or fentry answer
 * EPERM at load; `record --hooks auto` then falls back to mapscribe.bpf.o.
 */
#define MS_LSM_TIER 1
#include "mapscribe.bpf.c"

static __always_inline void remember_mmap_file(struct file *file)
{
	if ((bpf_get_current_pid_tgid() >> 32) == ms_cfg.self_tgid)
		return;
	struct task_struct *task = bpf_get_current_task_btf();
	/* Only inside mmap(2): exec's loader and shmat also pass here, and no mmap sys_exit would consume those. */
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs || regs->orig_ax != NR_MMAP)
		return;
	struct task_ctx *ctx = bpf_task_storage_get(&task_ctxs, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ctx)
		ctx->file = (__u64)file; /* consumed (and cleared) by the mmap record at sys_exit */
}

SEC("?lsm/mmap_file")
int BPF_PROG(ms_lsm_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret == 0 && file)
		remember_mmap_file(file);
	return ret; /* observe only: never change the kernel's decision */
}

/* The same hook through fentry, for kernels with BTF trampolines but without BPF LSM. */
SEC("?fentry/security_mmap_file")
int BPF_PROG(ms_fentry_mmap_file, struct file *file, unsigned long prot, unsigned long flags)
{
	if (file)
		remember_mmap_file(file);
	return 0;
}
