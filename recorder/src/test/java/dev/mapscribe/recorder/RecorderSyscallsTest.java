package dev.mapscribe.recorder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.KernelRecord.BrkRecord;
import dev.mapscribe.formats.raw.KernelRecord.ExecRecord;
import dev.mapscribe.formats.raw.KernelRecord.ExitRecord;
import dev.mapscribe.formats.raw.KernelRecord.ForkRecord;
import dev.mapscribe.formats.raw.KernelRecord.MmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.MprotectRecord;
import dev.mapscribe.formats.raw.KernelRecord.MremapRecord;
import dev.mapscribe.formats.raw.KernelRecord.MunmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.SyscallRecord;
import dev.mapscribe.formats.raw.KernelRecord.TaskRecord;
import dev.mapscribe.formats.raw.KernelRecord.VmaRecord;
import dev.mapscribe.formats.raw.Record;
import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.testkit.CWorkloads;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real eBPF: scripts/workloads/syscalls.c makes known calls (failing ones included) and logs each; every
 * logged call must be in the journal with its exact arguments and result. Run once per variant of the syscall
 * tier: the raw_tp programs must produce exactly what the tp_btf programs do.
 */
class RecorderSyscallsTest {
    @Nested
    class TpBtf extends OneVariant {
        TpBtf() {
            super(Recorder.Hooks.SYSCALLS, "syscalls");
        }
    }

    /** Forced (--hooks syscalls-raw-tp): on this kernel tp_btf works, so the fallback would never be taken. */
    @Nested
    class RawTp extends OneVariant {
        RawTp() {
            super(Recorder.Hooks.SYSCALLS_RAW_TP, "syscalls/raw_tp");
        }
    }

    /** The checks, against one recording made with {@code hooks}. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class OneVariant {
        private static final int NR_MADVISE = 28;
        private static final int NR_SHMDT = 67;
        private static final int NR_MSEAL = 462;
        private static final int NR_PTRACE = 101;
        private static final int NR_PERSONALITY = 135;
        private static final int NR_PRCTL = 157;
        private static final int NR_IO_URING_SETUP = 425;
        private static final int NR_IO_URING = SyscallRecord.NR_IO_URING;
        private static final long IOSQE_FIXED_FILE = 1, IOSQE_CQE_SKIP_SUCCESS = 64;
        private static final int IORING_OP_MADVISE = 25;
        private static final int NR_PROCESS_VM_WRITEV = 311;
        private static final int NR_EXECVE = 59;
        private static final int NR_EXIT = 60;
        private static final int NR_EXIT_GROUP = 231;

        private final Recorder.Hooks hooks;
        private final String tier;
        private Path tmp;
        private RecordedRun run;

        OneVariant(Recorder.Hooks hooks, String tier) {
            this.hooks = hooks;
            this.tier = tier;
        }

        @BeforeAll
        void record(@TempDir Path dir) throws Exception {
            BpfRequirement.assumeRootAndBpf();
            tmp = dir;
            Path exe = CWorkloads.build("syscalls");
            Path process32 = CWorkloads.build32("process32"); // a 32-bit process, which the workload runs
            run = RecordedRun.of(tmp.resolve("journal"), hooks, List.of(exe.toString(), tmp.toString(), process32.toString()));
        }

        private static long u(Map<String, String> c, String key) {
            return Long.parseUnsignedLong(c.get(key));
        }

        private static long s(Map<String, String> c, String key) {
            return Long.parseLong(c.get(key));
        }

        private static int pid(Map<String, String> c) {
            return Integer.parseInt(c.get("pid"));
        }

        /** Records already matched to a logged call: each call needs its own record (libc makes some of the same calls). */
        private final Set<KernelRecord> used = Collections.newSetFromMap(new IdentityHashMap<>());
        /** Per thread, the time of the record matched to its previous logged call: calls are matched in order. */
        private final Map<Integer, Long> lastMatchNs = new HashMap<>();

        /** The first record after the thread's previous match that no other call has claimed. */
        private <T extends KernelRecord> T next(List<T> found, Map<String, String> call) {
            int tid = Integer.parseInt(call.getOrDefault("tid", call.get("pid")));
            long after = lastMatchNs.getOrDefault(tid, 0L);
            T r = found.stream().filter(x -> !used.contains(x) && x.h().ktimeNs() >= after).findFirst()
                    .orElseThrow(() -> new AssertionError("no record for " + call + " among " + found));
            used.add(r);
            lastMatchNs.put(tid, r.h().ktimeNs());
            return r;
        }

        private <T extends KernelRecord> List<T> matching(Class<T> type, Map<String, String> call, Predicate<T> p) {
            return run.kernel(type, pid(call)).stream()
                    .filter(r -> r.h().tid() == Integer.parseInt(call.getOrDefault("tid", call.get("pid"))))
                    .filter(p).toList();
        }

        @Test
        void everyLoggedCallIsRecordedWithExactArgumentsAndResult() {
            int checked = 0;
            int unrecordedOpens = 0;
            for (Map<String, String> c : run.calls()) {
                switch (c.get("call")) {
                    case "mmap" -> {
                        MmapRecord r = next(matching(MmapRecord.class, c, m -> m.addr() == u(c, "addr") && m.len() == u(c, "len")
                                && m.prot() == s(c, "prot") && m.flags() == s(c, "flags") && m.fd() == s(c, "fd")
                                && m.off() == u(c, "off") && m.ret() == s(c, "ret")), c);
                        assertFalse(r.h().has(KernelRecord.F_COMPAT), "a 64-bit call: " + c);
                        if (c.containsKey("path")) {
                            assertEquals(c.get("path"), r.file().path(), "path of " + c);
                            assertEquals(u(c, "ino"), r.file().ino());
                            assertEquals(s(c, "major"), r.file().devMajor());
                            assertEquals(s(c, "minor"), r.file().devMinor());
                            assertEquals(8192, r.file().size());
                            assertFalse(r.file().pathTruncated());
                        } else if (s(c, "fd") < 0) {
                            assertNull(r.file(), "anonymous mapping has no file: " + c);
                        }
                    }
                    case "mprotect" -> {
                        MprotectRecord r = next(matching(MprotectRecord.class, c, m -> !m.isPkeyMprotect() && m.addr() == u(c, "addr")
                                && m.len() == u(c, "len") && m.prot() == s(c, "prot") && m.ret() == s(c, "ret")), c);
                        assertEquals(-1, r.pkey());
                    }
                    case "pkey_mprotect" -> next(matching(MprotectRecord.class, c, m -> m.isPkeyMprotect() && m.addr() == u(c, "addr")
                            && m.len() == u(c, "len") && m.prot() == s(c, "prot") && m.pkey() == s(c, "pkey") && m.ret() == s(c, "ret")), c);
                    case "munmap" -> next(matching(MunmapRecord.class, c, m -> m.addr() == u(c, "addr") && m.len() == u(c, "len")
                            && m.ret() == s(c, "ret")), c);
                    case "mremap" -> next(matching(MremapRecord.class, c, m -> m.oldAddr() == u(c, "old_addr")
                            && m.oldLen() == u(c, "old_len") && m.newLen() == u(c, "new_len") && m.flags() == s(c, "flags")
                            && m.newAddr() == u(c, "new_addr") && m.ret() == s(c, "ret")), c);
                    case "madvise" -> {
                        // Only advice that changes VMA flags is recorded, as a generic syscall record
                        List<SyscallRecord> recorded = matching(SyscallRecord.class, c, m -> m.nr() == NR_MADVISE
                                && m.args()[0] == u(c, "addr") && m.args()[1] == u(c, "len") && m.args()[2] == s(c, "advice")
                                && m.ret() == s(c, "ret"));
                        if (s(c, "recorded") == 1) {
                            next(recorded, c);
                        } else {
                            assertEquals(List.of(), recorded, "advice that changes no VMA must not be recorded: " + c);
                        }
                    }
                    case "shmat" -> { // an mmap record marked shmat: shmid, shmaddr, shmflg as called, the segment's size
                        // process32's (compat=1) through ipc(2) or shmat's own 32-bit call: the same record
                        MmapRecord r = next(matching(MmapRecord.class, c, m -> m.isShmat() && m.fd() == s(c, "shmid")
                                && m.addr() == u(c, "shmaddr") && m.flags() == s(c, "shmflg") && m.ret() == s(c, "ret")
                                && m.h().has(KernelRecord.F_COMPAT) == c.containsKey("compat")), c);
                        if (s(c, "ret") >= 0) {
                            assertEquals(u(c, "size"), r.len());
                            assertEquals(7, r.prot(), "SHM_EXEC: read, write and exec");
                            assertTrue(r.file() != null && r.file().path().startsWith("/SYSV"), "the segment's file: " + r.file());
                        } else {
                            assertNull(r.file(), "a failed attach maps nothing: " + c);
                        }
                    }
                    case "shmdt" -> next(matching(SyscallRecord.class, c, m -> m.nr() == NR_SHMDT && m.args()[0] == u(c, "addr")
                            && m.ret() == s(c, "ret") && m.h().has(KernelRecord.F_COMPAT) == c.containsKey("compat")), c);
                    case "mseal" -> next(matching(SyscallRecord.class, c, m -> m.nr() == NR_MSEAL && m.args()[0] == u(c, "addr")
                            && m.args()[1] == u(c, "len") && m.args()[2] == 0 && m.ret() == s(c, "ret")), c);
                    case "lock" -> { // mlock, mlock2, munlock, mlockall, munlockall: generic records, as many arguments as each takes
                        int nr = (int) s(c, "nr");
                        int args = nr == 152 ? 0 : nr == 151 ? 1 : nr == 325 ? 3 : 2;
                        next(matching(SyscallRecord.class, c, m -> m.nr() == nr && m.ret() == s(c, "ret")
                                && java.util.stream.IntStream.range(0, args).allMatch(i -> m.args()[i] == u(c, "arg" + i))), c);
                    }
                    case "ptrace" -> { // requests that start tracing or write the tracee are recorded, the rest dropped in the kernel
                        List<SyscallRecord> recorded = matching(SyscallRecord.class, c, m -> m.nr() == NR_PTRACE
                                && m.args()[0] == s(c, "request") && m.args()[1] == s(c, "target") && m.args()[2] == u(c, "addr")
                                && m.args()[3] == u(c, "data") && m.ret() == s(c, "ret"));
                        if (s(c, "recorded") == 1) {
                            next(recorded, c);
                        } else {
                            assertEquals(List.of(), recorded, "a ptrace read must not be recorded: " + c);
                        }
                    }
                    case "process_vm_writev" -> { // with the remote ranges (the first 64) and the first base, read by the kernel program
                        SyscallRecord r = next(matching(SyscallRecord.class, c, m -> m.nr() == NR_PROCESS_VM_WRITEV
                                && m.args()[0] == s(c, "target") && m.args()[1] == u(c, "lvec") && m.args()[2] == u(c, "lcount")
                                && m.args()[3] == u(c, "rvec") && m.args()[4] == u(c, "rcount") && m.args()[5] == 0
                                && m.ret() == s(c, "ret")), c);
                        List<Long> logged = new ArrayList<>();
                        for (int i = 0; c.containsKey("base" + i); i++) {
                            logged.add(u(c, "base" + i));
                            logged.add(u(c, "len" + i));
                        }
                        if (logged.isEmpty()) { // an array the kernel program cannot read: no ranges, no address
                            assertEquals(null, r.ranges(), "the remote ranges of " + c);
                            assertFalse(r.hasAddr(), "the remote address of " + c);
                        } else {
                            assertEquals(logged, r.ranges() == null ? null : java.util.Arrays.stream(r.ranges()).boxed().toList(),
                                    "the remote ranges of " + c);
                            assertTrue(r.hasAddr(), "the remote address of " + c);
                            assertEquals(logged.get(0), r.addr(), "the remote address of " + c);
                        }
                    }
                    case "write" -> { // only a write into a process's memory file is recorded: with where it began, and the file
                        int nr = (int) s(c, "nr");
                        List<SyscallRecord> recorded = matching(SyscallRecord.class, c, m -> m.nr() == nr && m.ret() == s(c, "ret")
                                && m.args()[0] == s(c, "fd"));
                        checkMemoryFileWrite(recorded, c);
                    }
                    case "uring" -> { // an io_uring write request into a memory file: recorded as submitted, without a result,
                        // and as it completes, with the CQE's result
                        int nr = NR_IO_URING + (int) s(c, "op");
                        List<SyscallRecord> recorded = matching(SyscallRecord.class, c, m -> m.enterOnly() && m.nr() == nr
                                && m.args()[0] == s(c, "fd") && m.args()[1] == u(c, "addr") && m.args()[2] == s(c, "len")
                                && m.args()[3] == s(c, "off") && (m.args()[5] & IOSQE_FIXED_FILE) == s(c, "fixed"));
                        SyscallRecord r = checkMemoryFileWrite(recorded, c);
                        assertTrue(r == null || r.ret() == 0, "no result for " + c + ": " + r);
                        if (r != null) {
                            checkUringWriteResult(r, c, nr);
                        }
                    }
                    case "uring_swapped" -> { // a delayed write request whose fd was swapped: recorded by the file it was issued on
                        // (issued after the pipe read it was linked behind: by the caller, or by an io-wq worker of its process)
                        List<SyscallRecord> recorded = run.kernel(SyscallRecord.class, pid(c)).stream().filter(m -> !used.contains(m)
                                && m.enterOnly() && m.nr() == NR_IO_URING + 23 && m.args()[0] == s(c, "fd")
                                && m.args()[1] == u(c, "addr") && m.args()[3] == u(c, "at")).toList();
                        if (s(c, "recorded") == 1) {
                            assertEquals(1, recorded.size(), "one record of " + c + ": " + recorded);
                            SyscallRecord r = recorded.getFirst();
                            used.add(r);
                            assertEquals(u(c, "at"), r.addr(), "where " + c + " began");
                            assertTrue(r.file() != null && r.file().path().matches("/proc/[0-9]+/mem"), "the memory file of " + c + ": " + r.file());
                            checkUringWriteResult(r, c, NR_IO_URING + 23);
                        } else {
                            assertEquals(List.of(), recorded, "a write issued on /dev/null must not be recorded: " + c);
                        }
                    }
                    case "uring_slot_swapped" -> { // a write through a registered slot that held /dev/null when it was
                        // submitted and the memory file, put there by a request linked before it, when it was issued:
                        // not recorded as submitted, recorded whole as it completes
                        assertEquals(List.of(), run.kernel(SyscallRecord.class, pid(c)).stream().filter(m -> !used.contains(m)
                                && m.enterOnly() && m.nr() == NR_IO_URING + 23 && (m.args()[5] & IOSQE_FIXED_FILE) != 0
                                && m.args()[0] == s(c, "slot")).toList(), "no submission record of " + c);
                        checkUringWriteResult(null, c, NR_IO_URING + 23);
                    }
                    case "policy" -> { // mbind, set_mempolicy_home_node: with the NUMA policy the kernel then kept on the VMA
                        SyscallRecord r = next(matching(SyscallRecord.class, c, m -> m.nr() == s(c, "nr") && m.args()[0] == u(c, "addr")
                                && m.args()[1] == u(c, "len") && m.args()[2] == s(c, "arg2") && m.ret() == s(c, "ret")), c);
                        KernelRecord.Policy p = r.policy();
                        assertTrue(p != null, "the policy of " + c);
                        assertEquals(List.of(s(c, "pmode"), s(c, "phome"), u(c, "pnodes")),
                                List.of((long) p.mode(), (long) p.homeNode(), p.mode() == 0 ? 0L : p.nodes()), "the policy of " + c);
                    }
                    case "uring_open" -> { // a memory file opened for writing through the ring: as it completes, with the fd
                        // (its record may come from the io-wq worker that opened it: a thread of the process, not the caller)
                        List<SyscallRecord> recorded = run.kernel(SyscallRecord.class, pid(c)).stream().filter(m -> !used.contains(m)
                                && m.nr() == NR_IO_URING + (int) s(c, "op") && m.ret() == s(c, "ret")
                                && m.file() != null && m.file().path().equals(c.get("path"))).toList();
                        if (s(c, "recorded") == 1) {
                            assertEquals(1, recorded.size(), "one record of " + c + ": " + recorded);
                            SyscallRecord r = recorded.getFirst();
                            used.add(r);
                            // as the kernel keeps them: IORING_OP_OPENAT's prep adds O_LARGEFILE (0100000) on 64-bit
                            assertEquals(s(c, "flags"), r.args()[2] & ~0100000L, "the flags of " + c);
                            assertEquals(-100, r.args()[0], "AT_FDCWD, as the SQE's dfd: " + c);
                            assertEquals(u(c, "slot"), r.args()[1], "the file index of " + c + " (0: an fd)");
                        } else {
                            assertEquals(List.of(), recorded, "only a memory file opened for writing is recorded: " + c);
                        }
                    }
                    case "uring_madvise" -> { // advice that changes VMA flags: as it completes, or as submitted when it posts no completion
                        // (the completion's record may come from an io-wq worker: a thread of the process, not the caller)
                        List<SyscallRecord> recorded = run.kernel(SyscallRecord.class, pid(c)).stream().filter(m -> !used.contains(m)
                                && m.nr() == NR_IO_URING + IORING_OP_MADVISE && m.args()[0] == u(c, "addr") && m.args()[1] == s(c, "len")
                                && m.args()[2] == s(c, "advice")).toList();
                        if (s(c, "recorded") == 1) {
                            assertEquals(1, recorded.size(), "one record of " + c + ": " + recorded);
                            SyscallRecord r = recorded.getFirst();
                            used.add(r);
                            boolean skip = s(c, "skip") == 1;
                            assertEquals(skip, r.enterOnly(), "a result unless no completion was posted: " + c);
                            assertEquals(skip ? 0 : s(c, "ret"), r.ret(), "the result of " + c);
                            assertEquals(skip ? IOSQE_CQE_SKIP_SUCCESS : 0, r.args()[5] & IOSQE_CQE_SKIP_SUCCESS, "the SQE's flags of " + c);
                        } else {
                            assertEquals(List.of(), recorded, "advice that changes no VMA flags must not be recorded: " + c);
                        }
                    }
                    case "open" -> { // only a process's memory file opened for writing is recorded: with the file's path
                        int nr = (int) s(c, "nr");
                        List<SyscallRecord> recorded = matching(SyscallRecord.class, c, m -> m.nr() == nr && m.ret() == s(c, "ret")
                                && m.file() != null && m.file().path().equals(c.get("path")));
                        if (s(c, "recorded") == 1) {
                            SyscallRecord r = next(recorded, c);
                            assertEquals(s(c, "flags"), nr == 2 ? r.args()[1] : nr == 257 ? r.args()[2] : s(c, "flags"), "flags of " + c);
                        } else { // the other opens are counted below: their fds are reused, their paths differ
                            unrecordedOpens++;
                        }
                    }
                    case "personality" -> next(matching(SyscallRecord.class, c, m -> m.nr() == NR_PERSONALITY
                            && m.args()[0] == u(c, "persona") && m.ret() == s(c, "ret")), c);
                    case "prctl" -> { // PR_SET_MM only, with the file an EXE_FILE call named; the others end in the kernel
                        List<SyscallRecord> recorded = matching(SyscallRecord.class, c, m -> m.nr() == NR_PRCTL
                                && m.args()[0] == s(c, "option") && m.args()[1] == u(c, "arg2") && m.args()[2] == u(c, "arg3")
                                && m.ret() == s(c, "ret"));
                        if (s(c, "recorded") == 1) {
                            SyscallRecord r = next(recorded, c);
                            assertTrue(r.hasAddr() && r.addr() == u(c, "brk"), "the program break as " + c + " returned: " + r);
                            if (c.get("path").isEmpty()) {
                                assertNull(r.file(), "no file named by " + c);
                            } else {
                                assertTrue(r.file() != null && r.file().path().equals(c.get("path")), "the file named by " + c + ": " + r.file());
                            }
                        } else {
                            assertEquals(List.of(), recorded, "a prctl that touches no address space must not be recorded: " + c);
                        }
                    }
                    case "noexec" -> { // a file on a noexec mount: flagged so only when mapped under READ_IMPLIES_EXEC
                        MmapRecord r = run.kernel(MmapRecord.class, pid(c)).stream().filter(m -> m.ret() == s(c, "ret")
                                && m.file() != null && m.file().path().matches(".*/noexec-[0-9]+/f")).findFirst()
                                .orElseThrow(() -> new AssertionError("no mmap record of the noexec file for " + c));
                        assertEquals(s(c, "flagged") == 1, r.file().noexecMount(), "the noexec mount of " + c + ": " + r.file());
                    }
                    case "compat" -> { // int 0x80: a 32-bit unlink, not the 64-bit mprotect its number and registers would say
                        assertEquals(List.of(), run.kernel(MprotectRecord.class, pid(c)).stream()
                                .filter(m -> m.addr() == s(c, "rdi") && m.len() == s(c, "rsi")).toList(), "forged by " + c);
                        assertTrue(run.all(Loss.class).stream().filter(l -> l.cpu() == Loss.COMPAT).mapToLong(Loss::count).sum() >= 1,
                                "the 32-bit call counted: " + run.all(Loss.class));
                        assertTrue(run.summary().compatCalls() >= 1, "and in the recorder's summary: " + run.summary());
                    }
                    case "compat32" -> { // a 32-bit call, recorded as the 64-bit call it equals, and marked so
                        KernelRecord k = switch (c.get("as")) {
                            case "mmap" -> {
                                MmapRecord r = next(matching(MmapRecord.class, c, m -> m.addr() == u(c, "addr") && m.len() == u(c, "len")
                                        && m.prot() == s(c, "prot") && m.flags() == s(c, "flags") && m.fd() == s(c, "fd")
                                        && m.off() == u(c, "off") && m.ret() == s(c, "ret")), c);
                                if (s(c, "fd") >= 0) {
                                    assertTrue(r.file() != null && r.file().path().startsWith("/memfd:compat32"), "the memfd of " + c + ": " + r.file());
                                }
                                yield r;
                            }
                            case "mprotect" -> next(matching(MprotectRecord.class, c, m -> m.addr() == u(c, "addr") && m.len() == u(c, "len")
                                    && m.prot() == s(c, "prot") && m.ret() == s(c, "ret")), c);
                            case "munmap" -> next(matching(MunmapRecord.class, c, m -> m.addr() == u(c, "addr") && m.len() == u(c, "len")
                                    && m.ret() == s(c, "ret")), c);
                            case "pkey_mprotect" -> next(matching(MprotectRecord.class, c, m -> m.isPkeyMprotect() && m.addr() == u(c, "addr")
                                    && m.len() == u(c, "len") && m.prot() == s(c, "prot") && m.pkey() == s(c, "pkey") && m.ret() == s(c, "ret")), c);
                            case "madvise" -> next(matching(SyscallRecord.class, c, m -> m.nr() == NR_MADVISE && m.args()[0] == u(c, "addr")
                                    && m.args()[1] == u(c, "len") && m.args()[2] == s(c, "advice") && m.ret() == s(c, "ret")), c);
                            case "lock" -> { // as the 64-bit lock call, as many arguments as it takes
                                int nr = (int) s(c, "nr");
                                int args = nr == 152 ? 0 : nr == 151 ? 1 : nr == 325 ? 3 : 2;
                                yield next(matching(SyscallRecord.class, c, m -> m.nr() == nr && m.ret() == s(c, "ret")
                                        && java.util.stream.IntStream.range(0, args).allMatch(i -> m.args()[i] == u(c, "arg" + i))), c);
                            }
                            case "mremap" -> next(matching(MremapRecord.class, c, m -> m.oldAddr() == u(c, "old_addr")
                                    && m.oldLen() == u(c, "old_len") && m.newLen() == u(c, "new_len") && m.flags() == s(c, "flags")
                                    && m.newAddr() == u(c, "new_addr") && m.ret() == s(c, "ret")), c);
                            default -> throw new AssertionError("unknown 32-bit call " + c);
                        };
                        assertTrue(k.h().has(KernelRecord.F_COMPAT), "marked as a 32-bit call: " + c);
                    }
                    case "refused" -> // were a kernel to take these into a memory file, its writes would pass unrecorded
                        assertTrue(s(c, "splice") < 0 && s(c, "sendfile") < 0, "splice or sendfile into a memory file: " + c);
                    case "io_uring_setup" -> next(matching(SyscallRecord.class, c, m -> m.nr() == NR_IO_URING_SETUP
                            && m.args()[0] == s(c, "entries") && m.args()[1] == u(c, "params") && m.ret() == s(c, "ret")), c);
                    case "brk" -> next(matching(BrkRecord.class, c, m -> m.addr() == u(c, "addr") && m.ret() == s(c, "ret")
                            && m.startBrk() > 0 && m.startBrk() <= m.ret()
                            && m.h().has(KernelRecord.F_COMPAT) == c.containsKey("compat")), c); // process32's, from 32-bit code
                    case "fork" -> next(run.kernel(ForkRecord.class, pid(c)).stream()
                            .filter(f -> f.childPid() == s(c, "child") && f.childTid() == s(c, "child") && !f.thread()).toList(), c);
                    case "exec" -> checkExec(c);
                    case "execve" -> next(matching(SyscallRecord.class, c, m -> m.nr() == NR_EXECVE && m.ret() == s(c, "ret")), c);
                    case "exit_group" -> {
                        next(matching(SyscallRecord.class, c, m -> m.nr() == NR_EXIT_GROUP && m.enterOnly()
                                && m.args()[0] == s(c, "code")), c);
                        ExitRecord e = next(run.kernel(ExitRecord.class, pid(c)), c);
                        assertEquals(s(c, "code") << 8, e.exitCode(), "wait status of " + c);
                        assertTrue(e.groupDead());
                    }
                    case "exit" -> { // recorded as its task passes sched_process_exit (there is no sys_exit to see)
                        next(matching(SyscallRecord.class, c, m -> m.nr() == NR_EXIT && m.enterOnly()
                                && m.args()[0] == s(c, "code")), c);
                        ExitRecord e = next(matching(ExitRecord.class, c, x -> true), c);
                        assertEquals(s(c, "code") << 8, e.exitCode(), "wait status of " + c);
                        assertEquals(s(c, "last") == 1, e.groupDead(), "whether the exit ended the process: " + c);
                    }
                    case "killed" -> {
                        assertEquals(9, s(c, "signal"), "the workload's child was not killed: " + c);
                        ExitRecord e = next(run.kernel(ExitRecord.class, pid(c)), c);
                        assertEquals(9, e.exitCode() & 0x7f, "terminating signal of " + c);
                        assertEquals(List.of(), run.kernel(SyscallRecord.class, pid(c)).stream()
                                .filter(m -> m.nr() == NR_EXIT || m.nr() == NR_EXIT_GROUP).toList(),
                                "a killed process made no exit call: " + c);
                    }
                    // A context change is restated (MS_TASK) after the change and before the thread's next record.
                    case "rename" -> next(matching(TaskRecord.class, c, t -> t.comm().equals(c.get("comm"))), c);
                    case "setgid" -> next(matching(TaskRecord.class, c, t -> t.gid() == s(c, "gid") && t.egid() == s(c, "gid")), c);
                    default -> throw new AssertionError("unknown call in the workload's log: " + c);
                }
                checked++;
            }
            assertEquals(149, checked, "calls logged by the workload");
            // personality's query (0xffffffff) is not recorded: the two logged calls are the workload's only records of it
            int workload = run.calls().stream().filter(c -> c.get("call").equals("personality")).map(OneVariant::pid).findFirst().orElseThrow();
            assertEquals(2, run.kernel(SyscallRecord.class, workload).stream().filter(m -> m.nr() == NR_PERSONALITY).count());
            // Opens that write no process's memory (a read-only /proc/self/mem, a plain file for writing) are not
            // recorded: every open record is one of the logged ones
            assertEquals(2, unrecordedOpens);
            List<Integer> pids = run.calls().stream().filter(c -> c.get("call").equals("open")).map(c -> (int) s(c, "pid")).distinct().toList();
            long logged = run.calls().stream().filter(c -> c.get("call").equals("open") && s(c, "recorded") == 1).count();
            assertEquals(logged, pids.stream().flatMap(p -> run.kernel(SyscallRecord.class, p).stream())
                    .filter(m -> m.nr() == 2 || m.nr() == 257 || m.nr() == 437).count(), "open records of the workload");
            // Nor is any other write of the workload (its log lines to stdout among them): every write record is a logged one
            Set<Integer> writes = Set.of(1, 18, 20, 296, 328);
            long loggedWrites = run.calls().stream().filter(c -> c.get("call").equals("write") && s(c, "recorded") == 1).count();
            assertEquals(loggedWrites, pids.stream().flatMap(p -> run.kernel(SyscallRecord.class, p).stream())
                    .filter(m -> writes.contains(m.nr())).count(), "write records of the workload");
            long ringWrites = run.calls().stream().filter(c -> c.get("call").equals("uring") && s(c, "recorded") == 1).count();
            assertEquals(4, ringWrites);
            ringWrites += run.calls().stream().filter(c -> c.get("call").equals("uring_swapped") && s(c, "recorded") == 1).count();
            long loggedRing = 2 * ringWrites; // a write request's submission and its completion
            long slotSwapped = run.calls().stream().filter(c -> c.get("call").equals("uring_slot_swapped")).count();
            assertEquals(1, slotSwapped, "the workload's write through a registered slot swapped by its chain");
            loggedRing += slotSwapped; // its completion only
            loggedRing += run.calls().stream().filter(c -> (c.get("call").equals("uring_madvise") || c.get("call").equals("uring_open"))
                    && s(c, "recorded") == 1).count();
            assertEquals(loggedRing, pids.stream().flatMap(p -> run.kernel(SyscallRecord.class, p).stream())
                    .filter(m -> m.nr() >= NR_IO_URING).count(), "io_uring records of the workload");
        }

        /**
         * A write call's or io_uring write request's records: a logged "recorded=1" one has its own, with where it began
         * (or is to begin) in the target and the memory file; any other has none. The record, or null.
         */
        private SyscallRecord checkMemoryFileWrite(List<SyscallRecord> recorded, Map<String, String> c) {
            if (s(c, "recorded") != 1) {
                // (its fd number may be one a memory file had: records matched to those are not this call's)
                assertEquals(List.of(), recorded.stream().filter(m -> !used.contains(m)).toList(),
                        "a write to another file must not be recorded: " + c);
                return null;
            }
            SyscallRecord r = next(recorded, c);
            assertTrue(r.hasAddr(), "where " + c + " began");
            assertEquals(u(c, "at"), r.addr(), "where " + c + " began");
            // a vectored write's one range: where it begins and its iovecs' total length
            long vlen = s(c, "vlen");
            assertEquals(vlen < 0 ? null : List.of(u(c, "at"), vlen),
                    r.ranges() == null ? null : java.util.Arrays.stream(r.ranges()).boxed().toList(), "the range of " + c);
            assertTrue(r.file() != null && r.file().path().matches("/proc/[0-9]+/mem"), "the memory file of " + c + ": " + r.file());
            return r;
        }

        /**
         * The completion record of an io_uring write request recorded as submitted (r, or null: not recorded so): the same
         * nr, of a thread of the process (the caller, or the ring's io-wq worker), after it, with where the write began
         * and the memory file, the CQE's result as logged, and no fd (gone by then).
         */
        private void checkUringWriteResult(SyscallRecord r, Map<String, String> c, int nr) {
            long after = r == null ? 0 : r.h().ktimeNs();
            List<SyscallRecord> completions = run.kernel(SyscallRecord.class, pid(c)).stream().filter(m -> !used.contains(m)
                    && !m.enterOnly() && m.nr() == nr && m.hasAddr() && m.addr() == u(c, "at") && m.h().ktimeNs() > after).toList();
            assertFalse(completions.isEmpty(), "the completion of " + c + " (submitted: " + r + ")");
            SyscallRecord done = completions.getFirst();
            used.add(done);
            assertEquals(s(c, "ret"), done.ret(), "the result of " + c);
            assertTrue(done.file() != null && done.file().path().matches("/proc/[0-9]+/mem"), "the memory file of " + c + ": " + done.file());
            assertEquals(0, done.args()[0], "no fd as it completes: " + done);
            assertTrue(r == null || done.file().path().equals(r.file().path()), "the file its submission named: " + done);
        }

        private void checkExec(Map<String, String> c) {
            String real;
            try {
                real = Path.of(c.get("path")).toRealPath().toString();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            ExecRecord e = next(run.kernel(ExecRecord.class, pid(c)), c);
            assertEquals(real, e.exe().path());
            assertEquals(List.of("true", "mapscribe-arg"), e.argv());
            assertFalse(e.argvTruncated());
            // The post-exec VMA walk: complete, in order, and it holds the binary mapped executable.
            List<VmaRecord> vmas = run.kernel(VmaRecord.class, pid(c));
            assertFalse(vmas.isEmpty(), "no VMA records after exec");
            for (int i = 0; i < vmas.size(); i++) {
                assertEquals(i, vmas.get(i).seq());
                assertEquals(i == vmas.size() - 1, vmas.get(i).last());
                assertFalse(vmas.get(i).walkTruncated());
                assertTrue(i == 0 || vmas.get(i - 1).end() <= vmas.get(i).start(), "VMAs in address order");
            }
            assertTrue(vmas.stream().anyMatch(v -> (v.vmFlags() & 0x4) != 0 && v.file() != null && v.file().path().equals(real)),
                    "the exe is mapped executable: " + vmas);
        }

        @Test
        void eachTaskIsIntroducedByATaskRecordNamingItsParent() {
            int workload = pid(run.calls().getFirst());
            List<Record> ofWorkload = run.records().stream()
                    .filter(r -> r instanceof KernelRecord k && k.h().pid() == workload).toList();
            // The first record of a new task is its TaskRecord (it starts as a clone of this JVM, then execs).
            assertTrue(ofWorkload.getFirst() instanceof TaskRecord t && t.comm().equals("java"), "first: " + ofWorkload.getFirst());
            // After exec, a TaskRecord restates it with the new comm, before the first call the workload logged.
            TaskRecord afterExec = run.kernel(TaskRecord.class, workload).stream().filter(t -> t.comm().equals("syscalls"))
                    .findFirst().orElseThrow();
            assertEquals(ProcessHandle.current().pid(), afterExec.ppid(), "the workload's parent is this JVM");
            assertTrue(afterExec.startNs() > 0 && afterExec.leaderStartNs() == afterExec.startNs());
            assertTrue(afterExec.parentStartNs() > 0 && afterExec.parentStartNs() < afterExec.startNs());
            assertTrue(afterExec.mntns() != 0);
            assertEquals(0, afterExec.uid());
            ExecRecord exec = run.kernel(ExecRecord.class, workload).getLast();
            assertTrue(afterExec.h().ktimeNs() <= exec.h().ktimeNs());
        }

        @Test
        void nothingIsLostAndTheRecorderIsNotRecorded() {
            assertNull(run.read().damage());
            assertEquals(0, run.summary().lost());
            // the only loss records: the workload's 32-bit call, left out on purpose (Loss.COMPAT)
            assertEquals(List.of(), run.all(Loss.class).stream().filter(l -> l.cpu() != Loss.COMPAT).toList());
            long self = ProcessHandle.current().pid();
            assertTrue(run.all(KernelRecord.class).stream().noneMatch(r -> r.h().pid() == self), "records of the recorder itself");
            assertEquals(tier, run.header().hookTier());
            assertEquals(tier, run.summary().tier().journalName());
            assertEquals((int) self, run.header().recorderPid());
            // whether the kernel honours MAP_NORESERVE, for the analyzer
            assertEquals(readOvercommitMemory(), run.header().overcommitMemory());
            // how long the host had slept, which /proc's start times count: the boot clock less the monotonic one now
            // (the same until a suspend, and the host cannot have slept during the recording of a test)
            long suspendedNow = dev.mapscribe.recorder.sys.Libc.clockNs(dev.mapscribe.recorder.sys.Libc.CLOCK_BOOTTIME)
                    - dev.mapscribe.recorder.sys.Libc.clockNs(dev.mapscribe.recorder.sys.Libc.CLOCK_MONOTONIC);
            assertTrue(Math.abs(run.header().suspendedNs() - suspendedNow) < 1_000_000,
                    run.header().suspendedNs() + " against " + suspendedNow);
            // journal info prints this: it must be the version --version prints
            assertEquals(dev.mapscribe.recorder.cli.Version.VERSION, run.header().recorderVersion());
        }

        @Test
        void journalInfoShowsTheTierAsRecorded() {
            java.io.PrintStream old = System.out;
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                assertEquals(0, dev.mapscribe.recorder.cli.RecorderMain.run("journal", "info", tmp.resolve("journal").toString()));
            } finally {
                System.setOut(old);
            }
            String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(text.contains("hooks           " + tier + " tier, BPF object sha256 "), text);
        }

        @Test
        void kernelRecordSizesAreWholeAndCounted() {
            long kernel = run.all(KernelRecord.class).size();
            assertEquals(run.summary().kernelRecords(), kernel);
            assertArrayEquals(new int[0], run.all(KernelRecord.class).stream().mapToInt(r -> r.h().size() % 8).filter(x -> x != 0).toArray());
        }
    }

    private static int readOvercommitMemory() {
        try {
            return Integer.parseInt(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/vm/overcommit_memory")).strip());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
