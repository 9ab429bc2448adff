# Load generators for bench/bench.sh: ab (new connection per request) and wrk (keep-alive), each
# parsed into "metric value" lines. Sourced. Bounded: every run has a request count or a duration,
# and a timeout.

# ab_run PORT PATH REQUESTS CONCURRENCY -> complete, rps, p50_ms, p99_ms, failed lines. Stops at
# REQUESTS or after AB_SECONDS, whichever comes first (-t before -n: ab keeps both limits), so a
# slow peer (bwrap) cannot stretch the run.
# Percentiles come from ab's CSV (-e): microsecond resolution, where its text output rounds to ms.
ab_run() {
    local port=$1 path=$2 n=$3 c=$4 out csv
    out=$WORK/ab.out
    csv=$WORK/ab.csv
    rm -f "$csv"
    timeout $((AB_SECONDS + 60)) ab -r -q -s 10 -t "$AB_SECONDS" -n "$n" -c "$c" -e "$csv" "http://127.0.0.1:$port$path" > "$out" 2>&1 || true
    awk '/^Requests per second:/ { print "rps", $4 }
         /^Complete requests:/ { print "complete", $3 }
         /^Failed requests:/ { print "failed", $3 }' "$out"
    if [ -s "$csv" ]; then
        awk -F, '$1 == 50 { print "p50_ms", $2 } $1 == 99 { print "p99_ms", $2 }' "$csv"
    else
        say "ab produced no percentiles on port $port: $(tail -2 "$out" | tr '\n' ' ')"
    fi
}

# wrk_run PORT PATH SECONDS -> rps, p50_ms, p99_ms, errors lines (2 threads, 32 connections).
wrk_run() {
    local port=$1 path=$2 d=$3 out
    out=$WORK/wrk.out
    timeout $((d + 30)) wrk -t2 -c32 -d"${d}s" --latency "http://127.0.0.1:$port$path" > "$out" 2>&1 || true
    awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
         /^Requests\/sec:/ { print "rps", $2 }
         $1 == "50%" { print "p50_ms", ms($2) }
         $1 == "99%" { print "p99_ms", ms($2) }
         /Socket errors:/ { gsub(",", ""); print "errors", $4 + $6 + $8 + $10 }
         /Non-2xx or 3xx responses:/ { print "non2xx", $5 }' "$out"
}
