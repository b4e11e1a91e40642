"""The plain-text run summary printed by `aidetl demo` and `aidetl run`."""

from __future__ import annotations

import json
from pathlib import Path

from aidetl.warehouse import Warehouse

ARTICLES_SQL = "SELECT count(*) FROM articles"
RUN_SQL = "SELECT status, counts FROM runs WHERE run_id = ?"
KINDS_SQL = "SELECT kind, count(*) FROM facts_dedup GROUP BY kind ORDER BY 2 DESC, 1"
LARGEST_MONEY_SQL = """
SELECT f.text, f.value, f.unit, a.title
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
    """What the warehouse holds after run `run_id`, in a few screenfuls of text."""
    wh = Warehouse(path)
    ((articles,),) = wh.query(ARTICLES_SQL)[1]
    status = wh.query(RUN_SQL, [run_id])[1]
    kinds = wh.query(KINDS_SQL)[1]
    money = wh.query(LARGEST_MONEY_SQL)[1]
    failures = wh.query(FAILURES_SQL, {"run": run_id})[1]
    lines = [
        f"warehouse {path}: {articles} articles",
        f"run {run_id}: {status[0][0] if status else '?'}",
    ]
    if status and status[0][1]:
        c = json.loads(status[0][1]) if isinstance(status[0][1], str) else status[0][1]
        lines.append(
            f"this run: {c.get('discovered', 0)} URLs discovered, {c.get('fetched', 0)} fetched, "
            f"{c.get('unchanged', 0)} unchanged, {c.get('new_articles', 0)} new articles, "
            f"{c.get('new_facts', 0)} new facts"
        )
    lines.append("facts by kind: " + ", ".join(f"{k} {n}" for k, n in kinds))
    lines.append("ten largest money facts:")
    lines += [f"  {float(v):>18,.0f} {u}  {text}  — {title}" for text, v, u, title in money]
    refused = [f for f in failures if f[1] == "DisallowedError"]
    failed = [f for f in failures if f[1] != "DisallowedError"]
    lines.append(f"failures this run: {len(failed)}")
    lines += [f"  {url}: {cls}: {msg}" for url, cls, msg in failed[:20]]
    lines.append(f"not requested (robots.txt or outside the allowed domains): {len(refused)}")
    lines += [f"  {url}" for url, _, _ in refused[:20]]
    if example_queries:
        lines.append("try:")
        lines += [f'  .venv/bin/aidetl sql "{q}"' for q in example_queries]
    return "\n".join(lines)
