#!/usr/bin/env bash
# Times `quill build` against Debian's hugo on the same 1,000 generated posts: a full build, and a
# rebuild after one post changed. Usage: [RUNS=3] [QUILL=binary] bench/build.sh [POSTS] (default 1000).
# Installs hugo.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
POSTS=${1:-1000}
RUNS=${RUNS:-3}
WORK=$(mktemp -d /tmp/quill-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

source bench/lib/apt.sh
install_missing hugo bc time
# QUILL=/path/to/quill measures another build of quill (e.g. an older one, for before/after).
if [ -z "${QUILL:-}" ]; then
    # As `make build` builds it: the Swift runtime static, in its own scratch path.
    swift build -c release --static-swift-stdlib --product quill >/dev/null   # as make build does
    QUILL=$PWD/.build/release/quill
fi

# Generate the posts once, as front matter + Markdown both tools read.
python3 bench/generate_posts.py "$WORK" "$POSTS"

# Quill: the demo's theme; Hugo: equivalent minimal layouts (list pages paginated by 10, tags).
cp -r examples/blog/theme "$WORK/quill/theme"

best() { sort -n | head -1; }
# Wall-clock seconds, and CPU seconds (user + sys) in $WORK/cpu: on a shared, loaded machine the
# wall clock mostly measures the scheduler, so both are printed.
seconds() {
    local s e
    s=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$WORK/time" "$@" >/dev/null 2>&1
    e=$(date +%s.%N)
    awk '{ print $1 + $2 }' "$WORK/time" >> "$WORK/cpu.$CASE"
    echo "$e - $s" | bc -l
}
cpu() { sort -n "$WORK/cpu.$1" | head -1; }
touch_post() { printf '\nEdited at %s.\n' "$(date +%s%N)" >> "$1"; }

# "full build" is cold for both tools: no earlier output at all (hugo's public/ removed; quill's
# public, its builds and its spare removed). "rebuild --full" is quill's --full beside earlier
# builds: every post parsed and rendered again, but files with identical bytes are reused.
# A cold build starts without output. The previous one is moved aside, not deleted, and removed
# with the scratch directory at the end: this disk's ext4 has no journal, and then the inode
# allocator skips every inode freed in the last 60 s (360 s while its table block is dirty), with a
# block lookup for each (fs/ext4/ialloc.c recently_deleted: a third of a cold build's CPU in perf
# right after an `rm -rf` of the last output, 1.2-1.7 ms of kernel time per file for both tools).
# Deletions elsewhere on the disk in the minutes before still cost, in proportion to the files a
# tool creates; so the cold builds are timed once more on a tmpfs (below), where no such check runs,
# as on a journaled ext4.
# Each call gets its own folder from mktemp: the timing loops run in $(...) subshells, so a
# counter kept in a variable restarted there, and hugo's public/ then collided with quill's
# link in trash/1 and stayed in place (hugo's "cold" builds were not cold).
mkdir -p "$WORK/trash"
aside() {
    local to
    to=$(mktemp -d "$WORK/trash/XXXXXX")
    for p in "$@"; do [ -e "$p" ] || [ -L "$p" ] && mv "$p" "$to/"; done
    return 0
}
cold() { aside "$WORK/quill/public" "$WORK/quill"/public.* "$WORK/quill"/.public.*; }
CASE=qc q_full=$(for _ in $(seq "$RUNS"); do cold; seconds "$QUILL" build "$WORK/quill"; done | best)
CASE=qf q_refull=$(for _ in $(seq "$RUNS"); do seconds "$QUILL" build "$WORK/quill" --full; done | best)
# The first rebuild after a full one has no spare build folder to recycle yet: it makes a new folder
# of hard links to the unchanged files (1,580 mkdirs and 4,410 links here, on this ext4 ~0.3 s of
# kernel time) and sets the oldest build aside as the next spare. Every later rebuild recycles
# that spare; that steady state, the author's edit after edit, is the "one post changed" row.
CASE=qi1 q_first=$(touch_post "$WORK/quill/content/posts/2020-01-01-post-0.md"; seconds "$QUILL" build "$WORK/quill")
CASE=qi q_inc=$(for _ in $(seq "$RUNS"); do touch_post "$WORK/quill/content/posts/2020-01-01-post-0.md"; seconds "$QUILL" build "$WORK/quill"; done | best)
# The author's loop: `quill watch` running, one post appended to, until the public symlink is
# swapped (its 20 ms quiet period for an editor's burst of events included). Not the CLI figure.
read -r w_med w_min < <(python3 bench/watch_latency.py "$QUILL" "$WORK/quill" "$WORK/quill/content/posts/2020-01-01-post-0.md" $((RUNS * 2 + 2)))
CASE=hf h_full=$(for _ in $(seq "$RUNS"); do aside "$WORK/hugo/public"; seconds hugo --quiet -s "$WORK/hugo"; done | best)
CASE=hi h_inc=$(for _ in $(seq "$RUNS"); do touch_post "$WORK/hugo/content/posts/post-0.md"; seconds hugo --quiet -s "$WORK/hugo"; done | best)

# The same cold builds with sources and output on a tmpfs (root only; skipped otherwise).
q_mem=0 h_mem=0
MEM=$WORK/mem
mkdir -p "$MEM"
if mount -t tmpfs -o size=3g quill-bench "$MEM" 2>/dev/null; then
    trap 'umount "$MEM" 2>/dev/null; rm -rf "$WORK"' EXIT
    mkdir -p "$MEM/quill" "$MEM/hugo"
    cp -r "$WORK/quill/site.toml" "$WORK/quill/content" "$WORK/quill/theme" "$MEM/quill/"
    for f in "$WORK/quill"/static; do [ -e "$f" ] && cp -r "$f" "$MEM/quill/"; done
    (cd "$WORK/hugo" && tar --exclude=./public --exclude=./resources -cf - .) | (cd "$MEM/hugo" && tar -xf -)
    memcold() { aside "$MEM/quill/public" "$MEM/quill"/public.* "$MEM/quill"/.public.* "$MEM/quill/.quill"; }
    CASE=qm q_mem=$(for _ in $(seq "$RUNS"); do memcold; seconds "$QUILL" build "$MEM/quill"; done | best)
    CASE=hm h_mem=$(for _ in $(seq "$RUNS"); do aside "$MEM/hugo/public"; seconds hugo --quiet -s "$MEM/hugo"; done | best)
else
    echo "(no tmpfs: mounting one needs root; the tmpfs rows are skipped)" >&2
fi

q_files=$(find -L "$WORK/quill/public" -name '*.html' | wc -l)
h_files=$(find "$WORK/hugo/public" -name '*.html' | wc -l)
printf '%-28s %10s %10s %8s\n' "$POSTS posts (best of $RUNS)" quill hugo "hugo/quill"
printf '%-28s %9.3fs %9.3fs %7.2fx\n' "full build" "$q_full" "$h_full" "$(echo "$h_full / $q_full" | bc -l)"
printf '%-28s %9.3fs %9.3fs %7.2fx\n' "one post changed" "$q_inc" "$h_inc" "$(echo "$h_inc / $q_inc" | bc -l)"
printf '%-28s %9.3fs %10s %8s\n' "  (first after a full build)" "$q_first" "-" "-"
printf '%-28s %9.3fs %10s %8s\n' "quill watch: edit->published" "$(echo "$w_med / 1000" | bc -l)" "-" "-"
printf '%-28s %9.3fs %10s %8s\n' "  (its minimum)" "$(echo "$w_min / 1000" | bc -l)" "-" "-"
printf '%-28s %9.3fs %9.3fs %7.2fx\n' "full build, CPU time" "$(cpu qc)" "$(cpu hf)" "$(echo "$(cpu hf) / $(cpu qc)" | bc -l)"
printf '%-28s %9.3fs %9.3fs %7.2fx\n' "one post changed, CPU time" "$(cpu qi)" "$(cpu hi)" "$(echo "$(cpu hi) / $(cpu qi)" | bc -l)"
printf '%-28s %9.3fs %9.3fs %7.2fx\n' "rebuild --full (quill)" "$q_refull" "$h_full" "$(echo "$h_full / $q_refull" | bc -l)"
printf '%-28s %9.3fs %9.3fs %7.2fx\n' "rebuild --full, CPU time" "$(cpu qf)" "$(cpu hf)" "$(echo "$(cpu hf) / $(cpu qf)" | bc -l)"
if [ "$q_mem" != 0 ]; then
    printf '%-28s %9.3fs %9.3fs %7.2fx\n' "full build, tmpfs" "$q_mem" "$h_mem" "$(echo "$h_mem / $q_mem" | bc -l)"
    printf '%-28s %9.3fs %9.3fs %7.2fx\n' "full build, tmpfs, CPU time" "$(cpu qm)" "$(cpu hm)" "$(echo "$(cpu hm) / $(cpu qm)" | bc -l)"
fi
printf '%-28s %10s %10s\n' "HTML files written" "$q_files" "$h_files"
echo "(quill also writes a .gz of every text file of 512 bytes or more that it shrinks, and a .br beside a .gz of"
echo " 4 KB or more that it beats; hugo writes none. QUILL_TIMINGS=1 makes quill print its phase times."
echo " 'quill watch: edit->published' is the median of $((RUNS * 2 + 2)) edits with quill watch running, from the"
echo " write to the swap of public (bench/watch_latency.py): the author's loop, not a quill build run.)"
