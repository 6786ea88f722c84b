package dev.mapscribe.recorder.ring;

import dev.mapscribe.recorder.sys.Libc;
import java.io.IOException;

/**
 * Sleeps on a BPF ring buffer's epoll descriptor until the kernel wakes it (a record submitted with a wake-up), another
 * thread calls {@link #wake()} (to stop it), or a timeout passes. Waits belong to one thread, like the Libc it is given.
 */
public final class RingWait implements AutoCloseable {
    private final Libc libc;
    private final int epfd;
    private final int wakeFd; // an eventfd in the same epoll set: wake() makes it readable
    private boolean closed; // guarded by this: wake() must never write to a descriptor number close() gave back

    public RingWait(Libc libc, int ringFd) throws IOException {
        this.libc = libc;
        this.epfd = Libc.epollWatch(ringFd);
        try {
            this.wakeFd = Libc.eventfd();
        } catch (IOException e) {
            libc.close(epfd);
            throw e;
        }
        try {
            Libc.epollAdd(epfd, wakeFd);
        } catch (IOException e) {
            libc.close(wakeFd);
            libc.close(epfd);
            throw e;
        }
    }

    /** Waits up to {@code ns} (in whole milliseconds, at least one); true when the kernel or {@link #wake()} woke us. */
    public boolean upTo(long ns) throws IOException {
        return libc.epollWait(epfd, (int) Math.min(Integer.MAX_VALUE, Math.max(1, ns / 1_000_000)));
    }

    /**
     * Ends the wait running now, or the next one if none is (the eventfd stays readable, and the edge it made is
     * reported once); from any thread, to stop the waiting one. Nothing after close(). A failure to (not expected of
     * an eventfd) leaves the waiter its timeout, if any: it is not the caller's to handle.
     */
    public synchronized void wake() {
        if (closed) {
            return;
        }
        try {
            Libc.eventfdSignal(wakeFd);
        } catch (IOException e) {
            // see above
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        libc.close(wakeFd);
        libc.close(epfd);
    }
}
