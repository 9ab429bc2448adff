#!/usr/bin/env bash
# quill-engine under tcpserver (ucspi-tcp, one process per connection, no sandbox) beside nginx
# serving the same file, on loopback only: wrk with keep-alive, ab with a new connection per
# request; prints requests/s and the engine/nginx ratios. A static C program that answers one
# request and exits (bench/hello.c) runs under tcpserver too: the floor of the process-per-
# connection model on this machine, for the new-connection figure. Bounded: each run lasts DURATION
# seconds (wrk) or REQUESTS requests (ab).
#   bench/engine.sh [DURATION] [REQUESTS] [CONCURRENCY]      (defaults 5, 5000, 32)
# Needs root for apt-get (ucspi-tcp nginx-light wrk apache2-utils) and the static engine
# (make engine). Results and discussion: docs/quill-engine.md.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-5}
requests=${2:-5000}
conc=${3:-32}
engine=$PWD/.build-static/release/quill-engine
[ -x "$engine" ] || { echo "no $engine: run make engine first" >&2; exit 1; }

missing=$(for p in ucspi-tcp nginx-light wrk apache2-utils; do dpkg -s $p >/dev/null 2>&1 || echo $p; done)
if [ -n "$missing" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

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
cc -O2 -static -o "$work/hello" bench/hello.c

tcpserver -R -H -l 0 -c 4000 127.0.0.1 $engine_port "$engine" --site "$work/site" 2>/dev/null &
pids+=($!)
tcpserver -R -H -l 0 -c 4000 127.0.0.1 $hello_port "$work/hello" 2>/dev/null &
pids+=($!)

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

for port in $engine_port $nginx_port; do
    for _ in $(seq 50); do
        curl -fso /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
        sleep 0.1
    done
done
# Same bytes from both.
cmp <(curl -fs "http://127.0.0.1:$engine_port/") <(curl -fs "http://127.0.0.1:$nginx_port/")

wrk_rps() { timeout $((duration + 30)) wrk -t2 -c"$conc" -d"${duration}s" "http://127.0.0.1:$1/" | awk '/Requests\/sec/ {print $2}'; }
ab_rps() {
    timeout 120 ab -q -n "$requests" -c "$conc" "http://127.0.0.1:$1/" 2>/dev/null |
        awk '/Requests per second/ {print $4} /Failed requests/ {if ($3 > 0) print "failed " $3 > "/dev/stderr"}'
}

ew=$(wrk_rps $engine_port)
nw=$(wrk_rps $nginx_port)
ea=$(ab_rps $engine_port)
na=$(ab_rps $nginx_port)
ha=$(ab_rps $hello_port)
printf '%-34s %12s %12s %8s\n' "5 KB page, loopback, c=$conc" quill-engine nginx ratio
printf '%-34s %12s %12s %8s\n' "wrk keep-alive (req/s)" "$ew" "$nw" "$(awk -v a="$ew" -v b="$nw" 'BEGIN{printf "%.2f", a/b}')"
printf '%-34s %12s %12s %8s\n' "ab new connection (req/s)" "$ea" "$na" "$(awk -v a="$ea" -v b="$na" 'BEGIN{printf "%.2f", a/b}')"
printf '%-34s %12s %12s %8s\n' "ab new connection, C hello (req/s)" "$ha" "" "$(awk -v a="$ea" -v b="$ha" 'BEGIN{printf "%.2f", a/b}')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
