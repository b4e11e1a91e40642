"""What a worker process runs for the `process` task runner: parse + extract, with its log records.

This module must not import prefect: every worker process imports it (spawn start method),
and a worker only needs the library. The log records a batch produced in the worker travel
back with its result, and the waiting task re-emits them in the flow process, inside its own
task run, so they reach Prefect like any other library log.
"""

from __future__ import annotations

import logging

from aidetl import pipeline

LIBRARY_LOGGER = "aidetl"


class Collect(logging.Handler):
    """Keeps the records of one batch, made picklable (message formatted, traceback as text)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)


def start_worker() -> None:
    """Process initializer: import the stages now, so the first batch does not pay for it."""
    from aidetl.extract import extract_facts

    logging.getLogger(LIBRARY_LOGGER).setLevel(logging.INFO)
    extract_facts("2020年投入资金5亿元。")


def process_with_logs(
    fetched: pipeline.FetchedBatch,
) -> tuple[pipeline.ProcessedBatch, list[logging.LogRecord]]:
    """pipeline.process_batch, and the library's log records it produced."""
    handler = Collect()
    logger = logging.getLogger(LIBRARY_LOGGER)
    logger.addHandler(handler)
    try:
        return pipeline.process_batch(fetched), handler.records
    finally:
        logger.removeHandler(handler)


def replay(records: list[logging.LogRecord]) -> None:
    """Hand a worker's records to this process's loggers (and so to Prefect's handlers)."""
    for record in records:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
