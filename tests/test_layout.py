"""The shape of the project: the README leads with two commands, nothing names a registry.
(Which module may import which is tests/test_import_graph.py.)"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^make \w+$", text, re.M)
    assert commands[:2] == ["make demo", "make test"]


def test_no_lock_file_naming_a_registry_is_committed():
    assert not (ROOT / "uv.lock").exists()
    for name in ("requirements.txt", "requirements-bench.txt"):
        assert "://" not in (ROOT / name).read_text(encoding="utf-8"), name


def test_make_demo_does_not_point_prefect_at_a_server(monkeypatch):
    """`make demo` must use Prefect's temporary server, not wait for one on port 4200."""
    import shutil
    import subprocess

    if shutil.which("make") is None:
        import pytest

        pytest.skip("make is not installed")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    probe = 'print-api: ; @echo "[$$PREFECT_API_URL]"'
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", str(ROOT), "--eval", probe, "print-api"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "[]"
