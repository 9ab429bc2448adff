#!/usr/bin/env bash
# Per-connection cost of a cgroup v2 leaf (mkdir, open, CLONE_INTO_CGROUP, close, rmdir) against a
# spawn without one. Usage (root, writable cgroup v2): bench/cgroup-leaf.sh [N]  (default 2000).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
out=.build/bench
mkdir -p "$out"
cc -static -O2 -o "$out/true" bench/true.c
cc -O2 -Wall -ISources/CWarrenSpawn/include -o "$out/cgroup_leaf" bench/cgroup_leaf.c Sources/CWarrenSpawn/*.c -lseccomp
mount=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
    /proc/self/mountinfo | head -1)
[ -n "$mount" ] || { echo "no cgroup v2 hierarchy mounted" >&2; exit 1; }
self=$(sed -n 's/^0:://p' /proc/self/cgroup)
dir="$mount${self%/}/warren-bench.$$"
mkdir "$dir"
trap 'rmdir "$dir"/c* 2>/dev/null || true; rmdir "$dir"' EXIT
"$out/cgroup_leaf" "$dir" "$n" "$(realpath "$out/true")"
