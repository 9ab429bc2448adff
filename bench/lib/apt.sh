# Debian packages for the bench scripts. Sourced.

# missing_packages PKG... -> the ones not installed. `dpkg -s` is not enough: it succeeds for a
# package removed but not purged (state "rc"), whose binaries are gone.
missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' ok installed$' || echo "$p"
    done
}

# install_missing PKG...: installs the missing ones (needs root and the network).
install_missing() {
    local missing
    missing=$(missing_packages "$@")
    [ -n "$missing" ] || return 0
    # shellcheck disable=SC2086  # one word per package
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing > /dev/null
}
