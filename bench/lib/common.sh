# Shared helpers for bench/bench.sh: logging, the processes we start (ended by pid on exit), and
# measuring foreign load (CPU used by anything that is not this benchmark).
# Sourced, not run. Expects $WORK (scratch directory) to be set.

say() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Every process we start goes in here; cleanup ends each by pid (TERM, then KILL) and waits.
STARTED_PIDS=()
track() { STARTED_PIDS+=("$1"); }
end_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
end_all() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do end_pid "$pid"; done
    STARTED_PIDS=()
}

# Waits until something answers HTTP on 127.0.0.1:PORT (bounded, 10 s).
wait_http() {
    local port=$1 i
    for i in $(seq 100); do
        curl -so /dev/null --max-time 1 "http://127.0.0.1:$port/" && return 0
        sleep 0.1
    done
    die "nothing answers on 127.0.0.1:$port"
}

# --- Foreign load -----------------------------------------------------------------------------
# Our processes (servers, engines, clients) all live in one cpuacct cgroup (v1, inherited by every
# child; warren's cgroup namespaces do not move processes). Foreign CPU = the machine's
# user+system+steal time minus ours and minus the kernel threads'. Interrupt and softirq time are
# left out of both sides: loopback networking is mostly softirq and is ours. Kernel threads are
# left out because much of their work is ours too: every network namespace a sandbox drops is
# torn down by a kworker (cleanup_net), outside our cgroup; counting it as foreign voided
# warren-fresh's and bwrap's measurements on a quiet machine. Foreign builds show as user time.
CG_DIR=""
cg_enter() {
    local root=/sys/fs/cgroup/cpuacct
    if [ -w "$root/cgroup.procs" ]; then
        CG_DIR=$root/warren-bench.$$
        mkdir -p "$CG_DIR"
        echo "$BASHPID" > "$CG_DIR/cgroup.procs"
    else
        say "no writable cpuacct cgroup v1 at $root: foreign load is estimated from load average only"
    fi
}
cg_leave() {
    [ -n "$CG_DIR" ] || return 0
    echo "$BASHPID" > /sys/fs/cgroup/cpuacct/cgroup.procs 2>/dev/null || true
    # Stragglers (engines still exiting) keep the group busy for a moment.
    local i
    for i in $(seq 20); do rmdir "$CG_DIR" 2>/dev/null && break; sleep 0.2; done
}
# How many processes this benchmark has (servers, engines, clients, this shell); 0 without the
# cgroup.
our_procs() { if [ -n "$CG_DIR" ]; then wc -l < "$CG_DIR/cgroup.procs"; else echo 0; fi; }
# CPU time of the kernel threads (kthreadd's children) in nanoseconds. A kworker that exits takes
# its time with it; foreign_cores clamps at zero.
kthreads_ns() {
    local hz=$1 pids=""
    # In a container pid 2 can be an ordinary process: count only the real kthreadd's children.
    [ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ] && pids=$(cat /proc/2/task/2/children 2>/dev/null)
    [ -n "$pids" ] || { echo 0; return; }
    # Field 2 (comm) has no spaces for kernel threads, so utime and stime are fields 14 and 15.
    (cd /proc && awk -v hz="$hz" '{ s += $14 + $15 } END { printf "%.0f\n", s * 1e9 / hz }' \
        $(printf '%s/stat ' $pids) 2>/dev/null) || echo 0
}
# Prints "BUSY_NS OURS_NS KTHREADS_NS": machine user+system time, this benchmark's and the kernel
# threads', all in nanoseconds.
cpu_sample() {
    local hz busy ours=0
    hz=$(getconf CLK_TCK)
    busy=$(awk -v hz="$hz" '/^cpu /{printf "%.0f", ($2+$3+$4+$9) * 1e9 / hz}' /proc/stat)
    [ -n "$CG_DIR" ] && ours=$(cat "$CG_DIR/cpuacct.usage")
    echo "$busy $ours $(kthreads_ns "$hz")"
}
# foreign_cores "SAMPLE_BEFORE" "SAMPLE_AFTER" SECONDS -> average foreign CPU in cores.
foreign_cores() {
    local b1 o1 k1 b2 o2 k2
    read -r b1 o1 k1 <<<"$1"
    read -r b2 o2 k2 <<<"$2"
    if [ -z "$CG_DIR" ]; then
        cut -d' ' -f1 /proc/loadavg
        return
    fi
    awk -v b=$((b2 - b1)) -v o=$((o2 - o1)) -v k=$((k2 - k1)) -v s="$3" 'BEGIN {
        if (k < 0) k = 0
        f = (b - o - k) / 1e9 / s; if (f < 0) f = 0; printf "%.2f\n", f }'
}
# Waits (at most MAX seconds) until two seconds pass with less than QUIET_CORES of foreign CPU.
# Prints the foreign load last seen.
wait_quiet() {
    local max=$1 waited=0 s1 s2 f
    while :; do
        s1=$(cpu_sample)
        sleep 2
        s2=$(cpu_sample)
        f=$(foreign_cores "$s1" "$s2" 2)
        if awk -v f="$f" -v q="$QUIET_CORES" 'BEGIN { exit !(f < q) }'; then break; fi
        waited=$((waited + 2))
        if [ "$waited" -ge "$max" ]; then
            say "machine still busy after ${max}s (foreign load $f cores): going on, rounds will be re-run if disturbed"
            break
        fi
    done
    echo "$f"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
