/*
 * process32 — a 32-bit process, making its memory calls through int 0x80 from 32-bit code as any 32-bit program
 * does, each logged on stdout as syscalls.c logs its own (with compat=1):
 *
 *   brk pid=P tid=T addr=A ret=R compat=1                    a query, a growth by two pages, a shrink by one
 *   shmat pid=P tid=T shmid=I shmaddr=0 shmflg=F ret=R size=S via=V compat=1
 *   shmdt pid=P tid=T addr=A ret=R via=V compat=1            a System V segment attached executable (SHM_EXEC) and
 *                                                            detached, through ipc(2) (via=ipc) and through the
 *                                                            calls of their own (via=direct, 397 and 398, since 5.1)
 *
 * Built with -m32 -nostdlib -static (CWorkloads.build32): no 32-bit C library is needed, only the compiler's -m32.
 * syscalls.c runs it as a child when given its path. Exits 0 when every call did what it asked.
 */
#define NR32_EXIT 1
#define NR32_WRITE 4
#define NR32_GETPID 20
#define NR32_BRK 45
#define NR32_IPC 117
#define NR32_GETTID 224
#define NR32_SHMGET 395
#define NR32_SHMCTL 396
#define NR32_SHMAT 397
#define NR32_SHMDT 398
#define IPC_SHMAT 21 /* ipc(2)'s calls */
#define IPC_SHMDT 22
#define IPC_CREAT 01000
#define IPC_RMID 0
#define IPC_64 0x100
#define SHM_EXEC 0100000
#define PAGE 4096

static long sys(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

/* five arguments: ebx, ecx, edx, esi, edi (ipc(2)'s call, first, second, third and ptr) */
static long sys5(long nr, long a, long b, long c, long d, long e)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
	return r;
}

static char *put(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/* v in decimal (brk returns the break, never -errno: every number here is an address or an id) */
static char *put_num(char *p, unsigned long v)
{
	char d[16];
	int n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = d[--n];
	return p;
}

/* The start of a log line: "CALL pid=P tid=T " */
static char *start(char *p, const char *call)
{
	p = put(p, call);
	p = put(p, " pid=");
	p = put_num(p, (unsigned long)sys(NR32_GETPID, 0, 0, 0));
	p = put(p, " tid=");
	p = put_num(p, (unsigned long)sys(NR32_GETTID, 0, 0, 0));
	return p;
}

/* A number that may be -errno, with its sign */
static char *put_signed(char *p, long v)
{
	if (v < 0) {
		*p++ = '-';
		return put_num(p, (unsigned long)-v);
	}
	return put_num(p, (unsigned long)v);
}

static void end(char *line, char *p)
{
	p = put(p, " compat=1\n");
	sys(NR32_WRITE, 1, (long)line, p - line);
}

static long do_brk(unsigned long addr)
{
	long ret = sys(NR32_BRK, (long)addr, 0, 0);
	char line[160], *p = start(line, "brk");
	p = put(p, " addr=");
	p = put_num(p, addr);
	p = put(p, " ret=");
	p = put_num(p, (unsigned long)ret); /* brk returns the break, never -errno */
	end(line, p);
	return ret;
}

/* shmat of segment id, through ipc(2) or shmat's own call: the address, or -errno */
static long do_shmat(long id, int via_ipc)
{
	long ret;
	if (via_ipc) {
		unsigned long raddr = 0;
		ret = sys5(NR32_IPC, IPC_SHMAT, id, SHM_EXEC, (long)&raddr, 0);
		if (ret == 0)
			ret = (long)raddr; /* ipc returns 0 and puts the address there */
	} else {
		ret = sys(NR32_SHMAT, id, 0, SHM_EXEC);
	}
	char line[200], *p = start(line, "shmat");
	p = put(p, " shmid=");
	p = put_num(p, (unsigned long)id);
	p = put(p, " shmaddr=0 shmflg=");
	p = put_num(p, SHM_EXEC);
	p = put(p, " ret=");
	p = (unsigned long)ret >= -4096UL ? put_signed(p, ret) : put_num(p, (unsigned long)ret);
	p = put(p, " size=");
	p = put_num(p, PAGE);
	p = put(p, via_ipc ? " via=ipc" : " via=direct");
	end(line, p);
	return ret;
}

static long do_shmdt(unsigned long addr, int via_ipc)
{
	long ret = via_ipc ? sys5(NR32_IPC, IPC_SHMDT, 0, 0, 0, (long)addr) : sys(NR32_SHMDT, (long)addr, 0, 0);
	char line[160], *p = start(line, "shmdt");
	p = put(p, " addr=");
	p = put_num(p, addr);
	p = put(p, " ret=");
	p = put_signed(p, ret);
	p = put(p, via_ipc ? " via=ipc" : " via=direct");
	end(line, p);
	return ret;
}

void _start(void)
{
	unsigned long cur = (unsigned long)do_brk(0);
	unsigned long up = (unsigned long)do_brk(cur + 2 * PAGE);
	unsigned long down = (unsigned long)do_brk(cur + PAGE);
	int ok = up == cur + 2 * PAGE && down == cur + PAGE;
	long id = sys(NR32_SHMGET, 0 /* IPC_PRIVATE */, PAGE, IPC_CREAT | 0600);
	if (id >= 0) {
		for (int via_ipc = 1; via_ipc >= 0; via_ipc--) {
			unsigned long a = (unsigned long)do_shmat(id, via_ipc);
			int attached = a < -4096UL; /* an address (above 2 GiB, as a long negative), or -errno */
			ok &= attached && do_shmdt(a, via_ipc) == 0;
		}
		sys(NR32_SHMCTL, id, IPC_RMID | IPC_64, 0);
	}
	sys(NR32_EXIT, ok && id >= 0 ? 0 : 1, 0, 0);
}
