#!/usr/bin/env python3
"""Memory per idle keep-alive connection of one server on 127.0.0.1.

Sums VmRSS over the server's process tree, opens N connections, sends one keep-alive
request on each, waits (bounded) for the responses, holds the connections, sums VmRSS
again, then closes them. Prints one line:
"answered=A before_kb=B after_kb=C pss_before_kb=D pss_after_kb=E".
"""
import argparse
import os
import selectors
import socket
import sys
import time


def children_of():
    """Map of parent pid -> child pids, from /proc/*/stat."""
    kids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        fields = stat[stat.rfind(")") + 2:].split()
        kids.setdefault(int(fields[1]), []).append(int(entry))
    return kids


def field_kb(path, name):
    """The kB value of the line starting with name in a /proc file, 0 if absent."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_mem_kb(root):
    """(VmRSS, Pss) in kB summed over root and all its descendants. RSS counts shared
    pages once per process; Pss splits them, so it is the fairer sum for prefork."""
    kids = children_of()
    rss, pss, todo, seen = 0, 0, [root], set()
    while todo and len(seen) < 100000:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        todo.extend(kids.get(pid, []))
        rss += field_kb(f"/proc/{pid}/status", "VmRSS:")
        pss += field_kb(f"/proc/{pid}/smaps_rollup", "Pss:")
    return rss, pss


def open_and_ask(port, path, n, deadline):
    """Open n connections and send one request on each; returns the sockets."""
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Connection: keep-alive\r\n\r\n").encode()
    socks = []
    for _ in range(n):
        if time.monotonic() > deadline:
            break
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(request)
        except OSError:
            s.close()
            break
        s.setblocking(False)
        socks.append(s)
    return socks


def wait_answers(socks, deadline):
    """Wait until every socket has received a full response head; returns how many did."""
    sel = selectors.DefaultSelector()
    got = {}
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
        got[s] = b""
    answered = 0
    while answered < len(socks) and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=min(1.0, max(0.01, deadline - time.monotonic()))):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                continue
            got[s] += data
            if b"\r\n\r\n" in got[s]:
                # The fixture is small: the body follows; we only need the answer.
                sel.unregister(s)
                answered += 1
    sel.close()
    return answered


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pid", type=int, required=True, help="the server's top process")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/1k.bin")
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds to get answers")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds before measuring")
    a = ap.parse_args()
    n = max(1, min(a.n, 20000))
    before, pss_before = tree_mem_kb(a.pid)
    deadline = time.monotonic() + min(a.timeout, 600.0)
    socks = open_and_ask(a.port, a.path, n, deadline)
    answered = wait_answers(socks, deadline)
    time.sleep(min(a.settle, 10.0))
    after, pss_after = tree_mem_kb(a.pid)
    for s in socks:
        s.close()
    print(f"answered={answered} before_kb={before} after_kb={after} "
          f"pss_before_kb={pss_before} pss_after_kb={pss_after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
