package dev.mapscribe.formats.raw;

import dev.mapscribe.formats.testkit.CWorkloads;
import dev.mapscribe.formats.testkit.ProjectRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The C header bpf/mapscribe.h and the Java layouts must agree on every byte. This test writes a C program that
 * prints sizeof of every struct and offsetof/sizeof of every member the Java layouts name, compiles it against
 * the real header, runs it, and compares: a field added, removed, renamed, retyped or moved on either side fails.
 */
class LayoutTest {

    @Test
    void javaLayoutsMatchTheCHeaderByteForByte(@TempDir Path tmp) throws Exception {
        Map<String, Long> java = new TreeMap<>();
        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include <stddef.h>
                #include <linux/types.h>
                #include "mapscribe.h"
                int main(void) {
                """);
        for (var e : Layouts.ALL.entrySet()) {
            String struct = "struct " + e.getKey();
            StructLayout l = e.getValue();
            java.put(e.getKey() + " sizeof", l.byteSize());
            c.append("printf(\"%s %zu\\n\", \"").append(e.getKey()).append(" sizeof\", sizeof(").append(struct).append("));\n");
            for (MemoryLayout m : l.memberLayouts()) {
                if (m instanceof PaddingLayout) continue; // padding has no name in C to compare with
                String name = m.name().orElseThrow();
                String key = e.getKey() + "." + name;
                java.put(key + " offset", l.byteOffset(MemoryLayout.PathElement.groupElement(name)));
                java.put(key + " size", m.byteSize());
                c.append("printf(\"%s %zu\\n\", \"").append(key).append(" offset\", offsetof(").append(struct)
                        .append(", ").append(name).append("));\n");
                c.append("printf(\"%s %zu\\n\", \"").append(key).append(" size\", sizeof(((").append(struct)
                        .append("*)0)->").append(name).append("));\n");
            }
        }
        c.append("return 0; }\n");
        Path src = tmp.resolve("layouts.c");
        Files.writeString(src, c);
        Path exe = tmp.resolve("layouts");
        CWorkloads.compile(List.of("cc", "-Wall", "-Werror", "-I", ProjectRoot.get().resolve("bpf").toString(),
                "-o", exe.toString(), src.toString()));
        Process p = new ProcessBuilder(exe.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        Map<String, Long> fromC = new TreeMap<>();
        for (String line : out.split("\n")) {
            int sp = line.lastIndexOf(' ');
            fromC.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
        }
        List<String> differences = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(java.keySet())) {
            if (!java.get(key).equals(fromC.get(key))) {
                differences.add(key + ": Java " + java.get(key) + ", C " + fromC.get(key));
            }
        }
        assertEquals(List.of(), differences, "Java layouts differ from bpf/mapscribe.h");
        assertEquals(java.keySet(), fromC.keySet());
    }

    @Test
    void everyStructOfTheHeaderHasAJavaLayout() throws Exception {
        String header = Files.readString(ProjectRoot.get().resolve("bpf/mapscribe.h"));
        List<String> structs = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("(?m)^struct (ms_\\w+) \\{").matcher(header);
        while (m.find()) structs.add(m.group(1));
        assertEquals(new java.util.TreeSet<>(structs), new java.util.TreeSet<>(Layouts.ALL.keySet()));
    }

    @Test
    void everyKernelKindOfTheHeaderHasTheSameIdInJava() throws Exception {
        String header = Files.readString(ProjectRoot.get().resolve("bpf/mapscribe.h"));
        var m = java.util.regex.Pattern.compile("MS_(\\w+) = (\\d+),").matcher(header);
        Map<String, Integer> c = new TreeMap<>();
        while (m.find()) c.put(m.group(1), Integer.parseInt(m.group(2)));
        Map<String, Integer> j = new TreeMap<>();
        for (RecordKind k : RecordKind.values()) if (k.isKernel()) j.put(k.name(), k.id());
        assertEquals(c, j);
        assertEquals(RecordKind.FORMAT_VERSION, Integer.parseInt(header.replaceAll("(?s).*#define MS_FORMAT_VERSION (\\d+).*", "$1")));
        assertEquals(KernelRecord.SyscallRecord.NR_IO_URING,
                Integer.decode(header.replaceAll("(?s).*#define MS_NR_IO_URING (0x[0-9a-f]+).*", "$1")));
        assertEquals(RecordDecoder.IOVECS_MAX, Integer.parseInt(header.replaceAll("(?s).*#define MS_IOVECS_MAX (\\d+).*", "$1")));
        assertEquals(KernelRecord.F_IOVECS, Integer.decode(header.replaceAll("(?s).*#define MS_F_IOVECS (0x[0-9a-f]+).*", "$1")));
        assertEquals(KernelRecord.SyscallRecord.RANGES_AT_ENTRY,
                Integer.decode(header.replaceAll("(?s).*#define MS_IOVECS_AT_ENTRY (0x[0-9a-f]+).*", "$1")));
        assertEquals(KernelRecord.SyscallRecord.RANGES_CHANGED,
                Integer.decode(header.replaceAll("(?s).*#define MS_IOVECS_CHANGED (0x[0-9a-f]+).*", "$1")));
        assertEquals(KernelRecord.F_ARGS_FROM_VMA, Integer.decode(header.replaceAll("(?s).*#define MS_F_ARGS_FROM_VMA (0x[0-9a-f]+).*", "$1")));
        assertEquals(KernelRecord.F_POLICY, Integer.decode(header.replaceAll("(?s).*#define MS_F_POLICY (0x[0-9a-f]+).*", "$1")));
        assertEquals(KernelRecord.Uffd.DONE, Integer.decode(header.replaceAll("(?s).*#define MS_UFFD_DONE (0x[0-9a-f]+).*", "$1")));
        assertEquals(KernelRecord.F_UFFD, Integer.decode(header.replaceAll("(?s).*#define MS_F_UFFD (0x[0-9a-f]+).*", "$1")));
        assertEquals(KernelRecord.F_X32, Integer.decode(header.replaceAll("(?s).*#define MS_F_X32 (0x[0-9a-f]+).*", "$1")));
    }
}
