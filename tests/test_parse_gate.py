"""Accuracy gate: parse every page of shared/pages and hold the measured floors.

Scored like shared/tools/score_pages.py (character-bigram F1 against gold_text, title equal
without whitespace, date equal on its day). Floors are the numbers reached when pinned,
less a small margin; a change that loses accuracy fails here.

Leave-one-site-out: every page is also read with generic=True, without its site's profile
(selectors and the site's own furniture lines; every rule that names a site lives in its
profile). Profiles are chosen by host, so this equals scoring each site with only its own
profile held out. It measures the generic extractor as an unseen site meets it; the generic
rules themselves were still written with all of these pages in view.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aidetl.models import Article
from aidetl.parse import parse_html
from bench.bench_parse import day, f1, grams  # the scorer's measures, shared with the bench

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PAGES = SHARED / "pages"

HUMAN_F1_FLOOR = 0.966  # measured 0.971 on 38 pages
SILVER_F1_FLOOR = 0.927  # measured 0.933 on 101 pages
GENERIC_HUMAN_F1_FLOOR = 0.966  # leave-one-site-out, measured 0.971
GENERIC_SILVER_F1_FLOOR = 0.927  # leave-one-site-out, measured 0.933
PAGE_F1_FLOOR = 0.6  # no human-gold page below this
PAGE_F1_SHOWN = 0.8  # human-gold pages below this are printed with their F1
# Human gold that stops short of the article, with why; these pages are held to recall.
SHORT_GOLD = {
    "p032": "gold ends at the 展开全文 fold; the folded rest is the same article and is kept",
}
SHORT_GOLD_RECALL_FLOOR = 0.95
TITLES_FLOOR = 25  # of 26, measured 26 (the gold titles that kept a site suffix are corrected)
DATES_FLOOR = 48  # of 49, measured 49 (the gold dates the pages do not show are corrected)

pytestmark = pytest.mark.skipif(
    not PAGES.is_dir(), reason=f"{PAGES} is absent (CI places shared/ beside the clone)"
)


def parse_all(generic: bool) -> list[tuple[dict, Article]]:
    pages = [json.loads(line) for line in (PAGES / "pages.jsonl").open(encoding="utf-8")]
    out = []
    for page in pages:
        raw = (PAGES / page["html"]).read_bytes()
        url = f"http://{page['site']}/{page['id']}.html"
        out.append((page, parse_html(raw, url=url, generic=generic)))
    return out


@pytest.fixture(scope="module")
def results() -> list[tuple[dict, Article]]:
    return parse_all(generic=False)


@pytest.fixture(scope="module")
def generic_results() -> list[tuple[dict, Article]]:
    return parse_all(generic=True)


def mean_f1(results: list[tuple[dict, Article]], kind: str) -> float:
    scores = [f1(a.body, p["gold_text"]) for p, a in results if p["gold_kind"] == kind]
    assert scores
    return sum(scores) / len(scores)


def test_every_page_parses(results: list) -> None:
    """All 179 pages, labelled or not, give an article with a body (no exception, no None)."""
    assert len(results) == 179
    assert all(article.body for _, article in results)


@pytest.mark.parametrize(
    ("kind", "floor"), [("human", HUMAN_F1_FLOOR), ("silver", SILVER_F1_FLOOR)]
)
def test_body_f1_floor(results: list, kind: str, floor: float) -> None:
    """Mean body F1 on the pages of one gold kind stays at or above its pinned floor."""
    assert mean_f1(results, kind) >= floor


@pytest.mark.parametrize(
    ("kind", "floor"),
    [("human", GENERIC_HUMAN_F1_FLOOR), ("silver", GENERIC_SILVER_F1_FLOOR)],
)
def test_leave_one_site_out_f1_floor(
    results: list, generic_results: list, kind: str, floor: float, capsys: pytest.CaptureFixture
) -> None:
    """Read without site profiles, mean body F1 of one gold kind holds its own floor."""
    usual, generic = mean_f1(results, kind), mean_f1(generic_results, kind)
    with capsys.disabled():
        print(f"\n{kind} body F1 {usual:.3f}, leave-one-site-out {generic:.3f}")
        for site, (was, now) in sorted(site_changes(results, generic_results, kind).items()):
            print(f"  {site}: {was:.3f} with its profile, {now:.3f} without")
    assert generic >= floor


def site_changes(results: list, generic_results: list, kind: str) -> dict[str, tuple[float, float]]:
    """Mean F1 per site, with and without its profile, where the two differ by over 0.005."""
    pairs: dict[str, list[tuple[float, float]]] = {}
    for (page, usual), (_, generic) in zip(results, generic_results, strict=True):
        if page["gold_kind"] == kind:
            scores = (f1(usual.body, page["gold_text"]), f1(generic.body, page["gold_text"]))
            pairs.setdefault(page["site"], []).append(scores)
    means = {
        site: (sum(a for a, _ in rows) / len(rows), sum(b for _, b in rows) / len(rows))
        for site, rows in pairs.items()
    }
    return {site: m for site, m in means.items() if abs(m[0] - m[1]) > 0.005}


def test_no_human_page_below_floor(generic_results: list, capsys: pytest.CaptureFixture) -> None:
    """Every human-gold page scores F1 >= 0.6 without its profile (short gold: recall).

    Pages under PAGE_F1_SHOWN are printed, with the gold's note or SHORT_GOLD's reason.
    """
    low = []
    for page, article in generic_results:
        if page["gold_kind"] != "human":
            continue
        score = f1(article.body, page["gold_text"])
        if score < PAGE_F1_SHOWN:
            why = SHORT_GOLD.get(page["id"]) or page.get("gold_note") or ""
            with capsys.disabled():
                print(
                    f"\n  below {PAGE_F1_SHOWN}: {page['id']} ({page['site']}) F1 {score:.3f} {why}"
                )
        if page["id"] in SHORT_GOLD:
            got, gold = grams(article.body), grams(page["gold_text"])
            if sum((got & gold).values()) < SHORT_GOLD_RECALL_FLOOR * sum(gold.values()):
                low.append(page["id"])
        elif f1(article.body, page["gold_text"]) < PAGE_F1_FLOOR:
            low.append(page["id"])
    assert low == []


def test_every_page_is_typed_an_article(results: list) -> None:
    """The corpus holds articles and one forum thread: none is taken for a list or a non-article."""
    kinds = {a.page_type for _, a in results}
    assert kinds <= {"article", "forum"}
    assert sum(a.page_type == "forum" for _, a in results) == 1  # p030, a 2005 NetEase thread


def test_titles_floor(results: list) -> None:
    """The headline equals the gold title on at least the pinned number of titled pages."""
    titled = [(p, a) for p, a in results if p.get("gold_title")]
    right = sum(
        re.sub(r"\s", "", a.title or "") == re.sub(r"\s", "", p["gold_title"]) for p, a in titled
    )
    assert right >= TITLES_FLOOR


def test_dates_floor(results: list) -> None:
    """The publication day equals the gold day on at least the pinned number of dated pages."""
    dated = [(p, a) for p, a in results if day(p.get("gold_date"))]
    right = sum(
        day(a.published_at.isoformat() if a.published_at else None) == day(p["gold_date"])
        for p, a in dated
    )
    assert right >= DATES_FLOOR


def test_published_times_are_aware(results: list) -> None:
    """Every found publication time carries a timezone."""
    assert all(a.published_at.tzinfo is not None for _, a in results if a.published_at)
