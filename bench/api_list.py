"""A small closed-loop HTTP load generator: N threads, one keep-alive `http.client` connection each,
a bounded number of requests and a time limit. Only ever talks to 127.0.0.1."""

import http.client
import statistics
import threading
import time
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    path: str
    requests: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    errors: dict[str, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0

    def summary(self) -> str:
        errors = f", errors {self.errors}" if self.errors else ""
        return (f"{self.rps:8.1f} req/s  ({self.requests} requests in {self.seconds:.1f} s; "
                f"latency median {statistics.median(self.latencies_ms or [0]):.1f} ms, "
                f"p95 {self.percentile(0.95):.1f} ms{errors})")


def run_load(*, port: int, path: str, headers: dict[str, str], concurrency: int = 8,
             max_requests: int = 5000, max_seconds: float = 15.0) -> LoadResult:
    """Send GET `path` from `concurrency` threads until `max_requests` are done or `max_seconds` pass."""
    lock = threading.Lock()
    budget = {"left": max_requests}
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        while time.monotonic() < deadline:
            with lock:
                if budget["left"] <= 0:
                    break
                budget["left"] -= 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = type(error).__name__
            if status == 200:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                with lock:
                    errors[str(status)] = errors.get(str(status), 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return LoadResult(path=path, requests=len(latencies), seconds=elapsed, latencies_ms=latencies, errors=errors)


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
