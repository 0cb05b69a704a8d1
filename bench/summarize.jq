# SPDX-License-Identifier: Apache-2.0
# Turns the raw results of one bench/run into results.json:
#   jq -n --slurpfile samples SAMPLES --slurpfile micro MICRO_JSON \
#      --argjson clock_rate RATE --argjson tsc_khz KHZ -f summarize.jq
# SAMPLES: an array of the guest's result objects (bench/guest.sh), MICRO_JSON: micro_bench's
# --benchmark_out. Times are in ms (µs precision), sizes in KiB.

def median: sort | length as $n
    | if $n == 0 then null
      elif $n % 2 == 1 then .[($n - 1) / 2]
      else (.[$n / 2 - 1] + .[$n / 2]) / 2 end;
def ms: . / 1000 | . * 1000 | round / 1000;
def r2: . * 100 | round / 100;
def stats: {runs: length, median_ms: (median | ms), min_ms: (min | ms), max_ms: (max | ms)};

$samples[0] as $samples
| ($samples | map(select(.kind == "latency"))) as $lat
| ($samples | map(select(.kind == "meta")) | first) as $meta
| ($lat | map(.devices) | unique) as $counts

# (a) as a whole process, (a') its netlink work alone, (b1) and (b4): the hook
# moving one device at a time and four at once, (c), (s)
| [ ($lat | group_by([.variant, .devices])[]
      | {variant: .[0].variant, devices: .[0].devices}
        + (map(.total_us) | stats)
        + {in_median_ms: (map(.in_us) | median | ms), out_median_ms: (map(.out_us) | median | ms)}),
    ($lat | map(select(.variant == "a")) | group_by(.devices)[]
      | {variant: "a-netlink", devices: .[0].devices}
        + (map(.in_us + .out_us) | stats)
        + {in_median_ms: (map(.in_us) | median | ms), out_median_ms: (map(.out_us) | median | ms)})
  ] as $latency
| def med($v; $n): $latency | map(select(.variant == $v and .devices == $n)) | first | .median_ms;
  def slope($v; $from; $to): (med($v; $to) - med($v; $from)) / ($to - $from);
  def paired($x; $y; $n): [$lat[] | select(.devices == $n)] | group_by(.run)
    | map((map(select(.variant == $x))[0].total_us) / (map(select(.variant == $y))[0].total_us))
    | median;

  # what the hook does besides two start-ups and the moves themselves
  def extra($b; $n): if med("s"; $n) then med($b; $n) - med("a-netlink"; $n) - 2 * med("s"; $n)
                     | . * 10 | round / 10 else null end;

  # c/b is taken against the hook as configured by default, (b4)
  [ $counts[] as $n
    | {devices: $n,
       b1_over_a: (med("b1"; $n) / med("a"; $n) | r2),
       b4_over_a: (med("b4"; $n) / med("a"; $n) | r2),
       b1_over_a_netlink: (med("b1"; $n) / med("a-netlink"; $n) | r2),
       b4_over_a_netlink: (med("b4"; $n) / med("a-netlink"; $n) | r2),
       c_over_b: (med("c"; $n) / med("b4"; $n) | r2),
       # what the pool gains: sequential over parallel
       b1_over_b4: (med("b1"; $n) / med("b4"; $n) | r2),
       b1_minus_a_ms: (med("b1"; $n) - med("a"; $n) | . * 10 | round / 10),
       b4_minus_a_ms: (med("b4"; $n) - med("a"; $n) | . * 10 | round / 10),
       # the median of each round's own ratio: variants of one round ran
       # minutes apart at most, so slow changes in the host's load cancel
       b1_over_a_paired: (paired("b1"; "a"; $n) | r2),
       b4_over_a_paired: (paired("b4"; "a"; $n) | r2),
       c_over_b_paired: (paired("c"; "b4"; $n) | r2),
       b1_over_b4_paired: (paired("b1"; "b4"; $n) | r2),
       b1_extra_ms: extra("b1"; $n),
       b4_extra_ms: extra("b4"; $n)} ] as $ratios

# the added cost of one more device, between successive counts, and a
# least-squares line through the medians: ms = intercept + slope * devices
| def fit: length as $k | (map(.[0]) | add) as $sx | (map(.[1]) | add) as $sy
    | (map(.[0] * .[0]) | add) as $sxx | (map(.[0] * .[1]) | add) as $sxy
    | (($k * $sxy - $sx * $sy) / ($k * $sxx - $sx * $sx)) as $b
    | (($sy - $b * $sx) / $k) as $a
    | ($sy / $k) as $mean
    | (map(pow(.[1] - $a - $b * .[0]; 2)) | add) as $res
    | (map(pow(.[1] - $mean; 2)) | add) as $tot
    | {intercept_ms: ($a | . * 10 | round / 10), slope_ms: ($b | . * 100 | round / 100),
       r2: (if $tot > 0 then 1 - $res / $tot | . * 1000 | round / 1000 else null end)};
  [ ("a", "a-netlink", "b1", "b4", "c") as $v
    | {variant: $v,
       per_device_ms: [range(1; $counts | length) as $i
         | {from: $counts[$i - 1], to: $counts[$i],
            ms: (slope($v; $counts[$i - 1]; $counts[$i]) | . * 100 | round / 100)}],
       fit: (if ($counts | length) >= 2 then [$counts[] as $n | [$n, med($v; $n)]] | fit else null end)} ]
  as $per_device
# (b1)'s and (b4)'s added cost per device over the floor's, between the two
# largest counts: above 1 by what the hook does per device besides the move
| def growth($b): if ($counts | length) >= 2 then
      ($per_device | map(select(.variant == $b))[0].per_device_ms[-1].ms)
      / ($per_device | map(select(.variant == "a-netlink"))[0].per_device_ms[-1].ms) | r2
    else null end;

  [ $samples | map(select(.kind == "threads")) | group_by([.devices, .threads])[]
    | {devices: .[0].devices, threads: .[0].threads}
      + (map(.in_us + .out_us) | stats)
      + {in_median_ms: (map(.in_us) | median | ms), out_median_ms: (map(.out_us) | median | ms)} ]
  | (map(select(.threads == 1) | {key: (.devices | tostring), value: .}) | from_entries) as $seq
  # over one thread: of the medians, and of the best runs (the least disturbed
  # by whatever else the host was doing)
  | map(.speedup = ($seq[.devices | tostring].median_ms / .median_ms | r2)
        | .speedup_best = ($seq[.devices | tostring].min_ms / .min_ms | r2)) as $threads

| [ $samples | map(select(.kind == "container")) | group_by(.variant)[]
    | {variant: .[0].variant, devices: .[0].devices} + (map(.total_us) | stats) ] as $containers
| def ctr($v): $containers | map(select(.variant == $v)) | first | .median_ms;

  [ $samples | map(select(.kind == "rss")) | group_by([.program, .devices])[]
    | {program: .[0].program, devices: .[0].devices, max_kib: (map(.kib) | max),
       runs: length} ] as $rss

| ($micro[0].benchmarks | any(.run_type == "aggregate")) as $aggregated
| [ $micro[0].benchmarks[]
    | select(if $aggregated then .aggregate_name == "median" else .run_type == "iteration" end)
    | (if .time_unit == "us" then 1000 elif .time_unit == "ms" then 1000000
       elif .time_unit == "s" then 1000000000 else 1 end) as $f
    | {name: .run_name, real_ns: (.real_time * $f | round), cpu_ns: (.cpu_time * $f | round),
       label: (.label // null)} ] as $microbench
| ($microbench | map(select(.name == "BM_HookCpuPath/32")) | first) as $cpu_path

| ($rss | map(select(.program | startswith("rdma-netns-hook"))) | map(.max_kib) | max) as $hook_rss
| ($threads | map(select(.threads > 1)) | group_by(.devices)
   | map(max_by(.speedup) | {devices, threads, speedup, speedup_best})) as $best_parallel

| def target($name; $value; $op; $limit; $unit):
    {name: $name, value: $value, target: "\($op) \($limit)\($unit)",
     met: (if $value == null then null
           elif $op == "<=" then $value <= $limit
           elif $op == "<" then $value < $limit
           else $value >= $limit end)};

  {
    meta: ($meta | del(.kind) + {guest_clock_rate: $clock_rate, tsc_khz: $tsc_khz,
                                 host_load_avg: $micro[0].context.load_avg,
                                 host_cpus: $micro[0].context.num_cpus}),
    latency: ($latency | sort_by(.variant, .devices)),
    ratios: $ratios,
    per_device: $per_device,
    threads: $threads,
    containers: ($containers
      | map(. + (if (.variant | endswith("+hook"))
                 then {hook_overhead_ms: (.median_ms - ctr(.variant | rtrimstr("+hook")) | . * 10 | round / 10)}
                 else {} end))),
    rss: $rss,
    micro: $microbench,
    targets: [
      (("b1", "b4") as $b | $ratios[] | select(.devices == 8 or .devices == 32)
        | target("(\($b))/(a) at \(.devices) devices"; .["\($b)_over_a"]; "<="; 1.3; "x")
          + {round_by_round: .["\($b)_over_a_paired"]}),
      ($ratios[] | select(.devices == 8) | target("(c)/(b4) at 8 devices"; .c_over_b; ">="; 5; "x")
          + {round_by_round: .c_over_b_paired}),
      (("b1", "b4") as $b
        | target("(\($b)) linear in devices: its added cost per device (\($counts[-2])->\($counts[-1])) over the floor's (a')";
                 growth($b); "<="; 1.25; "x")),
      target("host: parse + resolve + build + ack parse, 32 devices (BM_HookCpuPath/32, real)";
             (if $cpu_path then $cpu_path.real_ns / 1000000 | . * 1000 | round / 1000 else null end);
             "<"; 1; " ms"),
      target("peak RSS of the hook"; (if $hook_rss then $hook_rss / 1024 | r2 else null end);
             "<"; 4; " MiB")
    ],
    # substantial: 1.25x or more both in the medians and in the best runs
    parallel: {best: $best_parallel,
               substantial: ($best_parallel | any(.speedup >= 1.25 and .speedup_best >= 1.25))}
  }
