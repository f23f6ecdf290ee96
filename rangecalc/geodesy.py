"""Geodesics on the WGS84 ellipsoid, a spherical model for comparison, and reach rings.

Every function takes array-likes, broadcasts them against each other and returns arrays of the broadcast
shape (a scalar input gives a 0-d array). Coordinates are (longitude, latitude) in degrees, distances in
metres, azimuths in degrees clockwise from north in [-180, 180].

The ellipsoidal solutions are Karney's algorithms as implemented in PROJ (``pyproj.Geod``): accurate to
about 15 nm anywhere on Earth, including nearly antipodal points. The sphere (radius
:data:`SPHERE_RADIUS_M`, the IUGG mean radius) is there to show how much the model matters, never as a
default: it is off by up to about 0.5 % on distances.
"""

import math

import numpy as np
import pyproj
import shapely

from .errors import UsageError

GEOD = pyproj.Geod(ellps="WGS84")
#: IUGG mean Earth radius R1 = (2a + b) / 3 of WGS84, in metres.
SPHERE_RADIUS_M = (2 * GEOD.a + GEOD.b) / 3
MODELS = ("ellipsoid", "sphere")

#: A ring's boundary stays within this fraction of its radius from the true geodesic circle.
RING_TOLERANCE = 1e-3


def _as_float_arrays(*values):
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))
    return [np.array(a, dtype=float, copy=True) for a in arrays]


def _check_model(model):
    if model not in MODELS:
        raise UsageError(f"unknown model {model!r}; accepted: {', '.join(MODELS)}")


def _wrap180(deg):
    return (np.asarray(deg) + 180.0) % 360.0 - 180.0


def inverse(lon1, lat1, lon2, lat2, model="ellipsoid"):
    """Solve the inverse problem: distance and azimuths between two points.

    Returns ``(distance_m, azimuth1_deg, azimuth2_deg)`` where ``azimuth1_deg`` is the initial bearing at
    point 1 and ``azimuth2_deg`` the final bearing, the direction of travel on arrival at point 2.
    For coincident points the distance is 0 and the azimuths are whatever the solver returns.
    """
    _check_model(model)
    lon1, lat1, lon2, lat2 = _as_float_arrays(lon1, lat1, lon2, lat2)
    if model == "sphere":
        return _sphere_inverse(lon1, lat1, lon2, lat2)
    shape = lon1.shape
    az12, az21, dist = GEOD.inv(lon1.ravel(), lat1.ravel(), lon2.ravel(), lat2.ravel())
    az2 = _wrap180(np.asarray(az21) + 180.0)
    return (
        np.asarray(dist, dtype=float).reshape(shape),
        np.asarray(az12, dtype=float).reshape(shape),
        az2.reshape(shape),
    )


def distance(lon1, lat1, lon2, lat2, model="ellipsoid"):
    """Geodesic distance in metres (see :func:`inverse`)."""
    return inverse(lon1, lat1, lon2, lat2, model)[0]


def direct(lon, lat, azimuth_deg, distance_m, model="ellipsoid"):
    """Solve the direct problem: where do you arrive from (lon, lat) along ``azimuth_deg`` after ``distance_m``.

    Returns ``(lon2, lat2, azimuth2_deg)``, longitude in [-180, 180].
    """
    _check_model(model)
    lon, lat, azimuth_deg, distance_m = _as_float_arrays(lon, lat, azimuth_deg, distance_m)
    if model == "sphere":
        return _sphere_direct(lon, lat, azimuth_deg, distance_m)
    shape = lon.shape
    lon2, lat2, az21 = GEOD.fwd(lon.ravel(), lat.ravel(), azimuth_deg.ravel(), distance_m.ravel())
    return (
        _wrap180(np.asarray(lon2, dtype=float)).reshape(shape),
        np.asarray(lat2, dtype=float).reshape(shape),
        _wrap180(np.asarray(az21) + 180.0).reshape(shape),
    )


def _sphere_inverse(lon1, lat1, lon2, lat2):
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dlon = np.radians(lon2 - lon1)
    # Haversine for the distance (well conditioned for small separations).
    h = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlon / 2) ** 2
    central = 2 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    az1 = np.degrees(
        np.arctan2(
            np.sin(dlon) * np.cos(phi2),
            np.cos(phi1) * np.sin(phi2) - np.sin(phi1) * np.cos(phi2) * np.cos(dlon),
        )
    )
    az2 = np.degrees(
        np.arctan2(
            np.sin(dlon) * np.cos(phi1),
            -np.cos(phi2) * np.sin(phi1) + np.sin(phi2) * np.cos(phi1) * np.cos(dlon),
        )
    )
    return central * SPHERE_RADIUS_M, az1, az2


def _sphere_direct(lon, lat, azimuth_deg, distance_m):
    phi1, lam1, alpha = np.radians(lat), np.radians(lon), np.radians(azimuth_deg)
    delta = distance_m / SPHERE_RADIUS_M
    sin_phi2 = np.sin(phi1) * np.cos(delta) + np.cos(phi1) * np.sin(delta) * np.cos(alpha)
    phi2 = np.arcsin(np.clip(sin_phi2, -1.0, 1.0))
    lam2 = lam1 + np.arctan2(
        np.sin(alpha) * np.sin(delta) * np.cos(phi1), np.cos(delta) - np.sin(phi1) * sin_phi2
    )
    lon2 = _wrap180(np.degrees(lam2))
    _, az_back, _ = _sphere_inverse(lon2, np.degrees(phi2), lon, lat)
    return lon2, np.degrees(phi2), _wrap180(az_back + 180.0)


# --- reach rings -------------------------------------------------------------------------------------


def ring_vertex_count(radius_m):
    """Starting vertex count of a ring of ``radius_m``: one vertex per 25 km of circumference, 64 to 2048.

    A regular n-gon inscribed in a circle of radius R has a sagitta of R (1 - cos(pi / n)), below 0.1 %
    of R for n >= 71; 64 vertices plus the refinement in :func:`ring_vertices` keeps every ring inside
    :data:`RING_TOLERANCE`, and the 25 km spacing keeps long rings smooth on a map.
    """
    return int(np.clip(math.ceil(2 * math.pi * float(radius_m) / 25_000.0), 64, 2048))


def ring_vertices(lon, lat, radius_m, tolerance=RING_TOLERANCE):
    """Vertices of the geodesic circle of ``radius_m`` around (lon, lat), with unwrapped longitudes.

    Vertices are the points at exactly ``radius_m`` on geodesics at evenly spaced azimuths (clockwise from
    north), then refined: wherever the midpoint of a straight lon/lat edge lies off the circle by more
    than ``tolerance`` x R (at high latitude, or for very large rings), the true circle point at the mid
    azimuth is inserted, until every edge midpoint passes. Longitudes are unwrapped (consecutive vertices
    differ by less than 180 deg) so that a ring crossing the antimeridian stays one piece; see
    :func:`ring` for the geometry split at +-180.

    Returns ``(lons, lats, azimuths)`` as 1-d arrays (not closed: the first vertex is not repeated).
    """
    radius_m = float(radius_m)
    if not (radius_m > 0 and math.isfinite(radius_m)):
        raise UsageError(f"ring radius must be a positive number of metres, got {radius_m!r}")
    if radius_m >= 0.9 * math.pi * GEOD.b:
        raise UsageError(
            f"ring radius {radius_m / 1000:.0f} km is too large to draw (limit {0.9 * math.pi * GEOD.b / 1000:.0f} km)"
        )
    n = ring_vertex_count(radius_m)
    azimuths = np.linspace(0.0, 360.0, n, endpoint=False)
    for _ in range(12):
        lons, lats, _ = direct(lon, lat, azimuths, radius_m)
        lons = np.degrees(np.unwrap(np.radians(lons)))
        # Midpoints of straight edges in unwrapped lon/lat, including the closing edge.
        next_lons = np.roll(lons, -1)
        next_lons[-1] = lons[0] + np.round((lons[-1] - lons[0]) / 360.0) * 360.0
        mid_lon = (lons + next_lons) / 2
        mid_lat = (lats + np.roll(lats, -1)) / 2
        error = np.abs(distance(lon, lat, mid_lon, mid_lat) - radius_m)
        bad = error > max(tolerance * radius_m * 0.5, 1e-3)  # a millimetre floor for tiny rings
        if not bad.any():
            return lons, lats, azimuths
        next_az = np.roll(azimuths, -1)
        next_az[-1] += 360.0
        azimuths = np.sort(np.concatenate([azimuths, ((azimuths + next_az) / 2)[bad] % 360.0]))
    return lons, lats, azimuths


def _encloses_pole(lon, lat, radius_m, pole_lat):
    return float(distance(lon, lat, lon, pole_lat)) < radius_m


def ring(lon, lat, radius_m, tolerance=RING_TOLERANCE):
    """The reach ring (geodesic disc) of ``radius_m`` around (lon, lat) as a shapely geometry.

    The result is a Polygon, or a MultiPolygon when the disc crosses the antimeridian (it is split at
    +-180 deg so that all coordinates are in range). A disc that encloses a pole is closed along that pole's
    parallel (latitude +-90), so point-in-polygon tests agree with the geodesic distance test everywhere
    except within ``tolerance`` x R of the boundary. A disc that encloses both poles is the whole map minus
    the area about the antipode that it leaves out (see :func:`ring_vertices` for the radius limit).
    """
    lons, lats, _ = ring_vertices(lon, lat, radius_m, tolerance)
    north = _encloses_pole(lon, lat, radius_m, 90.0)
    south = _encloses_pole(lon, lat, radius_m, -90.0)
    coords = np.column_stack([lons, lats])
    if north and south:
        # The disc covers both poles: its outside is a small area about the antipode, which the vertices
        # circle; the disc is the whole map minus that area.
        outside = shapely.Polygon(coords)
        if not outside.is_valid:
            outside = shapely.make_valid(outside)
        world = shapely.box(-180.0, -90.0, 180.0, 90.0)
        return shapely.difference(world, split_at_antimeridian(outside))
    if north or south:
        # Vertices sweep 360 deg of longitude; close the ring along the enclosed pole.
        pole = 90.0 if north else -90.0
        span = lons[-1] - lons[0]
        end_lon = lons[0] + math.copysign(360.0, span)
        coords = np.vstack([coords, [[end_lon, lats[0]], [end_lon, pole], [lons[0], pole]]])
    polygon = shapely.Polygon(coords)
    if not polygon.is_valid:
        polygon = shapely.make_valid(polygon)
    return split_at_antimeridian(polygon)


def split_at_antimeridian(geometry):
    """Cut a geometry drawn with unwrapped longitudes into pieces within [-180, 180], shifted into range."""
    xmin, _, xmax, _ = geometry.bounds
    if xmin >= -180.0 and xmax <= 180.0:
        return geometry
    pieces = []
    for shift in (-720.0, -360.0, 0.0, 360.0, 720.0):
        window = shapely.box(-180.0 - shift, -90.0, 180.0 - shift, 90.0)
        part = shapely.intersection(geometry, window)
        if not part.is_empty and part.area > 0:
            pieces.append(shapely.transform(part, lambda xy, s=shift: xy + np.array([s, 0.0])))
    merged = shapely.union_all(pieces)
    polygons = [
        p for p in getattr(merged, "geoms", [merged]) if isinstance(p, shapely.Polygon) and p.area > 0
    ]
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def within_radius(lon, lat, radius_m, point_lons, point_lats, model="ellipsoid"):
    """Boolean array: is each point within ``radius_m`` of (lon, lat) by geodesic distance."""
    return distance(lon, lat, point_lons, point_lats, model) <= radius_m


def in_ring(ring_geometry, lons, lats):
    """Point-in-ring test for a geometry from :func:`ring`: the boundary counts as inside.

    Use this rather than ``shapely.contains_xy``: a ring split at +-180 has a cut edge along the
    antimeridian, and a point exactly on it (lon = 180) lies on the boundary of both pieces.
    """
    return shapely.intersects_xy(ring_geometry, lons, lats)
