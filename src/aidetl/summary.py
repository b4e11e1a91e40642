"""The plain-text run summary printed by `aidetl demo` and `aidetl run`.

Two parts, each saying what it counts: what this run did (from its row in `runs` and its
fetch attempts), then what the whole warehouse holds after it. Times are the articles' own
(Beijing) time, and the commands to try are absolute paths, so they work from any folder.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aidetl.errors import DisallowedError, recorded_as
from aidetl.localtime import local_text
from aidetl.warehouse import Warehouse

UNTITLED = "(untitled)"
TOTALS_SQL = """
SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM facts),
       (SELECT count(*) FROM facts_dedup)
"""
RUN_SQL = "SELECT status, counts FROM runs WHERE run_id = ?"
KINDS_SQL = "SELECT kind, count(*) FROM facts_dedup GROUP BY kind ORDER BY 2 DESC, 1"
LARGEST_MONEY_SQL = """
SELECT f.text, f.value, f.unit, a.title, a.published_at
FROM facts_dedup f JOIN articles a USING (article_id)
WHERE f.kind = 'money' ORDER BY f.value DESC, f.fact_id LIMIT 10
"""
# Only each URL's last attempt of the run: a 503 that a retry got past is not a failure.
FAILURES_SQL = """
SELECT url, error_class, error_message FROM fetches f
WHERE run_id = $run AND error_class IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM fetches g WHERE g.run_id = $run AND g.url = f.url AND g.attempt > f.attempt)
ORDER BY url
"""


def render_summary(path: Path, run_id: str, example_queries: tuple[str, ...] = ()) -> str:
    """What run `run_id` did, then what the warehouse at `path` holds, as plain text."""
    wh = Warehouse(path)
    status = wh.query(RUN_SQL, [run_id])[1]
    failures = wh.query(FAILURES_SQL, {"run": run_id})[1]
    ((articles, facts, dedup),) = wh.query(TOTALS_SQL)[1]
    lines = [f"this run ({run_id}): {status[0][0] if status else 'not recorded'}"]
    if status and status[0][1]:
        lines += run_lines(status[0][1])
    refused = [f for f in failures if recorded_as(f[1], DisallowedError)]
    failed = [f for f in failures if not recorded_as(f[1], DisallowedError)]
    lines.append(f"  failures this run: {len(failed)}")
    lines += [f"    {url}: {cls}: {msg}" for url, cls, msg in failed[:20]]
    lines.append(f"  not requested (robots.txt or outside the allowed domains): {len(refused)}")
    lines += [f"    {url}" for url, _, _ in refused[:20]]
    lines.append(f"the warehouse {Path(path).resolve()} now holds:")
    lines.append(
        f"  {articles} articles, {facts} facts ({dedup} of current versions, reposts once)"
    )
    kinds = wh.query(KINDS_SQL)[1]
    by_kind = ", ".join(f"{k} {n}" for k, n in kinds) or "none"
    lines.append(f"  current facts by kind (reposts once): {by_kind}")
    lines += largest_money_lines(wh.query(LARGEST_MONEY_SQL)[1])
    if example_queries:
        lines.append("try:")
        lines += [f'  {command_path()} sql "{q}"' for q in example_queries]
    return "\n".join(lines)


def run_lines(counts: str | dict) -> list[str]:
    """This run's counts from its `runs.counts` JSON."""
    c = json.loads(counts) if isinstance(counts, str) else counts
    by_kind = c.get("facts_by_kind") or {}
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items(), key=lambda kv: -kv[1]))
    return [
        f"  {c.get('discovered', 0)} URLs discovered, {c.get('fetched', 0)} fetched, "
        f"{c.get('unchanged', 0)} unchanged",
        f"  {c.get('new_articles', 0)} new articles, {c.get('new_facts', 0)} new facts"
        + (f" ({kinds})" if kinds else ""),
    ]


def largest_money_lines(rows: list[tuple]) -> list[str]:
    if not rows:
        return []
    lines = ["  ten largest money facts (publication time in Beijing):"]
    for text, value, unit, title, published in rows:
        lines.append(
            f"  {float(value):>18,.0f} {unit}  {text}  — {title or UNTITLED}, "
            f"{local_text(published)}"
        )
    return lines


def command_path() -> str:
    """This aidetl as a command that works from any folder (the venv's script, absolute)."""
    script = Path(sys.executable).parent / "aidetl"
    if script.exists():
        return str(script)
    return f"{sys.executable} -m aidetl.cli"
