#!/usr/bin/env bash
# Per-spawn cost of warren's C spawn path: clone3 + sandbox + execve of a static `true` + reap.
# Usage (root): bench/spawn.sh [N]   (default 2000). Prints the median and p90 per mode.
# Sequential, one spawn at a time: the figure is latency on the connection's critical path. The
# machine is shared, so compare modes within one run, not across runs.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
out=.build/bench
mkdir -p "$out"
cc -static -O2 -o "$out/true" bench/true.c
cc -O2 -Wall -ISources/CWarrenSpawn/include -o "$out/spawn_bench" bench/spawn_bench.c \
    Sources/CWarrenSpawn/*.c -lseccomp -lpthread
engine=$(realpath "$out/true")
# Default: CLONE_VM|CLONE_VFORK clone3 (warren_spawn); fork-: the fork-like clone3 warren used
# before; thread-: through a spawn thread, as the server does ("caller blocked" is the submit).
for mode in bare prepared prepared-nouser fresh fork-bare fork-prepared thread-prepared; do
    "$out/spawn_bench" "$mode" "$n" "$engine" rootfs
done
# Fork-like clone3 copies the caller's page tables: the cost grows with warren's memory.
for mode in prepared fork-prepared thread-prepared; do
    "$out/spawn_bench" "$mode" "$((n / 4))" "$engine" rootfs 256
done
