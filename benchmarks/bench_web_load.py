"""The workbench under load (issue "Every variant distinct, still fast", item 4): `pactlab serve`
on 127.0.0.1 at a free port, one warm-up evaluate, the same request again (cached), then 20
concurrent evaluate requests of `korea-final-2025-11` at 2,000 paths, each its own seed (so the
cache cannot answer), and the cached request once more while they run. Prints P50/P95 of the
20 and the cached request's times beside the target (P95 <= 10 s on the 2-core development
machine), then stops the server; the whole run is bounded (`--limit`, 120 s), and the server's
process group is ended however the run ends. `--workers` is passed to `pactlab serve` (0: in
process, one at a time). Run with `make bench`."""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np

PACT, PATHS, REQUESTS, TARGET_P95 = "korea-final-2025-11", 2_000, 20, 10.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _started(url: str, server: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"bench_web_load: the server exited with code {server.returncode}")
        try:
            if httpx.get(f"{url}/api/units", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit("bench_web_load: the server did not start in time")


def _evaluate(url: str, seed: int, deadline: float) -> float:
    """One evaluate's wall time in seconds (an answer other than 200 ends the run)."""
    start = time.perf_counter()
    r = httpx.post(f"{url}/api/evaluate", json={"pact": PACT, "paths": PATHS, "seed": seed},
                   timeout=max(deadline - time.monotonic(), 1.0))
    if r.status_code != 200:
        raise RuntimeError(f"seed {seed}: {r.status_code} {r.text[:200]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=None,
                        help="pactlab serve --workers (default: the server's own default)")
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--limit", type=float, default=120.0, help="seconds for the whole run")
    args = parser.parse_args()
    deadline = time.monotonic() + args.limit
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "pactlab", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--max-paths", str(PATHS)]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    server = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        _started(url, server, deadline)
        warm = _evaluate(url, 0, deadline)
        cached = _evaluate(url, 0, deadline)
        start = time.perf_counter()
        with ThreadPoolExecutor(args.requests + 1) as pool:
            load = [pool.submit(_evaluate, url, seed, deadline)
                    for seed in range(1, args.requests + 1)]
            time.sleep(1.0)                       # the load is in flight: the cache still answers
            under_load = _evaluate(url, 0, deadline)
            times = np.array([f.result() for f in load])
        wall = time.perf_counter() - start
    finally:
        _stop(server)
    p50, p95 = np.percentile(times, [50, 95])
    workers = "the default" if args.workers is None else args.workers
    print(f"web load: {args.requests} concurrent evaluate requests at {PATHS:,} paths "
          f"(workers: {workers}): P50 {p50:.1f} s, P95 {p95:.1f} s, max {times.max():.1f} s, "
          f"all in {wall:.1f} s (target P95 <= {TARGET_P95:.0f} s)")
    print(f"  warm-up request {warm:.2f} s; the same request cached {cached * 1e3:.0f} ms, and "
          f"{under_load * 1e3:.0f} ms under the load")


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (its workers too), SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


if __name__ == "__main__":
    main()
