"""SVG maps: well-formed XML, one element per layer entry, escaped names, no external resources, framing."""

import math
import re
import xml.etree.ElementTree as ET

import pytest
import shapely

from rangecalc import geodesy
from rangecalc.formats.svgmap import (
    COLOURS,
    DASHES,
    FIGURES,
    HATCH_ID,
    MapLayers,
    graticule_step,
    legend_key,
    nice_length,
    svg_map,
)

SVG = "{http://www.w3.org/2000/svg}"
NASTY = 'Base <&> "quoted"'


def parse(svg):
    return ET.fromstring(svg)


def viewbox(root):
    return [float(v) for v in root.get("viewBox").split()]


def frame_of(root, west_east):
    """Degrees of longitude per pixel, to compare framings."""
    return (west_east[1] - west_east[0]) / viewbox(root)[2]


@pytest.fixture
def layers():
    focus = shapely.box(36.0, 32.5, 42.0, 37.0)
    layers = MapLayers()
    layers.regions += [
        ("Land", shapely.box(30.0, 28.0, 48.0, 42.0), "land"),
        ("Focus", focus, "focus"),
        ("Closed", shapely.box(43.0, 36.0, 46.0, 40.0), "closed"),
    ]
    layers.points += [(NASTY, 44.6, 43.2, "base"), ("Target", 38.0, 35.0, "target")]
    layers.routes += [
        ("Shortest", [44.6, 38.0], [43.2, 35.0], 0),
        ("Recorded corridor", [44.6, 47.0, 38.0], [43.2, 38.0, 35.0], 0, "corridor"),
    ]
    # Rings reaching well beyond the focus region.
    for figure, radius in zip(FIGURES, (600e3, 800e3, 1000e3), strict=True):
        layers.reach.append((f"{NASTY} {figure}", geodesy.ring(44.6, 43.2, radius), figure, 1))
    layers.uncovered.append((f"uncovered near {NASTY}", shapely.box(36.0, 32.5, 37.5, 33.5)))
    return layers


def test_well_formed_with_one_element_per_layer_entry(layers):
    root = parse(svg_map(layers, title=NASTY))
    reach = [e for e in root.iter(f"{SVG}path") if "reach" in (e.get("class") or "").split()]
    assert [e.get("class") for e in reach] == ["reach low", "reach nominal", "reach high"]
    for element, figure in zip(reach, FIGURES, strict=True):
        assert element.get("fill") == "none"  # outlines only
        assert element.get("stroke") == COLOURS["route"][1]
        assert (element.get("stroke-dasharray") or "") == DASHES[figure]
        assert element.find(f"{SVG}title").text == f"{NASTY} {figure}"
    uncovered = [e for e in root.iter(f"{SVG}path") if e.get("class") == "uncovered"]
    assert len(uncovered) == 1
    assert uncovered[0].get("fill") == f"url(#{HATCH_ID})"
    assert uncovered[0].get("fill") != COLOURS["closed"]
    assert root.find(f"{SVG}defs/{SVG}pattern").get("id") == HATCH_ID
    assert root.get("aria-label") == NASTY


def test_names_are_escaped(layers):
    svg = svg_map(layers, title=NASTY)
    assert NASTY not in svg
    assert "Base &lt;&amp;&gt;" in svg
    texts = [e.text for e in parse(svg).iter(f"{SVG}text")]
    assert NASTY in texts


def test_dashed_corridor_beside_solid_route(layers):
    root = parse(svg_map(layers))
    lines = {e.find(f"{SVG}title").text: e for e in root.iter(f"{SVG}polyline")}
    assert lines["Shortest"].get("stroke-dasharray") is None
    assert lines["Recorded corridor"].get("stroke-dasharray") == DASHES["corridor"]
    assert lines["Recorded corridor"].get("class") == "corridor"


def test_no_external_resources(layers):
    svg = svg_map(layers)
    # The only URL is the namespace; fills refer to the document's own pattern.
    assert re.findall(r"https?://[^\"']+", svg) == ["http://www.w3.org/2000/svg"]
    assert "href" not in svg
    assert set(re.findall(r"url\(([^)]*)\)", svg)) == {f"#{HATCH_ID}"}


def test_big_rings_do_not_widen_the_frame(layers):
    """Framing still follows points, routes and focus regions; rings and uncovered parts cannot widen it."""
    plain = MapLayers(regions=layers.regions, points=layers.points, routes=layers.routes)
    layers.reach.append(("2,400 km", geodesy.ring(44.6, 43.2, 2400e3), "high", 0))
    layers.uncovered.append(("huge", shapely.box(0.0, 0.0, 80.0, 60.0)))
    assert viewbox(parse(svg_map(layers))) == viewbox(parse(svg_map(plain)))


def test_rings_frame_the_map_when_nothing_else_does():
    ring = geodesy.ring(10.0, 50.0, 300e3)
    root = parse(svg_map(MapLayers(reach=[("ring", ring, "nominal", 0)])))
    assert len([e for e in root.iter(f"{SVG}path") if e.get("class") == "reach nominal"]) == 1


def test_outline_off_the_map_is_left_out(layers):
    layers.reach.append(("far away", geodesy.ring(-100.0, 40.0, 300e3), "low", 0))
    root = parse(svg_map(layers))
    assert len([e for e in root.iter(f"{SVG}path") if "reach" in (e.get("class") or "")]) == 3


def test_existing_four_field_routes_and_no_new_layers():
    layers = MapLayers(points=[("A", 30.0, 30.0, "base")], routes=[("r", [30.0, 35.0], [30.0, 33.0], 2)])
    root = parse(svg_map(layers))
    assert root.find(f"{SVG}defs") is None
    (line,) = root.iter(f"{SVG}polyline")
    assert line.get("stroke") == COLOURS["route"][2] and line.get("stroke-dasharray") is None


@pytest.mark.parametrize(
    "bad",
    [
        MapLayers(
            points=[("A", 30.0, 30.0, "base")], routes=[("r", [30.0, 35.0], [30.0, 33.0], 0, "zigzag")]
        ),
        MapLayers(
            points=[("A", 30.0, 30.0, "base")], reach=[("r", shapely.box(29, 29, 31, 31), "medium", 0)]
        ),
        MapLayers(points=[("A", 30.0, 30.0, "base"), ("B", 31.0, 31.0, "airport")]),
    ],
)
def test_unknown_styles_are_refused(bad):
    with pytest.raises(ValueError, match="unknown"):
        svg_map(bad)


@pytest.mark.parametrize(
    "kind", [*FIGURES, "route", "corridor", "uncovered", "closed", "focus", "base", "target", "farthest"]
)
def test_legend_keys(kind):
    root = parse(legend_key(kind, k=1))
    assert root.tag == f"{SVG}svg"
    if kind in DASHES:
        (line,) = root.iter(f"{SVG}line")
        assert line.get("stroke") == COLOURS["route"][1]
        assert (line.get("stroke-dasharray") or "") == DASHES[kind]
    if kind in ("base", "target", "farthest"):
        # The same marker as on a map, with the same class.
        (marker,) = [e for e in root.iter() if (e.get("class") or "").split() == ["point", kind]]
        layers = MapLayers(points=[("P", 30.0, 30.0, kind)])
        (on_map,) = [e for e in parse(svg_map(layers)).iter() if (e.get("class") or "") == f"point {kind}"]
        assert marker.tag == on_map.tag and marker.get("fill") == on_map.get("fill")


def test_legend_key_unknown():
    with pytest.raises(ValueError):
        legend_key("sparkles")


# --- scale bar, graticule, region names ---------------------------------------------------------------

# The frame of a map of points only is their bounding box widened by 1.5 degrees (maps._bounds), so a test
# can work out the projection by hand: x = (lon - west) / (east - west) * width.
MARGIN = 1.5


def points_only(west, south, east, north):
    """Layers whose frame is (west, south, east, north) exactly: two points, inset by the margin."""
    return MapLayers(
        points=[("A", west + MARGIN, south + MARGIN, "base"), ("B", east - MARGIN, north - MARGIN, "target")]
    )


def scale_bar(root):
    (group,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "scale-bar"]
    d = group.find(f"{SVG}path").get("d")
    x0, _, x1 = (float(v) for v in re.match(r"M([\d.]+),([\d.]+) H([\d.]+)", d).groups())
    label = group.find(f"{SVG}text").text
    return x0, x1, label


@pytest.mark.parametrize(
    "frame",
    [
        (8.5, -2.5, 21.5, 2.5),
        (34.0, 28.0, 50.0, 44.0),
        (-12.0, 55.0, 2.0, 65.0),
        (140.0, -40.0, 150.0, -30.0),
    ],
)
def test_scale_bar_is_true_at_the_middle_latitude(frame):
    """The bar's length in pixels, turned into degrees of longitude along the middle parallel, is as long on
    the ellipsoid (geographiclib, independent of the code) as its label says."""
    from geographiclib.geodesic import Geodesic

    west, south, east, north = frame
    width = 900
    root = parse(svg_map(points_only(*frame), width=width))
    assert viewbox(root)[2] == width
    x0, x1, label = scale_bar(root)
    km = float(re.fullmatch(r"([\d,]+) km", label).group(1).replace(",", ""))
    mantissa = km / 10 ** math.floor(math.log10(km))
    assert mantissa in (1, 2, 5)  # a round length
    assert 0.1 * width <= x1 - x0 <= 0.25 * width + 1e-6
    middle = (south + north) / 2
    degrees = (x1 - x0) / width * (east - west)
    # Along the parallel: a short geodesic step, scaled up (a long geodesic would cut the corner).
    step = Geodesic.WGS84.Inverse(middle, 0.0, middle, 0.01)["s12"] / 0.01
    assert degrees * step / 1000 == pytest.approx(km, rel=2e-3)  # the drawn path is rounded to 0.1 px


def test_scale_bar_at_the_equator_by_hand():
    # 13 degrees of longitude over 900 px at the equator: 111.32 km a degree, so 1,447.2 km across;
    # a quarter is 362 km, so the bar is 200 km long, 200 / 1,447.2 * 900 = 124.4 px.
    x0, x1, label = scale_bar(parse(svg_map(points_only(8.5, -2.5, 21.5, 2.5), width=900)))
    assert label == "200 km"
    assert x1 - x0 == pytest.approx(124.38, abs=0.2)


def test_scale_bar_lengths():
    assert [nice_length(v) for v in (0.3, 1, 1.9, 2, 4.99, 5, 9.9, 10, 420, 3100)] == [
        0.2,
        1,
        1,
        2,
        2,
        5,
        5,
        10,
        200,
        2000,
    ]


@pytest.mark.parametrize(
    "span, step", [(4, 1), (8, 1), (9, 2), (16, 2), (17, 5), (40, 5), (41, 10), (80, 10), (150, 20)]
)
def test_graticule_step(span, step):
    assert graticule_step(span) == step


def test_graticule_lines_and_labels_by_hand():
    """Frame 8.5..21.5 E, -2.5..2.5 N, 900 px wide: 13 degrees across, so every 2 degrees: meridians at
    10, 12, ... 20 E, parallels at -2, 0, 2."""
    west, south, east, north = 8.5, -2.5, 21.5, 2.5
    root = parse(svg_map(points_only(west, south, east, north), width=900))
    (group,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "graticule"]
    d = group.find(f"{SVG}path").get("d")
    xs = [float(x) for x in re.findall(r"M([\d.]+),0 V", d)]
    assert xs == pytest.approx([(lon - west) / (east - west) * 900 for lon in range(10, 21, 2)], abs=0.06)
    height = viewbox(root)[3]
    ys = [float(y) for y in re.findall(r"M0,([\d.]+) H", d)]
    assert ys == pytest.approx([(north - lat) / (north - south) * height for lat in (-2, 0, 2)], abs=0.06)
    labels = [t.text for t in group.iter(f"{SVG}text")]
    assert {"10°E", "12°E", "14°E"} <= set(labels)
    assert "0°" in labels or "2°N" in labels


def test_graticule_labels_west_and_south():
    root = parse(svg_map(points_only(-80.0, -40.0, -64.0, -26.0)))
    labels = {
        t.text for g in root.iter(f"{SVG}g") if g.get("class") == "graticule" for t in g.iter(f"{SVG}text")
    }
    # 16 degrees across: every 2 degrees, west and south of 0.
    west = [int(t[:-2]) for t in labels if t.endswith("°W")]
    south = [int(t[:-2]) for t in labels if t.endswith("°S")]
    assert len(west) >= 3 and len(south) >= 3 and len(west) + len(south) == len(labels)
    assert all(v % 2 == 0 and 64 < v < 80 for v in west) and all(v % 2 == 0 and 26 < v < 40 for v in south)


def region_names(root):
    return {t.text: t for t in root.iter(f"{SVG}text") if t.get("class") == "region-name"}


def test_region_names_inside_their_region(layers):
    layers.regions.append(("Tiny", shapely.box(33.0, 30.0, 33.05, 30.05), "land"))
    layers.regions.append(("unnamed overlay", shapely.box(30.0, 28.0, 33.0, 31.0), "closed", ""))
    svg = svg_map(layers)
    root = parse(svg)
    names = region_names(root)
    assert "Tiny" not in names  # too small to hold its name
    assert "unnamed overlay" not in names and "" not in names
    assert "Focus" in names
    # The label's anchor, turned back into degrees, is inside its region.
    vb = viewbox(root)
    # Frame: points, routes and the focus region widened by the margin (computed independently here).
    lons = [44.6, 38.0, 47.0, 36.0, 42.0]
    lats = [43.2, 35.0, 38.0, 32.5, 37.0]
    west, east = min(lons) - MARGIN, max(lons) + MARGIN
    south, north = min(lats) - MARGIN, max(lats) + MARGIN
    for name, box in (("Focus", (36.0, 32.5, 42.0, 37.0)), ("Closed", (43.0, 36.0, 46.0, 40.0))):
        if name not in names:
            continue
        x, y = float(names[name].get("x")), float(names[name].get("y"))
        lon = west + x / vb[2] * (east - west)
        lat = north - y / vb[3] * (north - south)
        assert box[0] < lon < box[2] and box[1] < lat < box[3], (name, lon, lat)


def test_region_names_are_escaped():
    layers = points_only(0.0, 0.0, 20.0, 20.0)
    layers.regions.append((NASTY, shapely.box(-5.0, -5.0, 25.0, 25.0), "land"))
    svg = svg_map(layers)
    assert NASTY not in svg
    assert NASTY in region_names(parse(svg))


def test_point_labels_stay_inside_and_off_other_markers():
    # B sits 1.5 degrees from the east edge: its long name cannot go to the right, so it goes to the left.
    # C sits right above-right of A, where A's label would go first: A's label moves.
    layers = points_only(0.0, 0.0, 20.0, 20.0)
    layers.points[1] = ("A long name for the point near the east edge", 18.5, 10.0, "target")
    layers.points.append(("C", 1.5 + 0.15, 1.5 + 0.3, "target"))
    root = parse(svg_map(layers, width=600))
    labels = {t.text: t for t in root.iter(f"{SVG}text") if t.get("class") == "point-label"}
    markers = {
        m.find(f"{SVG}title").text: m for m in root.iter() if "point" in (m.get("class") or "").split()
    }
    assert set(labels) == set(markers) == {"A", "C", layers.points[1][0]}
    east = labels[layers.points[1][0]]
    assert east.get("text-anchor") == "end" and float(east.get("x")) < float(
        markers[layers.points[1][0]].get("cx")
    )
    # A is a square at x, y (its rect's corner + 4); its label is not above-right, where C is.
    a = markers["A"]
    ax, ay = float(a.get("x")) + 4, float(a.get("y")) + 4
    label = labels["A"]
    assert not (float(label.get("x")) > ax and float(label.get("y")) < ay)
