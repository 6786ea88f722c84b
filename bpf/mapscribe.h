/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mapscribe.h — the one definition of every raw record the kernel programs emit.
 *
 * The kernel side (mapscribe.bpf.c) writes these structs into the BPF ring
 * buffer; the recorder copies them verbatim into the journal; the Java side
 * (formats/src/main/java/dev/mapscribe/formats/raw/Layouts.java) mirrors them
 * field for field, and LayoutTest compiles a C program that prints sizeof/offsetof
 * of every field below and fails on any difference.
 *
 * Rules for this file:
 *  - Only fixed-width types, explicit padding, 8-byte aligned sizes: no
 *    compiler-dependent layout.
 *  - Record kinds are stable ids: never reuse or renumber one. Ids 1..63 are
 *    kernel records (defined here); 64.. are user-space records (formats/ only).
 *  - Changing any layout bumps MS_FORMAT_VERSION.
 *  - Variable-length records: a fixed struct, then the bytes its length fields
 *    name, in the order the struct's comment gives; ms_hdr.size covers it all,
 *    rounded up to 8.
 */
#ifndef MAPSCRIBE_H
#define MAPSCRIBE_H

/* 2: ms_task.personality appended (a version-1 MS_TASK is 8 bytes shorter); 3: MS_SYSCALL's ranges part (MS_F_IOVECS)
 * and policy part (MS_F_POLICY); ms_iovecs' padding became its flags (a format-3 journal's zero there says what its
 * ranges were: read as the call returned); 4: MS_ORDER; 5: MS_SYSCALL's userfaultfd part (MS_F_UFFD); 6: an io_uring
 * write's MS_SYSCALL without MS_F_ENTER_ONLY, its completion, with its result (before, every one was its submission) */
#define MS_FORMAT_VERSION 6

#define MS_PATH_MAX 4096  /* longest path a record carries; longer ones are cut, flagged */
#define MS_ARGV_MAX 4096  /* longest argv blob (NUL-separated) an exec record carries */
#define MS_COMM_LEN 16

enum ms_kind {
	MS_TASK = 1,      /* task context: before a task's first record, and whenever it changes */
	MS_MMAP = 2,      /* mmap(2) with result; file part when it maps a file */
	MS_MPROTECT = 3,  /* mprotect(2) and pkey_mprotect(2) with result */
	MS_MUNMAP = 4,    /* munmap(2) with result */
	MS_MREMAP = 5,    /* mremap(2) with result */
	MS_BRK = 6,       /* brk(2) with result */
	MS_SYSCALL = 7,   /* other syscalls of interest: clone*, fork, vfork, execve*, exit* */
	MS_FORK = 8,      /* sched_process_fork: a new task */
	MS_EXEC = 9,      /* sched_process_exec: a successful exec, with exe and argv */
	MS_EXIT = 10,     /* sched_process_exit: a task ends */
	MS_VMA = 11,      /* one VMA of a fresh address space, walked in the kernel after exec */
	MS_ORDER = 12,    /* before a call's record: another change of its address space may have come between (ms_order) */
};

/* ms_hdr.flags bits, shared by all kinds (each kind names the ones it uses). */
#define MS_F_FILE 0x0001            /* an ms_file (and its path) follows the fixed part */
#define MS_F_PKEY 0x0002            /* MS_MPROTECT came from pkey_mprotect(2) */
#define MS_F_ARGV_TRUNCATED 0x0004  /* MS_EXEC: argv longer than MS_ARGV_MAX, cut */
#define MS_F_ENTER_ONLY 0x0008      /* MS_SYSCALL: arguments, no result: a call that never returns (exit*), recorded as the task
                                       exits, or an io_uring request (MS_NR_IO_URING), recorded as it is submitted */
#define MS_F_VMA_WALK_TRUNCATED 0x0010 /* MS_VMA: the walk stopped before the last VMA */
#define MS_F_VMA_LAST 0x0020        /* MS_VMA: the last record of one walk */
#define MS_F_SHMAT 0x0040           /* MS_MMAP came from shmat(2): addr = shmaddr, flags = shmflg, fd = shmid, len = segment size */
#define MS_F_ADDR 0x0080            /* MS_SYSCALL: a struct ms_addr follows the fixed part (before any file part) */
#define MS_F_COMPAT 0x0100          /* a 32-bit call (a 32-bit process, or int 0x80) recorded as the 64-bit call it equals:
                                       MS_MMAP from mmap2 or old_mmap, MS_MPROTECT, MS_MUNMAP, MS_MREMAP, MS_BRK, MS_SYSCALL
                                       (madvise, the lock calls, shmdt) */
#define MS_F_AIO 0x0200             /* MS_MMAP came from io_setup(2), which maps the AIO ring: fd = nr_events, ret = the
                                       ring's address (the aio_context_t it wrote; -errno when it failed), len = the
                                       ring's size (its VMA's), prot and flags as mapped (RW, shared), its file */
#define MS_F_IOVECS 0x0400          /* MS_SYSCALL: a struct ms_iovecs and its ranges follow the address part */
#define MS_F_POLICY 0x0800          /* MS_SYSCALL: a struct ms_policy follows the ranges part (mbind, set_mempolicy_home_node) */
#define MS_F_ARGS_FROM_VMA 0x1000   /* MS_MMAP of a 32-bit old_mmap: prot, MAP_SHARED/MAP_PRIVATE/MAP_ANONYMOUS and the file
                                     * are the VMA's the call made, not its arguments (read from the caller's memory as it
                                     * returned: another thread may have rewritten them) */
#define MS_F_UFFD 0x4000            /* MS_SYSCALL: a struct ms_uffd follows the ranges part (an ioctl that filled pages through a
                                     * userfaultfd, or registered or unregistered a range with one) */
#define MS_F_X32 0x2000             /* a call made with x32's numbers (__X32_SYSCALL_BIT set: any 64-bit process can), recorded
                                     * as the 64-bit call of the same number: the kernel runs that call, or fails it with
                                     * ENOSYS where it has no x32 (record_x32()) */

/* Common header of every record: 24 bytes. */
struct ms_hdr {
	__u16 kind;      /* enum ms_kind */
	__u16 size;      /* whole record in bytes, header included, multiple of 8 */
	__u16 cpu;       /* CPU the program ran on */
	__u16 flags;     /* MS_F_* */
	__u64 ktime_ns;  /* bpf_ktime_get_ns(): CLOCK_MONOTONIC, ns */
	__u32 pid;       /* tgid */
	__u32 tid;       /* kernel pid of the thread */
};

/*
 * Task context: the identity every other record of this tid refers to. The
 * kernel emits it before a task's first record and again whenever one of
 * its parts changes (credentials, namespaces, parent, comm, personality): every record
 * carries its task context by reference, which keeps the syscall records small.
 */
struct ms_task {
	struct ms_hdr h;
	__u32 ppid;            /* tgid of real_parent */
	__u32 uid;             /* real uid */
	__u32 gid;             /* real gid */
	__u32 euid;
	__u32 egid;
	__u32 mntns;           /* mount namespace inode number */
	__u64 start_ns;        /* task->start_time: tells a reused tid apart */
	__u64 leader_start_ns; /* group_leader->start_time: tells a reused pid apart */
	__u64 parent_start_ns; /* real_parent->group_leader->start_time */
	char comm[MS_COMM_LEN];
	__u32 personality;     /* task->personality: READ_IMPLIES_EXEC (0x0400000) makes PROT_READ imply PROT_EXEC */
	__u32 _pad;
};

/*
 * The file behind an fd or a VMA; the path (path_len bytes, no NUL) follows
 * the struct that embeds it. Path resolved from the dentry chain across mounts.
 */
struct ms_file {
	__u64 ino;
	__u64 size;         /* i_size when recorded */
	__s64 ctime_sec;
	__u32 ctime_nsec;
	__u32 dev;          /* kernel dev_t of the superblock: major << 20 | minor */
	__u32 mode;         /* i_mode */
	__u16 path_len;     /* bytes of path that follow */
	__u16 file_flags;   /* MS_FILE_* */
};

#define MS_FILE_PATH_TRUNCATED 0x0001 /* deeper or longer than MS_PATH_MAX: leading part cut */
#define MS_FILE_UNLINKED 0x0002       /* the dentry is unlinked (deleted file) */
#define MS_FILE_NO_PATH 0x0004        /* no dentry could be read: path is empty */
#define MS_FILE_NOEXEC 0x0008         /* on a noexec mount; looked at only where it matters, an MS_MMAP of a task whose
                                         personality has READ_IMPLIES_EXEC (PROT_READ then implies PROT_EXEC, but not there) */

/* mmap(2). If h.flags & MS_F_FILE: struct ms_file, then its path. */
struct ms_mmap {
	struct ms_hdr h;
	__u64 addr;
	__u64 len;
	__u32 prot;
	__u32 flags;
	__s32 fd;        /* low 32 bits of the register: -1 stays -1 */
	__u32 _pad;
	__u64 off;
	__s64 ret;       /* mapped address, or -errno */
};

/* mprotect(2); pkey_mprotect(2) when h.flags & MS_F_PKEY. */
struct ms_mprotect {
	struct ms_hdr h;
	__u64 addr;
	__u64 len;
	__u32 prot;
	__s32 pkey;      /* -1 for mprotect(2) */
	__s64 ret;       /* 0 or -errno */
};

/* munmap(2). */
struct ms_munmap {
	struct ms_hdr h;
	__u64 addr;
	__u64 len;
	__s64 ret;
};

/* mremap(2). */
struct ms_mremap {
	struct ms_hdr h;
	__u64 old_addr;
	__u64 old_len;
	__u64 new_len;
	__u32 flags;     /* MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP */
	__u32 _pad;
	__u64 new_addr;  /* the fifth argument: only meaningful with MREMAP_FIXED */
	__s64 ret;       /* new address, or -errno */
};

/* brk(2): the heap is [start_brk, ret) after the call. */
struct ms_brk {
	struct ms_hdr h;
	__u64 addr;      /* requested break (0 queries it) */
	__u64 start_brk; /* mm->start_brk */
	__s64 ret;       /* the break after the call (the old one when it failed) */
};

/*
 * Any other syscall of interest, raw: six arguments and the result. If h.flags & MS_F_ADDR: struct ms_addr. If
 * h.flags & MS_F_IOVECS: struct ms_iovecs and its ranges. If h.flags & MS_F_UFFD: struct ms_uffd. If MS_F_POLICY:
 * struct ms_policy. Then, if h.flags & MS_F_FILE: struct ms_file, then its path (the process's memory file an open
 * opened for writing, or a write wrote).
 */
struct ms_syscall {
	struct ms_hdr h;
	__u32 nr;        /* x86-64 syscall number, or MS_NR_IO_URING + an io_uring opcode */
	__u32 _pad;
	__u64 args[6];
	__s64 ret;       /* 0 when h.flags & MS_F_ENTER_ONLY */
};

/*
 * An io_uring request that writes a process's memory file (IORING_OP_WRITE 23, WRITEV 2, WRITE_FIXED 5, WRITEV_FIXED
 * 61) passes no write syscall: an MS_SYSCALL with nr MS_NR_IO_URING + the opcode, recorded as it is submitted
 * (MS_F_ENTER_ONLY: the result comes later, on the completion queue, and is not recorded), with MS_F_ADDR and
 * MS_F_FILE as a write call has them. args: the SQE's fd (an index into the ring's registered files when arg 5 has
 * IOSQE_FIXED_FILE), addr (the buffer, or the iovec array), len (bytes, or iovecs), off (-1: the file position),
 * rw_flags, and the SQE's flags (IOSQE_*).
 */
#define MS_NR_IO_URING 0x10000

/*
 * MS_SYSCALL's address part: where a write into a process's memory began, in that process -- a write to its memory
 * file (the file position, which is the address; for an io_uring request, where it is to begin), or process_vm_writev
 * (the base of the first remote iovec; all of them, with their lengths, in the ranges part). For prctl(PR_SET_MM),
 * the address space's program break (mm->brk) as the call returned, which PR_SET_MM_BRK and PR_SET_MM_MAP move. For
 * process_madvise, the process (or thread) its pidfd names, as the records number it; 0 when not known.
 */
struct ms_addr {
	__u64 addr;
};

/*
 * MS_SYSCALL's ranges part (MS_F_IOVECS), after the address part: the ranges of the target's memory a write into a
 * process asks to write, in order, each a struct ms_iovec. For process_vm_writev its remote iovecs: the first count of
 * them (at most MS_IOVECS_MAX; the call's riovcnt, arg 4, says how many it named), as the caller's array held them
 * when the call began (flags & MS_IOVECS_AT_ENTRY), else when it returned (another thread of the caller may have
 * rewritten the array after the kernel read it: a long copy leaves time to). For a vectored write to a process's
 * memory file (writev, pwritev, pwritev2, an io_uring WRITEV or WRITEV_FIXED request) one range: where it begins (as
 * the address part) and the total length of its iovecs as the call returned, when it has at most MS_IOVECS_MAX.
 * Absent when the array could not be read.
 */
#define MS_IOVECS_MAX 64
#define MS_IOVECS_AT_ENTRY 0x1 /* read as the call began, before the kernel read them (format 3's zero: as it returned) */
#define MS_IOVECS_CHANGED 0x2  /* read at entry, and the array differed (or could not be read) as the call returned */

struct ms_iovecs {
	__u32 count;
	__u32 flags;     /* MS_IOVECS_*: when the ranges were read */
};

struct ms_iovec {
	__u64 base;
	__u64 len;
};

/*
 * MS_SYSCALL's policy part (MS_F_POLICY), after the ranges part: the NUMA policy a successful mbind or
 * set_mempolicy_home_node left on the VMA at its start address, as the kernel keeps it (struct mempolicy; all zero
 * for none, MPOL_DEFAULT). The kernel merges two adjacent VMAs only when their policies are equal (mpol_equal: mode,
 * flags, home node, and the nodes; the user's nodemask too for MPOL_F_STATIC_NODES/RELATIVE_NODES): a policy on part
 * of a mapping makes a VMA of its own. The first 64 nodes of each nodemask.
 */
struct ms_policy {
	__u16 mode;
	__u16 flags;
	__s32 home_node;
	__u64 nodes;       /* nodes.bits[0] */
	__u64 user_nodes;  /* w.user_nodemask.bits[0] */
};

/*
 * MS_SYSCALL's userfaultfd part (MS_F_UFFD), after the ranges part: an ioctl UFFDIO_COPY or UFFDIO_MOVE, which puts
 * pages into an address space that registered the range with a userfaultfd, mapped with the range's own protection:
 * bytes written into memory that was never writable (an R-X mapping), and, through a userfaultfd another process
 * created (inherited, or passed over a socket), into that process. Its ranges part holds the range asked for, read as
 * the call began where the ioctl's entry was watched (MS_IOVECS_AT_ENTRY, MS_IOVECS_CHANGED as for process_vm_writev),
 * else as it returned; none when the argument could not be read.
 */
#define MS_UFFD_DONE 0x1 /* ms_uffd.done was read (the argument, as the call returned) */
struct ms_uffd {
	__s32 tgid;  /* the process whose address space the userfaultfd belongs to (the caller's, or its mm's owner); 0: unknown */
	__u32 flags; /* MS_UFFD_* */
	__s64 done;  /* what the kernel wrote back into the argument (copy, move): bytes filled, or -errno; with MS_UFFD_DONE */
};

#define MS_FORK_THREAD 0x1  /* child shares the thread group (CLONE_THREAD) */
#define MS_FORK_VM 0x2      /* child shares the address space (CLONE_VM) */

/* sched_process_fork: the header names the parent (current task). */
struct ms_fork {
	struct ms_hdr h;
	__u32 child_pid;     /* tgid */
	__u32 child_tid;
	__u64 child_start_ns;
	__u32 fork_flags;    /* MS_FORK_* */
	__u32 _pad;
};

/*
 * sched_process_exec: the header names the task after exec (tid == pid).
 * Followed by the exe's path (exe.path_len bytes), then argv (argv_len bytes,
 * NUL-separated; MS_F_ARGV_TRUNCATED when cut). MS_VMA records of the new
 * address space follow in the stream.
 */
struct ms_exec {
	struct ms_hdr h;
	__u32 old_tid;       /* the thread that called exec */
	__u32 argv_len;
	struct ms_file exe;
};

/* sched_process_exit. */
struct ms_exit {
	struct ms_hdr h;
	__s32 exit_code;     /* task->exit_code (wait status encoding) */
	__u32 group_dead;    /* 1 when the last thread of the process exits */
};

/*
 * One VMA of an address space walked in the kernel (after exec: the binary,
 * the interpreter, the stack, vdso). If h.flags & MS_F_FILE: struct ms_file,
 * then its path. `seq` counts the VMAs of one walk from 0; the last one has
 * MS_F_VMA_LAST, so a reader knows the walk is complete.
 */
struct ms_vma {
	struct ms_hdr h;
	__u64 start;
	__u64 end;
	__u64 pgoff;         /* in pages */
	__u64 vm_flags;      /* VM_READ 0x1, VM_WRITE 0x2, VM_EXEC 0x4, VM_SHARED 0x8, ... */
	__u32 seq;
	__u32 _pad;
};

/* Per-CPU loss counter (BPF_MAP_TYPE_PERCPU_ARRAY, one slot): failed ring reservations. */
/*
 * Before the record of a successful call that changes its address space, from the same task, when another change of
 * that address space was completed between this call's own change and its return: the records come in the order the
 * calls returned, so the other call's record may come first although the kernel made its change second (a userfaultfd
 * UNMAP event holds an mmap(MAP_FIXED) back after its change, for as long as the monitor likes). The kernel counts
 * the write locks of a process's mmap lock (mm_lock_seq, 6.13+: odd while it is held, +2 a lock); the program on
 * mmap_lock_acquire_returned notes the count of each thread's last write lock, and the exit compares. (seq_now -
 * lock_seq - 1) / 2 other write locks were completed between this call's and its return: the changes recorded last
 * before this record are theirs. lock_seq is 0 when the exit could not tell this call's lock (another thread took its
 * note): then any change since the thread's previous change may have come after its own.
 */
struct ms_order {
	struct ms_hdr h;
	__u32 lock_seq;  /* mm_lock_seq while this call held the lock (odd); 0: not known */
	__u32 seq_now;   /* mm_lock_seq as this call returned: lock_seq + 1 would have been this call alone */
};

struct ms_loss_counter {
	__u64 count;
	__u64 first_ns;
	__u64 last_ns;
};

/*
 * Not a journal record: a request, in a small ring of its own ("holds"), that user space hold at once the file of
 * a record that wakes it (wakeup_for(): an executable mapping of a nameless file, or the first of a named one).
 * A real-time thread that waits for nothing else opens /proc/TGID/map_files/START-END and checks (dev, ino)
 * before the process can exit; the record itself still reaches the journal through the main ring.
 */
struct ms_hold_request {
	__u64 ktime_ns;      /* the record's time */
	__u64 start;         /* the mapping's range */
	__u64 end;
	__u64 ino;
	__u32 dev;
	__u32 tgid;
};
#endif /* MAPSCRIBE_H */
