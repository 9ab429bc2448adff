#!/bin/bash
# Warren's own CPU per new connection while many idle keep-alive connections are held (issue 7):
# each held connection is a pidfd in warren's fd table, which a spawn clone used to copy. For each
# level in LEVELS it holds that many connections to quill-engine (policies/quill.toml), then runs
# `ab -n REQUESTS -c 8` (a new connection per request) and divides the CPU of all warren's threads
# (/proc/PID/task/*/schedstat, so foreign load does not count) by the requests. CPU time, not
# throughput: the machine is shared.
#
# Usage (root, loopback only): bench/held-spawn.sh [WARREN] [SITE_PUBLIC]
#   WARREN defaults to .build/release/warren; SITE_PUBLIC to out/site/public (`make demo-site`).
# Environment: LEVELS ("0 2000 8000"), REQUESTS (2000), ENGINE (.build-static/release/quill-engine).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WARREN=$(readlink -f "${1:-$ROOT/.build/release/warren}")
SITE_PUBLIC=$(readlink -f "${2:-$ROOT/out/site/public}")
ENGINE=${ENGINE:-$ROOT/.build-static/release/quill-engine}
LEVELS=${LEVELS:-"0 2000 8000"} REQUESTS=${REQUESTS:-2000}
for f in "$WARREN" "$ENGINE"; do [ -x "$f" ] || { echo "missing $f" >&2; exit 1; }; done
command -v ab > /dev/null || { echo "needs ab (apache2-utils)" >&2; exit 1; }

source "$ROOT/bench/lib/private-site.sh"
private_site warren-held
PORT=18221
cat > "$WORK/warren.toml" << TOML
[server]
shutdown_grace = "2s"

[[service]]
name = "blog"
listen = ["127.0.0.1:$PORT"]
engine = "$ENGINE"
policy = "$WORK/quill.toml"
max_instances = 12000
max_per_source = 12000
timeout = "600s"
args = ["--idle-timeout", "600000"]   # held connections must outlive the run
TOML
ulimit -n "$(ulimit -Hn)"
"$WARREN" serve --config "$WORK/warren.toml" 2> "$WORK/warren.log" &
WPID=$!
PIDS+=("$WPID")
for _ in $(seq 100); do grep -q event=listening "$WORK/warren.log" && break; sleep 0.1; done
POST=/404.html
curl -fs -o /dev/null "http://127.0.0.1:$PORT/" || true

cpu_ns() { cat /proc/"$WPID"/task/*/schedstat | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
echo "warren $WARREN; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%8s %8s %14s %10s\n' held fds "cpu us/conn" "req/s"
held=0 holder=""
for level in $LEVELS; do
    if [ "$level" -gt "$held" ]; then
        # hold.py keeps its connections until its input ends: a fifo held open by this shell.
        rm -f "$WORK/hold.in" && mkfifo "$WORK/hold.in"
        python3 "$ROOT/bench/lib/hold.py" 127.0.0.1 "$PORT" / $((level - held)) --timeout 300 --batch 128 \
            < "$WORK/hold.in" > "$WORK/hold.$level" 2> "$WORK/hold.$level.err" &
        PIDS+=($!)
        exec {fd}> "$WORK/hold.in"
        for _ in $(seq 3000); do grep -q '^ready' "$WORK/hold.$level" && break; sleep 0.1; done
        held=$((held + $(awk '$1 == "ready" { print $2 }' "$WORK/hold.$level")))
    fi
    fds=$(ls /proc/"$WPID"/fd | wc -l)
    c0=$(cpu_ns)
    rps=$(ab -r -q -s 10 -n "$REQUESTS" -c 8 "http://127.0.0.1:$PORT$POST" 2>&1 | awk '/^Requests per second/ { print $4 }')
    c1=$(cpu_ns)
    printf '%8s %8s %14.0f %10s\n' "$held" "$fds" "$(((c1 - c0) / REQUESTS / 1000))" "${rps:-0}"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
