package dev.mapscribe.analyzer.replay;

import dev.mapscribe.formats.raw.UserRecord.FileInfo;

/**
 * A file the recorder identified and hashed, or tried to (its {@code files} row): every one of them, also the files
 * of processes that already ran when the recording started, whose hashes no mmap_exec row carries.
 */
public record FileRow(String host, long tsNs, long utcNs, FileInfo info) {}
