"""Can an airframe from a base reach a set of targets, by how much, under which figure.

A margin is the combat radius minus the distance to the target: positive means in reach. Each target gets
three margins (low, nominal and high radius) and a three-way verdict.
"""

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from . import coverage, geodesy
from .airframes import Airframe, Figure
from .errors import UsageError
from .payload import RadiusAtPayload, radius_at_payload
from .places import Place, nearest_named_place, resolve_place, split_place_list
from .regions import all_regions
from .routes import NoRouteError, Routing, countries_along
from .verdicts import DEPENDS, IN_REACH, OUT_OF_REACH, REGION_VERDICTS, VERDICTS


def classify(margins_m):
    """Verdict codes for margins of shape ``(..., 3)`` (low, nominal, high): an array of strings.

    In reach when even the low radius reaches (margin >= 0), out of reach when even the high radius does
    not, otherwise it depends on which published figure one believes.
    """
    margins_m = np.asarray(margins_m, dtype=float)
    reach_all = np.all(margins_m >= 0, axis=-1)
    reach_none = np.all(margins_m < 0, axis=-1)
    return np.where(reach_all, IN_REACH, np.where(reach_none, OUT_OF_REACH, DEPENDS))


@dataclass(frozen=True)
class TargetReach:
    """One target: the distance flown (m), margins under low/nominal/high (m) and verdict code.

    ``distance_m`` is what the margins use: the flyable route's length when routing rules apply (inf when
    no route exists, with the reason in ``no_route``), else the direct geodesic ``direct_m``.
    """

    target: Place
    distance_m: float
    initial_azimuth_deg: float
    margins_m: tuple[float, float, float]
    verdict: str
    position_uncertainty_m: float
    direct_m: float = 0.0
    route: object = None
    no_route: str = ""

    @property
    def verdict_text(self):
        return VERDICTS[self.verdict]


@dataclass(frozen=True)
class ReachResult:
    """Reach of one airframe from one base over a list of targets."""

    airframe: Airframe
    base: Place
    radius: Figure
    radius_m: tuple[float, float, float]
    targets: tuple[TargetReach, ...]
    model: str
    targets_label: str
    payload: RadiusAtPayload | None = None
    region: "RegionReach | None" = None
    routing: Routing = field(default_factory=Routing)

    def counts(self):
        """How many targets fall under each verdict code."""
        return {code: sum(t.verdict == code for t in self.targets) for code in VERDICTS}


def _position_uncertainty(place):
    return float(getattr(place.ref, "position_uncertainty_m", 0.0) or 0.0)


def radius_band(airframe, payload_kg=None):
    """Combat radius band ``[low, nominal, high]`` in metres, and the payload result (None without payload).

    Without a payload the band is the airframe's published ``combat_radius_km``; with one it comes from
    :func:`rangecalc.payload.radius_at_payload`.
    """
    if payload_kg is None:
        return airframe.combat_radius.values_si(), None
    result = radius_at_payload(airframe, payload_kg)
    return np.array(result.radius_m), result


def reach(
    airframe,
    base,
    targets,
    model="ellipsoid",
    targets_label="",
    payload_kg=None,
    region=None,
    catalog=None,
    routing=None,
    *,
    shared=None,
):
    """Compute margins and verdicts for ``airframe`` flying from ``base`` (a Place) to ``targets``.

    Distances are direct geodesics (``model`` ellipsoid or sphere), or with an active ``routing``
    (:class:`~rangecalc.routes.Routing`) the lengths of the shortest flyable routes. The radius band is
    the airframe's ``combat_radius_km`` figure, or its value at ``payload_kg`` (see
    :mod:`rangecalc.payload`). With a ``region`` the result also holds its coverage
    (:class:`RegionReach`); ``catalog`` names its farthest point after the nearest base or target.
    ``shared`` (a :class:`SharedRouting` for ``routing``) keeps airspaces, routes and flyable distance
    fields for the next airframe asked about from the same base: they do not depend on the airframe.
    """
    if not targets and region is None:
        raise UsageError("no targets and no region given")
    routing = routing or Routing()
    if routing.active and model != "ellipsoid":
        raise UsageError(
            "--model sphere cannot be combined with --avoid or --via: routes are WGS84 geodesics"
        )
    radius = airframe.combat_radius
    radius_m, payload = radius_band(airframe, payload_kg)
    lons = np.array([t.lon for t in targets], dtype=float)
    lats = np.array([t.lat for t in targets], dtype=float)
    direct, az1, _ = geodesy.inverse(base.lon, base.lat, lons, lats, model)
    space = None
    found_routes, reasons = [None] * len(targets), [""] * len(targets)
    dist = direct.copy()
    if routing.active:
        points = [(base.lon, base.lat), *zip(lons.tolist(), lats.tolist(), strict=True)]
        if region is not None:
            point = region.geometry.representative_point()
            points.append((point.x, point.y))
        shared = shared or SharedRouting(routing)
        space = shared.airspace(points)
        if len(targets) > ROUTE_DETAIL_TARGETS:
            # Many targets: lengths through the prepared graph, all at once; routes are not listed.
            dist, _ = shared.field([base], space)(lons, lats)
            dist = np.asarray(dist, dtype=float)
            reasons = [
                "" if np.isfinite(d) else "no flyable route (inside or walled in by closed airspace)"
                for d in dist
            ]
        else:
            for k, target in enumerate(targets):
                try:
                    found = shared.route(space, base, target)
                    if catalog is not None:
                        found = replace(
                            found,
                            countries=countries_along(found.lons, found.lats, all_regions(catalog).values()),
                        )
                    found_routes[k], dist[k] = found, found.length_m
                except NoRouteError as exc:
                    dist[k], reasons[k] = np.inf, str(exc)
    margins = radius_m[None, :] - dist[:, None]
    verdicts = classify(margins)
    base_unc = _position_uncertainty(base)
    rows = tuple(
        TargetReach(
            target=t,
            distance_m=float(d),
            initial_azimuth_deg=float(a),
            margins_m=tuple(float(m) for m in row),
            verdict=str(v),
            position_uncertainty_m=base_unc + _position_uncertainty(t),
            direct_m=float(dd),
            route=r,
            no_route=why,
        )
        for t, d, a, row, v, dd, r, why in zip(
            targets, dist, az1, margins, verdicts, direct, found_routes, reasons, strict=True
        )
    )
    return ReachResult(
        airframe=airframe,
        base=base,
        radius=radius,
        radius_m=tuple(float(r) for r in radius_m),
        targets=rows,
        model=model,
        targets_label=targets_label,
        payload=payload,
        region=region_reach(radius_m, [base], region, catalog, routing, space, shared=shared)
        if region is not None
        else None,
        routing=routing,
    )


#: Above this many targets under routing rules, flyable distances come from the prepared graph in one
#: vectorised pass (:meth:`~rangecalc.routes.Airspace.distances_to`) and the routes themselves are not
#: listed: 100,000 targets take seconds instead of an hour.
ROUTE_DETAIL_TARGETS = 200

#: The farthest point of a region is named after the nearest base or target only within this distance (m).
NAMED_PLACE_MAX_M = 300_000.0


@dataclass(frozen=True)
class RegionReach:
    """Coverage of a region from one or more bases under each radius figure.

    ``coverage`` holds one :class:`~rangecalc.coverage.Coverage` per band (low, nominal, high);
    ``farthest`` is the region's point farthest from its nearest base: its distance is the radius needed
    to cover the whole region, so the verdict compares it with each radius.
    """

    region: object
    bases: tuple[Place, ...]
    radius_m: tuple[float, float, float]
    coverage: tuple[coverage.Coverage, ...]
    farthest: coverage.FarthestPoint
    verdict: str
    farthest_near: tuple | None = None  # (name, distance_m, bearing_deg) of the nearest named place
    method: str = ""  # how coverage was computed, and at what resolution
    #: Under routing, the flyable distance function the coverage was computed from (None for direct
    #: geodesics); :attr:`reach_area` and :attr:`uncovered` contour it when first asked for.
    flyable_field: object = field(default=None, repr=False, compare=False)

    @property
    def verdict_text(self):
        return REGION_VERDICTS[self.verdict].format(region=self.region.name)

    @property
    def margins_m(self):
        """Radius minus the farthest point's distance, per band."""
        return tuple(r - self.farthest.distance_m for r in self.radius_m)

    @cached_property
    def reach_area(self):
        """Under routing, the flyable reach contoured over the region plus :data:`REGION_PAD_DEG` (a
        :class:`~rangecalc.coverage.FieldReach`, one polygon per band, stating its grid and boundary
        error); None for direct geodesics, whose ``coverage[i].uncovered`` are exact polygons. Computed
        when first asked for (about a second)."""
        if self.flyable_field is None:
            return None
        return coverage.field_reach_polygons(
            self.region.geometry, self.flyable_field, self.radius_m, pad_deg=REGION_PAD_DEG
        )

    @cached_property
    def uncovered(self):
        """Under routing, per band the part of the region outside :attr:`reach_area`
        (:class:`~rangecalc.coverage.Uncovered`; slivers narrower than half the boundary error, which
        contouring leaves along the region's own border, set apart); None for direct geodesics."""
        area = self.reach_area
        if area is None:
            return None
        return tuple(
            coverage.uncovered_parts(self.region.geometry, polygon, min_width_m=area.error_m / 2)
            for polygon in area.polygons
        )


def region_reach(radius_m, bases, region, catalog=None, routing=None, space=None, *, shared=None):
    """Coverage of ``region`` by rings of ``radius_m`` (low, nominal, high; metres) around ``bases``.

    Direct geodesics give exact polygons (:func:`rangecalc.coverage.coverage`). With an active
    ``routing`` the distance is the flyable one, evaluated on a grid (see
    :func:`rangecalc.coverage.field_coverage` for the resolution, which the result states). With a
    ``catalog`` the farthest point is named after the nearest base or target.
    """
    lons = np.array([b.lon for b in bases])
    lats = np.array([b.lat for b in bases])
    routing = routing or Routing()
    field_fn = None
    if routing.active:
        space = space or routing.airspace([*zip(lons.tolist(), lats.tolist(), strict=True)])
        field_fn = shared.field(bases, space) if shared else _flyable_field(bases, routing, space)
        covers, farthest, method = coverage.field_coverage(region.geometry, field_fn, radius_m)
        method = f"flyable distances {routing.describe()}, on a {method}"
    else:
        covers = tuple(coverage.coverage(region.geometry, lons, lats, r) for r in radius_m)
        farthest = coverage.farthest_point(region.geometry, lons, lats)
        method = "exact polygons of direct geodesic reach (WGS84 ellipsoid, whatever --model says)"
    margins = np.asarray(radius_m, dtype=float) - farthest.distance_m
    near = None
    if catalog and np.isfinite(farthest.distance_m):
        near = nearest_named_place(catalog, farthest.lon, farthest.lat)
        if near[1] > NAMED_PLACE_MAX_M:
            near = None  # naming a point after a place 1,000 km away helps nobody
    return RegionReach(
        region=region,
        bases=tuple(bases),
        radius_m=tuple(float(r) for r in radius_m),
        coverage=tuple(covers),
        farthest=farthest,
        verdict=str(classify(margins)),
        farthest_near=near,
        method=method,
        flyable_field=field_fn,
    )


#: Degrees added around a region to frame its flyable reach polygons (as the claims' map layers do).
REGION_PAD_DEG = 2.0


class SharedRouting:
    """Work under one set of routing rules that does not depend on the airframe, kept for reuse: the
    airspace of the rules, the route from a base to a target, and the flyable distance
    field of a set of bases (every distance it was asked for). A reach table asks the same base about
    every airframe: the routes and fields are computed once, and only the radii differ."""

    def __init__(self, routing):
        self.routing = routing
        self._routes, self._fields = {}, {}

    def airspace(self, points):
        """The prepared airspace of the rules (:func:`rangecalc.routes.airspace` keeps one per rule set)."""
        return self.routing.airspace(list(points))

    def route(self, space, base, target):
        """The route from ``base`` to ``target`` (Places) in ``space``; a NoRouteError is kept and raised
        again."""
        key = (id(space), base.lon, base.lat, target.lon, target.lat)
        if key not in self._routes:
            try:
                self._routes[key] = space.route(
                    (base.lon, base.lat),
                    (target.lon, target.lat),
                    self.routing.via,
                    (base.label, target.label),
                )
            except NoRouteError as exc:
                self._routes[key] = exc
        found = self._routes[key]
        if isinstance(found, NoRouteError):
            raise found
        return found

    def field(self, bases, space):
        """The flyable distance field of ``bases`` in ``space``, remembering every distance it computed."""
        key = (id(space), tuple((b.lon, b.lat) for b in bases))
        if key not in self._fields:
            self._fields[key] = _remembering(_flyable_field(bases, self.routing, space))
        return self._fields[key]


def _remembering(field):
    """``field`` that answers, point by point, what it has answered before (a grid asked again, or a subset
    of it, costs no new distances). The flyable field of a point does not depend on the other points asked
    about with it, so answers can be kept per point."""
    known = {}  # (lon, lat) -> (distance, nearest base index)

    def remembered(lons, lats):
        lons = np.asarray(lons, dtype=float).ravel()
        lats = np.asarray(lats, dtype=float).ravel()
        keys = list(zip(lons.tolist(), lats.tolist(), strict=True))
        missing = [k for k, key in enumerate(keys) if key not in known]
        if missing:
            d, nearest = field(lons[missing], lats[missing])
            answers = zip(np.asarray(d).tolist(), np.asarray(nearest).tolist(), strict=True)
            known.update(zip([keys[k] for k in missing], answers, strict=True))
        found = [known[key] for key in keys]
        return np.array([f[0] for f in found], dtype=float), np.array([f[1] for f in found], dtype=int)

    return remembered


def _flyable_field(bases, routing, space):
    """A distance function for :func:`~rangecalc.coverage.field_coverage`: nearest base by flyable route."""
    starts = []
    for base in bases:
        if routing.via:
            lead = space.route((base.lon, base.lat), routing.via[-1], routing.via[:-1]).length_m
            starts.append((routing.via[-1], lead))
        else:
            starts.append(((base.lon, base.lat), 0.0))

    def field(lons, lats):
        d = np.vstack([lead + space.distances_to(start, lons, lats) for start, lead in starts])
        nearest = np.argmin(d, axis=0)
        return d[nearest, np.arange(d.shape[1])], nearest

    return field


#: Degrees added around the high direct ring to frame the flyable reach of :func:`reach_rings`.
RINGS_PAD_DEG = 0.5


@dataclass(frozen=True)
class RingsResult:
    """Reach areas of one airframe from one base, one per radius figure (low, nominal, high).

    ``rings`` are the direct reach areas: geodesic discs from :func:`rangecalc.geodesy.ring`, exact to
    :data:`rangecalc.geodesy.RING_TOLERANCE` of the radius, split at +-180 deg. Under an active
    ``routing``, ``flyable`` is the flyable reach (:class:`~rangecalc.coverage.FieldReach`, one polygon per
    band, contoured from the flyable distance over the high ring's frame, which holds all of it since no
    route is shorter than the direct geodesic); None otherwise.
    """

    airframe: Airframe
    base: Place
    radius_m: tuple[float, float, float]
    rings: tuple
    payload: RadiusAtPayload | None = None
    routing: Routing = field(default_factory=Routing)
    flyable: object = None


def reach_rings(airframe, base, payload_kg=None, routing=None, step_deg=None):
    """The reach areas of ``airframe`` around ``base`` (a Place) as a :class:`RingsResult`.

    The radius band is the published one, or its value at ``payload_kg``. With an active ``routing``
    (:class:`~rangecalc.routes.Routing`), the flyable areas are added (see :func:`flyable_reach`;
    ``step_deg`` is their grid spacing, by default about 15,000 grid nodes over the frame).
    """
    routing = routing or Routing()
    radius_m, payload = radius_band(airframe, payload_kg)
    radii = tuple(float(r) for r in radius_m)
    if not all(r > 0 for r in radii):
        raise UsageError(f"{airframe.id}: the radius band {radii} m has a radius that is not positive")
    rings = tuple(geodesy.ring(base.lon, base.lat, r) for r in radii)
    flyable = flyable_reach([base], radii, routing, step_deg=step_deg) if routing.active else None
    return RingsResult(airframe, base, radii, rings, payload, routing, flyable)


def flyable_reach(bases, radii_m, routing, frame=None, step_deg=None, space=None):
    """Where the flyable distance from the nearest of ``bases`` is within each of ``radii_m``.

    Returns a :class:`~rangecalc.coverage.FieldReach` from :func:`rangecalc.coverage.field_reach_polygons`
    on the flyable distance field (:func:`_flyable_field`), whose grid spacing and boundary error it
    states. ``frame`` (west, south, east, north; longitudes may run past 180) defaults to the bounds of
    the largest direct ring around the bases plus :data:`RINGS_PAD_DEG`: it holds the whole flyable reach.
    Routing covers the globe, so any radius can be drawn (one beyond half the meridian gives a frame round
    the whole globe). Polygons may run past 180 deg: :func:`rangecalc.geodesy.split_at_antimeridian` them.
    """
    if not routing.active:
        raise UsageError("flyable reach needs routing rules (--avoid or --via)")
    radii = tuple(float(r) for r in np.atleast_1d(radii_m))
    points = [(b.lon, b.lat) for b in bases]
    space = space or routing.airspace(points)
    reach_max = max(radii)
    frames = []
    for base in bases:
        lons, lats, _ = geodesy.ring_vertices(base.lon, base.lat, reach_max)
        north = 90.0 if geodesy._encloses_pole(base.lon, base.lat, reach_max, 90.0) else lats.max()
        south = -90.0 if geodesy._encloses_pole(base.lon, base.lat, reach_max, -90.0) else lats.min()
        frames.append((lons.min(), south, lons.max(), north))
    if frame is None:
        west = min(f[0] for f in frames) - RINGS_PAD_DEG
        east = max(f[2] for f in frames) + RINGS_PAD_DEG
        if east - west > 360.0:
            west, east = -180.0, 180.0
        south = max(min(f[1] for f in frames) - RINGS_PAD_DEG, -90.0)
        north = min(max(f[3] for f in frames) + RINGS_PAD_DEG, 90.0)
        frame = (west, south, east, north)
    flyable = _flyable_field(bases, routing, space)

    def field_fn(lons, lats):
        lons = (np.asarray(lons, dtype=float) + 180.0) % 360.0 - 180.0
        lats = np.asarray(lats, dtype=float)
        return flyable(lons, lats)

    return coverage.field_reach_polygons(frame, field_fn, radii, step_deg=step_deg)


def resolve_targets(spec, catalog):
    """Turn ``--targets`` text into ``(label, [Place, ...])``.

    ``spec`` is a target-set id (``syria``) or a comma-separated list of places; a coordinate pair inside
    the list may be written ``lat,lon`` (the two numbers are joined back) or separated by ``;``.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise UsageError("--targets is empty; give a target set (e.g. 'syria') or NAME,NAME,...")
    key = spec.strip().lower()
    if key in catalog.target_sets:
        target_set = catalog.target_sets[key]
        places = [Place(label=t.name, lon=t.lon, lat=t.lat, kind="target", ref=t) for t in target_set.targets]
        return target_set.name, places
    items = split_place_list(spec, "--targets")
    places = [resolve_place(item, catalog) for item in items]
    return ", ".join(p.label for p in places), places


@dataclass(frozen=True)
class Scope:
    """What a reach question is about, resolved from what people typed: targets, region, routing rules."""

    targets_label: str
    targets: list
    region: object
    routing: Routing


def resolve_scope(
    catalog,
    targets=None,
    region=None,
    avoid=None,
    via=(),
    standoff=None,
    default_targets=None,
    command="this command",
    territorial_sea=None,
    targets_file=None,
):
    """Resolve ``--targets``, ``--targets-file``, ``--region``, ``--avoid``, ``--via``, ``--standoff`` and
    ``--territorial-sea`` text into a :class:`Scope`. Without targets and region, ``default_targets`` (a
    target set id) is used, or, when it is None, that is a usage error. Targets from a file follow those
    typed."""
    from .regions import resolve_region
    from .routes import routing_from_text

    if targets is None and region is None and targets_file is None:
        if default_targets is None:
            raise UsageError(f"{command} needs --targets, --targets-file or --region")
        targets = default_targets
    label, places = resolve_targets(targets, catalog) if targets is not None else ("", [])
    if targets_file is not None:
        from .targetfile import read_targets

        from_file = read_targets(targets_file)
        places = [*places, *from_file]
        named = f"{len(from_file):,} targets from {Path(str(targets_file)).name}"
        label = f"{label}; {named}" if label else named
    area = resolve_region(region, catalog) if region is not None else None
    routing = routing_from_text(avoid, via, standoff, catalog, territorial_sea=territorial_sea)
    return Scope(label, places, area, routing)
