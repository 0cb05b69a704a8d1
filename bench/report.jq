# SPDX-License-Identifier: Apache-2.0
# results.json (bench/summarize.jq) as Markdown: jq -r -f report.jq results.json

def f1: . * 10 | round / 10;
def cell: "\(.median_ms | f1) (\(.min_ms | f1)–\(.max_ms | f1))";
def lat($v; $n): .latency | map(select(.variant == $v and .devices == $n)) | first;
def yes: if . == true then "met" elif . == false then "**missed**" else "n/a" end;

. as $r
| ($r.latency | map(.devices) | unique) as $counts
| "Runs per figure: \($r.meta.runs // "?") (median, with min–max), in ms. Guest: Linux \($r.meta.kernel // "?"), \($r.meta.cpus // "?") vCPUs under qemu TCG, clock source \($r.meta.clocksource // "?") (ran at \($r.meta.guest_clock_rate // "?") times the host's clock); runc \($r.meta.runc // "?"), crun \($r.meta.crun // "?"), iproute2 \($r.meta.iproute2 // "?").",
  "",
  "(b1) is rdma-netns-hook prestart + poststop with \"move_threads\": 1, (b4) with the default 4; c/b is against (b4).",
  "",
  "| devices | (a) floor, whole process | (a') floor, netlink only | (b1) hook, 1 move thread | (b4) hook, 4 move threads | (c) shell hook (jq + iproute2) | b1/a | b4/a | b1/a' | b4/a' | c/b | b1/b4 |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ($counts[] as $n | ($r.ratios | map(select(.devices == $n)) | first) as $q
    | "| \($n) | \($r | lat("a"; $n) | cell) | \($r | lat("a-netlink"; $n) | cell) | \($r | lat("b1"; $n) | cell) | \($r | lat("b4"; $n) | cell) | \($r | lat("c"; $n) | cell) | \($q.b1_over_a) | \($q.b4_over_a) | \($q.b1_over_a_netlink) | \($q.b4_over_a_netlink) | \($q.c_over_b) | \($q.b1_over_b4) |"),
  "",
  "The same ratios round by round (the median of each round's own ratio; a round's variants ran seconds apart, so slow changes in the host's load cancel): " + ([$r.ratios[] | "b1/a \(.b1_over_a_paired), b4/a \(.b4_over_a_paired), c/b \(.c_over_b_paired) and b1/b4 \(.b1_over_b4_paired) at \(.devices)"] | join("; ")) + ".",
  "",
  "Into the namespace / back out (medians, ms); (s) is `rdma-netns-hook --version`, the cost of starting the hook; \"rest\" is (b) − (a') − 2·(s), what the hook does besides starting twice and moving:",
  "",
  "| devices | (a') in | (a') out | (b1) prestart | (b1) poststop | (b4) prestart | (b4) poststop | (c) prestart | (c) poststop | (s) | rest of (b1) | rest of (b4) |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ($counts[] as $n | ($r.ratios | map(select(.devices == $n)) | first) as $q
    | "| \($n) | \($r | lat("a-netlink"; $n) | .in_median_ms | f1) | \($r | lat("a-netlink"; $n) | .out_median_ms | f1) | \($r | lat("b1"; $n) | .in_median_ms | f1) | \($r | lat("b1"; $n) | .out_median_ms | f1) | \($r | lat("b4"; $n) | .in_median_ms | f1) | \($r | lat("b4"; $n) | .out_median_ms | f1) | \($r | lat("c"; $n) | .in_median_ms | f1) | \($r | lat("c"; $n) | .out_median_ms | f1) | \($r | lat("s"; $n) | if . then cell else "" end) | \($q.b1_extra_ms // "") | \($q.b4_extra_ms // "") |"),
  "",
  "Added cost per device (ms, from the medians), and a least-squares line through the medians (ms = intercept + slope · devices):",
  "",
  "| variant | " + ([$r.per_device[0].per_device_ms[] | "\(.from) → \(.to)"] | join(" | ")) + " | intercept | slope | R² |",
  "|---|" + ([$r.per_device[0].per_device_ms[] | "---:"] | join("|")) + "|---:|---:|---:|",
  ($r.per_device[] | "| \(.variant) | " + ([.per_device_ms[] | .ms | tostring] | join(" | ")) + " | \(.fit.intercept_ms) | \(.fit.slope_ms) | \(.fit.r2) |"),
  "",
  "Moves from several threads at once (floor_bench --threads N, netlink work only):",
  "",
  "| devices | threads | in + out | in | out | speedup over 1 thread: medians | best runs |",
  "|---:|---:|---:|---:|---:|---:|---:|",
  ($r.threads | sort_by(.devices, .threads)[]
    | "| \(.devices) | \(.threads) | \(cell) | \(.in_median_ms | f1) | \(.out_median_ms | f1) | \(.speedup) | \(.speedup_best) |"),
  "",
  "Containers from start to exit (`RUNTIME run`, /bin/true; with the hook: \($r.meta.container_devices // "?") devices):",
  "",
  "| runtime | time | hook's share |",
  "|---|---:|---:|",
  ($r.containers | sort_by(.variant)[]
    | "| \(.variant) | \(cell) | \(if .hook_overhead_ms then "+\(.hook_overhead_ms)" else "" end) |"),
  "",
  "Peak RSS (GNU time %M, largest of \($r.rss[0].runs // "?") runs):",
  "",
  ($r.rss | map(.devices) | unique) as $rc
  | "| program | " + ($rc | map(if . == 0 then "start-up only" else "\(.) devices" end) | join(" | ")) + " |",
    "|---|" + ($rc | map("---:") | join("|")) + "|",
    ($r.rss | group_by(.program) | sort_by(-(.[0].devices))[] | . as $g
      | "| \($g[0].program) | " + ($rc | map(. as $n | $g | map(select(.devices == $n)) | first
          | if . then "\(.max_kib) KiB" else "" end) | join(" | ")) + " |"),
  "",
  "Host microbenchmarks (Google Benchmark, median of the repetitions; \($r.meta.host_cpus // "?") CPUs, load average \($r.meta.host_load_avg // [] | map(. * 100 | round / 100 | tostring) | join(", ")) when they ran):",
  "",
  "| benchmark | real | CPU | |",
  "|---|---:|---:|---|",
  ($r.micro[] | "| \(.name) | \(if .real_ns >= 10000 then "\(.real_ns / 1000 | . * 10 | round / 10) µs" else "\(.real_ns) ns" end) | \(if .cpu_ns >= 10000 then "\(.cpu_ns / 1000 | . * 10 | round / 10) µs" else "\(.cpu_ns) ns" end) | \(.label // "") |"),
  "",
  "Targets:",
  "",
  "Judged on the figures (ratios of the medians); round by round in brackets.",
  "",
  "| target | value | goal | |",
  "|---|---:|---|---|",
  ($r.targets[] | "| \(.name) | \(.value)\(if .round_by_round then " (\(.round_by_round))" else "" end) | \(.target) | \(.met | yes) |"),
  "",
  "Parallel moves: best speedup " + ([$r.parallel.best[] | "\(.speedup)x at \(.devices) devices (\(.threads) threads; \(.speedup_best)x between the best runs)"] | join(", ")) + "; " + (if $r.parallel.substantial then "parallel moves win substantially (1.25x or more in the medians and in the best runs)." else "no substantial win (not 1.25x or more in both the medians and the best runs)." end)
