"""PNG and SVG maps (rangecalc.formats.staticmap) and `rangecalc map`: read back with PIL and an XML parser,
positions checked against the geometry they must show (a reach ring is a circle about the base in an
azimuthal equidistant projection)."""

import io
import math
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter

import numpy as np
import pytest
import shapely
from PIL import Image

from rangecalc.data import load_catalog
from rangecalc.errors import UsageError
from rangecalc.features import Feature, FeatureSet
from rangecalc.formats.staticmap import (
    BASE_COLOURS,
    MARKERS,
    map_pixels,
    map_size,
    projection_for,
    render_map,
)
from rangecalc.geodesy import ring
from rangecalc.regions import all_regions

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BASE = (44.65, 43.5)  # Mozdok, roughly
RADII_KM = {"low": 1496.0, "nominal": 2203.4, "high": 2407.0}
TITLE = "Test bomber from Test Base: reach"
CREDIT = "Natural Earth (public domain); figures: test-source-1, test-source-2"


def _area(figure, radius_km, routing=None):
    return Feature(
        ring(*BASE, radius_km * 1000.0),
        {
            "kind": "reach_area",
            "name": f"{figure} ring",
            "figure": figure,
            "radius_km": radius_km,
            "base": "Test Base",
            "routing": routing,
            "payload_kg": None,
        },
    )


def rings_set():
    features = [Feature(shapely.Point(*BASE), {"kind": "base", "name": "Test Base"})]
    features += [_area(figure, r) for figure, r in RADII_KM.items()]
    return FeatureSet(TITLE, tuple(sorted(features, key=_order)), CREDIT)


def _order(feature):
    from rangecalc.features import KINDS

    return KINDS.index(feature.properties["kind"])


TARGETS = {
    "Raqqa": ((39.0, 35.95), "in_reach"),
    "Damascus": ((36.29, 33.51), "depends"),
    "Amman": ((35.93, 31.95), "out_of_reach"),
}


def full_set():
    syria = all_regions(load_catalog(None))["SYR"].geometry
    closed = shapely.Polygon([(33.0, 37.0), (41.0, 37.0), (41.0, 41.5), (33.0, 41.5)])
    uncovered = shapely.intersection(syria, shapely.box(35.5, 32.0, 37.5, 34.0))
    features = [
        Feature(syria, {"kind": "region", "name": "Syria", "verdict": "depends"}),
        Feature(closed, {"kind": "closed_airspace", "name": "closed airspace: Turkey"}),
        *[_area(figure, r) for figure, r in RADII_KM.items()],
        Feature(uncovered, {"kind": "uncovered", "name": "out of reach", "figure": "nominal"}),
        Feature(
            shapely.LineString([BASE, (50.0, 38.0), (39.0, 35.95)]),
            {
                "kind": "route",
                "name": "Test Base to Raqqa",
                "length_km": 2034.0,
                "base": "Test Base",
                "routing": "avoiding Turkey",
            },
        ),
        Feature(shapely.Point(*BASE), {"kind": "base", "name": "Test Base"}),
        Feature(shapely.Point(50.0, 38.0), {"kind": "waypoint", "name": "waypoint 1"}),
        *[
            Feature(shapely.Point(*xy), {"kind": "target", "name": name, "verdict": verdict})
            for name, (xy, verdict) in TARGETS.items()
        ],
        Feature(
            shapely.Point(36.2, 32.4), {"kind": "farthest_point", "name": "farthest", "distance_km": 1463.7}
        ),
    ]
    return FeatureSet("Test bomber over Syria", tuple(features), CREDIT)


@pytest.fixture(scope="module")
def rings_svg():
    return render_map(rings_set(), "svg")


@pytest.fixture(scope="module")
def rings_png():
    return Image.open(io.BytesIO(render_map(rings_set(), "png"))).convert("RGB")


@pytest.fixture(scope="module")
def full_svg():
    return render_map(full_set(), "svg")


@pytest.fixture(scope="module")
def full_png():
    data = render_map(full_set(), "png")
    assert data.startswith(PNG_SIGNATURE)
    return Image.open(io.BytesIO(data)).convert("RGB")


# --- reading the SVG ---------------------------------------------------------------------------------------


def _group(root, gid):
    found = root.find(f".//{SVG}g[@id='{gid}']")
    assert found is not None, f"no <g id={gid!r}> in the SVG"
    return found


def _path_points(element):
    """The vertices of every path in ``element`` (absolute M/L commands, as matplotlib writes them)."""
    points = []
    for path in element.iter(f"{SVG}path"):
        numbers = re.findall(r"[ML]\s*(-?[\d.]+)\s+(-?[\d.]+)", path.get("d"))
        points += [(float(x), float(y)) for x, y in numbers]
    return np.array(points)


def _marker(root, gid):
    use = _group(root, gid).find(f".//{SVG}use")
    return float(use.get("x")), float(use.get("y"))


def _texts(root):
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def _points_per_km(root):
    """SVG points per kilometre on the ground, from the scale bar: its length and its label."""
    bar = _path_points(_group(root, "scale-bar"))
    label = "".join(_group(root, "scale-bar-label").itertext()).strip()
    match = re.fullmatch(r"([\d,.]+) km", label)
    assert match, label
    return (bar[:, 0].max() - bar[:, 0].min()) / float(match.group(1).replace(",", ""))


def _hex(colour):
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _near(image, x, y, colour, window=3, tolerance=40):
    """Whether a pixel within ``window`` of (x, y) has ``colour`` (anti-aliasing aside)."""
    pixels = np.asarray(image)
    h, w, _ = pixels.shape
    x0, x1 = max(0, int(x) - window), min(w, int(x) + window + 1)
    y0, y1 = max(0, int(y) - window), min(h, int(y) + window + 1)
    patch = pixels[y0:y1, x0:x1].reshape(-1, 3).astype(int)
    return bool((np.abs(patch - np.array(colour)).max(axis=1) <= tolerance).any())


# --- PNG --------------------------------------------------------------------------------------------------


def test_png_default_size_and_not_blank(full_png):
    assert full_png.size == (1600, 1200)
    counts = Counter(map(tuple, np.asarray(full_png).reshape(-1, 3).tolist()))
    assert len(counts) > 500
    assert counts.most_common(1)[0][1] < 0.9 * 1600 * 1200


def test_png_is_reproducible():
    assert render_map(rings_set(), "png", width_px=400) == render_map(rings_set(), "png", width_px=400)


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [(800, 1000, (800, 1000)), (1000, None, (1000, 750)), (None, 900, (1200, 900)), (777, 555, (777, 555))],
)
def test_png_asked_size(width, height, expected):
    image = Image.open(io.BytesIO(render_map(rings_set(), "png", width_px=width, height_px=height)))
    assert image.size == expected


def test_map_size_context_sets_the_default_and_arguments_win():
    with map_size(640, 480):
        assert map_pixels() == (640, 480)
        assert map_pixels(800, None) == (800, 600)
        image = Image.open(io.BytesIO(render_map(rings_set(), "png")))
        assert image.size == (640, 480)
    assert map_pixels() == (1600, 1200)


@pytest.mark.parametrize(
    ("width", "height"),
    [(0, None), (-5, None), (9000, None), (None, 100), (1.5, None), (True, None), (8000, 200), (None, 8000)],
)
def test_bad_sizes_are_usage_errors(width, height):
    with pytest.raises(UsageError, match=r"map|px"):
        render_map(rings_set(), "png", width_px=width, height_px=height)


def test_the_nominal_ring_is_a_circle_of_its_radius_about_the_base(rings_svg, rings_png):
    """In an azimuthal equidistant projection about the base every geodesic distance from the base is true:
    the nominal ring must be a circle of radius r (at the scale bar's scale) around the base's marker."""
    root = ET.fromstring(rings_svg)
    bx, by = _marker(root, "base-0")
    pt_per_km = _points_per_km(root)
    px_per_pt = 200 / 72  # 1600 px over an 8 in page, SVG in points
    radius_px = RADII_KM["nominal"] * pt_per_km * px_per_pt
    colour = _hex(BASE_COLOURS[0])
    hits = 0
    for azimuth in range(0, 360, 30):
        a = math.radians(azimuth)
        x, y = bx * px_per_pt + radius_px * math.sin(a), by * px_per_pt - radius_px * math.cos(a)
        hits += _near(rings_png, x, y, colour)
    assert hits >= 10, hits  # a label may sit on the line here and there
    # Half-way between the low and nominal rings there is no ring.
    middle_px = (RADII_KM["low"] + RADII_KM["nominal"]) / 2 * pt_per_km * px_per_pt
    misses = sum(
        not _near(
            rings_png,
            bx * px_per_pt + middle_px * math.sin(math.radians(a)),
            by * px_per_pt - middle_px * math.cos(math.radians(a)),
            colour,
            window=1,
            tolerance=25,
        )
        for a in range(0, 360, 30)
    )
    assert misses >= 10


def test_scale_bar_length_agrees_with_the_rings(rings_svg):
    """The scale bar's points per km (computed at the map's centre) against the rings: each ring's vertices
    lie at its true radius from the base, so their distance in points over the radius is the scale."""
    root = ET.fromstring(rings_svg)
    bx, by = _marker(root, "base-0")
    pt_per_km = _points_per_km(root)
    for figure, radius_km in RADII_KM.items():
        groups = [g for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith(f"reach-{figure}-")]
        assert groups, figure
        points = np.concatenate([_path_points(g) for g in groups])
        from_base = np.hypot(points[:, 0] - bx, points[:, 1] - by)
        assert np.median(from_base) / radius_km == pytest.approx(pt_per_km, rel=5e-3)
        assert np.ptp(from_base) / np.median(from_base) < 0.01  # a circle


def test_targets_are_coloured_by_verdict(full_svg, full_png):
    root = ET.fromstring(full_svg)
    px_per_pt = 200 / 72
    for k, (_, verdict) in enumerate(TARGETS.values()):
        x, y = _marker(root, f"target-{k}")
        colour = _hex(MARKERS[verdict]["markerfacecolor"])
        assert _near(full_png, x * px_per_pt, y * px_per_pt, colour, window=2, tolerance=30), verdict


# --- SVG --------------------------------------------------------------------------------------------------


def test_svg_holds_title_credit_scale_and_country_names(full_svg):
    root = ET.fromstring(full_svg)
    texts = _texts(root)
    assert "Test bomber over Syria" in texts
    assert any("test-source-1" in t and "Natural Earth" in t for t in texts)
    assert any(re.fullmatch(r"[\d,]+ km", t) for t in texts)
    names = {t.lower() for t in texts}
    assert {"syria", "turkey", "iraq"} <= names
    for name in TARGETS:
        assert name in texts
    assert "Test Base" in texts


def test_svg_ids_are_unique(full_svg):
    ids = [e.get("id") for e in ET.fromstring(full_svg).iter() if e.get("id")]
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_svg_is_reproducible_and_undated(rings_svg):
    assert render_map(rings_set(), "svg") == rings_svg
    assert "<dc:date>" not in rings_svg
    assert re.search(r'width="576pt" height="432pt"', rings_svg)


def test_labels_follow_the_precision_policy(rings_svg, full_svg):
    """Radii to 10 km: 2,203.4 km reads 2,200 km; no label carries more digits."""
    texts = _texts(ET.fromstring(rings_svg)) + _texts(ET.fromstring(full_svg))
    assert "nominal 2,200 km" in texts
    assert "low 1,500 km" in texts
    assert "high 2,410 km" in texts
    for text in texts:
        for number in re.findall(r"\d[\d,]*(?:\.\d+)? (?:km|nm|mi)", text):
            value = float(number.split()[0].replace(",", ""))
            assert value % 10 == 0 or value < 10, text
    assert any("farthest point: 1,460 km" in t for t in texts)


def test_every_layer_is_drawn(full_svg):
    root = ET.fromstring(full_svg)
    ids = {g.get("id") for g in root.iter(f"{SVG}g")}
    for gid in (
        "land-SYR",
        "region-0",
        "closed-airspace-0",
        "uncovered-0",
        "route-0",
        "base-0",
        "waypoint-0",
        "farthest-point-0",
        "legend",
        "graticule",
        "title",
        "credit",
    ):
        assert gid in ids, gid
    legend = " ".join(_texts(_group(root, "legend")))
    for phrase in (
        "closed airspace",
        "out of reach under the nominal figure",
        "reach, low figure",
        "target in reach under every figure",
        "target depends on the figure",
        "target out of reach under every figure",
        "shortest flyable route, 2,030 km",
    ):
        assert phrase in legend, phrase
    assert "reach, high figure" not in legend  # the high ring lies outside the frame: no key for it


def test_direct_and_flyable_areas_are_told_apart():
    features = [Feature(shapely.Point(*BASE), {"kind": "base", "name": "Test Base"})]
    features += [_area("nominal", 2200.0), _area("nominal", 2200.0, routing="avoiding Turkey")]
    svg = render_map(FeatureSet(TITLE, tuple(features), CREDIT), "svg")
    texts = _texts(ET.fromstring(svg))
    assert "nominal 2,200 km direct" in texts
    assert "nominal 2,200 km flyable" in texts
    assert "reach, nominal figure direct" in texts
    assert "reach, nominal figure on flyable routes" in texts


def test_nautical_miles_and_modelled_radii():
    features = [
        Feature(shapely.Point(*BASE), {"kind": "base", "name": "Test Base"}),
        Feature(
            ring(*BASE, 1187.3 * 1852.0),
            {
                "kind": "reach_area",
                "figure": "nominal",
                "radius_nm": 1187.3,
                "payload_kg": 12000.0,
                "base": "Test Base",
                "routing": None,
            },
        ),
    ]
    root = ET.fromstring(render_map(FeatureSet(TITLE, tuple(features), CREDIT), "svg"))
    texts = _texts(root)
    assert "nominal 1,190 nm modelled" in texts
    label = "".join(_group(root, "scale-bar-label").itertext()).strip()
    assert label.endswith(" nm")


def test_outlines_leave_out_cuts_and_grid_edges():
    from rangecalc.formats.staticmap import _outline

    contour = shapely.Polygon([(0, 0), (10, 0), (10, 5), (5, 8), (0, 5)])
    assert _outline(contour).length == pytest.approx(contour.length)
    assert _outline(contour, grid=True).length == pytest.approx(2 * math.hypot(5, 3), rel=1e-6)
    across = ring(179.0, 60.0, 500_000.0)  # split at +-180
    assert isinstance(across, shapely.MultiPolygon)
    xy = shapely.get_coordinates(_outline(across))
    edge = np.abs(np.abs(xy[:, 0]) - 180.0) < 1e-9
    assert edge.sum() <= 4  # the seam's end points only, no stretch along it
    assert _seam_length(across) > 1.0
    assert _outline(across).length == pytest.approx(across.length - _seam_length(across), rel=1e-6)


def _seam_length(geometry):
    seam = shapely.MultiLineString([[(-180, -90), (-180, 90)], [(180, -90), (180, 90)]])
    return shapely.intersection(shapely.boundary(geometry), seam).length


# --- projection -------------------------------------------------------------------------------------------


def test_one_base_is_azimuthal_equidistant_about_it():
    proj = projection_for([BASE], np.array([BASE, (36.3, 33.5)]))
    assert "+proj=aeqd" in proj and "+lat_0=43.500000" in proj and "+lon_0=44.650000" in proj


def test_several_bases_get_a_conic_with_parallels_at_one_and_five_sixths():
    coords = np.array([(44.65, 43.5), (48.0, 35.2), (36.3, 31.5)])
    proj = projection_for([(44.65, 43.5), (48.0, 35.2)], coords)
    span = 43.5 - 31.5
    assert "+proj=eqdc" in proj
    assert f"+lat_1={31.5 + span / 6:.6f}" in proj and f"+lat_2={43.5 - span / 6:.6f}" in proj


def test_bases_either_side_of_the_equator_get_a_cylinder():
    coords = np.array([(20.0, -30.0), (20.0, 30.0)])
    assert "+proj=eqc" in projection_for([tuple(c) for c in coords], coords)


def test_a_map_across_the_antimeridian():
    features = (
        Feature(shapely.Point(177.5, 64.7), {"kind": "base", "name": "Anadyr"}),
        Feature(shapely.Point(-165.4, 64.5), {"kind": "target", "name": "Nome", "verdict": "in_reach"}),
    )
    svg = render_map(FeatureSet("Across the date line", features, CREDIT), "svg")
    root = ET.fromstring(svg)
    texts = _texts(root)
    assert "178°W" in texts and "Nome" in texts
    ids = {g.get("id") for g in root.iter(f"{SVG}g")}
    assert {"land-RUS", "land-USA"} <= ids  # both sides of the date line
    x_anadyr, _ = _marker(root, "base-0")
    x_nome, _ = _marker(root, "target-0")
    assert x_nome - x_anadyr > 100  # Nome east of Anadyr, not across the world


# --- matplotlib missing -----------------------------------------------------------------------------------


def test_missing_matplotlib_is_a_usage_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(UsageError, match=r"pip install 'rangecalc\[map\]'"):
        render_map(rings_set(), "png")


def test_missing_matplotlib_through_the_cli(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = run("map", "rings", "tu22m3", "mozdok", "-o", tmp_path / "x.png", expect=2)
    assert "pip install 'rangecalc[map]'" in result.stderr
    assert not (tmp_path / "x.png").exists()


# --- the command ------------------------------------------------------------------------------------------


def test_map_has_every_subcommand(run):
    out = run("map", "--help").stdout
    for name in ("reach", "compare", "route", "rings", "claim"):
        assert re.search(rf"^\s+{name}\s", out, re.M), name


def test_map_reach_writes_a_png(run, tmp_path):
    path = tmp_path / "reach.png"
    run("map", "reach", "tu22m3", "mozdok", "--region", "SY", "-o", path)
    image = Image.open(path)
    assert image.format == "PNG" and image.size == (1600, 1200)


def test_map_reach_writes_an_svg(run, tmp_path):
    path = tmp_path / "reach.svg"
    run("map", "reach", "su34", "hamadan", "--targets", "raqqa,damascus", "-o", path)
    texts = _texts(ET.parse(path).getroot())
    assert "Raqqa" in texts and "Damascus" in texts
    assert any("Natural Earth" in t for t in texts)


def test_map_size_options(run, tmp_path):
    path = tmp_path / "small.png"
    run("map", "rings", "tu22m3", "mozdok", "--width", "800", "-o", path)
    assert Image.open(path).size == (800, 600)
    run("map", "rings", "tu22m3", "mozdok", "--width", "10", "-o", tmp_path / "tiny.png", expect=2)
    assert not (tmp_path / "tiny.png").exists()


def test_map_route_with_closed_airspace(run, tmp_path):
    path = tmp_path / "route.svg"
    run("map", "route", "mozdok", "damascus", "--avoid", "TUR,GEO,AZE", "-o", path)
    root = ET.parse(path).getroot()
    assert _group(root, "closed-airspace-0") is not None and _group(root, "route-0") is not None


def test_map_format_must_match_the_extension(run, tmp_path):
    result = run("map", "rings", "tu22m3", "mozdok", "--format", "png", "-o", tmp_path / "x.svg", expect=2)
    assert "does not match" in result.stderr
    result = run("map", "rings", "tu22m3", "mozdok", "-o", tmp_path / "x.geojson", expect=2)
    assert "png, svg" in result.stderr


def test_map_to_stdout_when_it_is_not_a_terminal(run):
    result = run("map", "rings", "tu22m3", "mozdok")
    assert result.stdout_bytes.startswith(PNG_SIGNATURE)
    result = run("map", "rings", "tu22m3", "mozdok", "--format", "svg")
    assert ET.fromstring(result.stdout_bytes).tag == f"{SVG}svg"


def test_the_question_commands_still_draw_maps(run, tmp_path):
    path = tmp_path / "reach.png"
    run("reach", "su34", "hamadan", "--targets", "raqqa", "-o", path)
    assert Image.open(path).size == (1600, 1200)


def test_map_compare_draws_both_bases(run, tmp_path):
    path = tmp_path / "compare.svg"
    run("map", "compare", "su34", "hamadan", "khmeimim", "--targets", "raqqa", "-o", path)
    root = ET.parse(path).getroot()
    assert _marker(root, "base-0") != _marker(root, "base-1")
    legend = " ".join(_texts(_group(root, "legend")))
    assert legend.count("reach from ") == 2


def test_map_claim(run, tmp_path):
    path = tmp_path / "claim.png"
    run("map", "claim", "-o", path, "--width", "1200")
    image = Image.open(path)
    assert image.size == (1200, 900)
    assert "Hamadan" in image.info["Title"] and "Natural Earth" in image.info["Source"]
