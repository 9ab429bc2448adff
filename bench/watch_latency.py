#!/usr/bin/env python3
"""Change-to-published latency of `quill watch`, the author's loop: append to one post, then wait
for inotify to report the rename that swaps SITE/public to the new build (blocking, no polling:
a polling loop would take a core from the build on this 2-core machine).

Usage: watch_latency.py QUILL SITE POST [RUNS]. Prints the median and the minimum in ms.
Each edit waits for the previous rebuild's "watching" line and a second of quiet, so the
rebuilds do not overlap; a rebuild that does not come within 10 s is an error.
"""
import ctypes
import os
import select
import statistics
import struct
import subprocess
import sys
import time

IN_MOVED_TO = 0x80
quill, site, post = sys.argv[1], sys.argv[2], sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 8

libc = ctypes.CDLL(None, use_errno=True)
inotify = libc.inotify_init1(os.O_CLOEXEC)
if inotify < 0 or libc.inotify_add_watch(inotify, site.encode(), IN_MOVED_TO) < 0:
    sys.exit("inotify: " + os.strerror(ctypes.get_errno()))


def published(deadline):
    """The time the next rename of `public` in SITE is reported."""
    while True:
        left = deadline - time.perf_counter()
        if left <= 0 or not select.select([inotify], [], [], left)[0]:
            sys.exit("quill watch did not publish within 10 s")
        events = os.read(inotify, 65536)
        offset = 0
        while offset < len(events):
            _, _, _, length = struct.unpack_from("iIII", events, offset)
            name = events[offset + 16 : offset + 16 + length].rstrip(b"\0")
            offset += 16 + length
            if name == b"public":
                return time.perf_counter()


def drain():
    """Drops events already queued (the first build's swap, a previous rebuild's)."""
    while select.select([inotify], [], [], 0)[0]:
        os.read(inotify, 65536)


watcher = subprocess.Popen([quill, "watch", site], stdout=subprocess.PIPE, text=True)


def wait_for_watching():
    while True:
        line = watcher.stdout.readline()
        if not line:
            sys.exit("quill watch ended")
        if line.startswith("watching"):
            return


latencies = []
try:
    wait_for_watching()
    for _ in range(runs):
        time.sleep(1.0)
        drain()
        start = time.perf_counter()
        with open(post, "a") as f:
            f.write("\nEdited at %d.\n" % time.time_ns())
        latencies.append((published(start + 10) - start) * 1000)
        wait_for_watching()
finally:
    watcher.terminate()
    watcher.wait()
print("%.1f %.1f" % (statistics.median(latencies), min(latencies)))
