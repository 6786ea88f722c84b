package dev.mapscribe.recorder.bpf;

import java.util.List;
import java.util.Set;

/**
 * Which kernel hooks record: the name is what the journal header's hookTier says, and the programs are the
 * ones of the object that are loaded (bpf/mapscribe.bpf.c has every recording program twice, tp_btf and raw_tp).
 * Each tier also loads its {@link #optional() optional hooks} where the kernel accepts them, and records without
 * them, saying so, where it refuses them.
 */
public enum HookTier {
    /**
     * tp_btf sys_exit + sched_process_*: works wherever BTF tracepoints load. exit and exit_group, which never
     * reach sys_exit, are recorded by the sched_process_exit program (no program on every syscall's entry).
     */
    SYSCALLS("syscalls", "bpf/mapscribe.bpf.o", Set.of("ms_sys_exit", "ms_fork", "ms_exec", "ms_exit"),
            Set.of("ms_uring_submit", "ms_uring_file_get", "ms_uring_complete"), "ms_mmap_locked"),
    /** The same hooks as raw tracepoints, for kernels where tp_btf does not load or attach: the same records. */
    SYSCALLS_RAW_TP("syscalls/raw_tp", "bpf/mapscribe.bpf.o",
            Set.of("ms_raw_sys_exit", "ms_raw_fork", "ms_raw_exec", "ms_raw_exit"), Set.of("ms_raw_uring_submit", "ms_raw_uring_file_get", "ms_raw_uring_complete"),
            "ms_raw_mmap_locked"),
    /** The syscall tier plus lsm/mmap_file (the exact struct file of each mmap); refused by many kernels. */
    LSM("lsm", "bpf/mapscribe_lsm.bpf.o",
            Set.of("ms_sys_exit", "ms_fork", "ms_exec", "ms_exit", "ms_lsm_mmap_file"), Set.of("ms_uring_submit", "ms_uring_file_get", "ms_uring_complete"),
            "ms_mmap_locked");

    /**
     * Programs a tier loads where the kernel accepts them: what is not watched without them ({@code name}, as in
     * "NAME not watched") and what the recording then lacks ({@code lost}), for the one line on stderr and the
     * journal's note; {@code optOut}, the record option that leaves them out on purpose (null: none does).
     */
    public record OptionalHooks(String name, Set<String> programs, String lost, String optOut) {}

    /**
     * process_vm_writev's entry (a syscalls:sys_enter_* tracepoint; kernels without CONFIG_FTRACE_SYSCALLS have
     * none): its remote iovec array as the kernel is about to read it, not as the call returns.
     */
    public static final OptionalHooks VM_WRITEV_ENTRY = new OptionalHooks("process_vm_writev's entry", Set.of("ms_vm_writev_enter"),
            "process_vm_writev's remote iovecs are read as each call returns, when another thread of the caller may have rewritten them", null);

    /**
     * The ioctl's entry (a syscalls:sys_enter_* tracepoint): a userfaultfd fill's range as the kernel is about to read
     * it, not as the call returns. Runs for every ioctl of the host.
     */
    public static final OptionalHooks UFFD_ENTRY = new OptionalHooks("userfaultfd fills' entry", Set.of("ms_uffd_enter"),
            "the range a UFFDIO_COPY or UFFDIO_MOVE fills is read as each call returns, when another thread of the caller may have rewritten it",
            "--no-uffd-entry");

    /** The name of the io_uring hooks, which record --no-io-uring leaves out. */
    public static final String IO_URING = "io_uring requests";

    /**
     * The name of the mmap lock's hook: which task last took an address space's mmap lock for writing, so that a call
     * whose return another change of its address space overtook is told (MS_ORDER records).
     */
    public static final String MAP_ORDER = "the order of address-space changes";

    /** What the kernel refuses when it refuses this tier, for the one-line fallback message. */
    public String programsName() {
        return switch (this) {
            case SYSCALLS -> "tp_btf programs";
            case SYSCALLS_RAW_TP -> "raw tracepoint programs";
            case LSM -> "LSM hooks";
        };
    }

    private final String journalName;
    private final String resource;
    private final Set<String> programs;
    private final OptionalHooks ioUring;
    private final OptionalHooks mapOrder;

    HookTier(String journalName, String resource, Set<String> programs, Set<String> ioUringPrograms, String lockProgram) {
        this.journalName = journalName;
        this.resource = resource;
        this.programs = programs;
        // a kernel without io_uring, or with other tracepoints than 6.0+'s io_uring_submit_req, io_uring_file_get
        // and io_uring_complete, refuses these
        this.ioUring = new OptionalHooks(IO_URING, ioUringPrograms, "writes into process memory and madvise through a ring are not recorded",
                "--no-io-uring");
        // mmap_lock_acquire_returned: a kernel without the mmap_lock trace events refuses it
        this.mapOrder = new OptionalHooks(MAP_ORDER, Set.of(lockProgram), "records of calls that race on one address space "
                + "come in the order the calls returned, which may not be the order the kernel changed the map, and nothing says when",
                "--no-map-order");
    }

    public String journalName() {
        return journalName;
    }

    /** The object's class-path resource; its SHA-256 is in the same name + ".sha256". */
    public String resource() {
        return resource;
    }

    /** The programs of the object this tier cannot record without; every other program's autoload is turned off. */
    public Set<String> programs() {
        return programs;
    }

    /**
     * The small programs only this tier has, which a kernel that refuses the tier refuses at once (EPERM for LSM before
     * any verification): loaded alone first, they spare such a kernel the verification of the whole object (ms_sys_exit
     * alone takes ~0.9 s here, and a refused tier's object was verified twice, with and without its optional hooks).
     * Empty for the syscall tiers: their smallest programs are of the same types as ms_sys_exit.
     */
    public Set<String> gate() {
        return this == LSM ? Set.of("ms_lsm_mmap_file") : Set.of();
    }

    /**
     * The hooks this tier loads too where the kernel accepts them: the io_uring watch, process_vm_writev's entry, the
     * ioctl's (userfaultfd fills), the mmap lock's (the order of address-space changes).
     */
    public List<OptionalHooks> optional() {
        return List.of(ioUring, VM_WRITEV_ENTRY, UFFD_ENTRY, mapOrder);
    }

    /** The mmap lock's hook of {@link #optional()}. */
    public OptionalHooks mapOrder() {
        return mapOrder;
    }

    /** The io_uring hooks of {@link #optional()}. */
    public OptionalHooks ioUring() {
        return ioUring;
    }
}
