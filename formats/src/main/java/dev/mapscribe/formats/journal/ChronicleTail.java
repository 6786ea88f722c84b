package dev.mapscribe.formats.journal;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * What lies in a cycle file after the last excerpt a read delivered, looked at in the file's own bytes, for the
 * kinds of damage that make Chronicle's readers stop or skip without a word.
 *
 * <p>Every Chronicle excerpt starts with a 4-byte little-endian header at a 4-byte-aligned position: the low 30
 * bits its length, bit 30 "metadata" (Chronicle's own index pages, which readers skip), bit 31 "not complete".
 * A writer claims a header as "not complete" with length 0 before it writes the bytes the header frames, and
 * writes the length without the flag when it is done; "not complete" and "metadata" with length 0 ends a cycle.
 * So, after the last excerpt Chronicle handed over:
 * <ul>
 * <li>"not complete" with a length other than 0 is a finished excerpt whose header was damaged: Chronicle hands
 *     over nothing from there on, and the read would end there as if the journal ended;</li>
 * <li>"metadata" on an excerpt that starts with the journal's magic, or whose header's fields frame exactly its
 *     length (its magic damaged too), is one of ours hidden: Chronicle skips it (in the middle of a journal the
 *     batch numbers show the gap; this finds the last one);</li>
 * <li>a zero header before the journal's magic is one of ours whose header was wiped: Chronicle reads a zero
 *     header as the end of what was written;</li>
 * <li>a header that frames nothing (zero, or "not complete" with length 0: an excerpt being written) in the last
 *     cycle file, with a complete excerpt of ours after it: a header damaged together with the bytes after it (a
 *     page zeroed in a crash), or into a writer's claim; a writer writes in order and finishes what it claims, so
 *     nothing complete follows its claim;</li>
 * <li>the end of what was written in a cycle file (a zero header, or one being written, or the file's own end: a
 *     file cut short or emptied) without the "end of data" mark a writer leaves when it rolls to the next cycle,
 *     while a later cycle file exists: Chronicle waits for more in this cycle and never reads the later ones;</li>
 * <li>a complete excerpt in the cycle file after an "end of data" mark: Chronicle went no further, so it could
 *     not read that file (its own header damaged, say).</li>
 * </ul>
 * A live journal's writer can be caught between two of those bytes (its header read before it claimed it, its
 * magic after), so a finding counts only when the same bytes read the same {@link #SETTLE_MS} later. A cycle's
 * end mark leads the walk on into the next cycle file. Anything else (a zero header with nothing of ours after it in
 * the last cycle, an excerpt being written, a complete excerpt a live writer finished after the reader looked) is
 * the end, not damage: the excerpt a killed writer left half-written ends its journal.
 */
final class ChronicleTail {
    private ChronicleTail() {}

    static final int NOT_COMPLETE = 0x8000_0000, META_DATA = 0x4000_0000, LENGTH_MASK = 0x3FFF_FFFF,
            END_OF_DATA = NOT_COMPLETE | META_DATA;
    /**
     * Chronicle's own metadata excerpts walked over before giving up: index pages are few between batches, and a
     * cycle file starts with a few (its header, the index of indexes).
     */
    private static final int MAX_STEPS = 64;
    /** How long a finding must stay as it is: a live writer claims and finishes an excerpt in microseconds. */
    static final long SETTLE_MS = 50;

    /**
     * The damage that ends the read at {@code end} (where the last delivered excerpt ends in {@code file}), as a
     * message, or null when the journal simply ends there. A cycle's end mark leads on to the next cycle file, from
     * its start: the damage may be before the first excerpt Chronicle would have handed over from it.
     */
    static String damageAfter(File file, long end) {
        for (int cycles = 0; cycles < MAX_CYCLES; cycles++) {
            Tail t = tailOf(file, end, cycles > 0);
            if (t.next() == null) return t.damage();
            file = t.next();
            end = 0;
        }
        return null;
    }

    /** What the walk of one cycle file found: damage (a message), or the next cycle file to walk, or neither. */
    private record Tail(String damage, File next) {
        static final Tail END = new Tail(null, null);
    }

    /** Cycle files walked on through their end marks: a read that stopped several cycles early is beyond belief. */
    private static final int MAX_CYCLES = 4;

    /**
     * Walks {@code file}'s excerpt headers from {@code end} on; {@code afterEndMark}: the walk came into this file through
     * the previous one's end mark, and Chronicle handed over nothing of it.
     */
    private static Tail tailOf(File file, long end, boolean afterEndMark) {
        try (FileChannel ch = FileChannel.open(file.toPath(), StandardOpenOption.READ)) {
            long pos = end;
            for (int step = 0; step < MAX_STEPS; step++) {
                pos = (pos + 3) & ~3L;
                Long word = read8(ch, pos); // null: the file's bytes end there
                int header = word == null ? 0 : (int) (long) word;
                int length = header & LENGTH_MASK;
                boolean ours = word != null && (int) (word >>> 32) == Excerpt.MAGIC;
                String found;
                boolean cycleEnd = false; // found: a cycle's end, where Chronicle should have gone on to a later one
                if (header == END_OF_DATA) { // the cycle's end: Chronicle went on to the next one, if there is one
                    String later = laterCycle(file);
                    return later == null ? Tail.END : new Tail(null, new File(file.getParentFile(), later));
                } else if (header == 0 && ours) {
                    found = "the excerpt at byte " + pos + " of " + file.getName() + " has lost its Chronicle header (zero):"
                            + " Chronicle stops there and hands over nothing after it";
                } else if (length == 0) { // the file's end, never written (zero), or being written (not complete)
                    String later = laterCycle(file);
                    if (later == null) {
                        // The journal's end, unless complete batches follow: a writer writes in order and finishes
                        // what it claims, so this header was damaged (zeroed, as a page lost in a crash is).
                        long next = word == null ? -1 : nextBatch(ch, pos + 4);
                        if (next < 0) return Tail.END;
                        found = "the excerpt at byte " + pos + " of " + file.getName() + (header == 0
                                ? " has lost its Chronicle header (zero)"
                                : header == NOT_COMPLETE ? " reads as being written (Chronicle's header: not complete, length 0)"
                                : " has a damaged Chronicle header (0x" + Integer.toHexString(header) + ")")
                                + ", though a complete batch of the journal follows at byte " + next
                                + ": Chronicle stops there and hands over nothing after it";
                    } else {
                        cycleEnd = true;
                        found = (word == null ? file.getName() + " is cut short at " + ch.size() + " bytes"
                                : file.getName() + " ends at byte " + pos + " without Chronicle's end-of-cycle mark")
                                + ", though a later cycle file (" + later + ") exists: Chronicle does not go on to it";
                    }
                } else if ((header & NOT_COMPLETE) != 0) {
                    found = "the excerpt at byte " + pos + " of " + file.getName() + " is marked not complete though its "
                            + length + " bytes were written: Chronicle stops there and hands over nothing after it";
                } else if ((header & META_DATA) == 0) {
                    // In the file the read ended in: a complete excerpt that a live writer finished after the reader
                    // looked. In the next one, Chronicle should have gone on to it (JournalReader asks Chronicle
                    // once more, for a writer that rolled to it just as the read ended)
                    if (!afterEndMark) return Tail.END;
                    found = "Chronicle handed over nothing of the next cycle file, " + file.getName() + ", though it holds"
                            + " a complete excerpt at byte " + pos + ": its Chronicle header or index may be damaged";
                } else if (ours || framesItself(ch, pos, length)) {
                    found = "the excerpt at byte " + pos + " of " + file.getName() + " is one of the journal's batches"
                            + " marked as Chronicle's metadata, which readers skip" + (ours ? "" : " (its magic is damaged too)");
                } else {
                    pos += 4L + length; // Chronicle's own metadata: step over it
                    continue;
                }
                Thread.sleep(SETTLE_MS);
                // unchanged, or a live writer moved on (finished the excerpt, marked the cycle's end as it rolled)
                boolean same = Objects.equals(read8(ch, pos), word) && (!cycleEnd || laterCycle(file) != null);
                return same ? new Tail(found, null) : Tail.END;
            }
            return Tail.END;
        } catch (IOException e) {
            return Tail.END; // the read itself ended cleanly; a file that cannot be opened again says nothing more
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Tail.END;
        }
    }

    /** Bytes of a cycle file looked at at once by {@link #nextBatch}, and how far the windows overlap. */
    private static final int WINDOW = 1 << 20, OVERLAP = 64;

    /**
     * Where the next complete excerpt of the journal's own (its Chronicle header) lies in {@code ch} from {@code from}
     * on, or -1. Read window by window: after a journal's last excerpt a cycle file holds at most one block of zeros
     * (16 MiB, JournalWriter), so this costs one read of that once per read of a journal.
     */
    private static long nextBatch(FileChannel ch, long from) throws IOException {
        Excerpt.Checksums checksums = new Excerpt.Checksums();
        ByteBuffer b = ByteBuffer.allocate(WINDOW + OVERLAP).order(ByteOrder.LITTLE_ENDIAN);
        long size = ch.size();
        for (long base = (from + 3) & ~3L; base + 8 <= size; base += WINDOW) {
            b.clear();
            while (b.hasRemaining() && ch.read(b, base + b.position()) >= 0) {
                // fills the window, or up to the file's end
            }
            b.flip();
            for (int q = 0; q < WINDOW && q + 8 <= b.limit(); q += 4) {
                if (b.getInt(q + 4) != Excerpt.MAGIC) continue;
                int h = b.getInt(q);
                int length = h & LENGTH_MASK;
                if ((h & (NOT_COMPLETE | META_DATA)) == 0 && base + q + 4 + length <= size
                        && Excerpt.startsAt(b, q + 4, length, checksums)) {
                    return base + q;
                }
            }
        }
        return -1;
    }

    /**
     * Whether the excerpt whose Chronicle header is at {@code pos} is one of the journal's own by its header's fields
     * ({@link Excerpt#framesItself}), its magic aside: a batch marked as metadata with its magic damaged as well.
     */
    private static boolean framesItself(FileChannel ch, long pos, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Excerpt.HEADER_SIZE + 8).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && ch.read(b, pos + 4 + b.position()) >= 0) {
            // the excerpt's header, or up to the file's end
        }
        return Excerpt.framesItself(b.flip(), 0, length, new Excerpt.Checksums());
    }

    /** The name of the cycle file that follows {@code file} in its journal (cycle files are named by time), or null. */
    private static String laterCycle(File file) {
        for (Path p : JournalWriter.cycleFiles(file.toPath().getParent())) {
            String n = p.getFileName().toString();
            if (n.compareTo(file.getName()) > 0) return n;
        }
        return null;
    }

    /** The 8 little-endian bytes at {@code pos} (a header and the 4 bytes after it), or null past the file's end. */
    private static Long read8(FileChannel ch, long pos) throws IOException {
        if (pos + 8 > ch.size()) return null;
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) return null; // shrank while read
        }
        return b.getLong(0);
    }
}
