"""Find figures in Chinese text (first cut: Arabic digits with 万/亿 and 元/%)."""

from __future__ import annotations

import re
from decimal import Decimal

from aidetl.models import Figure

# 5600万元, 1.1亿元, 12.6%
SIMPLE_FIGURE = re.compile(r"(\d+(?:\.\d+)?)(万|亿)?(元|%)")
MAGNITUDES = {None: Decimal(1), "万": Decimal(10_000), "亿": Decimal(100_000_000)}


def extract_figures(text: str) -> list[Figure]:
    figures = []
    for m in SIMPLE_FIGURE.finditer(text):
        value = Decimal(m.group(1)) * MAGNITUDES[m.group(2)]
        money = m.group(3) == "元"
        figures.append(Figure(
            text=m.group(0), start=m.start(), end=m.end(), value=value,
            unit="CNY" if money else "percent", kind="money" if money else "percent",
        ))
    return figures
