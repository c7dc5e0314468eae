#!/usr/bin/env python3
"""Idle keep-alive connections against one server on 127.0.0.1: memory and a fresh request.
(With --cpu it only prints the CPU ticks of the server's process tree, for bench/run.)

Times a few fresh requests (connect + GET + whole response) first, sums VmRSS and Pss
over the server's process tree, opens N connections, sends one keep-alive request on
each, waits (bounded) for the responses, holds the connections, sums again, then times
the fresh requests again while the N connections are still held, and closes them.
Prints one line of key=value pairs (a value that could not be measured is "-"):
"answered=A held=H held_end=H2 before_kb=B after_kb=C pss_before_kb=D pss_after_kb=E
 fresh_ok=F fresh_tries=T fresh_med_ms=M fresh_max_ms=X base_med_ms=Y": A answered, H of
them still open when the memory was read, H2 still open after the fresh requests.
"""
import argparse
import os
import selectors
import socket
import statistics
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


def tree_pids(root):
    """root and all its descendants (bounded)."""
    kids = children_of()
    todo, seen = [root], set()
    while todo and len(seen) < 100000:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        todo.extend(kids.get(pid, []))
    return seen


def tree_mem_kb(root):
    """(VmRSS, Pss) in kB summed over root and all its descendants. RSS counts shared
    pages once per process; Pss splits them, so it is the fairer sum for prefork."""
    pids = tree_pids(root)
    rss = sum(field_kb(f"/proc/{pid}/status", "VmRSS:") for pid in pids)
    pss = sum(field_kb(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in pids)
    return rss, pss


def cpu_ticks(pid):
    """utime + stime + cutime + cstime of one process in clock ticks, 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return 0
    # After the command: state is field 3; utime, stime, cutime, cstime are 14-17.
    fields = stat[stat.rfind(")") + 2:].split()
    return sum(int(v) for v in fields[11:15])


def tree_cpu_ticks(root):
    """CPU clock ticks (reaped children's included) summed over root and its
    descendants: the CPU the server spent, whatever else the machine ran."""
    return sum(cpu_ticks(pid) for pid in tree_pids(root))


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


def still_open(socks):
    """How many of the sockets the server has not closed (no EOF or reset waiting): a
    server may end idle keep-alive connections early, e.g. httpd's event MPM when its
    workers are busy, and those must not count as held."""
    held = 0
    for s in socks:
        # Drain what is left of the response first: EOF may wait behind it.
        for _ in range(64):
            try:
                data = s.recv(65536)
            except BlockingIOError:
                held += 1
                break
            except OSError:
                break
            if not data:
                break
    return held


def content_length(head):
    """The Content-Length of a response head (bytes), or None."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return int(value.strip())
    return None


def fresh_request_ms(port, path, timeout):
    """Milliseconds for connect + GET + the whole 2xx response on a new connection, or
    None when it fails, answers non-2xx or takes longer than timeout seconds."""
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Connection: close\r\n\r\n").encode()
    start = time.monotonic()
    deadline = start + timeout
    data = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(request)
            want = None
            while time.monotonic() < deadline:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                head_end = data.find(b"\r\n\r\n")
                if head_end >= 0 and want is None:
                    length = content_length(data[:head_end])
                    want = None if length is None else head_end + 4 + length
                if want is not None and len(data) >= want:
                    break
            else:
                return None
    except OSError:
        return None
    elapsed = (time.monotonic() - start) * 1000.0
    status = data.split(b" ", 2)[1:2]
    if not status or not status[0].startswith(b"2"):
        return None
    return elapsed


def fresh_series(port, path, tries, timeout):
    """Times tries fresh requests one after another; returns the successful times."""
    times = []
    for _ in range(tries):
        ms = fresh_request_ms(port, path, timeout)
        if ms is not None:
            times.append(ms)
        time.sleep(0.05)
    return times


def fmt_ms(value):
    return "-" if value is None else f"{value:.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pid", type=int, required=True, help="the server's top process")
    ap.add_argument("--cpu", action="store_true",
                    help="only print ticks=N (CPU clock ticks of the tree) and hz=H")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--path", default="/1k.bin")
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds to get answers")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds before measuring")
    ap.add_argument("--fresh", type=int, default=5, help="fresh requests to time")
    ap.add_argument("--fresh-timeout", type=float, default=10.0,
                    help="seconds one fresh request may take")
    a = ap.parse_args()
    if a.cpu:
        print(f"ticks={tree_cpu_ticks(a.pid)} hz={os.sysconf('SC_CLK_TCK')}")
        return 0
    if not 0 < a.port < 65536:
        ap.error("--port is required")
    n = max(1, min(a.n, 20000))
    tries = max(1, min(a.fresh, 50))
    fresh_timeout = max(0.1, min(a.fresh_timeout, 60.0))
    base = fresh_series(a.port, a.path, tries, fresh_timeout)
    before, pss_before = tree_mem_kb(a.pid)
    deadline = time.monotonic() + min(a.timeout, 900.0)
    socks = open_and_ask(a.port, a.path, n, deadline)
    answered = wait_answers(socks, deadline)
    time.sleep(min(a.settle, 10.0))
    after, pss_after = tree_mem_kb(a.pid)
    held = still_open(socks)
    fresh = fresh_series(a.port, a.path, tries, fresh_timeout)
    held_after_fresh = still_open(socks)
    for s in socks:
        s.close()
    print(f"answered={answered} held={held} held_end={held_after_fresh} "
          f"before_kb={before} after_kb={after} "
          f"pss_before_kb={pss_before} pss_after_kb={pss_after} "
          f"fresh_ok={len(fresh)} fresh_tries={tries} "
          f"fresh_med_ms={fmt_ms(statistics.median(fresh) if fresh else None)} "
          f"fresh_max_ms={fmt_ms(max(fresh) if fresh else None)} "
          f"base_med_ms={fmt_ms(statistics.median(base) if base else None)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
