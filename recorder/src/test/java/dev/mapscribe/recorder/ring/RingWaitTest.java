package dev.mapscribe.recorder.ring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.recorder.sys.Libc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link RingWait#wake()}, which stopping uses (Recorder.stop(), Holder.close()): it ends a wait another thread is in,
 * and a wake that comes before the wait is not lost (the stopping flag is set first: the waiter either sees it or is
 * woken). An eventfd nothing writes stands in for the ring, so only the wake can end the 30 s waits.
 */
class RingWaitTest {
    private static final long THIRTY_S = TimeUnit.SECONDS.toNanos(30);

    @Test
    void wakeEndsAWaitFromAnotherThread() throws Exception {
        assertTrue(waitWoken(false), "the wait slept its 30 s through the wake");
    }

    @Test
    void aWakeBeforeTheWaitIsNotLost() throws Exception {
        assertTrue(waitWoken(true), "the wait slept its 30 s: the wake before it was lost");
    }

    /** A thread's 30 s wait on a ring nothing writes, woken by this thread (before the wait begins, or during it). */
    private static boolean waitWoken(boolean before) throws Exception {
        int ring = Libc.eventfd();
        CompletableFuture<RingWait> made = new CompletableFuture<>();
        CountDownLatch mayWait = new CountDownLatch(1);
        CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(() -> {
            try (Libc libc = new Libc(); RingWait wait = new RingWait(libc, ring)) {
                made.complete(wait);
                mayWait.await();
                return wait.upTo(THIRTY_S);
            } catch (Exception e) {
                made.completeExceptionally(e);
                throw new IllegalStateException(e);
            }
        });
        RingWait wait = made.get(30, TimeUnit.SECONDS);
        if (before) {
            wait.wake();
            mayWait.countDown();
        } else {
            mayWait.countDown();
            Thread.sleep(200); // into the wait, most likely; either way the wake must end it
            wait.wake();
        }
        try {
            return woken.get(60, TimeUnit.SECONDS);
        } finally {
            try (Libc libc = new Libc()) {
                libc.close(ring);
            }
        }
    }
}
