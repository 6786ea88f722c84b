package dev.mapscribe.recorder.ring;

import dev.mapscribe.recorder.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Reads a BPF_MAP_TYPE_RINGBUF by mapping it directly, as the kernel lays it out:
 * <pre>
 *   offset 0              consumer page: consumer_pos (we write it)        mapped RW
 *   offset page           producer page: producer_pos (the kernel writes)  mapped RO
 *   offset 2*page         data, size bytes, mapped twice back to back     (RO, same mapping)
 * </pre>
 * Each record is an 8-byte header (u32 length with BUSY bit 31 and DISCARD bit 30, u32 page offset)
 * followed by the payload, the whole rounded up to 8 bytes. The double mapping of the data area makes
 * a record that wraps around the end contiguous, so a record is always one slice.
 *
 * <p>Not thread-safe: one thread drains.
 */
public final class RingReader implements AutoCloseable {
    private static final int BUSY_BIT = 1 << 31;
    private static final int DISCARD_BIT = 1 << 30;
    private static final int HEADER = 8;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    /** Receives each committed record's payload: a slice of {@code ring} at [offset, offset + length). */
    public interface RecordSink {
        /** Returns false to stop draining (e.g. its buffer is full); the record is then read again next time. */
        boolean accept(MemorySegment ring, long offset, int length);
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment consumer;
    private final MemorySegment producer;
    private final long dataOffset;
    private final long mask;
    /** Our copy of consumer_pos: only we write it, so no need to read it back from the page. */
    private long consumerPos;

    public RingReader(int ringFd, long ringBytes) throws IOException {
        long page = Libc.pageSize();
        this.consumer = Libc.mmapShared(arena, ringFd, page, Libc.PROT_READ | Libc.PROT_WRITE, 0);
        this.producer = Libc.mmapShared(arena, ringFd, page + 2 * ringBytes, Libc.PROT_READ, page);
        this.dataOffset = page;
        this.mask = ringBytes - 1;
        this.consumerPos = (long) LONG.getAcquire(consumer, 0L);
    }

    /**
     * Hands every committed record to {@code sink}, in order, and frees their space. Stops at the first
     * record the kernel is still writing (BUSY), at the producer position, or when the sink says so.
     * Returns the number of records handed over.
     */
    public int drain(RecordSink sink) {
        long cons = consumerPos;
        // Acquire: pairs with the kernel's smp_store_release(producer_pos) in bpf_ringbuf_reserve, so every
        // record header below producer_pos is at least reserved (its length word holds BUSY or the length).
        long prod = (long) LONG.getAcquire(producer, 0L);
        int n = 0;
        while (cons < prod) {
            long hdr = dataOffset + (cons & mask);
            // Acquire: the kernel commits a record with xchg() on this word (clearing BUSY) after writing its
            // payload; an acquire load that sees BUSY clear therefore also sees the complete payload.
            int len = (int) INT.getAcquire(producer, hdr);
            if ((len & BUSY_BIT) != 0) {
                break; // reserved but not yet submitted: later records wait for it (the ring is in order)
            }
            int size = len & ~(BUSY_BIT | DISCARD_BIT);
            if ((len & DISCARD_BIT) == 0) {
                if (!sink.accept(producer, hdr + HEADER, size)) {
                    break;
                }
                n++;
            }
            cons += (size + HEADER + 7) & ~7L;
        }
        if (cons != consumerPos) {
            consumerPos = cons;
            // Release: the payloads above were copied out before the kernel may reuse their space, which it
            // does once it reads this position (smp_load_acquire(consumer_pos) in the reserve path).
            LONG.setRelease(consumer, 0L, cons);
        }
        return n;
    }

    /** Bytes committed or reserved but not yet consumed. */
    public long pendingBytes() {
        return (long) LONG.getAcquire(producer, 0L) - consumerPos;
    }

    @Override
    public void close() {
        arena.close();
    }
}
