"""Peak memory of this process while an action runs (Linux /proc), for the hostile-input tests."""

from __future__ import annotations

import threading
from pathlib import Path


def peak_rss_growth_mb(action) -> tuple[float, object]:
    """How far peak RSS rose above the current RSS while `action` ran, and its result."""
    before = rss_kb("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    except OSError:
        peak, result = sampled_peak_kb(action, before)
        return (peak - before) / 1024, result
    result = action()
    return (rss_kb("VmHWM") - before) / 1024, result


def sampled_peak_kb(action, before: int) -> tuple[int, object]:
    """Where /proc/self/clear_refs cannot be written: sample VmRSS every 5 ms instead."""
    peak, done = [before], threading.Event()

    def sample() -> None:
        while not done.wait(0.005):
            peak[0] = max(peak[0], rss_kb("VmRSS"))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        result = action()
    finally:
        done.set()
        thread.join()
    return max(peak[0], rss_kb("VmRSS")), result


def rss_kb(name: str) -> int:
    """A memory field of /proc/self/status (VmRSS, VmHWM) in kB."""
    lines = [
        ln for ln in Path("/proc/self/status").read_text().splitlines() if ln.startswith(name + ":")
    ]
    assert lines, f"no {name} in /proc/self/status"
    return int(lines[0].split()[1])
