# For the standalone bench scripts (prespawn.sh, held-spawn.sh): a scratch directory WORK whose
# processes (PIDS) are ended by pid and which is removed on exit, a private copy of the published
# site readable by the engine's uid (65534), and $WORK/quill.toml: policies/quill.toml binding that
# copy at /site. Sourced; expects ROOT and SITE_PUBLIC. Usage: private_site NAME.
private_site() {
    WORK=$(mktemp -d "/tmp/$1.XXXXXX")
    PIDS=()
    trap private_site_cleanup EXIT
    mkdir -p "$WORK/site" && cp -rL "$SITE_PUBLIC" "$WORK/site/public" && chmod -R a+rX "$WORK"
    cat > "$WORK/quill.toml" << TOML
extends = "$ROOT/policies/quill.toml"
[rootfs]
skeleton = "$ROOT/rootfs"
bind = [{ source = "$WORK/site", target = "/site" }]
TOML
}

private_site_cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
    rm -rf "$WORK"
}
