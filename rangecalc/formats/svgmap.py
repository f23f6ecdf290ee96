"""Static SVG maps: country outlines and names, closed airspace, bases, targets, routes, reach boundaries and
uncovered parts of regions, with a graticule and a scale bar, for reports.

The projection is equirectangular with longitudes scaled by the cosine of the map's middle latitude, so
shapes look right at the scale of a theatre (a few thousand kilometres); routes are drawn along their
geodesics. The scale bar is true along the middle parallel at the centre of the map (on the WGS84
ellipsoid); away from it the scale changes, as it does on any flat map of a theatre. Every label is
XML-escaped. No external resource is referenced: the SVG renders offline.
"""

import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import numpy as np
import shapely
from shapely.ops import polylabel

from ..geodesy import GEOD
from ..routes import geodesic_polyline

#: Colours, also used by the HTML report's legend.
COLOURS = {
    "land": "#f2efe9",
    "border": "#b9b2a6",
    "focus": "#fde8c8",
    "closed": "#f4c7c3",
    "closed_edge": "#c0392b",
    "route": ["#1f5fbf", "#2a9d4b", "#8e44ad", "#d35400"],
    "base": "#111111",
    "target": "#c0392b",
    "farthest": "#f39c12",
    "uncovered": "#6a1b9a",
}
#: SVG stroke-dasharray of each line style ("" is solid): reach boundaries per published figure, and routes
#: (the shortest flyable route solid, a recorded corridor dashed). Also for the HTML report's legend.
DASHES = {"low": "2 3", "nominal": "", "high": "9 4", "route": "", "corridor": "6 4"}
FIGURES = ("low", "nominal", "high")
ROUTE_STYLES = ("route", "corridor")
#: Id of the hatch pattern that fills uncovered parts (the same definition in every map and legend key).
HATCH_ID = "rangecalc-uncovered-hatch"


@dataclass
class MapLayers:
    """What to draw, bottom to top:

    - ``regions``: (name, geometry, style) or (name, geometry, style, label), style 'land', 'focus' or
      'closed'; the label (default: the name; '' for none) is written inside the region where it fits;
    - ``uncovered``: (name, geometry), parts of a region out of reach, hatched in ``COLOURS['uncovered']``;
    - ``reach``: (name, geometry, figure, colour index), reach boundaries drawn as outlines only (a polygon's
      boundary, or lines as given), dashed by figure ('low', 'nominal', 'high': :data:`DASHES`) in the
      route colour of the base;
    - ``routes``: (name, lons, lats, colour index) or (name, lons, lats, colour index, style), style
      'route' (solid, the default) or 'corridor' (dashed, e.g. a recorded flight corridor);
    - ``points``: (name, lon, lat, kind), kind 'base', 'target' or 'farthest'.

    The graticule and the region names lie over the regions, under everything else; point labels and the
    scale bar are on top, placed clear of markers and of each other.

    The map is framed on the points, the routes and the 'focus' regions; reach boundaries and uncovered
    parts count only where they overlap a focus region, so a 2,400 km ring does not widen the frame to a
    continent.
    """

    regions: list = field(default_factory=list)
    points: list = field(default_factory=list)
    routes: list = field(default_factory=list)
    reach: list = field(default_factory=list)
    uncovered: list = field(default_factory=list)


def _route_style(route):
    style = route[4] if len(route) > 4 else "route"
    if style not in ROUTE_STYLES:
        raise ValueError(f"unknown route style {style!r}; expected one of {', '.join(ROUTE_STYLES)}")
    return style


def _bounds(layers, margin_deg=1.5):
    lons, lats = [], []
    for _, lon, lat, _ in layers.points:
        lons.append(lon)
        lats.append(lat)
    for _, r_lons, r_lats, *_ in layers.routes:
        lons += list(r_lons)
        lats += list(r_lats)
    focus = [geometry for _, geometry, style, *_ in layers.regions if style == "focus"]
    extra = [entry[1] for entry in [*layers.reach, *layers.uncovered]]
    if focus:
        # Only where they overlap the focus: within its bounds, so this can only tighten, never widen.
        area = shapely.union_all(focus)
        extra = [shapely.intersection(g, area) for g in extra]
    elif lons:
        extra = []
    for geometry in [*focus, *extra]:
        if not geometry.is_empty:
            x0, y0, x1, y1 = geometry.bounds
            lons += [x0, x1]
            lats += [y0, y1]
    if not lons:
        raise ValueError("nothing to draw")
    return min(lons) - margin_deg, min(lats) - margin_deg, max(lons) + margin_deg, max(lats) + margin_deg


def map_frame(layers):
    """The frame (west, south, east, north), in degrees, that :func:`svg_map` draws for these layers."""
    return _bounds(layers)


def _hatch():
    c = COLOURS["uncovered"]
    return (
        f'<pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{c}" fill-opacity="0.15"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{c}" stroke-width="2.2" stroke-opacity="0.75"/></pattern>'
    )


POINT_KINDS = ("base", "target", "farthest")


def _marker(kind, x, y, content=""):
    """The marker of a point (SVG element) centred on pixel (x, y): a square base, a round target, a diamond
    for the farthest point."""
    if kind == "base":
        tag, shape = "rect", f'x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{COLOURS["base"]}"'
    elif kind == "farthest":
        tag, shape = (
            "path",
            (
                f'd="M{x:.1f},{y - 6:.1f} L{x + 6:.1f},{y:.1f} L{x:.1f},{y + 6:.1f} L{x - 6:.1f},{y:.1f} Z" '
                f'fill="{COLOURS["farthest"]}" stroke="#000" stroke-width="0.6"'
            ),
        )
    elif kind == "target":
        tag, shape = "circle", f'cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{COLOURS["target"]}"'
    else:
        raise ValueError(f"unknown point kind {kind!r}; expected one of {', '.join(POINT_KINDS)}")
    return f'<{tag} class="point {kind}" {shape}>{content}</{tag}>'


def _line_attributes(colour, dash, width):
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return f'fill="none" stroke="{colour}" stroke-width="{width}"{dashes} stroke-linejoin="round"'


def legend_key(kind, k=0, width=28, height=12, defs=True):
    """A small inline SVG (string) showing a map style, for a legend: a reach figure ('low', 'nominal',
    'high') or route style ('route', 'corridor') as a line in route colour ``k``; 'uncovered', 'closed',
    'focus' as a swatch; 'base', 'target', 'farthest' as the point's marker.

    ``defs=False`` leaves out the hatch pattern's definition, for a page that already holds it (a map with
    uncovered parts), so that its id stays unique in the page."""
    route_colour = COLOURS["route"][k % len(COLOURS["route"])]
    if kind in FIGURES or kind in ROUTE_STYLES:
        y = height / 2
        shape = f'<line x1="1" y1="{y}" x2="{width - 1}" y2="{y}" {_line_attributes(route_colour, DASHES[kind], 2)}/>'
    elif kind == "uncovered":
        shape = (
            (f"<defs>{_hatch()}</defs>" if defs else "")
            + f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" '
            f'fill="url(#{HATCH_ID})" stroke="{COLOURS["uncovered"]}"/>'
        )
    elif kind in POINT_KINDS:
        shape = _marker(kind, width / 2, height / 2)
    elif kind in ("closed", "focus"):
        edge = COLOURS["closed_edge"] if kind == "closed" else COLOURS["border"]
        shape = f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="{COLOURS[kind]}" stroke="{edge}"/>'
    else:
        raise ValueError(f"no legend key for {kind!r}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-hidden="true">{shape}</svg>'
    )


#: Graticule spacings in degrees, the finest that gives at most :data:`GRATICULE_LINES` lines across the map.
GRATICULE_STEPS = (1, 2, 5, 10, 20, 30)
GRATICULE_LINES = 8
#: Scale bar lengths are 1, 2 or 5 times a power of ten kilometres, the longest that fits this share of
#: the map's width.
SCALE_BAR_SHARE = 0.25
#: A rough width of a character of the sans-serif labels, as a share of the font size, for keeping labels
#: apart and inside the frame (generous, so that real text is no wider).
CHAR_WIDTH = 0.62
#: A white outline behind labels, so that they read over lines and fills.
HALO = 'stroke="#fff" stroke-width="3" stroke-opacity="0.85" stroke-linejoin="round" paint-order="stroke"'


def metres_per_degree_of_longitude(lat):
    """Length of one degree of longitude along the parallel at ``lat`` (degrees) on the WGS84 ellipsoid."""
    phi = math.radians(lat)
    normal_radius = GEOD.a / math.sqrt(1 - GEOD.es * math.sin(phi) ** 2)
    return math.radians(1) * normal_radius * math.cos(phi)


def nice_length(limit):
    """The longest 1, 2 or 5 times a power of ten that is at most ``limit`` (> 0)."""
    power = 10 ** math.floor(math.log10(limit))
    return max(m * power for m in (1, 2, 5) if m * power <= limit * (1 + 1e-12))


def graticule_step(span_deg):
    """Spacing of the graticule, in degrees, for a map ``span_deg`` across (its longer side)."""
    for step in GRATICULE_STEPS:
        if span_deg / step <= GRATICULE_LINES:
            return step
    return GRATICULE_STEPS[-1]


def _degrees(value, hemispheres):
    value = (value + 180) % 360 - 180 if hemispheres == "EW" else value
    if value == 0 or abs(value) == 180:
        return f"{abs(value):g}°"
    return f"{abs(value):g}°{hemispheres[0] if value > 0 else hemispheres[1]}"


def _text_box(x, y, text, size, anchor="start"):
    """Pixel box (x0, y0, x1, y1) a label at baseline (x, y) covers, estimated from its length."""
    w = len(text) * size * CHAR_WIDTH
    x0 = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
    return (x0, y - size * 0.8, x0 + w, y + size * 0.25)


def _overlaps(box, boxes, pad=2.0):
    x0, y0, x1, y1 = box
    return any(x0 < b[2] + pad and b[0] < x1 + pad and y0 < b[3] + pad and b[1] < y1 + pad for b in boxes)


def svg_map(layers, width=900, title=""):
    """An SVG document (string) of the layers, framed as :class:`MapLayers` says, with a graticule, a scale
    bar (true at the centre of the map) and the names of regions where they fit."""
    west, south, east, north = _bounds(layers)
    scale_x = math.cos(math.radians((south + north) / 2))
    height = int(width * (north - south) / ((east - west) * scale_x))

    def xy(lon, lat):
        return (lon - west) / (east - west) * width, (north - lat) / (north - south) * height

    def to_pixels(coords):
        coords = np.asarray(coords, dtype=float)
        x, y = xy(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    def points(coords):
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(lon, lat) for lon, lat in coords))

    def path(geometry):
        parts = []
        for polygon in shapely.get_parts(geometry):
            if not isinstance(polygon, shapely.Polygon):
                continue
            for ring in [polygon.exterior, *polygon.interiors]:
                parts.append(f"M{points(np.asarray(ring.coords))}Z")
        return " ".join(parts)

    def lines(geometry):
        if isinstance(geometry, shapely.Polygon | shapely.MultiPolygon):
            geometry = shapely.boundary(geometry)
        geometry = shapely.intersection(geometry, frame)
        parts = [
            g for g in shapely.get_parts(shapely.get_parts(geometry)) if isinstance(g, shapely.LineString)
        ]
        return " ".join(f"M{points(np.asarray(g.coords))}" for g in parts if len(g.coords) > 1)

    frame = shapely.box(west, south, east, north)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#dbe9f4"/>',
    ]
    if layers.uncovered:
        out.append(f"<defs>{_hatch()}</defs>")
    clipped_regions = []
    for region in layers.regions:
        name, geometry, style = region[:3]
        clipped = shapely.intersection(geometry, frame)
        if clipped.is_empty:
            continue
        clipped_regions.append((region[3] if len(region) > 3 else name, clipped))
        fill = {"focus": COLOURS["focus"], "closed": COLOURS["closed"]}.get(style, COLOURS["land"])
        stroke = COLOURS["closed_edge"] if style == "closed" else COLOURS["border"]
        out.append(
            f'<path d="{path(clipped)}" fill="{fill}" stroke="{stroke}" stroke-width="0.8" fill-rule="evenodd">'
            f"<title>{escape(name)}</title></path>"
        )

    # Boxes taken by the scale bar, markers and labels: point labels go where they hide no marker and no other
    # label, then graticule labels and region names where nothing else is.
    bar, bar_box = _scale_bar(west, east, south, north, width, height)
    markers = [(xy(lon, lat), kind) for _, lon, lat, kind in layers.points]
    radius = {"farthest": 6}
    marker_boxes = [(x - 6, y - 6, x + 6, y + 6) for (x, y), _ in markers]
    taken = [bar_box, *marker_boxes]
    point_labels = []
    for i, ((name, *_), ((x, y), kind)) in enumerate(zip(layers.points, markers, strict=True)):
        others = [box for box in taken if box is not marker_boxes[i]]  # a label sits next to its own marker
        anchor, tx, ty, box = _place_label(str(name), x, y, radius.get(kind, 4), width, height, others)
        taken.append(box)
        point_labels.append((name, anchor, tx, ty))
    graticule, graticule_boxes = _graticule(west, east, south, north, width, height, xy, taken)
    taken += graticule_boxes
    out.append(graticule)
    out += _region_names(clipped_regions, to_pixels, width, height, taken)

    for name, geometry in layers.uncovered:
        clipped = shapely.intersection(geometry, frame)
        d = "" if clipped.is_empty else path(clipped)
        if d:
            out.append(
                f'<path class="uncovered" d="{d}" fill="url(#{HATCH_ID})" stroke="{COLOURS["uncovered"]}" '
                f'stroke-width="1" fill-rule="evenodd"><title>{escape(name)}</title></path>'
            )
    for name, geometry, figure, k in layers.reach:
        if figure not in FIGURES:
            raise ValueError(f"unknown reach figure {figure!r}; expected one of {', '.join(FIGURES)}")
        d = lines(geometry)
        if d:
            colour = COLOURS["route"][k % len(COLOURS["route"])]
            out.append(
                f'<path class="reach {figure}" d="{d}" {_line_attributes(colour, DASHES[figure], 1.4)}>'
                f"<title>{escape(name)}</title></path>"
            )
    for route in layers.routes:
        name, lons, lats, k = route[:4]
        style = _route_style(route)
        dlons, dlats = geodesic_polyline(np.asarray(lons), np.asarray(lats), 20_000.0)
        colour = COLOURS["route"][k % len(COLOURS["route"])]
        dashes = f' stroke-dasharray="{DASHES[style]}"' if DASHES[style] else ""
        # Break the line where it crosses +-180, so that it does not streak across the whole map.
        breaks = np.nonzero(np.abs(np.diff(dlons)) > 180)[0] + 1
        for piece_lons, piece_lats in zip(np.split(dlons, breaks), np.split(dlats, breaks), strict=True):
            pts = points(zip(piece_lons, piece_lats, strict=True))
            out.append(
                f'<polyline class="{style}" points="{pts}" fill="none" stroke="{colour}" stroke-width="1.6"'
                f'{dashes} opacity="0.85">'
                f"<title>{escape(name)}</title></polyline>"
            )
    for ((x, y), kind), (name, *_) in zip(markers, point_labels, strict=True):
        out.append(_marker(kind, x, y, f"<title>{escape(str(name))}</title>"))
    # Labels after all markers, so that no label's halo hides a marker.
    for name, anchor, tx, ty in point_labels:
        end = ' text-anchor="end"' if anchor == "end" else ""
        out.append(
            f'<text class="point-label" x="{tx:.1f}" y="{ty:.1f}"{end} {HALO}>{escape(str(name))}</text>'
        )
    out.append(bar)
    out.append("</svg>")
    return "\n".join(out)


def _scale_bar(west, east, south, north, width, height):
    """The scale bar (SVG) in the bottom right corner and the box it takes.

    One pixel across is ``(east - west) / width`` degrees of longitude; at the middle latitude a degree of
    longitude is :func:`metres_per_degree_of_longitude` long, which gives the kilometres per pixel."""
    km_per_px = (east - west) / width * metres_per_degree_of_longitude((south + north) / 2) / 1000
    km = nice_length(SCALE_BAR_SHARE * width * km_per_px)
    length = km / km_per_px
    label = f"{km:,.0f} km" if km >= 1 else f"{km:g} km"
    x1, y = width - 14, height - 14
    x0 = x1 - length
    box = (x0 - 8, y - 26, x1 + 8, y + 8)
    ticks = " ".join(f"M{x:.1f},{y - 5} V{y}" for x in (x0, x0 + length / 2, x1))
    svg = (
        f'<g class="scale-bar" data-km="{km:g}" data-px="{length:.3f}">'
        f'<rect x="{box[0]:.1f}" y="{box[1]:.1f}" width="{box[2] - box[0]:.1f}" height="{box[3] - box[1]:.1f}" '
        'fill="#fff" fill-opacity="0.8" rx="3"/>'
        f'<path d="M{x0:.1f},{y} H{x1:.1f} {ticks}" fill="none" stroke="#222" stroke-width="1.5"/>'
        f'<text x="{(x0 + x1) / 2:.1f}" y="{y - 9}" text-anchor="middle" font-size="11" fill="#222">'
        f"{escape(label)}</text></g>"
    )
    return svg, box


def _label_spots_around(r):
    """Where a point's label may go, in order of preference (NE, SE, NW, SW, E, W): (anchor, dx, dy) from the
    point to the label's baseline, for a marker reaching ``r`` pixels from its centre."""
    return (
        ("start", r + 2, -(r + 2)),
        ("start", r + 2, r + 11),
        ("end", -(r + 2), -(r + 2)),
        ("end", -(r + 2), r + 11),
        ("start", r + 4, 4),
        ("end", -(r + 4), 4),
    )


def _place_label(text, x, y, r, width, height, taken, size=12):
    """Anchor, baseline and box of the label of a point whose marker reaches ``r`` pixels from it: the first
    of :func:`_label_spots_around` inside the map and clear of ``taken``; failing that, the first inside the
    map; failing that, the first."""
    spots = [
        (anchor, x + dx, y + dy, _text_box(x + dx, y + dy, text, size, anchor))
        for anchor, dx, dy in _label_spots_around(r)
    ]
    inside = [
        s for s in spots if s[3][0] >= 2 and s[3][2] <= width - 2 and s[3][1] >= 2 and s[3][3] <= height - 2
    ]
    clear = [s for s in inside if not _overlaps(s[3], taken)]
    return (clear or inside or spots)[0]


def _graticule(west, east, south, north, width, height, xy, taken):
    """Meridians and parallels every :func:`graticule_step` degrees, labelled along the bottom (longitude)
    and left (latitude) edges where the labels do not collide with ``taken`` boxes; the SVG and the boxes of
    its labels."""
    step = graticule_step(max(east - west, north - south))
    lons = [v * step for v in range(math.ceil(west / step), math.floor(east / step) + 1)]
    lats = [v * step for v in range(math.ceil(south / step), math.floor(north / step) + 1)]
    d, labels, boxes = [], [], []
    size = 10
    for lon in lons:
        x = xy(lon, 0)[0]
        d.append(f"M{x:.1f},0 V{height}")
        text = _degrees(lon, "EW")
        box = _text_box(x + 3, height - 4, text, size)
        if box[0] > 34 and box[2] < width - 2 and not _overlaps(box, taken):
            labels.append((x + 3, height - 4, text))
            boxes.append(box)
    for lat in lats:
        y = xy(0, lat)[1]
        d.append(f"M0,{y:.1f} H{width}")
        text = _degrees(lat, "NS")
        box = _text_box(3, y - 3, text, size)
        if box[1] > 2 and box[3] < height - 16 and not _overlaps(box, taken):
            labels.append((3, y - 3, text))
            boxes.append(box)
    svg = [
        f'<g class="graticule" data-step="{step}">'
        f'<path d="{" ".join(d)}" fill="none" stroke="#5b7590" stroke-width="0.6" stroke-opacity="0.35"/>'
    ]
    svg += [
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="#3d4f61" {HALO}>{escape(text)}</text>'
        for x, y, text in labels
    ]
    svg.append("</g>")
    return "".join(svg), boxes


def _label_spots(polygon, grid=12):
    """Places for a label in a polygon (pixels): its pole of inaccessibility, then points of a grid inside
    it, the farthest from its edge first."""
    centre = polylabel(polygon, tolerance=1.0)
    x0, y0, x1, y1 = polygon.bounds
    xs, ys = np.meshgrid(np.linspace(x0, x1, grid + 2)[1:-1], np.linspace(y0, y1, grid + 2)[1:-1])
    grid_points = shapely.points(xs.ravel(), ys.ravel())
    grid_points = grid_points[shapely.contains(polygon, grid_points)]
    depth = shapely.distance(grid_points, polygon.exterior)
    ordered = grid_points[np.argsort(-depth, kind="stable")]
    return [(centre.x, centre.y), *((p.x, p.y) for p in ordered)]


def _region_names(regions, to_pixels, width, height, taken, sizes=(13, 11)):
    """Names of regions (SVG text elements), largest region first, each in the largest part of the region
    inside the frame, at the first of :func:`_label_spots` where the name fits inside the region and clear
    of ``taken`` (which grows with each name placed); a smaller size is tried before giving up. Regions
    whose label is empty are not named."""
    placed = []
    parts = []
    for label, clipped in regions:
        if not label:
            continue
        polygons = [p for p in shapely.get_parts(clipped) if isinstance(p, shapely.Polygon) and p.area > 0]
        if polygons:
            parts.append((label, max(polygons, key=lambda p: p.area)))
    pixel_parts = [(label, shapely.transform(polygon, to_pixels)) for label, polygon in parts]
    pixel_parts.sort(key=lambda item: -item[1].area)
    for label, polygon in pixel_parts:
        polygon = shapely.make_valid(polygon)
        if polygon.is_empty or polygon.area < 400:
            continue
        largest = max(
            (p for p in shapely.get_parts(polygon) if isinstance(p, shapely.Polygon)), key=lambda p: p.area
        )
        for size in sizes:
            for x, y in _label_spots(largest):
                box = _text_box(x, y + size * 0.3, label, size, "middle")
                inside = shapely.box(*box)
                if (
                    box[0] >= 2
                    and box[2] <= width - 2
                    and box[1] >= 2
                    and box[3] <= height - 2
                    and largest.intersection(inside).area >= 0.9 * inside.area
                    and not _overlaps(box, taken)
                ):
                    break
            else:
                continue
            taken.append(box)
            placed.append(
                f'<text class="region-name" x="{x:.1f}" y="{y + size * 0.3:.1f}" text-anchor="middle" '
                f'font-size="{size}" fill="#7a6f62" letter-spacing="0.6" {HALO}>{escape(str(label))}</text>'
            )
            break
    return placed
