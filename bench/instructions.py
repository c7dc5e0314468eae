#!/usr/bin/env python3
"""Count what one request costs a server, exactly: user-space instructions (valgrind's
callgrind) and system calls (strace -c), per workload. Run by `bench/run --instructions`.

The server runs in one process (`-X`), once with N1 requests and once with N2, and the cost
of one request is (count(N2) - count(N1)) / (N2 - N1): start-up, configuration and exit
cancel out. Requests go one after the other from this script, so the counts do not depend
on the machine's load or on scheduling, which is what makes two builds comparable to well
under 1 % on a machine whose wall-clock rounds swing 20 %.

usage: instructions.py --kiva BIN --conf FILE --port PORT --workloads LIST --counts N1,N2
                       --tools callgrind,strace --work DIR
prints one line per workload and count: WORKLOAD WHAT PER_REQUEST, WHAT being callgrind
(instructions), syscalls (system calls but futex) or futex
"""
import argparse
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import time

WORKLOADS = {  # name: (path, keep-alive)
    "ka-1k": ("/1k.bin", True),
    "close-1k": ("/1k.bin", False),
    "ka-100k": ("/100k.bin", True),
    "ka-1m": ("/1m.bin", True),
}
START_DEADLINE_S = 120  # valgrind starts a server slowly
REQUEST_DEADLINE_S = 60
STOP_DEADLINE_S = 120


def connect(port, deadline):
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=REQUEST_DEADLINE_S)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def read_response(sock):
    """Read one response with a Content-Length body; fail on anything else."""
    buf = b""
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise RuntimeError("the server closed before a whole response")
        buf += chunk
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            continue
        head = buf[:end].split(b"\r\n")
        if not head[0].startswith(b"HTTP/1.1 200"):
            raise RuntimeError("unexpected status: %r" % head[0])
        length = [h for h in head if h.lower().startswith(b"content-length:")]
        if not length:
            raise RuntimeError("no Content-Length")
        want = end + 4 + int(length[0].split(b":")[1])
        while len(buf) < want:
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("the server closed mid-body")
            buf += chunk
        return


def drive(port, workload, count):
    path, keepalive = WORKLOADS[workload]
    deadline = time.monotonic() + START_DEADLINE_S
    request = ("GET %s HTTP/1.1\r\nHost: localhost\r\n%s\r\n" %
               (path, "" if keepalive else "Connection: close\r\n")).encode()
    sock = connect(port, deadline)
    for i in range(count):
        if not keepalive and i > 0:
            sock = connect(port, deadline)
        sock.sendall(request)
        read_response(sock)
        if not keepalive:
            sock.close()
    if keepalive:
        sock.close()


def make_writable(path, conf):
    """Create PATH for the server's user: callgrind opens its output file at start, as root,
    and writes it at exit, after the server switched to its User."""
    open(path, "w").close()
    os.chmod(path, 0o666)
    with open(conf) as f:
        user = re.search(r"^User\s+(\S+)", f.read(), re.M)
    if user and os.geteuid() == 0:
        os.chown(path, pwd.getpwnam(user.group(1)).pw_uid, -1)


def stop(tracer):
    """Stop the server gracefully and wait for the tool to write its counts. Under valgrind
    the server is the tool's own process; under strace it is strace's child, and strace
    writes its summary once that child has exited."""
    pid = tracer.pid
    children = "/proc/%d/task/%d/children" % (pid, pid)
    if os.path.exists(children):
        with open(children) as f:
            kids = f.read().split()
        if kids:
            pid = int(kids[0])
    os.kill(pid, signal.SIGTERM)
    tracer.wait(timeout=STOP_DEADLINE_S)


def run_counted(args, tool, workload, count):
    """Run the server under TOOL serving COUNT requests of WORKLOAD; the tool's totals by
    name."""
    out = os.path.join(args.work, "%s-%s-%d.out" % (tool, workload, count))
    if tool == "callgrind":
        wrap = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
    else:
        wrap = ["strace", "-f", "-c", "-o", out]
    make_writable(out, args.conf)
    server = subprocess.Popen(wrap + [args.kiva, "-X", "-f", args.conf],
                              stdout=subprocess.DEVNULL,
                              stderr=open(out + ".stderr", "w"),
                              start_new_session=True)
    try:
        drive(args.port, workload, count)
        stop(server)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    with open(out) as f:
        text = f.read()
    if tool == "callgrind":
        m = re.search(r"^(?:summary|totals):\s+(\d+)", text, re.M)
        if not m:
            raise RuntimeError("no total in %s" % out)
        return {"callgrind": int(m.group(1))}
    return syscall_counts(text, out)


def syscall_counts(text, out):
    """strace -c's table: the calls other than futex, and futex apart: how often threads
    wake one another depends on scheduling, the other calls on the code."""
    counts = {"syscalls": 0, "futex": 0}
    for line in text.splitlines():
        cols = line.split()
        if len(cols) < 5 or not re.match(r"^[0-9.]+$", cols[0]) or cols[-1] == "total":
            continue
        counts["futex" if cols[-1] == "futex" else "syscalls"] += int(cols[3])
    if not counts["syscalls"]:
        raise RuntimeError("no system calls in %s" % out)
    return counts


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kiva", required=True)
    p.add_argument("--conf", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--workloads", required=True)
    p.add_argument("--counts", default="200,1200")
    p.add_argument("--tools", default="callgrind,strace")
    p.add_argument("--work", required=True)
    args = p.parse_args()
    n1, n2 = (int(n) for n in args.counts.split(","))
    if not 0 < n1 < n2 <= 100000:
        sys.exit("instructions: --counts N1,N2 with 0 < N1 < N2 <= 100000")
    for workload in args.workloads.split(","):
        for tool in args.tools.split(","):
            low = run_counted(args, tool, workload, n1)
            high = run_counted(args, tool, workload, n2)
            for what in sorted(low):
                print("%s %s %.1f" % (workload, what, (high[what] - low[what]) / (n2 - n1)),
                      flush=True)


if __name__ == "__main__":
    main()
