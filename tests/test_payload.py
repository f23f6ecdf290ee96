"""Payload against radius: calibration points reproduced, published pairs interpolated, monotone."""

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rangecalc import data
from rangecalc.errors import UsageError
from rangecalc.payload import RESERVE_FRACTION, log_mass_ratio, radius_at_payload

PAYLOAD_DATA = Path(__file__).parent / "data" / "payload"


@pytest.fixture(scope="module")
def catalog():
    return data.load_catalog(PAYLOAD_DATA)


def test_model_reproduces_its_calibration_point_exactly(catalog):
    result = radius_at_payload(catalog.airframe("modeljet"), 4000)
    assert result.method == "mass-ratio model"
    assert result.radius_m == pytest.approx((900_000, 1_000_000, 1_100_000), abs=1e-6)


def test_unladen_sortie_splits_the_log_mass_ratio_evenly():
    # With no payload, out and back burn the same log mass ratio: L(0) = ln(W0 / W2) / 2.
    mtow, empty, fuel = 40000.0, 20000.0, 15000.0
    w0, w2 = empty + fuel, empty + RESERVE_FRACTION * fuel
    assert float(log_mass_ratio(0.0, mtow, empty, fuel)) == pytest.approx(math.log(w0 / w2) / 2, rel=1e-12)


def test_fuel_is_cut_when_payload_would_exceed_mtow():
    # Empty 20 t + fuel 15 t leaves 5 t under a 40 t MTOW: beyond 5 t of payload the fuel shrinks, so the
    # log ratio falls faster than with full tanks.
    full = log_mass_ratio(np.array([5000.0, 7000.0]), 1e9, 20000.0, 15000.0)
    capped = log_mass_ratio(np.array([5000.0, 7000.0]), 40000.0, 20000.0, 15000.0)
    assert capped[0] == pytest.approx(full[0])
    assert capped[1] < full[1]


@given(a=st.floats(0, 8000), b=st.floats(0, 8000))
@settings(max_examples=200, deadline=None)
def test_radius_is_non_increasing_in_payload(catalog, a, b):
    lo, hi = sorted((a, b))
    # pairjet has no masses, so only its published span (2 to 8 t) can be evaluated.
    for airframe_id, (light, heavy) in (
        ("modeljet", (lo, hi)),
        ("pairjet", (2000 + lo * 0.75, 2000 + hi * 0.75)),
    ):
        airframe = catalog.airframe(airframe_id)
        r_light = radius_at_payload(airframe, light).radius_m
        r_heavy = radius_at_payload(airframe, heavy).radius_m
        assert all(h <= lo + 1e-6 for h, lo in zip(r_heavy, r_light, strict=True))


@given(p=st.floats(0, 24000))
@settings(max_examples=100, deadline=None)
def test_bands_stay_ordered_for_the_bundled_tu22m3(p):
    low, nominal, high = radius_at_payload(data.load_catalog().airframe("tu22m3"), p).radius_m
    assert 0 < low <= nominal <= high


@pytest.mark.parametrize(
    "payload, expected", [(2000, (1000, 1150, 1250)), (4000, (900, 1000, 1100)), (8000, (600, 700, 800))]
)
def test_interpolation_reproduces_each_published_pair(catalog, payload, expected):
    result = radius_at_payload(catalog.airframe("pairjet"), payload)
    assert result.method == "published"
    assert np.allclose(result.radius_m, np.array(expected) * 1000)


def test_interpolation_between_pairs_is_linear(catalog):
    result = radius_at_payload(catalog.airframe("pairjet"), 6000)
    assert result.method == "interpolated"
    assert np.allclose(result.radius_m, [750_000, 850_000, 950_000])


def test_unstated_reference_load_widens_the_band():
    # The Tu-22M3's published radius states no load: low is calibrated at no payload, high at the maximum.
    airframe = data.load_catalog().airframe("tu22m3")
    assert radius_at_payload(airframe, 0).radius_m[0] == pytest.approx(1_500_000)
    assert radius_at_payload(airframe, 24000).radius_m[2] == pytest.approx(2_400_000)
    mid = radius_at_payload(airframe, 12000)
    assert mid.radius_m[1] == pytest.approx(2_200_000)
    assert any("no source states the payload" in a for a in mid.assumptions)


def test_payload_above_the_maximum_names_the_maximum(catalog):
    with pytest.raises(UsageError, match="above the Model Jet's maximum payload of 8,000 kg"):
        radius_at_payload(catalog.airframe("modeljet"), 9000)


def test_missing_masses_are_named():
    airframe = data.load_catalog().airframe("su34")
    with pytest.raises(UsageError, match="missing empty_mass_kg, internal_fuel_kg"):
        radius_at_payload(airframe, 3000)


def test_outside_the_published_pairs_without_masses_is_an_error(catalog):
    with pytest.raises(UsageError, match="payload model needs"):
        radius_at_payload(catalog.airframe("pairjet"), 1000)


def test_negative_payload_is_refused(catalog):
    with pytest.raises(UsageError, match="non-negative"):
        radius_at_payload(catalog.airframe("modeljet"), -1)


@given(p=st.floats(0, 24000))
@settings(max_examples=50, deadline=None)
def test_modelled_radius_never_exceeds_the_highest_published_figure(p):
    airframe = data.load_catalog().airframe("tu22m3")
    assert max(radius_at_payload(airframe, p).radius_m) <= airframe.combat_radius.high * 1000 + 1e-6
