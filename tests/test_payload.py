"""Payload against radius: calibration points reproduced, published pairs interpolated, monotone."""

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rangecalc import data
from rangecalc.errors import UsageError
from rangecalc.payload import (
    RESERVE_FRACTION,
    cruise_constant_m,
    log_mass_ratio,
    payload_for_radius,
    radius_at_payload,
    sortie_fuel_kg,
)

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


@given(p=st.floats(0, 24000), ref=st.floats(0, 24000))
@settings(max_examples=100, deadline=None)
def test_bands_stay_ordered_for_the_bundled_tu22m3(p, ref):
    low, nominal, high = radius_at_payload(data.load_catalog().airframe("tu22m3"), p, ref).radius_m
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


def test_unstated_reference_load_is_never_invented():
    # The Tu-22M3's published radius states no load: the model refuses unless a load is stated as an
    # assumption, and then reproduces the published band exactly at that load.
    airframe = data.load_catalog().airframe("tu22m3")
    with pytest.raises(UsageError, match="no source states the load"):
        radius_at_payload(airframe, 3000)
    stated = radius_at_payload(airframe, 8000, reference_payload_kg=8000)
    assert np.allclose(stated.radius_m, [1_500_000, 2_200_000, 2_400_000])
    assert any("ASSUMED, not published" in a for a in stated.assumptions)
    # a lighter load than the assumed one flies farther (capped at the highest published figure)
    assert radius_at_payload(airframe, 3000, reference_payload_kg=8000).radius_m[1] > 2_200_000


def test_payload_for_radius_inverts_the_model():
    airframe = data.load_catalog().airframe("tu22m3")
    ref = 8000
    for distance_km in (1900, 2100, 2250):
        p = payload_for_radius(airframe, distance_km * 1000, ref)
        assert p is not None
        assert radius_at_payload(airframe, p, ref).radius_m[1] >= distance_km * 1000 - 1
        if p < 24000:
            assert radius_at_payload(airframe, p + 20, ref).radius_m[1] < distance_km * 1000
    assert payload_for_radius(airframe, 5_000_000, ref) is None


def test_sortie_fuel_matches_the_radius_model():
    # At exactly the modelled radius the sortie burns all usable fuel (internal fuel less the reserve).
    airframe = data.load_catalog().airframe("tu22m3")
    result = radius_at_payload(airframe, 8000, 8000)
    k = cruise_constant_m(airframe, result)[1]
    burned = float(sortie_fuel_kg(airframe, 8000, result.radius_m[1] * (1 - 1e-9), k))
    assert burned == pytest.approx(50000 * (1 - RESERVE_FRACTION), rel=1e-6)
    assert float(sortie_fuel_kg(airframe, 8000, result.radius_m[1] * 1.01, k)) == math.inf
    assert float(sortie_fuel_kg(airframe, 8000, 1_000_000, k)) < burned


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
    assert max(radius_at_payload(airframe, p, 3000).radius_m) <= airframe.combat_radius.high * 1000 + 1e-6
