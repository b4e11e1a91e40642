"""Scale: peak memory and pages/s of the plain pipeline over 2,000 and 20,000 generated pages.

    .venv/bin/python -m bench scale

Each run is a fresh child process (`python -m bench.bench_scale --child …`) that runs
aidetl.sequencer.run_ingest over the generated site (bench/sitegen.py, served from a third
process), with politeness delay 0 and max_in_flight 4, into a fresh warehouse and
archive; the child reports its own peak RSS (VmHWM) so the server's memory never counts.
Bounded memory means the 20,000-page peak stays within 1.5x of the 2,000-page peak.

Pages, articles and facts live one batch (pipeline.BATCH_SIZE URLs) at a time; discovery
still returns each source's whole URL list (20,000 short strings here, a few MB), which is
the one thing that grows with the run. bench/bench_flow.py's newsroom (built whole in
memory, one flat sitemap) does not fit 20,000 pages behind a sitemap index, hence
bench/sitegen.py (pages rendered per request), which tests/test_scale.py also serves.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.sitegen import serve_site

SIZES = (2_000, 20_000)
TARGET_RATIO = 1.5
ROOT = Path(__file__).resolve().parents[1]


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_child(sitemap: str, work: Path, limit: int | None = None) -> dict:
    """Run the plain pipeline over the site at `sitemap`; return counts, time and peak RSS."""
    from aidetl.config import Settings
    from aidetl.models import Source
    from aidetl.sequencer import run_ingest

    settings = Settings(
        warehouse=work / "w.duckdb", archive=work / "raw", sources_file=work / "none.toml"
    )
    source = Source(
        name="generated", sitemaps=(sitemap,), allowed_domains=("127.0.0.1",),
        delay=0.0, max_in_flight=4, organisation="扶贫日报",
    )  # fmt: skip
    samples: list[float] = []
    started = time.perf_counter()
    summary = run_ingest(
        settings, [source], delay=0.0, limit=limit,
        on_batch=lambda s: samples.append(current_rss_mb()),
    )  # fmt: skip
    seconds = time.perf_counter() - started
    quarter = samples[len(samples) // 4] if samples else 0.0
    return {
        "pages": summary.fetched, "articles": summary.articles, "failed": summary.failed,
        "new_facts": summary.new_facts, "unchanged": summary.unchanged,
        "new_articles": summary.new_articles, "seconds": seconds, "peak_rss_mb": peak_rss_mb(),
        "rss_at_quarter_mb": quarter, "rss_at_end_mb": samples[-1] if samples else 0.0,
    }  # fmt: skip


def measure(pages: int) -> dict:
    """One child process over a fresh site of `pages` articles."""
    with serve_site(pages) as site, tempfile.TemporaryDirectory(prefix="aidetl-scale-") as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_scale", "--child", site.sitemap, tmp],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"scale child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    results = {}
    for pages in SIZES:
        result = measure(pages)
        results[pages] = result
        print(
            f"{pages:>6} pages: {result['articles']} articles, {result['new_facts']} facts, "
            f"{result['failed']} failed, {result['seconds']:.1f} s, "
            f"{result['pages'] / result['seconds']:.0f} pages/s, "
            f"peak RSS {result['peak_rss_mb']:.0f} MB "
            f"(RSS after a quarter {result['rss_at_quarter_mb']:.0f} MB, "
            f"at the end {result['rss_at_end_mb']:.0f} MB)",
            flush=True,
        )
    small, large = (results[n]["peak_rss_mb"] for n in SIZES)
    ratio = large / small
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(
        f"peak RSS {SIZES[1]} vs {SIZES[0]} pages: {ratio:.2f}x "
        f"({verdict} the {TARGET_RATIO}x target); "
        f"throughput ratio {results[SIZES[1]]['pages'] / results[SIZES[1]]['seconds'] / (results[SIZES[0]]['pages'] / results[SIZES[0]]['seconds']):.2f}x"
    )


def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", required=True, help="sitemap URL")
    parser.add_argument("work", type=Path)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    print(json.dumps(run_child(args.child, args.work, args.limit)), flush=True)


if __name__ == "__main__":
    child_main(sys.argv[1:])
