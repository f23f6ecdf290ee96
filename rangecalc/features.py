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
  (``boundary_error_km``).
"""

from dataclasses import dataclass, field

#: Feature kinds, bottom to top as maps draw them.
KINDS = (
    "region",  # the region asked about (--region), with its coverage verdict
    "closed_airspace",  # airspace closed by --avoid (with --territorial-sea / --standoff as asked)
    "reach_area",  # where the airframe reaches under one figure: a direct ring, or the flyable area
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
