# The page every benchmark script serves: the demo blog's longest real post (~11 KB of HTML; issue
# 7 asks for ~10 KB). One place, so bench.sh, prespawn.sh, warren-logrelay.sh and profile.sh
# measure the same page. Sourced; POST in the environment overrides it.
BENCH_POST=${POST:-/leaving-ghost/}
