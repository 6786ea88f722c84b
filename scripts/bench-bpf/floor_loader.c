/*
 * floor_loader — loads floor.bpf.o, attaches its programs, prints "attached"
 * on stdout, and keeps them attached until SIGINT/SIGTERM or stdin closes.
 * Then it prints run_cnt/run_time_ns per program when the kernel keeps BPF
 * stats (kernel.bpf_stats_enabled=1), as "prog=NAME runs=N ns=T".
 *
 * Build: cc -O2 -Wall -o floor_loader floor_loader.c -lbpf
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: floor_loader FLOOR.bpf.o\n");
		return 2;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "floor_loader: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "floor_loader: load: %s\n", strerror(-err));
		return 1;
	}
	struct bpf_program *prog;
	int attached = 0;
	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *link = bpf_program__attach(prog);
		if (!link) {
			fprintf(stderr, "floor_loader: attach %s: %s\n", bpf_program__name(prog), strerror(errno));
			return 1;
		}
		attached++;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("attached=%d\n", attached);
	fflush(stdout);
	/* Wait without syscalls of our own in a loop: pause() returns on a signal. */
	while (!stop)
		pause();
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof info;
		memset(&info, 0, sizeof info);
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0)
			printf("prog=%s runs=%llu ns=%llu\n", bpf_program__name(prog),
			       (unsigned long long)info.run_cnt, (unsigned long long)info.run_time_ns);
	}
	bpf_object__close(obj);
	return 0;
}
