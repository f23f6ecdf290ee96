"""Static maps of a :class:`~rangecalc.features.FeatureSet`: PNG or SVG a newspaper could print.

Drawn with matplotlib (the ``map`` extra: ``pip install 'rangecalc[map]'``), imported here only, with the
Agg canvas and no pyplot state. What is drawn, bottom to top: sea and land (Natural Earth country outlines
and borders), a graticule, the region asked about, closed airspace (hatched red), the parts of the region
out of reach (hatched), the reach areas (outlines dashed by figure, labelled on the line, direct rings
thin and flyable areas thick), routes, bases, waypoints, targets coloured by verdict (Okabe-Ito colours,
safe for colour-blind readers, and a shape per verdict for greyscale print), the farthest point, country
names, a scale bar, a legend, the title and the credit line.

The projection keeps reach rings honest: azimuthal equidistant about the base (every distance from the
base is true, so a reach ring is a circle), or for several bases an equidistant conic fitted to the frame
(standard parallels at 1/6 and 5/6 of its latitude span). The frame holds the bases, targets, waypoints,
routes and region, or the reach areas when there is nothing else. Labels follow ``docs/precision.md``:
radii to 10 km. Output is reproducible: no date in the SVG, fixed SVG ids, the same PNG bytes each run.

The layout is fixed in inches (8 in wide: text in points keeps its size relative to the map); the pixel
size sets the resolution, 200 dpi at the default 1600 x 1200 px. SVG text stays text (editable), in the
same 8 in wide page.
"""

import contextlib
import contextvars
import functools
import io
import math
import textwrap

import numpy as np
import shapely

from ..errors import UsageError

DEFAULT_SIZE_PX = (1600, 1200)
MAX_SIDE_PX = 8000
MIN_SIDE_PX = 200
#: The page is this wide whatever the pixel size; the pixel width sets the resolution (200 dpi by default).
PAGE_WIDTH_IN = 8.0
INSTALL_HINT = "PNG and SVG maps need matplotlib: pip install 'rangecalc[map]'"

FIGURES = ("low", "nominal", "high")
#: Matplotlib dash patterns of the reach figures (in line widths).
DASHES = {"low": (0, (1.2, 1.6)), "nominal": "solid", "high": (0, (5.0, 2.5))}
#: One colour per base for reach areas and routes (Okabe-Ito blue, reddish purple, black, sky blue).
BASE_COLOURS = ("#0072B2", "#CC79A7", "#222222", "#56B4E9")
COLOURS = {"sea": "#dde9f2", "text": "#222222", "country": "#77736b", "graticule_text": "#4f6b80"}
_CLOSED = "#c0392b"
_UNCOVERED = "#4b2c82"
#: How each area and line layer looks (matplotlib keyword arguments), in one place for a graphics desk.
STYLE = {
    "land": {"facecolor": "#f4f2ed", "edgecolor": "none", "zorder": 1},
    "border": {"colors": "#a39e94", "linewidths": 0.45, "zorder": 2},
    "graticule": {"colors": "#8ea7ba", "linewidths": 0.3, "alpha": 0.7, "zorder": 1.5},
    "region": {"facecolor": "#fdf1c9", "edgecolor": "none", "zorder": 1.2},
    "region_edge": {"colors": "#8a6d1f", "linewidths": 0.9, "zorder": 3},
    "closed": {"facecolor": (0.75, 0.22, 0.17, 0.10), "edgecolor": _CLOSED, "hatch": "////", "linewidth": 0,
               "zorder": 4},
    "closed_edge": {"colors": _CLOSED, "linewidths": 0.7, "zorder": 4},
    "uncovered": {"facecolor": "none", "edgecolor": _UNCOVERED, "hatch": "\\\\\\\\", "linewidth": 0.6,
                  "zorder": 5},
}  # fmt: skip
_EDGED = {"markeredgecolor": "#111111", "markeredgewidth": 0.6}
#: Point markers (matplotlib Line2D keyword arguments): targets by verdict in Okabe-Ito colours, safe for
#: colour-blind readers, each with its own shape for greyscale print.
MARKERS = {
    "base": {"marker": "s", "markersize": 5.5, "markerfacecolor": "#111111", "markeredgecolor": "white",
             "markeredgewidth": 0.8},
    "waypoint": {"marker": "^", "markersize": 4.5, "markerfacecolor": "white", **_EDGED},
    "farthest_point": {"marker": "*", "markersize": 8, "markerfacecolor": "#F0E442", **_EDGED},
    "in_reach": {"marker": "o", "markersize": 5, "markerfacecolor": "#009E73", **_EDGED},
    "depends": {"marker": "D", "markersize": 4.5, "markerfacecolor": "#E69F00", **_EDGED},
    "out_of_reach": {"marker": "X", "markersize": 5.5, "markerfacecolor": "#D55E00", **_EDGED},
    "target": {"marker": "o", "markersize": 5, "markerfacecolor": "#777777", **_EDGED},
}  # fmt: skip
FONT_SIZES = {"title": 11.0, "base": 7.5, "target": 6.5, "small": 6.0, "country": 6.5, "credit": 5.0}
LEGEND = {"fontsize": FONT_SIZES["small"], "framealpha": 0.92, "edgecolor": "#999999", "fancybox": False,
          "borderpad": 0.6, "handlelength": 2.6, "labelspacing": 0.45}  # fmt: skip
#: Labels on the map (matplotlib Text keyword arguments, and the width of their white halo in points).
TEXT = {
    "scale": {"fontsize": FONT_SIZES["small"], "color": COLOURS["text"], "ha": "center", "va": "bottom",
              "zorder": 15, "halo": 2.2},
    "reach": {"fontsize": FONT_SIZES["small"], "ha": "center", "va": "center", "rotation_mode": "anchor",
              "weight": "bold", "zorder": 11, "halo": 2.6},
    "graticule": {"fontsize": 5.0, "color": COLOURS["graticule_text"], "zorder": 12, "halo": 1.8},
    "country": {"fontsize": FONT_SIZES["country"], "color": COLOURS["country"], "ha": "center", "va": "center",
                "zorder": 8, "halo": 1.8},
}  # fmt: skip

_SIZE = contextvars.ContextVar("rangecalc_map_size", default=(None, None))


@contextlib.contextmanager
def map_size(width_px=None, height_px=None):
    """Within this block, maps drawn without an explicit size are ``width_px`` x ``height_px`` (either may
    be None). For callers that reach :func:`render_map` through other functions, as ``rangecalc map``
    does through the commands' own code."""
    token = _SIZE.set((width_px, height_px))
    try:
        yield
    finally:
        _SIZE.reset(token)


def map_pixels(width_px=None, height_px=None):
    """The pixel size of a map: as given, else as :func:`map_size` set, else 1600 x 1200; one side alone
    keeps the 4:3 shape. Sides must be whole numbers from 200 to 8,000 px, at most 4:1 either way."""
    context_w, context_h = _SIZE.get()
    if width_px is None and height_px is None:
        width_px, height_px = context_w, context_h
    for name, value in (("width", width_px), ("height", height_px)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise UsageError(f"map {name} must be a whole number of pixels, got {value!r}")
        if not MIN_SIDE_PX <= value <= MAX_SIDE_PX:
            raise UsageError(f"map {name} must be {MIN_SIDE_PX} to {MAX_SIDE_PX:,} px, got {value}")
    default_w, default_h = DEFAULT_SIZE_PX
    if width_px is None and height_px is None:
        return default_w, default_h
    if height_px is None:
        height_px = max(MIN_SIDE_PX, round(width_px * default_h / default_w))
    if width_px is None:
        width_px = round(height_px * default_w / default_h)
        if width_px > MAX_SIDE_PX:
            raise UsageError(
                f"map height {height_px} px would make it {width_px:,} px wide (4:3); give --width too"
            )
    width_px, height_px = int(width_px), int(height_px)
    if not 0.25 <= height_px / width_px <= 4:
        raise UsageError(f"map of {width_px} x {height_px} px: the sides must be within 4:1 of each other")
    return width_px, height_px


def _matplotlib():
    try:
        import matplotlib  # first: a missing package is found before a cached submodule hides it
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return matplotlib, Figure, FigureCanvasAgg


def _rc():
    return {
        "svg.hashsalt": "rangecalc",
        "svg.fonttype": "none",  # text stays text: editable and searchable
        "font.family": "DejaVu Sans",
        "hatch.linewidth": 0.6,
        "path.simplify": True,
        "axes.unicode_minus": False,
    }


def render_map(feature_set, fmt, *, width_px=None, height_px=None):
    """``feature_set`` drawn as a map: PNG bytes (``fmt='png'``) or SVG text (``fmt='svg'``) of
    ``width_px`` x ``height_px`` pixels (see :func:`map_pixels`; SVG has the same 8 in wide page)."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"not a map format: {fmt!r}")
    width_px, height_px = map_pixels(width_px, height_px)
    matplotlib, Figure, FigureCanvasAgg = _matplotlib()
    from .. import __version__

    credit = _credit(feature_set.credit)
    with matplotlib.rc_context(_rc()):
        dpi = width_px / PAGE_WIDTH_IN
        figure = Figure(figsize=(PAGE_WIDTH_IN, _page_height(height_px, dpi)), dpi=dpi)
        FigureCanvasAgg(figure)
        _Map(figure, feature_set, credit).draw()
        buffer = io.BytesIO()
        software = f"rangecalc {__version__} (matplotlib {matplotlib.__version__})"
        if fmt == "png":
            metadata = {"Title": feature_set.title, "Source": credit, "Software": software}
            figure.savefig(buffer, format="png", dpi=dpi, metadata=metadata)
            return buffer.getvalue()
        metadata = {"Title": feature_set.title, "Description": credit, "Creator": software, "Date": None}
        figure.savefig(buffer, format="svg", metadata=metadata)
        return buffer.getvalue().decode("utf-8")


def _page_height(height_px, dpi):
    """The page height in inches that Agg turns into exactly ``height_px`` (it truncates to whole
    pixels, so a height a rounding error short would lose a row)."""
    height_in = height_px / dpi
    while int(height_in * dpi) < height_px:
        height_in = float(np.nextafter(height_in, math.inf))
    return height_in


def _credit(text):
    text = (text or "").strip()
    if "natural earth" not in text.lower():
        text = f"{text}; borders: Natural Earth (public domain)" if text else "Borders: Natural Earth"
    return text


# --- numbers shown ---------------------------------------------------------------------------------------


def _round10(value):
    """A distance for a label, to 10 units (docs/precision.md: radii to 10 km)."""
    return f"{round(value, -1):,.0f}"


def _value(properties, quantity, unit):
    """The first non-null ``{quantity}_{unit}`` property (``radius_km``, ``length_nm``...) and its unit, or
    (None, ``unit``)."""
    for key, value in properties.items():
        name, _, key_unit = key.rpartition("_")
        if name == quantity and key_unit in ("km", "nm", "mi") and value is not None:
            return float(value), key_unit
    return None, unit


def _flyable(properties):
    """Whether a feature is about flyable routes (rules in words), not direct geodesics."""
    return properties.get("routing") not in (None, "", "direct")


def _degrees(value, axis):
    value = float(value)
    if axis == "lon":
        value = (value + 180.0) % 360.0 - 180.0
        if abs(abs(value) - 180.0) < 1e-9:
            return "180°"
        hemisphere = "E" if value > 0 else "W"
    else:
        hemisphere = "N" if value > 0 else "S"
    if abs(value) < 1e-9:
        return "0°"
    return f"{abs(value):g}°{hemisphere}"


# --- projection ------------------------------------------------------------------------------------------


def _unit_vectors(lons, lats):
    lon, lat = np.radians(lons), np.radians(lats)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _centre(coords):
    """The (lon, lat) centre of points on the sphere (mean of unit vectors), robust across +-180."""
    mean = _unit_vectors(coords[:, 0], coords[:, 1]).mean(axis=0)
    norm = np.linalg.norm(mean)
    if norm < 1e-9:
        return float(coords[0, 0]), float(coords[0, 1])
    x, y, z = mean / norm
    return math.degrees(math.atan2(y, x)), math.degrees(math.asin(max(-1.0, min(1.0, z))))


def projection_for(bases, frame_coords):
    """The PROJ string of the map: azimuthal equidistant about the one base (or the frame's centre when
    there is none); for several bases an equidistant conic with standard parallels at 1/6 and 5/6 of the
    frame's latitude span (equidistant cylindrical when that span straddles the equator evenly)."""
    distinct = {(round(lon, 6), round(lat, 6)) for lon, lat in bases}
    ellipsoid = "+ellps=WGS84 +units=m +no_defs"
    if len(distinct) <= 1:
        lon, lat = next(iter(distinct)) if distinct else _centre(frame_coords)
        return f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f} {ellipsoid}"
    lon_0, _ = _centre(frame_coords)
    south, north = float(frame_coords[:, 1].min()), float(frame_coords[:, 1].max())
    lat_1, lat_2 = south + (north - south) / 6, north - (north - south) / 6
    lat_0 = (south + north) / 2
    if abs(lat_1 + lat_2) < 1.0:
        lat_ts = (abs(lat_1) + abs(lat_2)) / 2
        return f"+proj=eqc +lat_ts={lat_ts:.6f} +lat_0=0 +lon_0={lon_0:.6f} {ellipsoid}"
    return (
        f"+proj=eqdc +lat_0={lat_0:.6f} +lon_0={lon_0:.6f} +lat_1={lat_1:.6f} +lat_2={lat_2:.6f} {ellipsoid}"
    )


class _Projection:
    def __init__(self, proj):
        from pyproj import CRS, Transformer

        crs = CRS.from_proj4(proj)
        self.proj = proj
        self._forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self._inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def xy(self, lons, lats):
        return self._forward.transform(np.asarray(lons, float), np.asarray(lats, float))

    def lonlat(self, xs, ys):
        return self._inverse.transform(np.asarray(xs, float), np.asarray(ys, float))

    def geometry(self, geometry, densify_deg=0.25):
        """``geometry`` (lon/lat) densified and projected; invalid results are repaired."""
        if geometry is None or geometry.is_empty:
            return None
        if shapely.get_dimensions(geometry) > 0:
            geometry = shapely.segmentize(geometry, densify_deg)

        def forward(coords):
            x, y = self._forward.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        projected = shapely.transform(geometry, forward)
        if not np.isfinite(shapely.get_coordinates(projected)).all():
            return None
        if shapely.get_dimensions(projected) == 2 and not projected.is_valid:
            projected = shapely.make_valid(projected)
        return projected

    def scale(self, x, y, d=1000.0):
        """Projected metres per metre on the ground along the map's x axis at (x, y)."""
        from ..geodesy import distance

        lons, lats = self.lonlat([x - d, x + d], [y, y])
        return 2 * d / float(distance(lons[0], lats[0], lons[1], lats[1]))


def _lonlat_boxes(projection, frame):
    """Lon/lat boxes (one, or two across +-180) that hold the projected ``frame`` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = frame
    t = np.linspace(0.0, 1.0, 101)
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full_like(t, x1), x1 - (x1 - x0) * t, np.full_like(t, x0)])
    ys = np.concatenate([np.full_like(t, y0), y0 + (y1 - y0) * t, np.full_like(t, y1), y1 - (y1 - y0) * t])
    lons, lats = projection.lonlat(xs, ys)
    ok = np.isfinite(lons) & np.isfinite(lats)
    if not ok.all():
        return [shapely.box(-180, -90, 180, 90)]
    south, north = lats.min() - 1.0, lats.max() + 1.0
    poles = []
    for pole in (90.0, -90.0):
        px, py = projection.xy(0.0, pole)
        if np.isfinite(px) and x0 <= px <= x1 and y0 <= py <= y1:
            poles.append(pole)
    if poles:
        return [shapely.box(-180, -90 if -90.0 in poles else south, 180, 90 if 90.0 in poles else north)]
    unwrapped = np.degrees(np.unwrap(np.radians(lons)))
    west, east = unwrapped.min() - 1.0, unwrapped.max() + 1.0
    south, north = max(south, -90.0), min(north, 90.0)
    if east - west >= 360.0:
        return [shapely.box(-180, south, 180, north)]
    shift = 360.0 * math.floor((west + 180.0) / 360.0)
    west, east = west - shift, east - shift
    boxes = [shapely.box(west, south, min(east, 180.0), north)]
    if east > 180.0:
        boxes.append(shapely.box(-180.0, south, east - 360.0, north))
    return boxes


# --- geometry helpers ------------------------------------------------------------------------------------


def _outline(geometry, grid=False):
    """The boundary of a polygon without its stretches along +-180 deg and the poles (where features are
    cut or closed, not real edges), and for a contoured area (``grid``) along its grid's frame."""
    boundary = shapely.boundary(geometry)
    cuts = [
        shapely.LineString([(-180, -90), (-180, 90)]),
        shapely.LineString([(180, -90), (180, 90)]),
        shapely.LineString([(-180, 90), (180, 90)]),
        shapely.LineString([(-180, -90), (180, -90)]),
    ]
    if grid:
        west, south, east, north = geometry.bounds
        cuts.append(shapely.box(west, south, east, north).exterior)
    return shapely.difference(boundary, shapely.buffer(shapely.union_all(cuts), 1e-9))


def _off_closed(outline, closed, properties):
    """A flyable reach outline without its stretches along closed airspace: there the area stops because
    the airspace is closed, not because the radius runs out, and a line labelled with a radius would say
    otherwise (the hatched closed airspace shows that edge). Stretches within 1.5 grid spacings of it go."""
    if closed is None or closed.is_empty:
        return outline
    step = max(
        float(properties.get("grid_step_lat_deg") or 0), float(properties.get("grid_step_lon_deg") or 0)
    )
    return shapely.difference(outline, shapely.buffer(closed, 1.5 * step if step else 0.05))


def _polygon_path(geometry):
    from matplotlib.path import Path

    vertices, codes = [], []
    for polygon in shapely.get_parts(geometry):
        if not isinstance(polygon, shapely.Polygon) or polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 4:
                continue
            vertices.append(xy)
            codes.append([Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY])
    if not vertices:
        return None
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _line_parts(geometry):
    """Coordinate arrays of the lines of ``geometry`` (polygons give their boundaries)."""
    if geometry is None or geometry.is_empty:
        return []
    if shapely.get_dimensions(geometry) == 2:
        geometry = shapely.boundary(geometry)
    parts = []
    for part in shapely.get_parts(geometry):
        for line in shapely.get_parts(
            shapely.line_merge(part) if part.geom_type == "MultiLineString" else part
        ):
            if isinstance(line, shapely.LineString) and len(line.coords) > 1:
                parts.append(np.asarray(line.coords))
    return parts


def _polygonal(geometry):
    """The polygons of ``geometry`` (collections flattened) as one oriented (Multi)Polygon, or None."""
    if geometry is None or geometry.is_empty:
        return None
    parts = [
        q
        for p in shapely.get_parts(geometry)
        for q in shapely.get_parts(p)
        if isinstance(q, shapely.Polygon) and q.area > 0
    ]
    if not parts:
        return None
    return shapely.orient_polygons(parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts))


def _geodesic_lines(geometry, step_m=20_000.0):
    """Lines densified along their geodesic segments (routes are geodesics, not straight lon/lat)."""
    from ..routes import geodesic_polyline

    lines = []
    for part in shapely.get_parts(geometry):
        xy = np.asarray(part.coords)
        if len(xy) < 2:
            continue
        lons, lats = geodesic_polyline(xy[:, 0], xy[:, 1], step_m)
        lines.append(shapely.LineString(np.column_stack([lons, lats])))
    return shapely.MultiLineString(lines) if len(lines) > 1 else (lines[0] if lines else None)


def _label_spots(polygon, n=7):
    """Where a name may go in ``polygon``, best first: the centre of its largest inscribed circle, then
    the points of an n x n grid inside it, nearest that centre first."""
    circle = shapely.maximum_inscribed_circle(polygon, 0.001 * math.sqrt(polygon.area))
    cx, cy = shapely.get_coordinates(circle)[0]
    x0, y0, x1, y1 = polygon.bounds
    xs, ys = np.meshgrid(np.linspace(x0, x1, n + 2)[1:-1], np.linspace(y0, y1, n + 2)[1:-1])
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    grid = grid[shapely.contains_xy(polygon, grid[:, 0], grid[:, 1])]
    grid = grid[np.argsort(np.hypot(grid[:, 0] - cx, grid[:, 1] - cy))]
    return [(float(cx), float(cy))] + [(float(x), float(y)) for x, y in grid]


@functools.cache
def _halo_text_class():
    """A matplotlib Text drawn twice: its outline stroked white (a halo that keeps it legible over lines),
    then the text itself, which stays text (an SVG <text> element a graphics desk can edit)."""
    from matplotlib import patheffects
    from matplotlib.text import Text

    class HaloText(Text):
        halo = 2.2

        def draw(self, renderer):
            if not self.get_visible():
                return
            gid = self.get_gid()
            self.set_gid(None if gid is None else f"{gid}-halo")  # SVG ids stay unique
            self.set_path_effects([patheffects.Stroke(linewidth=self.halo, foreground="white")])
            super().draw(renderer)
            self.set_gid(gid)
            self.set_path_effects([])
            super().draw(renderer)

    return HaloText


def _world_regions():
    from ..data import load_catalog
    from ..regions import WORLD_SOURCE, all_regions

    return [r for r in all_regions(load_catalog(None)).values() if r.source == WORLD_SOURCE]


# --- the map ---------------------------------------------------------------------------------------------

#: Kinds the frame is fitted to; reach areas only when there is nothing else.
FRAME_KINDS = ("region", "basing_area", "route", "corridor", "base", "waypoint", "target", "farthest_point")
MARGIN_IN = 0.12


class _Map:
    """One map being drawn on ``figure``: the layers from a feature set, then the labels, placed greedily
    where they cover nothing already placed (display-space boxes in ``occupied``)."""

    def __init__(self, figure, feature_set, credit):
        self.figure = figure
        self.fs = feature_set
        self.credit = credit
        self.features = list(feature_set.features)
        self.by_kind = {}
        for feature in self.features:
            self.by_kind.setdefault(feature.properties.get("kind"), []).append(feature)
        self.renderer = figure.canvas.get_renderer()
        self.occupied = []  # display-space boxes of what labels must not cover
        self.markers = []  # the markers' boxes among them, which the legend must cover least of all
        self.routes = []  # projected route lines, which country names keep off
        self.closed_edges = []  # projected borders of closed airspace, which reach labels keep off
        self.legend = []  # (handle, label)
        self.unit = feature_set.meta.get("unit") or next(
            (
                u
                for f in self.features
                for q in ("radius", "distance", "length")
                if (u := _value(f.properties, q, None)[1])
            ),
            "km",
        )
        self._base_colours = {}
        for feature in self.by_kind.get("base", []):
            self._colour_of(feature.properties.get("name"))

    # -- layout --

    def draw(self):
        frame_coords, bases = self._frame_coords()
        self.projection = _Projection(projection_for(bases, frame_coords))
        self._layout_page()
        self._fit_frame()
        self._draw_land()
        self._draw_graticule()
        self._draw_areas()
        self._draw_reach()
        self._draw_routes()
        self._draw_points()
        self._place_point_labels()
        self._draw_legend_and_scale()
        self._place_reach_labels()
        self._place_graticule_labels()
        self._place_country_names()

    def _colour_of(self, base):
        if base not in self._base_colours:
            self._base_colours[base] = BASE_COLOURS[len(self._base_colours) % len(BASE_COLOURS)]
        return self._base_colours[base]

    def _frame_coords(self):
        bases = [tuple(c) for f in self.by_kind.get("base", []) for c in shapely.get_coordinates(f.geometry)]
        frame = [f.geometry for k in FRAME_KINDS for f in self.by_kind.get(k, [])]
        if not [g for k in FRAME_KINDS if k != "base" for g in self.by_kind.get(k, [])]:
            frame += [f.geometry for f in self.by_kind.get("reach_area", [])]
            frame += [f.geometry for f in self.by_kind.get("uncovered", [])]
        if not frame:
            frame = [f.geometry for f in self.features]
        if not frame:
            raise UsageError("nothing to map: the result has no map features")
        self.frame_geometries = frame
        coords = shapely.get_coordinates([shapely.segmentize(g, 1.0) for g in frame])
        return coords, bases

    def _wrapped_text(self, text, fontsize, width_px, **kwargs):
        """A figure text of ``text`` wrapped to ``width_px``; returns the artist and its height in px."""
        artist = self.figure.text(0, 0, text, fontsize=fontsize, **kwargs)
        chars = max(len(text), 1)
        while True:
            artist.set_text(textwrap.fill(text, chars, break_long_words=False, break_on_hyphens=False))
            box = artist.get_window_extent(self.renderer)
            if box.width <= width_px or chars <= 20:
                return artist, box.height
            chars = max(20, int(chars * width_px / box.width) - 1)

    def _layout_page(self):
        fig = self.figure
        width_in, height_in = fig.get_size_inches()
        dpi = fig.dpi
        usable_px = (width_in - 2 * MARGIN_IN) * dpi
        title, title_px = self._wrapped_text(
            self.fs.title or "", FONT_SIZES["title"], usable_px, weight="bold", color=COLOURS["text"]
        )
        title.set_gid("title")
        title.set_position((MARGIN_IN / width_in, 1 - MARGIN_IN / height_in))
        title.set_verticalalignment("top")
        credit, credit_px = self._wrapped_text(
            self.credit, FONT_SIZES["credit"], usable_px, color="#555555", linespacing=1.3
        )
        credit.set_gid("credit")
        credit.set_position((MARGIN_IN / width_in, 0.6 * MARGIN_IN / height_in))
        credit.set_verticalalignment("bottom")
        top_in = height_in - MARGIN_IN - title_px / dpi - 0.08
        bottom_in = 0.6 * MARGIN_IN + credit_px / dpi + 0.06
        if top_in - bottom_in < 0.3 * height_in:
            raise UsageError("the map is too small for its title and credit; give it more height")
        self.axes = fig.add_axes(
            [
                MARGIN_IN / width_in,
                bottom_in / height_in,
                1 - 2 * MARGIN_IN / width_in,
                (top_in - bottom_in) / height_in,
            ]
        )
        self.axes.set_facecolor(COLOURS["sea"])
        self.axes.set_xticks([])
        self.axes.set_yticks([])
        for spine in self.axes.spines.values():
            spine.set_edgecolor("#555555")
            spine.set_linewidth(0.6)
        self.aspect = (1 - 2 * MARGIN_IN / width_in) * width_in / (top_in - bottom_in)

    def _fit_frame(self):
        projected = [self.projection.geometry(g, 0.5) for g in self.frame_geometries]
        projected = [g for g in projected if g is not None]
        if not projected:
            raise UsageError("nothing to map: the features cannot be projected")
        x0, y0, x1, y1 = shapely.bounds(shapely.GeometryCollection(projected))
        span = max(x1 - x0, y1 - y0)
        pad = max(0.1 * span, 60_000.0)
        x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
        width, height = max(x1 - x0, 400_000.0), max(y1 - y0, 300_000.0)
        if width / height < self.aspect:
            width = height * self.aspect
        else:
            height = width / self.aspect
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        self.frame = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
        self.axes.set_xlim(self.frame[0], self.frame[2])
        self.axes.set_ylim(self.frame[1], self.frame[3])
        x0, y0, x1, y1 = self.frame
        self.view = shapely.box(*self.frame)
        # Clip a little outside the view, so that the cut edges are not drawn.
        grow = 0.01 * width
        self.clip = shapely.box(x0 - grow, y0 - grow, x1 + grow, y1 + grow)
        self.boxes = _lonlat_boxes(self.projection, (x0 - grow, y0 - grow, x1 + grow, y1 + grow))
        self.lonlat_area = shapely.union_all(self.boxes)
        self.axes_box = self.axes.get_window_extent(self.renderer)

    def _project(self, geometry, densify_deg=0.25, clip=True):
        """``geometry`` cut to the map's lon/lat boxes, projected and cut to the view (None if nothing
        is left)."""
        if geometry is None or geometry.is_empty:
            return None
        cut = shapely.intersection(geometry, self.lonlat_area)
        if cut.is_empty:
            return None
        projected = self.projection.geometry(cut, densify_deg)
        if projected is None:
            return None
        if clip:
            projected = shapely.intersection(projected, self.clip)
        return None if projected.is_empty else projected

    def _fill(self, geometry, gid, **style):
        from matplotlib.patches import PathPatch

        path = _polygon_path(_polygonal(geometry))
        if path is None:
            return None
        patch = PathPatch(path, **style)
        patch.set_gid(gid)
        self.axes.add_patch(patch)
        return patch

    def _lines(self, parts, gid, **style):
        from matplotlib.collections import LineCollection

        if not parts:
            return None
        collection = LineCollection(parts, **style)
        collection.set_gid(gid)
        self.axes.add_collection(collection)
        return collection

    # -- layers --

    def _draw_land(self):
        self.countries = []
        for region in _world_regions():
            if not shapely.intersects(region.geometry, self.lonlat_area):
                continue
            projected = self._project(region.geometry)
            if projected is None:
                continue
            self.countries.append((region, projected))
            self._fill(projected, f"land-{region.id}", **STYLE["land"])
            border = self._project(_outline(region.geometry))
            self._lines(_line_parts(border), f"border-{region.id}", **STYLE["border"])

    def _draw_graticule(self):
        _, south, _, north = self.lonlat_area.bounds
        lon_span = sum(b.bounds[2] - b.bounds[0] for b in self.boxes)
        span = max(lon_span * math.cos(math.radians((south + north) / 2)), north - south)
        step = next((s for s in (0.5, 1, 2, 5, 10, 15, 20, 30, 45) if span / s <= 8), 60)
        self.graticule = {"lon": [], "lat": []}
        lat_lo, lat_hi = max(south, -89.9), min(north, 89.9)
        samples = np.linspace(lat_lo, lat_hi, 200)
        lon_samples, meridians = [], set()
        for box in self.boxes:
            bw, _, be, _ = box.bounds
            lon_samples.append(np.linspace(bw, be, 200))
            for lon in np.arange(math.ceil(bw / step) * step, be + 1e-9, step):
                meridians.add(-180.0 if lon >= 180.0 else round(float(lon), 9))
        lines = [
            ("lon", lon, np.column_stack([np.full_like(samples, lon), samples])) for lon in sorted(meridians)
        ]
        lines += [
            ("lat", lat, np.column_stack([lons, np.full_like(lons, lat)]))
            for lat in np.arange(math.ceil(lat_lo / step) * step, lat_hi + 1e-9, step)
            for lons in lon_samples
        ]
        parts = []
        for axis, value, coords in lines:
            projected = self._project(shapely.LineString(coords), clip=False)
            if projected is not None:
                projected = shapely.intersection(projected, self.view)
                self.graticule[axis].append((value, projected))
                parts += _line_parts(projected)
        self._lines(parts, "graticule", **STYLE["graticule"])

    def _draw_area(self, feature, gid, fill, edge=None):
        """One polygon feature, filled in ``STYLE[fill]`` and outlined in ``STYLE[edge]``; whether any of it
        is in view."""
        projected = self._project(feature.geometry)
        if projected is None or not projected.intersects(self.view):
            return False
        self._fill(projected, gid, **STYLE[fill])
        if edge:
            outline = self._project(_outline(feature.geometry))
            self._lines(_line_parts(outline), f"{gid}-edge", **STYLE[edge])
            if fill == "closed" and outline is not None:
                self.closed_edges.append(outline)
        return True

    @staticmethod
    def _area_key(fill, edge=None):
        from matplotlib.patches import Patch

        style = STYLE[fill]
        edgecolor = STYLE[edge]["colors"] if edge else style["edgecolor"]
        return Patch(
            facecolor=style["facecolor"], edgecolor=edgecolor, hatch=style.get("hatch"), linewidth=0.7
        )

    def _draw_areas(self):
        for k, feature in enumerate(self.by_kind.get("region", [])):
            if self._draw_area(feature, f"region-{k}", "region", "region_edge"):
                name = feature.properties.get("name") or "region"
                self.legend.append(
                    (self._area_key("region", "region_edge"), f"{name}: the region asked about")
                )
        closed = self.by_kind.get("closed_airspace", [])
        if any(
            [
                self._draw_area(f, f"closed-airspace-{k}", "closed", "closed_edge")
                for k, f in enumerate(closed)
            ]
        ):
            self.legend.append((self._area_key("closed", "closed_edge"), "closed airspace"))
        uncovered = self.by_kind.get("uncovered", [])
        # Each figure's uncovered part holds the next one's: the nominal figure's is drawn (else the first).
        shown = [f for f in uncovered if f.properties.get("figure") == "nominal"] or uncovered[:1]
        if any([self._draw_area(f, f"uncovered-{k}", "uncovered") for k, f in enumerate(shown)]):
            figure = shown[0].properties.get("figure") or "nominal"
            self.legend.append((self._area_key("uncovered"), f"out of reach under the {figure} figure"))

    def _draw_reach(self):
        from matplotlib.lines import Line2D

        areas = self.by_kind.get("reach_area", []) + self.by_kind.get("basing_area", [])
        self._closed_lonlat = shapely.union_all([f.geometry for f in self.by_kind.get("closed_airspace", [])])
        both = len({_flyable(f.properties) for f in areas}) == 2  # direct rings and flyable areas
        single_base = len({f.properties.get("base") for f in areas}) <= 1
        self.reach_lines = []
        keys = {}
        for k, feature in enumerate(areas):
            p = feature.properties
            figure = p.get("figure") if p.get("figure") in FIGURES else "nominal"
            flyable = _flyable(p)
            outline = _outline(feature.geometry, grid="grid_step_lat_deg" in p)
            if flyable:
                outline = _off_closed(outline, self._closed_lonlat, p)
            outline = self._project(outline)
            parts = _line_parts(outline)
            if not parts:
                continue
            colour = self._colour_of(p.get("base"))
            strong = flyable or not both
            style = {"linewidths": 1.5 if strong else 0.8, "alpha": 1.0 if strong else 0.7}
            self._lines(parts, f"reach-{figure}-{k}", colors=colour, linestyles=DASHES[figure], zorder=6,
                        capstyle="butt", **style)  # fmt: skip
            self.reach_lines.append((parts, colour, self._reach_label(p, figure, flyable, both)))
            mode = " on flyable routes" if flyable else " direct" if both else ""
            keys.setdefault((FIGURES.index(figure), flyable), (
                Line2D([], [], color=colour if single_base else "#444444", lw=style["linewidths"],
                       linestyle=DASHES[figure], alpha=style["alpha"]),
                f"{'basing area' if p.get('kind') == 'basing_area' else 'reach'}, {figure} figure{mode}",
            ))  # fmt: skip
        self.legend += [keys[key] for key in sorted(keys)]
        # A flyable area contoured over a region stops where its grid stops: say where that is.
        extents = {f.properties.get("extent") for f in areas if _flyable(f.properties)} - {
            None,
            "the whole reach",
        }
        for extent in sorted(extents):
            note = f"flyable reach drawn over {extent}".replace(" deg ", "° ")
            self.legend.append((Line2D([], [], linestyle="none"), note))
        if not single_base:
            for base, colour in self._base_colours.items():
                if any(f.properties.get("base") == base for f in areas):
                    self.legend.append((Line2D([], [], color=colour, lw=3), f"reach from {base}"))

    def _draw_routes(self):
        from matplotlib.lines import Line2D

        for kind, dash in (("route", "solid"), ("corridor", (0, (4, 2)))):
            features = self.by_kind.get(kind, [])
            if not features:
                continue
            label = "recorded corridor"
            if kind == "route":
                flyable = any(_flyable(f.properties) for f in features)
                label = "shortest flyable route" if flyable else "direct route (geodesic)"
            if len(features) == 1:
                length, unit = _value(features[0].properties, "length", self.unit)
                label += "" if length is None else f", {_round10(length)} {unit}"
            colours = set()
            width = 1.3 if len(features) <= 6 else 0.9  # many routes: thinner, so that they stay apart
            for k, feature in enumerate(features):
                base = feature.properties.get("base") or feature.properties.get("from")
                colour = self._colour_of(base) if base in self._base_colours else BASE_COLOURS[0]
                colours.add(colour)
                projected = self._project(_geodesic_lines(feature.geometry), densify_deg=1.0)
                if projected is not None:
                    self.routes.append(projected)
                self._lines(_line_parts(projected), f"{kind}-{k}", colors=colour, linewidths=width,
                            linestyles=dash, alpha=0.9, zorder=7)  # fmt: skip
            colour = colours.pop() if len(colours) == 1 else "#444444"
            self.legend.append((Line2D([], [], color=colour, lw=width, linestyle=dash), label))

    def _draw_points(self):
        from matplotlib.lines import Line2D

        from ..reach import VERDICTS

        self.points = []  # ((x, y), label, font size, weight)
        keys = {}
        kinds = (
            ("base", FONT_SIZES["base"], "bold"),
            ("waypoint", FONT_SIZES["small"], "normal"),
            ("target", FONT_SIZES["target"], "normal"),
            ("farthest_point", FONT_SIZES["small"], "normal"),
        )
        for kind, fontsize, weight in kinds:
            for k, feature in enumerate(self.by_kind.get(kind, [])):
                p = feature.properties
                style = kind
                if kind == "target" and p.get("verdict") in MARKERS:
                    style = p["verdict"]
                label = self._farthest_label(p) if kind == "farthest_point" else p.get("name", "")
                for lon, lat in shapely.get_coordinates(feature.geometry):
                    x, y = (float(v) for v in self.projection.xy(lon, lat))
                    (marker,) = self.axes.plot([x], [y], linestyle="none", zorder=9, **MARKERS[style])
                    marker.set_gid(f"{kind.replace('_', '-')}-{k}")
                    marker.set_clip_on(False)
                    self.points.append(((x, y), label, fontsize, weight))
                    self.markers.append(marker.get_window_extent(self.renderer))
                    self.occupied.append(self.markers[-1])
                if style not in keys:
                    text = {
                        "base": "base",
                        "waypoint": "waypoint",
                        "farthest_point": "farthest point of the region from the bases",
                        "target": "target",
                    }.get(style) or f"target {VERDICTS[style]}"
                    keys[style] = (Line2D([], [], linestyle="none", **MARKERS[style]), text)
        order = ("base", "waypoint", "in_reach", "depends", "out_of_reach", "target", "farthest_point")
        points = [keys[style] for style in order if style in keys]
        # The base first, the other points after the areas and lines.
        self.legend = points[:1] + self.legend + points[1:] if "base" in keys else self.legend + points

    def _reach_label(self, p, figure, flyable, both):
        radius, unit = _value(p, "radius", self.unit)
        text = figure if radius is None else f"{figure} {_round10(radius)} {unit}"
        if p.get("payload_kg") is not None:
            text += " modelled"
        if both:
            text += " flyable" if flyable else " direct"
        if p.get("variant") not in (None, "legal"):  # a recorded corridor beside the legal routes
            text += f", {p['variant']}"
        return text

    def _farthest_label(self, p):
        distance, unit = _value(p, "distance", self.unit)
        where = f" from {p['base']}" if p.get("base") else ""
        return "farthest point" if distance is None else f"farthest point: {_round10(distance)} {unit}{where}"

    # -- labels --

    def _free(self, box, pad=2.0):
        if not self._inside(box):
            return False
        grown = box.expanded(1.0, 1.0).padded(pad)
        return not any(grown.overlaps(other) for other in self.occupied)

    def _inside(self, box, inset=2.0):
        a = self.axes_box
        return (
            box.x0 >= a.x0 + inset
            and box.x1 <= a.x1 - inset
            and box.y0 >= a.y0 + inset
            and box.y1 <= a.y1 - inset
        )

    def _overlap(self, box, pad=0.0):
        """How much ``box`` (grown by ``pad`` px) covers what is placed; huge when it leaves the map."""
        grown = box.padded(pad)

        def area(others):
            return sum(
                max(0.0, min(grown.x1, o.x1) - max(grown.x0, o.x0))
                * max(0.0, min(grown.y1, o.y1) - max(grown.y0, o.y0))
                for o in others
            )

        # A covered marker costs as much as a hundred times its area in covered labels.
        return area(self.occupied) + 100 * area(self.markers) + (0.0 if self._inside(box) else 1e9)

    def _text(self, x, y, s, offset=(0.0, 0.0), halo=2.2, **style):
        """A label at (x, y) in map metres, ``offset`` points away, over a white halo (see
        :func:`_halo_text_class`)."""
        text = _halo_text_class()(x, y, s, **style)
        text.halo = halo
        self.axes.add_artist(text)
        self._offset(text, offset)
        return text

    def _offset(self, text, offset):
        from matplotlib.transforms import offset_copy

        dx, dy = offset
        text.set_transform(offset_copy(self.axes.transData, fig=self.figure, x=dx, y=dy, units="points"))

    def _place_point_labels(self):
        # Where a label may go (points from its marker, alignment), in order of preference.
        offsets = [
            (5, 3, "left", "bottom"), (5, -3, "left", "top"), (-5, 3, "right", "bottom"), (-5, -3, "right", "top"),
            (7, 0, "left", "center"), (-7, 0, "right", "center"), (0, 7, "center", "bottom"), (0, -7, "center", "top"),
        ]  # fmt: skip
        order = sorted(range(len(self.points)), key=lambda i: -self.points[i][2])  # bases first
        for i in order:
            (x, y), label, fontsize, weight = self.points[i]
            if not label:
                continue
            text = self._text(x, y, label, fontsize=fontsize, weight=weight, color=COLOURS["text"], zorder=10)
            text.set_clip_on(False)  # a label is never cut; the frame leaves it room
            text.set_gid(f"label-{i}")
            best = None
            for dx, dy, ha, va in offsets:
                self._offset(text, (dx, dy))
                text.set_horizontalalignment(ha)
                text.set_verticalalignment(va)
                box = text.get_window_extent(self.renderer)
                if self._free(box):
                    best = (0.0, (dx, dy, ha, va), box)
                    break
                cost = self._overlap(box)
                if best is None or cost < best[0]:
                    best = (cost, (dx, dy, ha, va), box)
            dx, dy, ha, va = best[1]
            self._offset(text, (dx, dy))
            text.set_horizontalalignment(ha)
            text.set_verticalalignment(va)
            self.occupied.append(text.get_window_extent(self.renderer))

    def _legend_artist(self, loc):
        handles, labels, seen = [], [], set()
        for handle, label in self.legend:
            if label not in seen:
                seen.add(label)
                handles.append(handle)
                labels.append(label)
        if not handles:
            return None
        return self.axes.legend(handles, labels, loc=loc, **LEGEND)

    def _draw_legend_and_scale(self):
        """The legend and the scale bar in the two corners that cover the fewest labels and markers."""
        corners = ("lower left", "lower right", "upper left", "upper right")
        legend_cost = {}
        for loc in corners:
            legend = self._legend_artist(loc)
            legend_cost[loc] = (
                0.0 if legend is None else self._overlap(legend.get_window_extent(self.renderer), pad=12)
            )
        scale_cost = {loc: self._overlap(self._scale_bar(loc, measure_only=True), pad=12) for loc in corners}
        pairs = [(a, b) for a in corners for b in corners if a != b]
        best = min((legend_cost[a] + scale_cost[b], i, a, b) for i, (a, b) in enumerate(pairs))
        _, _, loc, scale_loc = best
        legend = self._legend_artist(loc)
        if legend is not None:
            legend.set_gid("legend")
            legend.set_zorder(20)
            self.occupied.append(legend.get_window_extent(self.renderer))
        self.occupied.append(self._scale_bar(scale_loc))

    def _scale_bar(self, corner, measure_only=False):
        """A scale bar in ``corner`` ('lower left', ...), true at the centre of the map along its x axis;
        returns its display box (and removes it again when ``measure_only``)."""
        from matplotlib.patches import Rectangle
        from matplotlib.transforms import Bbox

        x0, y0, x1, y1 = self.frame
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        metres = {"km": 1000.0, "nm": 1852.0, "mi": 1609.344}[self.unit]
        scale = self.projection.scale(cx, cy)  # projected metres per ground metre
        target = 0.22 * (x1 - x0) / scale / metres
        exponent = 10 ** math.floor(math.log10(target))
        length = max(v * exponent for v in (1, 2, 2.5, 5) if v * exponent <= target)
        bar = length * metres * scale
        inset_x, inset_y = 0.035 * (x1 - x0), 0.045 * (y1 - y0)
        height = 0.006 * (y1 - y0)
        vertical, horizontal = corner.split()
        left = x0 + inset_x if horizontal == "left" else x1 - inset_x - bar
        bottom = y0 + inset_y if vertical == "lower" else y1 - inset_y - 6 * height
        label = f"{length:,g} {self.unit}"
        artists = []
        half = bar / 2
        for i, (start, fill) in enumerate(((left, "#222222"), (left + half, "white"))):
            rect = Rectangle(
                (start, bottom), half, height, facecolor=fill, edgecolor="#222222", linewidth=0.6, zorder=15
            )
            rect.set_gid(f"scale-bar-{i}")
            self.axes.add_patch(rect)
            artists.append(rect)
        (line,) = self.axes.plot(
            [left, left + bar], [bottom, bottom], color="#222222", linewidth=0, zorder=15
        )
        line.set_gid("scale-bar")
        artists.append(line)
        for x, text in ((left, "0"), (left + bar, label)):
            t = self._text(x, bottom + height * 1.8, text, **TEXT["scale"])
            t.set_gid("scale-bar-label" if text == label else "scale-bar-zero")
            artists.append(t)
        box = Bbox.union([a.get_window_extent(self.renderer) for a in artists]).padded(4)
        if measure_only:
            for artist in artists:
                artist.remove()
        return box

    def _place_reach_labels(self):
        """Each reach outline's label on the line, where it runs alone (clear of the other outlines and of
        closed borders by 7 points), on the outline's longest visible piece, and as flat as can be."""
        x0, _, x1, _ = self.frame
        gap = 7.0 * (x1 - x0) / self.axes_box.width * self.figure.dpi / 72  # 7 points in map metres
        lines = [[shapely.LineString(p) for p in parts] for parts, _, _ in self.reach_lines]
        for k, (_, colour, label) in enumerate(self.reach_lines):
            others = shapely.union_all(
                [g for j, own in enumerate(lines) if j != k for g in own] + self.closed_edges
            )
            pieces = [
                shapely.LineString(p)
                for g in lines[k]
                for p in _line_parts(shapely.intersection(g, self.view))
            ]
            pieces.sort(key=lambda g: -g.length)
            candidates = []
            for rank, piece in enumerate(pieces):
                length = piece.length
                t = np.linspace(0.05, 0.95, 19) * length
                mid = shapely.line_interpolate_point(piece, t)
                ends = shapely.get_coordinates(
                    shapely.line_interpolate_point(
                        piece, np.concatenate([t - 0.01 * length, t + 0.01 * length])
                    )
                )
                before, after = ends[: len(t)], ends[len(t) :]
                angles = (np.degrees(np.arctan2(*(after - before).T[::-1])) + 90) % 180 - 90
                alone = shapely.distance(mid, others) > gap if not others.is_empty else np.ones(len(t), bool)
                xy = shapely.get_coordinates(mid)
                candidates += [
                    (not a, rank > 0, abs(angle), x, y, angle)
                    for a, angle, (x, y) in zip(alone, angles, xy, strict=True)
                ]
            candidates.sort()
            text = self._text(0.0, 0.0, label, color=colour, **TEXT["reach"])
            for *_, x, y, angle in candidates:
                text.set_position((x, y))
                text.set_rotation(angle)
                box = text.get_window_extent(self.renderer)
                if self._free(box, pad=1.0):
                    text.set_gid(f"reach-label-{k}")
                    self.occupied.append(box)
                    break
            else:
                text.remove()

    def _place_graticule_labels(self):
        x0, y0, x1, y1 = self.frame
        left_edge = shapely.LineString([(x0, y0), (x0, y1)])
        bottom_edge = shapely.LineString([(x0, y0), (x1, y0)])
        done = set()
        for axis, edge in (("lon", bottom_edge), ("lat", left_edge)):
            for value, line in self.graticule[axis]:
                hit = shapely.intersection(line, shapely.buffer(edge, 1e-6 * (x1 - x0)))
                if hit.is_empty:
                    continue
                hit_xy = shapely.get_coordinates(hit)
                if axis == "lon":
                    x, y = float(np.median(hit_xy[:, 0])), y0
                    ha, va, offset = "center", "bottom", (0, 2)
                else:
                    x, y = x0, float(np.median(hit_xy[:, 1]))
                    ha, va, offset = "left", "center", (2, 0)
                key = (axis, round(value, 6))
                if key in done:
                    continue
                text = self._text(x, y, _degrees(value, axis), offset, ha=ha, va=va, **TEXT["graticule"])
                box = text.get_window_extent(self.renderer)
                if self._free(box, pad=1.0):
                    done.add(key)
                    text.set_gid(f"graticule-{axis}-{len(done)}")
                    self.occupied.append(box)
                else:
                    text.remove()

    def _place_country_names(self):
        view_area = self.view.area
        names = []
        for region, projected in self.countries:
            visible = _polygonal(shapely.intersection(projected, self.view))
            if visible is None:
                continue
            part = max(shapely.get_parts(visible), key=lambda p: p.area)
            if part.area < 0.004 * view_area:
                continue
            names.append((part.area, region, part))
        names.sort(key=lambda item: -item[0])
        routes = shapely.union_all(self.routes) if self.routes else None
        inverse = self.axes.transData.inverted()
        for _, region, part in names:
            text = self._text(0.0, 0.0, region.name.upper(), **TEXT["country"])
            for x, y in _label_spots(part):
                text.set_position((x, y))
                box = text.get_window_extent(self.renderer)
                # Inside the country (mostly), clear of every other label and off the routes.
                (bx0, by0), (bx1, by1) = inverse.transform([(box.x0, box.y0), (box.x1, box.y1)])
                rectangle = shapely.box(bx0, by0, bx1, by1)
                if (
                    shapely.intersection(rectangle, part).area >= 0.8 * rectangle.area
                    and (routes is None or not rectangle.intersects(routes))
                    and self._free(box, pad=2.0)
                ):
                    text.set_gid(f"country-{region.id}")
                    self.occupied.append(box)
                    break
            else:
                text.remove()
