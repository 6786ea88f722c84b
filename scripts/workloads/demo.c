// The bundled demo workload that `mapscribe demo` records: a small, readable program that does, on
// purpose, what memory-execution detection is about. Each step prints a CLOCK_MONOTONIC stamp (the
// same clock as the journal's ts_ns), so its output can be lined up with the exported tables.
//
//   1. loads libraries (dlopen libm, libz when present)              -> mmap_exec of each library
//   2. JIT: anonymous RW page, writes code, mprotect RX, calls it    -> "Protection changed to Executable!"
//   3. memfd: writes code, maps it RW and separately RX, runs it     -> mmap_exec of "/memfd:mapscribe-demo-jit (deleted)"
//   4. a file deleted before it is mapped executable, runs code      -> mmap_exec of "... (deleted)"
//   5. anonymous RWX mapping                                         -> "Mmaped region with W+E permissions!"
//   6. flips the JIT page RX -> RWX -> RX                            -> "from E to W+E!", then "from W+E to E!"
//   7. forks and execs a small tree: itself as "child", which runs /bin/sh -c "/bin/true; /bin/echo hi"
//   8. staged memfd: maps it RW, writes code, mprotect RX, runs it   -> "Protection changed to Executable!" on
//      "/memfd:mapscribe-demo-staged (deleted)", whose bytes the recorder hashes although no mmap had PROT_EXEC
//   9. System V shared memory attached executable (SHM_EXEC), kept out of core dumps (MADV_DONTDUMP), code
//      written and run through it                                    -> mmap_exec via shmat of "/SYSV... (deleted)",
//      a region whose vm_flags hold VM_DONTDUMP
//  10. ptrace injection: a child with an r-x page stops for its parent, which writes code into that page with
//      PTRACE_POKETEXT (through its protection, as injectors do), and again through the child's memory file
//      /proc/PID/mem, by pwrite and by an io_uring write request, and stages a copy in two ranges of its writable
//      data with process_vm_writev; the child runs it -> syscalls rows of ptrace (TRACEME, POKETEXT), of the openat
//      of /proc/PID/mem, of the pwrite64 and the io_uring_write to it and of the process_vm_writev, and a
//      memory_writes row per range written, which the triage notebook joins with the child's regions (code written
//      into r-x memory)
//  11. READ_IMPLIES_EXEC: a child sets the personality, maps a page PROT_READ|PROT_WRITE and runs code from it
//                                                                    -> a personality row, an rwx region whose mmap asked
//                                                                       for no PROT_EXEC, "Mmaped region with W+E permissions!"
//  12. userfaultfd: a child maps an R-X page, registers it with a userfaultfd and fills it with UFFDIO_COPY, which maps
//      the page with the range's own protection: code in memory that was never writable, no mprotect, no alert; the
//      child runs it                                                 -> a memory_writes row (ioctl UFFDIO_COPY) into r-x
//                                                                       memory, which the triage notebook shows
//  13. a memfd cleaned after its code ran: code written, mapped RX and run, then overwritten with zeros and its times
//      set back to what they were (timestomping: its mtime looks unwritten)
//                                                                    -> the mmap_exec row of
//      "/memfd:mapscribe-demo-cleaned (deleted)" has no hashes and says the file changed after it was mapped (its
//      ctime moved; or while it was hashed, when the recorder's read came first), and `files` has the zeros' hashes
//      under its new ctime
//  14. a child hides behind its exited first thread: its main thread calls exit(2), not exit_group, while a second
//      thread runs on, so /proc/PID shows a zombie (no exe, cmdline or maps through the pid); the second thread maps
//      a page RWX and runs code from it                             -> processes.leader_exited of the child, and its
//                                                                       "Mmaped region with W+E permissions!" after it
//
// Build: cc -O2 -Wall -o demo demo.c -ldl -lpthread        Run: ./demo   (about 5 seconds)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/uio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>
#include "uring.h"
#include "leader.h"
#include <signal.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

#define PAGE 4096

typedef int (*code_fn)(void);

// The code every step runs: returns 42. Machine code for the two architectures we build on.
#if defined(__x86_64__)
static const unsigned char CODE[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3};  // mov eax, 42; ret
#elif defined(__aarch64__)
static const unsigned char CODE[] = {0x40, 0x05, 0x80, 0x52, 0xc0, 0x03, 0x5f, 0xd6};  // mov w0, #42; ret
#else
#error "demo.c has machine code for x86-64 and aarch64 only"
#endif

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// One line per step: "[monotonic ns] pid N: what happened". Unbuffered so forked children do not repeat it.
static void say(const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stdout, "[%lld] pid %d: %s\n", now_ns(), (int)getpid(), line);
    fflush(stdout);
}

static void die(const char *what) {
    fprintf(stderr, "demo: %s failed: %s\n", what, strerror(errno));
    exit(1);
}

static void pause_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

// Runs the code at addr (the caller made it executable) and checks it returned 42.
static void run_code(void *addr, const char *where) {
    __builtin___clear_cache((char *)addr, (char *)addr + sizeof CODE);  // needed on aarch64, a no-op on x86-64
    int r = ((code_fn)addr)();
    say("ran code from %s at %p: returned %d", where, addr, r);
    if (r != 42) { fprintf(stderr, "demo: code returned %d, expected 42\n", r); exit(1); }
}

static void load_libraries(void) {
    const char *libs[] = {"libm.so.6", "libz.so.1"};
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        void *h = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
        if (h == NULL) { say("dlopen %s: not present (%s), skipped", libs[i], dlerror()); continue; }
        say("dlopen %s: loaded at handle %p", libs[i], h);  // kept open: its mapping stays in the region map
    }
}

// JIT style: write while writable, then flip to executable. Returns the page, left RX.
static void *jit_rw_to_rx(void) {
    void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap RW");
    memcpy(p, CODE, sizeof CODE);
    say("jit: mmap RW anonymous page at %p, wrote %zu bytes of code", p, sizeof CODE);
    if (mprotect(p, PAGE, PROT_READ | PROT_EXEC) != 0) die("mprotect RX");
    say("jit: mprotect %p RW -> RX", p);
    run_code(p, "jit page");
    return p;
}

// A memfd holds code that never touches the disk: one shared RW view to write, one RX view to run.
static void memfd_rw_and_rx(void) {
    int fd = memfd_create("mapscribe-demo-jit", MFD_CLOEXEC);
    if (fd < 0) die("memfd_create");
    if (ftruncate(fd, PAGE) != 0) die("ftruncate memfd");
    void *rw = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (rw == MAP_FAILED) die("mmap memfd RW");
    memcpy(rw, CODE, sizeof CODE);
    say("memfd: memfd_create fd %d, mmap RW shared at %p, wrote code", fd, rw);
    void *rx = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    if (rx == MAP_FAILED) die("mmap memfd RX");
    say("memfd: mmap RX shared at %p (same pages, second view)", rx);
    run_code(rx, "memfd RX view");
    close(fd);  // the mappings keep the memfd alive
}

// A loader's staging: code written into a memfd through a writable mapping, which is then made executable by
// mprotect. No mmap ever had PROT_EXEC, so no mmap_exec row names it: only the alert, and the files table.
static void staged_memfd(void) {
    int fd = memfd_create("mapscribe-demo-staged", MFD_CLOEXEC);
    if (fd < 0) die("memfd_create staged");
    if (ftruncate(fd, PAGE) != 0) die("ftruncate staged");
    void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) die("mmap staged RW");
    close(fd);  // the mapping keeps the memfd alive
    memcpy(p, CODE, sizeof CODE);
    say("staged: memfd mapped RW shared at %p, wrote code", p);
    if (mprotect(p, PAGE, PROT_READ | PROT_EXEC) != 0) die("mprotect staged RX");
    say("staged: mprotect %p RW -> RX", p);
    run_code(p, "staged memfd");
}

// A file unlinked before it is mapped: the kernel names it "PATH (deleted)" and only
// /proc/PID/map_files can still read it.
static void deleted_file_rx(void) {
    char path[] = "/tmp/mapscribe-demo-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) die("mkstemp");
    unsigned char page[PAGE] = {0};
    memcpy(page, CODE, sizeof CODE);
    if (write(fd, page, sizeof page) != (ssize_t)sizeof page) die("write code file");
    if (unlink(path) != 0) die("unlink");
    say("deleted: wrote code to %s and unlinked it", path);
    void *rx = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    if (rx == MAP_FAILED) die("mmap deleted file RX");
    say("deleted: mmap RX private at %p", rx);
    run_code(rx, "deleted file");
    close(fd);
}

static void anonymous_rwx(void) {
    void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap RWX");
    say("rwx: mmap RWX anonymous page at %p", p);
    memcpy(p, CODE, sizeof CODE);
    run_code(p, "rwx page");
}

static void flip_rx_rwx_rx(void *jit) {
    if (mprotect(jit, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) die("mprotect RWX");
    say("flip: mprotect %p RX -> RWX", jit);
    ((unsigned char *)jit)[1] = 0x2a;  // patch the code in place while writable, as a JIT does
    if (mprotect(jit, PAGE, PROT_READ | PROT_EXEC) != 0) die("mprotect back to RX");
    say("flip: mprotect %p RWX -> RX", jit);
    run_code(jit, "patched jit page");
}

static void shm_exec(void) {
    int id = shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0600);
    if (id < 0) die("shmget");
    void *p = shmat(id, NULL, SHM_EXEC);  // read, write and exec: kunai's hook sees it as a file mapped executable
    if (p == (void *)-1) die("shmat");
    shmctl(id, IPC_RMID, NULL);  // the segment goes once detached: nothing left behind in ipcs
    say("shm: shmat segment %d with SHM_EXEC at %p", id, p);
    if (madvise(p, PAGE, MADV_DONTDUMP) != 0) die("madvise MADV_DONTDUMP");
    say("shm: madvise %p MADV_DONTDUMP (no core dump would hold it)", p);
    memcpy(p, CODE, sizeof CODE);
    run_code(p, "shm segment");
    // Attached for a while, as a stage that is used would be (detached at once, it can be gone before the
    // recorder holds it: a segment lives in no file system, only in its attachments)
    pause_ms(300);
    if (shmdt(p) != 0) die("shmdt");
    say("shm: shmdt %p", p);
}

static int wait_for(pid_t pid, const char *what);

// personality(READ_IMPLIES_EXEC): PROT_READ now implies PROT_EXEC, so an RW page comes out RWX and runs code, though no
// call asked for PROT_EXEC. A child does it, so the demo's own later mappings are not touched.
static void read_implies_exec(void) {
    pid_t c = fork();
    if (c < 0) die("fork");
    if (c == 0) {
        if (personality(READ_IMPLIES_EXEC) < 0) die("personality");
        void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) die("mmap RW");
        memcpy(p, CODE, sizeof CODE);
        say("rie: personality READ_IMPLIES_EXEC, mmap PROT_READ|PROT_WRITE at %p (no PROT_EXEC asked)", p);
        run_code(p, "a page mapped without PROT_EXEC");
        _exit(0);
    }
    wait_for(c, "rie: child");
}

// A memfd whose code ran, cleaned at once: overwritten with zeros, its atime and mtime set back to what they were, so
// that its mtime looks unwritten. Hashes taken now would be the zeros' under the identity the mapping had.
static void cleaned_memfd(void) {
    int fd = memfd_create("mapscribe-demo-cleaned", MFD_CLOEXEC);
    if (fd < 0) die("memfd_create cleaned");
    unsigned char page[PAGE] = {0};
    memcpy(page, CODE, sizeof CODE);
    if (write(fd, page, sizeof page) != (ssize_t)sizeof page) die("write cleaned memfd");
    void *rx = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    if (rx == MAP_FAILED) die("mmap cleaned memfd RX");
    run_code(rx, "a memfd about to be cleaned");
    struct stat before;
    if (fstat(fd, &before) != 0) die("fstat cleaned memfd");
    memset(page, 0, sizeof page);
    if (pwrite(fd, page, sizeof page, 0) != (ssize_t)sizeof page) die("pwrite cleaned memfd");
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    if (futimens(fd, times) != 0) die("futimens cleaned memfd");
    say("cleaned: memfd code ran at %p, then overwritten with zeros and its times set back (timestomped)", rx);
    close(fd);  // the mapping keeps the memfd alive
}

// userfaultfd: pages filled by UFFDIO_COPY get the range's protection, so code lands in an R-X page that never had W.
// A child does it (a userfaultfd refused here, as under vm.unprivileged_userfaultfd=0 for kernel faults, skips it).
static void userfaultfd_fill(void) {
    pid_t c = fork();
    if (c < 0) die("fork");
    if (c == 0) {
        unsigned char *rx = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (rx == MAP_FAILED) die("mmap RX");
        int uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
        struct uffdio_api api = {.api = UFFD_API};
        struct uffdio_register reg = {.range = {(uintptr_t)rx, PAGE}, .mode = UFFDIO_REGISTER_MODE_MISSING};
        if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) != 0 || ioctl(uffd, UFFDIO_REGISTER, &reg) != 0) {
            say("uffd: userfaultfd refused here (%s), skipped", strerror(errno));
            _exit(0);
        }
        static unsigned char src[PAGE] __attribute__((aligned(PAGE)));
        memcpy(src, CODE, sizeof CODE);
        struct uffdio_copy copy = {.dst = (uintptr_t)rx, .src = (uintptr_t)src, .len = PAGE, .mode = 0};
        if (ioctl(uffd, UFFDIO_COPY, &copy) != 0) die("UFFDIO_COPY");
        say("uffd: filled the r-x page at %p with UFFDIO_COPY (never writable, no mprotect)", (void *)rx);
        run_code(rx, "a page filled through a userfaultfd");
        _exit(0);
    }
    wait_for(c, "uffd: child");
}

static void ptrace_inject(void) {
    void *page = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) die("mmap RX");
    pid_t c = fork();
    if (c < 0) die("fork");
    if (c == 0) {
        if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) _exit(2);  // refused where ptrace is switched off (Yama 3)
        raise(SIGSTOP);
        __builtin___clear_cache((char *)page, (char *)page + sizeof CODE);
        _exit(((code_fn)page)() == 42 ? 0 : 1);  // the code its parent wrote
    }
    int status;
    while (waitpid(c, &status, 0) < 0) { if (errno != EINTR) die("waitpid"); }
    if (!WIFSTOPPED(status)) {
        say("inject: the child could not be traced (ptrace refused here), skipped");
        return;
    }
    say("inject: child %d stopped for its tracer, an r-x page at %p", (int)c, page);
    for (size_t i = 0; i < sizeof CODE; i += sizeof(long)) {
        long word = 0;  // the page is zero-filled: the code, then zeros
        memcpy(&word, CODE + i, sizeof CODE - i < sizeof word ? sizeof CODE - i : sizeof word);
        if (ptrace(PTRACE_POKETEXT, c, (char *)page + i, (void *)word) != 0) die("ptrace POKETEXT");
    }
    say("inject: ptrace POKETEXT wrote %zu bytes of code into pid %d's r-x page at %p", sizeof CODE, (int)c, page);
    // The same bytes again through the child's memory file, as `dd of=/proc/PID/mem` would write them
    char mem[64];
    snprintf(mem, sizeof mem, "/proc/%d/mem", (int)c);
    int fd = open(mem, O_RDWR | O_CLOEXEC);
    if (fd < 0 || pwrite(fd, CODE, sizeof CODE, (off_t)(uintptr_t)page) != (ssize_t)sizeof CODE) die("write /proc/PID/mem");
    say("inject: wrote the same code again through %s (opened for writing)", mem);
    // And a third time through an io_uring: the ring's write request passes no write call
    struct uring u;
    int ur = uring_open(&u, 4);
    if (ur == 0) {
        struct io_uring_sqe sqe;
        memset(&sqe, 0, sizeof sqe);
        sqe.opcode = IORING_OP_WRITE;
        sqe.fd = fd;
        sqe.addr = (uintptr_t)CODE;
        sqe.len = sizeof CODE;
        sqe.off = (uintptr_t)page;
        long res = uring_run(&u, &sqe);
        if (res != (long)sizeof CODE) die("io_uring write /proc/PID/mem");
        uring_close(&u);
        say("inject: and again by an io_uring write request to %s (no write call)", mem);
    } else {
        say("inject: io_uring refused here (%s), its write skipped", strerror(-ur));
    }
    close(fd);
    // process_vm_writev writes only where the child's pages are writable: a copy staged in its data, in two ranges
    static unsigned char staging[128];
    struct iovec local = {(void *)CODE, sizeof CODE}, remote[2] = {{staging, 4}, {staging + 64, sizeof CODE - 4}};
    if (process_vm_writev(c, &local, 1, remote, 2, 0) != (ssize_t)sizeof CODE) die("process_vm_writev");
    say("inject: and staged a copy in two ranges of its writable data with process_vm_writev (%p, %p)", (void *)staging,
        (void *)(staging + 64));
    if (ptrace(PTRACE_CONT, c, NULL, NULL) != 0) die("ptrace CONT");
    if (wait_for(c, "inject: child that ran the injected code") != 0) {
        fprintf(stderr, "demo: the injected code did not run\n");
        exit(1);
    }
}

static int wait_for(pid_t pid, const char *what) {
    int status;
    while (waitpid(pid, &status, 0) < 0) { if (errno != EINTR) die("waitpid"); }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    say("%s (pid %d) exited with %d", what, (int)pid, code);
    return code;
}

// The child role: the second level of the tree. It loads a library of its own, then forks a
// shell that runs two more programs.
static int child_role(void) {
    say("child: started by exec, parent %d", (int)getppid());
    void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
    say("child: dlopen libz.so.1: %s", h ? "loaded" : "not present");
    pid_t sh = fork();
    if (sh < 0) die("fork");
    if (sh == 0) {
        execl("/bin/sh", "sh", "-c", "/bin/true; /bin/echo hi", (char *)NULL);
        die("exec /bin/sh");
    }
    say("child: forked %d to exec /bin/sh -c \"/bin/true; /bin/echo hi\"", (int)sh);
    return wait_for(sh, "child: shell");
}

static int fork_exec_tree(const char *self) {
    // The real path of this program, whatever the current directory and PATH were. Exec'ing
    // /proc/self/exe directly would work too, but the child's comm would then read "exe".
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n < 0) die("readlink /proc/self/exe");
    path[n] = '\0';
    pid_t c = fork();
    if (c < 0) die("fork");
    if (c == 0) {
        execl(path, self, "child", (char *)NULL);
        die("exec self");
    }
    say("tree: forked %d to exec %s child", (int)c, path);
    return wait_for(c, "tree: child");
}

static void *outlive_leader(void *unused) {
    (void)unused;
    if (await_leader_exit() != 0) die("read /proc/PID/stat");  // until the first thread is gone
    void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap RWX behind the exited leader");
    memcpy(p, CODE, sizeof CODE);
    say("hidden: first thread gone (/proc/%d shows a zombie), thread %ld mapped RWX at %p", (int)getpid(),
        (long)syscall(SYS_gettid), p);
    run_code(p, "a thread whose first thread exited");
    exit(0);  // exit_group: the whole child ends
}

static void leader_exits(void) {
    pid_t c = fork();
    if (c < 0) die("fork");
    if (c == 0) {
        pthread_t t;
        if (pthread_create(&t, NULL, outlive_leader, NULL) != 0) die("pthread_create");
        say("hidden: child ends its first thread with exit(2); its second thread runs on");
        syscall(SYS_exit, 0);  // this thread only
    }
    wait_for(c, "hidden: child");
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) return child_role();
    say("demo: start (pid %d, ppid %d); clock CLOCK_MONOTONIC ns", (int)getpid(), (int)getppid());
    // Pauses spread the steps over ~4 s so that they are easy to tell apart on a timeline.
    load_libraries();
    pause_ms(500);
    void *jit = jit_rw_to_rx();
    pause_ms(500);
    memfd_rw_and_rx();
    pause_ms(500);
    deleted_file_rx();
    pause_ms(500);
    anonymous_rwx();
    pause_ms(500);
    flip_rx_rwx_rx(jit);
    pause_ms(500);
    int rc = fork_exec_tree(argv[0]);
    pause_ms(500);
    staged_memfd();
    pause_ms(500);
    shm_exec();
    pause_ms(500);
    ptrace_inject();
    pause_ms(300);
    read_implies_exec();
    pause_ms(300);
    userfaultfd_fill();
    pause_ms(300);
    cleaned_memfd();
    pause_ms(300);
    leader_exits();
    pause_ms(300);
    say("demo: done");
    return rc;
}
