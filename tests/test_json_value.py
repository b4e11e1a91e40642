"""The one Decimal → JSON converter (models.json_value) that the CLI, the report, the fact
contract and the Prefect artifacts all use."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from aidetl.localtime import local_iso
from aidetl.models import json_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("5E+8"), 500_000_000),
        (Decimal("500000000.0000"), 500_000_000),
        (Decimal("12.3"), 12.3),
        (None, None),
        ("超5亿元", "超5亿元"),
        (7, 7),
        (date(2020, 6, 1), "2020-06-01"),
        (datetime(2020, 6, 1, 8, 0, tzinfo=UTC), "2020-06-01T08:00:00+00:00"),
    ],
)
def test_json_value_makes_values_json_ready(value, expected):
    result = json_value(value)
    assert result == expected and type(result) is type(expected)
    json.dumps(result)


def test_a_whole_decimal_is_an_int_so_json_shows_no_exponent():
    assert json.dumps({"v": Decimal("5E+8")}, default=json_value) == '{"v": 500000000}'


def test_times_can_be_written_in_the_readers_zone():
    when = datetime(2020, 6, 1, 20, 0, tzinfo=UTC)
    assert json_value(when, local_iso) == local_iso(when)
    assert json_value(Decimal(3), local_iso) == 3
