"""Review rules for the shipped data: no file cites the project itself as a source; field elevations and
take-off runs validate; grade-D sources never count as corroboration in ``check-data``."""

import re
import textwrap
import tomllib

import pytest

from rangecalc import data
from rangecalc.audit import audit_catalog
from rangecalc.errors import DataError

# --- no self-citation ----------------------------------------------------------------------------------

#: Phrases that cite the project (its brief, its issue tracker, its own code) as if it were evidence.
SELF_CITATION = re.compile(
    r"project'?s brief|project brief|rangecalc issue|issue tracker|rangecalc\.(?!toml)[a-z_]+",
    re.IGNORECASE,
)
SOURCE_FIELDS = ("title", "url", "publication", "states")


def shipped_data_files():
    root = data.bundled_data_dir()
    files = [p for folder in ("airframes", "bases") for p in sorted((root / folder).glob("*.toml"))]
    files += sorted((root / "regions").glob("*.toml")) + sorted((root / "scenarios").glob("*.toml"))
    return root, files


def _sources_in(value):
    """Every table under ``value`` that looks like a source (has a title and states)."""
    if isinstance(value, dict):
        if "title" in value and "states" in value:
            yield value
        for item in value.values():
            yield from _sources_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _sources_in(item)


def test_there_are_shipped_data_files_to_review():
    _, files = shipped_data_files()
    folders = {p.parent.name for p in files}
    assert {"airframes", "bases", "regions"} <= folders


@pytest.mark.parametrize("path", shipped_data_files()[1], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_data_file_cites_the_project_itself(path):
    text = path.read_text(encoding="utf-8")
    hits = [
        f"line {text.count(chr(10), 0, m.start()) + 1}: {m.group(0)!r}" for m in SELF_CITATION.finditer(text)
    ]
    assert not hits, f"{path.name} cites the project itself: {'; '.join(hits)}"
    for source in _sources_in(tomllib.loads(text)):
        for key in SOURCE_FIELDS:
            value = str(source.get(key, ""))
            assert "rangecalc" not in value.lower(), (
                f"{path.name}: source {source['title']!r} cites rangecalc"
            )


# --- elevation_m ---------------------------------------------------------------------------------------

BASE = """\
[[bases]]
id = "test-field"
name = "Test Field"
lat = 10.0
lon = 20.0
country = "SYR"
position_uncertainty_m = 100
sources = [{{ title = "Test", publication = "Test gazetteer", states = "10, 20" }}]
{extra}
"""


def write_base(tmp_path, extra):
    path = tmp_path / "bases.toml"
    path.write_text(BASE.format(extra=extra), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "extra, message",
    [
        ('elevation_m = "48 m"', r"bases\[0\]\.elevation_m: expected a number, got str"),
        ("elevation_m = true", r"bases\[0\]\.elevation_m: expected a number, got a boolean"),
        ("elevation_m = 6001", r"bases\[0\]\.elevation_m: must be <= 6000, got 6001"),
        ("elevation_m = -501", r"bases\[0\]\.elevation_m: must be >= -500, got -501"),
        ("elevation_m = nan", r"bases\[0\]\.elevation_m: must be a finite number"),
    ],
    ids=["string", "boolean", "too-high", "too-low", "nan"],
)
def test_bad_elevation_names_file_and_key(tmp_path, extra, message):
    path = write_base(tmp_path, extra)
    with pytest.raises(DataError, match=message) as info:
        data.parse_bases(path)
    assert str(info.value).startswith(str(path))


@pytest.mark.parametrize("value", [-500, -28, 0, 48, 1711.5, 6000])
def test_elevation_in_range_is_carried(tmp_path, value):
    (base,) = data.parse_bases(write_base(tmp_path, f"elevation_m = {value}"))
    assert base.elevation_m == pytest.approx(value)
    assert base.as_dict()["elevation_m"] == pytest.approx(value)


def test_elevation_is_optional(tmp_path):
    (base,) = data.parse_bases(write_base(tmp_path, ""))
    assert base.elevation_m is None and base.as_dict()["elevation_m"] is None


def test_bundled_elevations_from_the_record():
    catalog = data.load_catalog()
    assert catalog.base("shahid-nojeh").elevation_m == 1711  # historical record F19
    assert catalog.base("khmeimim").elevation_m == 48  # historical record F26
    assert catalog.base("mozdok").elevation_m is None  # no source found; the notes say so
    assert "No field elevation found" in catalog.base("mozdok").notes


def test_base_detail_shows_the_elevation(run):
    assert "field elevation: 48 m" in run("bases", "khmeimim").stdout
    assert "field elevation:" not in run("bases", "mozdok").stdout


# --- airframe figures and the audit's grade-D rule -----------------------------------------------------


def airframe_text(figures, sources):
    return (
        textwrap.dedent(
            """\
        id = "{id}"
        name = "Review Jet"
        [refuelling]
        in_flight = false
        sources = ["c1"]
        [figures.combat_radius_km]
        low = 900
        nominal = 1000
        high = 1100
        conditions = "made up"
        sources = ["c1", "c2"]
        """
        ).format(id="reviewjet")
        + textwrap.dedent(figures)
        + textwrap.dedent(sources)
    )


GRADED_SOURCES = """
[sources.c1]
title = "C one"
publication = "Test press, 2020"
states = "made up"
reliability = "C"
[sources.c2]
title = "C two"
publication = "Other test press, 2021"
states = "made up"
reliability = "C"
[sources.d1]
title = "Game file"
publication = "A game"
states = "made up"
reliability = "D"
[sources.d2]
title = "Blog"
publication = "A blog"
states = "made up"
reliability = "D"
"""


def test_takeoff_run_parses_in_metres(tmp_path):
    path = tmp_path / "reviewjet.toml"
    figure = """
    [figures.takeoff_run_m]
    low = 1100
    nominal = 1300
    high = 2000
    conditions = "maximum take-off mass, sea level, ISA"
    sources = ["c1", "c2"]
    note = "made up"
    """
    path.write_text(airframe_text(figure, GRADED_SOURCES), encoding="utf-8")
    run = data.parse_airframe(path).figure("takeoff_run_m")
    assert run.unit == "m"
    assert list(run.values_si()) == [1100.0, 1300.0, 2000.0]
    assert run.as_dict()["unit"] == "m"


def test_takeoff_run_in_other_units_is_refused(tmp_path):
    path = tmp_path / "reviewjet.toml"
    figure = """
    [figures.takeoff_run_ft]
    low = 1
    nominal = 1
    high = 1
    conditions = "x"
    sources = ["c1"]
    """
    path.write_text(airframe_text(figure, GRADED_SOURCES), encoding="utf-8")
    with pytest.raises(
        DataError, match=r"figures.takeoff_run_ft: unknown figure or unit; accepted: .*takeoff_run_m"
    ):
        data.parse_airframe(path)


def audit_of(tmp_path, sources_of_fuel):
    (tmp_path / "airframes").mkdir()
    figure = f"""
    [figures.internal_fuel_kg]
    low = 1000
    nominal = 1000
    high = 1000
    conditions = "made up"
    sources = {sources_of_fuel!r}
    """.replace("'", '"')
    (tmp_path / "airframes" / "reviewjet.toml").write_text(
        airframe_text(figure, GRADED_SOURCES), encoding="utf-8"
    )
    findings = audit_catalog(data.load_catalog(tmp_path))
    return [f.message for f in findings if "reviewjet" in f.file and f.key == "figures.internal_fuel_kg"]


def test_one_c_source_plus_a_d_source_is_still_only_one_source(tmp_path):
    messages = audit_of(tmp_path, ["c1", "d1"])
    assert any(m.startswith("only one source (c1)") for m in messages), messages


def test_only_d_sources_get_the_stronger_warning(tmp_path):
    messages = audit_of(tmp_path, ["d1", "d2"])
    assert any(m.startswith("no source above grade D") for m in messages), messages
    assert not any(m.startswith("only one source") for m in messages)


def test_two_non_d_sources_corroborate(tmp_path):
    assert audit_of(tmp_path, ["c1", "c2", "d1"]) == []
