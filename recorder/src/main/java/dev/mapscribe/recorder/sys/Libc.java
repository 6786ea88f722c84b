package dev.mapscribe.recorder.sys;

import dev.mapscribe.formats.raw.Utf8Text;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The recorder's one libc binding (Lucene PosixNativeAccess style): every method handle is built once in the
 * static initializer, errno is captured with {@code Linker.Option.captureCallState}, and each call checks its
 * result and throws a {@link PosixException} (an IOException) naming the call, its arguments and errno.
 *
 * <p>Two ways in. The static methods are for rare calls (mmap of the ring, page size, clocks at start-up,
 * signal dispositions) and allocate their errno buffer per call. The per-file calls of the /proc snapshot and
 * the enricher (open, fstat, pread, close, CLOCK_MONOTONIC) are instance methods: an instance owns its scratch
 * memory (errno capture, timespec, struct stat) in a confined arena, so it belongs to one thread and those hot
 * calls allocate nothing.
 */
@SuppressWarnings("restricted") // FFM downcalls are the point of this class
public final class Libc implements AutoCloseable {
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int CLOCK_REALTIME = 0;
    public static final int CLOCK_MONOTONIC = 1;
    public static final int CLOCK_BOOTTIME = 7;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_NOCTTY = 0x100;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_NOATIME = 0x40000;
    public static final int O_PATH = 0x200000;
    public static final int EPERM = 1, ENOENT = 2, EACCES = 13;
    private static final int SC_PAGESIZE = 30;
    /** mmap(2) reports failure as MAP_FAILED, address -1, not as NULL. */
    private static final long MAP_FAILED = -1L;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle CLOCK_GETTIME;
    private static final MethodHandle OPEN;
    private static final MethodHandle FSTAT;
    private static final MethodHandle PREAD;
    private static final MethodHandle CLOSE;
    private static final MethodHandle READLINK;
    private static final MethodHandle STRERROR;
    private static final MethodHandle SYSCONF;
    private static final MethodHandle SIGNAL;
    private static final MethodHandle SCHED_SETSCHEDULER;
    private static final MethodHandle SETPRIORITY;
    private static final MethodHandle GETTID;
    private static final MethodHandle EPOLL_CREATE1;
    private static final MethodHandle EPOLL_CTL;
    private static final MethodHandle EPOLL_WAIT;
    private static final MethodHandle SYSCALL1;
    private static final MethodHandle EVENTFD;
    private static final MethodHandle WRITE;
    private static final MethodHandle MOUNT;
    private static final MethodHandle UMOUNT2;

    // x86-64 struct epoll_event is packed: u32 events, then u64 data at offset 4 (12 bytes).
    private static final long EPOLL_EVENT_SIZE = 12;
    private static final int EPOLL_CLOEXEC = 0x80000, EPOLL_CTL_ADD = 1, EPOLLIN = 0x1, EPOLLET = 1 << 31;
    private static final int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    private static final int EINTR = 4, EAGAIN = 11;
    private static final long PATH_MAX = 4096;
    private static final VarHandle ERRNO;

    // x86-64 struct stat (glibc, 144 bytes): only the fields we read are named.
    private static final long STAT_SIZE = 144;
    private static final long ST_DEV = 0, ST_INO = 8, ST_MODE = 24, ST_SIZE = 48, ST_MTIME_SEC = 88,
            ST_MTIME_NSEC = 96, ST_CTIME_SEC = 104, ST_CTIME_NSEC = 112;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        ERRNO = Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno"));
        MMAP = linker.downcallHandle(find(libc, "mmap"), FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), errno);
        MUNMAP = linker.downcallHandle(find(libc, "munmap"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), errno);
        CLOCK_GETTIME = linker.downcallHandle(find(libc, "clock_gettime"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), errno);
        OPEN = linker.downcallHandle(find(libc, "open"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), errno);
        FSTAT = linker.downcallHandle(find(libc, "fstat"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), errno);
        PREAD = linker.downcallHandle(find(libc, "pread"),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), errno);
        READLINK = linker.downcallHandle(find(libc, "readlink"), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), errno);
        CLOSE = linker.downcallHandle(find(libc, "close"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
        STRERROR = linker.downcallHandle(find(libc, "strerror"), FunctionDescriptor.of(
                ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)), ValueLayout.JAVA_INT));
        SYSCONF = linker.downcallHandle(find(libc, "sysconf"), FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        SIGNAL = linker.downcallHandle(find(libc, "signal"),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        SETPRIORITY = linker.downcallHandle(find(libc, "setpriority"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
        GETTID = linker.downcallHandle(find(libc, "gettid"), FunctionDescriptor.of(ValueLayout.JAVA_INT));
        SCHED_SETSCHEDULER = linker.downcallHandle(find(libc, "sched_setscheduler"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), errno);
        EPOLL_CREATE1 = linker.downcallHandle(find(libc, "epoll_create1"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
        EPOLL_CTL = linker.downcallHandle(find(libc, "epoll_ctl"), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), errno);
        EPOLL_WAIT = linker.downcallHandle(find(libc, "epoll_wait"), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
        EVENTFD = linker.downcallHandle(find(libc, "eventfd"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
        WRITE = linker.downcallHandle(find(libc, "write"), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), errno);
        MOUNT = linker.downcallHandle(find(libc, "mount"), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), errno);
        UMOUNT2 = linker.downcallHandle(find(libc, "umount2"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), errno);
        // syscall(2) is variadic: its number is the one fixed argument
        SYSCALL1 = linker.downcallHandle(find(libc, "syscall"), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG), errno, Linker.Option.firstVariadicArg(1));
    }

    private static final long X32_SYSCALL_BIT = 0x40000000L, NR_GETPID = 39;
    private static final int ENOSYS = 38;

    /**
     * Whether this kernel runs calls made with x32's numbers (getpid's number with __X32_SYSCALL_BIT added, which any
     * 64-bit process can make): true when it does (CONFIG_X86_X32_ABI, not turned off at boot), false when it fails
     * them with ENOSYS.
     */
    public static boolean kernelRunsX32Calls() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = errnoBuffer(arena);
            long r = (long) SYSCALL1.invokeExact(state, X32_SYSCALL_BIT | NR_GETPID);
            if (r == ProcessHandle.current().pid()) {
                return true;
            }
            if (r == -1 && errno(state) == ENOSYS) {
                return false;
            }
            throw new IllegalStateException("an x32 getpid returned " + r + ", errno " + errno(state));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("syscall: " + t, t);
        }
    }

    /** A symbol of the default (libc) lookup; LibBpf also binds vsnprintf through it. */
    public static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no native symbol " + name));
    }

    /** A fresh errno capture buffer (for other bindings that capture errno, such as LibBpf). */
    public static MemorySegment errnoBuffer(Arena arena) {
        return arena.allocate(Linker.Option.captureStateLayout());
    }

    /** The errno a call captured into {@code state}. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** "Operation not permitted" for 1, and so on. */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.equals(MemorySegment.NULL) ? "errno " + errno : s.getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    public static long pageSize() {
        try {
            return (long) SYSCONF.invokeExact(SC_PAGESIZE);
        } catch (Throwable t) {
            throw new LinkageError("sysconf", t);
        }
    }

    /**
     * signal(sig, SIG_DFL) when the signal is inherited as ignored (SIG_IGN): a shell starts background jobs
     * with SIGINT ignored, and the JVM refuses to handle a signal it inherited as ignored. Returns whether
     * it was ignored.
     */
    /**
     * Lowers the calling thread's scheduling priority (Linux: nice is per thread, set through its tid).
     * Background work such as hashing must yield the CPU to the ring drain and to the host's own work.
     */
    public static void niceCurrentThread(int nice) throws PosixException {
        int tid;
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = errnoBuffer(arena);
            tid = (int) GETTID.invokeExact();
            rc = (int) SETPRIORITY.invokeExact(state, PRIO_PROCESS, tid, nice);
            if (rc != 0) throw new PosixException("setpriority", "PRIO_PROCESS, " + tid + ", " + nice, errno(state));
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setpriority: " + t, t);
        }
    }

    private static final int PRIO_PROCESS = 0;
    private static final int SCHED_FIFO = 1;
    private static final int SCHED_RESET_ON_FORK = 0x40000000;

    /**
     * Puts the calling thread under SCHED_FIFO at {@code priority} (1 is the lowest real-time priority: above
     * every normal thread, below the kernel's own). On Linux the policy is per thread; pid 0 is the caller.
     * SCHED_RESET_ON_FORK: threads it starts later (a library's helper) are normal threads again.
     */
    public static void realtimeCurrentThread(int priority) throws PosixException {
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = errnoBuffer(arena);
            MemorySegment param = arena.allocate(ValueLayout.JAVA_INT); // struct sched_param { int sched_priority; }
            param.set(ValueLayout.JAVA_INT, 0, priority);
            rc = (int) SCHED_SETSCHEDULER.invokeExact(state, 0, SCHED_FIFO | SCHED_RESET_ON_FORK, param);
            if (rc != 0) throw new PosixException("sched_setscheduler", "0, SCHED_FIFO, " + priority, errno(state));
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_setscheduler: " + t, t);
        }
    }

    public static boolean unignoreSignal(int sig) {
        try {
            MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(sig, MemorySegment.NULL); // SIG_DFL is 0
            if (previous.address() == 1) { // SIG_IGN
                return true;
            }
            // It was not ignored: put back whatever the JVM had installed.
            MemorySegment mine = (MemorySegment) SIGNAL.invokeExact(sig, previous);
            assert mine.address() == 0;
            return false;
        } catch (Throwable t) {
            throw new IllegalStateException("signal(" + sig + "): " + t, t);
        }
    }

    /** mmap(NULL, length, prot, MAP_SHARED, fd, offset), unmapped when {@code arena} closes. */
    public static MemorySegment mmapShared(Arena arena, int fd, long length, int prot, long offset) throws IOException {
        MemorySegment addr;
        int err;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = errnoBuffer(call);
            addr = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, prot, MAP_SHARED, fd, offset);
            err = errno(state);
        } catch (Throwable t) {
            throw new IOException("mmap: " + t, t);
        }
        if (addr.address() == MAP_FAILED) {
            throw new PosixException("mmap", "fd " + fd + " length " + length + " prot " + prot + " offset " + offset, err);
        }
        long base = addr.address();
        return addr.reinterpret(length, arena, seg -> munmapQuietly(base, length));
    }

    private static void munmapQuietly(long address, long length) {
        try (Arena call = Arena.ofConfined()) {
            int rc = (int) MUNMAP.invokeExact(errnoBuffer(call), MemorySegment.ofAddress(address), length);
            assert rc == 0;
        } catch (Throwable ignored) {
            // Unmapping at close: nothing useful to do about a failure here.
        }
    }

    /**
     * clock_gettime(clock) in nanoseconds. Unchecked: with a valid clock id it cannot fail, and its callers
     * (constructors, status lines) have no I/O to report.
     */
    public static long clockNs(int clock) {
        try (Arena call = Arena.ofConfined()) {
            return clockNs(clock, errnoBuffer(call), call.allocate(16, 8));
        }
    }

    private static long clockNs(int clock, MemorySegment state, MemorySegment timespec) {
        int rc;
        try {
            rc = (int) CLOCK_GETTIME.invokeExact(state, clock, timespec);
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
        if (rc != 0) {
            throw new IllegalStateException(message("clock_gettime", "clock " + clock, errno(state)));
        }
        return timespec.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + timespec.get(ValueLayout.JAVA_LONG, 8);
    }

    /**
     * UTC nanoseconds at CLOCK_MONOTONIC zero: realtime minus monotonic, read back to back, keeping the
     * pair with the shortest gap of a few tries so a preemption between the two reads does not skew it.
     */
    public static long bootTimeUtcNs() {
        return aheadOfMonotonic(CLOCK_REALTIME);
    }

    /**
     * CLOCK_BOOTTIME minus CLOCK_MONOTONIC: how long the host has been suspended since boot (the boot clock runs on
     * through a suspend, the monotonic one stops). Read as {@link #bootTimeUtcNs} reads its pair: a few tries, the
     * pair with the shortest gap, so that a host that never slept reads a few tens of nanoseconds at most.
     */
    public static long suspendedNs() {
        return aheadOfMonotonic(CLOCK_BOOTTIME);
    }

    /** {@code clock} minus CLOCK_MONOTONIC: the reading between two monotonic ones, of 5 tries the closest pair. */
    private static long aheadOfMonotonic(int clock) {
        long best = 0;
        long bestGap = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long m0 = clockNs(CLOCK_MONOTONIC);
            long other = clockNs(clock);
            long m1 = clockNs(CLOCK_MONOTONIC);
            if (m1 - m0 < bestGap) {
                bestGap = m1 - m0;
                best = other - (m0 + (m1 - m0) / 2);
            }
        }
        return best;
    }

    /**
     * What fstat(2) says about an open file. {@code dev} is the user-space dev_t encoding. ctime moves on any change of
     * the inode (a write, and also unlink, rename, chmod); mtime on a change of its bytes (or utimensat(2)).
     */
    public record Stat(long dev, long ino, int mode, long size, long ctimeSec, long ctimeNsec, long mtimeSec,
                       long mtimeNsec) {
        /** The kernel-internal encoding the eBPF records carry: major << 20 | minor. */
        public int kernelDev() {
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            return (int) ((major << 20) | (minor & 0xfffff));
        }

        public boolean isRegularFile() {
            return (mode & 0xf000) == 0x8000;
        }
    }

    // Per-instance scratch for the hot calls below; confined, so an instance belongs to one thread.
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment errnoState = errnoBuffer(arena);
    private final MemorySegment timespec = arena.allocate(16, 8);
    private final MemorySegment stat = arena.allocate(STAT_SIZE, 8);
    private final MemorySegment epollEvent = arena.allocate(EPOLL_EVENT_SIZE, 8);

    /** CLOCK_MONOTONIC in ns: the clock bpf_ktime_get_ns() reads, so user records line up with kernel ones. */
    public long monotonicNs() {
        return clockNs(CLOCK_MONOTONIC, errnoState, timespec);
    }

    /**
     * open(path, flags); the path is passed as its UTF-8 bytes. A path as recorded names that are not UTF-8
     * ({@code \xNN} for each such byte: Utf8Text) that does not open so is tried again with those bytes.
     */
    public int open(String path, int flags) throws PosixException {
        byte[] utf8 = path.getBytes(StandardCharsets.UTF_8);
        try {
            return open(utf8, path, flags);
        } catch (PosixException e) {
            if (e.errno() != ENOENT || !path.contains("\\x")) {
                throw e;
            }
            byte[] raw = Utf8Text.encode(path);
            if (Arrays.equals(raw, utf8)) {
                throw e;
            }
            return open(raw, path, flags);
        }
    }

    private int open(byte[] path, String shown, int flags) throws PosixException {
        int fd;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment cpath = call.allocate(path.length + 1L);
            MemorySegment.copy(path, 0, cpath, ValueLayout.JAVA_BYTE, 0, path.length); // the last byte stays NUL
            fd = (int) OPEN.invokeExact(errnoState, cpath, flags);
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
        if (fd < 0) {
            throw new PosixException("open", shown, errno(errnoState));
        }
        return fd;
    }

    /**
     * readlink(path): the link's target as the kernel has it, bytes and all (a file name need not be UTF-8: Java's
     * Files.readSymbolicLink turns such bytes into U+FFFD). Targets longer than PATH_MAX are cut there.
     */
    public byte[] readlink(String path) throws PosixException {
        long n;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment target = call.allocate(PATH_MAX);
            n = (long) READLINK.invokeExact(errnoState, call.allocateFrom(path), target, (long) PATH_MAX);
            if (n >= 0) {
                return target.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            }
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
        throw new PosixException("readlink", path, errno(errnoState));
    }

    public Stat fstat(int fd) throws PosixException {
        int rc;
        try {
            rc = (int) FSTAT.invokeExact(errnoState, fd, stat);
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
        if (rc != 0) {
            throw new PosixException("fstat", "fd " + fd, errno(errnoState));
        }
        return new Stat(stat.get(ValueLayout.JAVA_LONG, ST_DEV), stat.get(ValueLayout.JAVA_LONG, ST_INO),
                stat.get(ValueLayout.JAVA_INT, ST_MODE), stat.get(ValueLayout.JAVA_LONG, ST_SIZE),
                stat.get(ValueLayout.JAVA_LONG, ST_CTIME_SEC), stat.get(ValueLayout.JAVA_LONG, ST_CTIME_NSEC),
                stat.get(ValueLayout.JAVA_LONG, ST_MTIME_SEC), stat.get(ValueLayout.JAVA_LONG, ST_MTIME_NSEC));
    }

    /** pread(fd, buf, len, offset): bytes read, 0 at end of file. */
    public long pread(int fd, MemorySegment buf, long len, long offset) throws PosixException {
        long n;
        try {
            n = (long) PREAD.invokeExact(errnoState, fd, buf, len, offset);
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
        if (n < 0) {
            throw new PosixException("pread", "fd " + fd + " at offset " + offset, errno(errnoState));
        }
        return n;
    }

    public void close(int fd) throws PosixException {
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(errnoState, fd);
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
        if (rc != 0) {
            throw new PosixException("close", "fd " + fd, errno(errnoState));
        }
    }

    /**
     * An epoll descriptor that reports {@code fd} readable, edge-triggered: {@link #epollWait} returns when
     * {@code fd}'s owner wakes its waiters, not whenever it has data. For the ring buffer that means only the
     * records the kernel submits with BPF_RB_FORCE_WAKEUP (the rest wait for the writer's timer).
     */
    public static int epollWatch(int fd) throws PosixException {
        int epfd;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = errnoBuffer(call);
            epfd = (int) EPOLL_CREATE1.invokeExact(state, EPOLL_CLOEXEC);
            if (epfd < 0) {
                throw new PosixException("epoll_create1", "", errno(state));
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
        try {
            epollAdd(epfd, fd);
        } catch (PosixException e) {
            closeQuietly(epfd);
            throw e;
        }
        return epfd;
    }

    private static void closeQuietly(int fd) {
        try (Arena call = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(errnoBuffer(call), fd);
        } catch (Throwable ignored) {
            // a set-up that failed already: its error is the one to report
        }
    }

    /** Adds {@code fd} to an epoll descriptor from {@link #epollWatch}, readable and edge-triggered as the first. */
    public static void epollAdd(int epfd, int fd) throws PosixException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = errnoBuffer(call);
            MemorySegment event = call.allocate(EPOLL_EVENT_SIZE, 4);
            event.set(ValueLayout.JAVA_INT, 0, EPOLLIN | EPOLLET);
            event.set(ValueLayout.JAVA_INT_UNALIGNED, 4, fd);
            int rc = (int) EPOLL_CTL.invokeExact(state, epfd, EPOLL_CTL_ADD, fd, event);
            if (rc != 0) {
                throw new PosixException("epoll_ctl", "fd " + fd, errno(state));
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
    }

    /** mount(2) of a file system that takes no source and no data (tracefs, for one). */
    public static void mount(String fsType, String target, long flags) throws PosixException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = errnoBuffer(call);
            MemorySegment type = call.allocateFrom(fsType);
            int rc = (int) MOUNT.invokeExact(state, type, call.allocateFrom(target), type, flags, MemorySegment.NULL);
            if (rc != 0) {
                throw new PosixException("mount", fsType + " on " + target, errno(state));
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
    }

    /** umount2(2). */
    public static void umount2(String target, int flags) throws PosixException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = errnoBuffer(call);
            int rc = (int) UMOUNT2.invokeExact(state, call.allocateFrom(target), flags);
            if (rc != 0) {
                throw new PosixException("umount2", target, errno(state));
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
    }

    /** A new eventfd (close-on-exec, non-blocking), counter 0: {@link #eventfdSignal} makes it readable. */
    public static int eventfd() throws PosixException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = errnoBuffer(call);
            int fd = (int) EVENTFD.invokeExact(state, 0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (fd < 0) {
                throw new PosixException("eventfd", "", errno(state));
            }
            return fd;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
    }

    /**
     * Adds 1 to an eventfd's counter, which wakes whoever waits for it to be readable; from any thread. A counter at
     * its maximum (EAGAIN) is readable already: nothing to do.
     */
    public static void eventfdSignal(int fd) throws PosixException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = errnoBuffer(call);
            MemorySegment one = call.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            long n = (long) WRITE.invokeExact(state, fd, one, 8L);
            if (n != 8 && errno(state) != EAGAIN) {
                throw new PosixException("write", "eventfd " + fd, errno(state));
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
    }

    /**
     * Waits up to {@code timeoutMs} for an event on {@code epfd} (from {@link #epollWatch}); true when one came,
     * false on timeout or when a signal interrupted the wait.
     */
    public boolean epollWait(int epfd, int timeoutMs) throws PosixException {
        int n;
        try {
            n = (int) EPOLL_WAIT.invokeExact(errnoState, epfd, epollEvent, 1, timeoutMs);
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
        if (n < 0) {
            int err = errno(errnoState);
            if (err == EINTR) {
                return false;
            }
            throw new PosixException("epoll_wait", "epfd " + epfd, err);
        }
        return n > 0;
    }

    /** Frees the scratch memory; the instance is unusable afterwards. */
    @Override
    public void close() {
        arena.close();
    }

    private static String message(String call, String arg, int errno) {
        return call + " " + arg + ": " + strerror(errno);
    }

    private static RuntimeException rethrowUnchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** A failed libc call: the message names the call, its arguments and the error. */
    public static final class PosixException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        public PosixException(String call, String arg, int errno) {
            super(message(call, arg, errno), null);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }

        // Expected failures (a vanished process) are frequent and handled: no stack trace to fill.
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
