package dev.mapscribe.recorder.ring;

import dev.mapscribe.formats.raw.KernelRecord.FileRef;

/**
 * What {@link NonExecFileMappings#forked} costs the writer thread per fork record, on a full table, when the parent
 * has 4 file mappings (a shell's children forking in turn, say). A figure, not a test
 * (docs/SNAPSHOT-AND-ENRICHMENT.md). Run after the test classes are built:
 * <pre>java -cp recorder/target/test-classes:recorder/target/classes:formats/target/classes \
 *     dev.mapscribe.recorder.ring.ForkScanBench</pre>
 */
public final class ForkScanBench {
    private ForkScanBench() {}

    public static void main(String[] args) {
        NonExecFileMappings table = new NonExecFileMappings();
        FileRef file = new FileRef(1, 8192, 0, 0, 1, 0100644, 0, "/usr/lib/x.so");
        // A full table: 5,000 processes with 4 non-exec file mappings each (libraries' data segments, say).
        for (int pid = 1; pid <= 5000; pid++) {
            for (long i = 0; i < 4; i++) {
                long start = 0x7f0000000000L + i * 0x100000L;
                table.mapped(pid, start, start + 8192, file);
            }
        }
        int forks = 200_000;
        int parent = 5000; // the last filled: its mappings are all in the table
        for (int round = 1; round <= 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < forks; i++) {
                int child = 100_000 + round * forks + i;
                table.forked(parent, child); // each child forks the next: every parent has its 4 mappings
                parent = child;
            }
            long ns = System.nanoTime() - t0;
            System.out.printf("round %d: %.0f ns per fork%n", round, ns / (double) forks);
        }
    }
}
