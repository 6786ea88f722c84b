// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor.bpf.c — the benchmark's floor: an empty program on the recorder's per-syscall hook.
 *
 * Attaching anything to the sys_exit raw tracepoint puts every syscall of
 * every task on the kernel's slow syscall path. This program does nothing
 * else, so the storm's slowdown with it attached is the cost no recorder on
 * this hook can go below. The recorder's only per-syscall hook is sys_exit
 * (exit and exit_group are recorded at sched_process_exit, which the storm
 * never reaches). Benchmark-only: it lives outside bpf/ because everything in
 * bpf/ is embedded in the recorder jar.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* tp_btf programs get the tracepoint's raw arguments as a u64 array; we read none. */
SEC("tp_btf/sys_exit")
int floor_exit(__u64 *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
