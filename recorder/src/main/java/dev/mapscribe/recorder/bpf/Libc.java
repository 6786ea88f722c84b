package dev.mapscribe.recorder.bpf;

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
 * The libc calls the recorder needs: mmap/munmap of the ring buffer, clock_gettime for the boot time,
 * strerror for messages. Method handles are built once; each call checks its result and throws an
 * IOException naming the call, its arguments and errno.
 */
public final class Libc {
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int CLOCK_REALTIME = 0;
    public static final int CLOCK_MONOTONIC = 1;
    public static final int EPERM = 1;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle CLOCK_GETTIME;
    private static final MethodHandle STRERROR;
    private static final MethodHandle SYSCONF;
    private static final MethodHandle SIGNAL;
    private static final VarHandle ERRNO;
    private static final long ERRNO_SIZE;
    private static final int SC_PAGESIZE = 30;
    /** mmap(2) reports failure as MAP_FAILED, address -1, not as NULL. */
    private static final long MAP_FAILED = -1L;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        ERRNO = Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno"));
        ERRNO_SIZE = Linker.Option.captureStateLayout().byteSize();
        MMAP = linker.downcallHandle(find(libc, "mmap"), FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), errno);
        MUNMAP = linker.downcallHandle(find(libc, "munmap"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), errno);
        CLOCK_GETTIME = linker.downcallHandle(find(libc, "clock_gettime"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), errno);
        STRERROR = linker.downcallHandle(find(libc, "strerror"), FunctionDescriptor.of(
                ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)), ValueLayout.JAVA_INT));
        SYSCONF = linker.downcallHandle(find(libc, "sysconf"), FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        SIGNAL = linker.downcallHandle(find(libc, "signal"),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    private Libc() {
    }

    static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no native symbol " + name));
    }

    /** A fresh errno capture buffer for one call (the calls here are rare; hot paths keep their own). */
    static MemorySegment errnoBuffer(Arena arena) {
        return arena.allocate(ERRNO_SIZE);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** "Operation not permitted" for 1, and so on. */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.getString(0);
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
            throw new IOException("mmap(fd=" + fd + ", length=" + length + ", prot=" + prot + ", offset=" + offset + ") failed: "
                    + strerror(err));
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

    /** clock_gettime(clock) in nanoseconds. */
    public static long clockNs(int clock) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment ts = call.allocate(16, 8);
            int rc = (int) CLOCK_GETTIME.invokeExact(errnoBuffer(call), clock, ts);
            if (rc != 0) {
                throw new IllegalStateException("clock_gettime(" + clock + ") failed");
            }
            return ts.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + ts.get(ValueLayout.JAVA_LONG, 8);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("clock_gettime: " + t, t);
        }
    }

    /**
     * UTC nanoseconds at CLOCK_MONOTONIC zero: realtime minus monotonic, read back to back, keeping the
     * pair with the shortest gap of a few tries so a preemption between the two reads does not skew it.
     */
    public static long bootTimeUtcNs() {
        long best = 0;
        long bestGap = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long m0 = clockNs(CLOCK_MONOTONIC);
            long utc = clockNs(CLOCK_REALTIME);
            long m1 = clockNs(CLOCK_MONOTONIC);
            if (m1 - m0 < bestGap) {
                bestGap = m1 - m0;
                best = utc - (m0 + (m1 - m0) / 2);
            }
        }
        return best;
    }
}
