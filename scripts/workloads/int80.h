/*
 * int80.h — a 32-bit system call from a 64-bit program: int 0x80, as a 32-bit process makes its calls. The number goes
 * in eax, the arguments in ebx, ecx, edx, esi, edi, ebp (32 bits each: pointers must lie below 4 GiB, MAP_32BIT), the
 * result comes back in eax. The kernel runs the 32-bit (compat) call of that number, which is another call than the
 * 64-bit one of the same number.
 */
#ifndef MAPSCRIBE_INT80_H
#define MAPSCRIBE_INT80_H

static long int80(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r8 asm("r8") = f; /* ebp is the frame pointer: set it from r8 inside the asm, and put it back */
	asm volatile("push %%rbp\n\tmov %%r8, %%rbp\n\tint $0x80\n\tpop %%rbp"
		     : "=a"(ret)
		     : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e), "r"(r8)
		     : "memory");
	return ret;
}

#endif
