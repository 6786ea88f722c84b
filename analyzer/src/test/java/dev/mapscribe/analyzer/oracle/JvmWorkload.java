package dev.mapscribe.analyzer.oracle;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JVM as an oracle workload (run in a JVM of its own by JvmRecordedTest): threads that start and end (their
 * stacks and guard pages), garbage that makes the heap grow, code the JIT compiles, a file mapped and unmapped.
 * It prints its pid first ({@code PID <pid>}), then, between rounds, checkpoints in checkpoint.h's protocol, plus
 * the time the dump ended:
 *
 *   CHECKPOINT <n> jvm <CLOCK_MONOTONIC ns before the read> <pid>
 *   <its /proc/self/maps>
 *   END <n>
 *   WINDOW <n> <ns before> <ns after>
 *
 * Other threads of the JVM (the collector, the compilers) may change the address space while it reads its maps:
 * the test uses only checkpoints whose window holds no recorded memory call of the process.
 * (System.nanoTime is CLOCK_MONOTONIC on Linux, the clock of the kernel records.)
 */
public final class JvmWorkload {
    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        Path file = Files.createTempFile("jvm-workload", ".bin");
        Files.write(file, new byte[1 << 20]);
        byte[] buf = new byte[1 << 20];
        StringBuilder out = new StringBuilder();
        int rounds = Integer.parseInt(args[0]);
        System.out.print("PID " + ProcessHandle.current().pid() + "\n");
        for (int n = 0; n < rounds; n++) {
            work(file, n);
            Thread.sleep(100); // let the compilers and the collector settle before the dump
            long before = System.nanoTime();
            int len = readMaps(buf);
            long after = System.nanoTime();
            out.setLength(0);
            out.append("CHECKPOINT ").append(n).append(" jvm ").append(before).append(' ').append(ProcessHandle.current().pid()).append('\n');
            out.append(new String(buf, 0, len, StandardCharsets.US_ASCII));
            out.append("END ").append(n).append('\n');
            out.append("WINDOW ").append(n).append(' ').append(before).append(' ').append(after).append('\n');
            System.out.print(out);
            System.out.flush();
        }
        Files.delete(file);
    }

    /**
     * Into a buffer allocated before the window, so that reading allocates nothing the heap might grow for; 8 KiB
     * per read, which the JDK copies through a buffer on the stack (a larger read mallocs one, and malloc may
     * mprotect or mmap to grow its arena inside the window).
     */
    private static int readMaps(byte[] buf) throws IOException {
        int len = 0;
        try (FileInputStream in = new FileInputStream("/proc/self/maps")) {
            for (int r; (r = in.read(buf, len, Math.min(8192, buf.length - len))) > 0; ) {
                len += r;
            }
        }
        return len;
    }

    private static void work(Path file, int round) throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int seed = round * 4 + t;
            threads.add(Thread.ofPlatform().start(() -> {
                long acc = 0;
                List<long[]> keep = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    long[] a = new long[64 + (i + seed) % 512]; // garbage, some of it kept: the heap grows
                    a[0] = i;
                    acc += compute(a, i);
                    if (i % 50 == 0) keep.add(a);
                }
                sink += acc + keep.size();
            }));
        }
        for (Thread t : threads) t.join();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r"); FileChannel ch = raf.getChannel()) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, 1 << 20);
            sink += m.get(round * 4096);
        }
        System.gc(); // unmaps the buffer's mapping once it is unreachable, and may shrink the heap
    }

    private static long compute(long[] a, int i) {
        long h = i;
        for (int k = 0; k < a.length; k += 7) h = h * 31 + a[k] + k;
        return h;
    }
}
