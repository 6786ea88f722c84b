package dev.mapscribe.analyzer.derive;

import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Joins mmap_exec events with the recorder's file info (hashes, magic). The recorder hashes files off its hot
 * path, so a file's info usually comes after the mapping in the journal: an event waits for it until
 * {@link #WAIT_NS} of recorded time have passed (or the journal ends), then goes out without hashes and says
 * why. A file is the same file when dev, inode and ctime match.
 */
public final class FileInfos {
    static final long WAIT_NS = 60_000_000_000L;
    static final int MAX_PENDING = 100_000;
    static final int MAX_CACHED = 200_000;

    record Key(int dev, long ino, long ctimeSec, int ctimeNsec) {}

    /** Without dev: the recorder may encode dev differently from the kernel (user space's st_dev). */
    record LooseKey(long ino, long ctimeSec, int ctimeNsec) {}

    private static final class Pending {
        final MmapExecEvent draft;
        final Key key;
        final long sizeFromKernel;
        boolean done;

        Pending(MmapExecEvent draft, Key key, long sizeFromKernel) {
            this.draft = draft;
            this.key = key;
            this.sizeFromKernel = sizeFromKernel;
        }
    }

    private final Consumer<MmapExecEvent> out;
    private final Map<Key, FileInfo> cache = lru();
    private final Map<LooseKey, FileInfo> looseCache = lru();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Map<Key, List<Pending>> waiting = new HashMap<>();

    public FileInfos(Consumer<MmapExecEvent> out) {
        this.out = out;
    }

    /** An event about {@code file} (null: the recorder could not resolve the fd, so there is nothing to join). */
    public void offer(MmapExecEvent draft, FileRef file) {
        if (file == null) {
            out.accept(draft.withFileInfo(null, null, null, null, null, null, "the recorder could not resolve the mapped file"));
            return;
        }
        Key key = new Key(file.dev(), file.ino(), file.ctimeSec(), file.ctimeNsec());
        FileInfo info = cache.get(key);
        if (info != null) {
            out.accept(joined(draft, info));
            return;
        }
        Pending p = new Pending(draft, key, file.size());
        queue.add(p);
        waiting.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
        if (queue.size() > MAX_PENDING) {
            expire(queue.peek().draft.tsNs() + 1); // bounded memory: the oldest goes out as it is
        }
    }

    /** A file info record: releases the events waiting for it, in their order. */
    public void info(FileInfo fi) {
        Key key = new Key(fi.dev(), fi.ino(), fi.ctimeSec(), fi.ctimeNsec());
        cache.put(key, fi);
        looseCache.put(new LooseKey(fi.ino(), fi.ctimeSec(), fi.ctimeNsec()), fi);
        List<Pending> ps = waiting.remove(key);
        if (ps != null) {
            for (Pending p : ps) {
                p.done = true;
                out.accept(joined(p.draft, fi));
            }
        }
    }

    /** Recorded time has reached {@code nowNs}: events that waited long enough go out without file info. */
    public void advance(long nowNs) {
        if (!queue.isEmpty() && nowNs - queue.peek().draft.tsNs() > WAIT_NS) {
            expire(nowNs - WAIT_NS);
        }
    }

    /** The journal ended: everything still waiting goes out. */
    public void flush() {
        expire(Long.MAX_VALUE);
    }

    public int pending() {
        int n = 0;
        for (Pending p : queue) {
            n += p.done ? 0 : 1;
        }
        return n;
    }

    private void expire(long olderThanNs) {
        while (!queue.isEmpty() && (queue.peek().done || queue.peek().draft.tsNs() < olderThanNs)) {
            Pending p = queue.poll();
            if (p.done) {
                continue;
            }
            p.done = true;
            List<Pending> ps = waiting.get(p.key);
            if (ps != null) {
                ps.remove(p);
                if (ps.isEmpty()) {
                    waiting.remove(p.key);
                }
            }
            FileInfo loose = looseCache.get(new LooseKey(p.key.ino(), p.key.ctimeSec(), p.key.ctimeNsec()));
            out.accept(loose != null ? joined(p.draft, loose)
                    : p.draft.withFileInfo(null, null, null, null, null, p.sizeFromKernel, "no file info recorded for this file"));
        }
    }

    private static MmapExecEvent joined(MmapExecEvent draft, FileInfo fi) {
        return draft.withFileInfo(fi.magic(), fi.md5(), fi.sha1(), fi.sha256(), fi.sha512(), fi.size(), fi.error());
    }

    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > MAX_CACHED;
            }
        };
    }
}
