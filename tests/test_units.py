"""Unit conversions at the edges: round trips and parsing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rangecalc.errors import UsageError
from rangecalc.units import DISTANCE_UNITS, MASS_UNITS, metres_to, parse_quantity, to_metres


@given(value=st.floats(0, 1e9), unit=st.sampled_from(sorted(DISTANCE_UNITS)))
def test_distance_round_trip(value, unit):
    assert to_metres(metres_to(value, unit), unit) == pytest.approx(value, rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("unit, metres", [("km", 1000), ("nm", 1852), ("mi", 1609.344), ("m", 1)])
def test_distance_units_are_the_international_definitions(unit, metres):
    assert to_metres(1, unit) == metres


@given(value=st.integers(0, 10**6), unit=st.sampled_from(sorted(MASS_UNITS)))
def test_mass_text_round_trip(value, unit):
    assert parse_quantity(f"{value}{unit}", MASS_UNITS, None, "--payload") == pytest.approx(
        value * MASS_UNITS[unit]
    )


def test_unknown_distance_unit():
    with pytest.raises(UsageError, match="accepted: km, nm, mi, m"):
        metres_to(1.0, "furlong")
