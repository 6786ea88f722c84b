package dev.mapscribe.recorder.enrich;

import dev.mapscribe.formats.raw.KernelRecord.FileRef;

/**
 * What makes two mappings "the same file" for enrichment: the inode on its device, and its ctime and size when
 * it was mapped (a rewritten file changes ctime, so it is hashed again).
 */
record FileKey(int dev, long ino, long ctimeSec, int ctimeNsec, long size) {
    static FileKey of(FileRef file) {
        return new FileKey(file.dev(), file.ino(), file.ctimeSec(), file.ctimeNsec(), file.size());
    }
}
