package dev.mapscribe.recorder.bpf;

/** Which kernel hooks record: the name is what the journal header's hookTier says. */
public enum HookTier {
    /** tp_btf sys_enter/sys_exit + sched_process_*: works wherever BTF tracepoints load. */
    SYSCALLS("syscalls", "bpf/mapscribe.bpf.o", java.util.Set.of()),
    /** The syscall tier plus lsm/mmap_file (the exact struct file of each mmap); refused by many kernels. */
    LSM("lsm", "bpf/mapscribe_lsm.bpf.o", java.util.Set.of("ms_lsm_mmap_file"));

    private final String journalName;
    private final String resource;
    private final java.util.Set<String> optInPrograms;

    HookTier(String journalName, String resource, java.util.Set<String> optInPrograms) {
        this.journalName = journalName;
        this.resource = resource;
        this.optInPrograms = optInPrograms;
    }

    public String journalName() {
        return journalName;
    }

    /** The object's class-path resource; its SHA-256 is in the same name + ".sha256". */
    public String resource() {
        return resource;
    }

    /** Programs not autoloaded by default ("?" sections) that this tier loads. */
    public java.util.Set<String> optInPrograms() {
        return optInPrograms;
    }
}
