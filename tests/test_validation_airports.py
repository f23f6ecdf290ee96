"""Bundled base positions against an independent offline source: the airportsdata package.

For every base whose ICAO code airportsdata knows, its coordinates (rounded as airportsdata publishes
them) must lie within the base's stated position uncertainty, with the exceptions the data files
document; and distances between such bases computed by rangecalc must match geographiclib on
airportsdata's coordinates within the two bases' uncertainties.
"""

import itertools

import pytest
from geographiclib.geodesic import Geodesic

from rangecalc import geodesy
from rangecalc.data import load_catalog

airportsdata = pytest.importorskip("airportsdata")
WGS84 = Geodesic.WGS84


@pytest.fixture(scope="module")
def matched():
    airports = airportsdata.load("ICAO")
    catalog = load_catalog()
    return [
        (b, airports[b.icao])
        for b in sorted(catalog.bases.values(), key=lambda b: b.id)
        if b.icao in airports
    ]


def test_enough_bases_are_checked(matched):
    assert len(matched) >= 15


def test_positions_agree_within_stated_uncertainty(matched):
    for base, airport in matched:
        offset = WGS84.Inverse(base.lat, base.lon, float(airport["lat"]), float(airport["lon"]))["s12"]
        assert offset <= base.position_uncertainty_m, (base.id, round(offset), base.position_uncertainty_m)


def test_distances_between_airports_match_an_independent_computation(matched):
    worst = 0.0
    for (a, pa), (b, pb) in itertools.combinations(matched, 2):
        ours = float(geodesy.distance(a.lon, a.lat, b.lon, b.lat))
        theirs = WGS84.Inverse(float(pa["lat"]), float(pa["lon"]), float(pb["lat"]), float(pb["lon"]))["s12"]
        allowed = a.position_uncertainty_m + b.position_uncertainty_m
        assert abs(ours - theirs) <= allowed, (a.id, b.id, ours, theirs)
        worst = max(worst, abs(ours - theirs))
    print(f"worst difference between airport distances: {worst:.0f} m")
