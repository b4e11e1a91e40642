"""Fixtures shared across test modules."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def harness():
    """One Prefect test harness (a temporary local API server) for every flow test."""
    import os

    from prefect.testing.utilities import prefect_test_harness

    # the server's usage telemetry would try to reach the internet: tests never do
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # as the CLI sets it: fetch threads log outside any task run, to the console only
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    with prefect_test_harness(server_startup_timeout=120):
        yield
