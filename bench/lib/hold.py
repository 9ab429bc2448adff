"""Holds N idle HTTP/1.1 keep-alive connections to HOST:PORT: each sends one GET for PATH, reads
the whole response (Content-Length) and stays open. Prints "ready OPEN FAILED" on stdout when done,
then reads commands on stdin: "drop K" closes K of them (prints "dropped K"), "quit" or end of
input closes them all (after printing "alive N": how many the server had not closed meanwhile).
Bounded: gives up on the rest after --timeout s, or after --stall s without one more completed.
Connections still unanswered then are closed.

    python3 hold.py HOST PORT PATH COUNT [--timeout S] [--stall S] [--batch B]

Used by bench/lib/memory.sh (memory per idle connection) and the concurrency test."""
import argparse
import selectors
import socket
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("host")
p.add_argument("port", type=int)
p.add_argument("path")
p.add_argument("count", type=int)
p.add_argument("--timeout", type=float, default=60.0)
p.add_argument("--stall", type=float, default=15.0)
p.add_argument("--batch", type=int, default=64, help="connections in flight at once")
a = p.parse_args()

request = f"GET {a.path} HTTP/1.1\r\nHost: {a.host}\r\nUser-Agent: warren-bench-hold\r\n\r\n".encode()
sel = selectors.DefaultSelector()
held = []  # sockets whose response arrived
failed = 0
started = 0
deadline = time.monotonic() + a.timeout
errors = {}


class Pending:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.sent = False


def start_one():
    global started
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.connect_ex((a.host, a.port))
    sel.register(s, selectors.EVENT_WRITE, Pending(s))
    started += 1


def fail(p, why):
    global failed
    failed += 1
    errors[why] = errors.get(why, 0) + 1
    sel.unregister(p.sock)
    p.sock.close()


def complete(buf):
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return False
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    return len(body) >= length


progress = time.monotonic()
while (len(held) + failed < a.count) and time.monotonic() < deadline:
    if time.monotonic() - progress > a.stall:
        break
    while started < a.count and started - len(held) - failed < a.batch:
        start_one()
    for key, ev in sel.select(timeout=0.5):
        pend = key.data
        if not pend.sent:
            err = pend.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                fail(pend, f"connect errno {err}")
                continue
            try:
                pend.sock.send(request)
            except OSError as e:
                fail(pend, f"send {e.strerror}")
                continue
            pend.sent = True
            sel.modify(pend.sock, selectors.EVENT_READ, pend)
            continue
        try:
            chunk = pend.sock.recv(65536)
        except OSError as e:
            fail(pend, f"recv {e.strerror}")
            continue
        if not chunk:
            fail(pend, "closed before the response ended")
            continue
        pend.buf += chunk
        if complete(pend.buf):
            if not pend.buf.startswith(b"HTTP/1.1 200") and not pend.buf.startswith(b"HTTP/1.1 404"):
                fail(pend, "status " + pend.buf[:12].decode(errors="replace"))
                continue
            sel.unregister(pend.sock)
            held.append(pend.sock)
            progress = time.monotonic()

unfinished = started - len(held) - failed
if unfinished:
    errors["unanswered at timeout or stall (closed)"] = unfinished
    for key in list(sel.get_map().values()):
        sel.unregister(key.fileobj)
        key.fileobj.close()
print(f"ready {len(held)} {a.count - len(held)}", flush=True)
for why, n in errors.items():
    print(f"hold.py: {n} x {why}", file=sys.stderr, flush=True)
for line in sys.stdin:
    words = line.split()
    if words[:1] == ["quit"]:
        break
    if words[:1] == ["drop"] and len(words) == 2:
        n = min(int(words[1]), len(held))
        for s in held[len(held) - n:]:
            s.close()
        del held[len(held) - n:]
        print(f"dropped {n}", flush=True)
# Count the ones the server closed meanwhile (idle timeout), so a probe taken while holding is honest.
alive = 0
for s in held:
    s.setblocking(False)
    try:
        alive += 0 if s.recv(1, socket.MSG_PEEK) == b"" else 1
    except BlockingIOError:
        alive += 1
    except OSError:
        pass
print(f"alive {alive}", flush=True)
