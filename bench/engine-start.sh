#!/usr/bin/env bash
# quill-engine start-up time and idle memory (method and figures: docs/quill-engine.md).
#   bench/engine-start.sh [RUNS] [IDLE]     (defaults 500 and 200)
# ENGINE=path measures another build (an older one, for before/after figures).
# Needs the static engine (make engine) and a C compiler. Socketpairs only, no network.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-500}
idle=${2:-200}
engine=${ENGINE:-.build-static/release/quill-engine}
[ -x "$engine" ] || { echo "no $engine: run make engine first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/site"
head -c 5120 /dev/zero | tr '\0' 'x' > "$work/site/index.html"
cc -O2 -Wall -o "$work/engine-start" bench/engine-start.c
cc -O2 -static -o "$work/hello" bench/hello.c
"$work/engine-start" "$engine" "$work/site" "$runs" "$idle" "$work/hello"
