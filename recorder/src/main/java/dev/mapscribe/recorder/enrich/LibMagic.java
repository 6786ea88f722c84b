package dev.mapscribe.recorder.enrich;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * libmagic (libmagic1, {@code libmagic.so.1}) through FFM: the description {@code file(1)} prints for a file.
 * The method handles are built once in the static initialiser; when the library or a symbol is missing,
 * {@link #open()} throws an IOException with one clear line instead of failing at class load.
 *
 * <p>A magic cookie is not thread-safe: one instance belongs to one thread at a time.
 */
@SuppressWarnings("restricted") // FFM downcalls are the point of this class
public final class LibMagic implements AutoCloseable {
    public static final String LIBRARY = "libmagic.so.1";
    /**
     * MAGIC_ERROR: a failure (bad descriptor, read error) returns NULL and sets magic_error(), instead of
     * coming back as a "description" such as "cannot open ...". No MAGIC_COMPRESS: it would run external
     * decompressors on attacker-supplied files.
     */
    private static final int MAGIC_FLAGS = 0x200;

    private static final MethodHandle MAGIC_OPEN;
    private static final MethodHandle MAGIC_LOAD;
    private static final MethodHandle MAGIC_DESCRIPTOR;
    private static final MethodHandle MAGIC_BUFFER;
    private static final MethodHandle MAGIC_ERROR;
    private static final MethodHandle MAGIC_CLOSE;
    /** Why the library could not be bound, or null when it was. */
    private static final String UNAVAILABLE;

    // Strings returned by libmagic are NUL-terminated and owned by the cookie: read up to this many bytes.
    private static final MemoryLayout C_STRING = MemoryLayout.sequenceLayout(64 * 1024, ValueLayout.JAVA_BYTE);

    static {
        MethodHandle open = null, load = null, descriptor = null, buffer = null, error = null, close = null;
        String unavailable = null;
        try {
            Linker linker = Linker.nativeLinker();
            // Global arena: the library stays loaded for the life of the JVM, like any system library.
            SymbolLookup lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
            ValueLayout string = ValueLayout.ADDRESS.withTargetLayout(C_STRING);
            open = linker.downcallHandle(find(lib, "magic_open"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            load = linker.downcallHandle(find(lib, "magic_load"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            descriptor = linker.downcallHandle(find(lib, "magic_descriptor"),
                    FunctionDescriptor.of(string, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            buffer = linker.downcallHandle(find(lib, "magic_buffer"),
                    FunctionDescriptor.of(string, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            error = linker.downcallHandle(find(lib, "magic_error"),
                    FunctionDescriptor.of(string, ValueLayout.ADDRESS));
            close = linker.downcallHandle(find(lib, "magic_close"),
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        } catch (IllegalArgumentException e) {
            unavailable = LIBRARY + " not found (install libmagic1): " + e.getMessage();
        } catch (UnsatisfiedLinkError e) {
            unavailable = e.getMessage();
        } catch (IllegalCallerException e) {
            unavailable = "native access is disabled: run java with --enable-native-access=ALL-UNNAMED";
        }
        MAGIC_OPEN = open;
        MAGIC_LOAD = load;
        MAGIC_DESCRIPTOR = descriptor;
        MAGIC_BUFFER = buffer;
        MAGIC_ERROR = error;
        MAGIC_CLOSE = close;
        UNAVAILABLE = unavailable;
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError(LIBRARY + " has no symbol " + name));
    }

    private MemorySegment cookie;

    private LibMagic(MemorySegment cookie) {
        this.cookie = cookie;
    }

    /** Opens a cookie and loads the default magic database. */
    public static LibMagic open() throws IOException {
        if (UNAVAILABLE != null) {
            throw new IOException("libmagic unavailable: " + UNAVAILABLE);
        }
        MemorySegment cookie;
        try {
            cookie = (MemorySegment) MAGIC_OPEN.invokeExact(MAGIC_FLAGS);
        } catch (Throwable t) {
            throw new IOException("magic_open: " + t, t);
        }
        if (cookie.equals(MemorySegment.NULL)) {
            throw new IOException("magic_open(MAGIC_ERROR) failed: out of memory or bad flags");
        }
        LibMagic magic = new LibMagic(cookie);
        int rc;
        try {
            rc = (int) MAGIC_LOAD.invokeExact(cookie, MemorySegment.NULL); // NULL: the default database
        } catch (Throwable t) {
            magic.close();
            throw new IOException("magic_load: " + t, t);
        }
        if (rc != 0) {
            String why = magic.lastError();
            magic.close();
            throw new IOException("magic_load(default database) failed: " + why);
        }
        return magic;
    }

    /** Why libmagic cannot be used here, or null when it can. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    /**
     * Describes the open file {@code fd}. libmagic reads from the descriptor's current offset (and puts it
     * back), so pass a descriptor positioned at 0.
     */
    public String describe(int fd) throws IOException {
        if (fd < 0) {
            throw new IOException("magic_descriptor(fd " + fd + "): not a descriptor"); // libmagic would say "empty"
        }
        MemorySegment text;
        try {
            text = (MemorySegment) MAGIC_DESCRIPTOR.invokeExact(liveCookie(), fd);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("magic_descriptor(fd " + fd + "): " + t, t);
        }
        if (text.equals(MemorySegment.NULL)) {
            throw new IOException("magic_descriptor(fd " + fd + ") failed: " + lastError());
        }
        return text.getString(0);
    }

    /** Describes {@code length} bytes of {@code data} (used when there is no descriptor to hand). */
    public String describe(MemorySegment data, long length) throws IOException {
        MemorySegment text;
        try {
            text = (MemorySegment) MAGIC_BUFFER.invokeExact(liveCookie(), data, length);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("magic_buffer(" + length + " bytes): " + t, t);
        }
        if (text.equals(MemorySegment.NULL)) {
            throw new IOException("magic_buffer(" + length + " bytes) failed: " + lastError());
        }
        return text.getString(0);
    }

    private MemorySegment liveCookie() throws IOException {
        if (cookie == null) {
            throw new IOException("libmagic cookie already closed");
        }
        return cookie;
    }

    private String lastError() {
        try {
            MemorySegment text = (MemorySegment) MAGIC_ERROR.invokeExact(cookie);
            return text.equals(MemorySegment.NULL) ? "no error text" : text.getString(0);
        } catch (Throwable t) {
            return "magic_error failed: " + t;
        }
    }

    @Override
    public void close() {
        if (cookie == null) {
            return;
        }
        try {
            MAGIC_CLOSE.invokeExact(cookie);
        } catch (Throwable t) {
            throw new IllegalStateException("magic_close: " + t, t);
        } finally {
            cookie = null;
        }
    }
}
