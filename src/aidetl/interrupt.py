"""A run that is killed says so: SIGTERM becomes KeyboardInterrupt, like Ctrl-C.

    with sigterm_interrupts():
        ...  # `kill PID` raises KeyboardInterrupt here; the run records "interrupted"

Python turns Ctrl-C (SIGINT) into KeyboardInterrupt by itself; SIGTERM, what `kill` and
process supervisors send, would end the process without running any `finally`. Signals can
only be handled in the main thread: elsewhere the block changes nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


def raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signal.Signals(signum).name}")


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
