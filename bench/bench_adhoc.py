"""A one-page ad-hoc run, as a person types it: `aidetl run --url URL`, start to finish.

Three ways, each a fresh `aidetl` process into a fresh warehouse, ROUNDS times in turn:
- plain: `aidetl run --plain` (no Prefect);
- temporary server: `aidetl run` with no PREFECT_API_URL, so Prefect starts and stops a
  temporary local server inside the run (what a newcomer gets);
- configured server: `aidetl run` with PREFECT_API_URL naming a `prefect server start`
  started once before the rounds (what `make server` + `export PREFECT_API_URL` gives).
The page is one article of the demo newsroom, served on 127.0.0.1. Wall seconds of the whole
command are printed for each; the configured server's own start-up is printed apart.

    .venv/bin/python -m bench adhoc          # or: make bench
    BENCH_ADHOC_ROUNDS=1 .venv/bin/python -m bench adhoc
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

from aidetl.demo import serve_newsroom

ROUNDS = int(os.environ.get("BENCH_ADHOC_ROUNDS", "2"))
ARTICLE = "articles/2020/0227-telecom-liangshan.html"
BIN = Path(sys.executable).parent
SERVER_START_TIMEOUT = 180


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quiet_env(tmp: Path, api_url: str | None) -> dict[str, str]:
    """The caller's environment without Prefect settings, plus a private PREFECT_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def timed_run(url: str, tmp: Path, env: dict[str, str], plain: bool) -> float:
    """Seconds for one `aidetl run --url URL` into a fresh warehouse."""
    warehouse = Path(tempfile.mkdtemp(dir=tmp)) / "w.duckdb"
    args = [str(BIN / "aidetl"), "run", "--url", url, "--warehouse", str(warehouse)]
    args += ["--archive", str(warehouse.parent / "raw")]
    started = time.perf_counter()
    done = subprocess.run(
        args + (["--plain"] if plain else []), env=env, capture_output=True, text=True
    )
    took = time.perf_counter() - started
    if done.returncode != 0 or "1 new articles" not in done.stdout:
        raise RuntimeError(f"run failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-2000:]}")
    return took


def start_server(tmp: Path) -> tuple[subprocess.Popen, str, float]:
    """`prefect server start` on a free loopback port; its API URL and start-up seconds."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = quiet_env(tmp, None) | {"PREFECT_UI_ENABLED": "false"}
    log = (tmp / "server.log").open("wb")
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    while time.perf_counter() - started < SERVER_START_TIMEOUT:
        if server.poll() is not None:
            raise RuntimeError(f"prefect server exited: see {tmp / 'server.log'}")
        try:
            with urlopen(f"{api}/health", timeout=2) as answer:
                if answer.status == 200:
                    return server, api, time.perf_counter() - started
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise RuntimeError("prefect server did not become healthy in time")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def main() -> None:
    with tempfile.TemporaryDirectory() as name, serve_newsroom() as served:
        tmp = Path(name)
        url = served.url(ARTICLE)
        server, api, startup = start_server(tmp)
        print(f"configured Prefect server started in {startup:.1f} s (once, before the rounds)")
        times: dict[str, list[float]] = {"plain": [], "temporary server": [], "configured": []}
        try:
            for _ in range(ROUNDS):
                times["plain"].append(timed_run(url, tmp, quiet_env(tmp, None), plain=True))
                times["temporary server"].append(
                    timed_run(url, tmp, quiet_env(tmp, None), plain=False)
                )
                times["configured"].append(timed_run(url, tmp, quiet_env(tmp, api), plain=False))
        finally:
            stop_server(server)
    plain = statistics.median(times["plain"])
    for how, seconds in times.items():
        median = statistics.median(seconds)
        rounds = ", ".join(f"{s:.1f}" for s in seconds)
        print(f"{how:>17}: {median:5.1f} s median ({rounds}); {median / plain:4.1f}× plain")
