"""What the flows take from the library's worker pool (aidetl.workers) in the flow process.

A worker process imports only the library (aidetl.workers, the spawn start method): it never
imports prefect. The log records a batch produced in a worker travel back with its result,
and the waiting task re-emits them in the flow process (`replay`), inside its own task run, so
they reach Prefect like any other library log.
"""

from __future__ import annotations

from aidetl.workers import replay

__all__ = ["replay"]
