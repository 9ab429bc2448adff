# Concurrency: many idle keep-alive connections held at once against warren (each its own
# sandboxed engine), while a new client's requests (ab -c 1) still complete; warren's own CPU per
# new connection (from /proc/PID/task/*/schedstat, nanoseconds) at each level shows whether its
# per-event cost grows with the number of connections. Sourced.

# Warren's own CPU time in ns (all its threads; not its children's).
own_cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
# The event loop's thread alone (its tid is warren's pid): the spawn threads' clones are not in it.
loop_cpu_ns() { awk '{ print $1 }' /proc/"$1"/task/"$1"/schedstat 2>/dev/null || echo 0; }

# hold_start PORT PATH COUNT NAME: starts a holder in the background; hold_wait NAME prints how
# many it holds once it is ready; hold_stop NAME ends it (it closes its connections).
declare -A HOLD_PID=() HOLD_FD=()
hold_start() {
    local port=$1 path=$2 count=$3 name=$4 fd
    rm -f "$WORK/$name.in"
    mkfifo "$WORK/$name.in"
    python3 "$ROOT/bench/lib/hold.py" 127.0.0.1 "$port" "$path" "$count" --timeout "$HOLD_TIMEOUT" --batch 128 \
        < "$WORK/$name.in" > "$WORK/$name.out" 2> "$WORK/$name.err" &
    HOLD_PID[$name]=$!
    track $!
    exec {fd}> "$WORK/$name.in"
    HOLD_FD[$name]=$fd
}
hold_wait() {
    local name=$1 ready=""
    for _ in $(seq $((HOLD_TIMEOUT * 10 + 50))); do
        ready=$(awk '$1 == "ready" { print $2 }' "$WORK/$name.out")
        [ -n "$ready" ] && break
        kill -0 "${HOLD_PID[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    [ -s "$WORK/$name.err" ] && say "holder $name: $(tr '\n' ' ' < "$WORK/$name.err")"
    echo "${ready:-0}"
}
hold_stop() {
    local name=$1 fd=${HOLD_FD[$1]}
    echo quit >&"$fd" 2>/dev/null || true
    exec {fd}>&-
    wait "${HOLD_PID[$name]}" 2>/dev/null || true
}

# probe PEER LEVEL: ab -c 1 on the post with LEVEL connections held; metric lines suffixed _LEVEL.
probe() {
    local peer=$1 level=$2 c0 c1 pid=${PEER_PID[$1]}
    local l0 l1
    c0=$(own_cpu_ns "$pid")
    l0=$(loop_cpu_ns "$pid")
    ab_run "${PEER_PORT[$peer]}" "$POST" "$PROBE_REQUESTS" 1 | awk -v l="$level" '{ print $1 "@" l, $2 }'
    c1=$(own_cpu_ns "$pid")
    l1=$(loop_cpu_ns "$pid")
    awk -v d=$((c1 - c0)) -v n="$PROBE_REQUESTS" -v l="$level" 'BEGIN { printf "server_cpu_us_per_conn@%s %.1f\n", l, d / n / 1000 }'
    awk -v d=$((l1 - l0)) -v n="$PROBE_REQUESTS" -v l="$level" 'BEGIN { printf "loop_cpu_us_per_conn@%s %.1f\n", l, d / n / 1000 }'
}

# conc_run PEER TARGET -> metric lines: probes at 0, 1,000 and TARGET held connections. When fewer
# than TARGET could be held (warren out of fds or processes), 50 are released so that the probe
# has room, and the level is reported with the number actually held.
conc_run() {
    local peer=$1 target=$2 port=${PEER_PORT[$1]} first second held1 held2 total mark
    mark=$(wc -l < "$WORK/warren.log")
    probe "$peer" 0
    first=$((target < 1000 ? target : 1000))
    hold_start "$port" "$POST" "$first" hold1
    held1=$(hold_wait hold1)
    echo "held@1000 $held1"
    probe "$peer" 1000
    second=$((target - first))
    if [ "$second" -gt 0 ]; then
        hold_start "$port" "$POST" "$second" hold2
        held2=$(hold_wait hold2)
        total=$((held1 + held2))
        echo "reached@$target $total"
        if [ "$total" -lt "$target" ] && [ "$held2" -ge 50 ]; then
            echo "drop 50" >&"${HOLD_FD[hold2]}"
            sleep 2
            total=$((total - 50))
        fi
        echo "held@$target $total"
        echo "engines@$target $(python3 "$ROOT/bench/lib/pss.py" "${PEER_PID[$peer]}" | cut -d' ' -f1)"
        echo "warren_fds@$target $(ls /proc/"${PEER_PID[$peer]}"/fd | wc -l)"
        probe "$peer" "$target"
        hold_stop hold2
    fi
    hold_stop hold1
    # What warren said while the connections were held (accept or spawn failures, pauses).
    tail -n +"$((mark + 1))" "$WORK/warren.log" | { grep -v -e 'event=conn .* exit=0\( prespawned=true\)\?$' -e 'event=stderr' || true; } |
        awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^event=/) e[$i]++ } END { for (k in e) print "log_" substr(k, 7), e[k] }'
    sleep 3
}
