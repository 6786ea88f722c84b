package dev.mapscribe.analyzer.replay;

/** A gap the recorder reported: {@code count} records one CPU could not reserve between firstNs and lastNs. */
public record LossRow(String host, long tsNs, long utcNs, int cpu, long count, long firstNs, long lastNs) {}
