"""The aidetl command line: run the pipeline, look inside pages and text, query the warehouse.

Where the warehouse, sources and archive are comes from --warehouse/--sources/--archive,
else from AIDETL_WAREHOUSE/AIDETL_SOURCES/AIDETL_ARCHIVE, else the defaults: the flags are
written into those variables (see `use_locations`), the one place every stage reads, so a
flow run, its worker processes and the summary all see the same files.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from aidetl.clierrors import EXIT_CODES_HELP, EXIT_OK, EXIT_PAGES_FAILED, EXIT_USAGE, report
from aidetl.config import load_settings
from aidetl.errors import AidetlError, ConfigError, WarehouseLocked
from aidetl.localtime import parse_input_time
from aidetl.models import json_value

log = logging.getLogger(__name__)

LOCATION_FLAGS = {  # flag → the environment variable it overrides
    "warehouse": "AIDETL_WAREHOUSE",
    "sources": "AIDETL_SOURCES",
    "archive": "AIDETL_ARCHIVE",
}
LOCK_TIMEOUT_ENV = "AIDETL_LOCK_TIMEOUT"  # how long sql/migrate/export wait for a busy file
DEFAULT_LOCK_SECONDS = 60.0
PRECHECK_LOCK_SECONDS = 2.0  # a busy warehouse is fine for a run (it stages): do not wait long
EPHEMERAL_NOTICE = (
    "aidetl: no Prefect server configured (no PREFECT_API_URL), so Prefect starts a "
    "temporary one for this run: that is most of the first 10-20 s. To skip it, add --plain "
    "(no Prefect), or start a server once (`make server`) and export "
    "PREFECT_API_URL=http://127.0.0.1:4200/api."
)

EXAMPLE_QUERIES = (
    "SELECT kind, count(*) AS facts FROM current_facts GROUP BY kind ORDER BY facts DESC",
    "SELECT subject, year, unit, total, figures_summed FROM money_by_subject_year "
    "WHERE total IS NOT NULL ORDER BY total DESC LIMIT 10",
)


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the bundled newsroom, run the Prefect ingest flow on it, print a summary."""
    from aidetl.demo import DEMO_ORIGIN, demo_sources_toml, proxy_environment, serve_newsroom
    from aidetl.summary import render_summary

    settings = load_settings()
    check_warehouse(settings.warehouse)
    out = Path(args.report).resolve() if args.report else None
    with (
        serve_newsroom(origin=DEMO_ORIGIN) as served,
        proxy_environment(served.address, direct=() if args.plain else prefect_hosts()),
        tempfile.TemporaryDirectory() as tmp,
    ):
        sources_file = Path(tmp) / "sources.toml"
        sources_file.write_text(demo_sources_toml(served.base), encoding="utf-8")
        print(f"demo newsroom {served.base} serving at {served.address}", flush=True)
        result = run_flow(
            sources_file=str(sources_file),
            plain=args.plain,
            task_runner=choose_runner(args),
            dask_address=args.dask_address,
            report=str(out) if out else None,
        )
    print(render_summary(settings.warehouse, result["run_id"], EXAMPLE_QUERIES))
    if out:
        print(f"HTML report: {out}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Run the ingest flow now on configured sources or explicit URLs."""
    from aidetl import pipeline
    from aidetl.summary import render_summary

    settings = load_settings()
    # everything a run would fail on at its start is checked before any server starts
    pipeline.resolve_sources(settings, args.source, args.url, None, args.delay)
    check_warehouse(settings.warehouse)
    result = run_flow(
        sources=args.source or None,
        urls=args.url or None,
        since=args.since,
        limit=args.limit,
        delay=args.delay,
        plain=args.plain,
        task_runner=choose_runner(args),
        dask_address=args.dask_address,
        report=str(Path(args.report).resolve()) if args.report else None,
    )
    print(render_summary(settings.warehouse, result["run_id"], EXAMPLE_QUERIES))
    if args.report:
        print(f"HTML report: {Path(args.report).resolve()}")
    return EXIT_OK if not result.get("failed") or args.allow_failures else EXIT_PAGES_FAILED


def cmd_backfill(args: argparse.Namespace) -> int:
    """Load pages from WARC files (paths or http(s) URLs) as if they had been crawled;
    resumes where an earlier backfill stopped, skips files already loaded."""
    from aidetl import backfill
    from aidetl.summary import render_summary

    settings = load_settings()
    warcs = backfill.check_readable(args.warcs)  # a missing or non-WARC file fails here
    check_warehouse(settings.warehouse)
    params = {"warcs": warcs, "domains": args.domain or None, "dask_address": args.dask_address}
    if args.plain:
        result = backfill.run_backfill(
            settings, warcs, domains=tuple(args.domain or ()), dask_address=args.dask_address,
            params={"backfill": True, **params},
        ).as_dict()  # fmt: skip
    else:
        if not prefect_api_url():
            print(EPHEMERAL_NOTICE, file=sys.stderr, flush=True)
        from aidetl_flows.api import run_backfill

        result = run_backfill(**params)
    print(render_summary(settings.warehouse, result["run_id"], EXAMPLE_QUERIES))
    for warc, problem in result.get("failures", []):
        if warc in warcs:
            print(f"aidetl: {warc}: {problem} (the records before it are loaded)", file=sys.stderr)
    return EXIT_OK if not result.get("failed") else EXIT_PAGES_FAILED


def check_warehouse(path: Path) -> None:
    """Fail now, not inside the flow, when the warehouse is corrupt or newer than us.

    Opening it for writing applies pending migrations, as the run's first write would. A
    warehouse busy with another writer is no error: the run stages its batches.
    """
    from aidetl.warehouse import Warehouse

    try:
        Warehouse(path, lock_timeout=PRECHECK_LOCK_SECONDS).migrate()
    except WarehouseLocked as exc:
        log.info("warehouse busy (%s): the run will stage batches the owner merges later", exc)


def prefect_defaults() -> None:
    """Our defaults for Prefect's settings; set before Prefect is imported, which reads them."""
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "aidetl")
    # Prefect's own 20 s wait for its temporary local server is short on a busy 2-core machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # the temporary server's usage telemetry would call out to the internet on every run
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # fetch threads log outside any task run: those lines go to the console, not the API
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")


def prefect_api_url() -> str | None:
    """The Prefect API runs report to, from the environment or the active Prefect profile;
    None when there is none and Prefect will start a temporary server."""
    prefect_defaults()
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    from aidetl_flows.api import configured_api_url

    return configured_api_url()


def prefect_hosts() -> tuple[str, ...]:
    """The host of a configured Prefect API: it must stay reachable without the demo proxy."""
    from urllib.parse import urlsplit

    host = urlsplit(prefect_api_url() or "").hostname
    return (host,) if host else ()


def run_flow(
    plain: bool = False,
    task_runner: str = "process",
    dask_address: str | None = None,
    **params: Any,
) -> dict:
    """Run ingest through Prefect (the flows' entry, aidetl_flows.api), or in-process
    without it when `plain`."""
    if plain:
        from aidetl import pipeline, sequencer

        settings = load_settings()
        sources = pipeline.resolve_sources(
            settings,
            params.get("sources"),
            params.get("urls"),
            params.get("sources_file"),
            params.get("delay"),
        )
        summary = sequencer.run_ingest(
            settings,
            sources,
            urls=params.get("urls"),
            since=parse_input_time(params.get("since")),
            limit=params.get("limit"),
            delay=params.get("delay"),
            params=params,
        )
        if params.get("report"):
            from aidetl.report import write_report

            write_report(settings.warehouse, Path(params["report"]))
        return summary.as_dict()
    if not prefect_api_url():
        print(EPHEMERAL_NOTICE, file=sys.stderr, flush=True)
    from aidetl_flows.api import run_ingest

    return run_ingest(**params, task_runner=task_runner, dask_address=dask_address)


def cmd_extract(args: argparse.Namespace) -> int:
    """Print the facts of a text file (or HTML page) as JSON lines."""
    from aidetl.extract import extract_facts

    raw = Path(args.file).read_bytes()
    published, organisation = None, args.organisation
    if args.html:
        from aidetl.parse import parse_html

        article = parse_html(raw, url=str(args.file))
        text, published = article.body, article.published_at
    else:
        text = raw.decode("utf-8-sig")
    if args.published is not None:
        published = args.published
    for fact in extract_facts(text, published, organisation):
        print(json.dumps(fact.to_json(), ensure_ascii=False))
    return EXIT_OK


def cmd_parse(args: argparse.Namespace) -> int:
    """Print each page's article as one JSON line."""
    from aidetl.parse import article_to_json, parse_html

    status = 0
    for name in args.files:
        try:
            article = parse_html(Path(name).read_bytes(), url=str(name))
            row = {"file": name, **article_to_json(article)}
        except (AidetlError, OSError) as exc:
            row, status = {"file": name, "error": f"{type(exc).__name__}: {exc}"}, EXIT_USAGE
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return status


def cmd_sql(args: argparse.Namespace) -> int:
    """Query the warehouse read-only."""
    columns, rows = open_warehouse().query(args.query)
    print_rows(columns, rows, args.format)
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply pending warehouse migrations."""
    with open_warehouse() as warehouse:
        applied = warehouse.migrate()
    print(f"{warehouse.path}: " + (f"applied {applied}" if applied else "schema up to date"))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write articles and facts as Parquet, partitioned by year."""
    with open_warehouse() as warehouse:
        warehouse.export(Path(args.dir))
    print(f"exported to {args.dir}")
    return EXIT_OK


def cmd_compact(args: argparse.Namespace) -> int:
    """Checkpoint the warehouse, refresh its statistics and, when asked, delete the facts
    of superseded article versions."""
    with open_warehouse() as warehouse:
        done = warehouse.compact(vacuum_superseded=args.vacuum_superseded)
    deleted = (
        f"deleted {done.deleted_facts} facts of superseded versions; "
        if args.vacuum_superseded
        else ""
    )
    print(
        f"{warehouse.path}: {deleted}checkpointed and analyzed; "
        f"{done.bytes_before / 2**20:.1f} MB -> {done.bytes_after / 2**20:.1f} MB"
    )
    return EXIT_OK


def open_warehouse() -> Any:
    """The configured warehouse, waiting AIDETL_LOCK_TIMEOUT seconds (default 60) for a busy file."""
    from aidetl.warehouse import Warehouse

    wait = os.environ.get(LOCK_TIMEOUT_ENV)
    try:
        timeout = float(wait) if wait else DEFAULT_LOCK_SECONDS
    except ValueError:
        raise ConfigError(f"{LOCK_TIMEOUT_ENV}={wait!r} is not a number of seconds") from None
    return Warehouse(load_settings().warehouse, lock_timeout=timeout)


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
                json.dumps(
                    dict(zip(columns, row, strict=True)), ensure_ascii=False, default=json_value
                )
            )
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([[json_value(v) for v in row] for row in rows])
    else:
        print(format_table(columns, rows))


def format_table(columns: list[str], rows: list[tuple]) -> str:
    cells = [[str(c) for c in columns]] + [
        ["" if v is None else str(json_value(v)) for v in r] for r in rows
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


def date_argument(text: str) -> datetime:
    """--since/--published: 2020-06-01 or 2020-06-01T08:00 (Beijing time unless a zone is given)."""
    try:
        when = parse_input_time(text)
        if when is None:
            raise ValueError(text)
        return when
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date: {text!r} (use YYYY-MM-DD, e.g. 2020-06-01)"
        ) from None


def since_argument(text: str) -> str:
    """--since keeps its text (the flow parameter is a string), once it is known to parse."""
    return date_argument(text).isoformat()


def url_argument(text: str) -> str:
    from aidetl.urls import check_url

    try:
        check_url(text, ())
    except AidetlError as exc:
        raise argparse.ArgumentTypeError(f"not a web address: {exc}") from None
    return text


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return value


class Parser(argparse.ArgumentParser):
    """argparse with a one-line usage error that says where help is."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def choose_runner(args: argparse.Namespace) -> str:
    """The --task-runner given; else "thread" for a run of explicit URLs that fit in one
    batch (starting worker processes would cost more than they save), else "process"."""
    from aidetl.pipeline import BATCH_SIZE

    if args.task_runner:
        return args.task_runner
    urls = getattr(args, "url", None) or []
    return "thread" if 0 < len(urls) <= BATCH_SIZE else "process"


def add_task_runner(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--task-runner",
        choices=("process", "thread", "dask"),
        help="where parse and extract run: worker processes on this machine (one per spare "
        "core; the default), the flow's own thread (the default for a few --url pages), or a "
        "Dask cluster (AIDETL_DASK_ADDRESS, else a local one)",
    )
    parser.add_argument(
        "--dask-address",
        metavar="ADDR",
        help="scheduler of the Dask cluster for --task-runner dask (e.g. tcp://host:8786)",
    )


def locations() -> Parser:
    """The flags every command takes: where the warehouse, sources file and archive are."""
    common = Parser(add_help=False)
    common.add_argument(  # also after the command; SUPPRESS keeps `aidetl -v run` working
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log progress to stderr",
    )
    group = common.add_argument_group("where things are")
    group.add_argument(
        "--warehouse",
        metavar="FILE",
        help="the DuckDB warehouse file (default $AIDETL_WAREHOUSE, else warehouse/aidetl.duckdb)",
    )
    group.add_argument(
        "--sources",
        metavar="FILE",
        help="the sources file (default $AIDETL_SOURCES, else sources.toml)",
    )
    group.add_argument(
        "--archive",
        metavar="DIR",
        help="the raw page archive (default $AIDETL_ARCHIVE, else warehouse/raw/)",
    )
    return common


def use_locations(args: argparse.Namespace) -> None:
    """Write the location flags given into the environment, where every stage reads them."""
    for flag, variable in LOCATION_FLAGS.items():
        value = getattr(args, flag, None)
        if value:
            os.environ[variable] = str(Path(value).expanduser().resolve())


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="aidetl",
        description="Turn news articles into a DuckDB warehouse of figures.",
        epilog="Environment: AIDETL_WAREHOUSE (default warehouse/aidetl.duckdb), "
        "AIDETL_ARCHIVE (default warehouse/raw/), AIDETL_SOURCES (default sources.toml); "
        "every command's --warehouse/--archive/--sources override them; AIDETL_LOCK_TIMEOUT "
        "(seconds, default 60): how long sql, migrate and export wait for a busy warehouse. "
        + EXIT_CODES_HELP,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = [locations()]

    def command(name: str, func: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=func.__doc__,
            description=func.__doc__,
            parents=common,
            epilog=EXIT_CODES_HELP,
        )
        p.set_defaults(func=func)
        return p

    p = command("demo", cmd_demo)
    p.add_argument("--plain", action="store_true", help="run the pipeline without Prefect")
    add_task_runner(p)
    p.add_argument(
        "--report",
        metavar="FILE",
        default="report.html",
        help="where to write the HTML report (default report.html; '' for none)",
    )

    p = command("run", cmd_run)
    p.add_argument(
        "--source", action="append", metavar="NAME", help="a source from sources.toml (repeatable)"
    )
    p.add_argument(
        "--url",
        action="append",
        type=url_argument,
        metavar="URL",
        help="fetch this article URL (repeatable)",
    )
    p.add_argument(
        "--since",
        type=since_argument,
        metavar="DATE",
        help="only articles the source dates on or after DATE (YYYY-MM-DD, Beijing time)",
    )
    p.add_argument("--limit", type=positive_int, metavar="N", help="at most N articles per source")
    p.add_argument(
        "--delay",
        type=seconds,
        metavar="SECONDS",
        help="minimum seconds between requests to a host",
    )
    p.add_argument("--plain", action="store_true", help="run the pipeline without Prefect")
    add_task_runner(p)
    p.add_argument("--report", metavar="FILE", help="also write the HTML report to FILE")
    p.add_argument("--allow-failures", action="store_true", help="exit 0 even when pages failed")

    p = command("backfill", cmd_backfill)
    p.add_argument("warcs", nargs="+", metavar="WARC_OR_URL", help="WARC or WARC.gz files")
    p.add_argument(
        "--domain",
        action="append",
        metavar="D",
        help="keep pages on this host and its subdomains (repeatable; default: the sources' "
        "allowed_domains)",
    )
    p.add_argument(
        "--dask-address",
        metavar="ADDR",
        help="spread the files over this Dask scheduler (e.g. tcp://host:8786)",
    )
    p.add_argument("--plain", action="store_true", help="run without Prefect")

    p = command("extract", cmd_extract)
    p.add_argument("file", help="a UTF-8 text file, or an HTML page with --html")
    p.add_argument(
        "--html", action="store_true", help="FILE is an HTML page: extract from its article body"
    )
    p.add_argument(
        "--published",
        type=date_argument,
        metavar="DATE",
        help="the publication date (YYYY-MM-DD, Beijing time): the end of periods such as "
        "2018年以来 (with --html, it replaces the page's own date)",
    )
    p.add_argument(
        "--organisation",
        metavar="ORG",
        help="the article's main organisation: the subject of figures whose text names none",
    )

    p = command("parse", cmd_parse)
    p.add_argument("files", nargs="+", metavar="FILE", help="saved HTML pages")
    p.add_argument(
        "--html", action="store_true", help="accepted for symmetry with extract: files are HTML"
    )

    p = command("sql", cmd_sql)
    p.add_argument("query", help="SQL to run against the warehouse (read-only)")
    p.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output format"
    )

    p = command("report", cmd_report)
    p.add_argument(
        "--out", default="report.html", metavar="FILE", help="where to write (default report.html)"
    )

    command("migrate", cmd_migrate)

    p = command("compact", cmd_compact)
    p.add_argument(
        "--vacuum-superseded",
        action="store_true",
        help="delete the facts of article versions no article points at any more",
    )

    p = command("export", cmd_export)
    p.add_argument("dir", help="directory to write Parquet files into")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        use_locations(args)
        return int(args.func(args) or 0)
    except BrokenPipeError:
        return EXIT_OK
    except (Exception, KeyboardInterrupt) as exc:
        if args.verbose:
            log.exception("aidetl %s failed", args.command)
        return report(exc)


if __name__ == "__main__":
    sys.exit(main())
