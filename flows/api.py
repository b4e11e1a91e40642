"""Which Prefect API a run in this process reports to (Prefect stays in flows/)."""

from __future__ import annotations


def configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment or the active profile; None when Prefect will
    start a temporary server for the run."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url
