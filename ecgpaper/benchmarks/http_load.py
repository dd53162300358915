"""The load side of `bench serve`: a lean keep-alive HTTP client, latency statistics
and the timing loops (single requests, concurrent clients, paired overhead rounds)."""

from __future__ import annotations

import statistics
import threading
import time

JSON_HEADERS = {"content-type": "application/json"}
BINARY_HEADERS = {"content-type": "application/octet-stream", "X-ECG-Fs": "500",
                  "X-ECG-Units": "uV", "X-ECG-Leads": "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6"}


def latency_stats(times_s: list, wall_s: float | None = None) -> dict:
    """p50/p95/p99 in ms of `times_s` (seconds), and requests/s over `wall_s` if given."""
    ms = sorted(t * 1000 for t in times_s)
    q = (lambda p: ms[min(len(ms) - 1, int(round(p * (len(ms) - 1))))]) if ms else \
        (lambda p: float("nan"))
    return {"n": len(ms), "p50_ms": statistics.median(ms) if ms else float("nan"),
            "p95_ms": q(0.95), "p99_ms": q(0.99),
            "req_per_s": len(ms) / wall_s if wall_s else None}


def in_threads(work, n: int, workers: int) -> float:
    """`work(k)` in `workers` threads that share `n` repetitions; the wall seconds."""
    per = [n // workers + (1 if i < n % workers else 0) for i in range(workers)]
    start = time.perf_counter()
    threads = [threading.Thread(target=work, args=(k,)) for k in per if k]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


class Client:
    """One keep-alive HTTP/1.1 connection to the service (`http.client`): a client that
    spends little time of its own per request, since whatever it spends is timed as the
    service's overhead and, under load, takes the cores from the service (httpx spent
    1-2 ms of Python per request on a 2-core machine)."""

    def __init__(self, url: str, timeout: float = 120.0):
        from urllib.parse import urlsplit
        parts = urlsplit(url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.conn = None

    def post(self, path: str, body: bytes, headers: dict) -> int:
        """The status of one POST (a dropped connection is opened again once)."""
        import http.client
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port,
                                                       timeout=self.timeout)
            try:
                self.conn.request("POST", path, body=body, headers=headers)
                resp = self.conn.getresponse()
                resp.read()
                return resp.status
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt:
                    raise
        return 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def http_latency(url: str, body: bytes, n: int, clients: int = 1,
                 headers: dict = JSON_HEADERS) -> tuple[dict, int]:
    """Latencies of `n` requests from `clients` threads; (stats, error count)."""
    times, errors, lock = [], [0], threading.Lock()

    def work(k: int):
        client = Client(url)
        try:
            for _ in range(k):
                t0 = time.perf_counter()
                try:
                    ok = client.post("/v1/predict", body, headers) == 200
                except OSError:
                    ok = False
                with lock:
                    times.append(time.perf_counter() - t0)
                    errors[0] += 0 if ok else 1
        finally:
            client.close()
    warm = Client(url)                            # warm-up
    for _ in range(2):
        warm.post("/v1/predict", body, headers)
    warm.close()
    wall = in_threads(work, n, clients)
    return latency_stats(times, wall if clients > 1 else None), errors[0]


def paired_overhead(call, url: str, body: bytes, n: int,
                    headers: dict = JSON_HEADERS) -> tuple[dict, float, int]:
    """`n` rounds of one network call here, then one request of the same recording to
    the service: the requests' stats, the median of the per-round differences (what the
    service adds around its network, measured so that a machine's drift in speed
    cancels: both halves of a round run within milliseconds) and the error count."""
    client = Client(url)
    for _ in range(5):                     # warm both paths (first calls allocate)
        call()
        client.post("/v1/predict", body, headers)
    times, diffs, errors = [], [], 0
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            call()
            t1 = time.perf_counter()
            errors += client.post("/v1/predict", body, headers) != 200
            t2 = time.perf_counter()
            times.append(t2 - t1)
            diffs.append((t2 - t1) - (t1 - t0))
    finally:
        client.close()
    return latency_stats(times), statistics.median(diffs) * 1000.0, errors
