package dev.mapscribe.recorder.proc;

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

/**
 * The few libc calls the /proc snapshot and the file enricher need: clock_gettime(CLOCK_MONOTONIC),
 * open, fstat, pread, close. Bound once through FFM (Lucene PosixNativeAccess style); every call checks
 * its result and throws a {@link PosixException} naming the call, its argument and errno.
 *
 * <p>An instance owns its scratch memory (errno capture, timespec, struct stat) in a confined arena, so it
 * belongs to one thread. The recorder's own Libc binding may absorb this class once both are merged.
 */
@SuppressWarnings("restricted") // FFM downcalls are the point of this class
public final class PosixCalls implements AutoCloseable {
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_NOCTTY = 0x100;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_NOATIME = 0x40000;
    public static final int O_PATH = 0x200000;
    public static final int EPERM = 1;
    private static final int CLOCK_MONOTONIC = 1;
    private static final int ENOENT = 2;
    private static final int ESRCH = 3;

    private static final MethodHandle CLOCK_GETTIME;
    private static final MethodHandle OPEN;
    private static final MethodHandle FSTAT;
    private static final MethodHandle PREAD;
    private static final MethodHandle CLOSE;
    private static final MethodHandle STRERROR;
    private static final VarHandle ERRNO;

    // x86-64 struct stat (glibc, 144 bytes): only the fields we read are named.
    private static final long STAT_SIZE = 144;
    private static final long ST_DEV = 0, ST_INO = 8, ST_MODE = 24, ST_SIZE = 48, ST_CTIME_SEC = 104, ST_CTIME_NSEC = 112;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        ERRNO = Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno"));
        CLOCK_GETTIME = linker.downcallHandle(find(libc, "clock_gettime"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), errno);
        OPEN = linker.downcallHandle(find(libc, "open"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), errno);
        FSTAT = linker.downcallHandle(find(libc, "fstat"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), errno);
        PREAD = linker.downcallHandle(find(libc, "pread"),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), errno);
        CLOSE = linker.downcallHandle(find(libc, "close"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
        STRERROR = linker.downcallHandle(find(libc, "strerror"),
                FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)),
                        ValueLayout.JAVA_INT));
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    /** What fstat(2) says about an open file. {@code dev} is the user-space dev_t encoding. */
    public record Stat(long dev, long ino, int mode, long size, long ctimeSec, long ctimeNsec) {
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

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment errnoState = arena.allocate(Linker.Option.captureStateLayout());
    private final MemorySegment timespec = arena.allocate(16, 8);
    private final MemorySegment stat = arena.allocate(STAT_SIZE, 8);

    /** CLOCK_MONOTONIC in ns: the clock bpf_ktime_get_ns() reads, so user records line up with kernel ones. */
    public long monotonicNs() {
        try {
            int rc = (int) CLOCK_GETTIME.invokeExact(errnoState, CLOCK_MONOTONIC, timespec);
            if (rc != 0) {
                throw new IllegalStateException(message("clock_gettime", "CLOCK_MONOTONIC", errno()));
            }
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
        return timespec.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + timespec.get(ValueLayout.JAVA_LONG, 8);
    }

    /** open(path, flags); the path is passed as its UTF-8 bytes. */
    public int open(String path, int flags) throws PosixException {
        try (Arena call = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(errnoState, call.allocateFrom(path), flags);
            if (fd < 0) {
                throw new PosixException("open", path, errno());
            }
            return fd;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
    }

    public Stat fstat(int fd) throws PosixException {
        try {
            int rc = (int) FSTAT.invokeExact(errnoState, fd, stat);
            if (rc != 0) {
                throw new PosixException("fstat", "fd " + fd, errno());
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
        return new Stat(stat.get(ValueLayout.JAVA_LONG, ST_DEV), stat.get(ValueLayout.JAVA_LONG, ST_INO),
                stat.get(ValueLayout.JAVA_INT, ST_MODE), stat.get(ValueLayout.JAVA_LONG, ST_SIZE),
                stat.get(ValueLayout.JAVA_LONG, ST_CTIME_SEC), stat.get(ValueLayout.JAVA_LONG, ST_CTIME_NSEC));
    }

    /** pread(fd, buf, len, offset): bytes read, 0 at end of file. */
    public long pread(int fd, MemorySegment buf, long len, long offset) throws PosixException {
        try {
            long n = (long) PREAD.invokeExact(errnoState, fd, buf, len, offset);
            if (n < 0) {
                throw new PosixException("pread", "fd " + fd + " at offset " + offset, errno());
            }
            return n;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
    }

    public void close(int fd) throws PosixException {
        try {
            int rc = (int) CLOSE.invokeExact(errnoState, fd);
            if (rc != 0) {
                throw new PosixException("close", "fd " + fd, errno());
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrowUnchecked(t);
        }
    }

    /** Frees the scratch memory; the instance is unusable afterwards. */
    @Override
    public void close() {
        arena.close();
    }

    private int errno() {
        return (int) ERRNO.get(errnoState, 0L);
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.equals(MemorySegment.NULL) ? "errno " + errno : s.getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
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

    /** A failed libc call: the message names the call, its argument and the error. */
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

        /** The file or the process is gone (ENOENT, ESRCH). */
        public boolean notFound() {
            return errno == ENOENT || errno == ESRCH;
        }

        // Expected failures (a vanished process) are frequent and handled: no stack trace to fill.
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
