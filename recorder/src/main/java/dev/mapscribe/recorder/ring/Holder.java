package dev.mapscribe.recorder.ring;

import dev.mapscribe.recorder.sys.Libc;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The holder thread: sleeps on the kernel's ring of hold requests (bpf/mapscribe.h, struct ms_hold_request) and
 * hands each one over (to Enricher#holdEarly) the moment it is submitted, so that the file of a process that lives
 * a millisecond is held before the process exits.
 *
 * <p>Woken, a normal thread, even at nice -4, waits for the CPU behind the host's other work (the kernel's
 * autogroups share the CPU between sessions before nice counts): under two busy loops, 3-15 of 20 fileless stages
 * of /bin/true were lost (docs/SNAPSHOT-AND-ENRICHMENT.md, "A real-time holder"). So this thread runs under
 * SCHED_FIFO priority 1, the lowest real-time priority (above normal threads only), and sleeps but for those
 * requests: a few per new executable file, none for the storm. The writer, which wakes every millisecond under
 * load, stays a normal thread: as a real-time one it slowed the storm (1.16x against 1.11x).
 */
public final class Holder implements AutoCloseable {
    private static final int RT_PRIORITY = 1;
    private static final int NICE = -4; // the writer's
    // close() wakes the thread (RingWait.wake()): this only bounds a stop whose wake-up never came
    private static final long STOP_CHECK_NS = 1_000_000_000;

    private final RingReader requests;
    private final int ringFd;
    private final Consumer<HoldRequest> sink;
    private final boolean realtime;
    private final PrintStream err;
    private final CompletableFuture<String> scheduling = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile RingWait waiting; // the thread's, while it runs: close() wakes it
    private boolean failed; // the holder thread's own

    private Holder(RingReader requests, int ringFd, Consumer<HoldRequest> sink, boolean realtime, PrintStream err) {
        this.requests = requests;
        this.ringFd = ringFd;
        this.sink = sink;
        this.realtime = realtime;
        this.err = err;
        this.thread = new Thread(this::run, "mapscribe-holder");
        thread.setDaemon(true);
    }

    /**
     * Starts the thread on the hold-request ring {@code ringFd} of {@code ringBytes}, under SCHED_FIFO when
     * {@code realtime} (else, or when refused, at nice -4), and returns once it is scheduled.
     */
    public static Holder start(int ringFd, long ringBytes, Consumer<HoldRequest> sink, boolean realtime,
                               PrintStream err) throws IOException {
        Holder h = new Holder(new RingReader(ringFd, ringBytes), ringFd, sink, realtime, err);
        h.thread.start();
        h.scheduling.join(); // set first thing by the thread
        return h;
    }

    /** How the thread is scheduled: "SCHED_FIFO 1", or "nice -4" (or "nice 0") with why not SCHED_FIFO. */
    public String scheduling() {
        return scheduling.join();
    }

    private void run() {
        scheduling.complete(schedule());
        try (Libc libc = new Libc(); RingWait wait = new RingWait(libc, ringFd); requests) {
            RingReader.RecordSink each = (ring, at, length) -> {
                try {
                    sink.accept(HoldRequest.at(ring, at));
                } catch (RuntimeException e) {
                    // One request's failure must not end the holder for the rest of the recording: said once.
                    if (!failed) {
                        failed = true;
                        err.println("mapscribe: a hold request failed (" + e + "); the writer holds that file");
                    }
                }
                return true;
            };
            waiting = wait;
            while (!stopping) {
                requests.drain(each);
                wait.upTo(STOP_CHECK_NS); // a hold request, or close()
            }
        } catch (Throwable t) {
            // The writer still holds every file when it drains its record: only the head start is gone.
            err.println("mapscribe: the holder thread stopped (" + t + "); files are still held by the writer");
        }
    }

    private String schedule() {
        String refused = "";
        if (realtime) {
            try {
                Libc.realtimeCurrentThread(RT_PRIORITY);
                return "SCHED_FIFO " + RT_PRIORITY;
            } catch (IOException e) {
                refused = " (SCHED_FIFO refused: " + e.getMessage() + ")";
            }
        }
        try {
            Libc.niceCurrentThread(NICE);
            return "nice " + NICE + refused;
        } catch (IOException e) {
            return "nice 0 (nice " + NICE + " refused: " + e.getMessage() + ")" + refused; // without CAP_SYS_NICE
        }
    }

    /** Stops the thread and waits for it: no request is handed over after this returns. */
    @Override
    public void close() {
        stopping = true;
        RingWait w = waiting;
        if (w != null) {
            w.wake(); // after stopping: the thread either sees it before it waits, or is woken
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
