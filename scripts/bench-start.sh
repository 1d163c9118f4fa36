#!/usr/bin/env bash
# Start-up: time from exec to the first frame, and to the first frame with
# data (an alert name) from a local Alertmanager (50 alerts) and Prometheus,
# in a 160x48 pseudo-terminal (Python's pty). Runs RUNS times; prints each
# and the median and max.
# Usage: scripts/bench-start.sh [--quick]   (--quick: 3 runs instead of 15)
source "$(dirname "$0")/bench-lib.sh"

RUNS=15
if [ "${1:-}" = "--quick" ]; then
    RUNS=3
fi
need curl jq python3
bin=$(release_bin)
start_alertmanager
start_prometheus
post_alerts 50
: >"$WORK/empty.toml"

machine
python3 - "$RUNS" "$bin" "$AM_URL" "$PROM_URL" "$WORK" <<'PY'
import fcntl, os, pty, select, signal, statistics, struct, sys, termios, time
runs, binary, am, prom, work = int(sys.argv[1]), *sys.argv[2:]
args = [binary, "--alertmanager", am, "--prometheus", prom, "--refresh", "2", "--no-mouse",
        "--config", f"{work}/empty.toml", "--log-file", f"{work}/start.log"]

def one():
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
        os.execv(binary, args)
    out, first, data = b"", None, None
    deadline = t0 + 10
    while data is None and time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        now = time.perf_counter()
        if b"\x1b[6n" in chunk:  # crossterm asks where the cursor is: answer as a terminal would
            os.write(fd, b"\x1b[1;1R")
        out += chunk
        if first is None and b"warroom" in out:
            first = now - t0
        if b"HighErrorRate" in out:
            data = now - t0
    os.write(fd, b"q")
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)
    return first, data

results = [one() for _ in range(runs)]
firsts = [f * 1000 for f, _ in results if f is not None]
datas = [d * 1000 for _, d in results if d is not None]
print(f"{runs} runs, 160x48 pty, Alertmanager (50 alerts) + Prometheus on loopback")
print("first frame (ms):          " + " ".join(f"{x:.0f}" for x in firsts))
print("first frame with data (ms): " + " ".join(f"{x:.0f}" for x in datas))
if firsts and datas:
    print(f"first frame:           median {statistics.median(firsts):6.1f} ms   max {max(firsts):6.1f} ms   (target 100 ms)")
    print(f"first frame with data: median {statistics.median(datas):6.1f} ms   max {max(datas):6.1f} ms   (target 300 ms)")
if len(firsts) < runs or len(datas) < runs:
    sys.exit("some runs showed no frame or no data within 10 s")
PY
