package dev.mapscribe.recorder;

import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.UserRecord;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.function.Consumer;

/**
 * The /proc snapshot (dev.mapscribe.recorder.proc.ProcSnapshotter) and the file enricher
 * (dev.mapscribe.recorder.enrich.Enricher) are written on another branch. Until both are on main this
 * bridge binds them by name, so the recorder compiles without them and uses them as soon as they are on
 * the class path; once merged, replace the lookups by direct calls (TODO for the lead).
 */
final class Collaborators {
    private static final String SNAPSHOTTER = "dev.mapscribe.recorder.proc.ProcSnapshotter";
    private static final String ENRICHER = "dev.mapscribe.recorder.enrich.Enricher";

    /** Snapshot of every running process but the recorder. */
    interface Snapshot {
        List<UserRecord> take(int selfPid) throws IOException;
    }

    /** Hashes executable files off the hot path and appends FileInfo records through its sink. */
    interface FileEnricher extends AutoCloseable {
        void offer(FileRef file, int pid);

        @Override
        void close();
    }

    private Collaborators() {
    }

    /** Null when the snapshot class is not on the class path. */
    static Snapshot snapshot() {
        try {
            Class<?> c = Class.forName(SNAPSHOTTER);
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            MethodHandle ctor = l.findConstructor(c, MethodType.methodType(void.class));
            MethodHandle take = l.findVirtual(c, "snapshot", MethodType.methodType(List.class, int.class));
            MethodHandle close = l.findVirtual(c, "close", MethodType.methodType(void.class));
            return selfPid -> {
                Object s = invoke(ctor);
                try {
                    @SuppressWarnings("unchecked")
                    List<UserRecord> out = (List<UserRecord>) take.invoke(s, selfPid);
                    return out;
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IOException("process snapshot failed: " + t, t);
                } finally {
                    invoke(close, s);
                }
            };
        } catch (ClassNotFoundException e) {
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(SNAPSHOTTER + " does not have the expected API: " + e.getMessage(), e);
        }
    }

    /** Null when the enricher class is not on the class path. */
    static FileEnricher enricher(Consumer<UserRecord> sink) {
        try {
            Class<?> c = Class.forName(ENRICHER);
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            Object e = l.findConstructor(c, MethodType.methodType(void.class, Consumer.class)).invoke(sink);
            MethodHandle offer = l.findVirtual(c, "offer", MethodType.methodType(void.class, FileRef.class, int.class));
            MethodHandle close = l.findVirtual(c, "close", MethodType.methodType(void.class));
            return new FileEnricher() {
                @Override
                public void offer(FileRef file, int pid) {
                    invoke(offer, e, file, pid);
                }

                @Override
                public void close() {
                    invoke(close, e);
                }
            };
        } catch (ClassNotFoundException e) {
            return null;
        } catch (Throwable t) {
            throw new IllegalStateException(ENRICHER + " does not have the expected API: " + t.getMessage(), t);
        }
    }

    private static Object invoke(MethodHandle h, Object... args) {
        try {
            return h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
