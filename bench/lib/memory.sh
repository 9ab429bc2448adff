# Memory per idle keep-alive connection (bench/bench.sh). Sourced.
#
# Method: with the server idle, read the Pss of its whole process tree (server + every engine,
# /proc/PID/smaps_rollup, so shared pages count once) and the kernel's KernelStack, PageTables and
# Slab from /proc/meminfo. Open COUNT keep-alive connections that each fetch the page once and
# stay open (bench/lib/hold.py), wait a second, read them again. Per connection =
# (ΔPss + ΔKernelStack + ΔPageTables + ΔSlab) / COUNT. Slab covers both ends of each loopback
# socket (the client's too) and is machine-wide, so foreign activity can disturb it: the figure is
# all-in and slightly pessimistic. Socket buffers are empty for an idle connection.

meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
kernel_kb() { echo "$(meminfo_kb KernelStack) $(meminfo_kb PageTables) $(meminfo_kb Slab)"; }

# mem_run PEER PATH COUNT -> metric lines: held, procs, pss_kb_per_conn, kstack/ptables/slab per
# conn, kb_per_conn.
mem_run() {
    local peer=$1 path=$2 count=$3 port pid before after kb0 kb1 fifo out holder ready procs0
    port=${PEER_PORT[$peer]}
    pid=${PEER_PID[$peer]}
    # The caller waited for a quiet machine (two idle seconds) just before.
    sync
    procs0=$(our_procs)
    before=$(python3 "$ROOT/bench/lib/pss.py" "$pid")
    kb0=$(kernel_kb)
    fifo=$WORK/hold.in
    out=$WORK/hold.out
    rm -f "$fifo"
    mkfifo "$fifo"
    python3 "$ROOT/bench/lib/hold.py" 127.0.0.1 "$port" "$path" "$count" --timeout 90 < "$fifo" > "$out" 2> "$WORK/hold.err" &
    holder=$!
    track "$holder"
    exec {HOLD_FD}> "$fifo"
    ready=""
    for _ in $(seq 1000); do
        ready=$(awk '$1 == "ready" { print $2 }' "$out")
        [ -n "$ready" ] && break
        kill -0 "$holder" 2>/dev/null || break
        sleep 0.1
    done
    sleep 1
    after=$(python3 "$ROOT/bench/lib/pss.py" "$pid")
    kb1=$(kernel_kb)
    echo quit >&"$HOLD_FD"
    exec {HOLD_FD}>&-
    wait "$holder" 2>/dev/null || true
    [ -s "$WORK/hold.err" ] && say "$peer: $(tr '\n' ' ' < "$WORK/hold.err")"
    ready=${ready:-0}
    echo "held $ready"
    echo "alive $(awk '$1 == "alive" { print $2 }' "$out")"
    [ "$ready" -gt 0 ] || return 0
    read -r p0 s0 <<<"$before"
    read -r p1 s1 <<<"$after"
    read -r k0 t0 l0 <<<"$kb0"
    read -r k1 t1 l1 <<<"$kb1"
    awk -v n="$ready" -v dp=$((p1 - p0)) -v ds=$((s1 - s0)) -v dk=$((k1 - k0)) -v dt=$((t1 - t0)) -v dl=$((l1 - l0)) 'BEGIN {
        printf "procs_per_conn %.2f\n", dp / n
        printf "pss_kb %.1f\nkstack_kb %.1f\nptables_kb %.1f\nslab_kb %.1f\n", ds / n, dk / n, dt / n, dl / n
        printf "kb_per_conn %.1f\n", (ds + dk + dt + dl) / n
    }'
    # Let the engines see the close and exit before the next measurement (bounded: 5 s; without
    # the cgroup to count them, a fixed 2 s).
    [ -n "$CG_DIR" ] || sleep 2
    for _ in $(seq 50); do
        [ "$(our_procs)" -le "$procs0" ] && break
        sleep 0.1
    done
}
