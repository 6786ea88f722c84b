package dev.mapscribe.analyzer.state;

/** PROT_* bits as mmap(2)/mprotect(2) take them, and the kernel's page rounding. */
public final class Prot {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int EXEC = 4;
    /** A protection the recording cannot know (see {@link Backing#UNKNOWN} and failed mprotect calls). */
    public static final int UNKNOWN = -1;

    public static final long PAGE_SIZE = 4096;

    private Prot() {}

    /** The kernel's PAGE_ALIGN: rounds up to a page boundary. */
    public static long pageAlign(long len) {
        return (len + PAGE_SIZE - 1) & -PAGE_SIZE;
    }

    public static boolean isPageAligned(long addr) {
        return (addr & (PAGE_SIZE - 1)) == 0;
    }

    private static final String[] RWX = {"---", "r--", "-w-", "rw-", "--x", "r-x", "-wx", "rwx"};

    /** "rwx" part of a /proc/PID/maps perms column; "???" when unknown. */
    public static String rwx(int prot) {
        return prot == UNKNOWN ? "???" : RWX[prot & 7];
    }

    public static boolean writable(int prot) {
        return prot != UNKNOWN && (prot & WRITE) != 0;
    }

    public static boolean executable(int prot) {
        return prot != UNKNOWN && (prot & EXEC) != 0;
    }
}
