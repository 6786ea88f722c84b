package dev.mapscribe.recorder.bpf;

import java.util.Set;

/**
 * Which kernel hooks record: the name is what the journal header's hookTier says, and the programs are the
 * ones of the object that are loaded (bpf/mapscribe.bpf.c has every recording program twice, tp_btf and raw_tp).
 * The optional programs watch io_uring requests (writes into a process's memory file, and madvise, through a ring):
 * a kernel without io_uring, or with other tracepoints than 6.0+'s io_uring_submit_req, io_uring_file_get and io_uring_complete,
 * refuses them, and the tier records without them, saying so.
 */
public enum HookTier {
    /**
     * tp_btf sys_exit + sched_process_*: works wherever BTF tracepoints load. exit and exit_group, which never
     * reach sys_exit, are recorded by the sched_process_exit program (no program on every syscall's entry).
     */
    SYSCALLS("syscalls", "bpf/mapscribe.bpf.o", Set.of("ms_sys_exit", "ms_fork", "ms_exec", "ms_exit"),
            Set.of("ms_uring_submit", "ms_uring_file_get", "ms_uring_complete")),
    /** The same hooks as raw tracepoints, for kernels where tp_btf does not load or attach: the same records. */
    SYSCALLS_RAW_TP("syscalls/raw_tp", "bpf/mapscribe.bpf.o",
            Set.of("ms_raw_sys_exit", "ms_raw_fork", "ms_raw_exec", "ms_raw_exit"), Set.of("ms_raw_uring_submit", "ms_raw_uring_file_get", "ms_raw_uring_complete")),
    /** The syscall tier plus lsm/mmap_file (the exact struct file of each mmap); refused by many kernels. */
    LSM("lsm", "bpf/mapscribe_lsm.bpf.o",
            Set.of("ms_sys_exit", "ms_fork", "ms_exec", "ms_exit", "ms_lsm_mmap_file"), Set.of("ms_uring_submit", "ms_uring_file_get", "ms_uring_complete"));

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
    private final Set<String> optionalPrograms;

    HookTier(String journalName, String resource, Set<String> programs, Set<String> optionalPrograms) {
        this.journalName = journalName;
        this.resource = resource;
        this.programs = programs;
        this.optionalPrograms = optionalPrograms;
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

    /** The programs this tier loads too where the kernel accepts them (the io_uring watch). */
    public Set<String> optionalPrograms() {
        return optionalPrograms;
    }

}
