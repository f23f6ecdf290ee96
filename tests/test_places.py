"""Coordinate parsing (each accepted and rejected form) and name normalisation."""

import pytest
from geopy import Point
from hypothesis import given, settings
from hypothesis import strategies as st

from rangecalc.errors import RangecalcError, UsageError
from rangecalc.places import normalise_name, parse_coordinates

ACCEPTED = [
    ("35.21,48.65", (48.65, 35.21)),
    ("35.21, 48.65", (48.65, 35.21)),
    ("35.21 48.65", (48.65, 35.21)),
    ("-33.5;-70.6", (-70.6, -33.5)),
    ("35.21N 48.65E", (48.65, 35.21)),
    ("35.21N, 48.65E", (48.65, 35.21)),
    ("48.65E 35.21N", (48.65, 35.21)),
    ("35.21S 48.65W", (-48.65, -35.21)),
    ("N35.21 E48.65", (48.65, 35.21)),
    ("35°12'42\"N 48°39'12\"E", (48 + 39 / 60 + 12 / 3600, 35 + 12 / 60 + 42 / 3600)),
    ("35°12′42″N 48°39′12″E", (48 + 39 / 60 + 12 / 3600, 35 + 12 / 60 + 42 / 3600)),
    ("35 12 42 N 48 39 12 E", (48 + 39 / 60 + 12 / 3600, 35 + 12 / 60 + 42 / 3600)),
    ("43°47′15″N 44°36′11″E", (44 + 36 / 60 + 11 / 3600, 43 + 47 / 60 + 15 / 3600)),
    ("35°12.7'N 48°39.2'E", (48 + 39.2 / 60, 35 + 12.7 / 60)),
    ("90,180", (180.0, 90.0)),
    ("-90,-180", (-180.0, -90.0)),
    ("0,0", (0.0, 0.0)),
]


@pytest.mark.parametrize("text, expected", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_forms(text, expected):
    lon, lat = parse_coordinates(text)
    assert lon == pytest.approx(expected[0], abs=1e-12)
    assert lat == pytest.approx(expected[1], abs=1e-12)


@pytest.mark.parametrize(
    "text",
    ["35.21,48.65", "35.21N 48.65E", "35°12'42\"N 48°39'12\"E", "35.21S 48.65W", "-12.5, 130.25"],
)
def test_agrees_with_geopy_where_geopy_reads_it(text):
    point = Point(text)
    lon, lat = parse_coordinates(text)
    assert (lat, lon) == pytest.approx((point.latitude, point.longitude), abs=1e-12)


REJECTED = [
    ("", "empty coordinates"),
    ("   ", "empty coordinates"),
    ("35.21", "cannot read coordinates"),
    ("35.21,48.65,10", "cannot read coordinates"),
    ("abc,def", "cannot read coordinates"),
    ("95,10", "outside -90..90"),
    ("10,195", "longitude 195 .* outside -180..180"),
    ("48.65,135.21", None),  # valid: lat 48.65, lon 135.21
    ("35.21N 48.65N", "two latitudes or two longitudes"),
    ("35.21E 48.65E", "two latitudes or two longitudes"),
    ("35°75'00\"N 48°39'12\"E", "cannot read coordinates"),
    ("-35.21N 48.65E", "cannot read coordinates"),
    ("1e308,2", "cannot read coordinates"),
    ("nan,3", "cannot read coordinates"),
    ("9" * 120, "too long"),
]


@pytest.mark.parametrize("text, message", REJECTED, ids=[r[0][:20] or "blank" for r in REJECTED])
def test_rejected_forms_name_the_problem(text, message):
    if message is None:
        parse_coordinates(text)
        return
    with pytest.raises(UsageError, match=message):
        parse_coordinates(text)


def test_swapped_order_gets_a_hint():
    with pytest.raises(UsageError, match="is the order lon,lat"):
        parse_coordinates("135.2, 35.21")
    with pytest.raises(UsageError, match=r"outside -90..90$"):
        parse_coordinates("95, 100")  # no hint: 100 cannot be a latitude either


def test_error_lists_accepted_forms():
    with pytest.raises(UsageError, match=r"35\.21N 48\.65E"):
        parse_coordinates("somewhere")


@given(st.text(max_size=60))
@settings(max_examples=2000, deadline=None)
def test_fuzz_parser_raises_only_its_own_errors(text):
    try:
        lon, lat = parse_coordinates(text)
    except RangecalcError:
        return
    assert -180 <= lon <= 180 and -90 <= lat <= 90


@given(lat=st.floats(-90, 90), lon=st.floats(-180, 180))
@settings(max_examples=500, deadline=None)
def test_decimal_round_trip(lat, lon):
    got_lon, got_lat = parse_coordinates(f"{lat:.10f},{lon:.10f}")
    assert got_lat == pytest.approx(lat, abs=1e-9) and got_lon == pytest.approx(lon, abs=1e-9)


@pytest.mark.parametrize(
    "a, b",
    [("Deir ez-Zor", "deir-ez-zor"), ("DEIR EZ ZOR", "deirezzor"), ("Ḩamāh", "hamah"), ("Моздок", "моздок")],
)
def test_normalise_name_folds_case_accents_and_punctuation(a, b):
    assert normalise_name(a) == normalise_name(b)


# --- every documented form, in every hemisphere (regression: "33 56 24 S" was read as north) -----------


def _dms(value):
    """Whole degrees, minutes and seconds of |value| (seconds rounded to an integer)."""
    total = round(abs(value) * 3600)
    return total // 3600, (total // 60) % 60, total % 60


_DMS_FORMS = (
    "{d} {m} {s} {h}",
    "{d} {m} {s}{h}",
    "{d}°{m}'{s}\"{h}",
    "{d}° {m}' {s}\" {h}",
    "{d}°{m}′{s}″{h}",
    "{d}d{m}m{s}s{h}",
    "{d}d{m}m{s}s {h}",
    "{d}d{m}m{s}sec{h}",
    "{d}d{m}m{s}{h}",
)


@given(
    lat=st.integers(-89 * 3600, 89 * 3600).map(lambda s: s / 3600),
    lon=st.integers(-179 * 3600, 179 * 3600).map(lambda s: s / 3600),
    form=st.sampled_from(_DMS_FORMS),
    separator=st.sampled_from([" ", ", ", ",", "; "]),
    lon_first=st.booleans(),
)
def test_every_dms_form_round_trips_in_every_hemisphere(lat, lon, form, separator, lon_first):
    d, m, s = _dms(lat)
    lat_text = form.format(d=d, m=m, s=s, h="N" if lat >= 0 else "S")
    d, m, s = _dms(lon)
    lon_text = form.format(d=d, m=m, s=s, h="E" if lon >= 0 else "W")
    text = f"{lon_text}{separator}{lat_text}" if lon_first else f"{lat_text}{separator}{lon_text}"
    got_lon, got_lat = parse_coordinates(text)
    assert got_lat == pytest.approx(lat, abs=1e-9), text
    assert got_lon == pytest.approx(lon, abs=1e-9), text


@given(
    lat=st.floats(-90, 90, allow_nan=False).map(lambda v: round(v, 4)),
    lon=st.floats(-180, 180, allow_nan=False).map(lambda v: round(v, 4)),
    lower=st.booleans(),
)
def test_decimal_degrees_with_letters_round_trip_in_every_hemisphere(lat, lon, lower):
    text = f"{abs(lat)}{'N' if lat >= 0 else 'S'} {abs(lon)}{'E' if lon >= 0 else 'W'}"
    got_lon, got_lat = parse_coordinates(text.lower() if lower else text)
    assert (got_lat, got_lon) == pytest.approx((lat, lon), abs=1e-12), text
    assert parse_coordinates(f"{lat},{lon}") == pytest.approx((lon, lat), abs=1e-12)


# --- the online geocoding hook (no network: a local callable stands in for the geocoder) ---------------


def _hook_catalog():
    from rangecalc.data import load_catalog

    return load_catalog(None)


def test_no_geocoder_is_set_by_default_and_unknown_names_fail_offline():
    from rangecalc.errors import NotFoundError
    from rangecalc.places import current_geocoder, resolve_place

    assert current_geocoder() is None
    with pytest.raises(NotFoundError, match="unknown place 'Qwxzyville'"):
        resolve_place("Qwxzyville", _hook_catalog())


def test_geocoder_is_asked_last_and_only_inside_the_block():
    from rangecalc.errors import NotFoundError
    from rangecalc.places import Place, current_geocoder, geocoding, resolve_place

    asked = []

    def geocoder(text):
        asked.append(text)
        if text == "Qwxzyville":
            return Place(label="Qwxzyville", lon=1.5, lat=2.5, kind="geocoded", note="from a test geocoder")
        return None

    catalog = _hook_catalog()
    with geocoding(geocoder):
        assert current_geocoder() is geocoder
        place = resolve_place("  Qwxzyville ", catalog)
        assert (place.lon, place.lat, place.kind) == (1.5, 2.5, "geocoded")
        # Bundled names and coordinates never reach the geocoder.
        assert resolve_place("mozdok", catalog).kind == "base"
        assert resolve_place("35.21,48.65", catalog).kind == "coordinates"
        # None from the geocoder: the offline error, with suggestions.
        with pytest.raises(NotFoundError, match="unknown place 'Mozdokk'; did you mean"):
            resolve_place("Mozdokk", catalog)
        with geocoding(None), pytest.raises(NotFoundError):
            resolve_place("Qwxzyville", catalog)
        assert current_geocoder() is geocoder
    assert asked == ["Qwxzyville", "Mozdokk"]
    assert current_geocoder() is None
    with pytest.raises(NotFoundError):
        resolve_place("Qwxzyville", catalog)
