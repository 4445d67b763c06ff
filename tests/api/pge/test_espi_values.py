"""ESPI values in our units; the parser's readings are ordinary frozen dataclasses."""

from dataclasses import FrozenInstanceError, fields
from datetime import timedelta

import pytest

from custom_components.openpower.api.pge import IntervalReading, parse_espi

from .espi_samples import HEAD, block_entry, mini_feed, utc


def test_units_powers_of_ten_and_optional_fields() -> None:
    """p10 > 0, an unknown uom, negative values, gaps between readings, all optional fields."""
    head = HEAD.replace("<uom>72</uom>", "<uom>132</uom>").replace(
        "<powerOfTenMultiplier>-3", "<powerOfTenMultiplier>2"
    )
    readings = (
        "<IntervalReading><cost>-250000</cost><ReadingQuality><quality>8</quality>"
        "</ReadingQuality><timePeriod><duration>900</duration><start>1570086000</start>"
        "</timePeriod><value>-7</value><tou>3</tou></IntervalReading>"
        "<IntervalReading><timePeriod><duration>1800</duration><start>1570089600</start>"
        "</timePeriod><value>5</value></IntervalReading>"
    )
    (block,) = parse_espi(mini_feed(block_entry(readings), head=head)).blocks
    assert block.unit is None
    assert block.readings == (
        IntervalReading(utc(1570086000), timedelta(minutes=15), -700.0, -2.5, 8, 3),
        IntervalReading(
            utc(1570089600), timedelta(minutes=30), 500.0, None, None, None
        ),
    )


def test_parser_readings_are_ordinary_frozen_dataclasses() -> None:
    """The parser builds readings without __init__: they must be the same objects in every way."""
    assert [f.name for f in fields(IntervalReading)] == [
        "start",
        "duration",
        "value",
        "cost",
        "quality",
        "tou",
    ]
    (block,) = parse_espi(mini_feed()).blocks
    (reading,) = block.readings
    made = IntervalReading(utc(1570086000), timedelta(hours=1), 2.5, None, None, None)
    assert reading == made
    assert hash(reading) == hash(made)
    assert repr(reading) == repr(made)
    with pytest.raises(FrozenInstanceError):
        reading.value = 2.0  # type: ignore[misc]
