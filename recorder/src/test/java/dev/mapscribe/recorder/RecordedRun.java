package dev.mapscribe.recorder;

import dev.mapscribe.formats.journal.JournalReader;
import dev.mapscribe.formats.journal.ReadResult;
import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.Record;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.testkit.CWorkloads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A workload run under an in-process Recorder, and everything the journal held afterwards. */
record RecordedRun(Recorder.Summary summary, UserRecord.JournalHeader header, ReadResult read, List<Record> records,
                   List<Map<String, String>> calls) {

    /** Records while {@code command} runs to completion, then stops the recorder and reads the journal back. */
    static RecordedRun of(Path journal, Recorder.Hooks hooks, List<String> command) throws IOException, InterruptedException {
        return of(journal, hooks, command, false, false);
    }

    /** The same, with file enrichment and the start-up /proc snapshot on or off (off unless a test is about them). */
    static RecordedRun of(Path journal, Recorder.Hooks hooks, List<String> command, boolean enrich, boolean snapshot)
            throws IOException, InterruptedException {
        return of(config(journal, hooks, enrich, snapshot), command);
    }

    /** The tests' recording: a 1 GiB journal bound, a 16 MiB ring. */
    static Recorder.Config config(Path journal, Recorder.Hooks hooks, boolean enrich, boolean snapshot) {
        return new Recorder.Config(journal, hooks, 1L << 30, 16L << 20, enrich, snapshot, List.of("test"), System.err);
    }

    /** Records while {@code command} runs to completion under a recorder of {@code config}. */
    static RecordedRun of(Recorder.Config config, List<String> command) throws IOException, InterruptedException {
        Path journal = config.journal();
        boolean enrich = config.enrich();
        List<String> lines = new ArrayList<>();
        Recorder.Summary summary;
        try (Recorder recorder = Recorder.start(config)) {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            }
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IllegalStateException(command + " exited with " + rc);
            }
            if (enrich && !recorder.awaitEnricherCaughtUp(java.time.Duration.ofSeconds(120))) {
                throw new IllegalStateException("the enricher did not catch up with " + command + " within 120 s");
            }
            summary = recorder.awaitStopped();
        }
        List<Record> records = new ArrayList<>();
        UserRecord.JournalHeader header;
        ReadResult read;
        try (JournalReader reader = JournalReader.open(journal)) {
            header = reader.header();
            read = reader.read((rec, batch) -> records.add(rec));
        }
        return new RecordedRun(summary, header, read, records, lines.stream().map(RecordedRun::parse).toList());
    }

    /**
     * Records the C workload {@code name} (built by CWorkloads) run with the directory {@code tmp}/files, created
     * first, as its first argument and then {@code args}; the journal goes to {@code tmp}/journal.
     */
    static RecordedRun ofWorkload(Path tmp, String name, boolean enrich, String... args) throws Exception {
        return ofWorkload(tmp, name, config(tmp.resolve("journal"), Recorder.Hooks.SYSCALLS, enrich, false), args);
    }

    /** The same under a recorder of {@code config}, whose journal should be {@code tmp}/journal. */
    static RecordedRun ofWorkload(Path tmp, String name, Recorder.Config config, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(CWorkloads.build(name).toString());
        command.add(Files.createDirectories(filesDir(tmp)).toString());
        command.addAll(List.of(args));
        return of(config, command);
    }

    /** The directory {@link #ofWorkload} hands its workload. */
    static Path filesDir(Path tmp) {
        return tmp.resolve("files");
    }

    /** "mmap pid=1 addr=2" → {call=mmap, pid=1, addr=2}. */
    static Map<String, String> parse(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        String[] parts = line.split(" ");
        m.put("call", parts[0]);
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            m.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return m;
    }

    <T extends KernelRecord> List<T> kernel(Class<T> type, int pid) {
        return records.stream().filter(type::isInstance).map(type::cast).filter(r -> r.h().pid() == pid).toList();
    }

    <T extends Record> List<T> all(Class<T> type) {
        return records.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
