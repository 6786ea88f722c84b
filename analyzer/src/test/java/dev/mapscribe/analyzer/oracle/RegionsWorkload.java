package dev.mapscribe.analyzer.oracle;

import dev.mapscribe.formats.testkit.ProcMaps;
import java.util.ArrayList;
import java.util.List;

/**
 * The output of scripts/workloads/regions.c, parsed: checkpoints (a CLOCK_MONOTONIC time and the
 * /proc/self/maps read right after it), the mapping calls it made between them, and what it expects.
 */
public final class RegionsWorkload {

    public sealed interface Item permits Pid, Checkpoint, Call, Expect, Note {}

    /** The workload's process id (its first line). */
    public record Pid(int pid) implements Item {}

    /** {@code maps} of process {@code pid} (0: the PID line's) was read after {@code monotonicNs}: the state valid then. */
    public record Checkpoint(int n, String label, long monotonicNs, int pid, List<ProcMaps.Line> maps) implements Item {}

    /** One call with its arguments and raw result (see regions.c for each syscall's fields). */
    public record Call(String syscall, List<Long> values) implements Item {
        public long get(int i) {
            return values.get(i);
        }

        /** The raw result: an address, 0 or -errno. */
        public long ret() {
            return switch (syscall) {
                case "mmap" -> values.get(6);
                case "mprotect" -> values.get(3);
                case "pkey_mprotect" -> values.get(4);
                case "munmap" -> values.get(2);
                case "mremap" -> values.get(5);
                case "brk" -> values.get(1);
                case "madvise" -> values.get(3);
                case "process_madvise" -> values.get(1);
                case "shmat" -> values.get(3);
                case "shmdt" -> values.get(1);
                case "io_setup" -> values.get(3);
                case "io_destroy" -> values.get(1);
                case "remap_file_pages" -> values.get(5);
                case "mseal" -> values.get(3);
                case "mbind" -> values.get(4);
                case "mlock", "munlock" -> values.get(2);
                case "mlock2" -> values.get(3);
                case "mlockall" -> values.get(1);
                case "munlockall" -> values.get(0);
                case "personality" -> values.get(1);
                default -> throw new IllegalStateException("unknown call " + syscall);
            };
        }
    }

    /** {@code kind} is "mem_prot_alert", "mmap_exec" or "failed"; {@code what} the alert string, the file, or the errno. */
    public record Expect(String kind, long addr, long len, String what) implements Item {}

    /** "NOTE what key=value ...": a workload's own line for its test (orderrace.c's race). */
    public record Note(String what, java.util.Map<String, String> values) implements Item {}

    private RegionsWorkload() {}

    public static List<Item> parse(String output) {
        List<Item> items = new ArrayList<>();
        String[] lines = output.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("PID ")) {
                items.add(new Pid(Integer.parseInt(line.substring(4).trim())));
            } else if (line.startsWith("CHECKPOINT ")) {
                String[] f = line.split(" ");
                StringBuilder maps = new StringBuilder();
                String end = "END " + f[1];
                for (i++; i < lines.length && !lines[i].equals(end); i++) {
                    maps.append(lines[i]).append('\n');
                }
                if (i == lines.length) {
                    throw new IllegalArgumentException("checkpoint " + f[1] + " has no END line");
                }
                int pid = f.length > 4 ? Integer.parseInt(f[4]) : 0;
                items.add(new Checkpoint(Integer.parseInt(f[1]), f[2], Long.parseLong(f[3]), pid, ProcMaps.parse(maps.toString())));
            } else if (line.startsWith("CALL ")) {
                String[] f = line.split(" ");
                List<Long> values = new ArrayList<>();
                for (int k = 2; k < f.length; k++) {
                    values.add(Long.parseUnsignedLong(f[k], 16));
                }
                items.add(new Call(f[1], values));
            } else if (line.startsWith("EXPECT failed ")) {
                String[] f = line.split(" ");
                items.add(new Expect("failed", 0, 0, f[2] + " " + f[3]));
            } else if (line.startsWith("EXPECT ")) {
                String[] f = line.split(" ", 5);
                items.add(new Expect(f[1], Long.parseUnsignedLong(f[2], 16), Long.parseLong(f[3]), f[4]));
            } else if (line.startsWith("NOTE ")) {
                String[] f = line.split(" ");
                java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
                for (int k = 2; k < f.length; k++) {
                    values.put(f[k].substring(0, f[k].indexOf('=')), f[k].substring(f[k].indexOf('=') + 1));
                }
                items.add(new Note(f[1], values));
            } else if (line.startsWith("ERROR ")) {
                throw new IllegalArgumentException("the workload failed: " + line);
            } else if (line.startsWith("WINDOW ")) {
                continue; // JvmWorkload's end of a checkpoint's read: JvmRecordedTest reads it from the output
            } else if (!line.isEmpty()) {
                throw new IllegalArgumentException("unexpected line " + (i + 1) + ": " + line);
            }
        }
        return items;
    }

    public static int pid(List<Item> items) {
        return items.stream().filter(Pid.class::isInstance).map(Pid.class::cast).findFirst().orElseThrow().pid();
    }

    public static List<Checkpoint> checkpoints(List<Item> items) {
        return items.stream().filter(Checkpoint.class::isInstance).map(Checkpoint.class::cast).toList();
    }

    /** The workload's own NOTE lines, in order. */
    public static List<Note> notes(List<Item> items) {
        return items.stream().filter(Note.class::isInstance).map(Note.class::cast).toList();
    }

    /** The calls made between checkpoint n-1 and checkpoint n. */
    public static List<Call> callsBefore(List<Item> items, int n) {
        return itemsBefore(items, n, Call.class);
    }

    /** The expectations of {@code kind} the workload wrote between checkpoint n-1 and checkpoint n. */
    public static List<Expect> expectedBefore(List<Item> items, int n, String kind) {
        return itemsBefore(items, n, Expect.class).stream().filter(e -> e.kind().equals(kind)).toList();
    }

    private static <T extends Item> List<T> itemsBefore(List<Item> items, int n, Class<T> type) {
        List<T> out = new ArrayList<>();
        int seen = -1;
        for (Item it : items) {
            if (it instanceof Checkpoint c) {
                seen = c.n();
                if (seen == n) {
                    return out;
                }
                out.clear();
            } else if (type.isInstance(it) && seen == n - 1) {
                out.add(type.cast(it));
            }
        }
        return out;
    }

    public static List<Expect> expected(List<Item> items, String kind) {
        return items.stream().filter(Expect.class::isInstance).map(Expect.class::cast).filter(e -> e.kind().equals(kind)).toList();
    }
}
