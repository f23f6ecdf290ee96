"""Results of the public API (:mod:`rangecalc.api`): one :class:`Result` class for every kind of question,
wrapping the library's result and the distance unit, with renderings that fit the Python ecosystem.

- :meth:`Result.to_dict`: the canonical JSON-shaped dict, exactly what ``--format json`` writes (the
  schemas in ``docs/schemas``, :func:`rangecalc.schema`); for ``rings``, which has no JSON schema, the
  GeoJSON FeatureCollection as a dict;
- :meth:`Result.to_frame`: a tidy pandas DataFrame (the CSV rows of :mod:`rangecalc.formats.csvdata`,
  same columns, numbers as numbers, units in the column names);
- :meth:`Result.to_geodataframe`: a geopandas GeoDataFrame in EPSG:4326 read from the GeoJSON output
  (the same geometries: split at +-180, valid, counter-clockwise);
- :meth:`Result.to_geojson`, :meth:`Result.to_kml`, :meth:`Result.save` (the format from the extension,
  written whole or not at all);
- ``_repr_html_``: in Jupyter, a compact summary and an inline SVG map (no matplotlib needed).

pandas and geopandas are optional (``pip install 'rangecalc[geo]'``) and imported only when asked for.
"""

from __future__ import annotations

import copy
import json
import math
import numbers
import os
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .errors import UsageError

#: Kinds of result, one per API function that asks a question.
KINDS = ("reach", "compare", "table", "route", "distance", "rings", "claim")
#: What :meth:`Result.save` can write for each kind (the format follows the file's extension).
SAVE_FORMATS = {
    "reach": ("json", "geojson", "kml", "csv", "md", "text", "html", "svg", "png"),
    "compare": ("json", "geojson", "kml", "csv", "md", "text", "html", "svg", "png"),
    "table": ("json", "geojson", "kml", "csv", "md", "text", "html", "svg", "png"),
    "route": ("json", "geojson", "kml", "text", "html", "svg", "png"),
    "distance": ("json", "geojson", "kml", "text", "html", "svg", "png"),
    "rings": ("geojson", "kml", "html", "svg", "png"),
    "claim": ("json", "geojson", "kml", "md", "text", "html", "svg", "png"),
}
GEO_EXTRA = "pip install 'rangecalc[geo]'"
#: Width of the inline SVG map in notebooks (SVG units; it scales to the output area).
MAP_WIDTH = 640
#: Rows shown in a notebook summary table before "… and N more".
SUMMARY_ROWS = 12
_NUMERIC_NAME = re.compile(r"(_(km|nm|mi|m|km2|nm2|mi2|deg|share|kg|min|percent)$)|(^|_)(lat|lon)$")


@dataclass(frozen=True)
class TableResult:
    """A reach table: :class:`~rangecalc.compare.TableRow` rows (airframe x base x target, then region)
    and what they were asked with."""

    rows: tuple
    model: str
    payload_kg: float | None
    routing: object
    targets: tuple  # Places, in row order within each airframe x base
    region: object = None


@dataclass(frozen=True)
class DistanceResult:
    """A geodesic between two places: metres and degrees (bearings clockwise from north)."""

    origin: object
    destination: object
    distance_m: float
    initial_bearing_deg: float
    final_bearing_deg: float
    model: str


class Result:
    """The answer to one question: ``kind`` (one of :data:`KINDS`), ``value`` (the library's result:
    :class:`~rangecalc.reach.ReachResult`, :class:`~rangecalc.compare.Comparison`, :class:`TableResult`,
    :class:`~rangecalc.routes.RouteReport`, :class:`DistanceResult`, :class:`~rangecalc.reach.RingsResult`
    or :class:`~rangecalc.claims.ClaimResult`) and ``units``, the distance unit of its renderings
    (``"km"``, ``"nm"`` or ``"mi"``; claims are in km). Every method takes ``units=`` to render in
    another unit."""

    def __init__(self, kind, value, units="km", catalog=None):
        if kind not in KINDS:
            raise ValueError(f"unknown result kind {kind!r}")
        self.kind = kind
        self.value = value
        self.units = units
        self.catalog = catalog

    # --- the canonical form --------------------------------------------------------------------------

    def to_dict(self, units: str | None = None) -> dict:
        """The canonical JSON-shaped dict: what ``rangecalc <kind> --format json`` writes (see
        :func:`rangecalc.schema`); for ``rings`` the GeoJSON FeatureCollection as a dict."""
        from .formats import canonical

        u = self._unit(units)
        v = self.value
        if self.kind == "reach":
            return canonical.reach_dict(v, u)
        if self.kind == "compare":
            return canonical.compare_dict(v, u)
        if self.kind == "table":
            return canonical.table_dict(v.rows, u, v.model, v.payload_kg)
        if self.kind == "route":
            return canonical.route_report_dict(v.start, v.end, v.route, v.routing, u)
        if self.kind == "distance":
            return canonical.distance_dict(
                v.origin, v.destination, v.distance_m, v.initial_bearing_deg, v.final_bearing_deg, v.model, u
            )
        if self.kind == "rings":
            return json.loads(self.to_geojson(u))
        return copy.deepcopy(v.data)

    @property
    def verdict(self) -> str | None:
        """A claim's one-sentence verdict; for other kinds None."""
        return self.value.data["verdict"]["summary"] if self.kind == "claim" else None

    # --- map features and their formats --------------------------------------------------------------

    def features(self, units: str | None = None):
        """The :class:`~rangecalc.features.FeatureSet` that GeoJSON, KML and maps draw."""
        from .features import features_of

        u = self._unit(units)
        if self.kind == "distance":
            return _distance_features(self.value, u)
        if self.kind == "table":
            return _table_features(self.value, u)
        return features_of(self.value, unit=u)

    def to_geojson(self, units: str | None = None) -> str:
        """RFC 7946 GeoJSON text (``--format geojson``)."""
        from .formats.geojson import dumps

        return dumps(self.features(units))

    def to_kml(self, units: str | None = None) -> str:
        """KML 2.2 text with styles and ExtendedData (``--format kml``)."""
        from .formats.kml import dumps

        return dumps(self.features(units))

    # --- pandas ----------------------------------------------------------------------------------------

    def to_frame(self, units: str | None = None, *, table: str = "coverage"):
        """A tidy pandas DataFrame: one row per observation, numeric columns numeric (missing values NaN),
        the unit in the column names.

        ``reach``, ``compare`` and ``table`` give the columns of their CSV output (docs/csv.md); ``distance``
        and ``route`` one row; ``rings`` one row per map feature (its properties). For a ``claim``,
        ``table="coverage"`` gives one row per base x routes x load case (farthest point, share covered
        under each figure), ``table="targets"`` one row per base x target (direct, legal and corridor km).
        """
        pd = _pandas("to_frame")
        u = self._unit(units)
        columns, rows = self._rows(u, table)
        return _frame(pd, columns, rows)

    def to_geodataframe(self, units: str | None = None):
        """A geopandas GeoDataFrame in EPSG:4326: one row per map feature, read from the GeoJSON output
        (the same geometries), with its properties as columns (lists joined with '; ');
        ``gdf.attrs`` holds the title, credit line and meta data."""
        pd = _pandas("to_geodataframe")
        gpd = _geopandas()
        import shapely.geometry

        collection = json.loads(self.to_geojson(units))
        items = collection["features"]
        rows = [{k: _flat(v) for k, v in item["properties"].items()} for item in items]
        columns = list(dict.fromkeys(k for row in rows for k in row))
        geometry = [shapely.geometry.shape(item["geometry"]) for item in items]
        frame = _frame(pd, columns, rows)
        out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs="EPSG:4326"), crs="EPSG:4326")
        out.attrs.update(collection.get("rangecalc", {}))
        return out

    def _rows(self, u, table):
        from .formats import csvdata

        v = self.value
        if self.kind == "reach":
            return csvdata.reach_columns(u), csvdata.reach_rows(v, u)
        if self.kind == "compare":
            return csvdata.compare_columns(u), csvdata.compare_rows(v, u)
        if self.kind == "table":
            return csvdata.table_columns(u), csvdata.table_rows(v.rows, u)
        if self.kind == "distance":
            d = self.to_dict(u)
            row = _ends(d)
            row["model"] = v.model
            row[f"distance_{u}"] = d[f"distance_{u}"]
            row["initial_bearing_deg"] = d["initial_bearing_deg"]
            row["final_bearing_deg"] = d["final_bearing_deg"]
            return list(row), [row]
        if self.kind == "route":
            d = self.to_dict(u)
            row = _ends(d)
            row["routing"] = v.routing.describe()
            for key in (f"length_{u}", f"direct_{u}", f"detour_{u}"):
                row[key] = d[key]
            row["legs"] = len(d["legs"])
            row["countries"] = "; ".join(c["name"] for c in d["countries"]) or None
            return list(row), [row]
        if self.kind == "rings":
            rows = [{k: _flat(x) for k, x in f.properties.items()} for f in self.features(u).features]
            return list(dict.fromkeys(k for row in rows for k in row)), rows
        return _claim_rows(v.data, table)

    # --- people ----------------------------------------------------------------------------------------

    def save(
        self,
        path: str | os.PathLike,
        *,
        format: str | None = None,
        force: bool = False,
        units: str | None = None,
        precision: int = 0,
    ) -> Path:
        """Write the result to ``path`` in the format its extension implies (``.json .geojson .kml .csv
        .md .txt .html .svg .png``; or ``format=``), whole or not at all: a temporary file in the same
        folder, then a rename. An existing file is replaced only with ``force=True``. ``precision`` is
        the decimals of distances in text and Markdown. Returns the path."""
        from .formats import EXTENSIONS

        path = Path(path)
        fmt = format or EXTENSIONS.get(path.suffix.lower())
        allowed = SAVE_FORMATS[self.kind]
        if fmt is None:
            raise UsageError(
                f"save: cannot tell the format of {str(path)!r} from its extension; "
                f"give format= (one of {', '.join(allowed)})"
            )
        if fmt not in allowed:
            raise UsageError(
                f"save: a {self.kind} result cannot be written as {fmt}; it writes {', '.join(allowed)}"
            )
        content = self.render(fmt, units=units, precision=precision)
        _write_atomic(path, content, force)
        return path

    def render(self, fmt: str, *, units: str | None = None, precision: int = 0) -> str | bytes:
        """The result in one format of :data:`SAVE_FORMATS` as text (bytes for PNG)."""
        from .formats import render_features

        u = self._unit(units)
        v = self.value
        if fmt not in SAVE_FORMATS[self.kind]:
            raise UsageError(
                f"a {self.kind} result cannot be written as {fmt}; it writes {', '.join(SAVE_FORMATS[self.kind])}"
            )
        if fmt == "json":
            return json.dumps(self.to_dict(u), indent=2, ensure_ascii=False) + "\n"
        if fmt in ("geojson", "kml"):
            return self.to_geojson(u) if fmt == "geojson" else self.to_kml(u)
        if fmt in ("svg", "png"):
            if self.kind in ("table", "distance"):
                from .formats.staticmap import render_map

                return render_map(self.features(u), fmt)
            return render_features(v, fmt, unit=u)
        if fmt == "csv":
            from .formats import csvdata

            columns, rows = self._rows(u, None)
            return csvdata.write_rows(columns, rows)
        if fmt == "html":
            if self.kind == "claim":
                from .formats.htmlreport import claim_html

                return claim_html(v, self._catalog())
            title = escape(self.features(u).title)
            return (
                f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
                f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
                f"<body>{self._repr_html_(u)}</body></html>\n"
            )
        return self._text(fmt, u, precision)

    def _text(self, fmt, u, precision):
        from .formats import text

        v = self.value
        if self.kind == "reach":
            return text.reach_document(v, u, fmt, precision)
        if self.kind == "compare":
            return text.compare_document(v, u, fmt, precision)
        if self.kind == "table":
            out = text.table_rows_table(v.rows, u, precision, v.routing.active).render(fmt)
            if v.routing.active:
                out += f"\nDistances are flyable routes: {v.routing.describe()}.\n"
            return out
        if self.kind == "route":
            return text.route_document(v.start, v.end, v.route, v.routing, u, precision)
        if self.kind == "distance":
            return text.distance_text(
                v.origin,
                v.destination,
                v.distance_m,
                v.initial_bearing_deg,
                v.final_bearing_deg,
                v.model,
                u,
                precision,
            )
        from .formats.claimtext import claim_document

        return claim_document(v, fmt)

    def _repr_html_(self, units: str | None = None) -> str:
        u = self._unit(units)
        features = self.features(u)
        rows, table = _summary(self, u)
        head = "".join(
            f'<tr><th style="text-align:left">{escape(k)}</th><td style="text-align:left">{escape(x)}</td></tr>'
            for k, x in rows
        )
        parts = [
            '<div class="rangecalc-result">',
            f"<p><strong>{escape(features.title)}</strong></p>",
            f"<table>{head}</table>",
        ]
        if table:
            headings, body, more = table
            parts.append(
                "<table><thead><tr>"
                + "".join(f'<th style="text-align:left">{escape(h)}</th>' for h in headings)
                + "</tr></thead><tbody>"
                + "".join(
                    "<tr>" + "".join(f'<td style="text-align:left">{escape(c)}</td>' for c in r) + "</tr>"
                    for r in body
                )
                + "</tbody></table>"
            )
            if more:
                parts.append(f"<p>… and {more} more rows (<code>.to_frame()</code> has them all)</p>")
        svg = self._svg(features)
        if svg:
            parts.append(f'<div style="max-width:{MAP_WIDTH}px">{svg}</div>')
        parts.append(f'<p style="font-size:smaller">{escape(features.credit)}</p></div>')
        return "\n".join(parts)

    def _svg(self, features):
        from .formats.svgmap import svg_map

        if self.kind == "claim":
            from .formats.htmlreport import _map_layers

            layers = _map_layers(self.value, self._catalog())
        else:
            layers = map_layers(features, self._catalog())
        try:
            return svg_map(layers, width=MAP_WIDTH, title=features.title)
        except ValueError:  # nothing to draw
            return ""

    def __repr__(self):
        return f"<rangecalc {self.kind}: {_headline(self)}>"

    # --- helpers ---------------------------------------------------------------------------------------

    def _unit(self, units):
        if units is None:
            units = self.units
        if units not in ("km", "nm", "mi"):
            raise UsageError(f"units {units!r}: accepted km, nm, mi")
        return "km" if self.kind == "claim" else units

    def _catalog(self):
        if self.catalog is None:
            from .data import load_catalog

            self.catalog = load_catalog()
        return self.catalog


# --- frames --------------------------------------------------------------------------------------------


def _pandas(what):
    try:
        import pandas
    except ImportError:
        raise UsageError(f"{what} needs pandas: {GEO_EXTRA}") from None
    return pandas


def _geopandas():
    try:
        import geopandas
    except ImportError:
        raise UsageError(f"to_geodataframe needs geopandas: {GEO_EXTRA}") from None
    return geopandas


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _flat(value):
    """A cell: lists of names joined with '; ' (as the CSV output does), everything else as it is."""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) if value else None
    return value


def _frame(pd, columns, rows):
    """A DataFrame with ``columns`` from dict ``rows``: numbers float64 (int64 when all whole and
    present, NaN where missing), booleans pandas' nullable boolean, text as text."""
    data = {}
    for column in columns:
        values = [row.get(column) for row in rows]
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, bool) for v in present):
            data[column] = pd.array(values, dtype="boolean")
        elif present and all(_is_number(v) for v in present):
            whole = len(present) == len(values) and all(isinstance(v, numbers.Integral) for v in present)
            data[column] = (
                pd.array(values, dtype="int64")
                if whole
                else pd.array([math.nan if v is None else float(v) for v in values], dtype="float64")
            )
        elif not present and _NUMERIC_NAME.search(column):
            data[column] = pd.array([math.nan] * len(values), dtype="float64")
        else:
            data[column] = pd.Series(values, dtype="object")
    return pd.DataFrame(data, columns=list(columns), index=pd.RangeIndex(len(rows)))


def _ends(d):
    """The ``from`` and ``to`` places of a distance or route dict as flat cells."""
    row = {}
    for end in ("from", "to"):
        place = d[end]
        row[end] = place["name"]
        row[f"{end}_id"] = place.get("id")
        row[f"{end}_lat"] = place["lat"]
        row[f"{end}_lon"] = place["lon"]
    return row


def _claim_rows(data, table):
    if table == "targets":
        columns = ["base", "target", "direct_km", "legal_km", "corridor_km"]
        return columns, [{c: t.get(c) for c in columns} for t in data["targets"]]
    if table != "coverage":
        raise UsageError(f"table {table!r}: a claim's frames are 'coverage' and 'targets'")
    bands = ("low", "nominal", "high")
    rows = []
    for row in data["coverage"]:
        point = row.get("farthest_point") or {}
        for case in row["cases"]:
            covered = case.get("covered") or {}
            reaches = case.get("reaches_farthest") or {}
            rows.append(
                {
                    "base": row["base"],
                    "region": row["region"],
                    "routes": row["routes"],
                    "airframe": case["airframe"],
                    "load": case["load"],
                    "calibration": case["calibration"],
                    "modelled": case["modelled"],
                    "farthest_km": row.get("farthest_km"),
                    "farthest_lat": point.get("lat"),
                    "farthest_lon": point.get("lon"),
                    **{f"covered_{b}_share": covered.get(b) for b in bands},
                    **{f"reaches_farthest_{b}": reaches.get(b) for b in bands},
                }
            )
    columns = [
        "base", "region", "routes", "airframe", "load", "calibration", "modelled", "farthest_km",
        "farthest_lat", "farthest_lon", *(f"covered_{b}_share" for b in bands),
        *(f"reaches_farthest_{b}" for b in bands),
    ]  # fmt: skip
    return columns, rows


# --- features of the kinds the command line draws no map for ------------------------------------------


def _distance_features(v, u):
    """The two places and the geodesic between them (drawn on WGS84 whatever the model)."""
    import numpy as np
    import shapely

    from .features import ROUTE_STEP_M, SCHEMA, Feature, FeatureSet, normalise
    from .routes import geodesic_polyline
    from .units import metres_to

    lons, lats = geodesic_polyline(
        np.array([v.origin.lon, v.destination.lon]), np.array([v.origin.lat, v.destination.lat]), ROUTE_STEP_M
    )
    length = float(metres_to(v.distance_m, u))
    items = [
        (shapely.Point(v.origin.lon, v.origin.lat), {"kind": "base", "name": v.origin.label}),
        (
            shapely.Point(v.destination.lon, v.destination.lat),
            {"kind": "target", "name": v.destination.label, f"distance_{u}": length},
        ),
        (
            shapely.LineString(np.column_stack([lons, lats])) if len(lons) > 1 else None,
            {
                "kind": "route",
                "name": f"{v.origin.label} to {v.destination.label}",
                f"length_{u}": length,
                "initial_bearing_deg": v.initial_bearing_deg,
                "final_bearing_deg": v.final_bearing_deg,
                "model": v.model,
                "routing": None,
            },
        ),
    ]
    features = tuple(Feature(g, p) for g, p in ((normalise(g), p) for g, p in items) if g is not None)
    kinds = ("route", "base", "target")
    return FeatureSet(
        title=f"{v.origin.label} to {v.destination.label}: {length:,.0f} {u}",
        features=tuple(sorted(features, key=lambda f: kinds.index(f.properties["kind"]))),
        credit=_credit(),
        meta={"schema": SCHEMA, "airframe": None, "sources": [], "unit": u, "model": v.model},
    )


def _table_features(v, u):
    """A reach table on a map: its bases, and each row at its place (targets where they are, regions at
    their farthest point) with the row's CSV cells as properties."""
    import shapely

    from .features import KINDS, SCHEMA, Feature, FeatureSet
    from .formats.csvdata import table_rows

    rows = table_rows(v.rows, u)
    per_pair = len(v.targets) + (1 if v.region is not None else 0)
    features, bases = [], {}
    for i, (row, item) in enumerate(zip(rows, v.rows, strict=True)):
        bases.setdefault(item.base.label, item.base)
        k = i % per_pair if per_pair else 0
        if row["row_type"] == "target" and k < len(v.targets):
            place = v.targets[k]
            point, kind, name = shapely.Point(place.lon, place.lat), "target", row["subject"]
        elif row.get("farthest_lon") is not None and math.isfinite(row["farthest_lon"]):
            point, kind = shapely.Point(row["farthest_lon"], row["farthest_lat"]), "farthest_point"
            name = f"farthest point of {row['subject']}"
        else:
            continue
        features.append(Feature(point, {"kind": kind, "name": name, **row}))
    features += [
        Feature(shapely.Point(b.lon, b.lat), {"kind": "base", "name": label}) for label, b in bases.items()
    ]
    features.sort(key=lambda f: KINDS.index(f.properties["kind"]))
    return FeatureSet(
        title="Reach table",
        features=tuple(features),
        credit=_credit(),
        meta={"schema": SCHEMA, "airframe": None, "sources": [], "unit": u},
    )


def _credit():
    from . import __version__

    return f"Natural Earth (public domain); rangecalc {__version__}"


# --- the notebook summary -------------------------------------------------------------------------------


def map_layers(features, catalog=None):
    """:class:`~rangecalc.formats.svgmap.MapLayers` of a :class:`~rangecalc.features.FeatureSet`: the
    countries around it for context (from ``catalog``), the region asked about, closed airspace, reach
    boundaries per figure (one colour per base), the part of the region out of the nominal radius (as the
    claim's HTML report draws it), routes and points."""
    import shapely

    from .formats.svgmap import MapLayers

    layers = MapLayers()
    bases = [f.properties["name"] for f in features.features if f.properties["kind"] == "base"]
    colour = {name: k for k, name in enumerate(bases)}
    focus, closed = [], []
    marker = {"base": "base", "target": "target", "waypoint": "target", "farthest_point": "farthest"}
    for feature in features.features:
        p, geometry = feature.properties, feature.geometry
        kind, name = p["kind"], str(p.get("name", ""))
        if kind == "region":
            if not any(name == f[0] and geometry.equals(f[1]) for f in focus):  # once, not once per base
                focus.append((name, geometry, "focus"))
        elif kind == "closed_airspace":
            closed.append((name, geometry, "closed", ""))
        elif kind == "reach_area":
            layers.reach.append((name, geometry, p.get("figure", "nominal"), colour.get(p.get("base"), 0)))
        elif kind == "uncovered":
            if p.get("figure") == "nominal":  # as the claim's report: the part out of the nominal radius
                layers.uncovered.append((name, geometry))
        elif kind in ("route", "corridor"):
            k = colour.get(p.get("base") or p.get("from"), 0)
            style = "corridor" if kind == "corridor" or p.get("variant") not in (None, "legal") else "route"
            for part in shapely.get_parts(geometry):
                xy = shapely.get_coordinates(part)
                layers.routes.append((name, xy[:, 0], xy[:, 1], k, style))
        elif kind in marker:
            for part in shapely.get_parts(geometry):
                point = (name, part.x, part.y, marker[kind])
                if point not in layers.points:  # a table's target, once for all its rows
                    layers.points.append(point)
    if not focus and len(layers.points) <= 1 and layers.reach:
        # Reach areas alone (rings): frame the map on the largest one, tinted, under the countries.
        largest = max((entry[1] for entry in layers.reach), key=lambda g: g.area)
        focus_under = [("reach", largest, "focus", "")]
    else:
        focus_under = []
    context = []
    if catalog is not None:
        from .regions import all_regions

        shapes = [g for _, g, *_ in focus + focus_under] + [
            shapely.Point(x, y) for _, x, y, _ in layers.points
        ]
        if shapes:
            x0, y0, x1, y1 = shapely.union_all(shapes).bounds
            window = shapely.box(x0 - 8, y0 - 8, x1 + 8, y1 + 8)
            context = [
                (r.name, r.geometry, "land")
                for r in all_regions(catalog).values()
                if r.geometry.intersects(window) and not any(r.name == f[0] for f in focus)
            ]
    layers.regions = focus_under + context + focus + closed
    return layers


def _fmt(value, unit=""):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "no route" if unit else "–"
    return f"{value:,.0f} {unit}".strip()


def _share(value):
    return "–" if value is None else f"{100 * value:.0f}%"


def _band(d, prefix, u):
    return " / ".join(
        _fmt(d.get(f"{prefix}_{b}_{u}" if prefix else f"{b}_{u}")) for b in ("low", "nominal", "high")
    )


def _rows_table(headings, rows):
    return headings, rows[:SUMMARY_ROWS], max(len(rows) - SUMMARY_ROWS, 0)


def _summary(result, u):
    """``(key, value)`` lines and an optional ``(headings, rows, more)`` table for the notebook view."""
    kind, v = result.kind, result.value
    if kind == "claim":
        verdict = v.data["verdict"]
        lines = [
            ("claim", v.data["claim"]["text"]),
            ("verdict", verdict["summary"]),
            ("(a) range", verdict["range"]["text"]),
            ("(b) operational value", verdict["operational"]["text"]),
        ]
        return lines, None
    d = result.to_dict(u)
    if kind == "distance":
        return [
            ("from", d["from"]["name"]),
            ("to", d["to"]["name"]),
            ("distance", f"{d[f'distance_{u}']:,.1f} {u} ({d['model']})"),
            (
                "initial / final bearing",
                f"{d['initial_bearing_deg'] % 360:.1f}° / {d['final_bearing_deg'] % 360:.1f}°",
            ),
        ], None
    if kind == "route":
        return [
            ("from", d["from"]["name"]),
            ("to", d["to"]["name"]),
            ("rules", v.routing.describe()),
            ("length", _fmt(d[f"length_{u}"], u)),
            ("direct", _fmt(d[f"direct_{u}"], u)),
            ("countries crossed", ", ".join(c["name"] for c in d["countries"]) or "–"),
        ], None
    if kind == "rings":
        lines = [
            ("airframe", v.airframe.name),
            ("base", v.base.label),
            (f"radius low / nominal / high ({u})", " / ".join(_fmt(r / _metres(u)) for r in v.radius_m)),
            ("rules", v.routing.describe()),
        ]
        if v.payload is not None:
            lines.append(("payload", f"{v.payload.payload_kg / 1000:g} t"))
        return lines, None
    if kind == "table":
        rows = [
            [
                r["airframe"],
                r["base"]["name"],
                r["subject"],
                _fmt(r[f"distance_{u}"], u),
                r["verdict"] or r["status"],
            ]
            for r in d["rows"]
        ]
        return [("rows", str(len(d["rows"]))), ("rules", v.routing.describe())], _rows_table(
            ["airframe", "base", "subject", "distance", "verdict"], rows
        )
    lines = [("airframe", d["airframe"]["name"])]
    if kind == "reach":
        lines.append(("base", d["base"]["name"]))
    else:
        lines.append(("bases", ", ".join(b["name"] for b in d["bases"])))
    lines.append((f"combat radius low / nominal / high ({u})", _band(d["combat_radius"], "", u)))
    if d["payload"] is not None:
        lines.append(("payload", f"{d['payload']['payload_kg'] / 1000:g} t"))
    lines.append(("rules", v.routing.describe()))
    regions = [d["region"]] if kind == "reach" and d["region"] else d.get("regions") or []
    for region in regions:
        where = f" from {region['base']}" if "base" in region else ""
        shares = " / ".join(_share(region["covered_share"][b]) for b in ("low", "nominal", "high"))
        far = region["farthest_point"]
        lines.append(
            (
                f"{region['name']}{where}",
                f"covered {shares} (low / nominal / high); farthest point {_fmt(far[f'distance_{u}'], u)}: "
                f"{region['verdict_text']}",
            )
        )
    if kind == "reach":
        rows = [
            [t["name"], _fmt(t[f"distance_{u}"], u), _band(t, "margin", u), t["verdict_text"]]
            for t in d["targets"]
        ]
        table = _rows_table(["target", "distance", f"margin low / nominal / high ({u})", "verdict"], rows)
    else:
        rows = [
            [
                t["name"],
                " / ".join(_fmt(e[f"distance_{u}"]) for e in t["by_base"]),
                t["nearest_base"] or "–",
                _fmt(t[f"advantage_{u}"], u) if t[f"advantage_{u}"] is not None else "–",
            ]
            for t in d["targets"]
        ]
        table = _rows_table(["target", f"distance from each base ({u})", "nearest base", "by"], rows)
    return lines, table if d["targets"] else None


def _metres(u):
    from .units import DISTANCE_UNITS

    return DISTANCE_UNITS[u]


def _headline(result):
    kind, v = result.kind, result.value
    if kind == "claim":
        return f"{v.data['title']} — {v.data['verdict']['range']['code']}, {v.data['verdict']['operational']['code']}"
    if kind == "distance":
        return f"{v.origin.label} to {v.destination.label}, {v.distance_m / _metres(result.units):,.1f} {result.units}"
    if kind == "route":
        return f"{v.start.label} to {v.end.label}, {v.route.length_m / _metres(result.units):,.0f} {result.units} ({v.routing.describe()})"
    if kind == "rings":
        radii = " / ".join(f"{r / _metres(result.units):,.0f}" for r in v.radius_m)
        return f"{v.airframe.name} from {v.base.label}, radius {radii} {result.units}"
    if kind == "table":
        return f"{len(v.rows)} rows"
    counts = {}
    for t in v.targets:
        verdicts = [t.verdict] if kind == "reach" else list(t.verdicts)
        for code in verdicts:
            counts[code] = counts.get(code, 0) + 1
    words = [f"{n} {code}" for code, n in counts.items()]
    regions = (
        [v.region] if kind == "reach" and v.region is not None else list(getattr(v, "regions", ()) or ())
    )
    for rr in regions:
        far = rr.farthest.distance_m / _metres(result.units)
        words.append(f"{rr.region.name} {rr.verdict} (farthest point {far:,.0f} {result.units})")
    where = v.base.label if kind == "reach" else ", ".join(b.label for b in v.bases)
    return f"{v.airframe.name} from {where}" + (f": {', '.join(words)}" if words else "")


# --- writing ------------------------------------------------------------------------------------------


def _write_atomic(path, content, force=False):
    """Write ``content`` to ``path`` whole or not at all (:func:`rangecalc.output.write_atomically`)."""
    from .output import write_atomically

    write_atomically(path, content, force, what="save", force_hint="pass force=True to overwrite it")
