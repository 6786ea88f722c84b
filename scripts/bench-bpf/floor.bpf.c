// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor.bpf.c — the benchmark's floor: empty programs on the recorder's hooks.
 *
 * Attaching anything to the sys_enter/sys_exit raw tracepoints puts every
 * syscall of every task on the kernel's slow syscall path. These programs do
 * nothing else, so the storm's slowdown with them attached is the cost no
 * recorder on these hooks can go below. Benchmark-only: it lives outside bpf/
 * because everything in bpf/ is embedded in the recorder jar.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* tp_btf programs get the tracepoint's raw arguments as a u64 array; we read none. */
SEC("tp_btf/sys_enter")
int floor_enter(__u64 *ctx)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int floor_exit(__u64 *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
