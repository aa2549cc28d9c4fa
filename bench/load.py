"""A bounded mixed-load driver: N client threads pick weighted request makers until a deadline."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from bench.runner import percentile


@dataclass
class Target:
    """Where the load goes and what the makers share (tokens, ids of things they created)."""

    base_url: str
    headers: dict[str, str]
    shared: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def remember(self, key: str, value: Any) -> None:
        """Keep something a maker created (for later makers and for the verification afterwards)."""
        with self.lock:
            self.shared.setdefault(key, []).append(value)


class UnexpectedAnswer(Exception):
    """A request was answered, but not as the maker expected."""


def expect(response: requests.Response, *statuses: int) -> requests.Response:
    """The response if its status is one of `statuses`; UnexpectedAnswer naming status and body otherwise."""
    if response.status_code not in statuses:
        raise UnexpectedAnswer(
            f"{response.request.method} {response.url} -> {response.status_code} {response.text[:200]}"
        )
    return response


# A request maker sends one request with the thread's session; a wrong answer raises UnexpectedAnswer.
RequestMaker = Callable[[requests.Session, Target, random.Random], None]


@dataclass(frozen=True)
class Maker:
    """A named, weighted request maker."""

    name: str
    weight: float
    send: RequestMaker


@dataclass
class LoadResult:
    """Per-request latencies and errors of one load phase."""

    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    first_errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        """Requests answered (with or without error)."""
        return sum(len(v) for v in self.latencies.values())

    @property
    def error_count(self) -> int:
        """Requests that failed or got an unexpected answer."""
        return sum(self.errors.values())

    @property
    def throughput(self) -> float:
        """Requests per second over the phase."""
        return self.requests / self.seconds if self.seconds else 0.0

    def latency_ms(self, p: float, maker: str | None = None) -> float:
        """The p-th percentile latency in milliseconds (of one maker, or of all)."""
        samples = self.latencies[maker] if maker else [s for v in self.latencies.values() for s in v]
        return percentile(samples, p) * 1000


def drive(target: Target, makers: list[Maker], *, clients: int, seconds: float, seed: int = 7) -> LoadResult:
    """Run `clients` threads for `seconds`, each sending requests chosen by weight; never longer."""
    result = LoadResult(seconds=seconds)
    weights = [m.weight for m in makers]
    deadline = time.monotonic() + seconds
    record = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        with requests.Session() as http:
            while time.monotonic() < deadline:
                maker = rng.choices(makers, weights)[0]
                started = time.perf_counter()
                try:
                    maker.send(http, target, rng)
                    ok, error = True, None
                except (requests.RequestException, UnexpectedAnswer) as exc:
                    ok, error = False, f"{type(exc).__name__}: {exc}"
                elapsed = time.perf_counter() - started
                with record:
                    result.latencies[maker.name].append(elapsed)
                    if not ok:
                        result.errors[maker.name] += 1
                        if len(result.first_errors) < 10:
                            result.first_errors.append(f"{maker.name}: {error}")

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)  # a request may still finish after the deadline (30 s client timeout)
    result.seconds = time.monotonic() - began
    return result
