package dev.mapscribe.formats.raw;

/** Every record a journal holds: what the kernel emitted, or what the recorder added in user space. */
public sealed interface Record permits KernelRecord, UserRecord {
    RecordKind kind();
}
