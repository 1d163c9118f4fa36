#!/usr/bin/env python3
"""Metrics for scripts/bench-idle-bytes.sh: ten services, each with the
series the default golden signals query (http_requests_total,
http_request_duration_seconds) and four gauges the bench's alert rules fire on.

  bench-exporter.py serve MODE PORT         serve /metrics on 127.0.0.1:PORT
  bench-exporter.py history MODE INSTANCE FROM TO STEP
                                            the same series as OpenMetrics
                                            samples, for promtool's backfill

MODE "steady": every gauge constant, every counter growing at a constant rate,
so rate(), ratios and quantiles hold still (up to float rounding). MODE
"moving": gauges and rates swing over a few minutes, latency shifts between a
fast and a slow population, so every sparkline changes at every step.
Samples carry their own timestamp (the time they describe, on a 1 s grid), so
a value is a function of time alone: the backfilled history and the live
scrape are one series.
"""

import http.server
import math
import sys
import time

SERVICES = [f"svc-{i}" for i in range(10)]
BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0]
FAST = [0.15, 0.55, 0.85, 0.97, 0.995, 0.999, 1.0]  # cumulative share per bucket
SLOW = [0.0, 0.02, 0.1, 0.3, 0.7, 0.95, 0.99]
PERIOD = 300.0  # seconds of one swing in "moving" mode


def swing(mode, i, t):
    """A multiplier: 1 when steady, 1 ± 0.3 over PERIOD when moving."""
    return 1.0 if mode == "steady" else 1.0 + 0.3 * math.sin(2 * math.pi * t / PERIOD + i)


def integral(mode, i, t):
    """The integral of swing() from 0 to t (for counters)."""
    if mode == "steady":
        return t
    w = 2 * math.pi / PERIOD
    return t - 0.3 / w * (math.cos(w * t + i) - math.cos(i))


def samples(mode, t):
    """(name, labels, value) of every series at time t (seconds)."""
    out = []
    for i, svc in enumerate(SERVICES):
        base = {"service": svc}
        out.append(("bench_queue_depth", base, (150 + 10 * i) * swing(mode, i, t)))
        out.append(("bench_disk_used_ratio", base, 0.86 + 0.005 * i + 0.04 * (swing(mode, i, t) - 1)))
        out.append(("bench_memory_used_ratio", base, 0.93 + 0.002 * i + 0.02 * (swing(mode, i + 1, t) - 1)))
        out.append(("bench_replication_lag_seconds", base, (45 + 3 * i) * swing(mode, i + 2, t)))
        rps = 40 + 4 * i
        total = rps * integral(mode, i, t)
        errors = 0.05 * rps * integral(mode, i + 3, t)
        out.append(("http_requests_total", dict(base, status="200"), total))
        out.append(("http_requests_total", dict(base, status="500"), errors))
        # Latency: a fast population at a constant rate, a slow one that swings.
        fast = rps * t
        slow = 0.3 * rps * (t if mode == "steady" else integral(mode, i + 4, t) - 0.7 * t)
        for le, f, s in zip(BUCKETS, FAST, SLOW):
            out.append(("http_request_duration_seconds_bucket", dict(base, le=str(le)), fast * f + slow * s))
        out.append(("http_request_duration_seconds_bucket", dict(base, le="+Inf"), fast + slow))
        out.append(("http_request_duration_seconds_count", base, fast + slow))
        out.append(("http_request_duration_seconds_sum", base, fast * 0.03 + slow * 0.3))
    return out


def labels(d):
    return ",".join(f'{k}="{v}"' for k, v in sorted(d.items()))


def exposition(mode, t):
    ms = int(t * 1000)
    return "".join(f"{n}{{{labels(l)}}} {v!r} {ms}\n" for n, l, v in samples(mode, t)).encode()


def serve(mode, port):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            body = exposition(mode, math.floor(time.time()))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def history(mode, instance, start, end, step):
    """OpenMetrics for promtool: one block of samples from start to end."""
    types = {}
    lines = []
    extra = {"job": "bench", "instance": instance}
    t = start
    while t <= end:
        for n, l, v in samples(mode, t):
            types.setdefault(n, "unknown")
            lines.append(f"{n}{{{labels(dict(l, **extra))}}} {v!r} {t}\n")
        t += step
    # OpenMetrics wants each metric's samples together.
    lines.sort(key=lambda s: s.split("{", 1)[0])
    sys.stdout.write("".join(lines))
    sys.stdout.write("# EOF\n")


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        history(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
