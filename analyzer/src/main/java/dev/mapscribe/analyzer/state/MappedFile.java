package dev.mapscribe.analyzer.state;

/**
 * The file behind a region, as far as the recording knows it.
 *
 * @param path    path as the kernel resolved it; null when the recorder could not resolve the fd
 * @param dev     kernel dev_t of the file's superblock (major << 20 | minor), 0 when not known
 * @param inode   inode number, 0 when not known
 * @param ctimeNs inode change time in ns since the epoch, -1 when not known (snapshots carry none)
 * @param pathTruncated the kernel's path walk cut the leading part of {@code path} (too deep or too long);
 *                      /proc/PID/maps paths (the snapshot) are never cut
 */
public record MappedFile(String path, int dev, long inode, long ctimeNs, boolean pathTruncated) {
    public static final long CTIME_UNKNOWN = -1;

    /** A file whose path is whole. */
    public MappedFile(String path, int dev, long inode, long ctimeNs) {
        this(path, dev, inode, ctimeNs, false);
    }

    /** The unnamed shmem file the kernel creates for MAP_SHARED|MAP_ANONYMOUS; its inode is not recorded. */
    public static final MappedFile SHARED_ANON = new MappedFile("/dev/zero (deleted)", 0, 0, CTIME_UNKNOWN);

    public static int kernelDev(int major, int minor) {
        return (major << 20) | (minor & 0xfffff);
    }

    public int devMajor() {
        return dev >>> 20;
    }

    public int devMinor() {
        return dev & 0xfffff;
    }
}
