"""Figures and their context from article text.

extract_figures finds every figure (value, unit, kind, bound); extract_facts adds the
context fields of the fact contract (metric, subject, place, period).
"""

from __future__ import annotations

from datetime import datetime

from aidetl.extract.context import annotate
from aidetl.extract.figures import extract_figures
from aidetl.models import Fact

EXTRACTOR_VERSION = "0.4.0"

__all__ = ["EXTRACTOR_VERSION", "extract_facts", "extract_figures"]


def extract_facts(
    text: str, published_at: datetime | None = None, organisation: str | None = None
) -> list[Fact]:
    """Every figure in `text` as a Fact with its context, in text order."""
    figures = extract_figures(text)
    return annotate(text, figures, published_at, organisation, EXTRACTOR_VERSION)
