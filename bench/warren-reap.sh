#!/usr/bin/env bash
# Reaping and fd hygiene under load: starts warren on a free loopback port with the static C hello
# test engine, records its open fds and RSS, runs N connections (default 10,000, C at a time), then
# checks that no child (zombie or not) is left and that the fd count is back where it started.
# Usage: bench/warren-reap.sh [N] [C]   (after `make test-engines` and a warren build)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
C=${2:-8}
WARREN=.build/release/warren
[ -x "$WARREN" ] || WARREN=.build/debug/warren
[ -x "$WARREN" ] || { echo "no warren build: run swift build --product warren" >&2; exit 1; }
[ -x .build/test-engines/hello ] || { echo "run make test-engines first" >&2; exit 1; }
mkdir -p .build/bench
cc -O2 -Wall -Wextra -Werror -o .build/bench/conn-load bench/conn-load.c
DIR=$(mktemp -d /tmp/warren-bench-XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18999)
cat > "$DIR/warren.toml" <<TOML
[[service]]
name = "hello"
listen = ["127.0.0.1:$PORT"]
engine = "$PWD/.build/test-engines/hello"
policy = "$PWD/Tests/WarrenServerTests/Policies/test-engine.toml"   # required: the tests' sandbox
max_instances = 256
max_per_source = 256
TOML
"$WARREN" serve --config "$DIR/warren.toml" 2> "$DIR/warren.log" &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q event=listening "$DIR/warren.log" && break; sleep 0.05; done
fds_before=$(ls /proc/$PID/fd | wc -l)
rss_before=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
.build/bench/conn-load "$PORT" "$N" "$C"
for _ in $(seq 200); do
    [ "$(grep -c 'event=conn ' "$DIR/warren.log")" -ge "$N" ] && break
    sleep 0.05
done
records=$(grep -c 'event=conn ' "$DIR/warren.log")
fds_after=$(ls /proc/$PID/fd | wc -l)
rss_after=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
children=$( (ps --ppid $PID -o pid= || true) | wc -l)
zombies=$( (ps --ppid $PID -o stat= || true) | grep -c Z || true)
echo "warren=$WARREN records=$records fds_before=$fds_before fds_after=$fds_after children=$children zombies=$zombies rss_kb_before=$rss_before rss_kb_after=$rss_after"
kill -TERM $PID
wait $PID
trap - EXIT
rm -rf "$DIR"
[ "$records" -eq "$N" ] && [ "$fds_before" -eq "$fds_after" ] && [ "$children" -eq 0 ]
