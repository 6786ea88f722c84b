package dev.mapscribe.recorder.bpf;

import dev.mapscribe.recorder.sys.Libc;
import java.io.IOException;

/** A failed libbpf or bpf(2) call: the call, the errno, and its text in one line. */
public final class BpfException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public BpfException(String call, int errno) {
        super(call + " failed: " + Libc.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public boolean refusedByKernel() {
        return errno == Libc.EPERM;
    }
}
