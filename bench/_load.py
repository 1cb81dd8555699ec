"""A small HTTP/1.1 keep-alive load generator on raw asyncio streams, cheap enough not to be the bottleneck.

Each of ``connections`` connections sends its requests one after the other on one socket and reads each response
by its Content-Length (the servers measured here never chunk). Bounded by a request count and a time limit;
127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import time
from collections.abc import Callable


@dataclasses.dataclass
class Load:
    requests: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def median_latency(self) -> float:
        return statistics.median(self.latencies)


async def _connection(
    port: int,
    paths: Callable[[int], str],
    budget: list[int],
    deadline: float,
    result: Load,
    token: str,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while budget[0] > 0 and time.perf_counter() < deadline:
            budget[0] -= 1
            path = paths(budget[0])
            request = (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                "Accept: application/json\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            result.latencies.append(time.perf_counter() - started)
            result.statuses[status] = result.statuses.get(status, 0) + 1
    finally:
        writer.close()


async def _load(port: int, paths: Callable[[int], str], requests: int, connections: int, limit: float) -> Load:
    result = Load(0, 0.0, [], {})
    budget = [requests]
    started = time.perf_counter()
    deadline = started + limit
    await asyncio.gather(
        *(_connection(port, paths, budget, deadline, result, "kvconform-bench") for _ in range(connections))
    )
    result.seconds = time.perf_counter() - started
    result.requests = len(result.latencies)
    return result


def load(port: int, paths: Callable[[int], str], *, requests: int, connections: int, limit: float = 30.0) -> Load:
    """Send at most ``requests`` GETs (``paths(i)`` names each) over ``connections`` keep-alive connections."""
    return asyncio.run(_load(port, paths, requests, connections, limit))
