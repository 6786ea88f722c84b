#!/usr/bin/env python3
"""Prints scripts/bench's one table from its raw results (called by scripts/bench).

Arguments: RESULTS NA META, tab-separated files written by scripts/bench:
  RESULTS: row, config, round, metric, value   (one line per figure per round)
  NA:      row, config, reason                 (a configuration that could not run)
  META:    key, value                          (notes printed under the table)
Every figure is the median over the rounds with [min–max]; a ratio is taken per
round against the same round's baseline, then its median and spread are shown.
The table is Markdown, so the same text reads on a terminal and in docs/PERFORMANCE.md.
"""
import statistics
import sys
from collections import defaultdict

res_path, na_path, meta_path = sys.argv[1:4]

# values[(row, config)][metric] -> {round: value}
values = defaultdict(lambda: defaultdict(dict))
for line in open(res_path):
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 5 or parts[4] == "":
        continue
    row, config, rnd, metric, value = parts
    try:
        values[(row, config)][metric][int(rnd)] = float(value)
    except ValueError:
        continue
na = {}
for line in open(na_path):
    parts = line.rstrip("\n").split("\t")
    if len(parts) == 3:
        na[(parts[0], parts[1])] = parts[2]
meta = {}  # key -> value: the last value of a key wins, keys keep their first order
for line in open(meta_path):
    if "\t" in line:
        k, v = line.rstrip("\n").split("\t", 1)
        meta[k] = v


def num(x):
    """A figure with 3 significant digits and a thousands separator where it helps."""
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}" if x >= 0.01 else f"{x:.2g}"


def spread(xs, fmt=num):
    xs = sorted(xs)
    if not xs:
        return ""
    med = statistics.median(xs)
    if len(xs) == 1:
        return f"{fmt(med)} (1 run)"
    return f"{fmt(med)} [{fmt(xs[0])}–{fmt(xs[-1])}]"


def ratio_fmt(x):
    return f"{x:.2f}"


def ratios(num_rounds, den_rounds, invert=False):
    """Per-round ratio num/den (den/num when invert) over the rounds both have."""
    out = []
    for r in sorted(set(num_rounds) & set(den_rounds)):
        a, b = num_rounds[r], den_rounds[r]
        if invert:
            a, b = b, a
        if b > 0:
            out.append(a / b)
    return out


STORM_LABELS = {
    "base": "no recorder (baseline)",
    "floor": "floor: an empty tp_btf sys_exit program",
    "mapscribe": "mapscribe record",
    "bpftrace": "bpftrace, printf of the 3 calls with args at sys_enter, to a file",
    "perf": "perf record -a, the 3 sys_enter tracepoints",
}
header = ["row", "configuration", "figure", "median [min–max]", "ratio to baseline [min–max]",
          "captured / expected", "lost", "bytes/event"]
rows = []


def add(row, label, figure, cell, ratio="", captured="", lost="", bpe=""):
    rows.append([row, label, figure, cell, ratio, captured, lost, bpe])


def na_row(row, label, figure, key):
    add(row, label, figure, f"n/a ({na[key]})")


def common_columns(v):
    cap = exp = ""
    if "captured" in v and "expected" in v:
        rs = sorted(set(v["captured"]) & set(v["expected"]))
        c = sum(v["captured"][r] for r in rs)
        e = sum(v["expected"][r] for r in rs)
        cap = f"{c:,.0f} / {e:,.0f} ({100 * c / e:.3f} %)" if e else ""
    lost = f"{sum(v['lost'].values()):,.0f}" if "lost" in v else ""
    bpe = spread(v["bytes_per_event"].values()) if "bytes_per_event" in v else ""
    return cap, lost, bpe


storm_rows = sorted({r for (r, _) in list(values) + list(na) if r.startswith("storm-t")},
                    key=lambda r: int(r[len("storm-t"):]))
for row in storm_rows:
    threads = row[len("storm-t"):]
    name = f"(1) storm, {threads} thread{'s' if threads != '1' else ''}"
    base = values.get((row, "base"), {}).get("iter_per_s", {})
    for config, label in STORM_LABELS.items():
        key = (row, config)
        if config == "floor":
            name_here = name.replace("(1)", "(2)")
        else:
            name_here = name
        if key in values and "iter_per_s" in values[key]:
            v = values[key]
            ratio = "1 (reference)" if config == "base" else spread(ratios(v["iter_per_s"], base), ratio_fmt)
            cap, lost, bpe = common_columns(v)
            if config in ("base", "floor"):
                cap = ""  # nothing is recorded: the storm's own count is the expected figure
            add(name_here, label, "storm iterations/s", spread(v["iter_per_s"].values()), ratio, cap, lost, bpe)
        elif key in na:
            na_row(name_here, label, "storm iterations/s", key)

def capacity_key(config):
    kind, _, batch = config.partition("-b")
    return (kind != "lz4", int(batch) if batch.isdigit() else 0)


for config in sorted({c for (r, c) in list(values) + list(na) if r == "capacity"}, key=capacity_key):
    key = ("capacity", config)
    kind, _, batch = config.partition("-b")
    label = f"JournalWriter.appendKernelBatch, {batch} records per batch, {'LZ4' if kind == 'lz4' else 'uncompressed'}"
    if key in values and "records_per_s" in values[key]:
        v = values[key]
        lost = f"{sum(v['lost'].values()):,.0f} refused" if "lost" in v else ""
        add("(3) recorder capacity", label, "records/s, synthetic producer", spread(v["records_per_s"].values()),
            spread(ratios(v["records_per_s"], v.get("base_records_per_s", {})), ratio_fmt), "", lost,
            spread(v["bytes_per_event"].values()) if "bytes_per_event" in v else "")
        if "base_records_per_s" in v:
            add("(3) recorder capacity", f"  same bytes copied into a plain mapped file, {batch} records per copy",
                "records/s, physical reference", spread(v["base_records_per_s"].values()), "1 (reference)")
    elif key in na:
        na_row("(3) recorder capacity", label, "records/s", key)

PROCESS_LABELS = {"process-libs": "fork/exec tree, each leaf dlopens 300 libraries",
                  "process-true": "fork/exec tree of /bin/true"}
for row, what in PROCESS_LABELS.items():
    base = values.get((row, "base"), {}).get("seconds", {})
    for config, label in (("base", "no recorder (baseline)"), ("floor", STORM_LABELS["floor"]), ("mapscribe", "mapscribe record")):
        key = (row, config)
        if key in values and "seconds" in values[key]:
            v = values[key]
            ratio = "1 (reference)" if config == "base" else spread(ratios(v["seconds"], base, invert=True), ratio_fmt)
            cap, lost, bpe = common_columns(v)
            add(f"(4) {what}", label, "seconds per tree", spread(v["seconds"].values()), ratio, "", lost, bpe)
        elif key in na:
            na_row(f"(4) {what}", label, "seconds per tree", key)

# The synthetic journals by size, then the storm's journal as the recorder wrote it (config "storm").
for config in sorted({c for (r, c) in list(values) + list(na) if r == "analyzer"},
                     key=lambda c: (c == "storm", int(c) if c.isdigit() else 0)):
    key = ("analyzer", config)
    label = ("mapscribe analyze, the storm's journal as the recorder wrote it (10.2M records)" if config == "storm"
             else f"mapscribe analyze, synthetic journal of {int(config):,} records")
    if key in values and "records_per_s" in values[key]:
        v = values[key]
        add("(5) analyzer", label, "records/s", spread(v["records_per_s"].values()))
        if "peak_rss_mib" in v:
            add("(5) analyzer", label, "peak RSS, MiB", spread(v["peak_rss_mib"].values()))
    elif key in na:
        na_row("(5) analyzer", label, "records/s, peak RSS", key)

query_configs = []
for (r, c) in list(values) + list(na):
    if r == "query" and c not in query_configs:
        query_configs.append(c)
query_base = next((values[("query", c)]["seconds"] for c in query_configs
                   if c.startswith("startup") and ("query", c) in values), {})
for config in query_configs:
    key = ("query", config)
    if key in values and "seconds" in values[key]:
        v = values[key]["seconds"]
        # Ratio column: the query's time beyond the start-up floor, per round (seconds).
        beyond = [v[r] - query_base[r] for r in sorted(set(v) & set(query_base))] if not config.startswith("startup") else []
        add("(6) query, largest export", config, "seconds, JVM start included", spread(v.values()),
            ("beyond start-up: " + spread(beyond, lambda x: f"{x:.2f} s")) if beyond else "")
    elif key in na:
        na_row("(6) query, largest export", config, "seconds", key)

widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]


def line(cells):
    return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"


print(line(header))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows:
    print(line(r))
print()
for key, value in meta.items():
    print(f"- {key}: {value}")
