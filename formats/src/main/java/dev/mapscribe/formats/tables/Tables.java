package dev.mapscribe.formats.tables;

import static dev.mapscribe.formats.tables.ColumnType.BOOL;
import static dev.mapscribe.formats.tables.ColumnType.INT32;
import static dev.mapscribe.formats.tables.ColumnType.INT64;
import static dev.mapscribe.formats.tables.ColumnType.LIST_STRING;
import static dev.mapscribe.formats.tables.ColumnType.STRING;
import static dev.mapscribe.formats.tables.ColumnType.TIMESTAMP_NS;

import java.util.ArrayList;
import java.util.List;

/**
 * The one definition of every table mapscribe exports. The Parquet writer, the DuckDB views (an
 * absent table still gets an empty view with these columns), docs/TABLES.md and the query shell's
 * {@code .schema} all come from here.
 *
 * <p>Conventions: {@code host} is the hive partition ({@code OUT/<table>/host=<host>/part-NNNNN.parquet}),
 * kept in the directory name and not inside the files; {@code ts_ns} is the kernel's CLOCK_MONOTONIC
 * time as recorded and {@code utc_time} the same instant in UTC (journal boot time + ts_ns);
 * {@code pid} is the thread-group id and {@code tid} the thread's kernel pid. Columns are never named
 * with SQL reserved words ({@code end}, {@code offset}) so queries need no quoting.
 */
public final class Tables {
    private Tables() {}

    /** The hive partition column: in every table, in the directory names, not in the files. */
    public static final String PARTITION_COLUMN = "host";

    /** Written into every file's key-value metadata; bump when a column changes meaning or type. */
    public static final int SCHEMA_VERSION = 1;

    private static final String ANCESTORS_TRUNCATED = "True when `ancestors` is not the whole chain: the kernel cut the "
            + "leading part of an ancestor's exe path (deeper than 128 directories or longer than 4096 bytes), or there "
            + "were more than 256 ancestors and the oldest are left out.";

    private static final class Cols {
        private final List<Column> list = new ArrayList<>();

        Cols req(String name, ColumnType type, String doc) {
            list.add(new Column(name, type, false, doc));
            return this;
        }

        Cols opt(String name, ColumnType type, String doc) {
            list.add(new Column(name, type, true, doc));
            return this;
        }

        Cols host() {
            return req("host", STRING, "Host name from the journal header (hive partition `host=<host>`).");
        }

        Cols time(String what) {
            req("ts_ns", INT64, "CLOCK_MONOTONIC nanoseconds as recorded by the kernel: " + what + ".");
            return req("utc_time", TIMESTAMP_NS, "`ts_ns` as UTC wall-clock time (journal boot time + ts_ns).");
        }

        Cols thread() {
            req("pid", INT32, "Process id (thread-group id, tgid).");
            req("tid", INT32, "Thread id (the kernel pid of the thread).");
            return opt("comm", STRING, "Thread name (task comm, at most 15 bytes) at the time of the row; null when unknown.");
        }

        Cols file(String prefix, String what) {
            opt(prefix + "path", STRING, "Path of " + what + "; null when there is no file (anonymous memory).");
            opt(prefix + "dev", INT64, "Device of " + what + " as the kernel's dev_t (major << 20 | minor).");
            opt(prefix + "inode", INT64, "Inode number of " + what + ".");
            return this;
        }

        /** What the recorder's enricher found out about a file: its libmagic description and hashes. */
        Cols hashes(String prefix, String what) {
            opt(prefix + "magic", STRING, "libmagic description of " + what + ", when the recorder could read it.");
            opt(prefix + "md5", STRING, "MD5 of " + what + ", lowercase hex; null when not computed.");
            opt(prefix + "sha1", STRING, "SHA-1 of " + what + ", lowercase hex.");
            opt(prefix + "sha256", STRING, "SHA-256 of " + what + ", lowercase hex.");
            return opt(prefix + "sha512", STRING, "SHA-512 of " + what + ", lowercase hex.");
        }

        List<Column> done() {
            return list;
        }
    }

    /** Every raw syscall record the kernel wrote: nothing recorded is dropped from the export. */
    public static final TableSchema SYSCALLS = new TableSchema("syscalls",
            "One row per decoded raw syscall record (mmap, mprotect, pkey_mprotect, munmap, mremap, brk, "
                    + "madvise with advice that changes VMA flags (MADV_DONTFORK/DOFORK, WIPEONFORK/KEEPONFORK, DONTDUMP/DODUMP, "
                    + "HUGEPAGE/NOHUGEPAGE, NORMAL/RANDOM/SEQUENTIAL: not MADV_DONTNEED or MADV_FREE), process_madvise with such advice (which the kernel takes for the caller's own process since 6.13), shmat, shmdt, mseal, "
                    + "mlock/mlock2/munlock/mlockall/munlockall, personality (not its query), prctl with PR_SET_MM only (arg1 the field: 13 EXE_FILE, "
                    + "whose file, the one /proc/PID/exe was to name, is `path`; 8 ARG_START, 6 START_BRK, ...), io_uring_setup, io_setup (args nr_events and the AIO ring's address, "
                    + "which it maps and writes through its second argument) and io_destroy (which unmaps the ring), remap_file_pages, "
                    + "mbind and set_mempolicy_home_node (a NUMA policy on part of a mapping makes a VMA of its own), "
                    + "clone/fork/vfork, execve/execveat, exit/exit_group; and writes into another "
                    + "process: ptrace requests that start tracing or write the tracee's memory or registers (TRACEME, ATTACH, SEIZE, POKETEXT, "
                    + "POKEDATA, POKEUSER, SETREGS, SETREGSET: not PEEK, CONT or DETACH), process_vm_writev, and a process's memory file (/proc/PID/mem) "
                    + "opened for writing (open/openat/openat2, or through an io_uring: io_uring_openat, io_uring_openat2, as they completed, the fd as "
                    + "ret, or for an open straight into the ring's registered files arg1 the file index, slot + 1 or ~0 for a free one, and ret 0 or that slot) or written (write/pwrite64/writev/pwritev/pwritev2, or an io_uring request: "
                    + "io_uring_write, io_uring_writev, io_uring_write_fixed, io_uring_writev_fixed, recorded as submitted, without a result, "
                    + "and since format 6 (2026-12-07) a second row as it completed: the file it was issued on as `path` and target, arg0 0 (the fd "
                    + "is gone by then), arg3 and `target_addr` where the write began, the CQE's result as `ret`; a request with "
                    + "IOSQE_CQE_SKIP_SUCCESS, 0x40 in arg5, has that row only when it failed; a write through a registered slot filled with "
                    + "the memory file after its submission has that row only), "
                    + "with its `path`); io_uring_madvise, madvise through a ring with advice that changes VMA flags (args addr, len, advice, "
                    + "0, 0, the SQE's flags; recorded as it completed, with its result, or as submitted, without one, when it posts no "
                    + "completion on success); failed calls included. Other I/O through an io_uring is not seen.",
            new Cols().host().time("when the call returned; for exit and exit_group, which never return, when the exiting task passed sched_process_exit; for an io_uring request, when it was submitted").thread()
                    .req("cpu", INT32, "CPU the kernel program ran on.")
                    .req("batch", INT64, "Journal batch (excerpt) the record came in; with `seq` it orders rows exactly as recorded.")
                    .req("seq", INT64, "Position of the record in the journal, counting every record from 0.")
                    .req("syscall", STRING, "Syscall name (x86-64), e.g. `mmap`, `pkey_mprotect`, `clone3`; `io_uring_` and the opcode's name for an io_uring request.")
                    .req("nr", INT32, "x86-64 syscall number; 65536 + the opcode for an io_uring request.")
                    .opt("arg0", INT64, "First argument as passed (64-bit pattern; an fd of -1 is -1). Null when the syscall has fewer arguments. An io_uring write request's are its SQE's fd (an index into the ring's registered files when arg5 has IOSQE_FIXED_FILE, 1), addr, len, off (-1: the file position), rw_flags and flags.")
                    .opt("arg1", INT64, "Second argument as passed.")
                    .opt("arg2", INT64, "Third argument as passed.")
                    .opt("arg3", INT64, "Fourth argument as passed.")
                    .opt("arg4", INT64, "Fifth argument as passed.")
                    .opt("arg5", INT64, "Sixth argument as passed.")
                    .opt("ret", INT64, "Return value (an address for mmap/mremap/brk, 0 or a pid otherwise); null for calls that never return (exit, exit_group) and for io_uring requests recorded as submitted (a write request's result is its completion's row).")
                    .opt("errno", INT32, "Error number when the call failed (ret = -errno); null when it succeeded or has no result.")
                    .req("failed", BOOL, "True when the call returned an error.")
                    .opt("path", STRING, "For mmap of a file (and shmat: the segment's), and an open of a process's memory file for writing: the file's path as the kernel resolved it (`/proc/PID/mem`, which names the process).")
                    .req("path_truncated", BOOL, "True when the kernel cut the leading part of `path`: the file was deeper than 128 directories or its path longer than 4096 bytes (the recorder's path walk limits); what is left is the end of the path.")
                    .opt("dev", INT64, "For a row with `path`: the file's dev_t (major << 20 | minor).")
                    .opt("inode", INT64, "For a row with `path`: the file's inode number.")
                    .opt("target_pid", INT32, "For a write into another process, the process written into: ptrace's pid (null for TRACEME, whose tracer is the caller's parent), process_vm_writev's pid (a thread's id is taken to its process where the recording knows the thread), the PID a memory file's `path` names (`/proc/self/mem` resolves to the caller's own). For process_madvise: the process (or thread, for a thread's pidfd) its pidfd names, where the recorder could tell (a pidfd of pidfs, 6.9 on). As the caller numbered it: a process in another pid namespace (a container) has another number there than the host's `pid`. "
                            + "For an ioctl UFFDIO_COPY, UFFDIO_MOVE, UFFDIO_REGISTER or UFFDIO_UNREGISTER, the process whose address space the userfaultfd belongs to, as the kernel names it (the host's pid; null when the kernel has no mm owner to ask): the caller's own, or the process that made the userfaultfd (a child inherits it, a socket passes it).")
                    .req("compat", BOOL, "True for a call made in 32-bit mode (a 32-bit process, or `int 0x80` from a 64-bit one, which shellcode does), recorded as the 64-bit call it equals: mmap2 and old_mmap as `mmap` (the offset in bytes), mprotect, pkey_mprotect, munmap, mremap, madvise, mlock, mlock2, munlock, mlockall, munlockall, shmat and shmdt (their own calls, or through ipc(2)), and brk (a 32-bit process's; one by int 0x80 from 64-bit code too, unless that code set rcx and r11 as a SYSCALL instruction leaves them, where the recorder is of the eighteenth session or later). Other 32-bit calls are not recorded (`compat` rows of `losses` count those whose numbers the recorder watches).")
                    .req("x32", BOOL, "True for a call made with x32's syscall numbers (0x40000000, the __X32_SYSCALL_BIT, added to the number: any 64-bit process can make one, and a tracer that knows only the 64-bit numbers misses it), recorded as the 64-bit call of the same number (`nr` is that number). "
                            + "Where the kernel has x32 (CONFIG_X86_X32_ABI, unless booted with it off) the call did what the 64-bit call does, or failed with ENOSYS for the numbers x32 has its own versions of; where it has none (as on the machines mapscribe is tested on) every such call fails with ENOSYS: a probe for a tracer blind to them. "
                            + "x32's own versions of watched calls (writev, execve, ptrace, pwritev, pwritev2, process_vm_writev, io_setup, execveat: 516-547) are not recorded, and are counted in the `compat` rows of `losses`. From recorders of the twentieth session on; false before.")
                    .opt("target_addr", INT64, "Where that write began in the target's memory: POKETEXT/POKEDATA's addr, process_vm_writev's first remote iovec (every range it wrote: `memory_writes`), a UFFDIO_COPY's or UFFDIO_MOVE's dst, a memory file write's file position (pwrite's offset, or where the write moved the position from; an io_uring request's offset, or the file position as it was submitted). Null for a call that writes at no address (ATTACH, SETREGS, POKEUSER, an open) or when the recorder could not read it.")
                    .opt("program_break", INT64, "For prctl(PR_SET_MM): the process's program break (the kernel's mm->brk) as the call returned. "
                            + "PR_SET_MM_BRK and PR_SET_MM_MAP move it without mapping anything, and the next brk grows or shrinks the heap from there; "
                            + "the `regions` rebuilt follow it. Null for every other call, and in journals recorded before the twenty-sixth session.")
                    .opt("ranges", STRING, "For process_madvise: the ranges the call named, as the recorder read them from the caller's iovec array "
                            + "as the call returned (its first 64), each START-END in hex as /proc/PID/maps writes them, separated by spaces; the `regions` rebuilt "
                            + "follow each (cause `process_madvise`). For an ioctl UFFDIO_REGISTER (arg1 0xc020aa00) or UFFDIO_UNREGISTER (0x8010aa01) on a "
                            + "userfaultfd: the range it handed to the userfaultfd (or took back), as the call returned; `target_pid` the process whose memory it is "
                            + "(the userfaultfd's). The kernel marks its VMAs (VM_UFFD_*, split at the range's edges) until unregistered or the userfaultfd is "
                            + "released; `regions` does not follow that (the release passes no call the recorder watches). "
                            + "Null for every other call, and when the argument could not be read. "
                            + "(process_vm_writev's ranges are rows of `memory_writes`.)")
                    .done());

    /** Every range of a process's memory a recorded call wrote into, or asked to: where code is injected. */
    public static final TableSchema MEMORY_WRITES = new TableSchema("memory_writes",
            "One row per range of a process's memory that a recorded call wrote into, or asked to write: ptrace's POKETEXT and "
                    + "POKEDATA (8 bytes), each remote iovec of process_vm_writev, and each write to a process's memory file (write, "
                    + "pwrite64, writev, pwritev, pwritev2, and the io_uring write requests), and each ioctl UFFDIO_COPY or UFFDIO_MOVE "
                    + "on a userfaultfd (`syscall` `ioctl`: pages put into the address space that registered the range, with the range's "
                    + "own protection, so by UFFDIO_COPY into an `r-x` mapping that was never writable, while the kernel moves pages only into "
                    + "writable memory; from recorders of the twentieth session on). The call itself is the `syscalls` row "
                    + "with the same `host`, `seq`, `ts_ns` and `tid` (`seq` counts within one journal: an export of several journals of one "
                    + "host repeats it). What a write landed in: the `regions` rows of `target_pid` valid at `ts_ns` "
                    + "that overlap [`addr`, `addr` + coalesce(`written`, `len`, 1)).",
            new Cols().host().time("when the call returned; for an io_uring request, when it was submitted").thread()
                    .req("seq", INT64, "Position of the call's record in its journal: its `syscalls` row has the same.")
                    .req("syscall", STRING, "The call's name, as in `syscalls`.")
                    .opt("target_pid", INT32, "The process written into, as `syscalls.target_pid` has it; null when the call names none the recording can tell.")
                    .req("part", INT32, "Which range of the call this is, from 0: process_vm_writev's remote iovecs in order; 0 for the other calls, which write one range.")
                    .opt("addr", INT64, "Where the range begins in the target's memory: POKETEXT/POKEDATA's addr, the remote iovec's base, a memory file write's "
                            + "file position (as `syscalls.target_addr`), a UFFDIO_COPY's or UFFDIO_MOVE's dst. Null when the recorder could not read it (a "
                            + "process_vm_writev whose remote iovec array it could not read, a userfaultfd ioctl whose argument it could not read).")
                    .opt("len", INT64, "Bytes the call asked to write in this range: 8 for POKETEXT/POKEDATA, the remote iovec's length, a UFFDIO_COPY's or UFFDIO_MOVE's len, write's and pwrite64's "
                            + "count, an io_uring write's or write_fixed's length, the total of a vectored write's iovecs (writev, pwritev, pwritev2, "
                            + "io_uring writev and writev_fixed). Null where the recording does not hold it: a vectored write with more than 64 iovecs, or "
                            + "whose array the recorder could not read, or recorded by an older recorder (a successful call's `written` is its range).")
                    .opt("written", INT64, "Bytes of this range the call reports written: the result, split over process_vm_writev's remote iovecs in "
                            + "order as the kernel fills them; for a userfaultfd ioctl what the kernel wrote back into its argument (bytes filled, "
                            + "also part way through a call that failed with EAGAIN); 0 for a failed call; for an io_uring write request, its completion's "
                            + "result. Null when the result is not recorded: an io_uring request that posted no completion (IOSQE_CQE_SKIP_SUCCESS, "
                            + "which a successful one does not post; its ring torn down first), or one recorded before format 6. An io_uring write "
                            + "recorded only as it completed (through a registered slot filled with the memory file after it was submitted) has a row "
                            + "of its own, `len` null.")
                    .req("failed", BOOL, "True when the call returned an error (`syscalls.failed`; for an io_uring write request, its completion's row).")
                    .req("parts_unrecorded", INT32, "Ranges of the call that have no row: process_vm_writev's remote iovecs past the first 64, "
                            + "or all of them when the recorder could not read its array (then one row with a null `addr` stands for the call); "
                            + "a journal of an older recorder (before 2026-12-07's) holds only the first base, the rest counted here. 0 for the other calls.")
                    .opt("iovecs_read", STRING, "When the recorder read the iovec array this range comes from, in the caller's memory: `entry`, as the call "
                            + "began, before the kernel read it (process_vm_writev's remote iovecs, and a userfaultfd ioctl's argument, where the kernel has syscall tracepoints; not a 32-bit call's); `return`, "
                            + "as the call returned (a vectored write's iovecs, giving `len`; a userfaultfd ioctl's argument by a 32-bit call, or where its entry was not watched; a process_vm_writev of an older recorder, or whose array "
                            + "could not be read as it began), when another thread of the caller could have rewritten the array while the call ran. "
                            + "Null for a range the call's registers give (ptrace, write, pwrite64, an io_uring write), or whose array was not read.")
                    .opt("iovecs_changed", BOOL, "True when the caller's remote iovec array, read as the call began, held other ranges (or could "
                            + "not be read) as the call returned: another thread rewrote it during the call, which hides where the write went "
                            + "from anything that reads the array afterwards. False when it was unchanged; null when not compared (`iovecs_read` "
                            + "is not `entry`).")
                    .done());

    /** kunai's mmap_exec (event id 41), attempts included. */
    public static final TableSchema MMAP_EXEC = new TableSchema("mmap_exec",
            "A file mapped with PROT_EXEC, with kunai's fields (event id 41) plus the call itself. "
                    + "Like kunai it reports attempts: failed calls are rows too, with `failed` = true.",
            taskColumns(new Cols().host().time("when the mmap call returned").thread()
                    .opt("ancestors", STRING, "Exe paths of the ancestors, oldest first, separated by `|` (kunai's `data.ancestors`).")
                    .req("ancestors_truncated", BOOL, ANCESTORS_TRUNCATED)
                    .opt("command_line", STRING, "Command line of the process, arguments separated by spaces (kunai's `data.command_line`).")
                    .opt("exe_path", STRING, "Executable of the process (kunai's `data.exe.path`).")
                    .req("exe_path_truncated", BOOL, "True when the kernel cut the leading part of `exe_path`: the file was deeper than 128 directories or its path longer than 4096 bytes (the recorder's path walk limits); what is left is the end of the path.")
                    .opt("mapped_path", STRING, "Path of the mapped file (kunai's `data.mapped.path`); a memfd reads `/memfd:NAME (deleted)`.")
                    .req("mapped_path_truncated", BOOL, "True when the kernel cut the leading part of `mapped_path`: the file was deeper than 128 directories or its path longer than 4096 bytes (the recorder's path walk limits); what is left is the end of the path.")
                    .hashes("mapped_", "the mapped file")
                    .opt("mapped_size", INT64, "Size of the mapped file in bytes when it was mapped.")
                    .opt("mapped_error", STRING, "Why the hashes are missing (file gone, unreadable, ..., or `changed after it was mapped` / `changed while it was hashed`: the file was written before the recorder had read it, so its bytes as mapped are gone; `files` then has the file as it is now under its new ctime); null when they were computed.")
                    .opt("mapped_dev", INT64, "Device of the mapped file (dev_t, major << 20 | minor).")
                    .opt("mapped_inode", INT64, "Inode of the mapped file.")
                    .req("event_source", STRING, "kunai's `info.event.source`: the tool that produced the event, here `mapscribe` (kunai writes `kunai`).")
                    .req("event_id", INT32, "kunai's event id: always 41.")
                    .req("event_name", STRING, "kunai's event name: always `mmap_exec`.")
                    .req("event_uuid", STRING, "Event id, derived deterministically from the record so that re-running the analyzer gives the same value.")
                    .req("event_batch", INT64, "Journal batch the mmap record came in (kunai's `info.event.batch`)."))
                    .req("addr", INT64, "Address the kernel returned (the mapping's start); the requested address when the call failed.")
                    .req("len", INT64, "Length requested.")
                    .req("prot", INT32, "Protection the mapping got (PROT_READ 1 | PROT_WRITE 2 | PROT_EXEC 4): as requested, and with PROT_EXEC where the process asked for PROT_READ under a personality with READ_IMPLIES_EXEC (personality(2); the `syscalls` row has the call's own `prot`).")
                    .req("flags", INT32, "mmap flags (MAP_SHARED 0x1, MAP_PRIVATE 0x2, MAP_FIXED 0x10, ...).")
                    .req("file_offset", INT64, "File offset requested.")
                    .req("ret", INT64, "The syscall's return value: the address, or -errno.")
                    .req("failed", BOOL, "True when the kernel refused the call (kunai reports attempts; the mapping does not exist).")
                    .req("syscall", STRING, "The call that mapped the file: `mmap`; `shmat`, a System V shared memory segment attached with "
                            + "SHM_EXEC (kunai's hook, security_mmap_file, sees those too; `flags` is then MAP_SHARED, | MAP_FIXED under SHM_REMAP); "
                            + "or `execve`, an executable mapping the kernel made for an exec (the binary, its loader), from the walk after it.")
                    .done());

    /** tracee's mem_prot_alert: one row per region a call exposed to code execution. */
    public static final TableSchema MEM_PROT_ALERT = new TableSchema("mem_prot_alert",
            "tracee's memory-protection alerts: one row per region that a successful mmap/mprotect/pkey_mprotect "
                    + "call exposed to dynamic code execution (or hid after writing), each with that region's previous protection.",
            new Cols().host().time("when the call returned").thread()
                    .req("alert", STRING, "tracee's alert text: `Mmaped region with W+E permissions!`, `Protection changed to Executable!`, "
                            + "`Protection changed from E to W+E!` or `Protection changed from W+E to E!`.")
                    .req("alert_id", INT32, "tracee's numeric alert (1 mmap W+E, 2 to executable, 3 E to W+E, 4 W+E to E).")
                    .req("syscall", STRING, "The call: `mmap`, `mprotect` or `pkey_mprotect`.")
                    .req("addr", INT64, "Start of the region the alert is about.")
                    .req("len", INT64, "Length of the region the alert is about.")
                    .req("prot", INT32, "New protection of the region (PROT_READ 1 | PROT_WRITE 2 | PROT_EXEC 4): the call's, with PROT_EXEC added where it asked for PROT_READ under a personality with READ_IMPLIES_EXEC, as the kernel adds it.")
                    .opt("prev_prot", INT32, "Protection of the region before the call; null for mmap and when the region was unknown.")
                    .opt("pathname", STRING, "File behind the region; null for anonymous memory.")
                    .req("pathname_truncated", BOOL, "True when the kernel cut the leading part of `pathname`: the file was deeper than 128 directories or its path longer than 4096 bytes (the recorder's path walk limits); what is left is the end of the path.")
                    .opt("dev", INT64, "Device of that file (dev_t, major << 20 | minor).")
                    .opt("inode", INT64, "Inode of that file.")
                    .opt("ctime", INT64, "Change time of that file, nanoseconds since the epoch.")
                    .req("syscall_addr", INT64, "The address argument of the call.")
                    .req("syscall_len", INT64, "The length argument of the call.")
                    .opt("ppid", INT32, "Parent process id.")
                    .opt("uid", INT32, "Real user id of the thread.")
                    .opt("gid", INT32, "Real group id of the thread.")
                    .opt("mnt_ns", INT64, "Mount namespace inode number.")
                    .opt("exe_path", STRING, "Executable of the process.")
                    .req("exe_path_truncated", BOOL, "True when the kernel cut the leading part of `exe_path`: the file was deeper than 128 directories or its path longer than 4096 bytes (the recorder's path walk limits); what is left is the end of the path.")
                    .opt("command_line", STRING, "Command line of the process, arguments separated by spaces.")
                    .done());

    /** One row per process lifetime. */
    public static final TableSchema PROCESSES = new TableSchema("processes",
            "One row per process lifetime (a pid reused later is a new row, told apart by `start_ns`); "
                    + "an exec starts no new row but its exe and argv are the last ones.",
            new Cols().host().time("when the process was first seen: its fork, or the start-up snapshot")
                    .req("pid", INT32, "Process id.")
                    .req("tid", INT32, "Thread id of the thread-group leader (= pid).")
                    .opt("comm", STRING, "Last known name of the leader thread.")
                    .opt("ppid", INT32, "Parent process id.")
                    .opt("start_ns", INT64, "Kernel start time of the process (CLOCK_MONOTONIC ns); with pid it identifies the lifetime.")
                    .opt("parent_start_ns", INT64, "Kernel start time of the parent: identifies the parent's lifetime.")
                    .opt("exit_ns", INT64, "CLOCK_MONOTONIC ns when the last thread exited; null while alive at the end of the recording. Where `exit_recorded` is false, an upper bound: when the process was found gone (its pid reused, or the start-up snapshot read it as a zombie with no thread left).")
                    .opt("exit_utc", TIMESTAMP_NS, "`exit_ns` as UTC.")
                    .opt("exit_code", INT32, "Exit status in wait(2) encoding.")
                    .opt("exe_path", STRING, "Executable after the last exec.")
                    .req("exe_path_truncated", BOOL, "True when the kernel cut the leading part of `exe_path`: the file was deeper than 128 directories or its path longer than 4096 bytes (the recorder's path walk limits); what is left is the end of the path.")
                    .opt("argv", LIST_STRING, "Arguments after the last exec.")
                    .opt("command_line", STRING, "`argv` joined with spaces, as kunai prints it.")
                    .opt("ancestors", STRING, "Exe paths of the ancestors, oldest first, separated by `|`.")
                    .req("ancestors_truncated", BOOL, ANCESTORS_TRUNCATED)
                    .opt("uid", INT32, "Real user id.")
                    .opt("gid", INT32, "Real group id.")
                    .opt("euid", INT32, "Effective user id.")
                    .opt("egid", INT32, "Effective group id.")
                    .opt("mnt_ns", INT64, "Mount namespace inode number.")
                    .req("execs", INT32, "Number of successful execs seen during the recording.")
                    .req("from_snapshot", BOOL, "True when the process already ran at the start and comes from the /proc snapshot.")
                    .req("start_exact", BOOL, "False when `start_ns` comes from /proc's clock ticks (10 ms steps) rather than the kernel's task start time; those ticks count the time the host had been suspended, which the recording's header says and the analyzer takes off (journals written before 2026-12-08 do not say: taken for a host that never slept).")
                    .req("exit_recorded", BOOL, "False when no exit record ended the lifetime (its end was inferred from the pid's reuse, or it still ran).")
                    .req("argv_truncated", BOOL, "True when the kernel cut the command line at 4096 bytes.")
                    .req("memory_known", BOOL, "False when part of its address space was unknown to the recording (it predates the recording and no snapshot covered it).")
                    .req("records_lost_while_alive", INT64, "Records the kernel could not reserve (any process) while this process lived: its history may be incomplete when > 0.")
                    .req("leader_exited", BOOL, "True when its first thread (the one whose id is the pid) left by exit(2) while other threads ran on, in this lifetime: from then /proc shows the process as a zombie, with no exe, command line or maps through its pid, which hides a running program from tools that read /proc/PID (until an exec from another thread makes that thread the leader). Not set by an exit_group or by the end of the leader that another thread's exec brings about. Journals recorded before 2026-12-08 cannot tell it of a process that was so when the recording started.")
                    .opt("leader_exit_ns", INT64, "CLOCK_MONOTONIC ns when the first thread exited, where `leader_exited`; null when the start-up snapshot found it exited already.")
                    .done());

    /** The temporal region table: one row per version of a region. */
    public static final TableSchema REGIONS = new TableSchema("regions",
            "One row per version of a memory region of a process: a version is valid from `valid_from_ns` "
                    + "until `valid_to_ns` (exclusive; null while it still exists at the end). "
                    + "What was mapped in pid P at time T: `WHERE pid = P AND valid_from_ns <= T AND (valid_to_ns IS NULL OR valid_to_ns > T)`.",
            new Cols().host().time("same as `valid_from_ns`")
                    .req("pid", INT32, "Process id whose address space holds the region (threads and vfork children share it).")
                    .opt("comm", STRING, "Name of the process's leader thread when the version began.")
                    .req("start_addr", INT64, "First address of the region (page aligned).")
                    .req("end_addr", INT64, "First address after the region (exclusive, page aligned).")
                    .opt("prot", INT32, "Protection (PROT_READ 1 | PROT_WRITE 2 | PROT_EXEC 4); null where the recording does not know it.")
                    .req("flags", INT32, "MAP_SHARED 0x1 or MAP_PRIVATE 0x2, | MAP_ANONYMOUS 0x20 when no file backs it, "
                            + "| MAP_NORESERVE 0x4000 when mapped under MAP_NORESERVE on a host that honours it (VM_NORESERVE, smaps' `nr`): "
                            + "the kernel keeps such a mapping apart from a neighbour without it, so they are two rows with the same prot.")
                    .req("vm_flags", INT64, "The kernel's VMA flags that /proc/PID/maps does not show and that keep two VMAs apart, "
                            + "as the kernel's bits: VM_SEQ_READ 0x8000 (smaps `sr`), VM_RAND_READ 0x10000 (`rr`), VM_DONTCOPY 0x20000 "
                            + "(`dc`, MADV_DONTFORK: not copied into a forked child), VM_ACCOUNT 0x100000 (`ac`, see `accounted`), "
                            + "VM_NORESERVE 0x200000 (`nr`), VM_WIPEONFORK 0x2000000 (`wf`), VM_DONTDUMP 0x4000000 (`dd`), "
                            + "VM_HUGEPAGE 0x20000000 (`hg`), VM_NOHUGEPAGE 0x40000000 (`nh`), VM_LOCKED 0x2000 (`lo`, mlock, mlockall, MAP_LOCKED), "
                            + "VM_LOCKONFAULT 0x80000 (`lf`, MLOCK_ONFAULT, MCL_ONFAULT); the special mappings' VM_IO 0x4000 (`io`), VM_PFNMAP 0x400 (`pf`), "
                            + "VM_DONTEXPAND 0x40000 (`de`: [vdso], [vvar]) and VM_MIXEDMAP 0x10000000 (`mm`); and VM_SEALED (`sl`, mseal) as bit 63, "
                            + "where kernels 6.10 and 6.11 had it (later ones moved it). From the calls, the exec walk and smaps.")
                    .opt("path", STRING, "Backing file, or a pseudo path like `[heap]`, `[stack]`; null for plain anonymous memory.")
                    .req("path_truncated", BOOL, "True when the kernel cut the leading part of `path`: the file was deeper than 128 directories or its path longer than 4096 bytes (the recorder's path walk limits); what is left is the end of the path." + " Paths from the start-up snapshot (/proc/PID/maps) are never cut.")
                    .opt("dev", INT64, "Device of the backing file (dev_t, major << 20 | minor).")
                    .opt("inode", INT64, "Inode of the backing file.")
                    .opt("file_offset", INT64, "Offset in the backing file of `start_addr`, in bytes.")
                    .req("valid_from_ns", INT64, "CLOCK_MONOTONIC ns when this version began (the call that made it returned, or the snapshot).")
                    .opt("valid_to_ns", INT64, "CLOCK_MONOTONIC ns when it ended (unmapped, changed, exec, exit); null while it still exists at the end.")
                    .req("known", BOOL, "False when the analyzer does not know this range's contents (it predates the recording and no snapshot covered it).")
                    .opt("cause", STRING, "What made this version: `snapshot`, `exec`, `mmap`, `mprotect`, `mremap`, `brk`, `madvise`, `process_madvise`, `mlock`, `munlock`, `mlockall`, `fork`, `shmat`, `io_setup` (the AIO ring it maps), `remap_file_pages`, `mbind`, `set_mempolicy_home_node` (a NUMA policy: the kernel keeps pages of unequal policies apart, so two rows can differ in nothing the table shows), `order` (unknown: two calls raced on these pages, see `losses`), ...")
                    .req("accounted", BOOL, "True for a private file mapping that is or was writable: the kernel charged it (VM_ACCOUNT, smaps' `ac`) "
                            + "and keeps it apart from an uncharged neighbour, as a library's RELRO part (made read-only by ld.so) next to its read-only data: "
                            + "two rows with the same prot and running offsets, as /proc/PID/maps shows two lines. Always false for anonymous memory "
                            + "(the kernel drops the charge of pages never written, which is not recorded). Regions from the start-up snapshot have it "
                            + "from smaps' VmFlags (journals recorded before 2026-12-07 read maps, which does not show it: false there).")
                    .done());

    /** Every gap the recorder reported. */
    public static final TableSchema LOSSES = new TableSchema("losses",
            "Every gap: records the kernel could not put in the ring buffer (per CPU), and damage found in the journal.",
            new Cols().host().time("when the recorder wrote the loss record")
                    .req("source", STRING, "`ringbuf` for failed ring-buffer reservations in the kernel, `max_disk` for kernel records the journal refused at --max-disk, "
                            + "`disk_full` for kernel records it refused because its file system was nearly full (under 32 MiB free), "
                            + "`recursion` for runs of the recorder's programs the kernel skipped because the program was already running on that CPU "
                            + "(a task preempted inside it, on a kernel that preempts kernel code: bpftool's recursion_misses; a skipped run of the syscall "
                            + "program may have been an unwatched call, so `lost` is at most the records lost), "
                            + "`refused` for kernel records a newer recorder refused for a reason this analyzer does not know, "
                            + "`journal_rolled` for the oldest cycle files the recorder deleted at --max-disk (one row: everything from the start of the recording to `last_ns`), "
                            + "`compat` for syscalls made in 32-bit mode (a 32-bit process, or int 0x80 from a 64-bit one) whose numbers the recorder watches in 64-bit "
                            + "mode: left out on purpose, since they mean other calls there (compat 10 is unlink, not mprotect), and read as 64-bit calls they would "
                            + "forge records (a 32-bit process's memory calls, mmap2 and the rest, are recorded as the 64-bit calls they equal: `syscalls.compat`), "
                            + "and x32's own versions of watched calls (`syscalls.x32` says which), "
                            + "`order` for a call that changed its address space and returned after another call had changed the same pages "
                            + "(its record came first although the kernel may have made its change second: the recorder notes such calls, "
                            + "MS_ORDER): which change the kernel made last is not known, so those pages are unknown (`regions.known` false, "
                            + "cause `order`) from the call's return until a later call covers them; `first_ns` is when the thread's previous change returned "
                            + "(0 when none is known), `message` names the process, thread and range, "
                            + "`journal` for damage found when reading the journal, and for a journal without the recorder's final record"
                            + " (killed, crashed, still recording, or its end lost: nothing after its last record is known), "
                            + "`recorder_note` for what the recorder's final record says it did not do, in `message` (hooks the kernel refused, such as the "
                            + "io_uring programs, or left out with --no-io-uring; enrichment it skipped; a failed start-up snapshot).")
                    .opt("cpu", INT32, "CPU whose records were lost (ringbuf); null otherwise.")
                    .opt("lost", INT64, "Records lost: since the previous loss row of that CPU (ringbuf), at most this many since the previous recursion row (recursion), refused (max_disk, disk_full, refused), kernel records in the deleted cycle files (journal_rolled).")
                    .opt("first_ns", INT64, "CLOCK_MONOTONIC ns of the first loss in this count; for journal_rolled the start of the recording.")
                    .opt("last_ns", INT64, "CLOCK_MONOTONIC ns of the last loss in this count; for journal_rolled when the oldest kept cycle file was opened.")
                    .opt("message", STRING, "For journal damage: where it is and what is wrong (or that the recorder's final record is missing); for journal_rolled: how many cycle files and bytes were deleted; for recorder_note: the note.")
                    .done());

    /** The recorder's file infos: every file it hashed, or tried to. */
    public static final TableSchema FILES = new TableSchema("files",
            "One row per file the recorder identified and hashed, or tried to: every file mapped executable or exec'd "
                    + "during the recording, and those of the processes already running at its start (the /proc snapshot), "
                    + "which no other table's hashes cover. Join with `regions`, `mmap_exec` or `mem_prot_alert` on dev and inode.",
            new Cols().host().time("when the recorder had read the file (or given up)")
                    .opt("path", STRING, "The path the recorder knew the file by; a memfd reads `/memfd:NAME` (without the ` (deleted)` the other tables show).")
                    .req("dev", INT64, "Device of the file (dev_t, major << 20 | minor).")
                    .req("inode", INT64, "Inode of the file.")
                    .req("ctime", INT64, "Change time of the file, nanoseconds since the epoch: with dev and inode it names one version of the file. As the mapping's record gave it; for a file only the kernel's hold request led to (made executable by mprotect where no record tied it to its mapping), as it was when hashed, which is later than the mapping's when the file was written through the mapping: match such a file to a `mem_prot_alert` row by dev, inode and a ctime between the alert's `ctime` and its time.")
                    .opt("size", INT64, "Size of the file in bytes.")
                    .hashes("", "the file")
                    .opt("error", STRING, "Why the hashes are missing (file gone, unreadable, over the size cap); null when they were computed. "
                            + "`changed after it was mapped (written at mtime B, after its ctime as mapped A, ...)`: the file was written (its mtime later than its ctime when mapped and no later than its ctime now, or its size another) before the recorder read it, so what it held then is gone; "
                            + "the file as it is now is another row, under its new ctime. `changed after it was mapped (its ctime moved from A to B, ...)`: a file without a name when mapped (a memfd, a deleted file) whose ctime moved since, by a write whose times were set back (timestomping), a truncate, or an fchmod or fchown; or a named file whose ctime moved with its name and mode as they were (a write whose times were set back, or its owner, hard links or extended attributes changed) (from recorders of the twenty-first session on). "
                            + "`changed while it was hashed (mtime A → B, ...)`: it was written during the read, whose bytes are of no one version; the next version is read in turn. "
                            + "Not seen: a write before the recorder held the file, in the same tick of the kernel's coarse clock as the file's previous change (4 ms at HZ=250), and a write to a file with a name whose mtime was then set with utimensat(2) to a time before the mapping or after the file's ctime, which was then renamed, unlinked or chmod'ed before the read.")
                    .opt("via_pid", INT32, "The process through which the file was read (`/proc/PID/map_files` or `/proc/PID/exe`: deleted files, memfds); null when it was read by its path.")
                    .done());

    /** All tables, in the order docs and the query shell list them. */
    public static final List<TableSchema> ALL = List.of(MMAP_EXEC, MEM_PROT_ALERT, SYSCALLS, MEMORY_WRITES, PROCESSES, REGIONS, LOSSES, FILES);

    /** The table with that name, or null. */
    public static TableSchema byName(String name) {
        for (TableSchema t : ALL) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    // kunai's info.task / info.parent_task, flattened: task_* then parent_task_*.
    private static Cols taskColumns(Cols c) {
        for (String who : List.of("task", "parent_task")) {
            String whose = who.equals("task") ? "the thread that made the call" : "the parent process";
            c.opt(who + "_name", STRING, "kunai's `info." + who + ".name`: comm of " + whose + ".");
            c.opt(who + "_pid", INT32, "kunai's `info." + who + ".pid`: thread id of " + whose + ".");
            c.opt(who + "_tgid", INT32, "kunai's `info." + who + ".tgid`: process id of " + whose + ".");
            c.opt(who + "_uid", INT32, "kunai's `info." + who + ".uid`: effective user id of " + whose + ".");
            c.opt(who + "_gid", INT32, "kunai's `info." + who + ".gid`: effective group id of " + whose + ".");
            c.opt(who + "_mnt_ns", INT64, "kunai's `info." + who + ".namespaces.mnt` of " + whose + ".");
        }
        return c;
    }
}
