#!/usr/bin/env bash
# The log relay under load, and idle connections held at once (issue 7). Serves the built demo site
# with the static quill-engine under policies/quill.toml through warren, and through tcpserver
# with no sandbox as the reference:
#   1. keep-alive: wrk -t2 -c32 -d5s --latency, interleaved warren/tcpserver, ROUNDS times; during
#      each warren run the engines' wait channels are sampled (an engine blocked writing its stderr
#      shows pipe_write or unix_dgram/sock_alloc_send; one serving or idle shows its socket read);
#   2. idle connections: HOLD keep-alive connections held (bench/lib/hold.py), then a new client's
#      requests (ab -c 1, PROBE requests) with their p50/p99, warren's fds and its CPU per new
#      connection at 0 and at HOLD held.
# Usage: bench/warren-logrelay.sh [keepalive|hold|all]   (root; needs `make engine` and a built site
# in out/site; WARREN=path picks the warren binary, default .build/release/warren)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
WHAT=${1:-all}
WARREN=${WARREN:-$ROOT/.build/release/warren}
ENGINE=${ENGINE:-$ROOT/.build-static/release/quill-engine}
SITE=$(readlink -f "${SITE_DIR:-$ROOT/out/site}/public")
ROUNDS=${ROUNDS:-3}
HOLD=${HOLD:-10000}
PROBE=${PROBE:-1000}
HOLD_TIMEOUT=${HOLD_TIMEOUT:-240}
WPORT=${WPORT:-18301}
TPORT=${TPORT:-18302}
[ -x "$WARREN" ] && [ -x "$ENGINE" ] && [ -d "$SITE" ] || { echo "need $WARREN, $ENGINE and $SITE" >&2; exit 1; }

WORK=$(mktemp -d /tmp/warren-logrelay.XXXXXX)
chmod 755 "$WORK"
source bench/lib/common.sh
source bench/lib/concurrency.sh
cleanup() {
    end_all
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

source bench/lib/post.sh
POST=$BENCH_POST

cat > "$WORK/warren.toml" <<TOML
[server]
shutdown_grace = "2s"

[[service]]
name = "quill"
listen = ["127.0.0.1:$WPORT"]
engine = "$ENGINE"
args = ["--idle-timeout", "300000"]
policy = "$ROOT/policies/quill.toml"
max_instances = 20000
max_per_source = 20000
timeout = "600s"
TOML
"$WARREN" serve --config "$WORK/warren.toml" 2> "$WORK/warren.log" &
WPID=$!
track $WPID
tcpserver -R -H -l 0 -c 4000 127.0.0.1 "$TPORT" "$ENGINE" --site "$SITE" --idle-timeout 300000 \
    2> "$WORK/tcpserver.log" &
track $!
wait_http "$WPORT"
wait_http "$TPORT"
say "warren $WARREN (pid $WPID), post $POST"

# Wait channels of warren's children, sampled every 20 ms while $1 runs: "count channel" lines.
sample_wchan() {
    local until=$1
    while kill -0 "$until" 2>/dev/null; do
        for c in $(cat /proc/"$WPID"/task/*/children 2>/dev/null); do
            cat /proc/"$c"/wchan 2>/dev/null && echo
        done
        sleep 0.02
    done | grep -v '^$' | sort | uniq -c | sort -rn | head -6
}

wrk_run() {
    wrk -t2 -c32 -d5s --latency "http://127.0.0.1:$1$POST" > "$WORK/wrk.out"
    awk '/Requests\/sec/ { r = $2 } $1 == "99%" { p = $2 } $1 == "50%" { m = $2 } END { printf "req_s=%s p50=%s p99=%s", r, m, p }' "$WORK/wrk.out"
}

if [ "$WHAT" = keepalive ] || [ "$WHAT" = all ]; then
    for round in $(seq "$ROUNDS"); do
        wrk_run "$WPORT" > "$WORK/w.res" &
        w=$!
        sample_wchan $w > "$WORK/wchan"
        wait $w
        echo "keepalive round=$round warren $(cat "$WORK/w.res") wchan: $(tr -s ' \n' ' ' < "$WORK/wchan")"
        echo "keepalive round=$round tcpserver $(wrk_run "$TPORT")"
    done
    echo "warren log: $(grep -c 'event=stderr' "$WORK/warren.log") stderr records," \
        "$(grep -c 'event=log_dropped' "$WORK/warren.log" || true) log_dropped"
fi

if [ "$WHAT" = hold ] || [ "$WHAT" = all ]; then
    ab_probe() {
        local c0 c1
        c0=$(own_cpu_ns "$WPID")
        ab -q -s 10 -t 60 -n "$PROBE" -c 1 "http://127.0.0.1:$WPORT$POST" > "$WORK/ab.out" 2>&1 || true
        c1=$(own_cpu_ns "$WPID")
        awk -v d=$((c1 - c0)) -v n="$PROBE" '/Complete requests/ { c = $3 } /Failed requests/ { f = $3 }
            $1 == "50%" { m = $2 } $1 == "99%" { p = $2 }
            END { printf "complete=%s failed=%s p50_ms=%s p99_ms=%s warren_cpu_us_per_conn=%.0f", c, f, m, p, d / n / 1000 }' "$WORK/ab.out"
    }
    echo "hold 0: $(ab_probe) warren_fds=$(ls /proc/$WPID/fd | wc -l)"
    # warren's highest fd count while the connections are being opened (sampled every 0.1 s).
    (peak=0; while kill -0 "$WPID" 2>/dev/null; do n=$(ls /proc/"$WPID"/fd | wc -l); [ "$n" -gt "$peak" ] && peak=$n &&
        echo "$peak" > "$WORK/fd_peak"; sleep 0.1; done) &
    sampler=$!
    hold_start "$WPORT" "$POST" "$HOLD" hold
    held=$(hold_wait hold)
    kill "$sampler"
    echo "hold $HOLD: warren_fd_peak=$(cat "$WORK/fd_peak") limit=$(awk '/open files/ { print $4 "/" $5 }' /proc/"$WPID"/limits)"
    fd_kinds() { ls -l /proc/"$WPID"/fd | awk 'NR > 1 { sub(/:.*/, "", $NF); sub(/^anon_inode/, "", $NF); k[$NF]++ }
        END { for (x in k) printf "%s=%d ", x, k[x] }'; }
    echo "hold $HOLD: held=$held engines=$(wc -w < <(cat /proc/$WPID/task/*/children)) warren_fds=$(ls /proc/$WPID/fd | wc -l) ($(fd_kinds))"
    echo "hold $HOLD: $(ab_probe)"
    echo "hold $HOLD: after the probe warren_fds=$(ls /proc/$WPID/fd | wc -l) ($(fd_kinds))"
    hold_stop hold
    grep -v -e 'event=conn .* exit=0$' -e 'event=stderr' "$WORK/warren.log" | awk '{ for (i = 1; i <= NF; i++)
        if ($i ~ /^event=/) e[$i]++ } END { for (k in e) printf "%s=%d ", k, e[k]; print "" }'
    grep 'event=conn ' "$WORK/warren.log" | grep -v ' exit=0$' | sed 's/.*duration=[^ ]* //' | sort | uniq -c | head -5
fi
