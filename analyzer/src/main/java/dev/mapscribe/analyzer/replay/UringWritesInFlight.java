package dev.mapscribe.analyzer.replay;

import dev.mapscribe.analyzer.state.MappedFile;
import dev.mapscribe.formats.raw.KernelRecord.SyscallRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * io_uring write requests on a process's memory file between their two records. The recorder writes one as a request
 * is submitted (MS_F_ENTER_ONLY: its arguments and where it begins, which make its memory_writes row) and, since
 * format 6, one as it completes: the same nr and arguments, of the same thread, with the CQE's result. A submitted
 * request waits here for its result, so that its row says what was written; it is paired with the first completion of
 * the same process, nr and arguments (two identical requests in flight at once asked the same write). A request that
 * posts no completion when it succeeds (IOSQE_CQE_SKIP_SUCCESS) does not wait, nor does one of an older journal; one
 * whose completion never came (its ring torn down first, the record lost) waits until the journal ends.
 */
final class UringWritesInFlight {
    static final long IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    /** A submitted request: its record, its syscalls row and the file it names, in journal order ({@code call.seq()}). */
    record Submitted(SyscallRecord record, SyscallRow call, MappedFile file) {}

    private record Key(int pid, int nr, List<Long> args) {
        static Key of(SyscallRecord s) {
            return new Key(s.h().pid(), s.nr(), Arrays.stream(s.args()).boxed().toList());
        }
    }

    private final Map<Key, ArrayDeque<Submitted>> waiting = new HashMap<>();

    /** Whether a submitted request's result is to come in a record of its own (not for a journal before format 6). */
    static boolean resultToCome(SyscallRecord submitted, int formatVersion) {
        return formatVersion >= 6 && (submitted.args()[5] & IOSQE_CQE_SKIP_SUCCESS) == 0;
    }

    void submitted(Submitted s) {
        waiting.computeIfAbsent(Key.of(s.record()), k -> new ArrayDeque<>()).add(s);
    }

    /** The submitted request a completion record is the result of, no longer waiting; null when none waits. */
    Submitted completed(SyscallRecord completion) {
        Key key = Key.of(completion);
        ArrayDeque<Submitted> q = waiting.get(key);
        if (q == null) {
            return null; // its submission's record was lost, or came before the recording
        }
        Submitted s = q.poll();
        if (q.isEmpty()) {
            waiting.remove(key);
        }
        return s;
    }

    /** Every request still waiting, in journal order, and none waits any more. */
    List<Submitted> drain() {
        List<Submitted> all = new ArrayList<>();
        waiting.values().forEach(all::addAll);
        waiting.clear();
        all.sort(Comparator.comparingLong(s -> s.call().seq()));
        return all;
    }
}
