#!/usr/bin/env bash
# Screenshots the demo blog's home page and a post with headless Chromium at phone and desktop
# widths, in light and dark mode, for people to look at. Usage: scripts/screenshot.sh [OUTDIR]
# (default out/screenshots). Builds the demo, serves it on loopback, installs chromium if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
OUT=${1:-out/screenshots}
PORT=${PORT:-8097}
mkdir -p "$OUT"
command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
swift build --product quill >/dev/null
SITE=$(mktemp -d /tmp/quill-shots.XXXXXX)
.build/debug/quill build examples/blog --out "$SITE/public"

# A plain static server stands in for warren here: only the pixels matter.
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$SITE/public" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$SITE"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break; sleep 0.1; done

shot() {  # name url width height scheme
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
        --blink-settings=preferredColorScheme=$([ "$5" = dark ] && echo 0 || echo 1) \
        --window-size="$3,$4" --screenshot="$OUT/$1.png" "$2" >/dev/null 2>&1
    echo "$OUT/$1.png"
}
for scheme in light dark; do
    shot "home-phone-$scheme" "http://127.0.0.1:$PORT/" 390 1400 "$scheme"
    shot "home-desktop-$scheme" "http://127.0.0.1:$PORT/" 1280 1400 "$scheme"
    shot "post-phone-$scheme" "http://127.0.0.1:$PORT/the-case-for-boring-servers/" 390 1800 "$scheme"
    shot "post-desktop-$scheme" "http://127.0.0.1:$PORT/the-case-for-boring-servers/" 1280 1600 "$scheme"
done
