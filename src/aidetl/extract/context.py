"""Context for figures: metric, subject, place and period from the words around them."""

from __future__ import annotations

from datetime import datetime

from aidetl.models import Fact, Figure


def annotate(
    text: str,
    figures: list[Figure],
    published_at: datetime | None,
    organisation: str | None,
    extractor_version: str,
) -> list[Fact]:
    """Turn figures into facts; context fields stay null until the text says them."""
    return [
        Fact(
            text=f.text, start=f.start, end=f.end, value=f.value, value_max=f.value_max,
            unit=f.unit, kind=f.kind, qualifier=f.qualifier, cumulative=f.cumulative,
            extractor_version=extractor_version,
        )
        for f in figures
    ]
