package dev.mapscribe.analyzer.replay;

import dev.mapscribe.analyzer.state.MappedFile;
import dev.mapscribe.formats.raw.KernelRecord.SyscallRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * io_uring write requests on a process's memory file between their two records. The recorder writes one as a request
 * is submitted (MS_F_ENTER_ONLY: its arguments, where it is to begin and the file, which make its memory_writes row)
 * and, since format 6, one as it completes: the file it was issued on, where the write began, the CQE's result. A
 * submitted request waits here for its completion, so that its row says what was written; they are paired by process,
 * nr, file and start (two identical requests in flight at once asked the same write, and are paired in order). One
 * whose completion never comes (IOSQE_CQE_SKIP_SUCCESS: a successful one posts none; its ring torn down first; the
 * record lost) waits until the journal ends. A completion that pairs with no submission wrote a file its submission did
 * not name (its registered slot filled by a request linked before it), or its submission's record was lost: it has a
 * row of its own. A journal before format 6 has no completions: its requests do not wait. At most {@link #MAX_WAITING}
 * wait: a completion comes microseconds after its request, so what waits longer is a successful IOSQE_CQE_SKIP_SUCCESS
 * request or a lost record, and the oldest is let go (its row written without a result) rather than kept to the
 * journal's end: memory bounded by the requests in flight, not by the journal's length.
 */
final class UringWritesInFlight {
    static final int MAX_WAITING = 4096;

    /** A submitted request: its record, its syscalls row and the file it names, in journal order ({@code call.seq()}). */
    record Submitted(SyscallRecord record, SyscallRow call, MappedFile file) {}

    private record Key(int pid, int nr, String path, Long start) {
        static Key of(SyscallRecord s) {
            return new Key(s.h().pid(), s.nr(), s.file() != null ? s.file().path() : null, s.hasAddr() ? s.addr() : null);
        }
    }

    private final Map<Key, ArrayDeque<Submitted>> waiting = new HashMap<>();
    private final TreeMap<Long, Submitted> bySeq = new TreeMap<>(); // the same requests, oldest first

    /** Whether a journal of this format records write requests' completions. */
    static boolean completionsRecorded(int formatVersion) {
        return formatVersion >= 6;
    }

    /** Adds a submitted request; returns the oldest one let go when more than MAX_WAITING wait, else null. */
    Submitted submitted(Submitted s) {
        waiting.computeIfAbsent(Key.of(s.record()), k -> new ArrayDeque<>()).add(s);
        bySeq.put(s.call().seq(), s);
        if (bySeq.size() <= MAX_WAITING) {
            return null;
        }
        Submitted oldest = bySeq.pollFirstEntry().getValue();
        Key key = Key.of(oldest.record());
        ArrayDeque<Submitted> q = waiting.get(key);
        q.pollFirst(); // that is `oldest`: each key's requests wait in journal order, so the oldest of all is its first
        if (q.isEmpty()) {
            waiting.remove(key);
        }
        return oldest;
    }

    /** The submitted request a completion record is of, no longer waiting; null when none waits. */
    Submitted completed(SyscallRecord completion) {
        Key key = Key.of(completion);
        ArrayDeque<Submitted> q = waiting.get(key);
        if (q == null) {
            return null;
        }
        Submitted s = q.poll();
        if (q.isEmpty()) {
            waiting.remove(key);
        }
        bySeq.remove(s.call().seq());
        return s;
    }

    /** Every request still waiting, in journal order, and none waits any more. */
    List<Submitted> drain() {
        List<Submitted> all = new ArrayList<>(bySeq.values());
        waiting.clear();
        bySeq.clear();
        return all;
    }
}
