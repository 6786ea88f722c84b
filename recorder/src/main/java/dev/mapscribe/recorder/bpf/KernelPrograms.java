package dev.mapscribe.recorder.bpf;

import dev.mapscribe.recorder.sys.Libc;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One embedded BPF object (bpf/mapscribe*.bpf.o on the class path): opened, configured (own pid, ring
 * size), loaded, and attached. Owns the libbpf object and its links; close() detaches everything.
 */
public final class KernelPrograms implements AutoCloseable {
    public static final String RING_MAP = "events";
    public static final String LOSS_MAP = "losses";
    /** Per CPU: 32-bit syscalls with numbers the programs watch in 64-bit mode, not recorded (struct ms_loss_counter). */
    public static final String COMPAT_MAP = "compat_calls";
    public static final String HOLD_RING_MAP = "holds";
    /** The section (and map) of the programs' quiet_wakeup variable: {@link dev.mapscribe.recorder.ring.QuietWakeup}. */
    public static final String QUIET_WAKEUP_MAP = ".data.wakeup";
    /** The hold-request ring's size (1,638 requests), set before load like the main ring's (--ring). */
    public static final long HOLD_RING_BYTES = 64 << 10;
    /** The capacity benchmark's record generator (mapscribe.bpf.c), loaded only when asked for. */
    public static final String SYNTHETIC_PROGRAM = "ms_synthetic";

    private final HookTier tier;
    /** Holds the ELF image: libbpf parses it in place, so it lives as long as the object. */
    private final Arena imageArena;
    private final MemorySegment obj;
    private final String sha256;
    private final long ringBytes;
    private final List<MemorySegment> links = new ArrayList<>();
    private boolean loaded;
    private long attachedNs;
    private boolean closed;
    private String unwatched;

    private KernelPrograms(HookTier tier, Arena imageArena, MemorySegment obj, String sha256, long ringBytes) {
        this.tier = tier;
        this.imageArena = imageArena;
        this.obj = obj;
        this.sha256 = sha256;
        this.ringBytes = ringBytes;
    }

    /**
     * Opens the tier's object and configures it. {@code programs}: the programs to load; null means the
     * tier's programs (not its optional ones: Recorder.loadTier adds those where the kernel takes them).
     */
    public static KernelPrograms open(HookTier tier, Set<String> programs, int selfTgid, long ringBytes) throws IOException {
        return open(tier, programs, selfTgid, 0, ringBytes);
    }

    /** As above; {@code syntheticTgid} > 0 also loads the capacity benchmark's generator, driven by that process. */
    public static KernelPrograms open(HookTier tier, Set<String> programs, int selfTgid, int syntheticTgid, long ringBytes)
            throws IOException {
        LibBpf.requireAvailable();
        checkRingSize(ringBytes);
        byte[] image = resource(tier.resource());
        String sha = new String(resource(tier.resource() + ".sha256"), StandardCharsets.US_ASCII).strip();
        KernelPrograms kp = null;
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mem = arena.allocate(image.length, 8);
            MemorySegment.copy(image, 0, mem, ValueLayout.JAVA_BYTE, 0, image.length);
            MemorySegment obj = LibBpf.openMem(mem);
            kp = new KernelPrograms(tier, arena, obj, sha, ringBytes);
            kp.configure(programs, selfTgid, syntheticTgid);
            return kp;
        } catch (IOException | RuntimeException e) {
            if (kp != null) {
                kp.close();
            } else {
                arena.close();
            }
            throw e;
        }
    }

    private static void checkRingSize(long ringBytes) throws IOException {
        long page = Libc.pageSize();
        if (ringBytes < page || Long.bitCount(ringBytes) != 1 || ringBytes > (1L << 30)) {
            throw new IOException("--ring must be a power of two between " + page + " bytes and 1G, not " + ringBytes);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = KernelPrograms.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the BPF object " + name + " is not on the class path: rebuild the recorder (make -C bpf needs clang)");
            }
            return in.readAllBytes();
        }
    }

    private void configure(Set<String> programs, int selfTgid, int syntheticTgid) throws IOException {
        Set<String> wanted = programs != null ? programs : tier.programs();
        Set<String> found = new java.util.HashSet<>();
        for (MemorySegment p : LibBpf.programs(obj)) {
            String name = LibBpf.programName(p);
            found.add(name);
            // Autoload is set for every program, both ways: the object's own defaults ("?" sections) do not decide.
            LibBpf.setAutoload(p, wanted.contains(name) || (syntheticTgid > 0 && name.equals(SYNTHETIC_PROGRAM)));
        }
        for (String name : wanted) {
            if (!found.contains(name)) {
                throw new IOException("the BPF object " + tier.resource() + " has no program " + name + ": rebuild the recorder");
            }
        }
        LibBpf.setMaxEntries(LibBpf.findMap(obj, RING_MAP), (int) ringBytes);
        LibBpf.setMaxEntries(LibBpf.findMap(obj, HOLD_RING_MAP), (int) HOLD_RING_BYTES);
        MemorySegment rodata = null;
        for (MemorySegment m : LibBpf.maps(obj)) {
            if (LibBpf.mapName(m).endsWith(".rodata")) {
                rodata = m;
            }
        }
        if (rodata == null) {
            throw new IOException("the BPF object has no .rodata map: cannot tell the kernel which process to ignore");
        }
        MemorySegment image = LibBpf.initialValue(rodata);
        // .rodata holds one variable, `const volatile struct ms_config ms_cfg` (mapscribe.bpf.c):
        // self_tgid at offset 0, synthetic_tgid at offset 4.
        if (image.byteSize() < 8) {
            throw new IOException(".rodata is " + image.byteSize() + " bytes, expected struct ms_config (8 bytes)");
        }
        image.set(ValueLayout.JAVA_INT, 0, selfTgid);
        image.set(ValueLayout.JAVA_INT, 4, syntheticTgid);
    }

    /** Verifies and loads the programs (the kernel answers EPERM for program types it refuses). */
    public void load() throws BpfException {
        LibBpf.takeLog();
        LibBpf.load(obj);
        loaded = true;
    }

    /**
     * Attaches every loaded program; {@link #attachedNs()} is the monotonic time just before the first attach. Where the
     * host has no tracefs, it is mounted for the attaching of tracepoint programs ({@link TracefsMount}).
     */
    public void attachAll() throws BpfException {
        attachedNs = Libc.clockNs(Libc.CLOCK_MONOTONIC);
        List<MemorySegment> loaded = LibBpf.programs(obj).stream().filter(LibBpf::autoload).toList();
        boolean tracepoints = loaded.stream().anyMatch(p -> LibBpf.sectionName(p).replaceFirst("^\\?", "").startsWith("tracepoint/"));
        try (TracefsMount tracefs = tracepoints ? TracefsMount.ifAbsent() : null) {
            for (MemorySegment p : loaded) {
                links.add(LibBpf.attach(p));
            }
        }
    }

    /** Detaches every program: after this no new record enters the ring. */
    public void detach() {
        for (MemorySegment l : links) {
            LibBpf.destroyLink(l);
        }
        links.clear();
    }

    /** CLOCK_MONOTONIC (the kernel's ktime) just before the last attachAll() began: no record is older. */
    public long attachedNs() {
        return attachedNs;
    }

    public HookTier tier() {
        return tier;
    }

    /** What the loaded programs do not watch because the kernel refused the tier's optional ones; null when none. */
    public String unwatched() {
        return unwatched;
    }

    public void setUnwatched(String what) {
        this.unwatched = what;
    }

    public String sha256() {
        return sha256;
    }

    public long ringBytes() {
        return ringBytes;
    }

    /** The loaded programs by name, with their fds: for their run counters ({@link ProgramStats}). */
    public java.util.Map<String, Integer> programFds() throws BpfException {
        if (!loaded) {
            throw new IllegalStateException("programs have no fd before load");
        }
        java.util.Map<String, Integer> fds = new java.util.TreeMap<>();
        for (MemorySegment p : LibBpf.programs(obj)) {
            if (LibBpf.autoload(p)) {
                int fd = LibBpf.programFd(p);
                if (fd < 0) {
                    throw new BpfException("bpf_program__fd(" + LibBpf.programName(p) + ")", -fd);
                }
                fds.put(LibBpf.programName(p), fd);
            }
        }
        return fds;
    }

    public int ringFd() throws IOException {
        return mapFd(RING_MAP);
    }

    public int lossMapFd() throws IOException {
        return mapFd(LOSS_MAP);
    }

    public int compatMapFd() throws IOException {
        return mapFd(COMPAT_MAP);
    }

    public int holdRingFd() throws IOException {
        return mapFd(HOLD_RING_MAP);
    }

    /**
     * The programs' quiet_wakeup variable in the kernel map's own memory, mapped shared and writable (libbpf makes a
     * .data section's map mmapable), so that the programs read what is written here; unmapped at close(). Mapped here
     * because libbpf 1.1 (Debian 12's) puts bpf_map__initial_value onto the kernel's memory after load for skeletons
     * only: for everyone else it stays libbpf's own copy (QuietWakeupTest found a doze no record ended).
     */
    public MemorySegment quietWakeup() throws IOException {
        int fd = mapFd(QUIET_WAKEUP_MAP);
        return Libc.mmapShared(imageArena, fd, Libc.pageSize(), Libc.PROT_READ | Libc.PROT_WRITE, 0).asSlice(0, Long.BYTES);
    }

    private int mapFd(String name) throws IOException {
        if (!loaded) {
            throw new IllegalStateException("map " + name + " has no fd before load");
        }
        int fd = LibBpf.mapFd(LibBpf.findMap(obj, name));
        if (fd < 0) {
            throw new BpfException("bpf_map__fd(" + name + ")", -fd);
        }
        return fd;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        detach();
        LibBpf.close(obj);
        imageArena.close();
    }
}
