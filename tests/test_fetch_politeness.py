"""Politeness: robots.txt, Crawl-delay, per-host spacing and in-flight limits, seen from the server."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from servers import Reply, serve

from aidetl.fetch import Fetcher, FetchSettings
from aidetl.models import Source

HTML = "<html><body><p>ok</p></body></html>"
ROBOTS = "User-agent: *\nDisallow: /private\nCrawl-delay: 0.3\n"


def source(delay: float = 0.0, max_in_flight: int = 1, hosts=("127.0.0.1",)) -> Source:
    return Source("polite", allowed_domains=hosts, delay=delay, max_in_flight=max_in_flight)


def pages(n: int) -> dict[str, Reply]:
    return {f"/p{i}": Reply(body=HTML) for i in range(n)}


def test_robots_disallow_is_obeyed_and_crawl_delay_spaces_requests():
    routes = {
        "/robots.txt": Reply(body=ROBOTS, content_type="text/plain"),
        "/private": Reply(body=HTML),
    }
    routes.update(pages(3))
    with serve(routes) as srv:
        fetcher = Fetcher("aidetl-test")
        refused = fetcher.fetch(srv.url("/private"), source())
        fetched = [fetcher.fetch(srv.url(f"/p{i}"), source()) for i in range(3)]
        log = list(srv.log)
    assert "/private" not in [r.path for r in log]
    assert refused.error is not None and refused.attempts[-1].error_class == "DisallowedError"
    assert "robots.txt" in refused.attempts[-1].error_message
    assert all(o.ok for o in fetched)
    assert [r.path for r in log] == ["/robots.txt", "/p0", "/p1", "/p2"]
    gaps = [b.time - a.time for a, b in zip(log, log[1:], strict=False)]
    assert min(gaps) >= 0.3, gaps


def test_robots_txt_is_fetched_once_per_host_even_from_many_threads():
    routes = {"/robots.txt": Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain")}
    routes.update(pages(12))
    with serve(routes) as srv:
        fetcher = Fetcher("aidetl-test", FetchSettings(delay_override=0.0))
        with ThreadPoolExecutor(6) as pool:
            outcomes = list(
                pool.map(lambda i: fetcher.fetch(srv.url(f"/p{i}"), source()), range(12))
            )
        robots_hits = srv.hits("/robots.txt")
    assert all(o.ok for o in outcomes)
    assert len(robots_hits) == 1
    robots_attempts = [a for o in outcomes for a in o.attempts if a.url.endswith("/robots.txt")]
    assert len(robots_attempts) == 1 and robots_attempts[0].status == 200


def test_robots_404_allows_everything():
    with serve(pages(1)) as srv:
        outcome = Fetcher("aidetl-test").fetch(srv.url("/p0"), source())
    assert outcome.ok
    assert outcome.attempts[0].status == 404 and outcome.attempts[0].error_class is None


def test_robots_5xx_disallows_the_host_and_is_recorded():
    routes = {"/robots.txt": Reply(503, "down", content_type="text/plain")}
    routes.update(pages(2))
    with serve(routes) as srv:
        fetcher = Fetcher("aidetl-test")
        first = fetcher.fetch(srv.url("/p0"), source())
        second = fetcher.fetch(srv.url("/p1"), source())
        paths = [r.path for r in srv.log]
    assert paths == ["/robots.txt"]
    robots, page = first.attempts
    assert (robots.status, robots.error_class) == (503, "BadStatusError")
    assert page.error_class == "DisallowedError" and "503" in page.error_message
    assert [a.error_class for a in second.attempts] == ["DisallowedError"]


def test_source_delay_spaces_requests_and_delay_override_replaces_it():
    slept: list[float] = []
    with serve(pages(3)) as srv:
        slow = Fetcher("aidetl-test", sleep=slept.append)
        for i in range(3):
            slow.fetch(srv.url(f"/p{i}"), source(delay=5.0))
        waits_with_delay = list(slept)
        slept.clear()
        fast = Fetcher("aidetl-test", FetchSettings(delay_override=0.0), sleep=slept.append)
        for i in range(3):
            fast.fetch(srv.url(f"/p{i}"), source(delay=5.0))
    assert len(waits_with_delay) >= 3 and all(w > 4.0 for w in waits_with_delay)
    assert slept == []


def test_real_delay_leaves_gaps_in_the_server_log():
    with serve(pages(3)) as srv:
        fetcher = Fetcher("aidetl-test")
        for i in range(3):
            fetcher.fetch(srv.url(f"/p{i}"), source(delay=0.25))
        log = list(srv.log)
    gaps = [b.time - a.time for a, b in zip(log, log[1:], strict=False)]
    assert len(log) == 4 and min(gaps) >= 0.25, gaps


def concurrency_probe():
    """A route that holds each request 0.2 s and remembers the most it saw at once."""
    state = {"now": 0, "max": 0}
    lock = threading.Lock()

    def answer(_rec):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.2)
        with lock:
            state["now"] -= 1
        return Reply(body=HTML)

    return state, answer


@pytest.mark.parametrize("limit", [1, 3])
def test_max_in_flight_bounds_concurrent_requests_per_host(limit):
    state, answer = concurrency_probe()
    with serve({"/slow": answer}) as srv:
        fetcher = Fetcher("aidetl-test", FetchSettings(delay_override=0.0))
        src = source(max_in_flight=limit)
        with ThreadPoolExecutor(6) as pool:
            outcomes = list(
                pool.map(lambda i: fetcher.fetch(srv.url(f"/slow?i={i}"), src), range(6))
            )
    assert all(o.ok for o in outcomes)
    assert state["max"] == limit


def test_hosts_are_fetched_concurrently_each_with_its_own_robots():
    hosts = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
    servers = [serve(pages(4), host=h) for h in hosts]
    started = [s.__enter__() for s in servers]
    try:
        fetcher = Fetcher("aidetl-test", FetchSettings(delay_override=0.0))
        urls = [srv.url(f"/p{i}") for srv in started for i in range(4)]
        with ThreadPoolExecutor(6) as pool:
            outcomes = list(pool.map(lambda u: fetcher.fetch(u, source(hosts=hosts)), urls))
        robots_per_host = [len(srv.hits("/robots.txt")) for srv in started]
    finally:
        for s in servers:
            s.__exit__(None, None, None)
    assert all(o.ok for o in outcomes)
    assert robots_per_host == [1, 1, 1]
