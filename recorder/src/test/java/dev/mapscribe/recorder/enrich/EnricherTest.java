package dev.mapscribe.recorder.enrich;

import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import dev.mapscribe.recorder.sys.Libc;
import dev.mapscribe.recorder.proc.ProcSnapshotter;
import dev.mapscribe.recorder.testing.MapHolder;
import dev.mapscribe.recorder.testing.RootRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnricherTest {
    private final LinkedBlockingQueue<UserRecord> sink = new LinkedBlockingQueue<>();

    /** The four digests as coreutils prints them. */
    private record Sums(String md5, String sha1, String sha256, String sha512) {
        static Sums of(Path file) throws Exception {
            return new Sums(tool("md5sum", file), tool("sha1sum", file), tool("sha256sum", file), tool("sha512sum", file));
        }

        private static String tool(String name, Path file) throws Exception {
            Process p = new ProcessBuilder(name, file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), name + " failed: " + out);
            return out.substring(0, out.indexOf(' '));
        }

        void assertMatch(FileInfo info) {
            assertEquals(this, new Sums(info.md5(), info.sha1(), info.sha256(), info.sha512()), info.toString());
        }
    }

    /**
     * A file of random bytes that a mapholder maps executable and holds until closed, and the digests it had
     * when mapped: whatever is at its path later, the enricher must report these, read through the holder's
     * /proc/PID/map_files. Reading another process's map_files needs root: without it the test is skipped.
     */
    private record HeldFile(Path path, int size, Sums sums, MapHolder holder) implements AutoCloseable {
        /** Writes {@code size} random bytes at {@code path} and starts mapholder {@code option} on them. */
        static HeldFile start(String option, Path path, int size, String... more) throws Exception {
            RootRequirement.assumeRoot();
            randomFile(path, size);
            Sums sums = Sums.of(path);
            List<String> args = new ArrayList<>(List.of(option, path.toString()));
            args.addAll(List.of(more));
            return new HeldFile(path, size, sums, MapHolder.start(args.toArray(String[]::new)));
        }

        int pid() {
            return holder.pid();
        }

        MapHolder.Mapping mapping(String kind) {
            return holder.mapping(kind);
        }

        /** Offers the held mapping {@code kind} as the kernel would have recorded it, with {@code path}. */
        void offerMapping(Enricher enricher, String kind, String path, int fileFlags) {
            MapHolder.Mapping m = holder.mapping(kind);
            enricher.offer(m.fileRef(path, fileFlags), ProcessLink.mapping(holder.pid(), m.start(), m.end()));
        }

        /** {@code info} describes the bytes held, read through the holder: their digests and size, no error. */
        void assertHashedThroughMapFiles(FileInfo info) {
            sums.assertMatch(info);
            assertEquals(holder.pid(), info.viaPid());
            assertEquals(size, info.size());
            assertNull(info.error());
        }

        @Override
        public void close() throws IOException {
            holder.close();
        }
    }

    @Test
    void theHashingThreadRunsAtTheLowestPrioritySoItNeverCompetesWithTheRingDrain() throws Exception {
        try (Enricher enricher = enricher()) {
            Integer nice = null;
            // The worker lowers its own priority as it starts: give it a moment, then read it from /proc.
            for (int i = 0; i < 100 && (nice == null || nice != 19); i++) {
                nice = niceOfThread("mapscribe-enric"); // comm holds 15 characters of the thread name
                Thread.sleep(10);
            }
            assertEquals(19, nice);
        }
    }

    /** Field 19 of /proc/self/task/TID/stat of the thread whose comm starts with {@code name}; null when absent. */
    private static Integer niceOfThread(String name) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                String comm;
                String stat;
                try {
                    comm = Files.readString(t.resolve("comm")).trim();
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                if (!comm.startsWith(name)) continue;
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Integer.parseInt(f[16]); // fields after comm start at 3: nice is field 19
            }
        }
        return null;
    }

    @Test
    void regularFileHashesEqualCoreutils(@TempDir Path dir) throws Exception {
        // 3.5 MiB of random bytes: several 1 MiB chunks and a partial last one.
        Path file = randomFile(dir.resolve("data.bin"), 3 * (1 << 20) + (1 << 19) + 17);
        Sums expected = Sums.of(file);
        try (Enricher enricher = enricher()) {
            enricher.offer(fileRefOf(file), ProcessLink.NONE);
            FileInfo info = next();
            expected.assertMatch(info);
            assertEquals(Files.size(file), info.size());
            assertEquals(file.toString(), info.path());
            assertEquals(0, info.viaPid());
            assertNull(info.error());
            assertEquals(1, enricher.stats().hashed());
        }
    }

    @Test
    void aFileWhoseNameIsNotUtf8IsHashedByItsPath(@TempDir Path dir) throws Exception {
        // "lib\xff.so" (the byte 0xff, which no UTF-8 text holds), made by the shell; records name it so (Utf8Text).
        Path plain = randomFile(dir.resolve("plain.bin"), 10_000);
        Process cp = new ProcessBuilder("bash", "-c", "cp \"$1/plain.bin\" \"$(printf '%s/lib\\377.so' \"$1\")\"", "_",
                dir.toString()).start();
        assertEquals(0, cp.waitFor());
        Path odd; // Java keeps a listed name's bytes, so its attributes can be read without the code under test
        try (var names = Files.list(dir)) {
            odd = names.filter(p -> !p.getFileName().toString().equals("plain.bin")).findFirst().orElseThrow();
        }
        java.util.Map<String, Object> a = Files.readAttributes(odd, "unix:dev,ino,mode,size,ctime,lastModifiedTime");
        long ctimeNs = ((java.nio.file.attribute.FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS);
        long mtimeNs = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
        Libc.Stat st = new Libc.Stat((Long) a.get("dev"), (Long) a.get("ino"), (Integer) a.get("mode"), (Long) a.get("size"),
                ctimeNs / 1_000_000_000L, ctimeNs % 1_000_000_000L, mtimeNs / 1_000_000_000L, mtimeNs % 1_000_000_000L);
        String recorded = dir + "/lib\\xff.so";
        FileRef ref = new FileRef(st.ino(), st.size(), st.ctimeSec(), (int) st.ctimeNsec(), st.kernelDev(), st.mode(), 0, recorded);
        try (Enricher enricher = enricher()) {
            enricher.offer(ref, ProcessLink.NONE);
            FileInfo info = next();
            assertNull(info.error(), info.toString());
            Sums.of(plain).assertMatch(info);
            assertEquals(recorded, info.path());
        }
    }

    @Test
    void libmagicDescribesBinTrueAsElf() throws Exception {
        Path bin = Path.of("/bin/true").toRealPath();
        try (Enricher enricher = enricher()) {
            assertNull(enricher.magicProblem());
            enricher.offer(fileRefOf(bin), ProcessLink.NONE);
            FileInfo info = next();
            assertTrue(info.magic().startsWith("ELF 64-bit LSB "), info.magic());
            Sums.of(bin).assertMatch(info);
        }
    }

    @Test
    void eachFileIsHashedOnceAndRepeatsAreCacheHits(@TempDir Path dir) throws Exception {
        Path file = randomFile(dir.resolve("lib.so"), 5000);
        try (Enricher enricher = enricher()) {
            FileRef ref = fileRefOf(file);
            enricher.offer(ref, ProcessLink.NONE);
            enricher.offer(ref, ProcessLink.NONE);
            enricher.offer(ref, ProcessLink.NONE);
            next();
            enricher.close(); // drains: anything else queued would now be in the sink
            assertTrue(sink.isEmpty(), "one FileInfo per file, got more: " + sink);
            Enricher.Stats stats = enricher.stats();
            assertEquals(3, stats.offered());
            assertEquals(1, stats.hashed());
            assertEquals(2, stats.cacheHits());
        }
    }

    @Test
    void fileAboveTheCapGetsAnErrorAndNoHashes(@TempDir Path dir) throws Exception {
        Path file = randomFile(dir.resolve("big.bin"), 4096);
        try (Enricher enricher = new Enricher(sink::add, new Enricher.Options(16, 4095, Duration.ofSeconds(10)))) {
            enricher.offer(fileRefOf(file), ProcessLink.NONE);
            FileInfo info = next();
            assertNotNull(info.error());
            assertTrue(info.error().contains("above the 4095-byte cap"), info.error());
            assertNull(info.md5());
            assertNull(info.sha1());
            assertNull(info.sha256());
            assertNull(info.sha512());
            assertEquals(4096, info.size());
            assertNotNull(info.magic());
            assertEquals(1, enricher.stats().errors());
            assertEquals(0, enricher.stats().hashed());
        }
    }

    @Test
    void deletedAndReplacedFileIsHashedThroughMapFiles(@TempDir Path dir) throws Exception {
        try (HeldFile held = HeldFile.start("--exec-unlink", dir.resolve("payload.so"), 70_000);
             Enricher enricher = enricher()) {
            // Someone puts another file at the same path: the path must not be trusted.
            randomFile(held.path(), 70_000);
            held.offerMapping(enricher, "unlinked", held.path().toString(), FileRef.UNLINKED);
            held.assertHashedThroughMapFiles(next());
        }
    }

    @Test
    void fifoPlantedAtTheDeletedPathIsNeverOpenedForReading(@TempDir Path dir) throws Exception {
        try (HeldFile held = HeldFile.start("--exec-unlink", dir.resolve("trap.so"), 9000);
             Enricher enricher = enricher()) {
            // Opening a FIFO for reading blocks until a writer comes: it would hang the worker for good.
            Process mkfifo = new ProcessBuilder("mkfifo", held.path().toString()).inheritIO().start();
            assertEquals(0, mkfifo.waitFor());
            held.offerMapping(enricher, "unlinked", held.path().toString(), FileRef.UNLINKED);
            held.assertHashedThroughMapFiles(next());
        }
    }

    @Test
    void snapshotRegionsOfARunningProcessGetTheirFilesHashedOnce(@TempDir Path dir) throws Exception {
        try (HeldFile implant = HeldFile.start("--exec-unlink", dir.resolve("implant.so"), 12345);
             ProcSnapshotter snapshotter = new ProcSnapshotter();
             Enricher enricher = enricher()) {
            List<UserRecord> records = new ArrayList<>();
            snapshotter.snapshotProcess(implant.pid(), records);
            List<SnapshotRegion> regions = records.stream()
                    .flatMap(r -> r instanceof SnapshotRegion region ? Stream.of(region) : Stream.empty()).toList();
            for (int round = 0; round < 2; round++) {
                regions.forEach(enricher::offerRegion);
            }
            enricher.close();

            List<SnapshotRegion> execFiles = regions.stream()
                    .filter(r -> (r.prot() & 4) != 0 && r.path().startsWith("/")).toList();
            Map<String, FileInfo> byPath = new HashMap<>();
            for (UserRecord r : sink) {
                FileInfo info = (FileInfo) r;
                assertNull(byPath.put(info.path(), info), "hashed twice: " + info.path());
            }
            assertEquals(execFiles.stream().map(r -> r.path().replace(" (deleted)", "")).collect(Collectors.toSet()),
                    byPath.keySet());
            assertEquals(execFiles.size(), enricher.stats().cacheHits()); // the whole second round

            implant.assertHashedThroughMapFiles(byPath.get(implant.path().toString()));
            Path libc = Path.of(execFiles.stream().filter(r -> r.path().contains("/libc.so")).findFirst()
                    .orElseThrow().path());
            Sums.of(libc).assertMatch(byPath.get(libc.toString()));
            assertEquals(0, byPath.get(libc.toString()).viaPid());
            FileInfo libcInfo = byPath.get(libc.toString());
            assertEquals(((FileTime) Files.getAttribute(libc, "unix:ctime")).toInstant(),
                    Instant.ofEpochSecond(libcInfo.ctimeSec(), libcInfo.ctimeNsec()));
            assertEquals(Files.size(libc), libcInfo.size());
        }
    }

    @Test
    void memfdIsHashedThroughMapFiles(@TempDir Path dir) throws Exception {
        try (HeldFile source = HeldFile.start("--memfd-from", dir.resolve("stage2.bin"), 200_001);
             Enricher enricher = enricher()) {
            source.offerMapping(enricher, "memfd", "/memfd:mapholder (deleted)", FileRef.UNLINKED);
            source.assertHashedThroughMapFiles(next());
        }
    }

    /**
     * A memfd mapped by a process whose first thread has exited: through the zombie leader /proc/PID/map_files lists
     * nothing, and the file is read through a live thread's /proc/TID/map_files.
     */
    @Test
    void aMemfdOfAProcessWhoseFirstThreadExitedIsHashedThroughALiveThread(@TempDir Path dir) throws Exception {
        try (HeldFile source = HeldFile.start("--memfd-from", dir.resolve("stage8.bin"), 70_001, "--leader-exits");
             Enricher enricher = enricher()) {
            try (var entries = Files.list(Path.of("/proc/" + source.pid() + "/map_files"))) {
                assertEquals(0, entries.count(), "the case this is about: nothing through the pid");
            }
            source.offerMapping(enricher, "memfd", "/memfd:mapholder (deleted)", FileRef.UNLINKED);
            source.assertHashedThroughMapFiles(next());
        }
    }

    /** The same for a deleted file of such a process found by the start-up snapshot (read through the thread too). */
    @Test
    void aDeletedFileOfASnapshotOfAProcessWhoseFirstThreadExitedIsHashed(@TempDir Path dir) throws Exception {
        try (HeldFile implant = HeldFile.start("--exec-unlink", dir.resolve("implant2.so"), 23456, "--leader-exits");
             ProcSnapshotter snapshotter = new ProcSnapshotter();
             Enricher enricher = enricher()) {
            List<UserRecord> records = new ArrayList<>();
            snapshotter.snapshotProcess(implant.pid(), records);
            records.stream().flatMap(r -> r instanceof SnapshotRegion region ? Stream.of(region) : Stream.empty())
                    .filter(r -> r.path().startsWith(implant.path().toString())).forEach(enricher::offerRegion);
            enricher.close();
            List<FileInfo> infos = sink.stream().map(FileInfo.class::cast).toList();
            assertEquals(1, infos.size(), infos.toString());
            implant.assertHashedThroughMapFiles(infos.getFirst());
        }
    }

    @Test
    void mappingSplitSinceItWasRecordedIsStillFoundInMapFiles(@TempDir Path dir) throws Exception {
        try (HeldFile source = HeldFile.start("--memfd-from", dir.resolve("stage3.bin"), 3 * 4096);
             Enricher enricher = enricher()) {
            MapHolder.Mapping m = source.mapping("memfd");
            // A range that is not exactly one VMA (as after an mprotect split): no exact map_files entry.
            enricher.offer(m.fileRef("", FileRef.NO_PATH), ProcessLink.mapping(source.pid(), m.start() + 4096, m.end() + 4096));
            source.assertHashedThroughMapFiles(next());
        }
    }

    /**
     * The holder thread's hold (Enricher#holdEarly, at the kernel's request) keeps a memfd whose process and name
     * are both gone by the time the writer offers it: the offer takes that descriptor, and the bytes are hashed.
     */
    @Test
    void aFileHeldEarlyIsHashedAfterItsProcessExited(@TempDir Path dir) throws Exception {
        HeldFile source = HeldFile.start("--memfd-from", dir.resolve("stage4.bin"), 50_000);
        MapHolder.Mapping m = source.mapping("memfd");
        FileRef ref = m.fileRef("/memfd:mapholder (deleted)", FileRef.UNLINKED);
        int pid = source.pid();
        try (Enricher enricher = enricher()) {
            enricher.holdEarly(pid, m.start(), m.end(), ref.dev(), ref.ino(), System.nanoTime());
            source.close(); // the process exits: its map_files entry, and the memfd's last other reference, go
            assertTrue(!Files.exists(Path.of("/proc/" + pid + "/map_files")), "the holder process still runs");
            enricher.offer(ref, ProcessLink.mapping(pid, m.start(), m.end()), 0);
            source.assertHashedThroughMapFiles(next());
            Enricher.Stats st = enricher.stats();
            assertEquals(1, st.earlyHolds());
            assertEquals(0, st.holdsMissed());
        }
    }

    /**
     * An early hold that no offer takes (a child made an inherited mapping executable, the part made executable lies
     * beyond the writer's table, the record was lost) is hashed anyway, described by its own descriptor, when the
     * enricher closes; then closed: no descriptor leaks.
     */
    @Test
    void anEarlyHoldNoOfferTakesIsHashedAtClose(@TempDir Path dir) throws Exception {
        try (HeldFile source = HeldFile.start("--memfd-from", dir.resolve("stage5.bin"), 20_000)) {
            MapHolder.Mapping m = source.mapping("memfd");
            FileRef ref = m.fileRef("/memfd:mapholder (deleted)", FileRef.UNLINKED);
            long before = openDescriptors();
            Enricher enricher = enricher();
            enricher.holdEarly(source.pid(), m.start(), m.end(), ref.dev(), ref.ino(), 0);
            assertEquals(1, enricher.heldDescriptors());
            enricher.close();
            FileInfo info = next();
            source.assertHashedThroughMapFiles(info);
            // What the analyzer joins on: the file's identity as the mapping's record gives it.
            assertEquals(List.of(ref.dev(), ref.ino(), ref.ctimeSec(), (long) ref.ctimeNsec(), "/memfd:mapholder"),
                    List.of(info.dev(), info.ino(), info.ctimeSec(), (long) info.ctimeNsec(), info.path()));
            assertEquals(1, enricher.stats().earlyHolds());
            assertEquals(0, enricher.heldDescriptors());
            assertEquals(before, openDescriptors());
        }
    }

    /**
     * While recording, an early hold no offer took within two seconds is hashed at the next hold request, not
     * kept until the recording ends; its process has exited meanwhile.
     */
    @Test
    void anEarlyHoldNoOfferTookIsHashedAfterTwoSeconds(@TempDir Path dir) throws Exception {
        HeldFile first = HeldFile.start("--memfd-from", dir.resolve("stage6.bin"), 20_000);
        try (HeldFile second = HeldFile.start("--memfd-from", dir.resolve("stage6b.bin"), 30_000);
             Enricher enricher = enricher()) {
            MapHolder.Mapping m = first.mapping("memfd");
            FileRef ref = m.fileRef("", FileRef.UNLINKED);
            enricher.holdEarly(first.pid(), m.start(), m.end(), ref.dev(), ref.ino(), 0);
            first.close(); // only the held descriptor reaches its bytes now
            Thread.sleep(2_200);
            MapHolder.Mapping m2 = second.mapping("memfd");
            FileRef ref2 = m2.fileRef("", FileRef.UNLINKED);
            enricher.holdEarly(second.pid(), m2.start(), m2.end(), ref2.dev(), ref2.ino(), 0); // sweeps the first
            first.assertHashedThroughMapFiles(next());
            assertEquals(1, enricher.heldDescriptors(), "the second hold, still waiting for its offer");
        }
    }

    /**
     * The holder's hold that comes after the offer looked, and after the offer's own hold failed, is taken by the
     * worker before it reads the file, and the miss the offer counted is taken back.
     */
    @Test
    void anEarlyHoldAfterAFailedOfferIsTakenByTheWorker(@TempDir Path dir) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstArrived = new CountDownLatch(1);
        Enricher enricher = heldInItsSink(firstArrived, release, 10); // the memfd's job waits in the queue
        FileInfo info;
        try (HeldFile source = HeldFile.start("--memfd-from", dir.resolve("stage7.bin"), 20_000)) {
            enricher.offer(fileRefOf(randomFile(dir.resolve("first"), 10)), ProcessLink.NONE);
            assertTrue(firstArrived.await(60, TimeUnit.SECONDS));
            MapHolder.Mapping m = source.mapping("memfd");
            FileRef ref = m.fileRef("/memfd:mapholder (deleted)", FileRef.UNLINKED);
            // The offer comes too late: its process is gone (a dead pid), so its own hold fails.
            enricher.offer(ref, ProcessLink.mapping(deadPid(), m.start(), m.end()));
            assertEquals(1, enricher.stats().holdsMissed());
            enricher.holdEarly(source.pid(), m.start(), m.end(), ref.dev(), ref.ino(), 0);
            release.countDown();
            next(); // the first file
            info = next();
            source.assertHashedThroughMapFiles(info);
        } finally {
            release.countDown();
            enricher.close();
        }
        assertEquals(1, enricher.stats().earlyHolds());
        assertEquals(0, enricher.stats().holdsMissed());
    }

    /** The holder's request for a file the writer's offer has held already takes no second descriptor. */
    @Test
    void anEarlyHoldAfterTheOfferHeldTheFileIsNotTaken(@TempDir Path dir) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstArrived = new CountDownLatch(1);
        Enricher enricher = heldInItsSink(firstArrived, release, 10); // queued offers keep their descriptors
        try (HeldFile source = HeldFile.start("--memfd-from", dir.resolve("stage6.bin"), 4096)) {
            enricher.offer(fileRefOf(randomFile(dir.resolve("first"), 10)), ProcessLink.NONE);
            assertTrue(firstArrived.await(60, TimeUnit.SECONDS));
            MapHolder.Mapping m = source.mapping("memfd");
            FileRef ref = m.fileRef("", FileRef.UNLINKED);
            enricher.offer(ref, ProcessLink.mapping(source.pid(), m.start(), m.end()));
            assertEquals(1, enricher.heldDescriptors());
            enricher.holdEarly(source.pid(), m.start(), m.end(), ref.dev(), ref.ino(), 0);
            assertEquals(1, enricher.heldDescriptors(), "a second descriptor on a file held already");
        } finally {
            release.countDown();
            enricher.close();
        }
        assertEquals(0, enricher.stats().earlyHolds());
        assertEquals(0, enricher.heldDescriptors());
    }

    @Test
    void fileGoneEverywhereGetsAnErrorSayingWhy(@TempDir Path dir) throws Exception {
        Path file = randomFile(dir.resolve("gone.so"), 100);
        FileRef ref = fileRefOf(file);
        Files.delete(file);
        int deadPid = deadPid();
        try (Enricher enricher = enricher()) {
            enricher.offer(ref, ProcessLink.mapping(deadPid, 0x1000, 0x2000));
            FileInfo info = next();
            assertNull(info.sha256());
            assertTrue(info.error().startsWith("cannot open: open " + file), info.error());
            assertTrue(info.error().contains("/proc/" + deadPid + "/map_files/1000-2000"), info.error());
            assertEquals(1, enricher.stats().errors());
        }
    }

    @Test
    void holdsSayHowLateAfterTheMappingTheyCameAndWhichFoundNothing(@TempDir Path dir) throws Exception {
        Path gone = randomFile(dir.resolve("gone.so"), 100);
        FileRef goneRef = fileRefOf(gone);
        Files.delete(gone);
        try (Enricher enricher = enricher()) {
            long now = System.nanoTime(); // CLOCK_MONOTONIC, the kernel records' clock
            enricher.offer(fileRefOf(randomFile(dir.resolve("a.so"), 10)), ProcessLink.NONE, now - 5_000_000);
            enricher.offer(fileRefOf(randomFile(dir.resolve("b.so"), 10)), ProcessLink.NONE, 0); // no kernel time: no delay counted
            enricher.offer(goneRef, ProcessLink.mapping(deadPid(), 0x1000, 0x2000), 0);
            next();
            next();
            next();
            Enricher.Stats stats = enricher.stats();
            assertEquals(3, stats.holds());
            assertEquals(1, stats.holdsMissed(), "the deleted file of a dead process cannot be held");
            assertEquals(1, stats.holdsOverMs(), "only the mapping recorded 5 ms ago was held more than 1 ms after it");
            assertTrue(stats.holdLagMaxNs() >= 5_000_000 && stats.holdLagMaxNs() < 5_000_000_000L, "lag " + stats.holdLagMaxNs());
        }
    }

    @Test
    void theWarmUpHoldsItsOwnFilesBothWaysAndLeavesNothingBehind(@TempDir Path tmp) throws Exception {
        RootRequirement.assumeRoot(); // map_files entries open for CAP_SYS_ADMIN only
        assertEquals(2 * 50, Enricher.warmUpHolds(50, tmp), "holds that reached their file, by path and through map_files");
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "the warm-up's files");
        }
    }

    @Test
    void offersBeyondAFullQueueAreSkippedWithoutBlockingAndPendingCountsTheRest(@TempDir Path dir) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstArrived = new CountDownLatch(1);
        Enricher enricher = heldInItsSink(firstArrived, release, 1);
        try {
            enricher.offer(fileRefOf(randomFile(dir.resolve("a"), 10)), ProcessLink.NONE);
            assertTrue(firstArrived.await(60, TimeUnit.SECONDS));
            enricher.offer(fileRefOf(randomFile(dir.resolve("b"), 10)), ProcessLink.NONE); // fills the queue of one
            enricher.offer(fileRefOf(randomFile(dir.resolve("c"), 10)), ProcessLink.NONE); // skipped
            enricher.offer(fileRefOf(randomFile(dir.resolve("d"), 10)), ProcessLink.NONE); // skipped
            assertEquals(2, enricher.stats().skipped());
            assertEquals(2, enricher.pending(), "the one in the worker's hands and the queued one; not the skipped");
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (enricher.pending() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, enricher.pending(), "caught up");
            assertEquals(2, sink.size(), "both read by the time pending() says 0");
        } finally {
            release.countDown();
            enricher.close();
        }
        assertEquals(2, sink.size());
        assertEquals(2, enricher.stats().hashed());
    }

    /**
     * Files deleted while they wait in the queue are still hashed: each was held when offered. At most
     * MAX_HELD are held at once (the rest wait unheld, and a deleted one among them gets an error), and every
     * held descriptor is closed once its file is read.
     */
    @Test
    void filesDeletedWhileQueuedAreHashedThroughTheirHeldDescriptors(@TempDir Path dir) throws Exception {
        int files = Enricher.MAX_HELD + 44;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstArrived = new CountDownLatch(1);
        Enricher enricher = heldInItsSink(firstArrived, release, 1000);
        long fdsBefore = openDescriptors();
        List<Path> paths = new ArrayList<>();
        try {
            for (int i = 0; i < files; i++) {
                paths.add(randomFile(dir.resolve("f" + i), 100 + i));
            }
            enricher.offer(fileRefOf(paths.getFirst()), ProcessLink.NONE);
            assertTrue(firstArrived.await(60, TimeUnit.SECONDS));
            for (Path p : paths.subList(1, files)) {
                enricher.offer(fileRefOf(p), ProcessLink.NONE);
            }
            assertEquals(Enricher.MAX_HELD, enricher.heldDescriptors());
            for (Path p : paths) {
                Files.delete(p);
            }
        } finally {
            release.countDown();
            enricher.close();
        }
        Enricher.Stats stats = enricher.stats();
        assertEquals(1 + Enricher.MAX_HELD, stats.hashed(), "the first, read at once, and every held one");
        assertEquals(files - 1 - Enricher.MAX_HELD, stats.errors(), "the unheld ones: deleted before their turn");
        assertEquals(1 + Enricher.MAX_HELD, stats.holds(), "holds tried: none once MAX_HELD are held");
        assertEquals(0, enricher.heldDescriptors());
        assertEquals(fdsBefore, openDescriptors(), "every held descriptor closed");
    }

    /**
     * An enricher whose worker, once it has handed its first FileInfo to {@link #sink} (counting down
     * {@code firstArrived}), waits in the sink until {@code release}: later offers stay in the queue.
     */
    private Enricher heldInItsSink(CountDownLatch firstArrived, CountDownLatch release, int queueCapacity) {
        return new Enricher(r -> {
            sink.add(r);
            firstArrived.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, new Enricher.Options(queueCapacity, 1 << 20, Duration.ofSeconds(30)));
    }

    private static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** An enricher with the default options that puts what it reports in {@link #sink}. */
    private Enricher enricher() {
        return new Enricher(sink::add, Enricher.Options.defaults());
    }

    private FileInfo next() throws InterruptedException {
        UserRecord r = sink.poll(60, TimeUnit.SECONDS);
        assertNotNull(r, "no FileInfo from the enricher");
        return assertInstanceOf(FileInfo.class, r);
    }

    private static Path randomFile(Path path, int size) throws IOException {
        byte[] data = new byte[size];
        new Random(path.hashCode() ^ size ^ System.nanoTime()).nextBytes(data);
        return Files.write(path, data);
    }

    /** The FileRef the kernel would record for a file mapped now. */
    private static FileRef fileRefOf(Path file) throws IOException {
        try (Libc libc = new Libc()) {
            int fd = libc.open(file.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
            try {
                Libc.Stat st = libc.fstat(fd);
                return new FileRef(st.ino(), st.size(), st.ctimeSec(), (int) st.ctimeNsec(), st.kernelDev(), st.mode(),
                        0, file.toString());
            } finally {
                libc.close(fd);
            }
        }
    }

    /** A pid no process has now: a child that has exited and been reaped. */
    private static int deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertEquals(0, p.waitFor());
        int pid = (int) p.pid();
        assertTrue(!Files.exists(Path.of("/proc/" + pid)), "pid " + pid + " reused already");
        return pid;
    }
}
