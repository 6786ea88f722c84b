/*
 * brk32 — a 32-bit process: moves its heap's end with brk through int 0x80 from 32-bit code, as any 32-bit program
 * does (a query, a growth by two pages, a shrink by one), and logs each call on stdout as syscalls.c logs its own:
 *
 *   brk pid=P tid=T addr=A ret=R compat=1
 *
 * Built with -m32 -nostdlib -static (CWorkloads.build32): no 32-bit C library is needed, only the compiler's -m32.
 * syscalls.c runs it as a child when given its path. Exits 0 when the heap moved as asked.
 */
#define NR32_EXIT 1
#define NR32_WRITE 4
#define NR32_GETPID 20
#define NR32_BRK 45
#define NR32_GETTID 224

static long sys(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
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

static long do_brk(unsigned long addr)
{
	long ret = sys(NR32_BRK, (long)addr, 0, 0);
	char line[128], *p = line;
	p = put(p, "brk pid=");
	p = put_num(p, sys(NR32_GETPID, 0, 0, 0));
	p = put(p, " tid=");
	p = put_num(p, sys(NR32_GETTID, 0, 0, 0));
	p = put(p, " addr=");
	p = put_num(p, addr);
	p = put(p, " ret=");
	p = put_num(p, (unsigned long)ret);
	p = put(p, " compat=1\n");
	sys(NR32_WRITE, 1, (long)line, p - line);
	return ret;
}

void _start(void)
{
	unsigned long cur = (unsigned long)do_brk(0);
	unsigned long up = (unsigned long)do_brk(cur + 8192);
	unsigned long down = (unsigned long)do_brk(cur + 4096);
	sys(NR32_EXIT, up == cur + 8192 && down == cur + 4096 ? 0 : 1, 0, 0);
}
