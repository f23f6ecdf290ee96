"""Results as CSV data: one value per cell, raw numbers, the unit in the heading, the same columns whatever
the options (docs/csv.md lists them per command).

Rows are read off the canonical JSON-shaped dicts (:func:`rangecalc.formats.canonical.reach_dict`,
:func:`~rangecalc.formats.canonical.compare_dict`, :func:`~rangecalc.formats.canonical.table_dict`,
:meth:`Airframe.as_dict <rangecalc.airframes.Airframe.as_dict>`, :meth:`Base.as_dict
<rangecalc.places.Base.as_dict>`), so that CSV and JSON never disagree: a CSV number is the JSON number
written with Python's shortest round-trip ``repr``.

Cells:

- numbers are raw (``1113.1949079327358``, ``-120.5``): no grouping, no unit suffix, no rounding;
- a value that does not exist is an empty cell, and a ``status`` column says why (``no_route``);
- booleans are ``true`` / ``false``;
- text from data files that a spreadsheet would read as a formula (a first character in
  :data:`FORMULA_TRIGGERS`) is prefixed with ``'`` (the OWASP CSV-injection rule). Only text is
  neutralised: number cells are written by this module, never copied from text, so ``-120.5`` stays a
  number. Headings are constants of this module and the unit name, never data (several bases are rows
  with a ``base`` column, not columns named after bases).

Layout: UTF-8 without a byte-order mark, comma-separated, ``\\n`` line ends (Windows' text-mode stdout
adds the ``\\r`` itself; docs/csv.md says why not ``\\r\\n``); a cell is quoted when it holds a comma, a
quote, ``\\r`` or ``\\n`` (RFC 4180 quoting).
"""

import csv
import io
import math
import numbers

import numpy as np

from ..airframes import BANDS, FIGURE_UNITS

#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

REGION_NO_ROUTE = "no flyable route reaches part of the region (its farthest point is unreachable)"

TIME_KINDS = ("fastest", "nominal", "slowest")


def cell(value):
    """One CSV cell: a number raw, ``true``/``false``, empty for None, text neutralised against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value)) if math.isfinite(value) else ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def write_rows(columns, rows):
    """CSV text: a heading line of ``columns``, then one line per dict in ``rows`` (missing keys empty)."""
    columns = list(columns)
    lines = [_line(columns)]
    for row in rows:
        unknown = row.keys() - set(columns)
        if unknown:
            raise KeyError(f"CSV row has keys outside its columns: {sorted(unknown)}")
        lines.append(_line([cell(row.get(c)) for c in columns]))
    return "".join(lines)


def _line(cells):
    """One CSV line ending in '\\n'. It is written with '\\r\\n' so that the writer quotes every cell
    holding '\\r' or '\\n' (with '\\n' alone it would leave a lone '\\r' unquoted, which readers take for a
    line end)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()[:-2] + "\n"


def _bands(prefix, suffix):
    return [f"{prefix}_{b}_{suffix}" for b in BANDS]


def _joined(items):
    """A list of ids or names in one cell: '; '-separated (docs/csv.md names the few columns that do this)."""
    return "; ".join(items) if items else None


# --- reach, compare, table -----------------------------------------------------------------------------


def reach_columns(unit):
    """Columns of ``reach --format csv``."""
    return [
        "row_type",
        "airframe",
        "base",
        "base_id",
        "subject",
        "subject_id",
        "lat",
        "lon",
        "status",
        "status_reason",
        "routing",
        f"distance_{unit}",
        f"direct_{unit}",
        "initial_bearing_deg",
        f"position_uncertainty_{unit}",
        *_bands("radius", unit),
        *_bands("margin", unit),
        "verdict",
        *_bands("covered", "share"),
        "farthest_lat",
        "farthest_lon",
        "payload_kg",
    ]


def compare_columns(unit):
    """Columns of ``compare --format csv``: one row per target x base, then one per region x base."""
    return [
        "row_type",
        "airframe",
        "base",
        "base_id",
        "subject",
        "subject_id",
        "lat",
        "lon",
        "status",
        "status_reason",
        "routing",
        f"distance_{unit}",
        f"direct_{unit}",
        *_bands("radius", unit),
        *_bands("margin", unit),
        "verdict",
        *(f"one_way_{k}_min" for k in TIME_KINDS),
        *(f"round_trip_{k}_min" for k in TIME_KINDS),
        "nearest",
        f"advantage_{unit}",
        "advantage_percent",
        "time_saved_min",
        *_bands("covered", "share"),
        "farthest_lat",
        "farthest_lon",
        "nearest_base_share",
        "payload_kg",
    ]


def table_columns(unit):
    """Columns of ``table --format csv``."""
    return [
        "row_type",
        "airframe",
        "base",
        "base_id",
        "subject",
        "status",
        "status_reason",
        f"distance_{unit}",
        f"direct_{unit}",
        *_bands("radius", unit),
        *_bands("margin", unit),
        "verdict",
        *_bands("covered", "share"),
        "farthest_lat",
        "farthest_lon",
    ]


def _status(distance, reason=None):
    if distance is None:
        return {"status": "no_route", "status_reason": reason or None}
    return {"status": "ok"}


def _radius(combat_radius, unit):
    return {f"radius_{b}_{unit}": combat_radius[f"{b}_{unit}"] for b in BANDS}


def _margins(item, unit):
    return {f"margin_{b}_{unit}": item[f"margin_{b}_{unit}"] for b in BANDS}


def _region_row(region, unit):
    """The cells of a region row (its farthest point, covered shares, margins, verdict) from a region dict."""
    farthest = region["farthest_point"]
    distance = farthest[f"distance_{unit}"]
    return {
        "row_type": "region",
        "subject": region["name"],
        "subject_id": region["id"],
        **_status(distance, REGION_NO_ROUTE),
        f"distance_{unit}": distance,
        **_margins(region, unit),
        "verdict": region["verdict"],
        **{f"covered_{b}_share": region["covered_share"][b] for b in BANDS},
        "farthest_lat": farthest["lat"],
        "farthest_lon": farthest["lon"],
    }


def _target_cells(target):
    """Cells common to reach and compare target rows: the target and the distances flown and direct."""
    return {
        "row_type": "target",
        "subject": target["name"],
        "subject_id": target.get("id"),
        "lat": target["lat"],
        "lon": target["lon"],
    }


def reach_rows(result, unit):
    """The rows of ``reach`` as dicts keyed by :func:`reach_columns`: the targets, then the region."""
    from .canonical import reach_dict

    out = reach_dict(result, unit)
    payload = out["payload"]
    common = {
        "airframe": out["airframe"]["id"],
        "base": out["base"]["name"],
        "base_id": out["base"].get("id"),
        "routing": result.routing.describe(),
        **_radius(out["combat_radius"], unit),
        "payload_kg": None if payload is None else payload["payload_kg"],
    }
    rows = []
    for target in out["targets"]:
        distance = target[f"distance_{unit}"]
        rows.append(
            {
                **common,
                **_target_cells(target),
                **_status(distance, target["no_route"]),
                f"distance_{unit}": distance,
                f"direct_{unit}": target[f"direct_{unit}"],
                "initial_bearing_deg": target["initial_bearing_deg"],
                f"position_uncertainty_{unit}": target[f"position_uncertainty_{unit}"],
                **_margins(target, unit),
                "verdict": target["verdict"],
            }
        )
    if out["region"] is not None:
        rows.append({**common, **_region_row(out["region"], unit)})
    return rows


def reach_csv(result, unit):
    """``reach`` as CSV: one row per target, then one for the region (``row_type`` target | region)."""
    return write_rows(reach_columns(unit), reach_rows(result, unit))


def compare_rows(comparison, unit):
    """The rows of ``compare`` as dicts keyed by :func:`compare_columns`."""
    from .canonical import compare_dict

    out = compare_dict(comparison, unit)
    payload = out["payload"]
    common = {
        "airframe": out["airframe"]["id"],
        "routing": comparison.routing.describe(),
        **_radius(out["combat_radius"], unit),
        "payload_kg": None if payload is None else payload["payload_kg"],
    }
    bases = out["bases"]
    rows = []
    for target in out["targets"]:
        for base, entry in zip(bases, target["by_base"], strict=True):
            distance = entry[f"distance_{unit}"]
            nearest = target["nearest_base"] is not None and entry["base"] == target["nearest_base"]
            times = {}
            for kind, key in (("one_way", "one_way_min"), ("round_trip", "round_trip_min")):
                band = entry[key] or {}
                times.update({f"{kind}_{k}_min": band.get(k) for k in TIME_KINDS})
            rows.append(
                {
                    **common,
                    **_target_cells(target),
                    "base": entry["base"],
                    "base_id": base.get("id"),
                    **_status(distance, entry["no_route"]),
                    f"distance_{unit}": distance,
                    f"direct_{unit}": entry[f"direct_{unit}"],
                    **_margins(entry, unit),
                    "verdict": entry["verdict"],
                    **times,
                    "nearest": nearest,
                    # what the nearest base gains over the next one: on its row only
                    f"advantage_{unit}": target[f"advantage_{unit}"] if nearest else None,
                    "advantage_percent": target["advantage_percent"] if nearest else None,
                    "time_saved_min": target["time_saved_min"] if nearest else None,
                }
            )
    shares = out["nearest_base_share"]
    for i, region in enumerate(out["regions"]):  # one per base, in the bases' order
        base = bases[i]
        rows.append(
            {
                **common,
                **_region_row(region, unit),
                "base": region["base"],
                "base_id": base.get("id"),
                "nearest_base_share": None if shares is None else shares[i]["share"],
            }
        )
    return rows


def compare_csv(comparison, unit):
    """``compare`` as CSV in long form: one row per target x base, then one per region x base."""
    return write_rows(compare_columns(unit), compare_rows(comparison, unit))


def table_rows(rows, unit):
    """The rows of ``table`` as dicts keyed by :func:`table_columns`."""
    from .canonical import table_dict

    out = []
    for item in table_dict(rows, unit)["rows"]:
        distance = item[f"distance_{unit}"]
        covered = item["covered_share"] or {}
        farthest = item["farthest_point"] or {}
        out.append(
            {
                "row_type": item["kind"],
                "airframe": item["airframe"],
                "base": item["base"]["name"],
                "base_id": item["base"].get("id"),
                "subject": item["subject"],
                "status": item["status"],
                "status_reason": item["reason"],
                f"distance_{unit}": distance,
                f"direct_{unit}": item[f"direct_{unit}"],
                **{f"radius_{b}_{unit}": item[f"radius_{b}_{unit}"] for b in BANDS},
                **_margins(item, unit),
                "verdict": item["verdict"],
                **{f"covered_{b}_share": covered.get(b) for b in BANDS},
                "farthest_lat": farthest.get("lat"),
                "farthest_lon": farthest.get("lon"),
            }
        )
    return out


def table_csv(rows, unit):
    """``table`` as CSV: one row per airframe x base x target, and x region (``row_type``)."""
    return write_rows(table_columns(unit), table_rows(rows, unit))


# --- airframes and bases -------------------------------------------------------------------------------


def _figure_columns(key):
    """'combat_radius_km' -> combat_radius_low_km, combat_radius_nominal_km, combat_radius_high_km."""
    stem, suffix = key.rsplit("_", 1)
    return _bands(stem, suffix)


AIRFRAMES_COLUMNS = [
    "id",
    "name",
    "aliases",
    "role",
    "in_flight_refuelling",
    *(c for key in FIGURE_UNITS for c in _figure_columns(key)),
    "file",
]

AIRFRAME_COLUMNS = [
    "row_type",
    "airframe",
    "key",
    "unit",
    "low",
    "nominal",
    "high",
    "payload_kg",
    "method",
    "conditions",
    "note",
    "sources",
    "title",
    "url",
    "publication",
    "states",
    "reliability",
]


def airframes_csv(frames):
    """The airframe list as CSV: one row per airframe, every figure band in its own column."""
    rows = []
    for frame in frames:
        out = frame.as_dict()
        row = {k: out[k] for k in ("id", "name", "role", "in_flight_refuelling", "file")}
        row["aliases"] = _joined(out["aliases"])
        for key in FIGURE_UNITS:
            figure = out["figures"].get(key) or {}
            row.update(zip(_figure_columns(key), (figure.get(b) for b in BANDS), strict=True))
        rows.append(row)
    return write_rows(AIRFRAMES_COLUMNS, rows)


def airframe_rows(frame):
    """Rows of ``airframes ID --format csv``: figures, published payload pairs, the payload model's table
    (``modelled``) and the sources, told apart by ``row_type``."""
    from ..payload import model_summary

    out = {**frame.as_dict(), "payload_model": model_summary(frame)}
    own = {"airframe": out["id"]}
    rows = []
    for key, figure in out["figures"].items():
        rows.append(
            {
                **own,
                "row_type": "figure",
                "key": key,
                "unit": figure["unit"],
                **{b: figure[b] for b in BANDS},
                "payload_kg": figure.get("reference_payload_kg"),
                "conditions": figure["conditions"],
                "note": figure["note"] or None,
                "sources": _joined(figure["sources"]),
            }
        )
    for pair in out["payload_radius"]:
        rows.append(
            {
                **own,
                "row_type": "published_pair",
                "key": "combat_radius_km",
                "unit": "km",
                **{b: pair["combat_radius_km"][b] for b in BANDS},
                "payload_kg": pair["payload_kg"],
                "note": pair["note"] or None,
                "sources": _joined(pair["sources"]),
            }
        )
    model = out["payload_model"]
    for step in model.get("table", []):
        rows.append(
            {
                **own,
                "row_type": "modelled",
                "key": "combat_radius_km",
                "unit": "km",
                **{b: step["combat_radius_km"][b] for b in BANDS},
                "payload_kg": step["payload_kg"],
                "method": step["method"],
            }
        )
    for source_id, source in out["sources"].items():
        rows.append(
            {
                **own,
                "row_type": "source",
                "key": source_id,
                **{k: source.get(k) for k in ("title", "url", "publication", "states", "reliability")},
                "conditions": source.get("conditions"),
            }
        )
    return rows


def airframe_csv(frame):
    """One airframe as CSV: a row per figure, published payload pair, modelled payload step and source."""
    return write_rows(AIRFRAME_COLUMNS, airframe_rows(frame))


BASES_COLUMNS = [
    "id",
    "name",
    "aliases",
    "lat",
    "lon",
    "icao",
    "iata",
    "country",
    "runway_length_m",
    "elevation_m",
    "position_uncertainty_m",
    "notes",
    "file",
]

SOURCE_COLUMNS = ["title", "url", "publication", "states", "conditions", "reliability"]

BASE_COLUMNS = ["row_type", *BASES_COLUMNS, *SOURCE_COLUMNS]


def _base_row(base):
    out = base.as_dict()
    row = {k: out[k] for k in BASES_COLUMNS if k != "aliases"}
    row["aliases"] = _joined(out["aliases"])
    row["notes"] = out["notes"] or None
    return row, out["sources"]


def bases_csv(bases):
    """The base list as CSV: one row per base."""
    return write_rows(BASES_COLUMNS, [_base_row(b)[0] for b in bases])


def base_csv(base):
    """One base as CSV: its row (``row_type`` base), then one row per position source (``row_type``
    source, ``id`` naming the base)."""
    row, sources = _base_row(base)
    rows = [{"row_type": "base", **row}]
    rows += [
        {"row_type": "source", "id": row["id"], **{k: s.get(k) for k in SOURCE_COLUMNS}} for s in sources
    ]
    return write_rows(BASE_COLUMNS, rows)


# --- basing ----------------------------------------------------------------------------------------------


def basing_columns(unit):
    """Columns of ``basing --format csv``: one ``area`` row per mode x figure, then one ``candidate`` row
    per listed airfield (its direct and, under routing, flyable measures), then ``team`` rows."""
    measures = [
        f"farthest_{unit}",
        *_bands("margin", unit),
        "covers",
        *_bands("covered", "share"),
        *(f"time_{k}_s" for k in TIME_KINDS),
    ]
    return [
        "row_type",
        "mode",
        "figure",
        f"radius_{unit}",
        f"area_{unit}2",
        "west",
        "south",
        "east",
        "north",
        "countries",
        "rank",
        "id",
        "name",
        "country",
        "source",
        "lat",
        "lon",
        "icao",
        "runway_length_m",
        "status",
        *measures,
        *(f"flyable_{c}" for c in measures),
    ]


def basing_rows(result, unit):
    """The rows of ``basing`` as dicts keyed by :func:`basing_columns`, read off
    :func:`rangecalc.basing.basing_dict`."""
    from ..basing import FIGURES, basing_dict

    d = basing_dict(result, unit)
    rows = []
    for mode in ("direct", "flyable"):
        block = d[mode]
        for a in block["areas"] if block else ():
            ext = a["extent"] or {}
            rows.append(
                {
                    "row_type": "area",
                    "mode": mode,
                    "figure": a["figure"],
                    f"radius_{unit}": a[f"radius_{unit}"],
                    f"area_{unit}2": a[f"area_{unit}2"],
                    **{k: ext.get(k) for k in ("west", "south", "east", "north")},
                    "countries": _joined([c["id"] for c in a["countries"]]),
                    "status": "empty" if a["empty"] else "ok",
                }
            )

    def measured(m, prefix=""):
        if m is None:
            return {}
        times = m["one_way_time_s"] or {}
        return {
            f"{prefix}farthest_{unit}": m[f"farthest_{unit}"],
            **{f"{prefix}margin_{f}_{unit}": m[f"margin_{f}_{unit}"] for f in FIGURES},
            f"{prefix}covers": _joined(m["covers"]),
            **{f"{prefix}covered_{f}_share": m["covered_share"][f] for f in FIGURES},
            **{f"{prefix}time_{k}_s": times.get(k) for k in TIME_KINDS},
        }

    for c in d["candidates"]:
        fly = c["flyable"]
        status = "no_route" if fly is not None and fly[f"farthest_{unit}"] is None else "ok"
        rows.append(
            {
                "row_type": "candidate",
                **{k: c[k] for k in ("rank", "id", "name", "country", "source", "lat", "lon", "icao")},
                "runway_length_m": c["runway_length_m"],
                "status": status,
                **measured(c["direct"]),
                **measured(fly, "flyable_"),
            }
        )
    team = d["bases_needed"]
    if team is not None:
        for m in team["members"] or [None]:
            rows.append(
                {
                    "row_type": "team",
                    "mode": "direct",
                    "figure": team["figure"],
                    f"radius_{unit}": team[f"radius_{unit}"],
                    "status": "ok" if team["found"] else "none_covers",
                    f"farthest_{unit}": team[f"covering_radius_{unit}"],
                    **(
                        {}
                        if m is None
                        else {k: m[k] for k in ("id", "name", "country", "source", "lat", "lon")}
                    ),
                }
            )
    return rows


def basing_csv(result, unit):
    """``basing`` as CSV (see :func:`basing_columns`)."""
    return write_rows(basing_columns(unit), basing_rows(result, unit))
