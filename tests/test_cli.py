"""The command line: every command documents itself, and the simple ones work on files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from aidetl.cli import build_parser, format_table, main

COMMANDS = ["demo", "run", "extract", "parse", "sql", "report", "migrate", "export"]


def subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


def test_every_design_command_exists():
    assert set(COMMANDS) <= set(subcommands())


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_text(name, capsys):
    """A command without help text fails this test (as sqlite-utils' docs test does)."""
    sub = subcommands()[name]
    assert sub.description and len(sub.description) > 10, f"{name} has no description"
    for action in sub._actions:
        if action.dest != "help":
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
    with pytest.raises(SystemExit) as exit_:
        main([name, "--help"])
    assert exit_.value.code == 0
    assert "usage: aidetl " + name in capsys.readouterr().out


def test_extract_prints_json_lines_with_offsets(tmp_path):
    text = "该公司累计投入扶贫资金超5亿元，帮助8078户脱贫。"
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "aidetl.cli", "extract", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    facts = [json.loads(line) for line in out.splitlines()]
    assert facts, out
    for fact in facts:
        assert text[fact["start"] : fact["end"]] == fact["text"]
    assert any(f["value"] == 500_000_000 and f["unit"] == "CNY" for f in facts)


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2


def test_table_format_aligns_wide_characters():
    """CJK characters take two terminal columns, so the separators line up."""
    from aidetl.cli import display_width

    lines = format_table(["name", "n"], [("中国电信", 1), ("abc", 22)]).splitlines()
    assert len({display_width(line) for line in lines}) == 1
    assert lines[2].startswith("中国电信 | 1")


# -- bad input: one line on stderr, a documented exit code, never a traceback ------------

AIDETL = [sys.executable, "-m", "aidetl.cli"]


def run_cli(*args: str, env: dict | None = None, cwd=None, timeout: float = 300):
    return subprocess.run(
        [*AIDETL, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "AIDETL_LOCK_TIMEOUT": "1", **(env or {})},
        cwd=cwd,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Good and bad inputs, made once: a real warehouse, a corrupt one, a newer one, …"""
    from aidetl.warehouse import Warehouse
    from aidetl.warehouse.synthetic import synthetic_batch

    tmp = tmp_path_factory.mktemp("cli")
    good = tmp / "good.duckdb"
    Warehouse(good).load_batch(synthetic_batch("cli", 0, 2, 2))
    corrupt = tmp / "corrupt.duckdb"
    corrupt.write_bytes(b"this is not a database\n" * 1000)
    newer = tmp / "newer.duckdb"
    Warehouse(newer).migrate()
    import duckdb

    with duckdb.connect(str(newer)) as con:
        con.execute("INSERT INTO _migrations SELECT 999, 'from the future', now()")
    (tmp / "sources.toml").write_text('[[source]]\nname = "one"\nfeeds = ["http://a.test/rss"]\n')
    (tmp / "bad.toml").write_text("[[source]\nname=")
    (tmp / "typo.toml").write_text('[defaults]\nretrys = 2\n[[source]]\nname = "one"\n')
    (tmp / "gbk.txt").write_bytes("投入5亿元".encode("gbk"))
    (tmp / "text.txt").write_text("投入5亿元", encoding="utf-8")
    return tmp


# (what is wrong, arguments; {tmp} is the fixture folder) → exit code, words the line must hold
BAD_INPUTS = [
    ("no command", [], 2, "required"),
    ("unknown command", ["frobnicate"], 2, "invalid choice"),
    ("missing file", ["extract", "{tmp}/missing.txt"], 2, "missing.txt"),
    ("a folder, not a file", ["extract", "{tmp}"], 2, "Is a directory"),
    ("not UTF-8", ["extract", "{tmp}/gbk.txt"], 2, "UTF-8"),
    ("bad publication date", ["extract", "{tmp}/text.txt", "--published", "June"], 2, "June"),
    ("bad --since", ["run", "--plain", "--since", "garbage"], 2, "garbage"),
    ("bad --limit", ["run", "--plain", "--limit", "0"], 2, "--limit"),
    ("bad --delay", ["run", "--plain", "--delay", "soon"], 2, "--delay"),
    ("bad --url", ["run", "--plain", "--url", "ftp://x/y"], 2, "ftp"),
    (
        "unknown source",
        ["run", "--plain", "--sources", "{tmp}/sources.toml", "--source", "two"],
        2,
        "two",
    ),  # fmt: skip
    ("missing sources file", ["run", "--plain", "--sources", "{tmp}/none.toml"], 2, "none.toml"),
    ("sources not TOML", ["run", "--plain", "--sources", "{tmp}/bad.toml"], 2, "bad.toml"),
    ("unknown sources key", ["run", "--plain", "--sources", "{tmp}/typo.toml"], 2, "'retrys'"),
    ("bad SQL", ["sql", "SELEC 1", "--warehouse", "{tmp}/good.duckdb"], 2, "fix the SQL"),
    (
        "unknown table",
        ["sql", "SELECT * FROM nope", "--warehouse", "{tmp}/good.duckdb"],
        2,
        "nope",
    ),  # fmt: skip
    ("no warehouse yet", ["sql", "SELECT 1", "--warehouse", "{tmp}/none.duckdb"], 2, "migrate"),
    (
        "corrupt warehouse: sql",
        ["sql", "SELECT 1", "--warehouse", "{tmp}/corrupt.duckdb"],
        4,
        "corrupt.duckdb",
    ),  # fmt: skip
    (
        "corrupt warehouse: migrate",
        ["migrate", "--warehouse", "{tmp}/corrupt.duckdb"],
        4,
        "move it aside or restore a backup",
    ),  # fmt: skip
    (
        "corrupt warehouse: run",
        [
            "run",
            "--plain",
            "--url",
            "http://127.0.0.1:9/a.html",
            "--warehouse",
            "{tmp}/corrupt.duckdb",
        ],
        4,
        "corrupt.duckdb",
    ),  # fmt: skip
    (
        "corrupt warehouse: report",
        ["report", "--out", "{tmp}/r.html", "--warehouse", "{tmp}/corrupt.duckdb"],
        4,
        "corrupt.duckdb",
    ),  # fmt: skip
    (
        "newer warehouse: sql",
        ["sql", "SELECT 1", "--warehouse", "{tmp}/newer.duckdb"],
        4,
        "upgrade aidetl",
    ),  # fmt: skip
    (
        "newer warehouse: demo",
        ["demo", "--plain", "--warehouse", "{tmp}/newer.duckdb"],
        4,
        "upgrade aidetl",
    ),  # fmt: skip
    (
        "bad lock timeout",
        ["sql", "SELECT 1", "--warehouse", "{tmp}/good.duckdb"],
        2,
        "AIDETL_LOCK_TIMEOUT",
    ),  # fmt: skip
]


def bad_input_env(words: str) -> dict:
    return {"AIDETL_LOCK_TIMEOUT": "soon"} if words == "AIDETL_LOCK_TIMEOUT" else {}


@pytest.fixture(scope="module")
def bad_runs(files) -> dict:
    """Every BAD_INPUTS command run once, several at a time (each is a fresh process)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(case):
        name, args, _, words = case
        return name, run_cli(*[a.format(tmp=files) for a in args], env=bad_input_env(words),
                             cwd=files)  # fmt: skip

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(pool.map(one, BAD_INPUTS))


@pytest.mark.parametrize(("name", "code", "words"), [(c[0], c[2], c[3]) for c in BAD_INPUTS],
                         ids=[c[0] for c in BAD_INPUTS])  # fmt: skip
def test_bad_input_is_one_line_and_a_documented_exit_code(bad_runs, name, code, words):
    """The real CLI in a subprocess: one line on stderr naming the problem, no traceback."""
    done = bad_runs[name]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("aidetl") and "error:" in lines[0]
    assert words in lines[0], lines[0]
    assert done.returncode == code, (done.returncode, done.stderr)


def test_a_locked_warehouse_is_one_line_and_exit_4(files):
    """Another process holding the warehouse past AIDETL_LOCK_TIMEOUT: exit 4, what to do."""
    import fcntl

    from aidetl.warehouse._access import lock_path

    db = files / "good.duckdb"
    with open(lock_path(db), "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        done = run_cli("migrate", "--warehouse", str(db))
    assert done.returncode == 4, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "wait for the other process" in done.stderr


def test_exit_codes_are_documented_in_help():
    from aidetl.clierrors import EXIT_CODES_HELP

    for code in ("0", "1", "2", "3", "4"):
        assert f"{code} " in EXIT_CODES_HELP
    assert EXIT_CODES_HELP.split()[0] in build_parser().format_help()


def test_an_unexpected_error_is_one_line_with_the_way_to_the_traceback(monkeypatch, capsys):
    import aidetl.cli as cli

    def broken(args):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli, "cmd_migrate", broken)
    assert main(["migrate"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "boom second line" in err and "-v" in err


def test_verbose_after_the_command_shows_the_traceback(monkeypatch, capsys):
    """`-v` works after the command too, and then an unexpected error shows its traceback."""
    import aidetl.cli as cli

    def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "cmd_migrate", broken)
    monkeypatch.setattr(cli.logging, "basicConfig", lambda **kw: None)  # pytest owns logging
    handler = cli.logging.StreamHandler(sys.stderr)
    cli.log.addHandler(handler)
    try:
        assert main(["migrate", "-v"]) == 1
    finally:
        cli.log.removeHandler(handler)
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: boom" in err


# -- locations --------------------------------------------------------------------------


def test_location_flags_override_the_environment(tmp_path):
    """--warehouse beats AIDETL_WAREHOUSE; the variable stays the default when no flag is given."""
    flagged, env_default = tmp_path / "flag.duckdb", tmp_path / "env.duckdb"
    env = {"AIDETL_WAREHOUSE": str(env_default)}
    assert run_cli("migrate", "--warehouse", str(flagged), env=env).returncode == 0
    assert flagged.exists() and not env_default.exists()
    assert run_cli("migrate", env=env).returncode == 0
    assert env_default.exists()


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_takes_the_location_flags(name):
    options = {o for a in subcommands()[name]._actions for o in a.option_strings}
    assert {"--warehouse", "--sources", "--archive"} <= options


# -- extract --published / --organisation ----------------------------------------------


def extract_json(path, *flags: str) -> list[dict]:
    done = run_cli("extract", str(path), *flags)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_extract_takes_the_publication_date_in_beijing_and_the_organisation(tmp_path):
    """ "2018年以来" ends on the publication date, a Beijing date (midnight there is the day
    before in UTC); the organisation becomes the subject when the text names none."""
    path = tmp_path / "a.txt"
    path.write_text("2018年以来，公司累计投入扶贫资金超5亿元。", encoding="utf-8")
    (bare,) = extract_json(path)
    assert bare["period_end"] is None and bare["subject"] is None
    (fact,) = extract_json(path, "--published", "2020-06-01", "--organisation", "中国电信")
    assert (fact["period_start"], fact["period_end"]) == ("2018-01-01", "2020-06-01")
    assert fact["subject"] == "中国电信"


# -- the summary's notice about Prefect's temporary server ------------------------------


@pytest.mark.parametrize("configured", [False, True])
def test_temporary_server_notice_only_without_a_configured_server(configured, monkeypatch, capsys):
    """Without PREFECT_API_URL the run says once why its first seconds go to a temporary
    server; with it, Prefect uses that server and nothing is said."""
    import types

    import aidetl.cli as cli

    calls = []
    fake = types.ModuleType("aidetl_flows.ingest")
    fake.ingest = lambda **params: calls.append(params) or {"run_id": "r"}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "aidetl_flows.ingest", fake)
    for name in ("PREFECT_LOGGING_EXTRA_LOGGERS", "PREFECT_SERVER_ANALYTICS_ENABLED",
                 "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
                 "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)  # run_flow sets them: undone after the test
    if configured:
        monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    else:  # nor in the active profile (a test harness may have set one)
        monkeypatch.delenv("PREFECT_API_URL", raising=False)
        unset = types.SimpleNamespace(api=types.SimpleNamespace(url=None))
        monkeypatch.setattr("prefect.settings.get_current_settings", lambda: unset)
        assert cli.prefect_api_url() is None
    cli.run_flow(urls=["http://a.test/"])
    err = capsys.readouterr().err
    assert len(calls) == 1
    assert err.count("temporary") == (0 if configured else 1)
    if not configured:
        assert "--plain" in err and "PREFECT_API_URL" in err


# -- the demo, run twice as a user runs it -----------------------------------------------


def table_counts(warehouse) -> dict[str, int]:
    from aidetl.warehouse import Warehouse

    wh = Warehouse(warehouse)
    return {t: wh.query(f"SELECT count(*) FROM {t}")[1][0][0] for t in ("articles", "facts")}


@pytest.mark.slow
def test_demo_twice_in_two_processes_adds_nothing_the_second_time(tmp_path):
    """`aidetl demo` (Prefect, a new port each time) twice: the second run adds nothing."""
    env = {
        "AIDETL_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "AIDETL_ARCHIVE": str(tmp_path / "raw"),
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    first = run_cli("demo", "--report", "", env=env, cwd=tmp_path, timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    after_first = table_counts(tmp_path / "w.duckdb")
    second = run_cli("demo", "--report", "", env=env, cwd=tmp_path, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    assert table_counts(tmp_path / "w.duckdb") == after_first
    assert after_first["articles"] >= 14 and after_first["facts"] > 100
    assert "0 new articles, 0 new facts" in second.stdout
    assert "Traceback" not in first.stderr + second.stderr
    assert first.stderr.count("starts a temporary one") == 1


@pytest.mark.parametrize(
    ("argv", "runner"),
    [
        (["run", "--url", "http://a.test/1.html"], "thread"),
        (["run"], "process"),
        (["run", "--url", "http://a.test/1.html", "--task-runner", "process"], "process"),
        (["run", *[f"--url=http://a.test/{n}.html" for n in range(51)]], "process"),
        (["demo"], "process"),
    ],
)
def test_a_few_urls_run_in_the_flow_thread_unless_told(argv, runner):
    """An ad-hoc run of one batch of URLs starts no worker processes; more, or a choice, do."""
    from aidetl.cli import choose_runner

    assert choose_runner(build_parser().parse_args(argv)) == runner


def test_a_hint_does_not_repeat_what_the_message_says():
    from aidetl.clierrors import with_hint

    hint = "upgrade aidetl, or pass --warehouse FILE"
    assert with_hint("x: too new; upgrade aidetl", hint) == "x: too new; upgrade aidetl (or pass --warehouse FILE)"  # fmt: skip
    assert with_hint("x: too new", hint) == f"x: too new ({hint})"
    assert with_hint("x (check the path)", "check the path") == "x (check the path)"
