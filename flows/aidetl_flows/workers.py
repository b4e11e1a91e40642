"""What a worker process runs for the `process` task runner: parse + extract, with its log records.

This module must not import prefect: every worker process imports it (spawn start method),
and a worker only needs the library. The log records a batch produced in the worker travel
back with its result (pipeline.process_logged, the plain run's worker function too), and the
waiting task re-emits them in the flow process (pipeline.replay), inside its own task run, so
they reach Prefect like any other library log.
"""

from __future__ import annotations

import logging

from aidetl import pipeline

process_with_logs = pipeline.process_logged
replay = pipeline.replay


def start_worker() -> None:
    """Process initializer: import the stages now, so the first batch does not pay for it."""
    from aidetl.extract import extract_facts

    logging.getLogger(pipeline.LIBRARY_LOGGER).setLevel(logging.INFO)
    extract_facts("2020年投入资金5亿元。")
