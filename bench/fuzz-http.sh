#!/usr/bin/env bash
# Fuzzes QuillHTTP's request handling with libFuzzer for a bounded time, from the seed corpus in
# fuzz/http-request (copied; new inputs stay under .build-fuzz/). Exits non-zero on a finding
# and leaves the crashing input in .build-fuzz/findings/.
#   bench/fuzz-http.sh [SECONDS]      (default 120)
# Replay a saved input without libFuzzer: swift build --product QuillHTTPFuzz &&
#   .build/debug/QuillHTTPFuzz FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
scratch=.build-fuzz
swift build --product QuillHTTPFuzz --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DQUILL_FUZZ
mkdir -p "$scratch/corpus" "$scratch/findings"
cp -n fuzz/http-request/* "$scratch/corpus/" 2>/dev/null || true
"$scratch/debug/QuillHTTPFuzz" "$scratch/corpus" -dict=fuzz/http.dict -max_total_time="$seconds" \
    -timeout=10 -max_len=8192 -rss_limit_mb=1024 -artifact_prefix="$scratch/findings/" -print_final_stats=1
