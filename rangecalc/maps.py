"""Static SVG maps: country outlines, closed airspace, bases, targets and routes, for reports.

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
}


@dataclass
class MapLayers:
    """What to draw: regions (name, geometry, style), points (name, lon, lat, kind), routes (name, lons,
    lats, colour index). The map is framed on the points, the routes and the 'focus' regions."""

    regions: list = field(default_factory=list)
    points: list = field(default_factory=list)
    routes: list = field(default_factory=list)


def _bounds(layers, margin_deg=1.5):
    lons, lats = [], []
    for _, lon, lat, _ in layers.points:
        lons.append(lon)
        lats.append(lat)
    for _, r_lons, r_lats, _ in layers.routes:
        lons += list(r_lons)
        lats += list(r_lats)
    for _, geometry, style in layers.regions:
        if style == "focus":
            x0, y0, x1, y1 = geometry.bounds
            lons += [x0, x1]
            lats += [y0, y1]
    if not lons:
        raise ValueError("nothing to draw")
    return min(lons) - margin_deg, min(lats) - margin_deg, max(lons) + margin_deg, max(lats) + margin_deg


def svg_map(layers, width=900, title=""):
    """An SVG document (string) of the layers, framed on its points and routes."""
    west, south, east, north = _bounds(layers)
    scale_x = math.cos(math.radians((south + north) / 2))
    height = int(width * (north - south) / ((east - west) * scale_x))

    def xy(lon, lat):
        return (lon - west) / (east - west) * width, (north - lat) / (north - south) * height

    def path(geometry):
        parts = []
        for polygon in shapely.get_parts(geometry):
            for ring in [polygon.exterior, *polygon.interiors]:
                coords = np.asarray(ring.coords)
                pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(lon, lat) for lon, lat in coords))
                parts.append(f"M{pts}Z")
        return " ".join(parts)

    frame = shapely.box(west, south, east, north)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#dbe9f4"/>',
    ]
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
    for name, lons, lats, k in layers.routes:
        dlons, dlats = geodesic_polyline(np.asarray(lons), np.asarray(lats), 20_000.0)
        colour = COLOURS["route"][k % len(COLOURS["route"])]
        # Break the line where it crosses +-180, so that it does not streak across the whole map.
        breaks = np.nonzero(np.abs(np.diff(dlons)) > 180)[0] + 1
        for piece_lons, piece_lats in zip(np.split(dlons, breaks), np.split(dlats, breaks), strict=True):
            pts = " ".join(
                f"{x:.1f},{y:.1f}" for x, y in (xy(a, b) for a, b in zip(piece_lons, piece_lats, strict=True))
            )
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.6" opacity="0.85">'
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
