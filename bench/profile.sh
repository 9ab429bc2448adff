#!/usr/bin/env bash
# Where a new connection's CPU goes: perf (software cpu-clock sampling; this VM has no hardware
# counters) of warren under policies/quill.toml and of tcpserver + quill-engine (no sandbox) while
# ab opens connections (-c 8). Prints CPU per connection split into the server process, the child
# before execve (the sandbox set-up; the fork for tcpserver) and the engine, then the kernel and
# runtime paths that cost most, in microseconds per connection. For the server it also prints its
# own CPU per connection from /proc/PID/task/*/schedstat over the same window (all its threads,
# the spawn thread included; the kernel's own accounting, not sampling).
#   bench/profile.sh [SECONDS]      (default 5; needs root, perf, make engine, make build)
#   WARREN=path/to/warren bench/profile.sh   profiles another build of warren (before/after)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
secs=${1:-5}
period_us=100                      # one sample per 100 us of CPU
source "$ROOT/bench/lib/post.sh"
post=$BENCH_POST
engine=$ROOT/.build-static/release/quill-engine
warren=${WARREN:-$ROOT/.build/release/warren}
site=$(readlink -f "$ROOT/out/site/public")
[ -x "$engine" ] && [ -x "$warren" ] && [ -d "$site" ] || { echo "run make demo-site first" >&2; exit 1; }
command -v perf >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null; }
work=$(mktemp -d /tmp/warren-profile.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

sed "s|@ROOT@|$ROOT|g" bench/warren.toml.in > "$work/warren.toml"

own_cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }

# profile NAME PORT PID: samples PID and its children while ab runs, then prints the breakdown.
profile() {
    local name=$1 port=$2 pid=$3 ab_pid conns total
    for _ in $(seq 100); do curl -so /dev/null "http://127.0.0.1:$port$post" && break; sleep 0.1; done
    ab -q -r -t $((secs + 3)) -n 1000000 -c 8 "http://127.0.0.1:$port$post" > "$work/ab.$name" 2>&1 &
    ab_pid=$!
    sleep 1
    own0=$(own_cpu_ns "$pid")
    perf record -q -e cpu-clock -c $((period_us * 1000)) -g -p "$pid" -o "$work/$name.data" -- sleep "$secs" 2>/dev/null
    own1=$(own_cpu_ns "$pid")
    # The server's threads (the event loop, and warren's spawn thread): samples of any other task
    # are its children's (named after the thread that cloned them until their execve).
    tids=$(ls /proc/"$pid"/task | tr '\n' ' ')
    wait "$ab_pid" || true
    rps=$(awk '/^Requests per second:/ { print $4 }' "$work/ab.$name")
    conns=$(echo "$rps * $secs" | bc -l)
    # Sample counts (-n) per pid and command: the server itself, its children before execve (still
    # named after it) and the engines.
    perf report -i "$work/$name.data" --no-children -n --sort pid,comm -g none --stdio 2>/dev/null |
        awk -v tids="$tids" 'BEGIN { split(tids, t, " "); for (i in t) own[t[i]] = 1 }
            /%/ { split($3, a, ":"); n = $2; if (a[1] in own) s += n; else if ($4 == "quill-engine" || $4 == "engine") e += n; else c += n }
            END { print s + 0, c + 0, e + 0 }' > "$work/split"
    read -r s c e < "$work/split"
    total=$((s + c + e))
    printf '\n%s: %s new connections/s under perf (ab -c 8), %s samples of %s us\n' "$name" "$rps" "$total" "$period_us"
    awk -v s="$s" -v c="$c" -v e="$e" -v p="$period_us" -v n="$conns" 'BEGIN {
        f = p / n
        printf "  CPU per connection: server %.0f us, child before execve %.0f us, engine %.0f us (total %.0f us)\n", s * f, c * f, e * f, (s + c + e) * f }'
    awk -v d=$((own1 - own0)) -v n="$conns" 'BEGIN { printf "  server'"'"'s own CPU per connection by schedstat (all its threads): %.0f us\n", d / n / 1000 }'
    echo "  costliest paths, us per connection (inclusive; they overlap):"
    perf report -i "$work/$name.data" --children --sort sym -g none --stdio 2>/dev/null |
        awk -v t="$total" -v p="$period_us" -v n="$conns" '
            BEGIN {
                want["__do_sys_clone3"] = "clone3 (warren: CLONE_VM|CLONE_VFORK; a fork-like one copies page tables)"
                want["__do_sys_clone"] = "clone (fork)"
                want["dup_mmap"] = "  of which dup_mmap"
                want["dup_fd"] = "  of which dup_fd (copying the server'"'"'s fd table)"
                want["do_wp_page"] = "copy-on-write faults after the fork"
                want["__x64_sys_execve"] = "execve"
                want["exit_mmap"] = "exit_mmap (dropping an address space: at execve and exit)"
                want["do_seccomp"] = "seccomp filter load"
                want["bpf_prog_create_from_user"] = "  of which checking and converting the BPF"
                want["bpf_int_jit_compile"] = "  of which the JIT"
                want["seccomp_cache_prepare"] = "  of which the per-syscall allow cache"
                want["__x64_sys_rt_sigaction"] = "rt_sigaction (the child resetting signal dispositions)"
                want["__x64_sys_epoll_ctl"] = "epoll_ctl"
                want["__x64_sys_epoll_wait"] = "epoll_wait"
                want["__x64_sys_accept4"] = "accept4"
                want["__x64_sys_pipe2"] = "pipe2"
                want["__x64_sys_waitid"] = "waitid (reaping)"
                want["__x64_sys_write"] = "write (log records, eventfds)"
                want["__do_sys_close_range"] = "close_range (the child closing inherited fds)"
                want["__do_sys_prctl"] = "prctl (capability bounding set, no_new_privs)"
                want["__x64_sys_setns"] = "setns (joining prepared namespaces)"
                want["__x64_sys_unshare"] = "unshare (fresh namespaces)"
                want["__x64_sys_mount"] = "mount"
                want["__x64_sys_pivot_root"] = "pivot_root"
                want["__x64_sys_umount"] = "umount"
                want["swift_conformsToProtocolMaybeInstantiateSuperclasses"] = "Swift runtime: protocol conformance scan"
                want["init_cacheinfo"] = "glibc start-up: cache info through cpuid (slow in a VM)"
                want["intel_check_word.constprop.0"] = "  of which intel_check_word (cpuid leaf 2)"
                want["exc_page_fault"] = "page faults (all)"
            }
            /%/ { pct = $1; sub(/%/, "", pct); sym = $NF; if (sym in want && !(sym in seen)) { seen[sym] = 1; printf "    %8.0f  %s\n", pct / 100 * t * p / n, want[sym] } }'
}

"$warren" serve --config "$work/warren.toml" 2> "$work/warren.log" &
pids+=($!)
profile warren 18201 "${pids[-1]}"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

tcpserver -R -H -l 0 -c 4000 127.0.0.1 18203 "$engine" --site "$site" 2> "$work/tcpserver.log" &
pids+=($!)
profile tcpserver 18203 "${pids[-1]}"
echo
echo "load average while profiling: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
