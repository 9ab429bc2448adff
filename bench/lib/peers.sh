# The six servers bench/bench.sh compares, all on 127.0.0.1, all serving the same built site.
# Sourced. Expects ROOT (repository), WORK (scratch), ENGINE (static quill-engine), SITE_DIR (the
# published out/site, holding the `public` symlink) and SITE (its resolved public directory).
# Each start_* records the server's pid in PEER_PID[name] (the root of its process tree, used for
# memory) and tracks it for cleanup.

PEERS=(warren warren-pre warren-fresh tcpserver xinetd bwrap nginx)
declare -A PEER_PORT=([warren]=18201 [warren-pre]=18207 [warren-fresh]=18202 [tcpserver]=18203 [xinetd]=18204 [bwrap]=18205 [nginx]=18206)
declare -A PEER_PID=()
declare -A PEER_WHAT=(
    [warren]="warren + quill-engine, policies/quill.toml"
    [warren-pre]="warren + quill-engine, policies/quill.toml, prespawn = 4 (engines wait sandboxed for a connection)"
    [warren-fresh]="warren + quill-engine, every namespace fresh (bench/policies/quill-fresh.toml)"
    [tcpserver]="tcpserver -R -H -l 0 -c 4000 + quill-engine, no sandbox"
    [xinetd]="xinetd (nowait, instances/cps raised) + quill-engine, no sandbox"
    [bwrap]="tcpserver + bwrap --unshare-all + quill-engine"
    [nginx]="nginx, 2 workers, sendfile, access log off"
)
ENGINE_ARGS=(--idle-timeout 120000)

start_warren() {
    # One warren serves the three warren peers (three services, two policies); it logs to a file.
    sed "s|@ROOT@|$ROOT|g" "$ROOT/bench/warren.toml.in" > "$WORK/warren.toml"
    "$ROOT/.build/release/warren" check --config "$WORK/warren.toml" > "$WORK/warren-check.txt" 2>&1 ||
        { cat "$WORK/warren-check.txt" >&2; die "warren check failed for bench/warren.toml.in"; }
    "$ROOT/.build/release/warren" serve --config "$WORK/warren.toml" 2> "$WORK/warren.log" &
    local pid=$!
    track "$pid"
    PEER_PID[warren]=$pid
    PEER_PID[warren-pre]=$pid
    PEER_PID[warren-fresh]=$pid
}

start_tcpserver() {
    tcpserver -R -H -l 0 -c 4000 127.0.0.1 "${PEER_PORT[tcpserver]}" \
        "$ENGINE" --site "$SITE" "${ENGINE_ARGS[@]}" 2> "$WORK/tcpserver.log" &
    PEER_PID[tcpserver]=$!
    track $!
}

start_bwrap() {
    # The sandbox people build with bwrap today: every namespace new, the engine and the site
    # bound read-only, a fresh /proc and /dev.
    tcpserver -R -H -l 0 -c 4000 127.0.0.1 "${PEER_PORT[bwrap]}" \
        bwrap --unshare-all --ro-bind "$ENGINE" /engine --ro-bind "$SITE_DIR" /site \
        --proc /proc --dev /dev --chdir / --setenv SWIFT_ROOT / \
        /engine --site /site/public "${ENGINE_ARGS[@]}" 2> "$WORK/bwrap.log" &
    PEER_PID[bwrap]=$!
    track $!
}

start_xinetd() {
    # xinetd hands the socket to the server on fd 0, 1 and 2 alike, so the engine's access log
    # (fd 2) would go to the client: bench/lib/errwrap.c points fd 2 at a file and execs the
    # engine (one extra execve of a small static binary per connection, counted against xinetd).
    sed -e "s|@ERRWRAP@|$WORK/errwrap|" -e "s|@ENGINE@|$ENGINE|" -e "s|@SITE@|$SITE|" \
        -e "s|@PORT@|${PEER_PORT[xinetd]}|" -e "s|@LOG@|$WORK/xinetd.log|g" \
        "$ROOT/bench/peers/xinetd.conf.in" > "$WORK/xinetd.conf"
    xinetd -dontfork -stayalive -f "$WORK/xinetd.conf" -pidfile "$WORK/xinetd.pid" 2>> "$WORK/xinetd.log" &
    PEER_PID[xinetd]=$!
    track $!
}

start_nginx() {
    mkdir -p "$WORK/nginx"
    sed -e "s|@WORK@|$WORK/nginx|g" -e "s|@SITE@|$SITE|" -e "s|@PORT@|${PEER_PORT[nginx]}|" \
        "$ROOT/bench/peers/nginx.conf.in" > "$WORK/nginx/nginx.conf"
    nginx -t -q -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" || die "nginx -t failed for $WORK/nginx/nginx.conf"
    nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
    PEER_PID[nginx]=$!
    track $!
}

start_peers() {
    cc -static -O2 -Wall -Wextra -o "$WORK/errwrap" "$ROOT/bench/lib/errwrap.c"
    start_warren
    start_tcpserver
    start_bwrap
    start_xinetd
    start_nginx
    local p
    for p in "${PEERS[@]}"; do wait_http "${PEER_PORT[$p]}"; done
}
