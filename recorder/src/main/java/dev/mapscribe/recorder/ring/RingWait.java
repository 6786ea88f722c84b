package dev.mapscribe.recorder.ring;

import dev.mapscribe.recorder.sys.Libc;
import java.io.IOException;

/**
 * Sleeps on a BPF ring buffer's epoll descriptor until the kernel wakes it (a record submitted with a wake-up) or a
 * timeout passes. Belongs to one thread, like the Libc it is given.
 */
public final class RingWait implements AutoCloseable {
    private final Libc libc;
    private final int epfd;

    public RingWait(Libc libc, int ringFd) throws IOException {
        this.libc = libc;
        this.epfd = Libc.epollWatch(ringFd);
    }

    /** Waits up to {@code ns} (in whole milliseconds, at least one); true when the kernel woke us. */
    public boolean upTo(long ns) throws IOException {
        return libc.epollWait(epfd, (int) Math.max(1, ns / 1_000_000));
    }

    @Override
    public void close() throws IOException {
        libc.close(epfd);
    }
}
