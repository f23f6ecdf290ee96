"""Geodesics on the WGS84 ellipsoid, a spherical model for comparison, and reach rings.

Every function takes array-likes, broadcasts them against each other and returns arrays of the broadcast
shape (a scalar input gives a 0-d array). Coordinates are (longitude, latitude) in degrees, distances in
metres, azimuths in degrees clockwise from north in [-180, 180].

The ellipsoidal solutions are Karney's algorithms as implemented in PROJ (``pyproj.Geod``): accurate to
about 15 nm anywhere on Earth, including nearly antipodal points. The sphere (radius
:data:`SPHERE_RADIUS_M`, the IUGG mean radius) is there to show how much the model matters, never as a
default: it is off by up to about 0.5 % on distances.

"Is this point within R?" has its own kernels, :func:`within` and :func:`within_any`: PROJ's answer for
every point, but the exact geodesic is solved only near R (a proven spherical bound decides the rest).
The distance kernels work :data:`CHUNK` pairs at a time, so memory beyond inputs and outputs stays flat.
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

    Large inputs are solved :data:`CHUNK` pairs at a time into preallocated outputs, so the memory used
    beyond the inputs and the three results is a few tens of MB, however many pairs there are (a scalar
    base against 10**7 targets is never expanded to 10**7 copies of the base).
    """
    _check_model(model)
    return _inverse_chunked(lon1, lat1, lon2, lat2, model, azimuths=True)


def distance(lon1, lat1, lon2, lat2, model="ellipsoid"):
    """Geodesic distance in metres (see :func:`inverse`); chunked, and only the distances are kept."""
    _check_model(model)
    return _inverse_chunked(lon1, lat1, lon2, lat2, model, azimuths=False)[0]


#: Pairs solved at a time by the chunked kernels (:func:`inverse`, :func:`distance`): 2**20 pairs keep the
#: temporaries near 40 MB, and calls of this size run at the solver's full speed.
CHUNK = 1 << 20


def _flat_operands(values):
    """Broadcast array-likes without copying: ``(shape, size, flats)``.

    Each flat is 0-d (a value broadcast over every element) or 1-d of ``size`` elements (a view when the
    input already has the full shape and is contiguous; a copy only for partial broadcasts such as
    (n, 1) against (1, m)).
    """
    arrays = [np.asarray(v, dtype=float) for v in values]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    size = math.prod(shape)
    flats = []
    for a in arrays:
        if a.size == 1:
            flats.append(a.reshape(()))
        elif a.shape == shape:
            flats.append(a.reshape(-1))
        else:
            flats.append(np.broadcast_to(a, shape).reshape(-1))
    return shape, size, flats


def _chunk_of(flat, start, stop):
    """A fresh contiguous float64 copy of elements start:stop of a flat operand (writable: PROJ works in place)."""
    if flat.ndim == 0:
        return np.full(stop - start, float(flat))
    return np.array(flat[start:stop], dtype=float)


def _inverse_chunked(lon1, lat1, lon2, lat2, model, azimuths):
    shape, size, flats = _flat_operands((lon1, lat1, lon2, lat2))
    dist = np.empty(size)
    az1 = np.empty(size) if azimuths else None
    az2 = np.empty(size) if azimuths else None
    for start in range(0, size, CHUNK):
        stop = min(start + CHUNK, size)
        chunk = [_chunk_of(f, start, stop) for f in flats]
        if model == "sphere":
            d, a1, a2 = _sphere_inverse(*chunk)
        else:
            # In place: PROJ writes az12, az21 and s12 over the first three (fresh) buffers.
            a1, a21, d = GEOD.inv(*chunk, inplace=True)
            a2 = _wrap180(np.asarray(a21) + 180.0) if azimuths else None
        dist[start:stop] = d
        if azimuths:
            az1[start:stop] = a1
            az2[start:stop] = a2
    if not azimuths:
        return (dist.reshape(shape),)
    return dist.reshape(shape), az1.reshape(shape), az2.reshape(shape)


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
    """Boolean array: is each point within ``radius_m`` of (lon, lat) by geodesic distance.

    On the ellipsoid this is :func:`within` (the same answer as the exact distance, found faster).
    """
    _check_model(model)
    if model == "ellipsoid":
        return within(lon, lat, radius_m, point_lons, point_lats)
    return distance(lon, lat, point_lons, point_lats, model) <= radius_m


# --- in-reach classification -------------------------------------------------------------------------
#
# "Is this point within R?" needs the exact geodesic only for points whose distance is close to R. The
# bound below decides every other point from a cheap spherical angle, with a proof that it never
# disagrees with the exact solver; see :func:`within` for the derivation.

#: Allowance on the cheap cos(sigma) for floating-point rounding: ~450 units in the last place of 1.0.
#: The evaluation (one tan per point and per longitude difference, a dozen multiplications, additions,
#: divisions and a square root, each within a few ulp) has a worst error of 1.2e-15 measured against
#: 64-bit-mantissa arithmetic over 10**7 points, poles and antimeridian included (tests/test_classify.py).
COS_SIGMA_SLACK = 1e-13
#: Allowance, in metres, for the exact solver's own error (PROJ's geodesics are good to about 15 nm).
GEODESIC_SLACK_M = 1e-3
#: Decide cheaply only where the longitude difference is at most this many degrees (beyond it, rounding
#: of the difference itself would grow past :data:`COS_SIGMA_SLACK`; such points go to the exact solver).
_MAX_DLON_DEG = 720.0
_B_OVER_A = GEOD.b / GEOD.a  # 1 - f
#: Points classified at a time: small enough that a chunk's temporaries stay in the CPU cache.
CLASSIFY_CHUNK = 1 << 16


def _reduced(lats):
    """(cos beta, sin beta) of the parametric (reduced) latitude, tan(beta) = (1 - f) tan(phi).

    From t = tan(phi / 2): (cos phi, sin phi) is proportional to (1 - t**2, 2 t), so (cos beta, sin beta)
    = (1 - t**2, 2 (1 - f) t) / sqrt((1 - t**2)**2 + 4 (1 - f)**2 t**2) -- one tan, no sin or cos (a
    vectorised tan is several times faster than sin and cos), and errors of a few ulp, absolute, for
    every latitude including the poles (t = +-1).
    """
    t = np.tan(np.multiply(lats, math.pi / 360.0))
    t2 = t * t
    cos_part = 1.0 - t2
    sin_part = t * (2.0 * _B_OVER_A)
    norm = np.sqrt(cos_part * cos_part + sin_part * sin_part)
    return cos_part / norm, sin_part / norm


def _cos_dlon(lons, lon0):
    """cos(lon - lon0) from u = tan((lon - lon0) / 2): (1 - u**2) / (1 + u**2)."""
    u = np.tan(np.multiply(np.subtract(lons, lon0), math.pi / 360.0))
    u *= u
    return (1.0 - u) / (1.0 + u)


def _base_terms(lon, lat, radius_m):
    """Per base: cos beta0, sin beta0 and the two thresholds on cos(sigma).

    A point is certainly within R when cos(sigma) >= ``t_in`` and certainly beyond R when cos(sigma) <
    ``t_out``; anything else, including NaN, goes to the exact solver. An invalid base (|lat| > 90, not
    finite) or radius (NaN) gets thresholds that decide nothing, so the exact solver answers for it.
    """
    lon, lat, radius = (np.asarray(v, dtype=float) for v in (lon, lat, radius_m))
    phi = np.radians(lat)
    cb, sb = np.cos(phi), _B_OVER_A * np.sin(phi)
    norm = np.hypot(cb, sb)
    cb0, sb0 = cb / norm, sb / norm
    with np.errstate(invalid="ignore"):
        theta_in = (radius - GEODESIC_SLACK_M) / GEOD.a
        t_in = np.where(theta_in >= 0.0, np.cos(np.minimum(theta_in, math.pi)) + COS_SIGMA_SLACK, np.inf)
        theta_out = (radius + GEODESIC_SLACK_M) / GEOD.b
        t_out = np.cos(np.clip(theta_out, 0.0, math.pi)) - COS_SIGMA_SLACK
        ok = (np.abs(lat) <= 90.0) & np.isfinite(lon)
    t_in = np.where(ok, t_in, np.inf)
    t_out = np.where(ok, t_out, -np.inf)
    return cb0, sb0, t_in, t_out


def _classify(cb0, sb0, lon0, t_in, t_out, lons, lats, cb=None, sb=None):
    """Tri-state for one chunk: +1 certainly within R, -1 certainly beyond, 0 undecided."""
    if cb is None:
        cb, sb = _reduced(lats)
    cos_sigma = cb0 * cb * _cos_dlon(lons, lon0) + sb0 * sb
    with np.errstate(invalid="ignore"):
        valid = (np.abs(lats) <= 90.0) & (np.abs(np.subtract(lons, lon0)) <= _MAX_DLON_DEG)
    cos_sigma[~valid] = np.nan
    state = np.zeros(cos_sigma.shape, dtype=np.int8)
    state[cos_sigma >= t_in] = 1
    state[cos_sigma < t_out] = -1
    return state


def _exact_within(lon, lat, radius, lons, lats):
    n = len(lons)
    d = GEOD.inv(
        np.broadcast_to(lon, n).astype(float), np.broadcast_to(lat, n).astype(float), lons, lats, inplace=True
    )[2]
    return d <= radius


def within(lon, lat, radius_m, point_lons, point_lats):
    """Boolean array: is each point within ``radius_m`` of (lon, lat), measured along the WGS84 geodesic.

    The answer is exactly ``pyproj.Geod(ellps="WGS84").inv(lon, lat, lons, lats)[2] <= radius_m`` for every
    point (NaN and invalid coordinates give False, as they do there), but the exact geodesic is solved
    only for points whose distance is within about 0.34 % of the radius; every other point is decided by
    a spherical angle (1,000,000 targets about a base at 2,200 km: about 40x faster than the exact
    solver; when every target lies within 1 % of R, about 5x; bench/RESULTS.md). All arguments broadcast
    against each other.

    **The bound.** Write a point of the ellipsoid with its parametric (reduced) latitude beta,
    tan(beta) = (b / a) tan(phi), as (a cos(beta) cos(lambda), a cos(beta) sin(lambda), b sin(beta)). Its
    line element is ds**2 = a**2 cos(beta)**2 dlambda**2 + (a**2 sin(beta)**2 + b**2 cos(beta)**2) dbeta**2,
    while the sphere of radius a with coordinates (beta, lambda) has ds_S**2 = a**2 cos(beta)**2 dlambda**2
    + a**2 dbeta**2. Term by term, (b / a)**2 ds_S**2 <= ds**2 <= ds_S**2, so the map (beta, lambda) ->
    ellipsoid, a bijection, changes the length of every curve by a factor in [b / a, 1]. The geodesic
    length s between two points is the infimum of the lengths of curves joining them, and on the sphere
    that infimum is a sigma, sigma the central angle between the points' (beta, lambda); hence

        b sigma <= s <= a sigma,

    with equality approached by short meridian arcs at the equator (left) and arcs along the equator
    (right): the bracket cannot be narrowed for all pairs, and its relative width f = 1 / 298.257 is a
    third of the [b**2 / a, a**2 / b] bracket that the radii of curvature give on a sphere of geodetic
    latitudes. A point is therefore within R when a sigma <= R and beyond R when b sigma > R; only points
    with R / a < sigma <= R / b need the exact solver.

    **Floating point.** cos(sigma) = cos(beta0) cos(beta) cos(dlambda) + sin(beta0) sin(beta) is evaluated
    from one tan of the half latitude and one of the half longitude difference (see ``_reduced``), with an
    absolute error of about 1e-15 (measured worst 1.2e-15); the thresholds are moved by
    :data:`COS_SIGMA_SLACK` (1e-13) in cos(sigma) and by :data:`GEODESIC_SLACK_M` (1 mm, against PROJ's
    15 nm) in distance, both in the safe direction. Points with |lat| > 90, a longitude difference above
    720 deg, or NaN go to the exact solver, so the answer is PROJ's for them too. Where cos(sigma) is flat
    (sigma near 0 or pi) the slack widens the undecided band -- for radii below about 100 m, and for radii
    within a few metres of half the meridian -- and those points go to the exact solver, never guessed.

    Memory: points are classified :data:`CLASSIFY_CHUNK` at a time into a preallocated boolean output.
    """
    shape, size, (lon0, lat0, radius, lons, lats) = _flat_operands(
        (lon, lat, radius_m, point_lons, point_lats)
    )
    out = np.empty(size, dtype=bool)
    scalar_base = lon0.ndim == 0 and lat0.ndim == 0 and radius.ndim == 0
    if scalar_base:
        cb0, sb0, t_in, t_out = _base_terms(lon0, lat0, radius)
    for start in range(0, size, CLASSIFY_CHUNK):
        stop = min(start + CLASSIFY_CHUNK, size)
        part = [f if f.ndim == 0 else f[start:stop] for f in (lon0, lat0, radius, lons, lats)]
        plon, plat = (np.broadcast_to(v, stop - start) for v in part[3:])
        if not scalar_base:
            cb0, sb0, t_in, t_out = _base_terms(*part[:3])
        state = _classify(cb0, sb0, part[0], t_in, t_out, plon, plat)
        chunk_out = out[start:stop]
        np.greater(state, 0, out=chunk_out)
        undecided = np.flatnonzero(state == 0)
        if undecided.size:
            pick = [v if np.ndim(v) == 0 else np.broadcast_to(v, stop - start)[undecided] for v in part[:3]]
            chunk_out[undecided] = _exact_within(
                pick[0], pick[1], pick[2], plon[undecided].astype(float), plat[undecided].astype(float)
            )
    return out.reshape(shape)


def within_any(lons, lats, radius_m, point_lons, point_lats):
    """Boolean array: is each point within ``radius_m`` of at least one base (``lons[k]``, ``lats[k]``).

    The same as ``within`` for each base, or-ed (equivalently: is the nearest base within R, when all
    share one radius), found with the same bound: the point's reduced latitude is computed once, each
    base adds one tan of the longitude difference, and the exact solver runs only for (point, base) pairs
    in a base's undecided band whose point no other base already covers. ``radius_m`` is one radius or
    one per base. Points keep their shape; bases are a 1-d list.
    """
    base_lons = np.atleast_1d(np.asarray(lons, dtype=float)).reshape(-1)
    base_lats = np.atleast_1d(np.asarray(lats, dtype=float)).reshape(-1)
    if base_lats.shape != base_lons.shape:
        raise UsageError(f"within_any: {base_lons.size} base longitudes but {base_lats.size} latitudes")
    try:
        radii = np.broadcast_to(np.asarray(radius_m, dtype=float), base_lons.shape)
    except ValueError:
        raise UsageError(
            f"within_any: radius_m must be one radius or one per base ({base_lons.size}), got shape {np.shape(radius_m)}"
        ) from None
    plons, plats = np.broadcast_arrays(
        np.asarray(point_lons, dtype=float), np.asarray(point_lats, dtype=float)
    )
    shape = plons.shape
    plons, plats = plons.reshape(-1), plats.reshape(-1)
    cb0, sb0, t_in, t_out = _base_terms(base_lons, base_lats, radii)
    out = np.zeros(plons.size, dtype=bool)
    for start in range(0, plons.size, CLASSIFY_CHUNK):
        stop = min(start + CLASSIFY_CHUNK, plons.size)
        clon, clat = plons[start:stop], plats[start:stop]
        cb, sb = _reduced(clat)
        chunk_out = out[start:stop]
        undecided = []
        for k in range(base_lons.size):
            state = _classify(cb0[k], sb0[k], base_lons[k], t_in[k], t_out[k], clon, clat, cb, sb)
            chunk_out |= state > 0
            undecided.append(np.flatnonzero(state == 0))
        for k, idx in enumerate(undecided):
            idx = idx[~chunk_out[idx]]
            if idx.size:
                chunk_out[idx] = _exact_within(base_lons[k], base_lats[k], radii[k], clon[idx], clat[idx])
    return out.reshape(shape)


def in_ring(ring_geometry, lons, lats):
    """Point-in-ring test for a geometry from :func:`ring`: the boundary counts as inside.

    Use this rather than ``shapely.contains_xy``: a ring split at +-180 has a cut edge along the
    antimeridian, and a point exactly on it (lon = 180) lies on the boundary of both pieces.
    """
    return shapely.intersects_xy(ring_geometry, lons, lats)
