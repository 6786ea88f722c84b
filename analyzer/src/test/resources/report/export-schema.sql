-- The export's tables as DuckDB sees them through the views (host is the hive partition column).
-- Interim copy of formats' Tables (issue 4); the test builds the tables from Tables.ALL once it is on main.
CREATE TABLE syscalls (host VARCHAR, ts_ns BIGINT, utc_time TIMESTAMP_NS, pid INTEGER, tid INTEGER, comm VARCHAR,
  cpu INTEGER, batch BIGINT, seq BIGINT, syscall VARCHAR, nr INTEGER,
  arg0 BIGINT, arg1 BIGINT, arg2 BIGINT, arg3 BIGINT, arg4 BIGINT, arg5 BIGINT,
  ret BIGINT, errno INTEGER, failed BOOLEAN, path VARCHAR, dev BIGINT, inode BIGINT);
CREATE TABLE mmap_exec (host VARCHAR, ts_ns BIGINT, utc_time TIMESTAMP_NS, pid INTEGER, tid INTEGER, comm VARCHAR,
  ancestors VARCHAR, command_line VARCHAR, exe_path VARCHAR, mapped_path VARCHAR, mapped_magic VARCHAR,
  mapped_md5 VARCHAR, mapped_sha1 VARCHAR, mapped_sha256 VARCHAR, mapped_sha512 VARCHAR, mapped_size BIGINT,
  mapped_error VARCHAR, mapped_dev BIGINT, mapped_inode BIGINT,
  event_source VARCHAR, event_id INTEGER, event_name VARCHAR, event_uuid VARCHAR, event_batch BIGINT,
  task_name VARCHAR, task_pid INTEGER, task_tgid INTEGER, task_uid INTEGER, task_gid INTEGER, task_mnt_ns BIGINT,
  parent_task_name VARCHAR, parent_task_pid INTEGER, parent_task_tgid INTEGER, parent_task_uid INTEGER,
  parent_task_gid INTEGER, parent_task_mnt_ns BIGINT,
  addr BIGINT, len BIGINT, prot INTEGER, flags INTEGER, file_offset BIGINT, ret BIGINT, failed BOOLEAN);
CREATE TABLE mem_prot_alert (host VARCHAR, ts_ns BIGINT, utc_time TIMESTAMP_NS, pid INTEGER, tid INTEGER, comm VARCHAR,
  alert VARCHAR, alert_id INTEGER, syscall VARCHAR, addr BIGINT, len BIGINT, prot INTEGER, prev_prot INTEGER,
  pathname VARCHAR, dev BIGINT, inode BIGINT, ctime BIGINT, syscall_addr BIGINT, syscall_len BIGINT,
  ppid INTEGER, uid INTEGER, gid INTEGER, mnt_ns BIGINT, exe_path VARCHAR, command_line VARCHAR);
CREATE TABLE processes (host VARCHAR, ts_ns BIGINT, utc_time TIMESTAMP_NS, pid INTEGER, tid INTEGER, comm VARCHAR,
  ppid INTEGER, start_ns BIGINT, parent_start_ns BIGINT, exit_ns BIGINT, exit_utc TIMESTAMP_NS, exit_code INTEGER,
  exe_path VARCHAR, argv VARCHAR[], command_line VARCHAR, ancestors VARCHAR, uid INTEGER, gid INTEGER,
  euid INTEGER, egid INTEGER, mnt_ns BIGINT, execs INTEGER, from_snapshot BOOLEAN);
CREATE TABLE regions (host VARCHAR, ts_ns BIGINT, utc_time TIMESTAMP_NS, pid INTEGER, comm VARCHAR,
  start_addr BIGINT, end_addr BIGINT, prot INTEGER, flags INTEGER, path VARCHAR, dev BIGINT, inode BIGINT,
  file_offset BIGINT, valid_from_ns BIGINT, valid_to_ns BIGINT, known BOOLEAN, cause VARCHAR);
CREATE TABLE losses (host VARCHAR, ts_ns BIGINT, utc_time TIMESTAMP_NS, source VARCHAR, cpu INTEGER, lost BIGINT,
  first_ns BIGINT, last_ns BIGINT, message VARCHAR);
