#!/usr/bin/env bash
# quill-engine under tcpserver (ucspi-tcp, one process per connection, no sandbox) beside nginx
# serving the same file, on loopback only: wrk with keep-alive, ab with a new connection per
# request; prints requests/s and the engine/nginx ratios. A static C program that answers one
# request and exits (bench/hello.c) runs under tcpserver too: the floor of the process-per-
# connection model on this machine, for the new-connection figure. Bounded: each run lasts DURATION
# seconds (wrk) or REQUESTS requests (ab).
#   bench/engine.sh [DURATION] [REQUESTS] [CONCURRENCY]      (defaults 5, 5000, 32)
# BEFORE=/path/to/older/quill-engine also runs that binary under tcpserver, interleaved with the
# others, for before/after ratios; ROUNDS=N (default 1) repeats the keep-alive runs A B C A B C and
# prints each one and the median.
# Needs root for apt-get (ucspi-tcp nginx-light wrk apache2-utils) and the static engine
# (make engine). Results and discussion: docs/quill-engine.md.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-5}
requests=${2:-5000}
conc=${3:-32}
engine=$PWD/.build-static/release/quill-engine
[ -x "$engine" ] || { echo "no $engine: run make engine first" >&2; exit 1; }

source bench/lib/apt.sh
install_missing ucspi-tcp nginx-light wrk apache2-utils

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/site" "$work/nginx"
chmod 755 "$work" "$work/site"  # nginx workers run as www-data
# A typical small blog page (5 KB).
head -c 5120 /dev/urandom | base64 -w 76 | head -c 5120 > "$work/site/index.html"
chmod 644 "$work/site/index.html"
engine_port=18181
nginx_port=18182
hello_port=18183
before_port=18184
before=${BEFORE:-}
rounds=${ROUNDS:-1}
cc -O2 -static -o "$work/hello" bench/hello.c

tcpserver -R -H -l 0 -c 4000 127.0.0.1 $engine_port "$engine" --site "$work/site" 2>/dev/null &
pids+=($!)
engine_server=$!
tcpserver -R -H -l 0 -c 4000 127.0.0.1 $hello_port "$work/hello" 2>/dev/null &
pids+=($!)
if [ -n "$before" ]; then
    tcpserver -R -H -l 0 -c 4000 127.0.0.1 $before_port "$before" --site "$work/site" 2>/dev/null &
    pids+=($!)
    before_server=$!
fi

cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000;
    types { text/html html; }
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/site;
    }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)
nginx_master=$!

for port in $engine_port $nginx_port ${before:+$before_port}; do
    for _ in $(seq 50); do
        curl -fso /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
        sleep 0.1
    done
done
# Same bytes from both.
cmp <(curl -fs "http://127.0.0.1:$engine_port/") <(curl -fs "http://127.0.0.1:$nginx_port/")

# CPU ticks (user+system, with reaped children: tcpserver's engines) of the given processes.
ticks() { for p in "$@"; do awk '{print $14+$15+$16+$17}' "/proc/$p/stat"; done | awk '{t+=$1} END {print t}'; }
# Keep-alive run against PORT; prints "REQ/S CPU-US-PER-REQUEST", the CPU being the server's
# own (tcpserver and its engines, or nginx's master and workers): steadier than req/s when other
# work shares the machine.
wrk_run() {
    local port=$1; shift
    local t0 out t1 n
    t0=$(ticks "$@")
    out=$(timeout $((duration + 30)) wrk -t2 -c"$conc" -d"${duration}s" "http://127.0.0.1:$port/")
    sleep 1  # the engines see EOF and are reaped
    t1=$(ticks "$@")
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    awk -v r="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" -v t=$((t1 - t0)) -v n="$n" \
        -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%s %.1f\n", r, t * 1e6 / hz / n}'
}
ab_rps() {
    timeout 120 ab -q -n "$requests" -c "$conc" "http://127.0.0.1:$1/" 2>/dev/null |
        awk '/Requests per second/ {print $4} /Failed requests/ {if ($3 > 0) print "failed " $3 > "/dev/stderr"}'
}

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
nginx_pids=$(echo $nginx_master; pgrep -P $nginx_master)
ews=() nws=() bws=() ecs=() ncs=() bcs=()
for r in $(seq "$rounds"); do
    read -r rps cpu < <(wrk_run $engine_port $engine_server); ews+=("$rps"); ecs+=("$cpu")
    read -r rps cpu < <(wrk_run $nginx_port $nginx_pids); nws+=("$rps"); ncs+=("$cpu")
    if [ -n "$before" ]; then
        read -r rps cpu < <(wrk_run $before_port $before_server); bws+=("$rps"); bcs+=("$cpu")
    fi
    echo "round $r keep-alive req/s (CPU us/req): quill-engine ${ews[-1]} (${ecs[-1]})" \
        "nginx ${nws[-1]} (${ncs[-1]})${before:+ before ${bws[-1]} (${bcs[-1]})}"
done
ew=$(printf '%s\n' "${ews[@]}" | median)
nw=$(printf '%s\n' "${nws[@]}" | median)
ec=$(printf '%s\n' "${ecs[@]}" | median)
nc=$(printf '%s\n' "${ncs[@]}" | median)
ea=$(ab_rps $engine_port)
na=$(ab_rps $nginx_port)
ha=$(ab_rps $hello_port)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
printf '%-34s %12s %12s %8s\n' "5 KB page, loopback, c=$conc" quill-engine nginx ratio
printf '%-34s %12s %12s %8s\n' "wrk keep-alive (req/s)" "$ew" "$nw" "$(ratio "$ew" "$nw")"
printf '%-34s %12s %12s %8s\n' "keep-alive CPU us/request" "$ec" "$nc" "$(ratio "$nc" "$ec")"
if [ -n "$before" ]; then
    bw=$(printf '%s\n' "${bws[@]}" | median)
    bc=$(printf '%s\n' "${bcs[@]}" | median)
    printf '%-34s %12s %12s %8s\n' "wrk keep-alive, BEFORE (req/s)" "$bw" "$nw" "$(ratio "$bw" "$nw")"
    printf '%-34s %12s %12s %8s\n' "keep-alive CPU us/request, BEFORE" "$bc" "$nc" "$(ratio "$nc" "$bc")"
fi
printf '%-34s %12s %12s %8s\n' "ab new connection (req/s)" "$ea" "$na" "$(ratio "$ea" "$na")"
if [ -n "$before" ]; then
    ba=$(ab_rps $before_port)
    printf '%-34s %12s %12s %8s\n' "ab new connection, BEFORE (req/s)" "$ba" "$na" "$(ratio "$ba" "$na")"
fi
printf '%-34s %12s %12s %8s\n' "ab new connection, C hello (req/s)" "$ha" "" "$(ratio "$ea" "$ha")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
