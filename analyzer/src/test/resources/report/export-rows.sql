-- Rows shaped like an export of two real recordings: host demo-a ran scripts/workloads/demo.c
-- (pid 7736; its child 7890 and the shell tree under it), host demo-b ran a JVM whose JIT flips pages.
-- Times are CLOCK_MONOTONIC ns; at_ms(x) is x ms after the demo started. utc_time is filled in at the end
-- from each host's boot time, as the analyzer does (boot UTC + ts_ns).
CREATE TEMP MACRO at_ms(ms) AS CAST(406094000000 + round(CAST(ms AS DOUBLE) * 1e6) AS BIGINT);

INSERT INTO processes BY NAME
SELECT host, ts_ns, pid, pid AS tid, comm, ppid, start_ns, parent_start_ns, exit_ns, exit_code, exe_path, argv,
       array_to_string(argv, ' ') AS command_line, ancestors, 0 AS uid, 0 AS gid, 0 AS euid, 0 AS egid,
       4026531841 AS mnt_ns, execs, from_snapshot
FROM (VALUES
  ('demo-a', at_ms(-900), 1,    'systemd', 0,    1000000000,    NULL,          NULL,          NULL, '/usr/lib/systemd/systemd', ['/sbin/init'], NULL, 0, true),
  ('demo-a', at_ms(-900), 7723, 'bash',    1,    400100000000,  1000000000,    NULL,          NULL, '/usr/bin/bash', ['-bash'], '/usr/lib/systemd/systemd', 0, true),
  ('demo-a', at_ms(-2),   7736, 'demo',    7723, at_ms(-2),     400100000000,  at_ms(3510),   0,    '/work/main/target/workloads/demo', ['./demo'], '/usr/lib/systemd/systemd|/usr/bin/bash', 1, false),
  ('demo-a', at_ms(3002), 7890, 'demo',    7736, at_ms(3002),   at_ms(-2),     at_ms(3010),   0,    '/work/main/target/workloads/demo', ['./demo', 'child'], '/usr/lib/systemd/systemd|/usr/bin/bash|/work/main/target/workloads/demo', 1, false),
  ('demo-a', at_ms(3004), 7891, 'sh',      7890, at_ms(3004),   at_ms(3002),   at_ms(3009),   0,    '/usr/bin/dash', ['sh', '-c', '/bin/true; /bin/echo hi'], '/usr/lib/systemd/systemd|/usr/bin/bash|/work/main/target/workloads/demo|/work/main/target/workloads/demo', 1, false),
  ('demo-a', at_ms(3005), 7892, 'true',    7891, at_ms(3005),   at_ms(3004),   at_ms(3006),   0,    '/usr/bin/true', ['/bin/true'], '/usr/lib/systemd/systemd|/usr/bin/bash|/work/main/target/workloads/demo|/work/main/target/workloads/demo|/usr/bin/dash', 1, false),
  ('demo-a', at_ms(3007), 7893, 'echo',    7891, at_ms(3007),   at_ms(3004),   at_ms(3008),   0,    '/usr/bin/echo', ['/bin/echo', 'hi'], '/usr/lib/systemd/systemd|/usr/bin/bash|/work/main/target/workloads/demo|/work/main/target/workloads/demo|/usr/bin/dash', 1, false),
  ('demo-b', at_ms(-900), 1,    'systemd', 0,    1000000000,    NULL,          NULL,          NULL, '/usr/lib/systemd/systemd', ['/sbin/init'], NULL, 0, true),
  ('demo-b', at_ms(-900), 5100, 'java',    1,    300000000000,  1000000000,    NULL,          NULL, '/opt/jdk/bin/java', ['/opt/jdk/bin/java', '-jar', 'app.jar'], '/usr/lib/systemd/systemd', 0, true)
) t(host, ts_ns, pid, comm, ppid, start_ns, parent_start_ns, exit_ns, exit_code, exe_path, argv, ancestors, execs, from_snapshot);

INSERT INTO mmap_exec BY NAME
SELECT m.* EXCLUDE (content),
       md5(content) AS mapped_md5, left(sha256('sha1:' || content), 40) AS mapped_sha1, sha256(content) AS mapped_sha256,
       sha256('a:' || content) || sha256('b:' || content) AS mapped_sha512,
       p.ancestors, p.command_line, p.exe_path,
       'kernel' AS event_source, 41 AS event_id, 'mmap_exec' AS event_name,
       md5(m.host || m.ts_ns || m.tid) AS event_uuid, m.ts_ns // 1000000 AS event_batch,
       m.comm AS task_name, m.tid AS task_pid, m.pid AS task_tgid, 0 AS task_uid, 0 AS task_gid, 4026531841 AS task_mnt_ns,
       pp.comm AS parent_task_name, pp.pid AS parent_task_pid, pp.pid AS parent_task_tgid, 0 AS parent_task_uid,
       0 AS parent_task_gid, 4026531841 AS parent_task_mnt_ns
FROM (VALUES
  ('demo-a', at_ms(1),    7736, 7736, 'demo', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'ELF 64-bit LSB shared object, x86-64, version 1 (GNU/Linux), dynamically linked', 1922136, NULL, 8388609, 131090, 140164093673472, 1409024, 5, 2066, 163840, 140164093673472, false, 'libc-2.36-9'),
  ('demo-a', at_ms(120),  7736, 7736, 'demo', '/usr/lib/x86_64-linux-gnu/libm.so.6', 'ELF 64-bit LSB shared object, x86-64, version 1 (GNU/Linux), dynamically linked', 907784, NULL, 8388609, 131095, 140164092559360, 524288, 5, 2066, 57344, 140164092559360, false, 'libm-2.36-9'),
  ('demo-a', at_ms(178),  7736, 7736, 'demo', '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13', 'ELF 64-bit LSB shared object, x86-64, version 1 (SYSV), dynamically linked', 121280, NULL, 8388609, 131610, 140164092436480, 73728, 5, 2066, 8192, 140164092436480, false, 'zlib-1.2.13'),
  ('demo-a', at_ms(1011), 7736, 7736, 'demo', '/memfd:mapscribe-demo-jit (deleted)', 'data', 4096, NULL, 1, 5021, 140164096110592, 4096, 5, 1, 0, 140164096110592, false, 'memfd-code-b82a000000c3'),
  ('demo-a', at_ms(1511), 7736, 7736, 'demo', '/tmp/mapscribe-demo-A4y7sf (deleted)', 'data', 4096, NULL, 8388609, 262300, 140164096106496, 4096, 5, 2, 0, 140164096106496, false, 'deleted-code-b82a000000c3'),
  ('demo-a', at_ms(3003), 7890, 7890, 'demo', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'ELF 64-bit LSB shared object, x86-64, version 1 (GNU/Linux), dynamically linked', 1922136, NULL, 8388609, 131090, 139912221728768, 1409024, 5, 2066, 163840, 139912221728768, false, 'libc-2.36-9'),
  ('demo-a', at_ms(3004), 7890, 7890, 'demo', '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13', 'ELF 64-bit LSB shared object, x86-64, version 1 (SYSV), dynamically linked', 121280, NULL, 8388609, 131610, 139912220491776, 73728, 5, 2066, 8192, 139912220491776, false, 'zlib-1.2.13'),
  ('demo-a', at_ms(3005), 7891, 7891, 'sh',   '/usr/lib/x86_64-linux-gnu/libc.so.6', 'ELF 64-bit LSB shared object, x86-64, version 1 (GNU/Linux), dynamically linked', 1922136, NULL, 8388609, 131090, 140551930085376, 1409024, 5, 2066, 163840, 140551930085376, false, 'libc-2.36-9'),
  ('demo-b', at_ms(200),  5100, 5117, 'C2 CompilerThre', '/usr/lib/x86_64-linux-gnu/libz.so.1.2.11', 'ELF 64-bit LSB shared object, x86-64, version 1 (SYSV), dynamically linked', 108936, NULL, 8388609, 99001, 140200000000000, 73728, 5, 2066, 8192, 140200000000000, false, 'zlib-1.2.11'),
  ('demo-b', at_ms(210),  5100, 5117, 'C2 CompilerThre', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'ELF 64-bit LSB shared object, x86-64, version 1 (GNU/Linux), dynamically linked', 1922136, NULL, 8388609, 99002, 140200001000000, 1409024, 5, 2066, 163840, 140200001000000, false, 'libc-2.36-9'),
  ('demo-b', at_ms(900),  5100, 5120, 'java', '/dev/shm/.x (deleted)', NULL, NULL, 'open /proc/5100/map_files/7f8a00000000-7f8a00001000: No such file or directory', 22, 77, 0, 4096, 5, 2, 0, -13, true, NULL)
) m(host, ts_ns, pid, tid, comm, mapped_path, mapped_magic, mapped_size, mapped_error, mapped_dev, mapped_inode, addr, len, prot, flags, file_offset, ret, failed, content)
JOIN processes p ON p.host = m.host AND p.pid = m.pid
LEFT JOIN processes pp ON pp.host = p.host AND pp.pid = p.ppid;

INSERT INTO mem_prot_alert BY NAME
SELECT a.*, p.ppid, 0 AS uid, 0 AS gid, 4026531841 AS mnt_ns, p.exe_path, p.command_line, a.pid AS tid
FROM (VALUES
  ('demo-a', at_ms(511),    7736, 'demo', 'Protection changed to Executable!',   2, 'mprotect', 140164096118784, 4096, 5, 3,    140164096118784, 4096),
  ('demo-a', at_ms(2012),   7736, 'demo', 'Mmaped region with W+E permissions!', 1, 'mmap',     140164096102400, 4096, 7, NULL, 0,               4096),
  ('demo-a', at_ms(2512),   7736, 'demo', 'Protection changed from E to W+E!',   3, 'mprotect', 140164096118784, 4096, 7, 5,    140164096118784, 4096),
  ('demo-a', at_ms(2512.2), 7736, 'demo', 'Protection changed from W+E to E!',   4, 'mprotect', 140164096118784, 4096, 5, 7,    140164096118784, 4096),
  ('demo-b', at_ms(300),    5100, 'C2 CompilerThre', 'Protection changed to Executable!', 2, 'mprotect', 140300000000000, 65536, 5, 3, 140300000000000, 65536),
  ('demo-b', at_ms(1300),   5100, 'C2 CompilerThre', 'Protection changed to Executable!', 2, 'mprotect', 140300000065536, 65536, 5, 3, 140300000065536, 65536),
  ('demo-b', at_ms(2300),   5100, 'C1 CompilerThre', 'Protection changed to Executable!', 2, 'mprotect', 140300000131072, 65536, 5, 3, 140300000131072, 65536)
) a(host, ts_ns, pid, comm, alert, alert_id, syscall, addr, len, prot, prev_prot, syscall_addr, syscall_len)
JOIN processes p ON p.host = a.host AND p.pid = a.pid;

-- The demo's calls (nr: mmap 9, mprotect 10, munmap 11, clone 56, execve 59, exit_group 231).
INSERT INTO syscalls BY NAME
SELECT s.*, row_number() OVER (ORDER BY host, ts_ns) - 1 AS seq, ts_ns // 1000000 AS batch, 0 AS cpu,
       coalesce(s.ret < 0, false) AS failed, CASE WHEN s.ret < 0 THEN CAST(-s.ret AS INTEGER) END AS errno
FROM (VALUES
  ('demo-a', at_ms(-2),     7723, 7723, 'bash', 'clone', 56, 18874385, 0, 0, 0, 7736, NULL, NULL, NULL),
  ('demo-a', at_ms(-1),     7736, 7736, 'demo', 'execve', 59, 94000000000000, 94000000000100, 94000000000200, NULL, NULL, NULL, NULL, NULL),
  ('demo-a', at_ms(1),      7736, 7736, 'demo', 'mmap', 9, 140164093673472, 1409024, 5, 2066, 140164093673472, '/usr/lib/x86_64-linux-gnu/libc.so.6', 8388609, 131090),
  ('demo-a', at_ms(120),    7736, 7736, 'demo', 'mmap', 9, 140164092559360, 524288, 5, 2066, 140164092559360, '/usr/lib/x86_64-linux-gnu/libm.so.6', 8388609, 131095),
  ('demo-a', at_ms(178),    7736, 7736, 'demo', 'mmap', 9, 140164092436480, 73728, 5, 2066, 140164092436480, '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13', 8388609, 131610),
  ('demo-a', at_ms(510),    7736, 7736, 'demo', 'mmap', 9, 0, 4096, 3, 34, 140164096118784, NULL, NULL, NULL),
  ('demo-a', at_ms(511),    7736, 7736, 'demo', 'mprotect', 10, 140164096118784, 4096, 5, NULL, 0, NULL, NULL, NULL),
  ('demo-a', at_ms(1010),   7736, 7736, 'demo', 'mmap', 9, 0, 4096, 3, 1, 140164096114688, '/memfd:mapscribe-demo-jit (deleted)', 1, 5021),
  ('demo-a', at_ms(1011),   7736, 7736, 'demo', 'mmap', 9, 0, 4096, 5, 1, 140164096110592, '/memfd:mapscribe-demo-jit (deleted)', 1, 5021),
  ('demo-a', at_ms(1511),   7736, 7736, 'demo', 'mmap', 9, 0, 4096, 5, 2, 140164096106496, '/tmp/mapscribe-demo-A4y7sf (deleted)', 8388609, 262300),
  ('demo-a', at_ms(2012),   7736, 7736, 'demo', 'mmap', 9, 0, 4096, 7, 34, 140164096102400, NULL, NULL, NULL),
  ('demo-a', at_ms(2512),   7736, 7736, 'demo', 'mprotect', 10, 140164096118784, 4096, 7, NULL, 0, NULL, NULL, NULL),
  ('demo-a', at_ms(2512.2), 7736, 7736, 'demo', 'mprotect', 10, 140164096118784, 4096, 5, NULL, 0, NULL, NULL, NULL),
  ('demo-a', at_ms(2600),   7736, 7736, 'demo', 'mprotect', 10, 140164096118784, 4096, 15, NULL, -22, NULL, NULL, NULL),
  ('demo-a', at_ms(3002),   7736, 7736, 'demo', 'clone', 56, 18874385, 0, 0, 0, 7890, NULL, NULL, NULL),
  ('demo-a', at_ms(3002.5), 7890, 7890, 'demo', 'execve', 59, 94000000000000, 94000000000100, 94000000000200, NULL, NULL, NULL, NULL, NULL),
  ('demo-a', at_ms(3003),   7890, 7890, 'demo', 'mmap', 9, 139912221728768, 1409024, 5, 2066, 139912221728768, '/usr/lib/x86_64-linux-gnu/libc.so.6', 8388609, 131090),
  ('demo-a', at_ms(3004),   7890, 7890, 'demo', 'clone', 56, 18874385, 0, 0, 0, 7891, NULL, NULL, NULL),
  ('demo-a', at_ms(3004.5), 7891, 7891, 'sh', 'execve', 59, 94000000000000, 94000000000100, 94000000000200, NULL, NULL, NULL, NULL, NULL),
  ('demo-a', at_ms(3005),   7891, 7891, 'sh', 'clone', 56, 18874385, 0, 0, 0, 7892, NULL, NULL, NULL),
  ('demo-a', at_ms(3006),   7892, 7892, 'true', 'exit_group', 231, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ('demo-a', at_ms(3007),   7891, 7891, 'sh', 'clone', 56, 18874385, 0, 0, 0, 7893, NULL, NULL, NULL),
  ('demo-a', at_ms(3008),   7893, 7893, 'echo', 'exit_group', 231, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ('demo-a', at_ms(3009),   7891, 7891, 'sh', 'exit_group', 231, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ('demo-a', at_ms(3010),   7890, 7890, 'demo', 'exit_group', 231, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ('demo-a', at_ms(3510),   7736, 7736, 'demo', 'exit_group', 231, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ('demo-b', at_ms(200),    5100, 5117, 'C2 CompilerThre', 'mmap', 9, 140200000000000, 73728, 5, 2066, 140200000000000, '/usr/lib/x86_64-linux-gnu/libz.so.1.2.11', 8388609, 99001),
  ('demo-b', at_ms(300),    5100, 5117, 'C2 CompilerThre', 'mprotect', 10, 140300000000000, 65536, 5, NULL, 0, NULL, NULL, NULL),
  ('demo-b', at_ms(900),    5100, 5120, 'java', 'mmap', 9, 0, 4096, 5, 2, -13, '/dev/shm/.x (deleted)', 22, 77),
  ('demo-b', at_ms(1300),   5100, 5117, 'C2 CompilerThre', 'mprotect', 10, 140300000065536, 65536, 5, NULL, 0, NULL, NULL, NULL),
  ('demo-b', at_ms(2300),   5100, 5118, 'C1 CompilerThre', 'mprotect', 10, 140300000131072, 65536, 5, NULL, 0, NULL, NULL, NULL)
) s(host, ts_ns, pid, tid, comm, syscall, nr, arg0, arg1, arg2, arg3, ret, path, dev, inode);

-- Region versions. The demo's JIT page (0x7f7abc821000) goes rw- -> r-x -> rwx -> r-x; everything of pid 7736
-- ends at its exit (3510 ms). bash and java come from the start-up snapshot.
INSERT INTO regions BY NAME
SELECT r.*, r.valid_from_ns AS ts_ns, true AS known
FROM (VALUES
  ('demo-a', 7723, 'bash', 94500000000000,  94500000937984,  5, 2, '/usr/bin/bash', 8388609, 131001, 172032, at_ms(-900), NULL, 'snapshot'),
  ('demo-a', 7723, 'bash', 140000000000000, 140000001409024, 5, 2, '/usr/lib/x86_64-linux-gnu/libc.so.6', 8388609, 131090, 163840, at_ms(-900), NULL, 'snapshot'),
  ('demo-a', 7723, 'bash', 94500002000000,  94500002400256,  3, 34, '[heap]', NULL, NULL, 0, at_ms(-900), NULL, 'snapshot'),
  ('demo-a', 7736, 'demo', 94000000000000,  94000000004096,  1, 2, '/work/main/target/workloads/demo', 8388609, 2230001, 0, at_ms(-1), at_ms(3510), 'exec'),
  ('demo-a', 7736, 'demo', 94000000004096,  94000000008192,  5, 2, '/work/main/target/workloads/demo', 8388609, 2230001, 4096, at_ms(-1), at_ms(3510), 'exec'),
  ('demo-a', 7736, 'demo', 94000000012288,  94000000016384,  3, 2, '/work/main/target/workloads/demo', 8388609, 2230001, 12288, at_ms(-1), at_ms(3510), 'exec'),
  ('demo-a', 7736, 'demo', 140164097000000, 140164097200000, 5, 2, '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 8388609, 131080, 4096, at_ms(-1), at_ms(3510), 'exec'),
  ('demo-a', 7736, 'demo', 140737400000000, 140737400135168, 3, 34, '[stack]', NULL, NULL, 0, at_ms(-1), at_ms(3510), 'exec'),
  ('demo-a', 7736, 'demo', 140164093673472, 140164095082496, 5, 2, '/usr/lib/x86_64-linux-gnu/libc.so.6', 8388609, 131090, 163840, at_ms(1), at_ms(3510), 'mmap'),
  ('demo-a', 7736, 'demo', 140164092559360, 140164093083648, 5, 2, '/usr/lib/x86_64-linux-gnu/libm.so.6', 8388609, 131095, 57344, at_ms(120), at_ms(3510), 'mmap'),
  ('demo-a', 7736, 'demo', 140164092436480, 140164092510208, 5, 2, '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13', 8388609, 131610, 8192, at_ms(178), at_ms(3510), 'mmap'),
  ('demo-a', 7736, 'demo', 140164096118784, 140164096122880, 3, 34, NULL, NULL, NULL, 0, at_ms(510), at_ms(511), 'mmap'),
  ('demo-a', 7736, 'demo', 140164096118784, 140164096122880, 5, 34, NULL, NULL, NULL, 0, at_ms(511), at_ms(2512), 'mprotect'),
  ('demo-a', 7736, 'demo', 140164096118784, 140164096122880, 7, 34, NULL, NULL, NULL, 0, at_ms(2512), at_ms(2512.2), 'mprotect'),
  ('demo-a', 7736, 'demo', 140164096118784, 140164096122880, 5, 34, NULL, NULL, NULL, 0, at_ms(2512.2), at_ms(3510), 'mprotect'),
  ('demo-a', 7736, 'demo', 140164096114688, 140164096118784, 3, 1, '/memfd:mapscribe-demo-jit (deleted)', 1, 5021, 0, at_ms(1010), at_ms(3510), 'mmap'),
  ('demo-a', 7736, 'demo', 140164096110592, 140164096114688, 5, 1, '/memfd:mapscribe-demo-jit (deleted)', 1, 5021, 0, at_ms(1011), at_ms(3510), 'mmap'),
  ('demo-a', 7736, 'demo', 140164096106496, 140164096110592, 5, 2, '/tmp/mapscribe-demo-A4y7sf (deleted)', 8388609, 262300, 0, at_ms(1511), at_ms(3510), 'mmap'),
  -- not code writable through another mapping: the jit memfd mapped shared RW and unmapped before its RX mapping
  -- began, and the deleted file mapped privately RW (its writes go to copies of the pages) beside its RX mapping
  ('demo-a', 7736, 'demo', 140164095000000, 140164095004096, 3, 1, '/memfd:mapscribe-demo-jit (deleted)', 1, 5021, 0, at_ms(1000), at_ms(1005), 'mmap'),
  ('demo-a', 7736, 'demo', 140164095004096, 140164095008192, 3, 2, '/tmp/mapscribe-demo-A4y7sf (deleted)', 8388609, 262300, 0, at_ms(1511), at_ms(3510), 'mmap'),
  ('demo-a', 7736, 'demo', 140164096102400, 140164096106496, 7, 34, NULL, NULL, NULL, 0, at_ms(2012), at_ms(3510), 'mmap'),
  ('demo-a', 7890, 'demo', 94000000004096,  94000000008192,  5, 2, '/work/main/target/workloads/demo', 8388609, 2230001, 4096, at_ms(3002.5), at_ms(3010), 'exec'),
  ('demo-a', 7890, 'demo', 139912221728768, 139912223137792, 5, 2, '/usr/lib/x86_64-linux-gnu/libc.so.6', 8388609, 131090, 163840, at_ms(3003), at_ms(3010), 'mmap'),
  ('demo-a', 7891, 'sh',   94600000004096,  94600000090112,  5, 2, '/usr/bin/dash', 8388609, 131500, 4096, at_ms(3004.5), at_ms(3009), 'exec'),
  ('demo-b', 5100, 'java', 140200001000000, 140200002409024, 5, 2, '/usr/lib/x86_64-linux-gnu/libc.so.6', 8388609, 99002, 163840, at_ms(-900), NULL, 'snapshot'),
  ('demo-b', 5100, 'java', 140250000000000, 140250000262144, 7, 34, NULL, NULL, NULL, 0, at_ms(-900), NULL, 'snapshot'),
  ('demo-b', 5100, 'java', 140300000000000, 140300000065536, 3, 34, NULL, NULL, NULL, 0, at_ms(-900), at_ms(300), 'snapshot'),
  ('demo-b', 5100, 'java', 140300000000000, 140300000065536, 5, 34, NULL, NULL, NULL, 0, at_ms(300), NULL, 'mprotect'),
  ('demo-b', 5100, 'java', 140300000065536, 140300000131072, 3, 34, NULL, NULL, NULL, 0, at_ms(-900), at_ms(1300), 'snapshot'),
  ('demo-b', 5100, 'java', 140300000065536, 140300000131072, 5, 34, NULL, NULL, NULL, 0, at_ms(1300), NULL, 'mprotect'),
  ('demo-b', 5100, 'java', 140300000131072, 140300000196608, 3, 34, NULL, NULL, NULL, 0, at_ms(-900), at_ms(2300), 'snapshot'),
  ('demo-b', 5100, 'java', 140300000131072, 140300000196608, 5, 34, NULL, NULL, NULL, 0, at_ms(2300), NULL, 'mprotect'),
  ('demo-b', 5100, 'java', 140200000000000, 140200000073728, 5, 2, '/usr/lib/x86_64-linux-gnu/libz.so.1.2.11', 8388609, 99001, 8192, at_ms(200), NULL, 'mmap')
) r(host, pid, comm, start_addr, end_addr, prot, flags, path, dev, inode, file_offset, valid_from_ns, valid_to_ns, cause);

-- No losses on demo-a; demo-b's recorder dropped a few records on one CPU.
INSERT INTO losses BY NAME
SELECT * FROM (VALUES ('demo-b', at_ms(1500), 'ringbuf', 1, 12, at_ms(1490), at_ms(1495), NULL))
  l(host, ts_ns, source, cpu, lost, first_ns, last_ns, message);

-- The recorder's hashes of the snapshot's executables (bash and libc on demo-a), as the files table has them.
-- The demo's System V segment: attached with SHM_EXEC (kunai's hook sees shmat: an mmap_exec row, syscall shmat), kept
-- out of core dumps by MADV_DONTDUMP (VM_DONTDUMP, 0x4000000, in the region's vm_flags), code run through it.
INSERT INTO mmap_exec BY NAME
SELECT m.*, md5('shm') AS mapped_md5, sha256('shm') AS mapped_sha256, p.ancestors, p.command_line, p.exe_path,
       'kernel' AS event_source, 41 AS event_id, 'mmap_exec' AS event_name, md5(m.host || m.ts_ns) AS event_uuid,
       m.ts_ns // 1000000 AS event_batch, m.comm AS task_name, m.tid AS task_pid, m.pid AS task_tgid
FROM (VALUES
  ('demo-a', at_ms(4011), 7736, 7736, 'demo', '/SYSV00000000 (deleted)', 'data', 4096, 1, 32768, 140164096400000, 4096, 7, 1, 0,
   140164096400000, false, 'shmat')
) m(host, ts_ns, pid, tid, comm, mapped_path, mapped_magic, mapped_size, mapped_dev, mapped_inode, addr, len, prot, flags,
    file_offset, ret, failed, syscall)
JOIN processes p ON p.host = m.host AND p.pid = m.pid;

-- A memfd overwritten after its code ran (scripts/workloads/rewrite.c): the mapping's version has no hashes and says
-- why; the recorder hashed the file as it is now under its new ctime, a files row of its own.
INSERT INTO mmap_exec BY NAME
SELECT m.*, p.ancestors, p.command_line, p.exe_path,
       'kernel' AS event_source, 41 AS event_id, 'mmap_exec' AS event_name, md5(m.host || m.ts_ns) AS event_uuid,
       m.ts_ns // 1000000 AS event_batch, m.comm AS task_name, m.tid AS task_pid, m.pid AS task_tgid
FROM (VALUES
  ('demo-a', at_ms(4200), 7736, 7736, 'demo', '/memfd:cleaned (deleted)', 4096,
   'changed after it was mapped (written at mtime 1795450410.020000000, after its ctime as mapped 1795450410.000000000, size 4096): its bytes then are gone, not hashed; the file as it is now is hashed under its new ctime',
   1, 5030, 140164096500000, 4096, 5, 1, 0, 140164096500000, false, 'mmap')
) m(host, ts_ns, pid, tid, comm, mapped_path, mapped_size, mapped_error, mapped_dev, mapped_inode, addr, len, prot, flags,
    file_offset, ret, failed, syscall)
JOIN processes p ON p.host = m.host AND p.pid = m.pid;

INSERT INTO files BY NAME
SELECT * FROM (VALUES
  ('demo-a', at_ms(4300), '/memfd:cleaned', 1, 5030, 1795450410000000000, 4096, NULL, NULL, NULL, NULL, NULL,
   'changed after it was mapped (written at mtime 1795450410.020000000, after its ctime as mapped 1795450410.000000000, size 4096): its bytes then are gone, not hashed; the file as it is now is hashed under its new ctime', 7736),
  ('demo-a', at_ms(4300), '/memfd:cleaned', 1, 5030, 1795450410020000000, 4096, 'data', 'r1', 'r2', 'rewritten-now-sha256', 'r5', NULL, 7736))
  f(host, ts_ns, path, dev, inode, ctime, size, magic, md5, sha1, sha256, sha512, error, via_pid);

INSERT INTO regions BY NAME
SELECT r.*, r.valid_from_ns AS ts_ns, true AS known
FROM (VALUES
  ('demo-a', 7736, 'demo', 140164096400000, 140164096404096, 7, 1, '/SYSV00000000 (deleted)', 1, 32768, 0, at_ms(4011), at_ms(4012), 'mmap', 0),
  ('demo-a', 7736, 'demo', 140164096400000, 140164096404096, 7, 1, '/SYSV00000000 (deleted)', 1, 32768, 0, at_ms(4012), at_ms(4020), 'madvise', 67108864)
) r(host, pid, comm, start_addr, end_addr, prot, flags, path, dev, inode, file_offset, valid_from_ns, valid_to_ns, cause, vm_flags);

INSERT INTO files BY NAME
SELECT * FROM (VALUES
  ('demo-a', at_ms(-400), '/usr/bin/bash', 8388609, 131001, 1700000000000000000, 1265648, 'ELF 64-bit LSB pie executable',
   'b1', 'b2', 'bash-sha256', 'b5', NULL, NULL),
  ('demo-a', at_ms(-380), '/usr/lib/x86_64-linux-gnu/libc.so.6', 8388609, 131090, 1700000000000000000, 1922136,
   'ELF 64-bit LSB shared object', 'c1', 'c2', 'libc-sha256', 'c5', NULL, NULL))
  f(host, ts_ns, path, dev, inode, ctime, size, magic, md5, sha1, sha256, sha512, error, via_pid);

-- The demo's staged memfd: mapped RW, written, made executable by mprotect. The recorder hashed it later than the
-- mapping's ctime (writing through the mapping moves a memfd's ctime on), still before the alert. And a file mapped
-- private and writable, then made executable: what ran may be modified copies of its pages, not the file's bytes.
INSERT INTO regions BY NAME
SELECT r.*, r.valid_from_ns AS ts_ns, true AS known
FROM (VALUES
  ('demo-a', 7736, 'demo', 140164096200704, 140164096204800, 3, 1, '/memfd:mapscribe-demo-staged (deleted)', 1, 5022, 0, at_ms(3390), at_ms(3400), 'mmap'),
  ('demo-a', 7736, 'demo', 140164096200704, 140164096204800, 5, 1, '/memfd:mapscribe-demo-staged (deleted)', 1, 5022, 0, at_ms(3400), at_ms(3510), 'mprotect'),
  ('demo-a', 7736, 'demo', 140164096300000, 140164096304096, 3, 2, '/tmp/patched.so', 8388609, 262400, 0, at_ms(3410), at_ms(3420), 'mmap'),
  ('demo-a', 7736, 'demo', 140164096300000, 140164096304096, 5, 2, '/tmp/patched.so', 8388609, 262400, 0, at_ms(3420), at_ms(3510), 'mprotect')
) r(host, pid, comm, start_addr, end_addr, prot, flags, path, dev, inode, file_offset, valid_from_ns, valid_to_ns, cause);

INSERT INTO mem_prot_alert BY NAME
SELECT a.*, p.ppid, 0 AS uid, 0 AS gid, 4026531841 AS mnt_ns, p.exe_path, p.command_line, a.pid AS tid
FROM (VALUES
  ('demo-a', at_ms(3400), 7736, 'demo', 'Protection changed to Executable!', 2, 'mprotect', 140164096200704, 4096, 5, 3,
   140164096200704, 4096, '/memfd:mapscribe-demo-staged (deleted)', 1, 5022, 1795450409000000000),
  ('demo-a', at_ms(3420), 7736, 'demo', 'Protection changed to Executable!', 2, 'mprotect', 140164096300000, 4096, 5, 3,
   140164096300000, 4096, '/tmp/patched.so', 8388609, 262400, 1795450000000000000)
) a(host, ts_ns, pid, comm, alert, alert_id, syscall, addr, len, prot, prev_prot, syscall_addr, syscall_len,
    pathname, dev, inode, ctime)
JOIN processes p ON p.host = a.host AND p.pid = a.pid;

INSERT INTO files BY NAME
SELECT * FROM (VALUES
  ('demo-a', at_ms(3450), '/memfd:mapscribe-demo-staged', 1, 5022, 1795450409300000000, 4096, 'data',
   's1', 's2', 'staged-sha256', 's5', NULL, 7736))
  f(host, ts_ns, path, dev, inode, ctime, size, magic, md5, sha1, sha256, sha512, error, via_pid);

-- The demo's injection: a child (7950) asks to be traced and stops; the demo writes code into the child's r-x page
-- with PTRACE_POKETEXT (request 4), opens the child's memory file for writing (openat 257) and writes the code again
-- through it (pwrite64 18) and by an io_uring write request (65536 + IORING_OP_WRITE 23, recorded as submitted, without
-- a result, and as it completed, with its result and no fd), and once more through a registered slot its chain filled
-- with the memory file after submitting it (recorded as it completed only), the child runs the code and exits.
-- nr: ptrace 101.
INSERT INTO syscalls BY NAME
SELECT s.*, (SELECT count(*) FROM syscalls) + row_number() OVER (ORDER BY host, ts_ns) - 1 AS seq, ts_ns // 1000000 AS batch,
       0 AS cpu, coalesce(s.ret < 0, false) AS failed, CASE WHEN s.ret < 0 THEN CAST(-s.ret AS INTEGER) END AS errno
FROM (VALUES
  ('demo-a', at_ms(3290),   7736, 7736, 'demo', 'clone', 56, 18874385, 0, 0, 0, 7950, NULL, NULL, NULL, NULL, NULL),
  ('demo-a', at_ms(3291),   7950, 7950, 'demo', 'ptrace', 101, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL),
  ('demo-a', at_ms(3300),   7736, 7736, 'demo', 'ptrace', 101, 4, 7950, 140164096499712, 12970366, 0, NULL, NULL, NULL, 7950, 140164096499712),
  ('demo-a', at_ms(3301),   7736, 7736, 'demo', 'openat', 257, -100, 140722000000000, 2, 0, 5, '/proc/7950/mem', 4, 88001, 7950, NULL),
  ('demo-a', at_ms(3302),   7736, 7736, 'demo', 'pwrite64', 18, 5, 140722000001000, 40, 140164096499712, 40, '/proc/7950/mem', 4, 88001, 7950, 140164096499712),
  ('demo-a', at_ms(3303),   7736, 7736, 'demo', 'io_uring_write', 65559, 5, 140722000001000, 40, 140164096499712, NULL, '/proc/7950/mem', 4, 88001, 7950, 140164096499712),
  ('demo-a', at_ms(3303.5), 7736, 7736, 'demo', 'io_uring_write', 65559, 0, 140722000001000, 40, 140164096499712, 40, '/proc/7950/mem', 4, 88001, 7950, 140164096499712),
  ('demo-a', at_ms(3306),   7736, 7736, 'demo', 'io_uring_write', 65559, 0, 140722000001000, 40, 140164096499712, 40, '/proc/7950/mem', 4, 88001, 7950, 140164096499712),
  -- process_vm_writev (311) of the code, staged in two ranges of the child's writable data
  ('demo-a', at_ms(3304),   7736, 7736, 'demo', 'process_vm_writev', 311, 7950, 140722000002000, 1, 140722000003000, 6, NULL, NULL, NULL, 7950, 140164096630784),
  -- a pwrite64 of 8 bytes from 4 bytes before the r-x page: it lands in the rw- page before it and in the code
  ('demo-a', at_ms(3305),   7736, 7736, 'demo', 'pwrite64', 18, 5, 140722000001000, 8, 140164096499708, 8, '/proc/7950/mem', 4, 88001, 7950, 140164096499708),
  ('demo-a', at_ms(3310),   7950, 7950, 'demo', 'exit_group', 231, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  -- personality(READ_IMPLIES_EXEC) (nr 135), then an mmap that asks for RW and gets RWX (the region below)
  ('demo-a', at_ms(3320),   7736, 7736, 'demo', 'personality', 135, 4194304, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL),
  ('demo-a', at_ms(3321),   7736, 7736, 'demo', 'mmap', 9, 0, 4096, 3, 34, 140164096520192, NULL, NULL, NULL, NULL, NULL),
  -- MADV_DONTDUMP (16) through an io_uring (65536 + IORING_OP_MADVISE 25) with IOSQE_CQE_SKIP_SUCCESS: no result
  ('demo-a', at_ms(3330),   7736, 7736, 'demo', 'io_uring_madvise', 65561, 140164096520192, 4096, 16, 0, NULL, NULL, NULL, NULL, NULL, NULL),
  -- prctl(PR_SET_MM 35, PR_SET_MM_EXE_FILE 13, fd 5): /proc/PID/exe to name /usr/bin/true (refused: EBUSY 16), and
  -- PR_SET_MM_ARG_START (8), which moves where /proc/PID/cmdline reads from (done)
  ('demo-a', at_ms(3340),   7736, 7736, 'demo', 'prctl', 157, 35, 13, 5, 0, -16, '/usr/bin/true', 8388609, 131200, NULL, NULL),
  ('demo-a', at_ms(3341),   7736, 7736, 'demo', 'prctl', 157, 35, 8, 140722000004000, 0, 0, NULL, NULL, NULL, NULL, NULL)
) s(host, ts_ns, pid, tid, comm, syscall, nr, arg0, arg1, arg2, arg3, ret, path, dev, inode, target_pid, target_addr);
-- The prctl records carry the program break as each call returned (neither moved it)
UPDATE syscalls SET program_break = 94558300004352 WHERE host = 'demo-a' AND syscall = 'prctl';

-- Each range those calls wrote (memory_writes): one per call, two for the process_vm_writev (4 and 2 bytes); the io_uring
-- request's from its completion, and the write recorded only as it completed its own (len unknown); the last pwrite64's
-- range overlaps two regions
INSERT INTO memory_writes BY NAME
SELECT s.host, s.ts_ns, s.pid, s.tid, s.comm, s.seq, s.syscall, s.target_pid, w.part, w.addr, w.len, w.written, s.failed,
       0 AS parts_unrecorded
FROM (VALUES
  (at_ms(3300), 0, 140164096499712, 8, 8),
  (at_ms(3302), 0, 140164096499712, 40, 40),
  (at_ms(3303), 0, 140164096499712, 40, 40),
  (at_ms(3306), 0, 140164096499712, NULL, 40),
  (at_ms(3304), 0, 140164096630784, 4, 4),
  (at_ms(3304), 1, 140164096630848, 2, 2),
  (at_ms(3305), 0, 140164096499708, 8, 8)
) w(written_at, part, addr, len, written)
JOIN syscalls s ON s.host = 'demo-a' AND s.ts_ns = w.written_at;

-- A 32-bit call (int 0x80 mmap2), recorded as the mmap it equals: compat
INSERT INTO syscalls BY NAME
SELECT s.*, (SELECT count(*) FROM syscalls) AS seq, ts_ns // 1000000 AS batch, 0 AS cpu, false AS failed, true AS compat
FROM (VALUES
  ('demo-a', at_ms(3330), 7736, 7736, 'demo', 'mmap', 9, 0, 4096, 3, 34, 4160000000)
) s(host, ts_ns, pid, tid, comm, syscall, nr, arg0, arg1, arg2, arg3, ret);

-- A call made with x32's number for mprotect (10 | 0x40000000) on a kernel without x32: ENOSYS
INSERT INTO syscalls BY NAME
SELECT s.*, (SELECT count(*) FROM syscalls) AS seq, ts_ns // 1000000 AS batch, 0 AS cpu, true AS failed, 38 AS errno,
       false AS compat, true AS x32
FROM (VALUES
  ('demo-a', at_ms(3331), 7736, 7736, 'demo', 'mprotect', 10, 140164096520192, 4096, 7, -38)
) s(host, ts_ns, pid, tid, comm, syscall, nr, arg0, arg1, arg2, ret);

INSERT INTO regions BY NAME
SELECT r.*, r.valid_from_ns AS ts_ns, true AS known
FROM (VALUES
  ('demo-a', 7950, 'demo', 140164096499712, 140164096503808, 5, 34, NULL, NULL, NULL, 0, at_ms(3290), at_ms(3310), 'fork'),
  ('demo-a', 7950, 'demo', 140164096630784, 140164096634880, 3, 34, NULL, NULL, NULL, 0, at_ms(3290), at_ms(3310), 'fork'),
  ('demo-a', 7950, 'demo', 140164096495616, 140164096499712, 3, 34, NULL, NULL, NULL, 0, at_ms(3290), at_ms(3310), 'fork'),
  ('demo-a', 7736, 'demo', 140164096520192, 140164096524288, 7, 34, NULL, NULL, NULL, 0, at_ms(3321), at_ms(3510), 'mmap')
) r(host, pid, comm, start_addr, end_addr, prot, flags, path, dev, inode, file_offset, valid_from_ns, valid_to_ns, cause);

-- A child of the demo that hid behind its exited first thread (demo.c step 14): its leader left by exit(2) at 3600 ms
-- while thread 7961 ran on and mapped a page RWX.
INSERT INTO processes BY NAME
SELECT 'demo-a' AS host, at_ms(3598) AS ts_ns, 7960 AS pid, 7960 AS tid, 'demo' AS comm, 7736 AS ppid,
       at_ms(3598) AS start_ns, at_ms(-2) AS parent_start_ns, at_ms(3605) AS exit_ns, 0 AS exit_code,
       '/work/main/target/workloads/demo' AS exe_path, ['./demo'] AS argv, './demo' AS command_line,
       '/usr/lib/systemd/systemd|/usr/bin/bash|/work/main/target/workloads/demo' AS ancestors, 0 AS uid, 0 AS gid,
       0 AS euid, 0 AS egid, 4026531841 AS mnt_ns, 0 AS execs, false AS from_snapshot, true AS leader_exited,
       at_ms(3600) AS leader_exit_ns;
INSERT INTO mem_prot_alert BY NAME
SELECT 'demo-a' AS host, at_ms(3601) AS ts_ns, 7960 AS pid, 7961 AS tid, 'demo' AS comm,
       'Mmaped region with W+E permissions!' AS alert, 1 AS alert_id, 'mmap' AS syscall, 140164096700416 AS addr,
       4096 AS len, 7 AS prot, NULL AS prev_prot, 0 AS syscall_addr, 4096 AS syscall_len, 7736 AS ppid, 0 AS uid,
       0 AS gid, 4026531841 AS mnt_ns, '/work/main/target/workloads/demo' AS exe_path, './demo' AS command_line;

-- A miner on demo-b that named itself like a kernel thread (PR_SET_NAME "kworker/0:2"), its exe in /dev/shm.
INSERT INTO processes BY NAME
SELECT 'demo-b' AS host, at_ms(500) AS ts_ns, 5200 AS pid, 5200 AS tid, 'kworker/0:2' AS comm, 1 AS ppid,
       at_ms(500) AS start_ns, 1000000000 AS parent_start_ns, '/dev/shm/.m' AS exe_path, ['/dev/shm/.m'] AS argv,
       '/dev/shm/.m' AS command_line, '/usr/lib/systemd/systemd' AS ancestors, 0 AS uid, 0 AS gid, 0 AS euid, 0 AS egid,
       4026531841 AS mnt_ns, 1 AS execs, false AS from_snapshot, false AS leader_exited;

-- utc_time = boot time in UTC + ts_ns, per host (each host has its own boot time).
CREATE TEMP MACRO utc(h, ns) AS
  CAST(make_timestamp(CASE h WHEN 'demo-a' THEN 1795450000000000 ELSE 1795449998500000 END + ns // 1000) AS TIMESTAMP_NS);
UPDATE processes SET utc_time = utc(host, ts_ns), exit_utc = CASE WHEN exit_ns IS NOT NULL THEN utc(host, exit_ns) END;
UPDATE mmap_exec SET utc_time = utc(host, ts_ns);
UPDATE memory_writes SET utc_time = utc(host, ts_ns);
UPDATE mem_prot_alert SET utc_time = utc(host, ts_ns);
UPDATE syscalls SET utc_time = utc(host, ts_ns);
UPDATE regions SET utc_time = utc(host, ts_ns);
UPDATE losses SET utc_time = utc(host, ts_ns);
UPDATE files SET utc_time = utc(host, ts_ns);
DROP MACRO utc;
DROP MACRO at_ms;
