"""The aidetl command line: run the pipeline, look inside pages and text, query the warehouse."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from aidetl.config import load_settings
from aidetl.errors import AidetlError

EXAMPLE_QUERIES = (
    "SELECT kind, count(*) AS facts FROM current_facts GROUP BY kind ORDER BY facts DESC",
    "SELECT subject, year, unit, total, figures_summed FROM money_by_subject_year "
    "WHERE total IS NOT NULL ORDER BY total DESC LIMIT 10",
)


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the bundled newsroom, run the Prefect ingest flow on it, print a summary."""
    from aidetl.demo import demo_sources_toml, serve_newsroom
    from aidetl.summary import render_summary

    settings = load_settings()
    report = Path(args.report).resolve() if args.report else None
    with serve_newsroom() as served, tempfile.TemporaryDirectory() as tmp:
        sources_file = Path(tmp) / "sources.toml"
        sources_file.write_text(demo_sources_toml(served.base), encoding="utf-8")
        print(f"demo newsroom serving at {served.base}", flush=True)
        result = run_flow(
            sources_file=str(sources_file),
            plain=args.plain,
            task_runner=args.task_runner,
            dask_address=args.dask_address,
            report=str(report) if report else None,
        )
    print(render_summary(settings.warehouse, result["run_id"], EXAMPLE_QUERIES))
    if report:
        print(f"HTML report: {report}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the ingest flow now on configured sources or explicit URLs."""
    from aidetl.summary import render_summary

    result = run_flow(
        sources=args.source or None,
        urls=args.url or None,
        since=args.since,
        limit=args.limit,
        delay=args.delay,
        plain=args.plain,
        task_runner=args.task_runner,
        dask_address=args.dask_address,
        report=str(Path(args.report).resolve()) if args.report else None,
    )
    print(render_summary(load_settings().warehouse, result["run_id"], EXAMPLE_QUERIES))
    if args.report:
        print(f"HTML report: {Path(args.report).resolve()}")
    return 0 if not result.get("failed") or args.allow_failures else 3


def run_flow(
    plain: bool = False,
    task_runner: str = "process",
    dask_address: str | None = None,
    **params: Any,
) -> dict:
    """Run ingest through Prefect (flows.ingest), or in-process without it when `plain`."""
    if plain:
        from aidetl import pipeline

        settings = load_settings()
        sources = pipeline.resolve_sources(
            settings,
            params.get("sources"),
            params.get("urls"),
            params.get("sources_file"),
            params.get("delay"),
        )
        since = params.get("since")
        summary = pipeline.run_ingest(
            settings,
            sources,
            urls=params.get("urls"),
            since=datetime.fromisoformat(since) if since else None,
            limit=params.get("limit"),
            delay=params.get("delay"),
            params=params,
        )
        if params.get("report"):
            from aidetl.report import write_report

            write_report(settings.warehouse, Path(params["report"]))
        return summary.as_dict()
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "aidetl")
    # Prefect's own 20 s wait for its temporary local server is short on a busy 2-core machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # the temporary server's usage telemetry would call out to the internet on every run
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.ingest import ingest

    return ingest(**params, task_runner=task_runner, dask_address=dask_address)


def cmd_extract(args: argparse.Namespace) -> int:
    """Print the facts of a text file (or HTML page) as JSON lines."""
    from aidetl.extract import extract_facts

    raw = Path(args.file).read_bytes()
    published, organisation = None, None
    if args.html:
        from aidetl.parse import parse_html

        article = parse_html(raw, url=str(args.file))
        text, published = article.body, article.published_at
    else:
        text = raw.decode("utf-8-sig")
    for fact in extract_facts(text, published, organisation):
        print(json.dumps(fact.to_json(), ensure_ascii=False))
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    """Print each page's article as one JSON line."""
    from aidetl.parse import article_to_json, parse_html

    status = 0
    for name in args.files:
        try:
            article = parse_html(Path(name).read_bytes(), url=str(name))
            row = {"file": name, **article_to_json(article)}
        except (AidetlError, OSError) as exc:
            row, status = {"file": name, "error": f"{type(exc).__name__}: {exc}"}, 1
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return status


def cmd_sql(args: argparse.Namespace) -> int:
    """Query the warehouse read-only."""
    from aidetl.warehouse import Warehouse

    columns, rows = Warehouse(load_settings().warehouse).query(args.query)
    print_rows(columns, rows, args.format)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply pending warehouse migrations."""
    from aidetl.warehouse import Warehouse

    settings = load_settings()
    with Warehouse(settings.warehouse) as warehouse:
        applied = warehouse.migrate()
    print(f"{settings.warehouse}: " + (f"applied {applied}" if applied else "schema up to date"))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write articles and facts as Parquet, partitioned by year."""
    from aidetl.warehouse import Warehouse

    with Warehouse(load_settings().warehouse) as warehouse:
        warehouse.export(Path(args.dir))
    print(f"exported to {args.dir}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the self-contained HTML report."""
    from aidetl.report import write_report

    out = write_report(load_settings().warehouse, Path(args.out))
    print(f"HTML report: {out.resolve()}")
    return 0


def print_rows(columns: list[str], rows: list[tuple], fmt: str) -> None:
    if fmt == "json":
        for row in rows:
            print(
                json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=plain)
            )
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([[plain(v) for v in row] for row in rows])
    else:
        print(format_table(columns, rows))


def format_table(columns: list[str], rows: list[tuple]) -> str:
    cells = [[str(c) for c in columns]] + [
        ["" if v is None else str(plain(v)) for v in r] for r in rows
    ]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(columns))]
    lines = [" | ".join(pad(v, w) for v, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def add_task_runner(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--task-runner",
        choices=("process", "thread", "dask"),
        default="process",
        help="where parse and extract run: worker processes on this machine (one per spare "
        "core), the flow's own thread, or a Dask cluster (AIDETL_DASK_ADDRESS, else a local one)",
    )
    parser.add_argument(
        "--dask-address",
        metavar="ADDR",
        help="scheduler of the Dask cluster for --task-runner dask (e.g. tcp://host:8786)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aidetl",
        description="Turn news articles into a DuckDB warehouse of figures.",
        epilog="Environment: AIDETL_WAREHOUSE (default warehouse/aidetl.duckdb), "
        "AIDETL_ARCHIVE (default warehouse/raw/), AIDETL_SOURCES (default sources.toml).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help=cmd_demo.__doc__, description=cmd_demo.__doc__)
    p.add_argument("--plain", action="store_true", help="run the pipeline without Prefect")
    add_task_runner(p)
    p.add_argument(
        "--report",
        metavar="FILE",
        default="report.html",
        help="where to write the HTML report (default report.html; '' for none)",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("run", help=cmd_run.__doc__, description=cmd_run.__doc__)
    p.add_argument(
        "--source", action="append", metavar="NAME", help="a source from sources.toml (repeatable)"
    )
    p.add_argument(
        "--url", action="append", metavar="URL", help="fetch this article URL (repeatable)"
    )
    p.add_argument(
        "--since", metavar="DATE", help="only articles the source dates on or after DATE"
    )
    p.add_argument("--limit", type=int, metavar="N", help="at most N articles per source")
    p.add_argument(
        "--delay", type=float, metavar="SECONDS", help="minimum seconds between requests to a host"
    )
    p.add_argument("--plain", action="store_true", help="run the pipeline without Prefect")
    add_task_runner(p)
    p.add_argument("--report", metavar="FILE", help="also write the HTML report to FILE")
    p.add_argument("--allow-failures", action="store_true", help="exit 0 even when pages failed")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("extract", help=cmd_extract.__doc__, description=cmd_extract.__doc__)
    p.add_argument("file", help="a UTF-8 text file, or an HTML page with --html")
    p.add_argument(
        "--html", action="store_true", help="FILE is an HTML page: extract from its article body"
    )
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("parse", help=cmd_parse.__doc__, description=cmd_parse.__doc__)
    p.add_argument("files", nargs="+", metavar="FILE", help="saved HTML pages")
    p.add_argument(
        "--html", action="store_true", help="accepted for symmetry with extract: files are HTML"
    )
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("sql", help=cmd_sql.__doc__, description=cmd_sql.__doc__)
    p.add_argument("query", help="SQL to run against the warehouse (read-only)")
    p.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output format"
    )
    p.set_defaults(func=cmd_sql)

    p = sub.add_parser("report", help=cmd_report.__doc__, description=cmd_report.__doc__)
    p.add_argument(
        "--out", default="report.html", metavar="FILE", help="where to write (default report.html)"
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("migrate", help=cmd_migrate.__doc__, description=cmd_migrate.__doc__)
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("export", help=cmd_export.__doc__, description=cmd_export.__doc__)
    p.add_argument("dir", help="directory to write Parquet files into")
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except AidetlError as exc:
        print(f"aidetl: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
