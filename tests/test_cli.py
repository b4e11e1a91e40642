"""The command line: every command documents itself, and the simple ones work on files."""

from __future__ import annotations

import json
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
