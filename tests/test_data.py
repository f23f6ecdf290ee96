"""Data files: the bundled data validates and is sourced; each class of broken file gives an error that
names the file and the key; user data directories override bundled entries."""

import shutil
from pathlib import Path

import pytest

from rangecalc import data
from rangecalc.errors import DataError, NotFoundError, UsageError

HERE = Path(__file__).parent
GOOD = HERE / "data" / "good"
BROKEN = HERE / "data" / "broken"

AIRFRAME_ERRORS = {
    "syntax_error": "TOML syntax error",
    "missing_key": r"name: missing",
    "wrong_type": r"figures.combat_radius_km.low: expected a number, got str",
    "low_above_high": r"figures.combat_radius_km: needs low <= nominal <= high",
    "negative": r"figures.combat_radius_km.low: must be >= 10",
    "nan": r"figures.combat_radius_km.low: must be a finite number",
    "infinite": r"figures.combat_radius_km.high: must be a finite number",
    "huge": r"figures.combat_radius_km.high: must be <= 17000",
    "unknown_unit": r"figures.cruise_speed_knots: unknown figure or unit; accepted: combat_radius_km",
    "no_source": r"figures.combat_radius_km.sources: at least one source id is required",
    "missing_source_id": r"figures.combat_radius_km.sources\[0\]: unknown source id 'handbok'; did you mean 'handbook'",
    "bad_grade": r"sources.handbook.reliability: 'excellent' is not a grade; accepted: A, B, C, D",
    "no_combat_radius": r"figures.combat_radius_km: missing",
    "refuelling_not_bool": r"refuelling.in_flight: expected true or false, got str",
    "not_utf8": r"not UTF-8 text",
    "deeply_nested": r"(nested too deeply|TOML syntax error)",
}


@pytest.mark.parametrize("case, message", AIRFRAME_ERRORS.items(), ids=list(AIRFRAME_ERRORS))
def test_broken_airframe_file_names_file_and_key(case, message):
    path = BROKEN / "airframes" / f"{case}.toml"
    with pytest.raises(DataError, match=message) as info:
        data.parse_airframe(path)
    text = str(info.value)
    assert text.startswith(str(path))
    assert "\n" not in text


BASE_ERRORS = {
    "lat_out_of_range": r"bases\[0\].lat: 95 is outside -90..90",
    "lon_out_of_range": r"bases\[0\].lon: 200 is outside -180..180",
    "bad_country": r"bases\[0\].country: 'Russia' is not an ISO 3166-1 alpha-3 code",
    "no_sources": r"bases\[0\].sources: at least one source is required",
    "bad_icao": r"bases\[0\].icao: 'ZZ' is not a four-letter ICAO code",
    "unknown_key": r"bases\[0\].latitude: unknown key",
}


@pytest.mark.parametrize("case, message", BASE_ERRORS.items(), ids=list(BASE_ERRORS))
def test_broken_bases_file_names_file_and_key(case, message):
    path = BROKEN / "bases" / f"{case}.toml"
    with pytest.raises(DataError, match=message) as info:
        data.parse_bases(path)
    assert str(info.value).startswith(str(path))


def test_duplicate_ids_in_one_folder_are_an_error(tmp_path):
    (tmp_path / "bases").mkdir()
    shutil.copy(BROKEN / "bases" / "duplicate_id.toml", tmp_path / "bases" / "dup.toml")
    with pytest.raises(DataError, match=r"dup.toml: bases\[1\].id: duplicate id 'null-island'"):
        data.load_catalog(tmp_path).validate()


def test_oversized_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.toml"
    with path.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)
    with pytest.raises(DataError, match=r"big.toml: larger than 5 MiB"):
        data.parse_airframe(path)


def test_missing_data_dir_is_an_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        data.load_catalog(tmp_path / "nope")


def test_user_data_dir_adds_and_overrides(tmp_path):
    shutil.copytree(GOOD, tmp_path, dirs_exist_ok=True)
    # Override a bundled airframe by id.
    text = (GOOD / "airframes" / "testjet.toml").read_text().replace('id = "testjet"', 'id = "su34"')
    (tmp_path / "airframes" / "su34.toml").write_text(text)
    catalog = data.load_catalog(tmp_path)
    assert catalog.airframe("testjet").name == "Test Jet"
    assert catalog.airframe("su34").name == "Test Jet"
    assert catalog.base("nullfeld").id == "null-island"
    assert catalog.base("ile nulle").id == "null-island"
    assert "mozdok" in catalog.bases  # bundled data is still there


def test_environment_variable_names_the_user_dir(monkeypatch):
    monkeypatch.setenv(data.ENV_DATA_DIR, str(GOOD))
    assert "testjet" in data.load_catalog().airframes


def test_unknown_airframe_suggests_close_matches():
    with pytest.raises(NotFoundError, match=r"unknown airframe 'tu22m4'; did you mean 'tu22m3'"):
        data.load_catalog().airframe("tu22m4")


# --- the bundled data ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    return data.load_catalog()


def test_bundled_data_has_the_required_airframes_and_bases(catalog):
    assert {"tu22m3", "su34"} <= set(catalog.airframes)
    assert len(catalog.bases) >= 31
    assert "syria" in catalog.target_sets


def test_every_bundled_figure_and_base_has_sources(catalog):
    for airframe in catalog.airframes.values():
        for figure in airframe.figures.values():
            assert figure.sources, (airframe.id, figure.key)
            assert figure.conditions.strip()
    for base in catalog.bases.values():
        assert base.sources and all(s.url or s.publication for s in base.sources), base.id
    for target_set in catalog.target_sets.values():
        for target in target_set.targets:
            assert target.sources, target.id


def test_grade_d_figures_are_never_the_only_support_of_a_nominal_value(catalog):
    for airframe in catalog.airframes.values():
        for figure in airframe.figures.values():
            grades = {s.reliability for s in figure.sources}
            assert grades != {"D"}, (airframe.id, figure.key)


def test_hamadan_means_the_air_base_not_the_civil_airport(catalog):
    assert catalog.base("Hamadan").icao == "OIHS"
    assert catalog.base("OIHS").id == catalog.base("Hamadan").id
    assert catalog.base("OIHH").id != catalog.base("Hamadan").id


def test_names_and_aliases_are_unambiguous(catalog):
    from rangecalc.places import normalise_name

    owners = {}
    for base in catalog.bases.values():
        for name in (base.id, base.name, *base.aliases):
            owners.setdefault(normalise_name(name), set()).add(("base", base.id))
    for target_set in catalog.target_sets.values():
        for target in target_set.targets:
            for name in (target.id, target.name, *target.aliases):
                owners.setdefault(normalise_name(name), set()).add(("target", target.id))
    clashes = {k: v for k, v in owners.items() if len(v) > 1}
    assert not clashes


def test_combat_radius_is_below_range_where_both_are_given(catalog):
    for airframe in catalog.airframes.values():
        rng = airframe.figure("range_km")
        if rng:
            assert airframe.combat_radius.nominal < rng.nominal, airframe.id


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("cruise_speed_kmh", 5e-324, "must be >= 50"),
        ("empty_mass_kg", 0, "must be >= 1"),
        ("combat_radius_km", 25_000, "must be <= 17000"),
    ],
)
def test_figures_out_of_their_bounds_are_refused(tmp_path, key, value, message):
    """Regression: a cruise speed of 5e-324 km/h divided by zero; zero masses warned from numpy."""
    text = (Path(__file__).parents[1] / "airframes" / "tu22m3.toml").read_text()
    header = f"[figures.{key}]\n"
    assert header in text
    head, rest = text.split(header, 1)
    section, tail = rest.split("\n[", 1)  # this figure's table only
    section = "\n".join(
        f"{line.split('=')[0].strip()} = {value}"
        if line.split("=")[0].strip() in ("low", "nominal", "high")
        else line
        for line in section.split("\n")
    )
    path = tmp_path / "tu22m3.toml"
    path.write_text(head + header + section + "\n[" + tail)
    with pytest.raises(DataError, match=rf"figures.{key}.low: {message}"):
        data.parse_airframe(path)


def test_kinds_are_read_when_first_used(tmp_path):
    """Regression: every bases file was read and validated even by commands that use no base. A broken
    bases file does not stop `airframes`; it stops what needs bases, and check-data."""
    (tmp_path / "bases").mkdir()
    shutil.copy(BROKEN / "bases" / "duplicate_id.toml", tmp_path / "bases" / "dup.toml")
    catalog = data.load_catalog(tmp_path)
    assert "tu22m3" in catalog.airframes
    with pytest.raises(DataError, match="duplicate id"):
        catalog.base("mozdok")
    with pytest.raises(DataError, match="duplicate id"):
        catalog.validate()


def test_outlines_read_together_equal_those_read_one_at_a_time(tmp_path):
    # The bulk read (one GEOS pass over the file) against the one-feature-at-a-time read it replaces.
    import shapely

    from rangecalc.regions import _all_regions, all_regions, read_geometries

    _all_regions.cache_clear()
    every = list(all_regions(data.load_catalog()).values())
    one_by_one = {r.id: shapely.to_wkb(r._load()) for r in every if r._load is not None}
    assert len(one_by_one) > 200  # the world file's countries, not yet read
    _all_regions.cache_clear()
    fresh = list(all_regions(data.load_catalog()).values())
    read_geometries(fresh)
    assert all(r._load is None for r in fresh)
    assert {r.id: shapely.to_wkb(r.geometry) for r in fresh if r.id in one_by_one} == one_by_one
    _all_regions.cache_clear()
