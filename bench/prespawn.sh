#!/bin/bash
# Prespawned sandboxes (issue 7), measured on their own: the same post served by warren +
# quill-engine under policies/quill.toml with and without `prespawn`, and by tcpserver + the same
# engine with no sandbox. One connection at a time (ab -c 1: p50 and p99, the 0.5 ms target) and 32
# at once (ab -c 32: req/s, p50, p99), interleaved over ROUNDS rounds; each figure is the median.
#
# Usage (root, loopback only): bench/prespawn.sh [SITE_PUBLIC]   (default out/site/public: `make demo-site`)
# Needs .build/release/warren, .build-static/release/quill-engine, ab (apache2-utils), tcpserver.
# Environment: ROUNDS (3), C1_REQUESTS (2000), C32_REQUESTS (4000), PRESPAWN (4), AB_SECONDS (20),
# WARREN (.build/release/warren: another build to compare).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SITE_PUBLIC=$(readlink -f "${1:-$ROOT/out/site/public}")
ROUNDS=${ROUNDS:-3} C1_REQUESTS=${C1_REQUESTS:-2000} C32_REQUESTS=${C32_REQUESTS:-4000}
PRESPAWN=${PRESPAWN:-4} AB_SECONDS=${AB_SECONDS:-20}
WARREN=${WARREN:-$ROOT/.build/release/warren}
ENGINE=$ROOT/.build-static/release/quill-engine
for f in "$WARREN" "$ENGINE"; do [ -x "$f" ] || { echo "missing $f (make build)" >&2; exit 1; }; done
command -v ab > /dev/null && command -v tcpserver > /dev/null || { echo "needs ab and tcpserver" >&2; exit 1; }

source "$ROOT/bench/lib/private-site.sh"
private_site warren-prespawn
declare -A PORT=([plain]=18211 [prespawn]=18212 [tcpserver]=18213)
service() { # name port extra-line
    printf '[[service]]\nname = "%s"\nlisten = ["127.0.0.1:%s"]\nengine = "%s"\npolicy = "%s"\n' \
        "$1" "$2" "$ENGINE" "$WORK/quill.toml"
    printf 'max_instances = 4096\nmax_per_source = 4096\ntimeout = "60s"\n%s\n\n' "$3"
}
{
    printf '[server]\nshutdown_grace = "2s"\n\n'
    service plain "${PORT[plain]}" ""
    service prespawn "${PORT[prespawn]}" "prespawn = $PRESPAWN"
} > "$WORK/warren.toml"
"$WARREN" serve --config "$WORK/warren.toml" 2> "$WORK/warren.log" &
PIDS+=($!)
tcpserver -R -H -l 0 -c 4000 127.0.0.1 "${PORT[tcpserver]}" "$ENGINE" --site "$WORK/site/public" \
    2> /dev/null &
PIDS+=($!)
sleep 1

SITE=$WORK/site/public
source "$ROOT/bench/lib/post.sh"
POST=$BENCH_POST
for name in plain prespawn tcpserver; do
    curl -fs "http://127.0.0.1:${PORT[$name]}$POST" | cmp -s - "$SITE${POST}index.html" ||
        { echo "$name does not serve $POST" >&2; tail "$WORK/warren.log" >&2; exit 1; }
done
echo "post $POST ($(stat -c %s "$SITE${POST}index.html") bytes); prespawn = $PRESPAWN; $(nproc) cores; load $(cut -d" " -f1-3 /proc/loadavg)"

# ab -e writes percentiles (ms, with decimals); the summary has req/s.
run() { # name concurrency requests -> "rps p50 p99"
    local out=$WORK/ab.$1.$2
    ab -r -q -s 10 -t "$AB_SECONDS" -n "$3" -c "$2" -e "$out.csv" "http://127.0.0.1:${PORT[$1]}$POST" > "$out" 2>&1 || true
    local rps p50 p99
    rps=$(awk '/^Requests per second/ { print $4 }' "$out")
    p50=$(awk -F, '$1 == 50 { print $2 }' "$out.csv")
    p99=$(awk -F, '$1 == 99 { print $2 }' "$out.csv")
    echo "${rps:-0} ${p50:-nan} ${p99:-nan}"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A ROWS
for round in $(seq "$ROUNDS"); do
    for name in plain prespawn tcpserver; do
        run "$name" 1 200 > /dev/null # warm-up
        ROWS[$name.c1]+="$(run "$name" 1 "$C1_REQUESTS")"$'\n'
        ROWS[$name.c32]+="$(run "$name" 32 "$C32_REQUESTS")"$'\n'
    done
done
printf '%-10s %12s %12s %12s %12s %12s\n' peer "c1 p50 ms" "c1 p99 ms" "c32 req/s" "c32 p50 ms" "c32 p99 ms"
echo "load at the end: $(cut -d" " -f1-3 /proc/loadavg)"
for name in plain prespawn tcpserver; do
    c1=${ROWS[$name.c1]} c32=${ROWS[$name.c32]}
    printf '%-10s %12s %12s %12s %12s %12s\n' "$name" \
        "$(awk 'NF { print $2 }' <<< "$c1" | median)" "$(awk 'NF { print $3 }' <<< "$c1" | median)" \
        "$(awk 'NF { print $1 }' <<< "$c32" | median)" "$(awk 'NF { print $2 }' <<< "$c32" | median)" \
        "$(awk 'NF { print $3 }' <<< "$c32" | median)"
done
echo "warren: $(grep -c 'event=conn' "$WORK/warren.log") connections logged," \
    "$(grep -c 'exit=0' "$WORK/warren.log") exit=0, $(grep -c 'prespawned=true' "$WORK/warren.log") by a prespawned engine" \
    "(service prespawn: $(grep -c 'event=conn service=prespawn ' "$WORK/warren.log")), $(grep -c 'event=handoff_failed' "$WORK/warren.log") failed handoffs," \
    "$(grep -c 'event=prespawn_exit' "$WORK/warren.log") waiters ended without a connection"
