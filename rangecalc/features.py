"""Map features of a result: what GeoJSON, KML and static maps draw, built once per result.

A result (:class:`~rangecalc.reach.ReachResult`, :class:`~rangecalc.compare.Comparison`,
:class:`~rangecalc.routes.RouteReport`, :class:`~rangecalc.reach.RingsResult`,
:class:`~rangecalc.claims.ClaimResult`) becomes a :class:`FeatureSet`: a title, a credit line and a tuple of
:class:`Feature` (a shapely geometry in lon/lat degrees, EPSG:4326, and a flat dict of properties). The
writers in :mod:`rangecalc.formats` only serialise it: they do not compute.

Geometry conventions (every builder guarantees them, so every writer can rely on them):

- longitudes within [-180, 180]: lines and polygons that cross the antimeridian are split there
  (MultiLineString / MultiPolygon); polygons that contain a pole are closed along the map edge;
- polygons valid, exteriors counter-clockwise and holes clockwise (RFC 7946 §3.1.6);
- no empty geometry: a feature whose geometry would be empty is left out.

Property conventions (flat, JSON-serialisable: str, int, float, bool, None, or lists of str):

- ``kind``: one of :data:`KINDS`;
- ``name``: a short human label ("nominal radius 2,200 km", "Raqqa");
- distances are raw numbers in the unit asked for, the unit in the key (``radius_km``, ``distance_nm``);
- ``figure``: "low", "nominal" or "high" on reach areas and uncovered parts; ``verdict``: a verdict code
  of :data:`rangecalc.reach.VERDICTS` on targets and regions;
- ``airframe``, ``base``, ``payload_kg`` (None for the published radius), ``routing`` (the rules in words,
  None for direct geodesics), ``sources`` (source ids of the figure used);
- contoured layers carry their grid: ``grid_step_lat_deg``, ``grid_step_lon_deg`` and the boundary error
  (``boundary_error_km``);
- claims add ``variant`` to routes and flyable reach areas: "legal" (the shortest legal route) or the
  name of a recorded corridor.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import shapely

from . import geodesy
from .units import metres_to

#: The ``meta`` schema name of every feature set.
SCHEMA = "rangecalc/features/1"
#: Radius figures, in the order of every band.
FIGURES = ("low", "nominal", "high")
#: Vertex spacing of routes drawn along their geodesics, metres: straight lon/lat edges this short stay
#: within a few metres of the geodesic at any latitude a theatre map shows.
ROUTE_STEP_M = 20_000.0

#: Feature kinds, bottom to top as maps draw them.
KINDS = (
    "region",  # the region asked about (--region), with its coverage verdict
    "closed_airspace",  # airspace closed by --avoid (with --territorial-sea / --standoff as asked)
    "reach_area",  # where the airframe reaches under one figure: a direct ring, or the flyable area
    "basing_area",  # where a base reaches the whole region (or every target) under one figure (basing)
    "uncovered",  # the part of the region out of reach under one figure
    "route",  # the shortest flyable route to a target (or the route of `rangecalc route`)
    "corridor",  # a recorded corridor (claims)
    "base",
    "waypoint",
    "target",
    "farthest_point",  # the region's point farthest from its nearest base
)


@dataclass(frozen=True)
class Feature:
    """One map feature: ``geometry`` (shapely, lon/lat degrees) and flat ``properties``."""

    geometry: object
    properties: dict


@dataclass(frozen=True)
class FeatureSet:
    """The features of one result, with a ``title`` and a ``credit`` line (data sources) for maps, and
    ``meta``: result-level facts (schema, airframe, sources) that GeoJSON writes as a foreign member."""

    title: str
    features: tuple
    credit: str = ""
    meta: dict = field(default_factory=dict)


# --- geometry conventions ---------------------------------------------------------------------------------


def normalise(geometry):
    """``geometry`` following the module's conventions, or None when it is empty (leave the feature out).

    Points get longitudes in [-180, 180]; a line whose consecutive vertices are more than 180 deg of
    longitude apart is taken to cross the antimeridian (its longitudes are unwrapped, as lines are drawn
    along short edges) and, like any line or polygon reaching past +-180, is cut there into pieces shifted
    into range; polygons are made valid, exteriors counter-clockwise and holes clockwise; a collection keeps
    its parts of the highest dimension. Polygons that contain a pole must come closed along the pole (as
    :func:`rangecalc.geodesy.ring` draws them): a pole cannot be told from a ring's coordinates alone.
    """
    if geometry is None or geometry.is_empty:
        return None
    parts = [p for p in shapely.get_parts(geometry) if not p.is_empty]
    if isinstance(geometry, shapely.GeometryCollection) and not isinstance(
        geometry, (shapely.MultiPoint, shapely.MultiLineString, shapely.MultiPolygon)
    ):
        parts = [q for p in parts for q in shapely.get_parts(p) if not q.is_empty]
    if not parts:
        return None
    top = max(shapely.get_dimensions(p) for p in parts)
    parts = [p for p in parts if shapely.get_dimensions(p) == top]
    if top == 0:
        coords = shapely.get_coordinates(parts)
        points = shapely.points(geodesy._wrap180(coords[:, 0]), coords[:, 1])
        return points[0] if len(points) == 1 else shapely.MultiPoint(list(points))
    if top == 1:
        lines = [q for p in parts for q in _split_line(p)]
        lines = [q for q in lines if q.length > 0]
        if not lines:
            return None
        return lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)
    polygons = []
    for polygon in parts:
        polygon = _unwrapped_polygon(polygon)
        if not polygon.is_valid:
            polygon = shapely.make_valid(polygon)
        polygons += _polygon_parts(geodesy.split_at_antimeridian(_polygonal(polygon)))
    return _polygonal(shapely.union_all(polygons)) if len(polygons) > 1 else _polygonal(polygons)


def _polygonal(geometry):
    """A valid, oriented Polygon or MultiPolygon of the polygonal parts of ``geometry`` (or a list of
    polygons), or None when there are none."""
    parts = _polygon_parts(geometry)
    if not parts:
        return None
    merged = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    if not merged.is_valid:
        parts = _polygon_parts(shapely.make_valid(merged))
        if not parts:
            return None
        merged = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    return shapely.orient_polygons(merged)


def _polygon_parts(geometry):
    items = geometry if isinstance(geometry, list) else [geometry]
    out = []
    for item in items:
        for part in shapely.get_parts(item):
            if isinstance(part, shapely.Polygon):
                if not part.is_empty and part.area > 0:
                    out.append(part)
            elif isinstance(part, (shapely.MultiPolygon, shapely.GeometryCollection)):
                out += _polygon_parts(part)
    return out


def _unwrap(lons):
    return np.degrees(np.unwrap(np.radians(lons)))


def _split_line(line):
    """A LineString cut at +-180 into pieces within range (see :func:`normalise`)."""
    coords = shapely.get_coordinates(line)
    lons = _unwrap(coords[:, 0])
    lons = lons - 360.0 * np.floor((lons[0] + 180.0) / 360.0)  # first vertex within [-180, 180)
    if lons.min() >= -180.0 and lons.max() <= 180.0:
        return [shapely.LineString(np.column_stack([lons, coords[:, 1]]))]
    unwrapped = shapely.LineString(np.column_stack([lons, coords[:, 1]]))
    pieces = []
    for shift in range(-2, 3):
        window = shapely.box(-180.0 + 360.0 * shift, -90.0, 180.0 + 360.0 * shift, 90.0)
        part = shapely.intersection(unwrapped, window)
        for piece in shapely.get_parts(shapely.line_merge(part) if part.geom_type != "LineString" else part):
            if isinstance(piece, shapely.LineString) and piece.length > 0:
                pieces.append(shapely.transform(piece, lambda xy, s=shift: xy - np.array([360.0 * s, 0.0])))
    return pieces


def _unwrapped_polygon(polygon):
    """A polygon whose edges jump more than 180 deg of longitude (drawn across +-180 with wrapped
    longitudes) with its rings unwrapped, so that :func:`rangecalc.geodesy.split_at_antimeridian` can cut
    it; other polygons unchanged."""
    exterior = shapely.get_coordinates(polygon.exterior)
    if not (np.abs(np.diff(exterior[:, 0])) > 180.0).any():
        return polygon
    shell_lons = _unwrap(exterior[:, 0])
    if abs(shell_lons[-1] - shell_lons[0]) > 1e-9:
        return polygon  # the ring winds round a pole: it cannot be unwrapped into a closed ring
    holes = []
    for interior in polygon.interiors:
        xy = shapely.get_coordinates(interior)
        lons = _unwrap(xy[:, 0])
        lons += 360.0 * np.round((shell_lons.mean() - lons.mean()) / 360.0)
        holes.append(np.column_stack([lons, xy[:, 1]]))
    return shapely.Polygon(np.column_stack([shell_lons, exterior[:, 1]]), holes)


# --- builders ---------------------------------------------------------------------------------------------


def features_of(result, unit="km"):
    """The :class:`FeatureSet` of any result, by type (see the module docstring); ``unit`` names the
    distance unit of the properties (claims are always in km)."""
    from .basing import BasingResult
    from .claims import ClaimResult
    from .compare import Comparison
    from .reach import ReachResult, RingsResult
    from .routes import RouteReport

    builders = (
        (ReachResult, reach_features),
        (Comparison, compare_features),
        (RouteReport, route_features),
        (RingsResult, rings_features),
        (BasingResult, basing_features),
    )
    if isinstance(result, ClaimResult):
        return claim_features(result)
    for kind, builder in builders:
        if isinstance(result, kind):
            return builder(result, unit)
    raise TypeError(f"no map features for a {type(result).__name__}")


def _feature(geometry, properties):
    """A :class:`Feature` with a normalised geometry, or None when the geometry is empty."""
    geometry = normalise(geometry)
    return None if geometry is None else Feature(geometry, dict(properties))


def _features(items):
    """The features of ``items`` (Feature or None) in :data:`KINDS` order, empty ones left out."""
    kept = [f for f in items if f is not None]
    return tuple(sorted(kept, key=lambda f: KINDS.index(f.properties["kind"])))


def _length(metres, unit):
    """A distance in ``unit``, or None when it is not finite (no route)."""
    value = float(metres_to(float(metres), unit))
    return value if math.isfinite(value) else None


def _number(value):
    return f"{value:,.0f}"


def _sources(airframe):
    """Ids of the sources the combat radius band rests on: grade-D sources are recorded in the airframe
    file but never used for the band (docs/data-format.md), so a map does not credit them."""
    return [s.id for s in airframe.combat_radius.sources if s.reliability != "D"]


def _credit(sources, places=()):
    """The credit line of a map: borders, the figures' sources, where named places came from (GeoNames
    and OpenStreetMap require attribution), rangecalc."""
    from . import __version__

    figures = f"figures: {', '.join(sources)}; " if sources else ""
    return f"Natural Earth (public domain); {figures}{_place_credits(places)}rangecalc {__version__}"


def _place_credits(places):
    credits = []
    for place in places:
        ref = getattr(place, "ref", None)
        if place.kind == "gazetteer" or getattr(ref, "set_id", ""):
            credits.append("places: GeoNames (CC BY 4.0)")
        elif place.kind == "geocoded":
            credits.append("places: © OpenStreetMap contributors (ODbL), geocoded by Nominatim")
    return "".join(f"{c}; " for c in dict.fromkeys(credits))


def _meta(airframe, unit, **extra):
    return {"schema": SCHEMA, "airframe": airframe.id, "sources": _sources(airframe), "unit": unit, **extra}


def _routing_text(routing):
    return routing.describe() if routing.active else None


def _load(payload):
    return None if payload is None else float(payload.payload_kg)


def _point(place, kind, **properties):
    return _feature(shapely.Point(place.lon, place.lat), {"kind": kind, "name": place.label, **properties})


def _direct_areas(airframe, base, radii_m, payload, unit, rings=None):
    """The direct reach areas: one geodesic disc per figure."""
    rings = rings or tuple(geodesy.ring(base.lon, base.lat, r) for r in radii_m)
    return [
        _feature(
            geometry,
            {
                "kind": "reach_area",
                "name": f"{base.label}: {figure} radius {_number(metres_to(r, unit))} {unit}",
                "figure": figure,
                f"radius_{unit}": _length(r, unit),
                "payload_kg": _load(payload),
                "airframe": airframe.id,
                "base": base.label,
                "sources": _sources(airframe),
                "routing": None,
            },
        )
        for figure, r, geometry in zip(FIGURES, radii_m, rings, strict=True)
    ]


def _flyable_areas(airframe, base_label, reach, payload, routing_text, unit, extent):
    """The flyable reach areas of a :class:`~rangecalc.coverage.FieldReach`, one per figure, with the grid
    they were contoured on; ``extent`` says what the contour's frame covers."""
    return [
        _feature(
            polygon,
            {
                "kind": "reach_area",
                "name": f"{base_label}: {figure} radius {_number(metres_to(r, unit))} {unit} on flyable routes",
                "figure": figure,
                f"radius_{unit}": _length(r, unit),
                "payload_kg": _load(payload),
                "airframe": airframe.id,
                "base": base_label,
                "sources": _sources(airframe),
                "routing": routing_text,
                "extent": extent,
                "grid_step_lat_deg": reach.step_lat_deg,
                "grid_step_lon_deg": reach.step_lon_deg,
                f"boundary_error_{unit}": _length(reach.error_m, unit),
                "method": reach.resolution,
            },
        )
        for figure, r, polygon in zip(FIGURES, reach.radii_m, reach.polygons, strict=True)
    ]


def _closed(routing, unit, geometry=None):
    """The closed airspace of ``routing`` (land and territorial sea, without the stand-off; ``geometry``
    when it is already computed), or None."""
    if not routing.avoid:
        return None
    from .routes import closed_airspace

    return _feature(
        closed_airspace(routing) if geometry is None else geometry,
        {
            "kind": "closed_airspace",
            "name": "closed airspace: " + ", ".join(r.name for r in routing.avoid),
            "regions": [r.name for r in routing.avoid],
            f"territorial_sea_{unit}": _length(routing.territorial_sea_m, unit),
            f"standoff_{unit}": _length(routing.standoff_m, unit),
            "routing": routing.describe(),
        },
    )


def _route_line(route, name, unit, routing_text, **properties):
    from .routes import geodesic_polyline

    lons, lats = geodesic_polyline(route.lons, route.lats, ROUTE_STEP_M)
    return _feature(
        shapely.LineString(np.column_stack([lons, lats])),
        {
            "kind": "route",
            "name": name,
            f"length_{unit}": _length(route.length_m, unit),
            f"direct_{unit}": _length(route.direct_m, unit),
            "routing": routing_text,
            **properties,
        },
    )


def _target(row, base, airframe, routing, unit, **extra):
    """A target of a reach result (a :class:`~rangecalc.reach.TargetReach`) as a point."""
    return _point(
        row.target,
        "target",
        **{
            f"distance_{unit}": _length(row.distance_m, unit),
            f"direct_{unit}": _length(row.direct_m, unit),
            **{f"margin_{b}_{unit}": _length(m, unit) for b, m in zip(FIGURES, row.margins_m, strict=True)},
            "verdict": row.verdict,
            "base": base.label,
            "airframe": airframe.id,
            "routing": _routing_text(routing),
            "no_route": row.no_route or None,
            **extra,
        },
    )


def _routes_to_targets(rows, base, routing, unit):
    return [
        _route_line(
            row.route,
            f"{base.label} to {row.target.label}",
            unit,
            _routing_text(routing),
            base=base.label,
            target=row.target.label,
        )
        for row in rows
        if row.route is not None
    ]


def _region(rr, routing, unit, base_label):
    """A region's outline, its uncovered parts per figure and its farthest point (a
    :class:`~rangecalc.reach.RegionReach` seen from ``base_label``)."""
    region = rr.region
    far = rr.farthest
    items = [
        _feature(
            region.geometry,
            {
                "kind": "region",
                "name": region.name,
                "id": region.id,
                "verdict": rr.verdict,
                **{f"covered_share_{b}": c.covered_share for b, c in zip(FIGURES, rr.coverage, strict=True)},
                **{
                    f"margin_{b}_{unit}": _length(m, unit) for b, m in zip(FIGURES, rr.margins_m, strict=True)
                },
                f"farthest_{unit}": _length(far.distance_m, unit),
                "base": base_label,
                "routing": _routing_text(routing),
                "method": rr.method,
            },
        )
    ]
    for k, figure in enumerate(FIGURES):
        if rr.uncovered is not None:
            part = rr.uncovered[k]
            geometry, area, share = part.geometry, part.area_m2, part.share
            method = rr.reach_area.resolution
        else:
            c = rr.coverage[k]
            geometry, area, share = c.uncovered, c.region_area_m2 - c.covered_area_m2, 1.0 - c.covered_share
            method = rr.method
        if geometry is None:
            continue
        items.append(
            _feature(
                geometry,
                {
                    "kind": "uncovered",
                    "name": f"{region.name} out of reach from {base_label} under the {figure} figure",
                    "figure": figure,
                    "share": max(share, 0.0),
                    f"area_{unit}2": max(area, 0.0) * _length(1.0, unit) ** 2,
                    "base": base_label,
                    "routing": _routing_text(routing),
                    "method": method,
                },
            )
        )
    if math.isfinite(far.lon) and math.isfinite(far.lat):
        nearest = rr.bases[far.nearest_base].label if far.nearest_base >= 0 else None
        items.append(
            _feature(
                shapely.Point(far.lon, far.lat),
                {
                    "kind": "farthest_point",
                    "name": f"farthest point of {region.name} from {nearest or base_label}",
                    f"distance_{unit}": _length(far.distance_m, unit),
                    "base": nearest,
                    "near": rr.farthest_near[0] if rr.farthest_near else None,
                    "routing": _routing_text(routing),
                },
            )
        )
    return items


def _flyable_layer(airframe, base, rr, radii_m, payload, routing, unit):
    """Flyable reach areas from one base: the region's contour when there is one, else the whole reach."""
    from .reach import flyable_reach

    if rr is not None and rr.reach_area is not None:
        extent = (
            f"{rr.region.name} and {rr.reach_area.frame[3] - rr.region.geometry.bounds[3]:g} deg around it"
        )
        return _flyable_areas(airframe, base.label, rr.reach_area, payload, routing.describe(), unit, extent)
    reach = flyable_reach([base], radii_m, routing)
    return _flyable_areas(airframe, base.label, reach, payload, routing.describe(), unit, "the whole reach")


def reach_features(result, unit="km"):
    """Map features of a :class:`~rangecalc.reach.ReachResult`."""
    frame, base, routing = result.airframe, result.base, result.routing
    items = [_point(base, "base", airframe=frame.id)]
    items += [_target(row, base, frame, routing, unit) for row in result.targets]
    items += _direct_areas(frame, base, result.radius_m, result.payload, unit)
    if routing.active:
        items += _flyable_layer(frame, base, result.region, result.radius_m, result.payload, routing, unit)
        items += _routes_to_targets(result.targets, base, routing, unit)
        items += [_waypoint(k, lonlat) for k, lonlat in enumerate(routing.via)]
        items.append(_closed(routing, unit))
    if result.region is not None:
        items += _region(result.region, routing, unit, base.label)
    subject = result.region.region.name if result.region is not None else result.targets_label or "targets"
    return FeatureSet(
        title=f"{frame.name} from {base.label}: reach over {subject}",
        features=_features(items),
        credit=_credit(_sources(frame), [base, *(t.target for t in result.targets)]),
        meta=_meta(frame, unit, base=base.label, routing=_routing_text(routing)),
    )


def _waypoint(k, lonlat):
    return _feature(shapely.Point(*lonlat), {"kind": "waypoint", "name": f"waypoint {k + 1}"})


def rings_features(result, unit="km"):
    """Map features of a :class:`~rangecalc.reach.RingsResult`."""
    frame, base, routing = result.airframe, result.base, result.routing
    items = [_point(base, "base", airframe=frame.id)]
    items += _direct_areas(frame, base, result.radius_m, result.payload, unit, result.rings)
    if result.flyable is not None:
        items += _flyable_areas(
            frame, base.label, result.flyable, result.payload, routing.describe(), unit, "the whole reach"
        )
        items += [_waypoint(k, lonlat) for k, lonlat in enumerate(routing.via)]
        items.append(_closed(routing, unit))
    load = "" if result.payload is None else f" with {result.payload.payload_kg / 1000:g} t"
    how = " on flyable routes" if routing.active else ""
    return FeatureSet(
        title=f"{frame.name} from {base.label}: reach{load}{how}",
        features=_features(items),
        credit=_credit(_sources(frame), [base]),
        meta=_meta(frame, unit, base=base.label, routing=_routing_text(routing)),
    )


def route_features(report, unit="km"):
    """Map features of a :class:`~rangecalc.routes.RouteReport`."""
    start, end, route, routing = report.start, report.end, report.route, report.routing
    items = [
        _point(start, "base"),
        _point(
            end,
            "target",
            **{
                f"distance_{unit}": _length(route.length_m, unit),
                f"direct_{unit}": _length(route.direct_m, unit),
            },
        ),
        _route_line(
            route,
            f"{start.label} to {end.label}",
            unit,
            _routing_text(routing),
            **{"from": start.label, "to": end.label, f"detour_{unit}": _length(route.detour_m, unit)},
        ),
        *(_waypoint(k, lonlat) for k, lonlat in enumerate(routing.via)),
        _closed(routing, unit),
    ]
    return FeatureSet(
        title=f"{start.label} to {end.label}: {routing.describe()}",
        features=_features(items),
        credit=_credit([], [start, end]),
        meta={
            "schema": SCHEMA,
            "airframe": None,
            "sources": [],
            "unit": unit,
            "routing": _routing_text(routing),
        },
    )


def compare_features(comparison, unit="km"):
    """Map features of a :class:`~rangecalc.compare.Comparison`: every base's reach areas, region
    coverage and routes; each target once, with the numbers of its nearest base (``base``)."""
    frame, routing, bases = comparison.airframe, comparison.routing, comparison.bases
    items = [_point(b, "base", airframe=frame.id) for b in bases]
    for row in comparison.targets:
        k = row.best if row.best is not None else 0
        items.append(
            _target(
                row.reaches[k],
                bases[k],
                frame,
                routing,
                unit,
                **{f"advantage_{unit}": None if row.advantage_m is None else _length(row.advantage_m, unit)},
            )
        )
    for j, base in enumerate(bases):
        rr = comparison.regions[j] if comparison.regions else None
        items += _direct_areas(frame, base, comparison.radius_m, comparison.payload, unit)
        if routing.active:
            items += _flyable_layer(frame, base, rr, comparison.radius_m, comparison.payload, routing, unit)
            items += _routes_to_targets([row.reaches[j] for row in comparison.targets], base, routing, unit)
        if rr is not None:
            items += _region(rr, routing, unit, base.label)
    if routing.active:
        items += [_waypoint(k, lonlat) for k, lonlat in enumerate(routing.via)]
        items.append(_closed(routing, unit))
    subject = (
        comparison.regions[0].region.name if comparison.regions else comparison.targets_label or "targets"
    )
    names = ", ".join(b.label for b in bases)
    return FeatureSet(
        title=f"{frame.name} from {names}: reach over {subject}",
        features=_features(items),
        credit=_credit(_sources(frame), [*bases, *(row.target for row in comparison.targets)]),
        meta=_meta(frame, unit, bases=[b.label for b in bases], routing=_routing_text(routing)),
    )


def claim_features(result, unit="km"):
    """Map features of a :class:`~rangecalc.claims.ClaimResult` (always in km): its bases, targets with
    their legal-route numbers from the claim base under the published radius, the flyable reach areas
    and uncovered parts its map layers hold, the routes it computed, the claim region and closed airspace.
    """
    from .reach import classify

    unit = "km"
    s, data, layers = result.scenario, result.data, result.layers
    frame, base = s.claim_airframe, s.claim_base
    radius = frame.combat_radius.values_si()
    rules = _routing_text(s.routing)
    items = [_point(b, "base", airframe=frame.id) for b in s.bases]
    rows = {(t["base"], t["target"]): t for t in data.get("targets", [])}
    for target in s.targets:
        row = rows.get((base.label, target.label), {})
        km = row.get("legal_km") if s.routing.active else row.get("direct_km")
        margins = radius - (math.inf if km is None else km * 1000.0)
        items.append(
            _point(
                target,
                "target",
                distance_km=km,
                direct_km=row.get("direct_km"),
                corridor_km=row.get("corridor_km"),
                **{f"margin_{b}_km": _length(m, unit) for b, m in zip(FIGURES, margins, strict=True)},
                verdict=str(classify(margins)),
                base=base.label,
                airframe=frame.id,
                routing=rules,
            )
        )
    for (variant, base_label, target_label), route in result.routes.items():
        items.append(
            _route_line(
                route,
                f"{base_label} to {target_label} ({variant})",
                unit,
                rules if variant == "legal" else variant,
                base=base_label,
                target=target_label,
                variant=variant,
            )
        )
    for base_label, variant, _, reach in layers.get("reach", []):
        text = rules if variant == "legal" else f"{variant}: {rules}" if rules else variant
        extent = (
            f"{s.claim_region.name} and {reach.frame[3] - s.claim_region.geometry.bounds[3]:g} deg around it"
        )
        for feature in _flyable_areas(frame, base_label, reach, None, text, unit, extent):
            if feature is not None:
                feature.properties["variant"] = variant
                if variant != "legal":  # names tell the variants apart in a layer list (Google Earth)
                    feature.properties["name"] += f" ({variant})"
                items.append(feature)
    summary = {row["band"]: row for row in layers.get("uncovered_summary", [])}
    for band, geometry in layers.get("uncovered", []):
        row = summary.get(band, {})
        items.append(
            _feature(
                geometry,
                {
                    "kind": "uncovered",
                    "name": f"{s.claim_region.name} out of reach from {base.label} under the {band} figure",
                    "figure": band,
                    "share": row.get("share"),
                    "area_km2": row.get("area_km2"),
                    "where": row.get("where"),
                    "base": base.label,
                    "routing": rules,
                    "method": row.get("method"),
                },
            )
        )
    items += _claim_region(s, data, radius, rules)
    if layers.get("closed") is not None:
        items.append(_closed(s.routing, unit, layers["closed"]))
    return FeatureSet(
        title=f"{s.title}: {frame.name} from {base.label}",
        features=_features(items),
        credit=_credit(_sources(frame)),
        meta=_meta(frame, unit, base=base.label, scenario=s.id, routing=rules),
    )


def _claim_region(s, data, radius, rules):
    """The claim region with the claim base's coverage (legal routes when airspace is closed, published
    radius), and its farthest point."""
    from .reach import classify

    region, base = s.claim_region, s.claim_base
    routes = "legal" if s.routing.active else "direct"
    row = next(
        (
            r
            for r in data.get("coverage", [])
            if r["base"] == base.label and r["routes"] == routes and r["region"] == region.id
        ),
        None,
    )
    if row is None:
        return [_feature(region.geometry, {"kind": "region", "name": region.name, "id": region.id})]
    case = next((c for c in row["cases"] if c["load"] == "published"), row["cases"][0])
    far_km = row.get("farthest_km")
    margins = radius - (math.inf if far_km is None else far_km * 1000.0)
    items = [
        _feature(
            region.geometry,
            {
                "kind": "region",
                "name": region.name,
                "id": region.id,
                "verdict": str(classify(margins)),
                **{f"covered_share_{b}": case["covered"].get(b) for b in FIGURES},
                **{f"margin_{b}_km": _length(m, "km") for b, m in zip(FIGURES, margins, strict=True)},
                "farthest_km": far_km,
                "base": base.label,
                "routing": rules,
                "method": row.get("method"),
            },
        )
    ]
    point = row.get("farthest_point")
    if point and far_km is not None:
        items.append(
            _feature(
                shapely.Point(point["lon"], point["lat"]),
                {
                    "kind": "farthest_point",
                    "name": f"farthest point of {region.name} from {base.label}",
                    "distance_km": far_km,
                    "base": base.label,
                    "near": (point.get("near") or {}).get("name"),
                    "routing": rules,
                },
            )
        )
    return items


def basing_features(result, unit="km"):
    """Map features of a :class:`~rangecalc.basing.BasingResult`: the region (or targets), one basing area
    per figure (direct, and flyable under routing, with its grid), the closed airspace, the listed
    candidate airfields as bases (and the members of a --bases-needed set)."""
    frame, routing = result.airframe, result.routing
    items = []
    if result.region is not None:
        items.append(
            _feature(
                result.region.geometry, {"kind": "region", "name": result.region.name, "id": result.region.id}
            )
        )
    else:
        items += [_point(t, "target") for t in result.targets]
    modes = [("direct", result.direct)] + ([("flyable", result.flyable)] if result.flyable else [])
    for mode, area_set in modes:
        grid = {}
        if mode == "flyable":
            det = area_set.details
            grid = {
                "grid_step_lat_deg": det.get("grid_step_lat_deg"),
                "grid_step_lon_deg": det.get("grid_step_lon_deg"),
                f"boundary_error_{unit}": _length(area_set.error_m, unit),
            }
        for a in area_set.areas:
            how = " on flyable routes" if mode == "flyable" else ""
            items.append(
                _feature(
                    a.geometry,
                    {
                        "kind": "basing_area",
                        "name": f"basing area, {a.figure} radius {_number(metres_to(a.radius_m, unit))} {unit}{how}",
                        "figure": a.figure,
                        "mode": mode,
                        f"radius_{unit}": _length(a.radius_m, unit),
                        f"area_{unit}2": a.area_m2 * float(metres_to(1.0, unit)) ** 2,
                        "countries": [c[0] for c in a.countries],
                        "payload_kg": _load(result.payload),
                        "airframe": frame.id,
                        "sources": _sources(frame),
                        "routing": _routing_text(routing) if mode == "flyable" else None,
                        "method": area_set.method,
                        **grid,
                    },
                )
            )
    if routing.active:
        items.append(_closed(routing, unit, result.closed))
    members = {m.id for m in result.team.members} if result.team is not None else set()
    for rank, c in enumerate(result.candidates, 1):
        a = c.airfield
        items.append(
            _feature(
                shapely.Point(a.lon, a.lat),
                {
                    "kind": "base",
                    "name": a.name,
                    "id": a.id,
                    "country": a.country,
                    "source": a.source,
                    "rank": rank,
                    f"farthest_{unit}": _length(c.farthest_m, unit),
                    "covers": list(c.covers),
                    "team": a.id in members,
                },
            )
        )
    listed = {c.airfield.id for c in result.candidates}
    for m in result.team.members if result.team is not None else ():
        if m.id not in listed:
            items.append(_feature(shapely.Point(m.lon, m.lat), {"kind": "base", "name": m.name, "id": m.id,
                                                                 "team": True}))  # fmt: skip
    return FeatureSet(
        title=f"{frame.name}: where to base it to cover {result.subject}",
        features=_features(items),
        credit=_credit(_sources(frame), list(result.targets)),
        meta=_meta(frame, unit, subject=result.subject, routing=_routing_text(routing)),
    )
