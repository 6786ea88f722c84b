// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mapscribe.bpf.c — the syscall tier: every memory-mapping and process
 * lifecycle event, as the records of mapscribe.h, into one ring buffer.
 *
 * One tp_btf/sys_exit program records a syscall's arguments and result
 * together: at sys_exit the saved pt_regs still hold the arguments of the
 * calls we watch (shared/FACTS.md), so no enter/exit pairing map is needed.
 * exit/exit_group never return and are recorded at sys_enter.
 *
 * Every recording program exists twice, on the same hooks: tp_btf (loaded by
 * default) and raw_tp ("?": not autoloaded; the recorder loads these instead
 * where tp_btf does not load or attach, or when asked with --hooks
 * syscalls-raw-tp). Both call the same record_* bodies, so they emit the same
 * records.
 *
 * Records are submitted with BPF_RB_NO_WAKEUP: user space drains the ring on
 * a ~1 ms timer, which costs far less than a wake-up per record. A few wake
 * it at once: the first executable mapping of each file, and every one of a
 * file without a name (wakeup_for()). While user space sleeps through a quiet
 * spell, the first record wakes it (QUIET_WAKEUP).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "mapscribe.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* x86-64 syscall numbers. */
#define NR_WRITE 1
#define NR_OPEN 2
#define NR_MMAP 9
#define NR_MPROTECT 10
#define NR_MUNMAP 11
#define NR_BRK 12
#define NR_PWRITE64 18
#define NR_WRITEV 20
#define NR_MREMAP 25
#define NR_MADVISE 28
#define NR_SHMAT 30
#define NR_CLONE 56
#define NR_FORK 57
#define NR_VFORK 58
#define NR_EXECVE 59
#define NR_EXIT 60
#define NR_SHMDT 67
#define NR_PTRACE 101
#define NR_PERSONALITY 135
#define NR_MLOCK 149
#define NR_MUNLOCK 150
#define NR_MLOCKALL 151
#define NR_MUNLOCKALL 152
#define NR_PRCTL 157
#define PR_SET_MM_ 35          /* include/uapi/linux/prctl.h */
#define PR_SET_MM_EXE_FILE_ 13
#define NR_EXIT_GROUP 231
#define NR_OPENAT 257
#define NR_PWRITEV 296
#define NR_PROCESS_VM_WRITEV 311
#define NR_EXECVEAT 322
#define NR_MLOCK2 325
#define NR_PWRITEV2 328
#define NR_PKEY_MPROTECT 329
#define NR_IO_SETUP 206
#define NR_IO_DESTROY 207
#define NR_REMAP_FILE_PAGES 216
#define NR_IO_URING_SETUP 425
#define NR_CLONE3 435
#define NR_PROCESS_MADVISE 440
#define NR_OPENAT2 437
#define NR_MSEAL 462
#define NR_MBIND 237
#define NR_SET_MEMPOLICY_HOME_NODE 450
#define NR_IOCTL 16
#define UFFDIO_COPY_ 0xc028aa03u /* _IOWR(0xAA, 3, struct uffdio_copy): include/uapi/linux/userfaultfd.h */
#define UFFDIO_MOVE_ 0xc028aa05u /* _IOWR(0xAA, 5, struct uffdio_move): the same layout */
#define UFFDIO_REGISTER_ 0xc020aa00u /* _IOWR(0xAA, 0, struct uffdio_register): range (start, len), mode, ioctls */
#define UFFDIO_UNREGISTER_ 0x8010aa01u /* _IOR(0xAA, 1, struct uffdio_range): start, len */

#define MAP_ANONYMOUS_ 0x20
#define MAP_SHARED_ 0x1 /* MAP_SHARED_VALIDATE (0x3) has it too */
#define MAP_PRIVATE_ 0x2
#define PROT_READ_ 0x1
#define PROT_WRITE_ 0x2
#define PROT_EXEC_ 0x4
#define VM_EXEC_ 0x4
#define VM_MAYSHARE_ 0x80
#define O_ACCMODE_ 03
#define O_PATH_ 010000000
#define PROC_SUPER_MAGIC_ 0x9fa0
#define PID_FS_MAGIC_ 0x50494446       /* include/uapi/linux/magic.h: pidfds' filesystem (6.9 on) */
#define PIDFD_SELF_THREAD_ -10000      /* include/uapi/linux/pidfd.h (6.15 on): the caller's thread, no fd needed */
#define PIDFD_SELF_THREAD_GROUP_ -20000 /* ... and its process */
#define READ_IMPLIES_EXEC_ 0x0400000 /* include/uapi/linux/personality.h */
#define MNT_NOEXEC_ 0x04
#define SB_I_NOEXEC_ 0x00000002
#define TS_COMPAT_ 0x0002 /* thread_info.status: a 32-bit syscall is active (arch/x86/include/asm/thread_info.h) */
#define PF_KTHREAD 0x00200000 /* include/linux/sched.h: uapi-stable since 2.6 */
#define MAX_PATH_DEPTH 128  /* dentries walked per path; deeper paths are cut (flagged) */
#define MAX_MOUNTS 16       /* mount crossings per path */
#define MAX_VMAS 128        /* VMAs walked after exec */
#define SCRATCH_SIZE 16384  /* per-CPU record buffer: largest record (exec) is 8264 bytes */
#define SCRATCH_MASK (SCRATCH_SIZE - 1)
#define PATH_OFF_MASK 8191  /* a path starts within the first 8 KiB of the scratch record */

/* Set by the recorder before load (the .rodata image; the recorder writes it by these offsets). */
struct ms_config {
	__u32 self_tgid;      /* offset 0: the recorder itself, never recorded */
	__u32 synthetic_tgid; /* offset 4: the process that drives ms_synthetic (capacity benchmark), 0: none */
};
const volatile struct ms_config ms_cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20); /* the recorder sets --ring before load */
} events SEC(".maps");

/*
 * The wake-up flags of every record that needs no prompt reader. BPF_RB_NO_WAKEUP while the recorder's writer drains
 * the ring on its timer; 0 while it sleeps through a quiet spell (Recorder.writerLoop's doze), and then the kernel
 * wakes it when a record lands in an empty ring (bpf_ringbuf_commit(): the consumer had caught up), that is at the
 * first record after the spell, once. Written by user space alone, so in a section (and a map) of its own; one load.
 */
__u64 quiet_wakeup SEC(".data.wakeup") = BPF_RB_NO_WAKEUP;
#define QUIET_WAKEUP (*(volatile __u64 *)&quiet_wakeup)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ms_loss_counter);
} losses SEC(".maps");

/* The parts of a task that MS_TASK reports and that can change without an exec; a change emits a new one. */
struct task_view {
	__u64 ids;   /* uid << 32 | gid */
	__u64 eids;  /* euid << 32 | egid */
	__u64 mntns; /* mount namespace inode number (never 0: 0 marks "emit again") */
	__u64 real_parent;
	__u64 comm[2];
	__u64 personality;
};

/*
 * task_ctx.flags, last_task.flags: the process has mapped without PROT_EXEC a file through which code can be staged
 * (stages_code(); see made_executable()).
 * A mark belongs to the process, as the address space does: it is kept in the task storage of the group leader
 * only, so that any thread of the process sees it, and a child process that copies the address space inherits it
 * (inherit_marks()).
 */
#define TASK_F_NONEXEC_FILE 1
/* task_ctx.flags, any task's own storage: task_context() has seen the task (inherit_marks_at_first_record()) */
#define TASK_F_SEEN 2

struct task_ctx {
	struct task_view said; /* what the task's last MS_TASK said */
	__u64 file;  /* LSM tier: the struct file seen by security_mmap_file, consumed at sys_exit */
	__u64 flags; /* TASK_F_*, in the group leader's storage only: the process's marks */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

/*
 * Per CPU, the task whose context the last record on this CPU confirmed (its MS_TASK is out and still true):
 * the task that keeps a CPU busy -- the storm, any syscall-heavy process -- is checked against this entry
 * (inlined array access, plain loads) instead of its task storage (a helper call with a lock). Identity is
 * the task_struct address, pid/tid and start time together, so a dead task's reused struct never matches.
 */
struct last_task {
	__u64 task;
	__u64 pid_tgid;
	__u64 start_ns;
	__u64 epoch; /* task_ctx_epoch when the entry was confirmed */
	__u64 flags; /* the process's marks (process_flags()), copied when the entry was confirmed */
	struct task_view seen;
};

/*
 * Bumped by every MS_TASK written. A per-CPU entry is trusted only while this is unchanged: a task's context
 * may change, and change back, while it runs on another CPU (that CPU writes an MS_TASK for the change), and
 * this CPU's entry would then still match the old state although the journal's last word is the new one.
 */
__u64 task_ctx_epoch = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct last_task);
} last_tasks SEC(".maps");

/* Per-CPU buffer where variable-length records are built before bpf_ringbuf_output. */
struct scratch {
	__u8 buf[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratches SEC(".maps");

/* The dentry names of one path, leaf first, collected by the walk. */
struct path_parts {
	__u64 name[MAX_PATH_DEPTH];
	__u32 len[MAX_PATH_DEPTH];
	__u32 count;
	__u32 total;       /* bytes of "/a/b/c" */
	__u32 truncated;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_parts);
} path_partss SEC(".maps");

/* Kernels before 6.11 kept inode times in timespec64 fields. */
struct inode___pre611 {
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

struct inode___pre66 {
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

/*
 * Per CPU: syscalls made in 32-bit mode (a 32-bit process, or int 0x80 from a 64-bit one) whose numbers the programs
 * watch in 64-bit mode, not recorded. Their numbers mean other calls there (compat 10 is unlink, not mprotect) and
 * their arguments lie in other registers: read as 64-bit calls they would forge records (an int 0x80 unlink with
 * chosen rdi/rsi/rdx read as a successful mprotect of any range). Sampled by the recorder as losses of their own.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ms_loss_counter);
} compat_calls SEC(".maps");

/* One more in a per-CPU struct ms_loss_counter: the count, and the times of the first and the latest. */
static __always_inline void count_in(void *counters)
{
	__u32 zero = 0;
	struct ms_loss_counter *c = bpf_map_lookup_elem(counters, &zero);
	if (!c)
		return;
	__u64 now = bpf_ktime_get_ns();
	if (c->count == 0)
		c->first_ns = now;
	c->last_ns = now;
	c->count++;
}

static __always_inline void count_loss(void)
{
	count_in(&losses);
}

static __always_inline void fill_hdr(struct ms_hdr *h, __u16 kind, __u16 size, __u16 flags, __u64 pid_tgid)
{
	h->kind = kind;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->flags = flags;
	h->ktime_ns = bpf_ktime_get_ns();
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
}

static __always_inline void submit_or_count(void *data, __u32 size, __u64 wakeup)
{
	if (bpf_ringbuf_output(&events, data, size, wakeup))
		count_loss();
}

/*
 * Files already seen mapped executable, by identity (dev, inode, ctime): see wakeup_for(). LRU: a file pushed
 * out by 16,384 newer ones costs one more wake-up when it is mapped again, nothing else.
 */
struct seen_file {
	__u64 ino;
	__s64 ctime_sec;
	__u32 ctime_nsec;
	__u32 dev;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct seen_file);
	__type(value, __u8);
} seen_files SEC(".maps");

/*
 * Wake user space at once for an executable mapping of a file it may not have held yet: the enricher holds each
 * such file (an O_PATH descriptor) when it reads the record, and until then the bytes are only as safe as the
 * file's name and its process. A file without a name (unlinked, or a memfd) is reachable only through
 * /proc/PID/map_files, until the process exits (scripts/workloads/flash.c: processes that live 2 ms); a named one
 * can be unlinked right after the mapping (a dropper deleting its stage once it runs). So the first sighting
 * of each file mapped executable wakes the recorder; later mappings of it, by far the most (every process
 * maps libc), wait for the timer like everything else. Two map helper calls, for executable file mappings only.
 * Each record that wakes user space also asks the holder thread for a hold (request_hold()).
 */
static __always_inline __u64 wakeup_for(const struct ms_file *f, bool exec)
{
	if (!exec)
		return QUIET_WAKEUP;
	if (f->file_flags & MS_FILE_UNLINKED)
		return BPF_RB_FORCE_WAKEUP; /* each memfd or deleted file is a new one: no need to remember it */
	struct seen_file k = {.ino = f->ino, .ctime_sec = f->ctime_sec, .ctime_nsec = f->ctime_nsec, .dev = f->dev};
	if (bpf_map_lookup_elem(&seen_files, &k))
		return QUIET_WAKEUP;
	__u8 one = 1;
	bpf_map_update_elem(&seen_files, &k, &one, BPF_ANY);
	return BPF_RB_FORCE_WAKEUP;
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 10); /* the recorder sets KernelPrograms.HOLD_RING_BYTES before load */
} holds SEC(".maps");

/*
 * Asks the holder thread to hold the file mapped at [start, end) by tgid now (struct ms_hold_request). Only for
 * records that wake user space: a few per new executable file, never the storm's. A full ring loses only the
 * head start: the writer still holds the file when it drains the record.
 */
static __always_inline void request_hold(__u64 pid_tgid, __u64 start, __u64 end, __u64 ino, __u32 dev, __u64 ktime)
{
	struct ms_hold_request *h = bpf_ringbuf_reserve(&holds, sizeof(*h), 0);
	if (!h)
		return;
	h->ktime_ns = ktime;
	h->start = start;
	h->end = end;
	h->ino = ino;
	h->dev = dev;
	h->tgid = pid_tgid >> 32;
	bpf_ringbuf_submit(h, BPF_RB_FORCE_WAKEUP);
}

/*
 * bpf_get_current_pid_tgid() without the helper call. On these machines every helper call costs more than
 * its work: the kernel's return-stack mitigation (spec_rstack_overflow: Safe RET) makes each return dear
 * (docs/RECORDER.md, "Helper calls").
 */
static __always_inline __u64 current_pid_tgid(struct task_struct *task)
{
	return ((__u64)task->tgid << 32) | (__u32)task->pid;
}

/*
 * The task_view of a task, by direct BTF loads (no helper call: this runs for every record). The ids and the
 * namespace are what MS_TASK reports, not the cred and nsproxy pointers: a freed cred reallocated at the same
 * address with other ids would pass a pointer comparison.
 */
static __always_inline void view_task(struct task_struct *task, struct task_view *v)
{
	const struct cred *cred = task->cred;
	v->ids = ((__u64)cred->uid.val << 32) | cred->gid.val;
	v->eids = ((__u64)cred->euid.val << 32) | cred->egid.val;
	v->mntns = task->nsproxy->mnt_ns->ns.inum;
	v->real_parent = (__u64)task->real_parent;
	v->comm[0] = *(__u64 *)&task->comm[0];
	v->comm[1] = *(__u64 *)&task->comm[8];
	v->personality = task->personality;
}

static __always_inline bool same_view(const struct task_view *a, const struct task_view *b)
{
	return a->ids == b->ids && a->eids == b->eids && a->mntns == b->mntns && a->real_parent == b->real_parent &&
	       a->comm[0] == b->comm[0] && a->comm[1] == b->comm[1] && a->personality == b->personality;
}

/* Writes the MS_TASK of task as `v` sees it; false when the ring is full. */
static __always_inline bool emit_task(struct task_struct *task, __u64 pid_tgid, const struct task_view *v, __u64 start_ns)
{
	struct ms_task *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_loss();
		return false;
	}
	fill_hdr(&r->h, MS_TASK, sizeof(*r), 0, pid_tgid);
	struct task_struct *rp = BPF_CORE_READ(task, real_parent);
	r->ppid = BPF_CORE_READ(rp, tgid);
	r->uid = v->ids >> 32;
	r->gid = (__u32)v->ids;
	r->euid = v->eids >> 32;
	r->egid = (__u32)v->eids;
	r->mntns = v->mntns;
	r->start_ns = start_ns;
	r->leader_start_ns = BPF_CORE_READ(task, group_leader, start_time);
	r->parent_start_ns = BPF_CORE_READ(rp, group_leader, start_time);
	__builtin_memcpy(r->comm, v->comm, sizeof(r->comm));
	r->personality = v->personality;
	r->_pad = 0;
	bpf_ringbuf_submit(r, QUIET_WAKEUP);
	__sync_fetch_and_add(&task_ctx_epoch, 1);
	return true;
}

/* The process's marks (TASK_F_*): in its group leader's task storage; ctx is the task's own. */
static __always_inline __u64 process_flags(struct task_struct *task, struct task_ctx *ctx)
{
	struct task_struct *leader = task->group_leader;
	if (leader == task)
		return ctx->flags;
	struct task_ctx *lctx = bpf_task_storage_get(&task_ctxs, leader, 0, 0);
	return lctx ? lctx->flags : 0;
}

/*
 * A task's first record: a new process (its leader's first record, its return from fork) starts with its parent
 * process's marks, as inherit_marks() gives it at the fork in the tp_btf program. The raw_tp fork program cannot
 * (the child is an untyped pointer there, which task storage does not take): this covers it, a moment later. A
 * parent marked in between hands on a mark the child may not need (a VMA lookup for its mprotects that add
 * PROT_EXEC, nothing more); a parent gone by then hands on nothing (the real parent is then the reaper), and the
 * child's file waits for the writer's next drain, as before.
 */
static __always_inline void inherit_marks_at_first_record(struct task_struct *task, struct task_ctx *ctx)
{
	if (task->group_leader != task)
		return; /* a thread shares its leader's marks */
	struct task_struct *parent = task->real_parent;
	if (!parent)
		return;
	struct task_ctx *pctx = bpf_task_storage_get(&task_ctxs, parent->group_leader, 0, 0);
	if (pctx)
		ctx->flags |= pctx->flags & TASK_F_NONEXEC_FILE;
}

/*
 * Emit MS_TASK when this task has no record yet or its credentials,
 * namespaces, parent, comm or personality changed since the last one (force: always).
 */
static __always_inline void task_context(struct task_struct *task, __u64 pid_tgid, bool force)
{
	struct task_view now;
	view_task(task, &now);
	__u64 start_ns = task->start_time;
	/* Read before the task storage below, so that an MS_TASK written elsewhere before it is seen here. */
	__u64 epoch = *(volatile __u64 *)&task_ctx_epoch;
	__u32 zero = 0;
	struct last_task *last = bpf_map_lookup_elem(&last_tasks, &zero);
	if (!last)
		return;
	if (!force && last->task == (__u64)task && last->pid_tgid == pid_tgid && last->start_ns == start_ns &&
	    last->epoch == epoch && same_view(&last->seen, &now))
		return; /* the common case: the same task as the last record on this CPU, nothing changed */

	struct task_ctx *ctx = bpf_task_storage_get(&task_ctxs, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ctx)
		return;
	last->task = 0; /* no entry until this task's context is confirmed below (a lost MS_TASK leaves none) */
	if (force || !same_view(&ctx->said, &now)) {
		if (!emit_task(task, pid_tgid, &now, start_ns)) {
			ctx->said.mntns = 0; /* no namespace has inode 0: the next record tries again */
			return;
		}
		ctx->said = now;
	}
	if (!(ctx->flags & TASK_F_SEEN)) {
		ctx->flags |= TASK_F_SEEN;
		inherit_marks_at_first_record(task, ctx);
	}
	last->pid_tgid = pid_tgid;
	last->start_ns = start_ns;
	last->epoch = epoch;
	last->flags = process_flags(task, ctx);
	last->seen = now;
	last->task = (__u64)task;
}

/* ---- file → path ---------------------------------------------------------- */

struct walk_ctx {
	struct path_parts *pp;
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	__u32 mounts;
};

/* One step up the dentry chain; at a mount's root, continue at its mount point. */
static long walk_step(__u32 i, struct walk_ctx *w)
{
	struct dentry *d = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt; /* a local: CO-RE cannot relocate through our own struct */
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	if (d == mnt_root || d == parent) {
		struct mount *mnt = w->mnt;
		struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (d != mnt_root || mnt == mnt_parent || w->mounts >= MAX_MOUNTS) {
			/* The root of the namespace, or an internal mount (memfd, pipe, anon): its
			 * own name ("memfd:x") is all the path there is. */
			if (d != mnt_root && w->pp->count == 0)
				goto push;
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = mnt_parent;
		w->vfsmnt = &mnt_parent->mnt;
		w->mounts++;
		return 0;
	}
push:;
	struct path_parts *pp = w->pp;
	__u32 n = pp->count;
	if (n >= MAX_PATH_DEPTH) {
		pp->truncated = 1;
		return 1;
	}
	struct qstr name = BPF_CORE_READ(d, d_name);
	pp->name[n] = (__u64)name.name;
	pp->len[n] = name.len;
	pp->count = n + 1;
	pp->total += name.len + 1;
	if (d == parent)
		return 1;
	w->dentry = parent;
	return 0;
}

struct copy_ctx {
	struct path_parts *pp;
	__u8 *dst;      /* where the path starts */
	__u32 off;      /* bytes written */
	__u32 skip;     /* leading bytes to drop when the path is longer than MS_PATH_MAX */
};

/* Append "/" + one component (root first: index count-1 down to 0). */
static long copy_step(__u32 i, struct copy_ctx *c)
{
	struct path_parts *pp = c->pp;
	__u32 n = pp->count;
	if (i >= n)
		return 1;
	__u32 k = n - 1 - i;
	if (k >= MAX_PATH_DEPTH)
		return 1;
	__u32 len = pp->len[k] & 255;
	if (c->skip > 0) {
		/*
		 * Drop whole leading components until the rest fits, the one that holds the last
		 * byte to drop included: keeping it made the path run out of room at its end, which
		 * lost the file's own name instead of the leading directories.
		 */
		c->skip = c->skip > len + 1 ? c->skip - (len + 1) : 0;
		return 0;
	}
	__u32 off = c->off;
	if (off + len + 1 > MS_PATH_MAX)
		return 1;
	c->dst[off & (MS_PATH_MAX - 1)] = '/';
	off++;
	bpf_probe_read_kernel(c->dst + (off & (MS_PATH_MAX - 1)), len, (void *)pp->name[k]);
	c->off = off + len;
	return 0;
}

/*
 * Fill `f` for `file` and write its path at `dst` (room for MS_PATH_MAX bytes
 * plus slack). Returns the path length.
 */
static __always_inline __u32 describe_file(struct file *file, struct ms_file *f, __u8 *dst)
{
	__u32 zero = 0;
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	f->ino = BPF_CORE_READ(inode, i_ino);
	f->size = BPF_CORE_READ(inode, i_size);
	f->mode = BPF_CORE_READ(inode, i_mode);
	f->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	if (bpf_core_field_exists(inode->i_ctime_sec)) {
		f->ctime_sec = BPF_CORE_READ(inode, i_ctime_sec);
		/* 6.13+ keeps a flag in bit 31 of the nanoseconds (I_CTIME_QUERIED). */
		f->ctime_nsec = BPF_CORE_READ(inode, i_ctime_nsec) & 0x7fffffff;
	} else if (bpf_core_field_exists(((struct inode___pre611 *)inode)->__i_ctime)) {
		struct inode___pre611 *old = (void *)inode;
		f->ctime_sec = BPF_CORE_READ(old, __i_ctime.tv_sec);
		f->ctime_nsec = BPF_CORE_READ(old, __i_ctime.tv_nsec);
	} else {
		struct inode___pre66 *old = (void *)inode;
		f->ctime_sec = BPF_CORE_READ(old, i_ctime.tv_sec);
		f->ctime_nsec = BPF_CORE_READ(old, i_ctime.tv_nsec);
	}
	f->file_flags = 0;
	f->path_len = 0;

	struct path_parts *pp = bpf_map_lookup_elem(&path_partss, &zero);
	if (!pp)
		return 0;
	pp->count = 0;
	pp->total = 0;
	pp->truncated = 0;
	struct walk_ctx w = {};
	w.pp = pp;
	w.dentry = BPF_CORE_READ(file, f_path.dentry);
	w.vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	w.mnt = container_of(w.vfsmnt, struct mount, mnt);
	if (!w.dentry) {
		f->file_flags = MS_FILE_NO_PATH;
		return 0;
	}
	/*
	 * Unlinked, as d_path() decides " (deleted)": a dentry out of the hash table that is not a root,
	 * or a pseudo file's root-like dentry that is not its mount's root (memfd, shmem: simple_dname()
	 * always prints those " (deleted)").
	 */
	struct dentry *leaf = w.dentry;
	struct vfsmount *leaf_mnt = BPF_CORE_READ(file, f_path.mnt); /* a local: CO-RE reads need a BTF-typed pointer */
	if (!BPF_CORE_READ(leaf, d_hash.pprev) &&
	    (BPF_CORE_READ(leaf, d_parent) != leaf || BPF_CORE_READ(leaf_mnt, mnt_root) != leaf))
		f->file_flags |= MS_FILE_UNLINKED;
	bpf_loop(MAX_PATH_DEPTH + MAX_MOUNTS, walk_step, &w, 0);

	struct copy_ctx c = {};
	c.pp = pp;
	c.dst = dst;
	__u32 total = pp->total;
	if (total > MS_PATH_MAX) {
		c.skip = total - MS_PATH_MAX;
		pp->truncated = 1;
	}
	bpf_loop(MAX_PATH_DEPTH, copy_step, &c, 0);
	if (pp->truncated)
		f->file_flags |= MS_FILE_PATH_TRUNCATED;
	if (c.off == 0)
		f->file_flags |= MS_FILE_NO_PATH;
	f->path_len = c.off;
	return c.off;
}

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * The file at fd in task's table, by direct loads: no helper call, since every write of the host asks (writes()).
 * The verifier types fdt->fd, an array of pointers, as a number, so the slot is read as what it holds, a struct
 * file pointer: the first member of a struct kiocb (ki_filp), through bpf_rdonly_cast() (no call either: the
 * verifier turns it into a move; the load is guarded as every load from a BTF pointer is). task must be a BTF
 * pointer (bpf_get_current_task_btf()).
 */
static __always_inline struct file *file_of_fd(struct task_struct *task, int fd)
{
	struct files_struct *files = task->files;
	if (fd < 0 || !files)
		return 0;
	struct fdtable *fdt = files->fdt;
	if ((unsigned int)fd >= fdt->max_fds)
		return 0;
	__u64 slot = (__u64)fdt->fd + (__u64)fd * sizeof(struct file *);
	struct kiocb *k = bpf_rdonly_cast((void *)slot, bpf_core_type_id_kernel(struct kiocb));
	return k->ki_filp;
}

/*
 * The VMA at an address: its file, its extent (io_setup's ring, which no argument of the call gives) and its NUMA
 * policy (mbind's; read after the lookup, as the file is: a policy another thread replaces meanwhile is freed after an
 * RCU grace period, and the loads are fault-guarded).
 */
struct vma_file_ctx {
	struct file *file;
	__u64 start, end;
	struct mempolicy *policy;
	__u64 vm_flags;
};

static long vma_file_cb(struct task_struct *task, struct vm_area_struct *vma, struct vma_file_ctx *c)
{
	c->file = vma->vm_file;
	c->start = vma->vm_start;
	c->end = vma->vm_end;
	c->policy = vma->vm_policy;
	c->vm_flags = vma->vm_flags;
	return 0;
}

/*
 * The file a successful mmap mapped: the vm_file of the VMA now at its address. Exact where the fd is not: by
 * sys_exit another thread may have closed the fd or dup2()ed another file onto it (scripts/workloads/fdrace.c
 * made 5 % of its mmaps name the wrong file that way). bpf_find_vma() takes the mmap lock with a trylock;
 * when that fails (-EBUSY), or the range was unmapped again meanwhile (-ENOENT), the caller falls back to the fd.
 */
/*
 * Whether a shared mapping's file is the one shmem_zero_setup() makes for MAP_SHARED|MAP_ANONYMOUS memory: its dentry is
 * named "dev/zero" (/proc/PID/maps shows "/dev/zero (deleted)"), a name no other file has: a dentry's name holds no
 * '/', and a memfd's begins "memfd:".
 */
static __always_inline bool is_shared_anon_file(struct file *f)
{
	char name[9] = {};
	const unsigned char *n = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel(name, sizeof(name), n))
		return false;
	return name[0] == 'd' && name[1] == 'e' && name[2] == 'v' && name[3] == '/' && name[4] == 'z' && name[5] == 'e'
	       && name[6] == 'r' && name[7] == 'o' && name[8] == 0;
}

static __always_inline struct file *file_of_mapping(struct task_struct *task, __u64 addr)
{
	struct vma_file_ctx c = {};
	if (bpf_find_vma(task, addr, vma_file_cb, &c, 0))
		return 0;
	return c.file;
}

/*
 * A loader can map a memfd writable, fill it, and only then make it (or its code pages) executable with mprotect,
 * whose record names no file: the recorder then holds the file only at its next drain, 1-8 ms later, after a
 * process that lives a millisecond has exited (scripts/bench-flash with FLIP=whole lost 14-18 of 20 such files).
 * So a process that maps, without PROT_EXEC, a file through which code can be staged (stages_code(): a nameless file,
 * memfd or unlinked, or a named one mapped shared and writable) is marked, and an mprotect that makes something
 * executable in a marked process, by any of its threads, looks up the VMA, and when a file backs it, asks for a hold
 * and wakes user space. Only those mark: every dynamically linked process maps its libraries without PROT_EXEC
 * first (ld.so, private mappings), and a named file mapped privately is still held by its path at the next drain.
 * The storm's processes are never marked: for their mprotect this is a load of the per-CPU entry and a test of its
 * flag.
 *
 * stages_code(): a named file mapped shared and writable can be written through the mapping, then unlinked before
 * the process exits, as a memfd can.
 */
static __always_inline bool stages_code(const struct ms_file *f, const struct ms_mmap *r)
{
	return (f->file_flags & MS_FILE_UNLINKED) || ((r->flags & MAP_SHARED_) && (r->prot & PROT_WRITE_));
}

static __always_inline void mark_nonexec_file(struct task_struct *task)
{
	struct task_ctx *ctx = bpf_task_storage_get(&task_ctxs, task->group_leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ctx || (ctx->flags & TASK_F_NONEXEC_FILE))
		return;
	ctx->flags |= TASK_F_NONEXEC_FILE;
	/*
	 * Every CPU's entry now fails its epoch check and is confirmed again at its next record, copying the mark: a
	 * thread of this process whose entry on some CPU predates the mark (another thread, or this one before it
	 * moved) sees it at its next mprotect. Marks are rare (once per process that stages_code()).
	 */
	__sync_fetch_and_add(&task_ctx_epoch, 1);
}

/*
 * A child process (not a thread: threads share the leader's marks) starts with a copy of its parent's address space,
 * the nameless mapping included, so it starts with the parent's marks. Only the tp_btf fork program does this: the
 * raw_tp one gets the child as an untyped pointer, which task storage does not take (there the child's first
 * record does it: inherit_marks_at_first_record()).
 */
static __always_inline void inherit_marks(struct task_struct *parent, struct task_struct *child)
{
	if (BPF_CORE_READ(child, tgid) == BPF_CORE_READ(parent, tgid))
		return;
	struct task_ctx *pctx = bpf_task_storage_get(&task_ctxs, parent->group_leader, 0, 0);
	if (!pctx || !(pctx->flags & TASK_F_NONEXEC_FILE))
		return;
	struct task_ctx *cctx = bpf_task_storage_get(&task_ctxs, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (cctx)
		cctx->flags |= pctx->flags & TASK_F_NONEXEC_FILE;
}

/* The mprotect at [addr, addr + len) just succeeded and added PROT_EXEC: true when it asked for a hold. */
static __always_inline bool made_executable(struct task_struct *task, __u64 pid_tgid, __u64 addr, __u64 len,
					    __u64 ktime)
{
	__u32 zero = 0;
	struct last_task *last = bpf_map_lookup_elem(&last_tasks, &zero);
	/* The entry was confirmed by task_context() for this record, after any mark (a mark moves the epoch on). */
	if (!last || last->task != (__u64)task || !(last->flags & TASK_F_NONEXEC_FILE))
		return false;
	struct file *file = file_of_mapping(task, addr);
	if (!file)
		return false;
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	/* The part made executable is a VMA of its own after the call: the map_files entry the holder opens. */
	request_hold(pid_tgid, addr, addr + ((len + 4095) & ~4095UL), BPF_CORE_READ(inode, i_ino),
		     BPF_CORE_READ(inode, i_sb, s_dev), ktime);
	return true;
}

static __always_inline struct scratch *scratch_buf(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&scratches, &zero);
}

static __always_inline __u32 round8(__u32 n)
{
	return (n + 7) & ~7u;
}

/* Clear the bytes between a record's end and its 8-byte-rounded size: no stale scratch bytes in the journal. */
static __always_inline void zero_pad(struct scratch *s, __u32 end)
{
	__u32 at = end & (SCRATCH_SIZE / 2 - 1);
	__builtin_memset(s->buf + at, 0, 8);
}

/*
 * A record's file part, built in the scratch buffer after its fixed part (`at` bytes): struct ms_file, then the
 * path. Returns the record's size, padded to 8 bytes (the padding zeroed). The caller adds MS_F_FILE.
 */
static __always_inline __u32 append_file(struct scratch *s, __u32 at, struct file *file)
{
	struct ms_file *f = (void *)(s->buf + at);
	__u32 plen = describe_file(file, f, s->buf + at + sizeof(struct ms_file));
	__u32 end = at + sizeof(struct ms_file) + (plen & (2 * MS_PATH_MAX - 1));
	zero_pad(s, end);
	return round8(end);
}

/* ---- syscalls --------------------------------------------------------------- */

/* The kernel's path_noexec(): the file's mount, or its filesystem, forbids executing from it. */
static __always_inline bool path_noexec(struct file *file)
{
	return (BPF_CORE_READ(file, f_path.mnt, mnt_flags) & MNT_NOEXEC_) ||
	       (BPF_CORE_READ(file, f_path.mnt, mnt_sb, s_iflags) & SB_I_NOEXEC_);
}

/*
 * The rest of an MS_MMAP record built in the scratch buffer (the fixed part filled): the file part when a file
 * backs the mapping, the header, the hold request of an executable file user space may not hold yet, and the
 * submission. Shared by mmap and shmat (MS_F_SHMAT).
 */
static __always_inline void finish_mapping(struct task_struct *task, struct scratch *s, struct file *file, long ret,
					   __u64 pid_tgid, __u16 flags)
{
	struct ms_mmap *r = (void *)s->buf;
	__u32 size = sizeof(*r);
	__u64 wakeup = QUIET_WAKEUP;
	if (file) {
		struct ms_file *f = (void *)(s->buf + sizeof(struct ms_mmap));
		size = append_file(s, sizeof(struct ms_mmap), file);
		flags |= MS_F_FILE;
		/* PROT_READ implies PROT_EXEC for such a task, but not on a noexec mount (do_mmap()): the analyzer needs to know */
		if ((task->personality & READ_IMPLIES_EXEC_) && path_noexec(file))
			f->file_flags |= MS_FILE_NOEXEC;
		/* a successful call only: a failed one mapped nothing to hold */
		wakeup = wakeup_for(f, ret >= 0 && (r->prot & PROT_EXEC_));
		if (ret >= 0 && !(r->prot & PROT_EXEC_) && stages_code(f, r))
			mark_nonexec_file(task);
	}
	fill_hdr(&r->h, MS_MMAP, size, flags, pid_tgid);
	if (wakeup == BPF_RB_FORCE_WAKEUP) {
		struct ms_file *f = (void *)(s->buf + sizeof(struct ms_mmap));
		request_hold(pid_tgid, ret, ret + r->len, f->ino, f->dev, r->h.ktime_ns);
	}
	submit_or_count(s->buf, size & SCRATCH_MASK, wakeup);
}

/*
 * LSM tier: the exact file security_mmap_file saw for this call (no race with a concurrent close()), taken so that
 * the task's next call does not take it for its own; 0 in the syscall tier.
 */
static __always_inline struct file *lsm_file(struct task_struct *task)
{
	struct file *file = 0;
#ifdef MS_LSM_TIER
	struct task_ctx *ctx = bpf_task_storage_get(&task_ctxs, task, 0, 0);
	if (ctx && ctx->file) {
		file = (struct file *)ctx->file;
		ctx->file = 0;
	}
#endif
	return file;
}

/* flags: MS_F_COMPAT for a 32-bit call recorded as this one (record_sys_exit()), else 0; so for the rest below. */
static __always_inline void on_mmap(struct task_struct *task, struct pt_regs *regs, long ret, __u64 pid_tgid, __u16 flags)
{
	struct scratch *s = scratch_buf();
	if (!s)
		return;
	struct ms_mmap *r = (void *)s->buf;
	r->addr = regs->di;
	r->len = regs->si;
	r->prot = regs->dx;
	r->flags = regs->r10;
	r->fd = (__s32)regs->r8; /* low 32 bits: the register holds -1 zero-extended */
	r->_pad = 0;
	r->off = regs->r9;
	r->ret = ret;

	struct file *file = lsm_file(task);
	if (flags & MS_F_ARGS_FROM_VMA) {
		/*
		 * old_mmap: its arguments were read from the caller's memory as the call returned, and another thread may have
		 * rewritten them since the kernel read them (to hide PROT_EXEC, or a file behind MAP_ANONYMOUS): the VMA the
		 * call made says what the kernel did. Its protection (VM_READ, VM_WRITE, VM_EXEC are PROT_*'s bits), shared or
		 * private (VM_MAYSHARE), and its file, or none: private anonymous memory has no file, shared anonymous memory
		 * the shmem file shmem_zero_setup() made for it (is_shared_anon_file()).
		 */
		struct vma_file_ctx v = {};
		if (ret >= 0 && !bpf_find_vma(task, ret, vma_file_cb, &v, 0) && v.start <= (__u64)ret) {
			bool shared = v.vm_flags & VM_MAYSHARE_;
			bool anon = !v.file || (shared && is_shared_anon_file(v.file));
			r->prot = v.vm_flags & (PROT_READ_ | PROT_WRITE_ | PROT_EXEC_);
			r->flags = (r->flags & ~(MAP_SHARED_ | MAP_PRIVATE_ | MAP_ANONYMOUS_)) | (shared ? MAP_SHARED_ : MAP_PRIVATE_)
				   | (anon ? MAP_ANONYMOUS_ : 0);
			file = anon ? 0 : v.file;
		} else {
			flags &= ~MS_F_ARGS_FROM_VMA; /* no VMA to ask (failed, unmapped again, lock contended): the arguments */
		}
	}
	if (!file && !(r->flags & MAP_ANONYMOUS_)) {
		if (ret >= 0) /* an address: the call succeeded (user addresses are positive) */
			file = file_of_mapping(task, ret);
		if (!file)
			file = file_of_fd(task, r->fd); /* a failed attempt names the file its fd named */
	}
	finish_mapping(task, s, file, ret, pid_tgid, flags);
}

#define SHM_RDONLY_ 010000
#define SHM_EXEC_ 0100000

/*
 * shmat(2): a System V shared memory segment mapped shared, as an MS_MMAP with MS_F_SHMAT: addr is shmaddr, flags
 * the raw shmflg, fd the shmid; prot the protection the kernel gives the mapping (read, write unless SHM_RDONLY,
 * exec with SHM_EXEC); len the segment's size (its file's, 0 when the call failed). The file is the segment's
 * ("/SYSV<key> (deleted)"), from the VMA the call made, so an executable attach is held and hashed like a memfd.
 */
static __always_inline void on_shmat(struct task_struct *task, struct pt_regs *regs, long ret, __u64 pid_tgid,
				    __u16 flags)
{
	struct scratch *s = scratch_buf();
	if (!s)
		return;
	struct ms_mmap *r = (void *)s->buf;
	__u32 shmflg = regs->dx;
	r->addr = regs->si;
	r->len = 0;
	r->prot = PROT_READ_ | (shmflg & SHM_RDONLY_ ? 0 : PROT_WRITE_) | (shmflg & SHM_EXEC_ ? PROT_EXEC_ : 0);
	r->flags = shmflg;
	r->fd = (__s32)regs->di;
	r->_pad = 0;
	r->off = 0;
	r->ret = ret;
	struct file *file = lsm_file(task); /* shmat passes security_mmap_file too */
	if (!file && ret >= 0)
		file = file_of_mapping(task, ret);
	if (file)
		r->len = BPF_CORE_READ(file, f_inode, i_size);
	finish_mapping(task, s, file, ret, pid_tgid, MS_F_SHMAT | flags);
}

/*
 * io_setup(nr_events, ctxp): on success the kernel mapped the AIO ring, shared and writable, and wrote its address
 * (the aio_context_t) to *ctxp. Recorded as an MS_MMAP with MS_F_AIO: that address as ret, the ring's VMA's extent
 * and file (looked up: no argument gives them; a len of 0 when the lookup failed: the mmap lock contended).
 */
static __always_inline void on_io_setup(struct task_struct *task, struct pt_regs *regs, long ret, __u64 pid_tgid,
					__u16 flags)
{
	struct scratch *s = scratch_buf();
	if (!s)
		return;
	struct ms_mmap *r = (void *)s->buf;
	struct vma_file_ctx v = {};
	__u64 ring = 0;
	if (ret == 0 && !bpf_probe_read_user(&ring, sizeof(ring), (void *)regs->si))
		bpf_find_vma(task, ring, vma_file_cb, &v, 0);
	bool found = ring != 0 && v.start == ring;
	r->addr = 0;
	r->len = found ? v.end - v.start : 0;
	r->prot = PROT_READ_ | PROT_WRITE_;
	r->flags = MAP_SHARED_;
	r->fd = (__s32)regs->di;
	r->_pad = 0;
	r->off = 0;
	r->ret = ret == 0 ? (long)ring : ret;
	finish_mapping(task, s, found ? v.file : 0, r->ret, pid_tgid, MS_F_AIO | flags);
}

static __always_inline void on_mprotect(struct task_struct *task, struct pt_regs *regs, long ret, __u64 pid_tgid,
					bool pkey, __u16 flags)
{
	struct ms_mprotect *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_loss();
		return;
	}
	fill_hdr(&r->h, MS_MPROTECT, sizeof(*r), flags | (pkey ? MS_F_PKEY : 0), pid_tgid);
	r->addr = regs->di;
	r->len = regs->si;
	r->prot = regs->dx;
	r->pkey = pkey ? (__s32)regs->r10 : -1;
	r->ret = ret;
	__u64 wakeup = QUIET_WAKEUP;
	if (ret == 0 && (r->prot & PROT_EXEC_) && made_executable(task, pid_tgid, r->addr, r->len, r->h.ktime_ns))
		wakeup = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(r, wakeup);
}

static __always_inline void on_munmap(struct pt_regs *regs, long ret, __u64 pid_tgid, __u16 flags)
{
	struct ms_munmap *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_loss();
		return;
	}
	fill_hdr(&r->h, MS_MUNMAP, sizeof(*r), flags, pid_tgid);
	r->addr = regs->di;
	r->len = regs->si;
	r->ret = ret;
	bpf_ringbuf_submit(r, QUIET_WAKEUP);
}

static __always_inline void on_mremap(struct pt_regs *regs, long ret, __u64 pid_tgid, __u16 flags)
{
	struct ms_mremap *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_loss();
		return;
	}
	fill_hdr(&r->h, MS_MREMAP, sizeof(*r), flags, pid_tgid);
	r->old_addr = regs->di;
	r->old_len = regs->si;
	r->new_len = regs->dx;
	r->flags = regs->r10;
	r->_pad = 0;
	r->new_addr = regs->r8;
	r->ret = ret;
	bpf_ringbuf_submit(r, QUIET_WAKEUP);
}

static __always_inline void on_brk(struct task_struct *task, struct pt_regs *regs, long ret, __u64 pid_tgid,
				   __u16 flags)
{
	struct ms_brk *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_loss();
		return;
	}
	fill_hdr(&r->h, MS_BRK, sizeof(*r), flags, pid_tgid);
	r->addr = regs->di;
	r->start_brk = BPF_CORE_READ(task, mm, start_brk);
	r->ret = ret;
	bpf_ringbuf_submit(r, QUIET_WAKEUP);
}

/* The call of an MS_SYSCALL: its number, the six argument registers as passed, the result. */
static __always_inline void fill_syscall(struct ms_syscall *r, struct pt_regs *regs, __u32 nr, long ret)
{
	r->nr = nr;
	r->_pad = 0;
	r->args[0] = regs->di;
	r->args[1] = regs->si;
	r->args[2] = regs->dx;
	r->args[3] = regs->r10;
	r->args[4] = regs->r8;
	r->args[5] = regs->r9;
	r->ret = ret;
}

/*
 * An MS_SYSCALL of `size` bytes reserved in the ring, its header and call filled: the caller fills its parts (after the
 * fixed part) and submits it. Null, the loss counted, when the ring is full.
 */
static __always_inline struct ms_syscall *reserve_syscall(struct pt_regs *regs, __u32 nr, long ret, __u64 pid_tgid,
							  __u16 flags, __u32 size)
{
	struct ms_syscall *r = bpf_ringbuf_reserve(&events, size, 0);
	if (!r) {
		count_loss();
		return 0;
	}
	fill_hdr(&r->h, MS_SYSCALL, size, flags, pid_tgid);
	fill_syscall(r, regs, nr, ret);
	return r;
}

static __always_inline void on_syscall(struct pt_regs *regs, __u32 nr, long ret, __u64 pid_tgid, __u16 flags)
{
	struct ms_syscall *r = reserve_syscall(regs, nr, ret, pid_tgid, flags, sizeof(*r));
	if (r)
		bpf_ringbuf_submit(r, QUIET_WAKEUP);
}

/*
 * A raw call with the address part (MS_F_ADDR) and no file: prctl(PR_SET_MM)'s program break as the call returned.
 */
static __always_inline void on_syscall_at(struct pt_regs *regs, __u32 nr, long ret, __u64 pid_tgid, __u16 flags,
					  __u64 addr)
{
	struct ms_syscall *r = reserve_syscall(regs, nr, ret, pid_tgid, flags | MS_F_ADDR,
					       sizeof(struct ms_syscall) + sizeof(struct ms_addr));
	if (!r)
		return;
	((struct ms_addr *)(r + 1))->addr = addr;
	bpf_ringbuf_submit(r, QUIET_WAKEUP);
}

/*
 * An open that succeeded for writing, which may be of a process's memory file: the flags register of open and
 * openat; openat2's are the first field of its struct open_how, in the caller's memory. O_PATH opens nothing for
 * writing. Read-only opens, most of a host's, end here before any helper call.
 */
static __always_inline bool opens_for_write(long nr, struct pt_regs *regs, long ret)
{
	if (ret < 0)
		return false;
	__u64 flags;
	if (nr == NR_OPENAT2) {
		if (bpf_probe_read_user(&flags, sizeof(flags), (void *)regs->dx))
			return false;
	} else {
		flags = nr == NR_OPEN ? regs->si : regs->dx;
	}
	/* In a register here: clang would otherwise load once through a pointer to either the registers or the stack,
	 * which the verifier refuses ("same insn cannot be used with different pointers"). */
	asm volatile("" : "+r"(flags));
	return (flags & O_ACCMODE_) != 0 && !(flags & O_PATH_);
}

/*
 * Whether file's dentry is named want (len bytes, a constant of at most 16). Direct loads: file is a BTF pointer
 * (file_of_fd()); the name's bytes are one helper read.
 */
static __always_inline bool dentry_named(struct file *file, const char *want, __u32 len)
{
	struct qstr name = file->f_path.dentry->d_name;
	char n[16] = {};
	if (name.len != len || len > sizeof(n) || bpf_probe_read_kernel(n, len, name.name))
		return false;
#pragma unroll
	for (__u32 i = 0; i < sizeof(n); i++) {
		if (i < len && n[i] != want[i])
			return false;
	}
	return true;
}

/*
 * A process's memory file, /proc/PID/mem or /proc/PID/task/TID/mem: "mem" in procfs. Writing it writes the
 * process's pages through their protection, as ptrace's POKETEXT does (DDexec overwrites its own code so through
 * /proc/self/mem); the open is recorded, with the file's path, which names the process.
 */
static __always_inline bool is_proc_mem(struct file *file)
{
	/* every write of the host that gets this far asks: the superblock's magic first, the name only for procfs's */
	return file && file->f_inode->i_sb->s_magic == PROC_SUPER_MAGIC_ && dentry_named(file, "mem", 3);
}

/*
 * The calls that write an fd's file: recorded when the file is a process's memory file (is_proc_mem()). Each of the
 * host's writes pays a look at its fd's file for this (file_of_fd(), is_proc_mem(): direct loads, no helper call).
 */
static __always_inline bool writes(long nr)
{
	return nr == NR_WRITE || nr == NR_PWRITE64 || nr == NR_WRITEV || nr == NR_PWRITEV || nr == NR_PWRITEV2;
}

/*
 * Where a write into a memory file began, which is the address it wrote in the process: pwrite's position argument
 * (pwritev2's unless -1), else the file position, which the call moved past the bytes it wrote (mem_rw() moves it
 * so). Another thread moving the same file's position between the write and here would make this wrong; a
 * failed write moved nothing.
 */
static __always_inline __u64 write_pos(struct file *file, struct pt_regs *regs, long nr, long ret)
{
	if (nr == NR_PWRITE64 || nr == NR_PWRITEV || (nr == NR_PWRITEV2 && (long)regs->r10 != -1))
		return regs->r10;
	if (!file) /* never here (is_proc_mem() took it), but the verifier cannot tell */
		return 0;
	return file->f_pos - (ret > 0 ? ret : 0);
}

/* Where iovec arrays are read in the scratch buffer: past any record built at its start (a path ends by 8 KiB + 4 KiB). */
#define IOVECS_SCRATCH_OFF (SCRATCH_SIZE - MS_IOVECS_MAX * sizeof(struct ms_iovec))

/*
 * Reads the first `n` (at most MS_IOVECS_MAX) entries of the iovec array at `iov` in the caller's memory into `dst`
 * (read as a call returns, another thread of the caller could have changed the array since the kernel read it): their
 * size in bytes, or -1 when the array cannot be read. One helper call, whatever n.
 */
/* The bytes of n iovecs, in a form the verifier sees bounded; over MS_IOVECS_MAX entries' when n is. */
static __always_inline __u32 iovecs_bytes(__u64 n)
{
	return (n * sizeof(struct ms_iovec)) & (2 * MS_IOVECS_MAX * sizeof(struct ms_iovec) - 1);
}

static __always_inline long read_iovecs(struct ms_iovec *dst, __u64 iov, __u64 n)
{
	__u32 bytes = iovecs_bytes(n);
	if (bytes > MS_IOVECS_MAX * sizeof(*dst) || bpf_probe_read_user(dst, bytes, (void *)iov))
		return -1;
	return bytes;
}

/*
 * The total length of the iovec array of `count` entries at `iov` in the caller's memory: what a vectored write asked
 * to write. -1 when it cannot be told: more than MS_IOVECS_MAX entries, or an array that cannot be read.
 */
static __always_inline __s64 iovecs_total(struct scratch *s, __u64 iov, __u64 count)
{
	if (count > MS_IOVECS_MAX)
		return -1;
	struct ms_iovec *v = (void *)(s->buf + IOVECS_SCRATCH_OFF);
	if (read_iovecs(v, iov, count) < 0)
		return -1;
	__u64 total = 0;
#pragma unroll
	for (int i = 0; i < MS_IOVECS_MAX; i++) {
		if (i >= count)
			break;
		total += v[i].len;
	}
	return total;
}

/*
 * A ranges part of one range (the caller sets MS_F_IOVECS) at `at` in the scratch buffer: when, MS_IOVECS_* (0: read as
 * the call returned). Returns its size.
 */
static __always_inline __u32 put_one_range(struct scratch *s, __u32 at, __u64 base, __u64 len, __u32 when)
{
	struct ms_iovecs *part = (void *)(s->buf + at);
	part->count = 1;
	part->flags = when;
	struct ms_iovec *range = (void *)(part + 1);
	range->base = base;
	range->len = len;
	return sizeof(struct ms_iovecs) + sizeof(struct ms_iovec);
}

/*
 * The rest of an MS_SYSCALL whose fixed part is filled in the scratch buffer: the address part when flags has
 * MS_F_ADDR; a vectored write's one range (MS_F_IOVECS: where it begins, addr, and its iovecs' total length) when
 * range_len is not -1; then the file and its path (MS_F_FILE); the header, and into the ring.
 */
static __always_inline void submit_file_call(struct scratch *s, struct file *file, __u64 pid_tgid, __u16 flags,
					     __u64 addr, __s64 range_len)
{
	struct ms_syscall *r = (void *)s->buf;
	__u32 at = sizeof(struct ms_syscall);
	if (flags & MS_F_ADDR) {
		((struct ms_addr *)(s->buf + at))->addr = addr;
		at += sizeof(struct ms_addr);
	}
	if (range_len != -1) {
		flags |= MS_F_IOVECS;
		/* read as the call returned: a vectored write's length; its result says what it wrote */
		at += put_one_range(s, at, addr, range_len, 0);
	}
	__u32 size = append_file(s, at, file);
	fill_hdr(&r->h, MS_SYSCALL, size, flags | MS_F_FILE, pid_tgid);
	submit_or_count(s->buf, size & SCRATCH_MASK, QUIET_WAKEUP);
}

/*
 * An MS_SYSCALL with MS_F_FILE: the raw call, the address part when flags has MS_F_ADDR (a write), then the file
 * and its path (a process's memory file: an open for writing, or a write).
 */
static __always_inline void on_file_call(struct file *file, struct pt_regs *regs, __u32 nr, long ret, __u64 pid_tgid,
					 __u16 flags, __u64 addr)
{
	struct scratch *s = scratch_buf();
	if (!s)
		return;
	fill_syscall((struct ms_syscall *)s->buf, regs, nr, ret);
	/* a vectored write's length is in its iovecs: (iov, iovcnt) are its second and third arguments */
	bool vectored = nr == NR_WRITEV || nr == NR_PWRITEV || nr == NR_PWRITEV2;
	submit_file_call(s, file, pid_tgid, flags, addr, vectored ? iovecs_total(s, regs->si, regs->dx) : -1);
}

/*
 * The process or thread a pidfd names, as its number in the initial pid namespace (the records' numbers); 0 when the fd
 * is not a pidfd of pidfs (6.9 on: the struct pid in its inode's i_private) or names none the kernel keeps.
 */
static __always_inline __u32 pidfd_target(struct task_struct *task, int fd, __u64 pid_tgid)
{
	if (fd == PIDFD_SELF_THREAD_)
		return (__u32)pid_tgid;
	if (fd == PIDFD_SELF_THREAD_GROUP_)
		return pid_tgid >> 32;
	struct file *file = file_of_fd(task, fd);
	if (!file || file->f_inode->i_sb->s_magic != PID_FS_MAGIC_)
		return 0;
	struct pid *pid = file->f_inode->i_private;
	return BPF_CORE_READ(pid, numbers[0].nr);
}

/*
 * process_madvise(pidfd, iovec, vlen, advice, flags) with advice that changes VMA flags: the raw call, the process its
 * pidfd names (MS_F_ADDR: its number, 0 when not known: the kernel refuses such advice for another address space than
 * the caller's before anything, and takes it for the caller's own since 6.13), and the caller's
 * iovec array, its first MS_IOVECS_MAX entries (MS_F_IOVECS: the ranges advised, in order), read as the call returned
 * (the kernel copied it as the call began; another thread may have rewritten it since, which is not checked here).
 */
static __always_inline void on_process_madvise(struct task_struct *task, struct pt_regs *regs, long ret, __u64 pid_tgid,
					       __u16 flags)
{
	struct scratch *s = scratch_buf();
	if (!s)
		return;
	struct ms_syscall *r = (void *)s->buf;
	fill_syscall(r, regs, NR_PROCESS_MADVISE, ret);
	__u32 at = sizeof(struct ms_syscall);
	flags |= MS_F_ADDR;
	((struct ms_addr *)(s->buf + at))->addr = pidfd_target(task, (int)regs->di, pid_tgid);
	at += sizeof(struct ms_addr);
	__u64 n = regs->dx < MS_IOVECS_MAX ? regs->dx : MS_IOVECS_MAX;
	struct ms_iovec *v = (void *)(s->buf + at + sizeof(struct ms_iovecs));
	long bytes = read_iovecs(v, regs->si, n);
	if (bytes >= 0) {
		flags |= MS_F_IOVECS;
		struct ms_iovecs *part = (void *)(s->buf + at);
		part->count = n;
		part->flags = 0; /* as the call returned */
		at += sizeof(struct ms_iovecs) + bytes;
	}
	fill_hdr(&r->h, MS_SYSCALL, at, flags, pid_tgid);
	submit_or_count(s->buf, at & SCRATCH_MASK, QUIET_WAKEUP);
}

/*
 * mbind(start, len, mode, nodemask, maxnode, flags) and set_mempolicy_home_node(start, len, home_node, flags): the
 * raw call and, when it succeeded, the policy the kernel left on the VMA at start (MS_F_POLICY), which the kernel
 * compares when it merges VMAs. Looked up with bpf_find_vma (a helper call; these calls are rare); a lookup that fails
 * (the mmap lock contended, the range unmapped meanwhile) leaves the part out.
 */
static __always_inline void on_policy_call(struct task_struct *task, struct pt_regs *regs, __u32 nr, long ret,
					   __u64 pid_tgid, __u16 flags)
{
	struct vma_file_ctx v = {};
	if (ret != 0 || bpf_find_vma(task, regs->di, vma_file_cb, &v, 0)) {
		on_syscall(regs, nr, ret, pid_tgid, flags);
		return;
	}
	struct ms_syscall *r = reserve_syscall(regs, nr, ret, pid_tgid, MS_F_POLICY | flags,
					       sizeof(struct ms_syscall) + sizeof(struct ms_policy));
	if (!r)
		return;
	struct ms_policy *p = (void *)(r + 1);
	__builtin_memset(p, 0, sizeof(*p)); /* no policy: MPOL_DEFAULT */
	struct mempolicy *pol = v.policy;
	if (pol) {
		p->mode = pol->mode;
		p->flags = pol->flags;
		p->home_node = pol->home_node;
		p->nodes = pol->nodes.bits[0];
		p->user_nodes = pol->w.user_nodemask.bits[0];
	}
	bpf_ringbuf_submit(r, QUIET_WAKEUP);
}

/*
 * process_vm_writev's remote iovec array as the call began, per thread, from the call's entry (ms_vm_writev_enter) to
 * its exit (on_vm_writev). The kernel reads the array once, early in the call; while a long copy runs another thread
 * of the caller can rewrite it, so that the array read as the call returns names ranges the call never wrote. An LRU
 * map, so that entries whose exit was never seen (the programs attached while a call ran) age out.
 */
struct vm_write_entry {
	__u64 rvec;      /* the array's address and how many entries were read: the exit checks they are its call's */
	__u32 count;
	__u32 _pad;
	struct ms_iovec v[MS_IOVECS_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);  /* pid_tgid */
	__type(value, struct vm_write_entry);
} vm_write_entries SEC(".maps");

/* Where ms_vm_writev_enter builds its entry: the scratch's tail, clear of IOVECS_SCRATCH_OFF's array. */
#define VM_WRITE_SCRATCH_OFF (IOVECS_SCRATCH_OFF - sizeof(struct vm_write_entry))

/* Whether the first n ranges of a and b differ. */
static __always_inline bool iovecs_differ(const struct ms_iovec *a, const struct ms_iovec *b, __u64 n)
{
	for (int i = 0; i < MS_IOVECS_MAX; i++) {
		if (i >= n)
			break;
		if (a[i].base != b[i].base || a[i].len != b[i].len)
			return true;
	}
	return false;
}

/*
 * A UFFDIO_COPY's or UFFDIO_MOVE's range as the call began, per thread, from the ioctl's entry (ms_uffd_enter) to its
 * exit (on_uffd_fill): the kernel reads the argument once, at the start; while a long copy runs another thread of the
 * caller can rewrite dst and len, so that the argument read as the call returns names a range the call never filled.
 * LRU, as vm_write_entries.
 */
struct uffd_entry {
	__u64 arg; /* the argument's address: the exit checks it is its call's */
	__u64 dst;
	__u64 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);  /* pid_tgid */
	__type(value, struct uffd_entry);
} uffd_entries SEC(".maps");

/* An ioctl that puts pages into an address space through a userfaultfd: the one check every ioctl of the host pays. */
static __always_inline bool fills_pages(__u32 cmd)
{
	return cmd == UFFDIO_COPY_ || cmd == UFFDIO_MOVE_;
}

/*
 * ioctl(uffd, UFFDIO_REGISTER or UFFDIO_UNREGISTER, arg): a range of the address space handed to (or taken from) a
 * userfaultfd, whose faults a thread then serves; the kernel's VMAs there get VM_UFFD_* flags (split at the range's
 * edges). A classic way to stop another thread at a chosen fault, in exploits of kernel races.
 */
static __always_inline bool registers(__u32 cmd)
{
	return cmd == UFFDIO_REGISTER_ || cmd == UFFDIO_UNREGISTER_;
}

/* A userfaultfd: an anonymous inode's file named "[userfaultfd]" (fs/userfaultfd.c). */
static __always_inline bool is_userfaultfd(struct file *file)
{
	return file && dentry_named(file, "[userfaultfd]", 13);
}

/*
 * The process whose address space a userfaultfd belongs to: the one that created it, whatever process holds the
 * descriptor now (a child inherits it, a socket passes it). The caller's own when it is, else its mm's owner (memcg
 * kernels); 0 when not known.
 */
static __always_inline __s32 uffd_owner(struct task_struct *task, struct file *file, __u64 pid_tgid)
{
	struct userfaultfd_ctx *ctx = (struct userfaultfd_ctx *)BPF_CORE_READ(file, private_data);
	struct mm_struct *mm = BPF_CORE_READ(ctx, mm);
	if (!mm)
		return 0;
	if (mm == task->mm)
		return pid_tgid >> 32;
	if (bpf_core_field_exists(mm->owner))
		return BPF_CORE_READ(mm, owner, tgid);
	return 0;
}

/* The userfaultfd part (the caller sets MS_F_UFFD) at `at` in the scratch buffer: whose address space, and what was done
 * where `flags` has MS_UFFD_DONE. Returns its size. */
static __always_inline __u32 put_uffd(struct scratch *s, __u32 at, struct task_struct *task, struct file *file,
				      __u64 pid_tgid, __u32 flags, __s64 done)
{
	struct ms_uffd *u = (void *)(s->buf + at);
	u->tgid = uffd_owner(task, file, pid_tgid);
	u->flags = flags;
	u->done = done;
	return sizeof(struct ms_uffd);
}

/*
 * ioctl(uffd, UFFDIO_COPY or UFFDIO_MOVE, arg): pages put into a registered range with the range's own protection, so
 * bytes land in memory that was never writable (an R-X mapping registered for missing pages: no W, no mprotect, no
 * alert), and, through a userfaultfd another process created, into that process. The raw call; the range asked for
 * as the address and ranges parts (struct uffdio_copy and uffdio_move begin dst, src, len, mode, and end with what was
 * done, which the kernel writes back), as the call began where its entry was watched (uffd_entries), else as it
 * returned; and the userfaultfd part: whose address space, and what was done (read as the call returned).
 */
static __always_inline void on_uffd_fill(struct task_struct *task, struct file *file, struct pt_regs *regs, long ret,
					 __u64 pid_tgid, __u16 flags)
{
	struct scratch *s = scratch_buf();
	if (!s)
		return;
	struct ms_syscall *r = (void *)s->buf;
	fill_syscall(r, regs, NR_IOCTL, ret);
	__u32 at = sizeof(struct ms_syscall);
	__u64 a[5] = {}; /* dst, src, len, mode, copy (or move) */
	bool read = !bpf_probe_read_user(a, sizeof(a), (void *)regs->dx);
	__u64 dst = a[0], len = a[2];
	bool ranged = read;
	__u32 when = 0; /* read as the call returned */
	struct uffd_entry *e = bpf_map_lookup_elem(&uffd_entries, &pid_tgid);
	if (e) {
		if (e->arg == regs->dx) {
			when = MS_IOVECS_AT_ENTRY;
			if (!read || e->dst != dst || e->len != len)
				when |= MS_IOVECS_CHANGED;
			dst = e->dst;
			len = e->len;
			ranged = true;
		}
		bpf_map_delete_elem(&uffd_entries, &pid_tgid);
	}
	if (ranged) {
		flags |= MS_F_ADDR | MS_F_IOVECS;
		((struct ms_addr *)(s->buf + at))->addr = dst;
		at += sizeof(struct ms_addr);
		at += put_one_range(s, at, dst, len, when);
	}
	at += put_uffd(s, at, task, file, pid_tgid, read ? MS_UFFD_DONE : 0, read ? (__s64)a[4] : 0);
	fill_hdr(&r->h, MS_SYSCALL, at, flags | MS_F_UFFD, pid_tgid);
	submit_or_count(s->buf, at & SCRATCH_MASK, QUIET_WAKEUP);
}

/*
 * ioctl(uffd, UFFDIO_REGISTER or UFFDIO_UNREGISTER, arg): the raw call, the range (MS_F_IOVECS: struct uffdio_range,
 * the argument's start, read as the call returned), and the userfaultfd part (whose address space; done not read).
 */
static __always_inline void on_uffd_register(struct task_struct *task, struct file *file, struct pt_regs *regs,
					     long ret, __u64 pid_tgid, __u16 flags)
{
	struct scratch *s = scratch_buf();
	if (!s)
		return;
	struct ms_syscall *r = (void *)s->buf;
	fill_syscall(r, regs, NR_IOCTL, ret);
	__u32 at = sizeof(struct ms_syscall);
	__u64 range[2]; /* struct uffdio_range (uffdio_register begins with one): start, len */
	if (!bpf_probe_read_user(range, sizeof(range), (void *)regs->dx)) {
		flags |= MS_F_IOVECS;
		at += put_one_range(s, at, range[0], range[1], 0); /* as the call returned */
	}
	at += put_uffd(s, at, task, file, pid_tgid, 0, 0);
	fill_hdr(&r->h, MS_SYSCALL, at, flags | MS_F_UFFD, pid_tgid);
	submit_or_count(s->buf, at & SCRATCH_MASK, QUIET_WAKEUP);
}

/*
 * process_vm_writev(pid, local_iov, liovcnt, remote_iov, riovcnt, flags): the raw call and, when the caller's remote
 * iovec array could be read, its first MS_IOVECS_MAX entries (MS_F_IOVECS: the ranges of the target it writes, in
 * order) and the first one's base (MS_F_ADDR: where the write began). The array as the call began where its entry
 * read it (MS_IOVECS_AT_ENTRY; MS_IOVECS_CHANGED when it read otherwise as the call returned, or no longer could be
 * read), else as the call returned (read_iovecs()).
 */
static __always_inline void on_vm_writev(struct pt_regs *regs, long ret, __u64 pid_tgid, __u16 flags)
{
	struct scratch *s = scratch_buf();
	if (!s)
		return;
	struct ms_syscall *r = (void *)s->buf;
	fill_syscall(r, regs, NR_PROCESS_VM_WRITEV, ret);
	__u32 at = sizeof(struct ms_syscall);
	__u64 n = regs->r8 < MS_IOVECS_MAX ? regs->r8 : MS_IOVECS_MAX;
	__u32 head = n > 0 ? sizeof(struct ms_addr) : 0; /* the first base as the address part, when there is one */
	struct ms_iovec *v = (void *)(s->buf + at + head + sizeof(struct ms_iovecs));
	long bytes = read_iovecs(v, regs->r10, n);
	__u32 when = 0;
	struct vm_write_entry *e = bpf_map_lookup_elem(&vm_write_entries, &pid_tgid);
	if (e) {
		if (e->rvec == regs->r10 && e->count == n) {
			when = MS_IOVECS_AT_ENTRY;
			if (bytes < 0 || iovecs_differ(v, e->v, n))
				when |= MS_IOVECS_CHANGED;
			__u32 entry_bytes = iovecs_bytes(n);
			bytes = entry_bytes <= MS_IOVECS_MAX * sizeof(*v) && !bpf_probe_read_kernel(v, entry_bytes, e->v)
					? entry_bytes : -1;
		}
		bpf_map_delete_elem(&vm_write_entries, &pid_tgid);
	}
	if (bytes >= 0) {
		flags |= MS_F_IOVECS;
		if (n > 0) {
			flags |= MS_F_ADDR;
			((struct ms_addr *)(s->buf + at))->addr = v[0].base;
		}
		struct ms_iovecs *part = (void *)(s->buf + at + head);
		part->count = n;
		part->flags = when;
		at += head + sizeof(struct ms_iovecs) + bytes;
	}
	fill_hdr(&r->h, MS_SYSCALL, at, flags, pid_tgid);
	submit_or_count(s->buf, at & SCRATCH_MASK, QUIET_WAKEUP);
}

static __always_inline bool watched_exit_nr(long nr)
{
	switch (nr) {
	case NR_MMAP: case NR_MPROTECT: case NR_PKEY_MPROTECT: case NR_MUNMAP: case NR_MREMAP:
	case NR_BRK: case NR_MADVISE: case NR_SHMAT: case NR_SHMDT: case NR_CLONE: case NR_CLONE3: case NR_FORK: case NR_VFORK:
	case NR_EXECVE: case NR_EXECVEAT: case NR_MSEAL:
	/*
	 * process_madvise: since 6.13 the kernel takes any advice for the caller's own process (a pidfd of itself), range by
	 * range as madvise, so the VMA-flag advice that madvise is recorded for passes here too (on 6.18: DONTFORK,
	 * WIPEONFORK, DONTDUMP, HUGEPAGE, RANDOM all split a VMA); another process's takes only advice that changes no VMA
	 */
	case NR_PROCESS_MADVISE:
	/* a NUMA policy on part of a mapping makes a VMA of its own (on_policy_call()) */
	case NR_MBIND: case NR_SET_MEMPOLICY_HOME_NODE:
	/* VM_LOCKED keeps a VMA apart from its neighbours, as any flag does; mlockall(MCL_FUTURE) sets it on later maps */
	case NR_MLOCK: case NR_MUNLOCK: case NR_MLOCK2: case NR_MLOCKALL: case NR_MUNLOCKALL:
	/* personality(READ_IMPLIES_EXEC): PROT_READ then implies PROT_EXEC, for this task's later mmaps, mprotects and brk */
	case NR_PERSONALITY:
	/*
	 * io_uring_setup: the reads and writes a process submits through its ring pass no syscall these programs see (the
	 * io_uring programs record those into a process's memory file): that it set one up is.
	 */
	case NR_IO_URING_SETUP:
	/* io_setup maps the AIO ring (rw-s "/[aio] (deleted)") with no mmap call; io_destroy unmaps it */
	case NR_IO_SETUP: case NR_IO_DESTROY:
	/* remap_file_pages maps other pages of a shared mapping's file over part of it (a new VMA) */
	case NR_REMAP_FILE_PAGES:
	/*
	 * prctl(PR_SET_MM, ...): the process rewrites what the kernel keeps of its address space's layout (code, data,
	 * brk, stack, argv and environment bounds) or the file /proc/PID/exe names (PR_SET_MM_EXE_FILE: a program
	 * showing as another). Needs CAP_SYS_RESOURCE; rare. Every other prctl ends at a compare in record_sys_exit().
	 */
	case NR_PRCTL:
	/* writes into another process's memory: how code is injected into a running process (injects()) */
	case NR_PTRACE: case NR_PROCESS_VM_WRITEV:
	/* ... and pages put into an address space through a userfaultfd, with the range's own protection (fills_pages()),
	 * and ranges handed to one (registers()) */
	case NR_IOCTL:
	/* ... and a process's memory file opened for writing (opens_for_write(), is_proc_mem()), or written (writes()) */
	case NR_OPEN: case NR_OPENAT: case NR_OPENAT2:
	case NR_WRITE: case NR_PWRITE64: case NR_WRITEV: case NR_PWRITEV: case NR_PWRITEV2:
		return true;
	}
	return false;
}

/*
 * madvise advice that changes the flags of the VMAs it covers, and so splits them where the range cuts one, and
 * decides what a fork copies (MADV_DONTFORK) or wipes (MADV_WIPEONFORK): the analyzer follows these. The rest
 * (MADV_DONTNEED and MADV_FREE above all, which allocators call all the time) changes no VMA and is not recorded.
 * MADV_MERGEABLE/UNMERGEABLE (KSM) are left out too: KSM skips some VMAs without a word, and it can be switched on
 * for a whole process by prctl, which is not recorded.
 */
static __always_inline bool changes_vma_flags(long advice)
{
	switch (advice) {
	case 0:  /* MADV_NORMAL */
	case 1:  /* MADV_RANDOM */
	case 2:  /* MADV_SEQUENTIAL */
	case 10: /* MADV_DONTFORK */
	case 11: /* MADV_DOFORK */
	case 14: /* MADV_HUGEPAGE */
	case 15: /* MADV_NOHUGEPAGE */
	case 16: /* MADV_DONTDUMP */
	case 17: /* MADV_DODUMP */
	case 18: /* MADV_WIPEONFORK */
	case 19: /* MADV_KEEPONFORK */
		return true;
	}
	return false;
}

/*
 * ptrace requests that start tracing, or write into the tracee's memory or registers: an injector attaches,
 * writes its code (POKETEXT works through the tracee's read-only and executable pages) and points a thread at it.
 * Reads (PEEK*, GETREGS), CONT, DETACH and the rest are not recorded: debuggers make them all the time.
 */
static __always_inline bool injects(long request)
{
	switch (request) {
	case 0:      /* PTRACE_TRACEME */
	case 4:      /* PTRACE_POKETEXT */
	case 5:      /* PTRACE_POKEDATA */
	case 6:      /* PTRACE_POKEUSER */
	case 13:     /* PTRACE_SETREGS */
	case 16:     /* PTRACE_ATTACH */
	case 0x4205: /* PTRACE_SETREGSET */
	case 0x4206: /* PTRACE_SEIZE */
		return true;
	}
	return false;
}

/*
 * The bodies of the recording programs, shared by both program types below: tp_btf hands them
 * BTF-typed pointers; raw_tp hands them untyped kernel pointers, which these bodies read only through
 * BPF_CORE_READ (bpf_probe_read_kernel), or a stack copy of the registers.
 */
/* 32-bit (compat) syscall numbers: arch/x86/entry/syscalls/syscall_32.tbl. */
#define NR32_BRK 45
#define NR32_OLD_MMAP 90
#define NR32_MUNMAP 91
#define NR32_MPROTECT 125
#define NR32_MREMAP 163
#define NR32_MLOCK 150
#define NR32_MUNLOCK 151
#define NR32_MLOCKALL 152
#define NR32_MUNLOCKALL 153
#define NR32_MMAP2 192
#define NR32_MADVISE 219
#define NR32_MLOCK2 376
#define NR32_PKEY_MPROTECT 380
#define NR32_IPC 117    /* ipc(2): its call in bx (SHMAT 21, SHMDT 22, semaphores and messages...) */
#define NR32_SHMAT 397  /* the System V calls of their own (5.1+), beside ipc(2) */
#define NR32_SHMDT 398
#define NR32_IOCTL 54   /* compat_ptr_ioctl: userfaultfd's ioctls, whose arguments are the same structs in 32-bit mode */
#define IPC_SHMAT_ 21
#define IPC_SHMDT_ 22

/*
 * The 32-bit calls recorded, as the 64-bit call they equal: mmap2, old_mmap (classic 32-bit shellcode's), mprotect,
 * pkey_mprotect, munmap, mremap, madvise, the lock calls, brk, shmat and shmdt (their own calls, or through ipc(2)),
 * of a 32-bit process or int 0x80, with their arguments moved where the 64-bit call has them (compat_args()); -1 for
 * any other number. Their numbers as 64-bit calls (chmod, fchmod, capget, acct, lgetxattr, restart_syscall, munlock,
 * mlockall, munlockall, vhangup, setresuid, none) are rare, so only those pay the look at the task that tells a 32-bit
 * call apart (in_compat_call()); brk's is recvfrom's, which is not (maybe_compat()). Other 32-bit calls are left out
 * and counted (record_sys_exit()).
 */
static __always_inline long native_of_compat(long nr)
{
	switch (nr) {
	case NR32_BRK: return NR_BRK;
	case NR32_IPC: return NR_SHMAT; /* or shmdt, or nothing: compat_args() reads the call */
	case NR32_SHMAT: return NR_SHMAT;
	case NR32_SHMDT: return NR_SHMDT;
	case NR32_MMAP2: return NR_MMAP;
	case NR32_OLD_MMAP: return NR_MMAP;
	case NR32_MPROTECT: return NR_MPROTECT;
	case NR32_PKEY_MPROTECT: return NR_PKEY_MPROTECT;
	case NR32_MUNMAP: return NR_MUNMAP;
	case NR32_MREMAP: return NR_MREMAP;
	case NR32_MADVISE: return NR_MADVISE;
	case NR32_MLOCK: return NR_MLOCK;
	case NR32_MUNLOCK: return NR_MUNLOCK;
	case NR32_MLOCKALL: return NR_MLOCKALL;
	case NR32_MUNLOCKALL: return NR_MUNLOCKALL;
	case NR32_MLOCK2: return NR_MLOCK2;
	case NR32_IOCTL: return NR_IOCTL; /* on_uffd_fill() */
	}
	return -1;
}

/* The current task is in a 32-bit call: TS_COMPAT stays set until it returns to user space, past sys_exit. */
static __always_inline bool in_compat_call(void)
{
	return bpf_get_current_task_btf()->thread_info.status & TS_COMPAT_;
}

#define USER32_CS_ 0x23 /* arch/x86/include/asm/segment.h __USER32_CS: the code segment of a 32-bit process */

/*
 * A call whose number a 32-bit call has, which may be one: worth the look at the task (in_compat_call(), a helper
 * call). brk's 32-bit number, 45, is recvfrom's in 64-bit mode, which servers make all the time, and ioctl's, 54, is
 * setsockopt's: each is looked at only when made from 32-bit code (its saved cs), or when its registers are not what a
 * SYSCALL instruction's entry leaves (the CPU puts the return address in rcx and the flags in r11, and the kernel saves
 * both): int 0x80 from 64-bit code, as shellcode makes 32-bit calls. Loads only. Code that sets rcx and r11 so before
 * its int 0x80 passes for a recvfrom or a setsockopt.
 */
static __always_inline bool maybe_compat(long nr, const struct pt_regs *regs)
{
	return (nr != NR32_BRK && nr != NR32_IOCTL) || regs->cs == USER32_CS_ || regs->cx != regs->ip
	       || regs->r11 != regs->flags;
}

#define COMPAT_UNREADABLE -1 /* compat_args(): the call's arguments could not be read (counted as left out) */
#define COMPAT_UNWATCHED -2   /* compat_args(): an ipc(2) call that is no shmat or shmdt (not a memory call) */

/*
 * A 32-bit call's arguments (ebx, ecx, edx, esi, edi, ebp, 32 bits each) put where the 64-bit call's lie (rdi, rsi,
 * rdx, r10, r8, r9); mmap2's offset counts pages. old_mmap's six arguments are an array in the caller's memory that
 * ebx points to (its offset in bytes). ipc(2)'s shmat puts the address it attached at in the caller's memory (esi
 * points there) and returns 0: *ret becomes that address. Returns the 64-bit call's number, or COMPAT_UNREADABLE,
 * or COMPAT_UNWATCHED. c may be r itself: everything is read before anything is written.
 */
static __always_inline long compat_args(struct pt_regs *c, const struct pt_regs *r, long nr32, long native, long *ret)
{
	__u32 bx = r->bx, cx = r->cx, dx = r->dx, si = r->si, di = r->di, bp = r->bp;
	if (nr32 == NR32_OLD_MMAP) {
		__u32 a[6];
		if (bpf_probe_read_user(a, sizeof(a), (void *)(__u64)bx))
			return COMPAT_UNREADABLE;
		c->di = a[0];
		c->si = a[1];
		c->dx = a[2];
		c->r10 = a[3];
		c->r8 = (__u64)(__s64)(__s32)a[4];
		c->r9 = a[5];
		c->orig_ax = native;
		return native;
	}
	if (nr32 == NR32_IPC) { /* ipc(call, first, second, third, ptr): shmat(first, ptr, second, &*third), shmdt(ptr) */
		__u16 call = bx; /* the high half is a version */
		if (call != IPC_SHMAT_ && call != IPC_SHMDT_)
			return COMPAT_UNWATCHED;
		native = call == IPC_SHMAT_ ? NR_SHMAT : NR_SHMDT;
		if (native == NR_SHMAT && *ret == 0) {
			__u32 attached;
			if (bpf_probe_read_user(&attached, sizeof(attached), (void *)(__u64)si))
				return COMPAT_UNREADABLE;
			*ret = attached;
		}
		c->di = native == NR_SHMAT ? cx : di;
		c->si = native == NR_SHMAT ? di : 0;
		c->dx = native == NR_SHMAT ? dx : 0;
		c->r10 = c->r8 = c->r9 = 0;
		c->orig_ax = native;
		return native;
	}
	c->di = bx;
	c->si = cx;
	c->dx = dx;
	c->r10 = si;
	c->r8 = native == NR_MMAP ? (__u64)(__s64)(__s32)di : di; /* mmap2's fd of -1 stays -1; mremap's new_addr is an address */
	c->r9 = native == NR_MMAP ? (__u64)bp << 12 : bp;
	c->orig_ax = native;
	return native;
}

/*
 * mm->mm_lock_seq, a seqcount since 6.13: odd while a writer holds the mmap lock, +2 a write lock (begin and end;
 * a write lock downgraded to read ends at the downgrade).
 */
static __always_inline bool has_mm_lock_seq(void)
{
	return bpf_core_field_exists(((struct mm_struct *)0)->mm_lock_seq.sequence);
}

static __always_inline __u32 mm_lock_seq(struct mm_struct *mm)
{
	if (has_mm_lock_seq())
		return BPF_CORE_READ(mm, mm_lock_seq.sequence);
	return 0;
}

/* The same from a trusted BTF pointer (a task's mm from bpf_get_current_task_btf()): a plain load, no helper call. */
static __always_inline __u32 mm_lock_seq_btf(struct mm_struct *mm)
{
	if (has_mm_lock_seq())
		return mm->mm_lock_seq.sequence;
	return 0;
}

/*
 * Per thread, in slot tid % MAP_SEQ_SLOTS: its tid and the write-lock count of the mmap lock it last took for writing
 * (odd: the count while it held it), in one word, so that one store writes both and a reader never pairs a thread's
 * tid with another's count. Written by the program on mmap_lock_acquire_returned (an optional hook), read by the exit
 * of a call that changed its address space (note_order()). A plain array: the lookup is inlined. A slot another
 * thread took since (same slot) only makes the check say "not known".
 */
#define MAP_SEQ_SLOTS 8192

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAP_SEQ_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} map_seqs SEC(".maps");

static __always_inline __u64 *map_seq_slot(__u32 tid)
{
	__u32 slot = tid & (MAP_SEQ_SLOTS - 1);
	return bpf_map_lookup_elem(&map_seqs, &slot);
}

/* The calls whose success changes the caller's VMAs (under its mmap lock, taken for writing). */
static __always_inline bool changes_map(long nr, long ret)
{
	switch (nr) {
	case NR_MMAP: case NR_MPROTECT: case NR_PKEY_MPROTECT: case NR_MUNMAP: case NR_MREMAP: case NR_BRK:
	case NR_MADVISE: case NR_SHMAT: case NR_SHMDT: case NR_MSEAL: case NR_MBIND: case NR_SET_MEMPOLICY_HOME_NODE:
	case NR_MLOCK: case NR_MUNLOCK: case NR_MLOCK2: case NR_MLOCKALL: case NR_MUNLOCKALL:
	case NR_REMAP_FILE_PAGES: case NR_IO_SETUP: case NR_IO_DESTROY: case NR_PROCESS_MADVISE:
		return ret >= 0;
	}
	return false;
}

/* Set by the lock program's first run: without it (refused, or --no-map-order) the exits compare nothing. */
__u32 lock_watch_on = 0;

/*
 * Before the record of a call that changed its address space: an MS_ORDER unless the address space's write-lock count
 * moved only by this call's own unlock (+1) since the call took the lock for writing (this thread's slot, written by
 * the lock program). Anything else means that other changes were completed between this call's change and its return,
 * whose records may then precede this one although the kernel made them second (or that this call's lock is not
 * known: another thread took its slot). The analyzer checks the noted call against the changes recorded last. No
 * clock, no helper call here: a few loads and compares. A call that takes the lock twice (its slot holds the second)
 * is checked from its second lock only.
 */
static __always_inline void note_order(struct task_struct *task, __u64 pid_tgid)
{
	if (!lock_watch_on || !has_mm_lock_seq())
		return; /* the lock program is not running (refused: before 6.13 there is no count; --no-map-order) */
	struct mm_struct *mm = task->mm;
	__u32 tid = (__u32)pid_tgid;
	__u64 *v = map_seq_slot(tid);
	if (!mm || !v)
		return;
	__u32 now = mm_lock_seq_btf(mm);
	__u64 was = *v;
	bool known = (was >> 32) == tid;
	__u32 prev = (__u32)was;
	if (known && now == prev + 1)
		return;
	struct ms_order *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_loss();
		return;
	}
	fill_hdr(&r->h, MS_ORDER, sizeof(*r), 0, pid_tgid);
	r->lock_seq = known ? prev : 0; /* a count while a writer holds the lock is odd: never 0 */
	r->seq_now = now;
	bpf_ringbuf_submit(r, QUIET_WAKEUP);
}

/*
 * xflags: 0 for a 64-bit call; MS_F_COMPAT for a 32-bit one recorded as this (with MS_F_ARGS_FROM_VMA: old_mmap);
 * MS_F_X32 for an x32 one.
 */
static __always_inline int record_sys_exit(struct pt_regs *regs, long nr, long ret, __u16 xflags)
{
	bool translated = xflags != 0; /* not a 32-bit call's number: an x32 call never sets TS_COMPAT */
	/* A successful exec replaced the registers; sched_process_exec has recorded it. */
	if ((nr == NR_EXECVE || nr == NR_EXECVEAT) && ret == 0)
		return 0;
	if (nr == NR_MADVISE && !changes_vma_flags((int)regs->dx))
		return 0;
	if (nr == NR_PROCESS_MADVISE && !changes_vma_flags((int)regs->r10))
		return 0; /* its fourth argument; MADV_COLD and MADV_PAGEOUT, its first uses, end here */
	if (nr == NR_PTRACE && !injects(regs->di))
		return 0;
	if (nr == NR_IOCTL && !fills_pages((__u32)regs->si) && !registers((__u32)regs->si))
		return 0; /* every other ioctl of the host ends here: a compare */
	if (nr == NR_PERSONALITY && (__u32)regs->di == 0xffffffff)
		return 0; /* a query: changes nothing */
	if (nr == NR_PRCTL && (int)regs->di != PR_SET_MM_)
		return 0; /* thread names, dumpability, seccomp, ...: not the address space */
	bool open = nr == NR_OPEN || nr == NR_OPENAT || nr == NR_OPENAT2;
	if (open && !opens_for_write(nr, regs, ret))
		return 0;
	bool write = writes(nr);
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 pid_tgid = current_pid_tgid(task);
	if ((pid_tgid >> 32) == ms_cfg.self_tgid)
		return 0;
	if (!translated && (task->thread_info.status & TS_COMPAT_)) {
		count_in(&compat_calls); /* a 32-bit call: another call than its number says here */
		return 0;
	}
	struct file *file = 0;
	if (open || write) {
		file = file_of_fd(task, open ? ret : (int)regs->di);
		if (!is_proc_mem(file))
			return 0; /* before task_context: no MS_TASK for a process that has no record */
	}
	if (nr == NR_IOCTL) {
		file = file_of_fd(task, (int)regs->di);
		if (!is_userfaultfd(file))
			return 0; /* another driver's ioctl that has the same number */
	}
	if (nr == NR_PRCTL && regs->si == PR_SET_MM_EXE_FILE_)
		file = file_of_fd(task, (int)regs->dx); /* the file /proc/PID/exe was to name: its path goes in the record */
	task_context(task, pid_tgid, false);
	if (changes_map(nr, ret))
		note_order(task, pid_tgid);
	switch (nr) {
	case NR_MMAP:
		on_mmap(task, regs, ret, pid_tgid, xflags);
		break;
	case NR_MPROTECT:
		on_mprotect(task, regs, ret, pid_tgid, false, xflags);
		break;
	case NR_PKEY_MPROTECT:
		on_mprotect(task, regs, ret, pid_tgid, true, xflags);
		break;
	case NR_MUNMAP:
		on_munmap(regs, ret, pid_tgid, xflags);
		break;
	case NR_MREMAP:
		on_mremap(regs, ret, pid_tgid, xflags);
		break;
	case NR_BRK:
		on_brk(task, regs, ret, pid_tgid, xflags);
		break;
	case NR_SHMAT:
		on_shmat(task, regs, ret, pid_tgid, xflags);
		break;
	case NR_IO_SETUP:
		on_io_setup(task, regs, ret, pid_tgid, xflags);
		break;
	case NR_OPEN: case NR_OPENAT: case NR_OPENAT2:
		on_file_call(file, regs, nr, ret, pid_tgid, xflags, 0);
		break;
	case NR_WRITE: case NR_PWRITE64: case NR_WRITEV: case NR_PWRITEV: case NR_PWRITEV2:
		on_file_call(file, regs, nr, ret, pid_tgid, MS_F_ADDR | xflags, write_pos(file, regs, nr, ret));
		break;
	case NR_PROCESS_VM_WRITEV:
		on_vm_writev(regs, ret, pid_tgid, xflags);
		break;
	case NR_PROCESS_MADVISE:
		on_process_madvise(task, regs, ret, pid_tgid, xflags);
		break;
	case NR_IOCTL:
		if (registers((__u32)regs->si))
			on_uffd_register(task, file, regs, ret, pid_tgid, xflags);
		else
			on_uffd_fill(task, file, regs, ret, pid_tgid, xflags);
		break;
	case NR_MBIND: case NR_SET_MEMPOLICY_HOME_NODE:
		on_policy_call(task, regs, nr, ret, pid_tgid, xflags);
		break;
	case NR_PRCTL: {
		/* The program break as the call returns (MS_F_ADDR): PR_SET_MM_BRK and PR_SET_MM_MAP (whose struct is in the
		 * caller's memory) move it without a brk call, and the next brk works from it (PAGE_ALIGN(mm->brk)). */
		__u64 brk = BPF_CORE_READ(task, mm, brk);
		if (file)
			on_file_call(file, regs, nr, ret, pid_tgid, MS_F_ADDR | xflags, brk);
		else
			on_syscall_at(regs, nr, ret, pid_tgid, xflags, brk);
		break;
	}
	default:
		on_syscall(regs, nr, ret, pid_tgid, xflags);
		break;
	}
	return 0;
}

/* ---- x32 ------------------------------------------------------------------------ */

#define X32_SYSCALL_BIT_ 0x40000000 /* arch/x86/include/uapi/asm/unistd.h __X32_SYSCALL_BIT */
/* x32's own numbers for calls the programs watch (syscall_64.tbl's "x32" rows): their compat versions (32-bit
 * iovecs, argv and the like), which record_sys_exit() would misread */
#define NR_X32_IOCTL 514 /* compat_ptr_ioctl: userfaultfd's ioctls work through it */
#define NR_X32_WRITEV 516
#define NR_X32_EXECVE 520
#define NR_X32_PTRACE 521
#define NR_X32_PWRITEV 535
#define NR_X32_PROCESS_VM_WRITEV 540
#define NR_X32_IO_SETUP 543
#define NR_X32_EXECVEAT 545
#define NR_X32_PWRITEV2 547

/*
 * A call made with x32's numbers: orig_ax holds the number with __X32_SYSCALL_BIT set. Any 64-bit process can make
 * one (the bit is all there is to the x32 ABI on entry), so a tracer that knows only the 64-bit numbers misses it
 * wherever the kernel has x32 (CONFIG_X86_X32_ABI; Debian's kernels until booted with syscall.x32=n, for one). Below
 * 512 x32's table holds the 64-bit calls themselves (its "common" rows) or nothing (its "64" rows: ENOSYS), so the
 * call is recorded as the 64-bit call of its number, marked MS_F_X32; x32's own versions of watched calls (512-547)
 * are left out and counted with the 32-bit ones. Where the kernel has no x32 (as here) every such call fails with
 * ENOSYS, and is recorded failed: a probe for a tracer blind to it. Returns the number to record, or -1.
 */
static __always_inline long record_x32_nr(long nr, const struct pt_regs *regs)
{
	unsigned long n = (unsigned long)nr - X32_SYSCALL_BIT_;
	if (n >= 1024)
		return -1; /* not an x32 number (orig_ax is -1 after a skipped call: every bit set) */
	if (watched_exit_nr(n))
		return n;
	switch (n) {
	case NR_X32_IOCTL:
		if (!fills_pages((__u32)regs->si))
			break; /* an x32 process's other ioctls: not watched */
		/* fall through */
	case NR_X32_WRITEV: case NR_X32_EXECVE: case NR_X32_PTRACE: case NR_X32_PWRITEV: case NR_X32_PROCESS_VM_WRITEV:
	case NR_X32_IO_SETUP: case NR_X32_EXECVEAT: case NR_X32_PWRITEV2:
		if ((bpf_get_current_pid_tgid() >> 32) != ms_cfg.self_tgid)
			count_in(&compat_calls);
		break;
	}
	return -1;
}

/*
 * A 32-bit call (nr32 its number, native the 64-bit call's), recorded as the 64-bit call it equals, its arguments
 * moved into c (which may be r), or left out; or an x32 call (nr32 its number, native from record_x32_nr()), whose
 * registers are the 64-bit call's: copied into c as they are. One record_sys_exit() for both: each inlined copy of
 * it is another ~100k instructions for the verifier to walk.
 */
static __always_inline int record_translated(struct pt_regs *c, const struct pt_regs *r, long nr32, long native,
					     long ret)
{
	__u16 xflags;
	if ((unsigned long)nr32 - X32_SYSCALL_BIT_ < 1024) {
		if (c != r)
			__builtin_memcpy(c, r, sizeof(*c));
		xflags = MS_F_X32;
	} else {
		native = compat_args(c, r, nr32, native, &ret);
		if (native == COMPAT_UNREADABLE) {
			count_in(&compat_calls); /* old_mmap's arguments, or the address ipc's shmat attached at, could not be read */
			return 0;
		}
		if (native < 0)
			return 0; /* COMPAT_UNWATCHED */
		/* old_mmap's arguments were read from the caller's memory just now: on_mmap() takes what it can from the VMA */
		xflags = MS_F_COMPAT | (nr32 == NR32_OLD_MMAP ? MS_F_ARGS_FROM_VMA : 0);
	}
	return record_sys_exit(c, native, ret, xflags);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ms_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	long native = native_of_compat(nr);
	if (native < 0 || !maybe_compat(nr, regs) || !in_compat_call()) {
		if (watched_exit_nr(nr))
			return record_sys_exit(regs, nr, ret, 0);
		native = record_x32_nr(nr, regs); /* the one look at a call the programs do not watch: a subtraction and a compare */
		if (native < 0)
			return 0;
	}
	struct pt_regs c = {};
	return record_translated(&c, regs, nr, native, ret);
}

/*
 * raw_tp: ctx->args[] are the tracepoint's arguments as untyped u64s (sys_exit: regs, ret). The pt_regs
 * pointer cannot be dereferenced directly, so the programs copy the registers the
 * bodies read -- bp, bx (a 32-bit call's), r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, one contiguous span
 * of x86-64's pt_regs (the ptrace ABI: it does not move between kernels) -- into a stack pt_regs in one
 * bpf_probe_read_kernel, and hand the copy to the shared bodies. The rest of the copy is never read.
 */
#define SYSCALL_REGS_SPAN (__builtin_offsetof(struct pt_regs, flags) + 8 - __builtin_offsetof(struct pt_regs, bp))

static __always_inline long copy_syscall_regs(struct pt_regs *copy, struct pt_regs *kregs)
{
	return bpf_probe_read_kernel(&copy->bp, SYSCALL_REGS_SPAN, &kregs->bp);
}

SEC("?raw_tp/sys_exit")
int ms_raw_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs regs;
	/* One helper call for every syscall, which yields the number too (measured: docs/RECORDER.md). */
	if (copy_syscall_regs(&regs, (struct pt_regs *)ctx->args[0]))
		return 0;
	long nr = regs.orig_ax;
	long native = native_of_compat(nr);
	if (native < 0 || !maybe_compat(nr, &regs) || !in_compat_call()) {
		if (watched_exit_nr(nr))
			return record_sys_exit(&regs, nr, ctx->args[1], 0);
		native = record_x32_nr(nr, &regs);
		if (native < 0)
			return 0;
	}
	return record_translated(&regs, &regs, nr, native, ctx->args[1]);
}

/* ---- io_uring ------------------------------------------------------------------ */

/*
 * A request submitted to an io_uring does its I/O without the write syscalls: io_uring runs a write to a file
 * that has only ->write (procfs's mem is one) through loop_rw_iter(), so a process's memory can be written
 * through a ring with no write call the sys_exit program sees. A write request whose file is a process's memory file
 * is recorded before it runs, where its file is looked up: a normal fd's as the kernel issues the request
 * (io_uring_file_get), a registered file's as the request is submitted (io_uring_submit_req, which every request
 * passes once prepared from its SQE). Its result, on the completion queue, is not recorded (a successful request may
 * post no completion at all: IOSQE_CQE_SKIP_SUCCESS).
 */
#define IORING_OP_WRITEV_ 2
#define IORING_OP_WRITE_FIXED_ 5
#define IORING_OP_WRITE_ 23
#define IORING_OP_WRITEV_FIXED_ 61
#define IORING_OP_MADVISE_ 25
#define IORING_OP_OPENAT_ 18
#define IORING_OP_OPENAT2_ 28
#define REQ_F_FIXED_FILE_ 1ULL /* = IOSQE_FIXED_FILE: the fd is an index into the ring's registered files */
#define REQ_F_CQE_SKIP_ 64ULL  /* = IOSQE_CQE_SKIP_SUCCESS: no completion is posted if the request succeeds */
#define IOSQE_FLAGS_ 0xffULL   /* the low byte of a request's flags is its SQE's flags (io_uring's REQ_F_*_BIT) */
#define FFS_MASK_ (~7UL)       /* a registered file's pointer carries flags in its low bits (FFS_NOWAIT, FFS_ISREG) */

static __always_inline bool uring_writes(__u8 op)
{
	return op == IORING_OP_WRITE_ || op == IORING_OP_WRITEV_ || op == IORING_OP_WRITE_FIXED_
	       || op == IORING_OP_WRITEV_FIXED_;
}

/*
 * The file in slot `index` of a ring's registered files, as the table holds it now (as 6.13+ lays it out; older
 * kernels' registered files are not looked at).
 */
static __always_inline struct file *uring_slot_file(struct io_ring_ctx *ctx, __u32 index)
{
	if (!bpf_core_field_exists(struct io_file_table, data))
		return 0;
	if (index >= ctx->file_table.data.nr)
		return 0;
	/* nodes is an array of pointers, which the verifier types as numbers: each read as file_of_fd() reads fd slots */
	__u64 slot = (__u64)ctx->file_table.data.nodes + (__u64)index * sizeof(void *);
	struct kiocb *k = bpf_rdonly_cast((void *)slot, bpf_core_type_id_kernel(struct kiocb));
	struct io_rsrc_node *node = bpf_rdonly_cast(k->ki_filp, bpf_core_type_id_kernel(struct io_rsrc_node));
	if (!node)
		return 0;
	return bpf_rdonly_cast((void *)(node->file_ptr & FFS_MASK_), bpf_core_type_id_kernel(struct file));
}

/*
 * The registered file a request with IOSQE_FIXED_FILE names. Nothing traces the kernel's own lookup of it when it
 * issues the request, so this is read as the request is submitted: an update of the table by a request linked before
 * it (IORING_OP_FILES_UPDATE, or an open straight into the slot) is not seen.
 */
static __always_inline struct file *uring_fixed_file(struct io_kiocb *req)
{
	return uring_slot_file(req->ctx, (__u32)req->cqe.fd);
}

/*
 * The task a request's record is of (the submitter, the ring's SQPOLL thread or an io-wq worker: a thread of the
 * ring's process), its MS_TASK written first where needed: false for the recorder's own process.
 */
static __always_inline bool uring_caller(__u64 *pid_tgid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	*pid_tgid = current_pid_tgid(task);
	if ((*pid_tgid >> 32) == ms_cfg.self_tgid)
		return false;
	task_context(task, *pid_tgid, false);
	return true;
}

/*
 * The scratch buffer for the record of a request on a process's memory file by the current task (uring_caller()),
 * or null: the file is another, or no record is to be written.
 */
static __always_inline struct scratch *uring_memfile_record(struct file *file, __u64 *pid_tgid)
{
	return is_proc_mem(file) && uring_caller(pid_tgid) ? scratch_buf() : 0;
}

/* An io_uring request's MS_SYSCALL: nr MS_NR_IO_URING + its opcode, five arguments of its own, its SQE's flags last. */
static __always_inline void fill_uring_syscall(struct ms_syscall *r, struct io_kiocb *req, __u64 a0, __u64 a1, __u64 a2,
					       __u64 a3, __u64 a4, long ret)
{
	r->nr = MS_NR_IO_URING + req->opcode;
	r->_pad = 0;
	r->args[0] = a0;
	r->args[1] = a1;
	r->args[2] = a2;
	r->args[3] = a3;
	r->args[4] = a4;
	r->args[5] = req->flags & IOSQE_FLAGS_;
	r->ret = ret;
}

/*
 * madvise through a ring (IORING_OP_MADVISE), with advice that changes VMA flags (changes_vma_flags(), as the
 * syscall's): an MS_SYSCALL with nr MS_NR_IO_URING + 25 and args addr, len, advice, 0, 0, the SQE's flags. Recorded
 * as it completes (its completion, which io_uring_complete passes, has the result: the analyzer applies it as a
 * madvise), or, for a request that posts no completion if it succeeds (IOSQE_CQE_SKIP_SUCCESS), as it is submitted,
 * with MS_F_ENTER_ONLY (no result: the analyzer applies nothing).
 */
static __always_inline int record_uring_madvise(struct io_kiocb *req, long res, bool submitted)
{
	struct io_madvise *ma = bpf_rdonly_cast(req, bpf_core_type_id_kernel(struct io_madvise));
	__u32 advice = ma->advice;
	if (!changes_vma_flags(advice))
		return 0;
	__u64 pid_tgid;
	if (!uring_caller(&pid_tgid))
		return 0;
	struct ms_syscall *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_loss();
		return 0;
	}
	fill_hdr(&r->h, MS_SYSCALL, sizeof(*r), submitted ? MS_F_ENTER_ONLY : 0, pid_tgid);
	fill_uring_syscall(r, req, ma->addr, ma->len, advice, 0, 0, submitted ? 0 : res);
	bpf_ringbuf_submit(r, QUIET_WAKEUP);
	return 0;
}

/*
 * A write request on a process's memory file: an MS_SYSCALL with the SQE's fields, where it is to begin (MS_F_ADDR: its
 * offset, or for -1 the file position now) and, for a vectored one, its range (its iovecs' total), recorded before it
 * runs (MS_F_ENTER_ONLY: no result). This record cannot be dodged; its result comes in a second record as the request
 * completes (record_uring_write_done()), which a successful request with IOSQE_CQE_SKIP_SUCCESS never does.
 */
static __always_inline int record_uring_write(struct io_kiocb *req, struct file *file)
{
	__u64 pid_tgid;
	struct scratch *s = uring_memfile_record(file, &pid_tgid);
	if (!s)
		return 0;
	/* The request's command area starts with its struct io_rw, prepared from the SQE: ki_pos is its off. */
	struct io_rw *rw = bpf_rdonly_cast(req, bpf_core_type_id_kernel(struct io_rw));
	__s64 off = rw->kiocb.ki_pos;
	fill_uring_syscall((struct ms_syscall *)s->buf, req, (__u32)req->cqe.fd, rw->addr, rw->len, off, rw->flags, 0);
	/* a vectored request's length is in its iovecs: its addr and len are the array and its count */
	bool vectored = req->opcode == IORING_OP_WRITEV_ || req->opcode == IORING_OP_WRITEV_FIXED_;
	submit_file_call(s, file, pid_tgid, MS_F_ENTER_ONLY | MS_F_ADDR, off == -1 ? file->f_pos : off,
			 vectored ? iovecs_total(s, rw->addr, rw->len) : -1);
	return 0;
}

/*
 * A write request's completion on a process's memory file (format 6): an MS_SYSCALL with the request's fields as it
 * holds them at its end (its fd is gone by now, the CQE's flags took its place: 0; a fixed buffer's address and length
 * may have advanced by what was written), where the write began (MS_F_ADDR: the file position now less what it wrote;
 * the memory file is no stream, so the kernel moved it), the file it was issued on, and the CQE's result; no
 * MS_F_ENTER_ONLY. Of the completing thread (the submitter, or the ring's io-wq worker: a thread of the process). The
 * analyzer pairs it with the request's submission record by process, nr, file and start. It is a record of its own,
 * whole, because the file may not be the one the submission named, or have had none: a request through a registered
 * slot that a request linked before it filled (IORING_OP_FILES_UPDATE, an open straight into the slot) was submitted
 * naming the slot's earlier file, and only its completion shows the memory file it wrote.
 */
static __always_inline int record_uring_write_done(struct io_kiocb *req, struct file *file, long res)
{
	__u64 pid_tgid;
	struct scratch *s = uring_memfile_record(file, &pid_tgid);
	if (!s)
		return 0;
	struct io_rw *rw = bpf_rdonly_cast(req, bpf_core_type_id_kernel(struct io_rw));
	__s64 end = rw->kiocb.ki_pos;
	__s64 start = res > 0 ? end - res : end;
	fill_uring_syscall((struct ms_syscall *)s->buf, req, 0, rw->addr, rw->len, start, rw->flags, res);
	submit_file_call(s, file, pid_tgid, MS_F_ADDR, start, -1);
	return 0;
}

/*
 * A submitted request: a write through a registered file (a normal fd's is looked at as the request is issued:
 * record_uring_file_get()), and a madvise that posts no completion if it succeeds.
 */
static __always_inline int record_uring_submit(struct io_kiocb *req)
{
	__u8 op = req->opcode;
	if (op == IORING_OP_MADVISE_ && (req->flags & REQ_F_CQE_SKIP_))
		return record_uring_madvise(req, 0, true);
	if (!uring_writes(op) || !(req->flags & REQ_F_FIXED_FILE_))
		return 0;
	return record_uring_write(req, uring_fixed_file(req));
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(ms_uring_submit, struct io_kiocb *req)
{
	return record_uring_submit(req);
}

SEC("?raw_tp/io_uring_submit_req")
int ms_raw_uring_submit(struct bpf_raw_tracepoint_args *ctx)
{
	/* the untyped argument made a BTF pointer: the same direct (fault-guarded) loads as the tp_btf program's */
	return record_uring_submit(bpf_rdonly_cast((void *)ctx->args[0], bpf_core_type_id_kernel(struct io_kiocb)));
}

/*
 * A request's fd looked up as the kernel issues it (io_file_get_normal(): fget(fd), then this tracepoint), in the
 * issuing task (the submitter, the ring's SQPOLL thread, or an io-wq worker: all share the process's fd table). A
 * write request's file is looked at here, not as it is submitted: a request delayed by a link, a drain or a punt to
 * io-wq finds its fd then, and another file may have been put there since (dup2 after submitting). What fget()
 * returned is not an argument: the table is read again, a moment later (a race only another thread of the same
 * process, swapping the fd within that moment, could win).
 */
static __always_inline int record_uring_file_get(struct io_kiocb *req, int fd)
{
	if (!uring_writes(req->opcode))
		return 0;
	return record_uring_write(req, file_of_fd(bpf_get_current_task_btf(), fd));
}

SEC("tp_btf/io_uring_file_get")
int BPF_PROG(ms_uring_file_get, struct io_kiocb *req, int fd)
{
	return record_uring_file_get(req, fd);
}

SEC("?raw_tp/io_uring_file_get")
int ms_raw_uring_file_get(struct bpf_raw_tracepoint_args *ctx)
{
	return record_uring_file_get(bpf_rdonly_cast((void *)ctx->args[0], bpf_core_type_id_kernel(struct io_kiocb)),
				     (int)ctx->args[1]);
}

#define IORING_FILE_INDEX_ALLOC_ (~0U) /* an open straight into a free registered slot: the CQE's res is the slot */

/*
 * An open through a ring (IORING_OP_OPENAT, OPENAT2) of a process's memory file for writing, recorded as the open
 * calls' are (opens_for_write(), is_proc_mem()): as it completes, with its result, its file looked up where it put it:
 * the fd it installed, in the completing task's table (the submitter's, or its io-wq worker's, which shares it), or,
 * for an open straight into the ring's registered files (a file index), that slot. args: the SQE's dfd, the file
 * index (0: an fd; slot + 1; IORING_FILE_INDEX_ALLOC, ~0: a free slot, res names it), the open_how's flags, mode and
 * resolve, the SQE's flags (the path is the file part's). One that posts no completion is not recorded.
 */
static __always_inline int record_uring_open(struct io_kiocb *req, long res)
{
	struct io_open *o = bpf_rdonly_cast(req, bpf_core_type_id_kernel(struct io_open));
	__u64 flags = o->how.flags;
	if (res < 0 || (flags & O_ACCMODE_) == 0 || (flags & O_PATH_))
		return 0;
	__u32 slot = o->file_slot;
	struct file *file = !slot ? file_of_fd(bpf_get_current_task_btf(), res)
				  : uring_slot_file(req->ctx, slot == IORING_FILE_INDEX_ALLOC_ ? (__u32)res : slot - 1);
	__u64 pid_tgid;
	struct scratch *s = uring_memfile_record(file, &pid_tgid);
	if (!s)
		return 0;
	fill_uring_syscall((struct ms_syscall *)s->buf, req, (__s64)o->dfd, slot, flags, o->how.mode, o->how.resolve, res);
	submit_file_call(s, file, pid_tgid, 0, 0, -1);
	return 0;
}

/*
 * A completion: an IORING_OP_MADVISE's (record_uring_madvise()), an open's (record_uring_open()) and a write's on a
 * process's memory file (record_uring_write_done()) are recorded. req is null for the ring's own CQEs.
 */
static __always_inline int record_uring_complete(struct io_kiocb *req, struct io_uring_cqe *cqe)
{
	if (!req)
		return 0;
	__u8 op = req->opcode;
	if (op == IORING_OP_MADVISE_)
		return record_uring_madvise(req, cqe->res, false);
	if (op == IORING_OP_OPENAT_ || op == IORING_OP_OPENAT2_)
		return record_uring_open(req, cqe->res);
	if (uring_writes(op))
		return record_uring_write_done(req, req->file, cqe->res); /* the request still holds the file it wrote */
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(ms_uring_complete, struct io_ring_ctx *ring, void *req, struct io_uring_cqe *cqe)
{
	return record_uring_complete(bpf_rdonly_cast(req, bpf_core_type_id_kernel(struct io_kiocb)), cqe);
}

SEC("?raw_tp/io_uring_complete")
int ms_raw_uring_complete(struct bpf_raw_tracepoint_args *ctx)
{
	return record_uring_complete(bpf_rdonly_cast((void *)ctx->args[1], bpf_core_type_id_kernel(struct io_kiocb)),
				     bpf_rdonly_cast((void *)ctx->args[2], bpf_core_type_id_kernel(struct io_uring_cqe)));
}

/* ---- process lifecycle ----------------------------------------------------------- */

static __always_inline int record_fork(struct task_struct *parent, struct task_struct *child)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((pid_tgid >> 32) == ms_cfg.self_tgid)
		return 0;
	task_context(bpf_get_current_task_btf(), pid_tgid, false);
	struct ms_fork *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_loss();
		return 0;
	}
	fill_hdr(&r->h, MS_FORK, sizeof(*r), 0, pid_tgid);
	r->child_pid = BPF_CORE_READ(child, tgid);
	r->child_tid = BPF_CORE_READ(child, pid);
	r->child_start_ns = BPF_CORE_READ(child, start_time);
	__u32 ff = 0;
	if (r->child_pid == (pid_tgid >> 32))
		ff |= MS_FORK_THREAD;
	struct mm_struct *cmm = BPF_CORE_READ(child, mm);
	if (cmm && cmm == BPF_CORE_READ(parent, mm))
		ff |= MS_FORK_VM;
	r->fork_flags = ff;
	r->_pad = 0;
	bpf_ringbuf_submit(r, QUIET_WAKEUP);
	return 0;
}

/*
 * exit(2) and exit_group(2) never return, so they have no sys_exit: they are recorded here, as the task that
 * called one passes sched_process_exit, from the registers its syscall entry saved (orig_ax holds the number,
 * di the status; nothing has changed them since). A sys_enter program would do the same for these two calls at
 * the price of a second BPF run on every syscall of the host (~1.6 % of the storm's speed: docs/RECORDER.md).
 * A task killed by a signal, or by another thread's exit_group, was not in either call: its orig_ax names
 * whatever it was doing, and it gets no syscall record (its exit record says how it ended).
 */
static __always_inline void record_exit_call(struct task_struct *task, __u64 pid_tgid)
{
	if (task->flags & PF_KTHREAD)
		return; /* a kernel thread's saved registers are not a syscall's */
	if (task->thread_info.status & TS_COMPAT_)
		return; /* in a 32-bit call (compat exit is 1, exit_group 252): its number means another call here */
	struct pt_regs regs;
	if (copy_syscall_regs(&regs, (struct pt_regs *)bpf_task_pt_regs(task)))
		return;
	long nr = regs.orig_ax;
	__u16 x32 = 0;
	if ((unsigned long)nr - X32_SYSCALL_BIT_ < 1024) {
		nr -= X32_SYSCALL_BIT_; /* x32's exit and exit_group are the 64-bit calls (record_x32_nr()) */
		x32 = MS_F_X32;
	}
	if (nr == NR_EXIT || nr == NR_EXIT_GROUP)
		on_syscall(&regs, nr, 0, pid_tgid, MS_F_ENTER_ONLY | x32);
}

/* The exiting task is current: the tracepoint's argument is not needed. */
static __always_inline int record_exit(void)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((pid_tgid >> 32) == ms_cfg.self_tgid)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	task_context(task, pid_tgid, false);
	record_exit_call(task, pid_tgid);
	struct ms_exit *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_loss();
		return 0;
	}
	fill_hdr(&r->h, MS_EXIT, sizeof(*r), 0, pid_tgid);
	r->exit_code = BPF_CORE_READ(task, exit_code);
	/* signal->live has been decremented before this tracepoint: 0 means the last thread.
	 * (Read here rather than from the tracepoint's group_dead argument, which older kernels lack.) */
	r->group_dead = BPF_CORE_READ(task, signal, live.counter) == 0;
	bpf_ringbuf_submit(r, QUIET_WAKEUP);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ms_fork, struct task_struct *parent, struct task_struct *child)
{
	inherit_marks(parent, child);
	return record_fork(parent, child);
}

SEC("?raw_tp/sched_process_fork")
int ms_raw_fork(struct bpf_raw_tracepoint_args *ctx)
{
	return record_fork((struct task_struct *)ctx->args[0], (struct task_struct *)ctx->args[1]);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ms_exit, struct task_struct *p)
{
	return record_exit();
}

SEC("?raw_tp/sched_process_exit")
int ms_raw_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return record_exit();
}

/* ---- exec: exe, argv, and the new address space ----------------------------------- */

struct vma_info {
	__u64 start;
	__u64 end;
	__u64 pgoff;
	__u64 vm_flags;
	__u64 file;
	__u64 pid_tgid;
	__u32 seq;
	__u32 flags;
};

/*
 * A global (not static) function: the verifier checks it once on its own
 * instead of once per call site inside the VMA loop, which kept the exec
 * program's load time to a fraction of a second.
 */
__noinline int emit_vma(struct vma_info *v)
{
	if (!v)
		return 0;
	struct scratch *s = scratch_buf();
	if (!s)
		return 0;
	struct ms_vma *r = (void *)s->buf;
	r->start = v->start;
	r->end = v->end;
	r->pgoff = v->pgoff;
	r->vm_flags = v->vm_flags;
	r->seq = v->seq;
	r->_pad = 0;
	__u32 size = sizeof(*r);
	__u16 flags = v->flags;
	__u64 wakeup = QUIET_WAKEUP;
	if (v->file) {
		struct ms_file *f = (void *)(s->buf + sizeof(struct ms_vma));
		size = append_file(s, sizeof(struct ms_vma), (struct file *)v->file);
		flags |= MS_F_FILE;
		wakeup = wakeup_for(f, v->vm_flags & VM_EXEC_); /* an exec'd memfd: fileless execution */
	}
	fill_hdr(&r->h, MS_VMA, size, flags, v->pid_tgid);
	if (wakeup == BPF_RB_FORCE_WAKEUP) {
		struct ms_file *f = (void *)(s->buf + sizeof(struct ms_vma));
		request_hold(v->pid_tgid, v->start, v->end, f->ino, f->dev, r->h.ktime_ns);
	}
	submit_or_count(s->buf, size & SCRATCH_MASK, wakeup);
	return 0;
}

extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task, __u64 addr) __weak __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __weak __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __weak __ksym;

/*
 * Walk the fresh address space in address order (bpf_find_vma cannot step
 * over gaps; the task_vma iterator can). Each VMA is emitted when the next
 * one is found, so the last one can carry MS_F_VMA_LAST.
 */
static __always_inline void walk_vmas(struct task_struct *task, __u64 pid_tgid)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct vma_info v = {};
	__u32 n = 0;
	bool truncated = false;

	v.pid_tgid = pid_tgid;
	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		if (n >= MAX_VMAS) {
			truncated = true;
			break;
		}
		if (n > 0)
			emit_vma(&v); /* the previous one: not the last */
		v.start = vma->vm_start;
		v.end = vma->vm_end;
		v.pgoff = vma->vm_pgoff;
		v.vm_flags = vma->vm_flags;
		v.file = (__u64)vma->vm_file;
		v.seq = n;
		n++;
	}
	bpf_iter_task_vma_destroy(&it);
	/* n == 0: no VMA seen (the mmap lock was busy): an empty record says the walk failed. */
	v.flags = MS_F_VMA_LAST | (truncated || n == 0 ? MS_F_VMA_WALK_TRUNCATED : 0);
	emit_vma(&v);
}

static __always_inline int record_exec(pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((pid_tgid >> 32) == ms_cfg.self_tgid)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	/* exec changes comm, maybe credentials, and the tid of a non-leader caller: always restate. */
	task_context(task, pid_tgid, true);

	struct scratch *s = scratch_buf();
	if (!s)
		return 0;
	struct ms_exec *r = (void *)s->buf;
	r->old_tid = old_pid;
	__u32 plen = 0;
	__u16 flags = 0;
	struct file *exe = BPF_CORE_READ(bprm, file);
	if (exe) {
		plen = describe_file(exe, &r->exe, s->buf + sizeof(*r));
	} else {
		__builtin_memset(&r->exe, 0, sizeof(r->exe));
		r->exe.file_flags = MS_FILE_NO_PATH;
	}
	plen &= (2 * MS_PATH_MAX - 1);

	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	__u64 arg_start = BPF_CORE_READ(mm, arg_start);
	__u64 arg_end = BPF_CORE_READ(mm, arg_end);
	__u64 alen = arg_end > arg_start ? arg_end - arg_start : 0;
	if (alen > MS_ARGV_MAX) {
		alen = MS_ARGV_MAX;
		flags |= MS_F_ARGV_TRUNCATED;
	}
	__u32 aoff = (sizeof(*r) + plen) & PATH_OFF_MASK;
	/* alen <= MS_ARGV_MAX; the mask only proves the bound to the verifier. */
	if (bpf_probe_read_user(s->buf + aoff, alen & (2 * MS_ARGV_MAX - 1), (void *)arg_start))
		alen = 0;
	r->argv_len = alen;
	__u32 end = sizeof(*r) + plen + alen;
	zero_pad(s, end);
	__u32 size = round8(end);
	fill_hdr(&r->h, MS_EXEC, size, flags, pid_tgid);
	submit_or_count(s->buf, size & SCRATCH_MASK, QUIET_WAKEUP);

	walk_vmas(task, pid_tgid);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ms_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return record_exec(old_pid, bprm);
}

/* raw_tp: args are (p, old_pid, bprm). */
SEC("?raw_tp/sched_process_exec")
int ms_raw_exec(struct bpf_raw_tracepoint_args *ctx)
{
	return record_exec((pid_t)ctx->args[1], (struct linux_binprm *)ctx->args[2]);
}

/*
 * Capacity benchmark only, not autoloaded: every getppid(2) of ms_cfg.synthetic_tgid
 * emits SYNTHETIC_PER_CALL records (mmap, mprotect, munmap sizes in turn, like the
 * storm), so the user-space pipeline can be driven far beyond what real syscalls
 * produce on this machine.
 */
#define NR_GETPPID 110
#define SYNTHETIC_PER_CALL 256

static long synthetic_step(__u32 i, __u64 *pid_tgid)
{
	__u64 addr = 0x5ca100000000UL + ((__u64)(i & 255) << 12);
	switch (i % 3) {
	case 0: {
		struct ms_mmap *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
		if (!r)
			break;
		fill_hdr(&r->h, MS_MMAP, sizeof(*r), 0, *pid_tgid);
		r->addr = 0;
		r->len = 4096;
		r->prot = 3;
		r->flags = 0x22;
		r->fd = -1;
		r->_pad = 0;
		r->off = 0;
		r->ret = addr;
		bpf_ringbuf_submit(r, QUIET_WAKEUP);
		return 0;
	}
	case 1: {
		struct ms_mprotect *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
		if (!r)
			break;
		fill_hdr(&r->h, MS_MPROTECT, sizeof(*r), 0, *pid_tgid);
		r->addr = addr;
		r->len = 4096;
		r->prot = 5;
		r->pkey = -1;
		r->ret = 0;
		bpf_ringbuf_submit(r, QUIET_WAKEUP);
		return 0;
	}
	default: {
		struct ms_munmap *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
		if (!r)
			break;
		fill_hdr(&r->h, MS_MUNMAP, sizeof(*r), 0, *pid_tgid);
		r->addr = addr;
		r->len = 4096;
		r->ret = 0;
		bpf_ringbuf_submit(r, QUIET_WAKEUP);
		return 0;
	}
	}
	count_loss();
	return 0;
}

/*
 * process_vm_writev's entry: its remote iovec array as the kernel is about to read it, kept for the call's exit
 * (vm_write_entries). A syscalls:sys_enter_* tracepoint, not a program on every syscall's entry: the kernel tests this
 * call's bit before running it. 32-bit calls do not pass here (x86's syscall tracepoints skip them).
 */
SEC("?tracepoint/syscalls/sys_enter_process_vm_writev")
int ms_vm_writev_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((pid_tgid >> 32) == ms_cfg.self_tgid)
		return 0;
	struct scratch *s = scratch_buf();
	if (!s)
		return 0;
	struct vm_write_entry *e = (void *)(s->buf + VM_WRITE_SCRATCH_OFF);
	__u64 rvec = ctx->args[3], count = ctx->args[4];
	__u64 n = count < MS_IOVECS_MAX ? count : MS_IOVECS_MAX;
	e->rvec = rvec;
	e->count = n;
	e->_pad = 0;
	if (read_iovecs(e->v, rvec, n) < 0) /* e.g. a page not yet faulted in: the exit reads the array as it returns */
		bpf_map_delete_elem(&vm_write_entries, &pid_tgid);
	else
		bpf_map_update_elem(&vm_write_entries, &pid_tgid, e, BPF_ANY);
	return 0;
}

/*
 * An ioctl's entry: a UFFDIO_COPY's or UFFDIO_MOVE's range as the kernel is about to read it, kept for the call's exit
 * (uffd_entries). Runs for every ioctl of the host (a syscalls:sys_enter_* tracepoint), which a compare of the command
 * ends; 32-bit calls do not pass here.
 */
SEC("?tracepoint/syscalls/sys_enter_ioctl")
int ms_uffd_enter(struct trace_event_raw_sys_enter *ctx)
{
	if (!fills_pages((__u32)ctx->args[1]))
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((pid_tgid >> 32) == ms_cfg.self_tgid)
		return 0;
	__u64 a[3]; /* dst, src, len */
	struct uffd_entry e = {.arg = ctx->args[2]};
	if (bpf_probe_read_user(a, sizeof(a), (void *)e.arg)) {
		bpf_map_delete_elem(&uffd_entries, &pid_tgid); /* the exit reads the argument as it returns */
		return 0;
	}
	e.dst = a[0];
	e.len = a[2];
	bpf_map_update_elem(&uffd_entries, &pid_tgid, &e, BPF_ANY);
	return 0;
}

/*
 * mmap_lock_acquire_returned(mm, write, success): the thread's slot of map_seqs gets the count of the write lock it
 * took (note_order()). Runs for every mmap lock taken, read locks too: five an iteration of the storm, 73 ns a run with
 * BPF statistics on (scripts/bench-prog-stats 1 3; ~2.5-3.5 % of the storm, docs/PERFORMANCE.md); record --no-map-order
 * leaves it out.
 */
static __always_inline void note_write_lock(__u32 seq)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *v = map_seq_slot(tid);
	if (v)
		*v = (__u64)tid << 32 | seq;
	if (!lock_watch_on)
		lock_watch_on = 1;
}

SEC("?tp_btf/mmap_lock_acquire_returned")
int BPF_PROG(ms_mmap_locked, struct mm_struct *mm, bool write, bool success)
{
	if (write && success && has_mm_lock_seq())
		note_write_lock(mm_lock_seq_btf(mm));
	return 0;
}

SEC("?raw_tp/mmap_lock_acquire_returned")
int ms_raw_mmap_locked(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[1] && ctx->args[2] && has_mm_lock_seq())
		note_write_lock(mm_lock_seq((struct mm_struct *)ctx->args[0]));
	return 0;
}

SEC("?tp_btf/sys_enter")
int BPF_PROG(ms_synthetic, struct pt_regs *regs, long id)
{
	if (id != NR_GETPPID || ms_cfg.synthetic_tgid == 0)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((pid_tgid >> 32) != ms_cfg.synthetic_tgid)
		return 0;
	bpf_loop(SYNTHETIC_PER_CALL, synthetic_step, &pid_tgid, 0);
	return 0;
}
