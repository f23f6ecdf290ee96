"""The canonical form of every result: one JSON-shaped dict per result, the documented schemas
(``docs/json.md``, ``docs/schemas/``). ``--format json`` writes it as it is; CSV rows are read off it
(:mod:`.csvdata`); text and Markdown (:mod:`.text`) show the same numbers to people."""

import math

from ..airframes import BANDS
from ..units import metres_to

DISTANCE_SCHEMA = "rangecalc/distance/1"


REACH_SCHEMA = "rangecalc/reach/1"


def json_number(value):
    """A float for JSON, or None where it is not finite (no route: JSON has no infinity)."""
    value = float(value)
    return value if math.isfinite(value) else None


def distance_dict(origin, destination, distance_m, azimuth1_deg, azimuth2_deg, model, unit):
    """JSON-ready result of ``rangecalc distance`` (schema ``rangecalc/distance/1``)."""
    return {
        "schema": DISTANCE_SCHEMA,
        "model": model,
        "from": origin.as_dict(),
        "to": destination.as_dict(),
        f"distance_{unit}": metres_to(distance_m, unit),
        "initial_bearing_deg": azimuth1_deg,
        "final_bearing_deg": azimuth2_deg,
    }


def _source_dict(source):
    return source.as_dict()


def reach_dict(result, unit):
    """JSON-ready result of ``rangecalc reach`` (schema ``rangecalc/reach/1``, see docs/json.md)."""
    radius = result.radius
    return {
        "schema": REACH_SCHEMA,
        "model": result.model,
        "distance_unit": unit,
        "airframe": {"id": result.airframe.id, "name": result.airframe.name, "file": result.airframe.origin},
        "base": result.base.as_dict(),
        "combat_radius": {
            **{f"{band}_{unit}": metres_to(r, unit) for band, r in zip(BANDS, result.radius_m, strict=True)},
            "conditions": radius.conditions,
            "note": radius.note,
            "sources": [_source_dict(s) for s in radius.sources],
        },
        "targets_label": result.targets_label,
        "targets": [
            {
                **row.target.as_dict(),
                f"distance_{unit}": json_number(metres_to(row.distance_m, unit)),
                f"direct_{unit}": metres_to(row.direct_m, unit),
                "initial_bearing_deg": row.initial_azimuth_deg,
                f"position_uncertainty_{unit}": metres_to(row.position_uncertainty_m, unit),
                **{
                    f"margin_{band}_{unit}": json_number(metres_to(m, unit))
                    for band, m in zip(BANDS, row.margins_m, strict=True)
                },
                "verdict": row.verdict,
                "verdict_text": row.verdict_text,
                "route": None if row.route is None else route_dict(row.route, unit),
                "no_route": row.no_route or None,
            }
            for row in result.targets
        ],
        "summary": result.counts(),
        "payload": None if result.payload is None else result.payload.as_dict(),
        "region": None if result.region is None else region_dict(result.region, unit),
        "routing": routing_dict(result.routing, unit),
    }


def routing_dict(routing, unit):
    """JSON-ready routing rules (closed airspace with reasons, waypoints, stand-off)."""
    return {
        "avoid": [{"id": r.id, "name": r.name, "reason": routing.reasons.get(r.id)} for r in routing.avoid],
        "via": [{"lon": lon, "lat": lat} for lon, lat in routing.via],
        f"standoff_{unit}": metres_to(routing.standoff_m, unit),
    }


def route_dict(route, unit):
    """JSON-ready route: lengths, legs, countries crossed and the vertices of its geodesic polyline."""
    return {
        f"length_{unit}": metres_to(route.length_m, unit),
        f"direct_{unit}": metres_to(route.direct_m, unit),
        f"detour_{unit}": metres_to(route.detour_m, unit),
        "legs": [{f"length_{unit}": metres_to(leg.length_m, unit)} for leg in route.legs],
        "countries": [
            {"id": c, "name": name, f"length_{unit}": metres_to(m, unit)} for c, name, m in route.countries
        ],
        "vertices": [[float(lon), float(lat)] for lon, lat in zip(route.lons, route.lats, strict=True)],
        "notes": list(route.notes),
    }


def region_dict(region_result, unit):
    """JSON-ready coverage of a region (part of ``rangecalc/reach/1`` and ``rangecalc/compare/1``)."""
    f = region_result.farthest
    near = None
    if region_result.farthest_near:
        name, dist, bearing = region_result.farthest_near
        near = {"name": name, f"distance_{unit}": metres_to(dist, unit), "bearing_deg": bearing}
    return {
        "id": region_result.region.id,
        "name": region_result.region.name,
        "outline_source": region_result.region.source,
        f"area_{unit}2": region_result.coverage[0].region_area_m2 / metres_to(1.0, unit) ** -2,
        "farthest_point": {
            "lat": f.lat,
            "lon": f.lon,
            f"distance_{unit}": json_number(metres_to(f.distance_m, unit)),
            "nearest_base": region_result.bases[f.nearest_base].label if f.nearest_base >= 0 else None,
            "near": near,
        },
        "covered_share": {b: c.covered_share for b, c in zip(BANDS, region_result.coverage, strict=True)},
        **{
            f"margin_{b}_{unit}": json_number(metres_to(m, unit))
            for b, m in zip(BANDS, region_result.margins_m, strict=True)
        },
        "verdict": region_result.verdict,
        "verdict_text": region_result.verdict_text,
        "method": region_result.method,
        **_uncovered_dict(region_result),
    }


def _uncovered_dict(region_result):
    """Per band the part of the region out of reach, as an RFC 7946 geometry (None when all is covered):
    exact polygons for direct geodesics, contoured from the flyable distance field under routing (with
    the contour's grid and error in ``uncovered_method``)."""
    from .geojson import geometry_dict

    if region_result.coverage[0].uncovered is not None:
        parts = [c.uncovered for c in region_result.coverage]
        method = "exact polygons of direct geodesic reach"
    else:
        parts = [u.geometry for u in region_result.uncovered]
        method = f"contoured from flyable distances: {region_result.reach_area.resolution}"
    return {
        "uncovered": {b: geometry_dict(g) for b, g in zip(BANDS, parts, strict=True)},
        "uncovered_method": method,
    }


COMPARE_SCHEMA = "rangecalc/compare/1"


TABLE_SCHEMA = "rangecalc/table/1"


def _minutes(seconds_band):
    return {
        k: json_number(v / 60) for k, v in zip(("fastest", "nominal", "slowest"), seconds_band, strict=True)
    }


def compare_dict(comparison, unit):
    """JSON-ready ``compare`` result (schema ``rangecalc/compare/1``)."""
    speed = comparison.speed_mps
    out = {
        "schema": COMPARE_SCHEMA,
        "model": comparison.model,
        "distance_unit": unit,
        "airframe": {
            "id": comparison.airframe.id,
            "name": comparison.airframe.name,
            "file": comparison.airframe.origin,
        },
        "bases": [b.as_dict() for b in comparison.bases],
        "combat_radius": {
            f"{b}_{unit}": metres_to(r, unit) for b, r in zip(BANDS, comparison.radius_m, strict=True)
        },
        "cruise_speed_kmh": None
        if speed is None
        else dict(zip(BANDS, (float(v) * 3.6 for v in speed), strict=True)),
        "payload": None if comparison.payload is None else comparison.payload.as_dict(),
        "targets": [],
        "regions": [{"base": r.bases[0].label, **region_dict(r, unit)} for r in comparison.regions],
        "nearest_base_share": None
        if comparison.nearest_shares is None
        else [
            {"base": b.label, "share": float(s)}
            for b, s in zip(comparison.bases, comparison.nearest_shares, strict=True)
        ],
    }
    for row in comparison.targets:
        by_base = []
        for i, base in enumerate(comparison.bases):
            entry = {
                "base": base.label,
                f"distance_{unit}": json_number(metres_to(float(row.distance_m[i]), unit)),
                f"direct_{unit}": metres_to(float(row.direct_m[i]), unit),
                **{
                    f"margin_{b}_{unit}": json_number(metres_to(float(m), unit))
                    for b, m in zip(BANDS, row.margins_m[i], strict=True)
                },
                "verdict": row.verdicts[i],
                "one_way_min": None if row.one_way_s is None else _minutes(row.one_way_s[i]),
                "round_trip_min": None if row.one_way_s is None else _minutes(2 * row.one_way_s[i]),
                "no_route": row.reaches[i].no_route or None,
            }
            by_base.append(entry)
        out["targets"].append(
            {
                **row.target.as_dict(),
                "by_base": by_base,
                "nearest_base": None if row.best is None else comparison.bases[row.best].label,
                f"advantage_{unit}": None
                if row.advantage_m is None
                else json_number(metres_to(row.advantage_m, unit)),
                "advantage_percent": None
                if row.advantage_share is None
                else json_number(100 * row.advantage_share),
                "time_saved_min": None if row.time_saved_s is None else json_number(row.time_saved_s / 60),
            }
        )
    return out


def table_dict(rows, unit, model="ellipsoid", payload_kg=None):
    """JSON-ready reach table (schema ``rangecalc/table/1``).

    With a payload, each row's radius is the payload model's value (see ``rangecalc airframes ID``).
    """
    items = []
    for row in rows:
        item = {
            "airframe": row.airframe.id,
            "base": row.base.as_dict(),
            "subject": row.subject,
            "kind": row.kind,
            "status": row.status,
            "reason": row.reason or None,
            f"distance_{unit}": json_number(metres_to(row.distance_m, unit)),
            f"direct_{unit}": None if row.direct_m is None else json_number(metres_to(row.direct_m, unit)),
            **{
                f"radius_{b}_{unit}": json_number(metres_to(r, unit))
                for b, r in zip(BANDS, row.radius_m, strict=True)
            },
            **{
                f"margin_{b}_{unit}": json_number(metres_to(m, unit))
                for b, m in zip(BANDS, row.margins_m, strict=True)
            },
            "verdict": row.verdict or None,
            "covered_share": None
            if row.covered_share is None
            else dict(zip(BANDS, row.covered_share, strict=True)),
            "farthest_point": None
            if row.farthest is None
            else {"lon": row.farthest[0], "lat": row.farthest[1]},
        }
        items.append(item)
    return {
        "schema": TABLE_SCHEMA,
        "model": model,
        "payload_kg": payload_kg,
        "distance_unit": unit,
        "rows": items,
    }


# --- routes --------------------------------------------------------------------------------------------


ROUTE_SCHEMA = "rangecalc/route/1"


def route_report_dict(start, end, route, routing, unit):
    """JSON-ready ``rangecalc route`` result (schema ``rangecalc/route/1``)."""
    return {
        "schema": ROUTE_SCHEMA,
        "from": start.as_dict(),
        "to": end.as_dict(),
        "routing": routing_dict(routing, unit),
        **route_dict(route, unit),
    }
