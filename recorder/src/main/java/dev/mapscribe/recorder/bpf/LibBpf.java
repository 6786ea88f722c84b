package dev.mapscribe.recorder.bpf;

import dev.mapscribe.recorder.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * libbpf 1.x (Debian's libbpf1) through FFM: the object, program, map and link calls the recorder uses.
 * Every call checks its result; libbpf 1.x returns NULL and sets errno from open/attach, and a negative
 * errno from the int-returning calls. libbpf's own messages are captured (not printed) and attached to
 * the exception of a failed load, so the user sees one line and --verbose sees the verifier log.
 */
public final class LibBpf {
    public static final String LIBRARY = "libbpf.so.1";
    private static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;
    private static final ValueLayout ADDR = ValueLayout.ADDRESS;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfBoolean BOOL = ValueLayout.JAVA_BOOLEAN;

    private static final MethodHandle OPEN_MEM;
    private static final MethodHandle OBJECT_LOAD;
    private static final MethodHandle OBJECT_CLOSE;
    private static final MethodHandle NEXT_PROGRAM;
    private static final MethodHandle NEXT_MAP;
    private static final MethodHandle FIND_MAP;
    private static final MethodHandle PROGRAM_NAME;
    private static final MethodHandle PROGRAM_SECTION_NAME;
    private static final MethodHandle PROGRAM_SET_AUTOLOAD;
    private static final MethodHandle PROGRAM_AUTOLOAD;
    private static final MethodHandle PROGRAM_ATTACH;
    private static final MethodHandle PROGRAM_FD;
    private static final MethodHandle OBJ_GET_INFO;
    private static final MethodHandle LINK_DESTROY;
    private static final MethodHandle MAP_NAME;
    private static final MethodHandle MAP_FD;
    private static final MethodHandle MAP_SET_MAX_ENTRIES;
    private static final MethodHandle MAP_INITIAL_VALUE;
    private static final MethodHandle MAP_LOOKUP_ELEM;
    private static final MethodHandle NUM_POSSIBLE_CPUS;
    private static final MethodHandle MAJOR_VERSION;
    private static final MethodHandle MINOR_VERSION;
    private static final MethodHandle SET_PRINT;
    private static final MethodHandle VSNPRINTF;
    private static final String LOAD_ERROR;

    /** The latest libbpf messages (load logs can be long: keep the tail). */
    private static final ArrayDeque<String> LOG = new ArrayDeque<>();
    private static final int LOG_LINES = 400;

    static {
        Linker linker = Linker.nativeLinker();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        SymbolLookup lib;
        String loadError = null;
        try {
            lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            lib = name -> java.util.Optional.empty();
            loadError = LIBRARY + " is not installed (apt-get install libbpf1): " + e.getMessage();
        }
        LOAD_ERROR = loadError;
        OPEN_MEM = handle(linker, lib, "bpf_object__open_mem", FunctionDescriptor.of(ADDR, ADDR, SIZE_T, ADDR), errno);
        OBJECT_LOAD = handle(linker, lib, "bpf_object__load", FunctionDescriptor.of(INT, ADDR));
        OBJECT_CLOSE = handle(linker, lib, "bpf_object__close", FunctionDescriptor.ofVoid(ADDR));
        NEXT_PROGRAM = handle(linker, lib, "bpf_object__next_program", FunctionDescriptor.of(ADDR, ADDR, ADDR));
        NEXT_MAP = handle(linker, lib, "bpf_object__next_map", FunctionDescriptor.of(ADDR, ADDR, ADDR));
        FIND_MAP = handle(linker, lib, "bpf_object__find_map_by_name", FunctionDescriptor.of(ADDR, ADDR, ADDR));
        PROGRAM_NAME = handle(linker, lib, "bpf_program__name", FunctionDescriptor.of(ADDR, ADDR));
        PROGRAM_SECTION_NAME = handle(linker, lib, "bpf_program__section_name", FunctionDescriptor.of(ADDR, ADDR));
        PROGRAM_SET_AUTOLOAD = handle(linker, lib, "bpf_program__set_autoload", FunctionDescriptor.of(INT, ADDR, BOOL));
        PROGRAM_AUTOLOAD = handle(linker, lib, "bpf_program__autoload", FunctionDescriptor.of(BOOL, ADDR));
        PROGRAM_ATTACH = handle(linker, lib, "bpf_program__attach", FunctionDescriptor.of(ADDR, ADDR), errno);
        PROGRAM_FD = handle(linker, lib, "bpf_program__fd", FunctionDescriptor.of(INT, ADDR));
        // bpf_obj_get_info_by_fd, not bpf_prog_get_info_by_fd: Debian 12's libbpf (1.1) predates the latter
        OBJ_GET_INFO = handle(linker, lib, "bpf_obj_get_info_by_fd", FunctionDescriptor.of(INT, INT, ADDR, ADDR), errno);
        LINK_DESTROY = handle(linker, lib, "bpf_link__destroy", FunctionDescriptor.of(INT, ADDR));
        MAP_NAME = handle(linker, lib, "bpf_map__name", FunctionDescriptor.of(ADDR, ADDR));
        MAP_FD = handle(linker, lib, "bpf_map__fd", FunctionDescriptor.of(INT, ADDR));
        MAP_SET_MAX_ENTRIES = handle(linker, lib, "bpf_map__set_max_entries", FunctionDescriptor.of(INT, ADDR, INT));
        MAP_INITIAL_VALUE = handle(linker, lib, "bpf_map__initial_value", FunctionDescriptor.of(ADDR, ADDR, ADDR));
        MAP_LOOKUP_ELEM = handle(linker, lib, "bpf_map_lookup_elem", FunctionDescriptor.of(INT, INT, ADDR, ADDR), errno);
        NUM_POSSIBLE_CPUS = handle(linker, lib, "libbpf_num_possible_cpus", FunctionDescriptor.of(INT));
        MAJOR_VERSION = handle(linker, lib, "libbpf_major_version", FunctionDescriptor.of(INT));
        MINOR_VERSION = handle(linker, lib, "libbpf_minor_version", FunctionDescriptor.of(INT));
        SET_PRINT = handle(linker, lib, "libbpf_set_print", FunctionDescriptor.of(ADDR, ADDR));
        VSNPRINTF = linker.downcallHandle(Libc.find(linker.defaultLookup(), "vsnprintf"),
                FunctionDescriptor.of(INT, ADDR, SIZE_T, ADDR, ADDR));
        if (LOAD_ERROR == null) {
            installPrintCallback(linker);
        }
    }

    private LibBpf() {
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd, Linker.Option... options) {
        return lib.find(name).map(addr -> linker.downcallHandle(addr, fd, options)).orElse(null);
    }

    /** Throws one clear line when libbpf is missing or too old; call before anything else. */
    public static void requireAvailable() throws IOException {
        if (LOAD_ERROR != null) {
            throw new IOException(LOAD_ERROR);
        }
        if (OPEN_MEM == null || MAJOR_VERSION == null || MAP_INITIAL_VALUE == null) {
            throw new IOException(LIBRARY + " is older than 1.0: mapscribe needs libbpf 1.x");
        }
    }

    /** libbpf's print callback: format the message and keep it; never let anything escape an upcall. */
    private static void installPrintCallback(Linker linker) {
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(LibBpf.class, "onPrint",
                    MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = linker.upcallStub(target, FunctionDescriptor.of(INT, INT, ADDR, ADDR), Arena.global());
            MemorySegment previous = (MemorySegment) SET_PRINT.invokeExact(stub);
            assert previous != null;
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
    }

    private static final MemorySegment PRINT_BUFFER = Arena.global().allocate(2048);

    private static int onPrint(int level, MemorySegment format, MemorySegment vaList) {
        try {
            // libbpf may print from one thread at a time only as far as we are concerned: the loader is single-threaded.
            synchronized (LOG) {
                int n = (int) VSNPRINTF.invokeExact(PRINT_BUFFER, PRINT_BUFFER.byteSize(), format, vaList);
                if (n > 0) {
                    String line = PRINT_BUFFER.getString(0).stripTrailing();
                    LOG.addLast(line);
                    if (LOG.size() > LOG_LINES) {
                        LOG.removeFirst();
                    }
                }
            }
        } catch (Throwable t) {
            // An exception escaping an upcall kills the JVM: drop the message instead.
        }
        return 0;
    }

    /** The libbpf messages since the last call (used for --verbose and failed-load diagnostics). */
    public static List<String> takeLog() {
        synchronized (LOG) {
            List<String> out = new ArrayList<>(LOG);
            LOG.clear();
            return out;
        }
    }

    public static String version() {
        if (LOAD_ERROR != null || MAJOR_VERSION == null) {
            return "unavailable";
        }
        try {
            return (int) MAJOR_VERSION.invokeExact() + "." + (int) MINOR_VERSION.invokeExact();
        } catch (Throwable t) {
            return "unknown";
        }
    }

    /** bpf_object__open_mem; {@code image} must outlive the object. */
    public static MemorySegment openMem(MemorySegment image) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Libc.errnoBuffer(call);
            MemorySegment obj = (MemorySegment) OPEN_MEM.invokeExact(state, image, image.byteSize(), MemorySegment.NULL);
            if (obj.address() == 0) {
                throw new BpfException("bpf_object__open_mem", Libc.errno(state));
            }
            return obj;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("bpf_object__open_mem: " + t, t);
        }
    }

    /** bpf_object__load: negative errno on failure (EPERM when the kernel refuses the program type). */
    public static void load(MemorySegment obj) throws BpfException {
        int rc;
        try {
            rc = (int) OBJECT_LOAD.invokeExact(obj);
        } catch (Throwable t) {
            throw new IllegalStateException("bpf_object__load: " + t, t);
        }
        if (rc < 0) {
            throw new BpfException("bpf_object__load", -rc);
        }
    }

    public static void close(MemorySegment obj) {
        try {
            OBJECT_CLOSE.invokeExact(obj);
        } catch (Throwable t) {
            throw new IllegalStateException("bpf_object__close: " + t, t);
        }
    }

    /** Every program of the object, in ELF order. */
    public static List<MemorySegment> programs(MemorySegment obj) {
        return all(NEXT_PROGRAM, "bpf_object__next_program", obj);
    }

    public static List<MemorySegment> maps(MemorySegment obj) {
        return all(NEXT_MAP, "bpf_object__next_map", obj);
    }

    /** Walks one of libbpf's bpf_object__next_* iterators (NULL starts it and NULL ends it). */
    private static List<MemorySegment> all(MethodHandle next, String call, MemorySegment obj) {
        List<MemorySegment> out = new ArrayList<>();
        try {
            MemorySegment item = MemorySegment.NULL;
            while (true) {
                item = (MemorySegment) next.invokeExact(obj, item);
                if (item.address() == 0) {
                    return out;
                }
                out.add(item);
            }
        } catch (Throwable t) {
            throw new IllegalStateException(call + ": " + t, t);
        }
    }

    public static MemorySegment findMap(MemorySegment obj, String name) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment m = (MemorySegment) FIND_MAP.invokeExact(obj, call.allocateFrom(name));
            if (m.address() == 0) {
                throw new IOException("bpf_object__find_map_by_name(" + name + "): no such map in the BPF object");
            }
            return m;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("bpf_object__find_map_by_name: " + t, t);
        }
    }

    public static String programName(MemorySegment prog) {
        return cString(PROGRAM_NAME, prog);
    }

    /** The program's ELF section, as written in its SEC() ("?tracepoint/syscalls/...": a leading '?' is not autoloaded). */
    public static String sectionName(MemorySegment prog) {
        return cString(PROGRAM_SECTION_NAME, prog);
    }

    public static String mapName(MemorySegment map) {
        return cString(MAP_NAME, map);
    }

    private static String cString(MethodHandle h, MemorySegment arg) {
        try {
            MemorySegment s = (MemorySegment) h.invokeExact(arg);
            return s.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static void setAutoload(MemorySegment prog, boolean autoload) throws BpfException {
        int rc;
        try {
            rc = (int) PROGRAM_SET_AUTOLOAD.invokeExact(prog, autoload);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc < 0) {
            throw new BpfException("bpf_program__set_autoload(" + programName(prog) + ")", -rc);
        }
    }

    public static boolean autoload(MemorySegment prog) {
        try {
            return (boolean) PROGRAM_AUTOLOAD.invokeExact(prog);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** bpf_program__attach: the link, to be destroyed with {@link #destroyLink}. */
    public static MemorySegment attach(MemorySegment prog) throws BpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Libc.errnoBuffer(call);
            MemorySegment link = (MemorySegment) PROGRAM_ATTACH.invokeExact(state, prog);
            if (link.address() == 0) {
                throw new BpfException("bpf_program__attach(" + programName(prog) + ")", Libc.errno(state));
            }
            return link;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static void destroyLink(MemorySegment link) {
        try {
            int rc = (int) LINK_DESTROY.invokeExact(link);
            assert rc == 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The fd of a loaded program (negative errno before load). */
    public static int programFd(MemorySegment prog) {
        try {
            return (int) PROGRAM_FD.invokeExact(prog);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * bpf_obj_get_info_by_fd(fd, info, len): fills {@code info} (the first {@code len.get(JAVA_INT, 0)} bytes of
     * struct bpf_prog_info, which the caller zeroes) and sets {@code len} to the bytes the kernel wrote.
     */
    public static void objectInfo(int fd, MemorySegment info, MemorySegment len, MemorySegment errnoState) throws BpfException {
        int rc;
        try {
            rc = (int) OBJ_GET_INFO.invokeExact(errnoState, fd, info, len);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        requireZero(rc, errnoState, "bpf_obj_get_info_by_fd(fd=" + fd + ")");
    }

    /** libbpf's low-level calls return 0, or a negative errno; the captured errno for anything else. */
    private static void requireZero(int rc, MemorySegment errnoState, String call) throws BpfException {
        if (rc != 0) {
            throw new BpfException(call, rc < 0 ? -rc : Libc.errno(errnoState));
        }
    }

    public static int mapFd(MemorySegment map) {
        try {
            return (int) MAP_FD.invokeExact(map);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static void setMaxEntries(MemorySegment map, int maxEntries) throws BpfException {
        int rc;
        try {
            rc = (int) MAP_SET_MAX_ENTRIES.invokeExact(map, maxEntries);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc < 0) {
            throw new BpfException("bpf_map__set_max_entries(" + mapName(map) + ", " + maxEntries + ")", -rc);
        }
    }

    /** The writable image of a global-data map (.rodata) before load. */
    public static MemorySegment initialValue(MemorySegment map) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment size = call.allocate(SIZE_T);
            MemorySegment p = (MemorySegment) MAP_INITIAL_VALUE.invokeExact(map, size);
            if (p.address() == 0) {
                throw new IOException("bpf_map__initial_value(" + mapName(map) + "): no initial value");
            }
            return p.reinterpret(size.get(SIZE_T, 0));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** bpf_map_lookup_elem(fd, key, value) — for per-CPU maps {@code value} holds one slot per possible CPU. */
    public static void lookup(int mapFd, MemorySegment key, MemorySegment value, MemorySegment errnoState) throws BpfException {
        int rc;
        try {
            rc = (int) MAP_LOOKUP_ELEM.invokeExact(errnoState, mapFd, key, value);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        requireZero(rc, errnoState, "bpf_map_lookup_elem(fd=" + mapFd + ")");
    }

    public static int numPossibleCpus() throws BpfException {
        int n;
        try {
            n = (int) NUM_POSSIBLE_CPUS.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (n < 0) {
            throw new BpfException("libbpf_num_possible_cpus", -n);
        }
        return n;
    }

    static MemorySegment errnoBuffer(Arena arena) {
        return Libc.errnoBuffer(arena);
    }
}
