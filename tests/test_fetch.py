"""The Fetcher against a misbehaving loopback server: every failure is an attempt with a reason."""

from __future__ import annotations

import gzip
import time
from dataclasses import replace

import pytest
from servers import Reply, serve

from aidetl.archive import Archive
from aidetl.budgets import Budgets
from aidetl.fetch import Fetcher, FetchSettings, parse_retry_after
from aidetl.models import Source

HTML = "<html><head><title>t</title></head><body><p>扶贫资金超5亿元</p></body></html>"
GBK_HTML = HTML.encode("gbk")
LOCAL = Source("local", allowed_domains=("127.0.0.1",), delay=0.0)


def no_sleep(_seconds: float) -> None:
    pass


def fetcher(archive: Archive | None = None, **settings) -> Fetcher:
    """A Fetcher with short budgets and no waiting; `settings` are FetchSettings fields."""
    settings = {"budgets": Budgets(connect=2.0, between_bytes=2.0), "backoff": 0.01, **settings}
    return Fetcher(
        "aidetl-test/1.0 (+test)", FetchSettings(**settings), archive=archive, sleep=no_sleep
    )


def page_attempts(outcome):
    return [a for a in outcome.attempts if not a.url.endswith("/robots.txt")]


def wait_until(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_plain_page_is_decoded_and_recorded_with_user_agent():
    with serve({"/a": Reply(body=HTML, headers={"ETag": '"v1"'})}) as srv:
        outcome = fetcher().fetch(srv.url("/a"), LOCAL)
        sent = srv.hits("/a")[0].headers
    assert outcome.ok and outcome.page is not None
    assert "扶贫资金" in outcome.page.text
    assert outcome.page.encoding == "utf-8"
    assert outcome.page.etag == '"v1"'
    assert sent["user-agent"] == "aidetl-test/1.0 (+test)"
    (attempt,) = page_attempts(outcome)
    assert (attempt.status, attempt.error_class, attempt.encoding) == (200, None, "utf-8")
    assert attempt.bytes == len(HTML.encode()) and attempt.etag == '"v1"'


def test_503_then_200_retries_and_records_both_attempts():
    with serve({"/a": [Reply(503, "busy"), Reply(200, HTML)]}) as srv:
        outcome = fetcher().fetch(srv.url("/a"), LOCAL)
        assert len(srv.hits("/a")) == 2
    assert outcome.ok
    first, second = page_attempts(outcome)
    assert (first.status, first.error_class) == (503, "BadStatusError")
    assert (second.status, second.error_class, second.attempt) == (200, None, 2)


def test_429_retry_after_one_second_is_honoured_per_server_log():
    with serve(
        {"/a": [Reply(429, "slow down", headers={"Retry-After": "1"}), Reply(200, HTML)]}
    ) as srv:
        outcome = Fetcher("aidetl-test", FetchSettings(delay_override=0.0, backoff=0.01)).fetch(
            srv.url("/a"), LOCAL
        )
        first, second = srv.hits("/a")
    assert outcome.ok
    assert second.time - first.time >= 1.0


def test_retries_are_bounded_and_the_last_error_is_returned():
    with serve({"/a": Reply(500, "boom")}) as srv:
        outcome = fetcher(retries=2).fetch(srv.url("/a"), LOCAL)
        assert len(srv.hits("/a")) == 3
    assert outcome.page is None and outcome.error is not None
    assert outcome.error.status == 500
    assert [a.error_class for a in page_attempts(outcome)] == ["BadStatusError"] * 3


def test_a_source_s_own_settings_win_over_the_defaults():
    settings = FetchSettings(budgets=Budgets(connect=2.0, between_bytes=2.0), backoff=0.01)
    f = Fetcher(
        "aidetl-test",
        replace(settings, retries=3),
        by_source={"local": replace(settings, retries=0)},
        sleep=no_sleep,
    )
    with serve({"/a": Reply(500, "boom")}) as srv:
        outcome = f.fetch(srv.url("/a"), LOCAL)
        assert len(srv.hits("/a")) == 1
    assert outcome.error is not None and outcome.error.retryable  # retryable, but retries=0


def test_404_is_not_retried():
    with serve({}) as srv:
        outcome = fetcher().fetch(srv.url("/missing"), LOCAL)
        assert len(srv.hits("/missing")) == 1
    assert type(outcome.error).__name__ == "BadStatusError"
    assert page_attempts(outcome)[0].status == 404


def test_read_that_stalls_past_the_timeout_is_a_fetch_timeout():
    with serve(
        {"/stall": Reply(body=HTML, stall=1.5), "/late": Reply(body=HTML, delay=1.5)}
    ) as srv:
        f = fetcher(budgets=Budgets(connect=1.0, between_bytes=0.3), retries=0)
        stalled = f.fetch(srv.url("/stall"), LOCAL)
        late = f.fetch(srv.url("/late"), LOCAL)
    for outcome in (stalled, late):
        assert type(outcome.error).__name__ == "StallTimeout"
        assert page_attempts(outcome)[0].error_class == "StallTimeout"
        assert "read budget (0.3 s)" in str(outcome.error)


def test_server_that_drips_the_body_slowly_hits_the_total_deadline():
    with serve(
        {"/drip": Reply(body=b"<html>", stream_bytes=40 * 64 * 1024, chunk_delay=0.1)}
    ) as srv:
        outcome = fetcher(retries=0, budgets=Budgets(attempt=0.5)).fetch(srv.url("/drip"), LOCAL)
        (served,) = srv.hits("/drip")
        assert wait_until(lambda: served.aborted)
    assert type(outcome.error).__name__ == "AttemptTimeout"
    assert "cut at its 0.5 s deadline" in str(outcome.error)


def test_truncated_body_is_a_truncated_error():
    with serve({"/t": Reply(body=b"<html>" + b"x" * 100, content_length=5000)}) as srv:
        outcome = fetcher(retries=1).fetch(srv.url("/t"), LOCAL)
    assert type(outcome.error).__name__ == "TruncatedError"
    assert [a.error_class for a in page_attempts(outcome)] == ["TruncatedError"] * 2


def test_30mb_page_is_refused_and_reading_stops_near_the_limit():
    limit = 1_000_000
    with serve({"/big": Reply(body=b"<html>", stream_bytes=30_000_000)}) as srv:
        outcome = fetcher(max_bytes=limit).fetch(srv.url("/big"), LOCAL)
        (served,) = srv.hits("/big")
        assert wait_until(lambda: served.aborted)
    assert type(outcome.error).__name__ == "TooLargeError"
    attempt = page_attempts(outcome)[0]
    assert attempt.error_class == "TooLargeError"
    assert limit < attempt.bytes <= limit + 64 * 1024
    assert served.bytes_sent < 15_000_000  # the client hung up; only socket buffers filled


def test_announced_oversize_body_is_refused_before_reading():
    with serve({"/big": Reply(body=b"<html>", content_length=30_000_000)}) as srv:
        outcome = fetcher(max_bytes=1_000_000).fetch(srv.url("/big"), LOCAL)
    assert type(outcome.error).__name__ == "TooLargeError"
    assert page_attempts(outcome)[0].bytes == 0


def test_gzip_bomb_is_stopped_at_the_decoded_limit():
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    reply = Reply(body=bomb, headers={"Content-Encoding": "gzip"})
    with serve({"/bomb": reply}) as srv:
        outcome = fetcher(max_bytes=1_000_000).fetch(srv.url("/bomb"), LOCAL)
    assert type(outcome.error).__name__ == "TooLargeError"
    assert page_attempts(outcome)[0].bytes <= 1_000_000 + 64 * 1024


def test_gzip_encoded_page_is_decoded():
    reply = Reply(body=gzip.compress(HTML.encode()), headers={"Content-Encoding": "gzip"})
    with serve({"/z": reply}) as srv:
        outcome = fetcher().fetch(srv.url("/z"), LOCAL)
    assert outcome.ok and "扶贫资金" in outcome.page.text


def test_redirect_loop_is_detected():
    routes = {
        "/a": Reply(302, headers={"Location": "/b"}),
        "/b": Reply(301, headers={"Location": "/a"}),
    }
    with serve(routes) as srv:
        outcome = fetcher().fetch(srv.url("/a"), LOCAL)
        assert len(srv.hits("/a")) == 1
    assert type(outcome.error).__name__ == "RedirectError"
    assert "loop" in str(outcome.error)


def test_redirects_are_followed_up_to_the_limit():
    routes = {f"/r{i}": Reply(302, headers={"Location": f"/r{i + 1}"}) for i in range(10)}
    routes["/r2"] = Reply(body=HTML)
    with serve(routes) as srv:
        followed = fetcher(max_redirects=3).fetch(srv.url("/r0"), LOCAL)
        too_many = fetcher(max_redirects=3).fetch(srv.url("/r3"), LOCAL)
        assert not srv.hits("/r7")
    assert followed.ok and followed.page.final_url.endswith("/r2")
    assert page_attempts(followed)[0].final_url.endswith("/r2")
    assert type(too_many.error).__name__ == "RedirectError"


def test_redirect_to_another_host_outside_allowed_domains_is_refused():
    with serve({"/x": Reply(body=HTML)}, host="127.0.0.2") as other:
        with serve({"/a": Reply(302, headers={"Location": other.url("/x")})}) as srv:
            outcome = fetcher().fetch(srv.url("/a"), LOCAL)
        assert other.log == []
    assert type(outcome.error).__name__ == "RedirectError"
    assert "127.0.0.2" in str(outcome.error)


def test_redirect_target_is_checked_against_its_robots_txt():
    robots = Reply(body="User-agent: *\nDisallow: /x\n", content_type="text/plain")
    both = Source("two", allowed_domains=("127.0.0.1", "127.0.0.2"), delay=0.0)
    with serve({"/robots.txt": robots, "/x": Reply(body=HTML)}, host="127.0.0.2") as other:
        with serve({"/a": Reply(302, headers={"Location": other.url("/x")})}) as srv:
            outcome = fetcher().fetch(srv.url("/a"), both)
        assert [r.path for r in other.log] == ["/robots.txt"]
    assert type(outcome.error).__name__ == "DisallowedError"


def test_gbk_page_without_charset_is_detected():
    with serve({"/g": Reply(body=GBK_HTML, content_type="text/html")}) as srv:
        outcome = fetcher().fetch(srv.url("/g"), LOCAL)
    assert "扶贫资金超5亿元" in outcome.page.text
    assert outcome.page.encoding == "gb18030"
    assert page_attempts(outcome)[0].encoding == "gb18030"


def test_gbk_page_labelled_utf8_is_caught():
    with serve({"/g": Reply(body=GBK_HTML, content_type="text/html; charset=utf-8")}) as srv:
        outcome = fetcher().fetch(srv.url("/g"), LOCAL)
    assert "扶贫资金超5亿元" in outcome.page.text
    assert outcome.page.encoding == "gb18030"


def test_meta_charset_is_used_when_the_header_has_none():
    body = '<html><head><meta charset="gbk"></head><body>扶贫资金超5亿元</body></html>'.encode(
        "gbk"
    )
    with serve({"/m": Reply(body=body, content_type="text/html")}) as srv:
        outcome = fetcher().fetch(srv.url("/m"), LOCAL)
    assert "扶贫资金超5亿元" in outcome.page.text and outcome.page.encoding == "gb18030"


def test_non_html_content_type_is_a_content_type_error():
    with serve({"/img": Reply(body=b"\x89PNG", content_type="image/png")}) as srv:
        outcome = fetcher().fetch(srv.url("/img"), LOCAL)
    assert type(outcome.error).__name__ == "ContentTypeError"
    assert page_attempts(outcome)[0].error_class == "ContentTypeError"


def test_conditional_get_sends_validators_and_304_means_not_modified():
    def answer(rec):
        if rec.headers.get("if-none-match") == '"v1"':
            return Reply(304, content_type=None)
        return Reply(
            body=HTML, headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"}
        )

    with serve({"/a": answer}) as srv:
        f = fetcher()
        first = f.fetch(srv.url("/a"), LOCAL)
        second = f.fetch(
            srv.url("/a"), LOCAL, validators=(first.page.etag, first.page.last_modified)
        )
        sent = srv.hits("/a")[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert second.not_modified and second.page is None and second.error is None
    assert page_attempts(second)[0].status == 304


def test_pages_are_archived_with_the_key_in_page_and_attempt(tmp_path):
    archive = Archive(tmp_path)
    with serve({"/a": Reply(body=HTML)}) as srv:
        outcome = fetcher(archive=archive).fetch(srv.url("/a"), LOCAL)
    key = outcome.page.archive_key
    assert key and page_attempts(outcome)[0].archive_key == key
    assert archive.get(key) == HTML.encode()


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "file:///etc/passwd", "http://elsewhere.cn/x"]
)
def test_disallowed_url_is_recorded_and_never_requested(url):
    outcome = fetcher().fetch(url, LOCAL)
    assert type(outcome.error).__name__ == "DisallowedError"
    (attempt,) = outcome.attempts
    assert attempt.error_class == "DisallowedError" and attempt.status is None


def test_unreachable_host_records_robots_failure_and_disallows_the_page():
    with serve({}) as srv:
        url = srv.url("/a")
    outcome = fetcher(retries=2).fetch(url, LOCAL)  # the server is gone now
    robots, page = outcome.attempts
    assert robots.url.endswith("/robots.txt") and robots.error_class == "FetchConnectionError"
    assert "ConnectionError" in robots.error_message
    assert page.error_class == "DisallowedError" and "robots.txt unavailable" in page.error_message


def test_connection_dropped_mid_body_is_retried_then_succeeds():
    with serve({"/a": [Reply(body=b"<html>", content_length=999), Reply(body=HTML)]}) as srv:
        outcome = fetcher().fetch(srv.url("/a"), LOCAL)
    assert outcome.ok
    assert [a.error_class for a in page_attempts(outcome)] == ["TruncatedError", None]


def test_retry_after_accepts_seconds_and_http_dates_and_is_capped():
    assert parse_retry_after("5", cap=60) == 5
    assert parse_retry_after("3600", cap=60) == 60
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", cap=60) == 0
    assert parse_retry_after("soon", cap=60) is None
    assert parse_retry_after(None, cap=60) is None


FAILURES = {
    "/503": (Reply(503, "busy"), "BadStatusError", "HTTP 503"),
    "/404": (Reply(404, "gone"), "BadStatusError", "HTTP 404"),
    "/pdf": (
        Reply(body=b"%PDF", content_type="application/pdf"),
        "ContentTypeError",
        "application/pdf",
    ),
    "/cut": (Reply(body=b"<html>", content_length=100), "TruncatedError", "of 100"),
    "/loop": (Reply(302, headers={"Location": "/loop"}), "RedirectError", "loop"),
    "/slow": (Reply(body=HTML, delay=1.0), "StallTimeout", "read budget (0.3 s)"),
    "/private/x": (Reply(body=HTML), "DisallowedError", "robots.txt"),
}


def test_every_failure_is_an_attempt_with_its_class_and_reason():
    routes = {path: reply for path, (reply, _, _) in FAILURES.items()}
    routes["/robots.txt"] = Reply(
        body="User-agent: aidetl\nDisallow: /private\n", content_type="text/plain"
    )
    with serve(routes) as srv:
        f = Fetcher(
            "aidetl/0.1 (+test)",
            FetchSettings(budgets=Budgets(connect=1.0, between_bytes=0.3), retries=1, backoff=0.01),
            sleep=no_sleep,
        )
        outcomes = {path: f.fetch(srv.url(path), LOCAL) for path in FAILURES}
        assert srv.hits("/private/x") == []
    for path, (_, error_class, reason) in FAILURES.items():
        outcome = outcomes[path]
        assert outcome.page is None and type(outcome.error).__name__ == error_class, path
        last = page_attempts(outcome)[-1]
        assert last.error_class == error_class and reason in last.error_message, (path, last)
        assert last.source == "local" and last.url == srv.url(path)


def test_proxy_from_the_environment_is_used_and_no_proxy_is_respected(monkeypatch):
    """HTTP_PROXY from the environment carries requests (read once per host, as NO_PROXY)."""
    remote = Source("remote", allowed_domains=("news.invalid", "other.invalid"), delay=0.0)
    routes = {
        "http://news.invalid/robots.txt": Reply(404, "none"),
        "http://news.invalid/a": Reply(body=HTML),
    }
    with serve(routes) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.base)
        monkeypatch.setenv("NO_PROXY", "other.invalid")
        f = fetcher(retries=1)
        first = f.fetch("http://news.invalid/a", remote)
        second = f.fetch("http://news.invalid/a", remote)
        direct = f.fetch("http://other.invalid/a", remote)
        proxied = [hit.path for hit in proxy.log]
    assert first.ok and second.ok and "扶贫资金" in first.page.text
    assert proxied.count("http://news.invalid/a") == 2
    assert not direct.ok and not any("other.invalid" in path for path in proxied)


def test_netrc_credentials_are_sent_to_their_host_only(tmp_path, monkeypatch):
    """A ~/.netrc (here $NETRC) entry for a host is used for it, looked up once per host."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login reader password s3cret\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with serve({"/a": Reply(body=HTML)}) as srv:
        f = fetcher()
        assert f.fetch(srv.url("/a"), LOCAL).ok and f.fetch(srv.url("/a"), LOCAL).ok
        sent = [hit.headers.get("authorization") for hit in srv.hits("/a")]
    assert sent == ["Basic cmVhZGVyOnMzY3JldA=="] * 2  # base64 of reader:s3cret
    monkeypatch.setenv("NETRC", str(tmp_path / "absent"))
    with serve({"/a": Reply(body=HTML)}) as srv:
        assert fetcher().fetch(srv.url("/a"), LOCAL).ok
        assert "authorization" not in srv.hits("/a")[0].headers
