"""Static SVG maps: country outlines, closed airspace, bases, targets, routes, reach boundaries and uncovered
parts of regions, for reports.

The projection is equirectangular with longitudes scaled by the cosine of the map's middle latitude, so
shapes look right at the scale of a theatre (a few thousand kilometres); routes are drawn along their
geodesics. Every label is XML-escaped. No external resource is referenced: the SVG renders offline.
"""

import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import numpy as np
import shapely

from .routes import geodesic_polyline

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

    - ``regions``: (name, geometry, style), style 'land', 'focus' or 'closed';
    - ``uncovered``: (name, geometry), parts of a region out of reach, hatched in ``COLOURS['uncovered']``;
    - ``reach``: (name, geometry, figure, colour index), reach boundaries drawn as outlines only (a polygon's
      boundary, or lines as given), dashed by figure ('low', 'nominal', 'high': :data:`DASHES`) in the
      route colour of the base;
    - ``routes``: (name, lons, lats, colour index) or (name, lons, lats, colour index, style), style
      'route' (solid, the default) or 'corridor' (dashed, e.g. a recorded flight corridor);
    - ``points``: (name, lon, lat, kind), kind 'base', 'target' or 'farthest'.

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
    focus = [geometry for _, geometry, style in layers.regions if style == "focus"]
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


def _hatch():
    c = COLOURS["uncovered"]
    return (
        f'<pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{c}" fill-opacity="0.15"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{c}" stroke-width="2.2" stroke-opacity="0.75"/></pattern>'
    )


def _line_attributes(colour, dash, width):
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return f'fill="none" stroke="{colour}" stroke-width="{width}"{dashes} stroke-linejoin="round"'


def legend_key(kind, k=0, width=28, height=12):
    """A small inline SVG (string) showing a map style, for a legend: a reach figure ('low', 'nominal',
    'high') or route style ('route', 'corridor') as a line in route colour ``k``, or 'uncovered', 'closed',
    'focus' as a swatch."""
    route_colour = COLOURS["route"][k % len(COLOURS["route"])]
    if kind in FIGURES or kind in ROUTE_STYLES:
        y = height / 2
        shape = f'<line x1="1" y1="{y}" x2="{width - 1}" y2="{y}" {_line_attributes(route_colour, DASHES[kind], 2)}/>'
    elif kind == "uncovered":
        shape = (
            f'<defs>{_hatch()}</defs><rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" '
            f'fill="url(#{HATCH_ID})" stroke="{COLOURS["uncovered"]}"/>'
        )
    elif kind in ("closed", "focus"):
        edge = COLOURS["closed_edge"] if kind == "closed" else COLOURS["border"]
        shape = f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="{COLOURS[kind]}" stroke="{edge}"/>'
    else:
        raise ValueError(f"no legend key for {kind!r}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-hidden="true">{shape}</svg>'
    )


def svg_map(layers, width=900, title=""):
    """An SVG document (string) of the layers, framed as :class:`MapLayers` says."""
    west, south, east, north = _bounds(layers)
    scale_x = math.cos(math.radians((south + north) / 2))
    height = int(width * (north - south) / ((east - west) * scale_x))

    def xy(lon, lat):
        return (lon - west) / (east - west) * width, (north - lat) / (north - south) * height

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
    for name, geometry, style in layers.regions:
        clipped = shapely.intersection(geometry, frame)
        if clipped.is_empty:
            continue
        fill = {"focus": COLOURS["focus"], "closed": COLOURS["closed"]}.get(style, COLOURS["land"])
        stroke = COLOURS["closed_edge"] if style == "closed" else COLOURS["border"]
        out.append(
            f'<path d="{path(clipped)}" fill="{fill}" stroke="{stroke}" stroke-width="0.8" fill-rule="evenodd">'
            f"<title>{escape(name)}</title></path>"
        )
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
    for name, lon, lat, kind in layers.points:
        x, y = xy(lon, lat)
        if kind == "base":
            shape = f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{COLOURS["base"]}"/>'
        elif kind == "farthest":
            shape = (
                f'<path d="M{x:.1f},{y - 6:.1f} L{x + 6:.1f},{y:.1f} L{x:.1f},{y + 6:.1f} L{x - 6:.1f},{y:.1f} Z" '
                f'fill="{COLOURS["farthest"]}" stroke="#000" stroke-width="0.6"/>'
            )
        else:
            shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{COLOURS["target"]}"/>'
        out.append(f'<g>{shape}<text x="{x + 6:.1f}" y="{y - 6:.1f}">{escape(name)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)
