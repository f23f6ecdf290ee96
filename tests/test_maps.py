"""SVG maps: well-formed XML, one element per layer entry, escaped names, no external resources, framing."""

import re
import xml.etree.ElementTree as ET

import pytest
import shapely

from rangecalc import geodesy
from rangecalc.maps import COLOURS, DASHES, FIGURES, HATCH_ID, MapLayers, legend_key, svg_map

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
    ],
)
def test_unknown_styles_are_refused(bad):
    with pytest.raises(ValueError, match="unknown"):
        svg_map(bad)


@pytest.mark.parametrize("kind", [*FIGURES, "route", "corridor", "uncovered", "closed", "focus"])
def test_legend_keys(kind):
    root = parse(legend_key(kind, k=1))
    assert root.tag == f"{SVG}svg"
    if kind in DASHES:
        (line,) = root.iter(f"{SVG}line")
        assert line.get("stroke") == COLOURS["route"][1]
        assert (line.get("stroke-dasharray") or "") == DASHES[kind]


def test_legend_key_unknown():
    with pytest.raises(ValueError):
        legend_key("sparkles")
