"""The front door: one function per question, re-exported at the top level (``rangecalc.reach`` …).

Every function takes the obvious subjects positionally (airframe, base, origin, destination) and the rest
by keyword, in the same order everywhere::

    import rangecalc as rc

    rc.reach("tu22m3", "mozdok", region="SY", avoid=["TUR", "GEO", "AZE"], territorial_sea="12nm")

What the arguments accept:

- a **place** (``base``, ``origin``, ``destination``, each of ``targets``, ``bases`` and ``via``): a name,
  id, alias, ICAO or IATA code, or coordinates as text (``"35.21,48.65"``, ``"35.21N 48.65E"``), exactly as
  on the command line; a ``(lat, lon)`` tuple of numbers, **latitude first** as people write it; a
  :class:`rangecalc.places.Place`, :class:`~rangecalc.places.Base` or :class:`~rangecalc.places.Target`;
  or a shapely ``Point`` (``x`` is the longitude, ``y`` the latitude, as in GeoJSON);
- ``targets``: a target-set id (``"syria"``), a comma-separated text as on the command line, a list
  of places, or a geopandas GeoSeries or GeoDataFrame of points in EPSG:4326 (named from its ``name``
  column); a single place is a list of one;
- ``avoid``: ``"TUR,GEO"`` or ``["TUR", "GEO"]`` (ISO codes or country names);
- quantities: a number in SI units (``payload`` in kilograms, ``standoff`` and ``territorial_sea`` in
  metres) or a text with its unit (``"12t"``, ``"25km"``, ``"12nm"``);
- ``geocode=True``: a place that no offline source knows is looked up online (Nominatim through geopy,
  the ``geocode`` extra), for that call only; a callable geocoder may be given instead. Without it
  nothing goes online;
- ``units``: the distance unit of the result's renderings, ``"km"``, ``"nm"`` or ``"mi"`` (it can be
  changed later: ``result.to_dict(units="nm")``).

Results are :class:`rangecalc.results.Result` objects (``to_dict``, ``to_frame``, ``to_geodataframe``,
``to_geojson``, ``to_kml``, ``save``, and a summary with an SVG map in Jupyter). Errors are
:class:`~rangecalc.errors.UsageError` (a bad question) or :class:`~rangecalc.errors.DataError` (a bad
data file), with the messages the command line prints.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import numbers
from collections.abc import Callable, Iterable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import NotFoundError, UsageError

if TYPE_CHECKING:
    import shapely

    from .airframes import Airframe
    from .places import Base, Place, Target
    from .regions import Region
    from .results import Result

    PlaceLike = str | tuple[float, float] | Place | Base | Target | shapely.Point
    Quantity = float | int | str

#: Result kinds that have a JSON schema (``docs/schemas/<name>.schema.json``).
SCHEMAS = ("reach", "compare", "table", "route", "distance", "claim")
#: Distance units of results.
UNITS = ("km", "nm", "mi")
#: Earth models of ``distance`` and the reach questions.
MODELS = ("ellipsoid", "sphere")
#: The target set asked about when a reach question names no targets and no region.
DEFAULT_TARGETS = "syria"
DEFAULT_SCENARIO = "hamadan-2016"


# --- online geocoding, only when asked ----------------------------------------------------------------


@contextlib.contextmanager
def online(geocode: bool | Callable = True):
    """Within the block, places that no offline source knows (bundled bases and targets, coordinates,
    airportsdata, the offline gazetteer) are looked up online: ``True`` asks Nominatim through geopy
    (:func:`rangecalc.geocode.online_geocoding`: a user agent, one request a second, an on-disk cache), a
    callable (text in, :class:`~rangecalc.places.Place` or None out) is asked instead; ``False`` keeps
    everything offline."""
    if geocode is False or geocode is None:
        yield
    elif geocode is True:
        from .geocode import online_geocoding

        with online_geocoding():
            yield
    elif callable(geocode):
        from .places import geocoding

        with geocoding(geocode):
            yield
    else:
        raise UsageError(f"geocode={geocode!r}: give True, False or a geocoder (a callable)")


def _geocoding_option(function):
    """Run ``function`` within :func:`online` when called with ``geocode=True`` (or a geocoder)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with online(kwargs.get("geocode", False)):
            return function(*args, **kwargs)

    return wrapper


# --- the questions ------------------------------------------------------------------------------------


@_geocoding_option
def reach(
    airframe: str | Airframe,
    base: PlaceLike,
    *,
    targets: str | PlaceLike | Iterable[PlaceLike] | None = None,
    region: str | Region | None = None,
    payload: Quantity | None = None,
    avoid: str | Iterable[str] = (),
    via: PlaceLike | Iterable[PlaceLike] = (),
    standoff: Quantity | None = None,
    territorial_sea: Quantity | None = None,
    model: str = "ellipsoid",
    units: str = "km",
    data_dir: str | Path | None = None,
    geocode: bool | Callable = False,
) -> Result:
    """Margins and verdicts for ``airframe`` flying from ``base`` to each target, and the coverage of
    ``region`` (an ISO code such as ``"SY"``/``"SYR"``, a country name, or a user GeoJSON id).

    Without ``targets`` or ``region`` the targets are the ``syria`` set. ``payload`` (kg, or ``"12t"``)
    takes the radius from the payload model. ``avoid`` closes countries' airspace, ``territorial_sea``
    (m, or ``"12nm"``) extends it over their coastal waters, ``standoff`` (m, or ``"25km"``) keeps that far
    from it, ``via`` is waypoints flown in order: distances are then the shortest flyable routes.
    ``model`` is ``"ellipsoid"`` (WGS84 geodesics) or ``"sphere"`` (for comparison; no routing).

    >>> import rangecalc as rc
    >>> r = rc.reach("tu22m3", "mozdok", targets=["raqqa", (33.51, 36.29)])
    >>> [t["verdict"] for t in r.to_dict()["targets"]]
    ['in_reach', 'in_reach']
    """
    from .reach import reach as reach_result
    from .results import Result

    catalog = _catalog(data_dir)
    units = _units(units)
    model = _model(model)
    frame = _airframe(airframe, catalog)
    origin = to_place(base, catalog)
    label, places, area, routing = _scope(
        catalog, targets, region, avoid, via, standoff, territorial_sea, DEFAULT_TARGETS
    )
    result = reach_result(frame, origin, places, model, label, _payload(payload), area, catalog, routing)
    return Result("reach", result, units, catalog)


@_geocoding_option
def compare(
    airframe: str | Airframe,
    bases: str | Iterable[PlaceLike],
    *,
    targets: str | PlaceLike | Iterable[PlaceLike] | None = None,
    region: str | Region | None = None,
    payload: Quantity | None = None,
    avoid: str | Iterable[str] = (),
    via: PlaceLike | Iterable[PlaceLike] = (),
    standoff: Quantity | None = None,
    territorial_sea: Quantity | None = None,
    model: str = "ellipsoid",
    units: str = "km",
    workers: int | None = None,
    data_dir: str | Path | None = None,
    geocode: bool | Callable = False,
) -> Result:
    """Basing options side by side for ``airframe``: per target the distance from each of ``bases`` (a
    list of places, or a comma-separated text), margins, flight times at cruise speed and the nearest
    base by how much; per region the share covered and the farthest point from each base. The keywords
    are those of :func:`reach`; under ``avoid``/``via`` the bases are shared out among ``workers``
    processes (default: one per core).

    >>> import rangecalc as rc
    >>> c = rc.compare("tu22m3", ["mozdok", "shahid-nojeh"], targets="palmyra")
    >>> c.to_dict()["targets"][0]["nearest_base"]
    'Shahid Nojeh Air Base'
    """
    from .compare import compare as compare_result
    from .results import Result

    catalog = _catalog(data_dir)
    units = _units(units)
    model = _model(model)
    frame = _airframe(airframe, catalog)
    places = [to_place(b, catalog) for b in _place_list(bases, "bases")]
    label, target_places, area, routing = _scope(
        catalog, targets, region, avoid, via, standoff, territorial_sea, DEFAULT_TARGETS
    )
    result = compare_result(
        frame, places, target_places, area, _payload(payload), model, label, catalog, routing, workers=workers
    )
    return Result("compare", result, units, catalog)


@_geocoding_option
def table(
    airframes: str | Iterable[str | Airframe],
    bases: str | Iterable[PlaceLike],
    *,
    targets: str | PlaceLike | Iterable[PlaceLike] | None = None,
    region: str | Region | None = None,
    payload: Quantity | None = None,
    avoid: str | Iterable[str] = (),
    via: PlaceLike | Iterable[PlaceLike] = (),
    standoff: Quantity | None = None,
    territorial_sea: Quantity | None = None,
    model: str = "ellipsoid",
    units: str = "km",
    workers: int | None = None,
    data_dir: str | Path | None = None,
    geocode: bool | Callable = False,
) -> Result:
    """One row per airframe x base x target (and region): distance, radius band, margins, coverage and
    verdict. ``airframes`` and ``bases`` are lists or comma-separated texts; ``targets`` or ``region`` is
    needed. An airframe x base that cannot be evaluated gives rows with status ``error`` and the reason.
    Under ``avoid``/``via`` the bases are shared out among ``workers`` processes (default: one per core).

    >>> import rangecalc as rc
    >>> t = rc.table(["tu22m3", "su34"], ["mozdok", "khmeimim"], targets="raqqa")
    >>> [(row["airframe"], row["verdict"]) for row in t.to_dict()["rows"]]
    [('tu22m3', 'in_reach'), ('tu22m3', 'in_reach'), ('su34', 'in_reach'), ('su34', 'in_reach')]
    """
    from .compare import reach_table
    from .results import Result, TableResult

    catalog = _catalog(data_dir)
    units = _units(units)
    model = _model(model)
    frames = [_airframe(a, catalog) for a in _name_list(airframes, "airframes")]
    places = [to_place(b, catalog) for b in _place_list(bases, "bases")]
    _, target_places, area, routing = _scope(
        catalog, targets, region, avoid, via, standoff, territorial_sea, None, command="table"
    )
    payload_kg = _payload(payload)
    rows = reach_table(frames, places, target_places, area, payload_kg, model, routing, workers=workers)
    value = TableResult(tuple(rows), model, payload_kg, routing, tuple(target_places), area)
    return Result("table", value, units, catalog)


@_geocoding_option
def route(
    origin: PlaceLike,
    destination: PlaceLike,
    *,
    avoid: str | Iterable[str] = (),
    via: PlaceLike | Iterable[PlaceLike] = (),
    standoff: Quantity | None = None,
    territorial_sea: Quantity | None = None,
    units: str = "km",
    data_dir: str | Path | None = None,
    geocode: bool | Callable = False,
) -> Result:
    """The shortest route from ``origin`` to ``destination`` around closed airspace (``avoid``, with
    ``territorial_sea``), keeping ``standoff`` from it and passing ``via`` in order: its length, legs,
    the countries it crosses and its polyline. Without rules it is the direct geodesic.

    >>> import rangecalc as rc
    >>> r = rc.route("mozdok", "damascus", avoid="TUR,GEO,AZE")
    >>> round(r.to_dict()["length_km"], -1) > round(r.to_dict()["direct_km"], -1)
    True
    """
    from .results import Result
    from .routes import RouteReport, plan_route

    catalog = _catalog(data_dir)
    units = _units(units)
    start = to_place(origin, catalog)
    end = to_place(destination, catalog)
    routing = _routing(catalog, avoid, via, standoff, territorial_sea)
    found = plan_route(start, end, routing, catalog)
    return Result("route", RouteReport(start, end, found, routing), units, catalog)


@_geocoding_option
def distance(
    origin: PlaceLike,
    destination: PlaceLike,
    *,
    model: str = "ellipsoid",
    units: str = "km",
    data_dir: str | Path | None = None,
    geocode: bool | Callable = False,
) -> Result:
    """Geodesic distance (WGS84 ellipsoid, or a sphere for comparison) with the initial and final
    bearing, in degrees clockwise from north.

    >>> import rangecalc as rc
    >>> d = rc.distance("mozdok", "deir ez-zor")
    >>> round(d.to_dict()["distance_km"])
    1013
    >>> round(rc.distance((0, 0), (0, 1), units="nm").to_dict()["distance_nm"], 1)
    60.1
    """
    from .geodesy import inverse
    from .results import DistanceResult, Result

    catalog = _catalog(data_dir)
    units = _units(units)
    model = _model(model)
    a = to_place(origin, catalog)
    b = to_place(destination, catalog)
    dist, az1, az2 = (float(v) for v in inverse(a.lon, a.lat, b.lon, b.lat, model))
    return Result("distance", DistanceResult(a, b, dist, az1, az2, model), units, catalog)


@_geocoding_option
def rings(
    airframe: str | Airframe,
    base: PlaceLike,
    *,
    payload: Quantity | None = None,
    avoid: str | Iterable[str] = (),
    via: PlaceLike | Iterable[PlaceLike] = (),
    standoff: Quantity | None = None,
    territorial_sea: Quantity | None = None,
    units: str = "km",
    data_dir: str | Path | None = None,
    geocode: bool | Callable = False,
) -> Result:
    """The reach areas of ``airframe`` around ``base``, one per radius figure (low, nominal, high):
    geodesic discs, and with ``avoid`` or ``via`` the areas reachable on flyable routes. Map layers:
    ``to_geodataframe()``, ``to_geojson()``, ``to_kml()``; ``to_dict()`` is the GeoJSON as a dict.
    """
    from .reach import reach_rings
    from .results import Result

    catalog = _catalog(data_dir)
    units = _units(units)
    frame = _airframe(airframe, catalog)
    place = to_place(base, catalog)
    routing = _routing(catalog, avoid, via, standoff, territorial_sea)
    return Result("rings", reach_rings(frame, place, _payload(payload), routing), units, catalog)


def claim(
    scenario: str | Path = DEFAULT_SCENARIO, *, workers: int | None = None, data_dir: str | Path | None = None
) -> Result:
    """Evaluate a documented claim (a scenario id, or a path to a scenario TOML file) in two parts: range
    and operational value. ``result.verdict`` is the one-sentence verdict; ``to_dict()`` holds every
    number (schema ``rangecalc/claim/2``). Distances are in kilometres. With ``workers`` of 2 or more
    (default: one per core) the sensitivity runs are computed in another process meanwhile.
    """
    from .claims import evaluate, load_scenario
    from .results import Result

    catalog = _catalog(data_dir)
    if isinstance(scenario, Path):
        scenario = str(scenario)
    if not isinstance(scenario, str):
        raise UsageError(f"scenario {scenario!r}: give a scenario id or the path of a .toml file")
    return Result(
        "claim", evaluate(load_scenario(scenario, catalog), catalog, workers=workers), "km", catalog
    )


# --- lookups ------------------------------------------------------------------------------------------


def schema(name: str) -> dict:
    """The JSON schema (a parsed dict) of a result kind: ``"reach"``, ``"compare"``, ``"table"``,
    ``"route"``, ``"distance"`` or ``"claim"``. The schemas ship inside the package.

    >>> import rangecalc as rc
    >>> rc.schema("reach")["properties"]["schema"]["const"]
    'rangecalc/reach/1'
    """
    from .places import _suggest

    key = name.strip().lower() if isinstance(name, str) else ""
    if key not in SCHEMAS:
        raise NotFoundError(_suggest(str(name), list(SCHEMAS), "schema", f"{', '.join(SCHEMAS)}."))
    return json.loads(_schema_text(key))


@functools.cache
def _schema_text(name):
    return (schemas_dir() / f"{name}.schema.json").read_text(encoding="utf-8")


def schemas_dir() -> Path:
    """The folder of the JSON schemas: ``rangecalc/data/schemas`` in an installed wheel, ``docs/schemas``
    in a source checkout or an editable install."""
    packaged = resources.files("rangecalc") / "data" / "schemas"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "docs" / "schemas"


def airframe(id: str, *, data_dir: str | Path | None = None) -> Airframe:
    """The airframe with this id, name or alias: its published figures, each a low / nominal / high band
    in SI units with its sources (``.as_dict()`` for all of it).

    >>> import rangecalc as rc
    >>> rc.airframe("Tu-22M3").combat_radius.values_si().tolist()
    [1500000.0, 2200000.0, 2400000.0]
    """
    return _airframe(id, _catalog(data_dir))


def base(id: str, *, data_dir: str | Path | None = None) -> Base:
    """The bundled (or user) base with this id, name, alias, ICAO or IATA code.

    >>> import rangecalc as rc
    >>> b = rc.base("OIHS")
    >>> b.id, b.country
    ('shahid-nojeh', 'IRN')
    """
    return _catalog(data_dir).base(_text(id, "base"))


# --- turning arguments into library values ------------------------------------------------------------


def to_place(value: PlaceLike, catalog=None):
    """A :class:`~rangecalc.places.Place` from any accepted place form (see the module docstring).

    A ``(lat, lon)`` tuple or a shapely Point becomes a coordinate place labelled ``"lat,lon"`` with five
    decimals, as the command line labels typed coordinates; latitudes beyond +-90 and longitudes beyond
    +-180 are refused, not wrapped.
    """
    from .places import Base, Place, Target, resolve_place

    if isinstance(value, Place):
        return value
    if isinstance(value, Base):
        return Place(label=value.name, lon=value.lon, lat=value.lat, kind="base", ref=value)
    if isinstance(value, Target):
        return Place(label=value.name, lon=value.lon, lat=value.lat, kind="target", ref=value)
    if isinstance(value, str):
        return resolve_place(value, catalog if catalog is not None else _catalog(None))
    if _is_point(value):
        if value.is_empty:
            raise UsageError("an empty shapely Point is not a place")
        return _coordinates(value.y, value.x, f"Point({value.x!r}, {value.y!r})", point=True)
    if _is_pair(value):
        lat, lon = value
        return _coordinates(lat, lon, f"({_shown(lat)}, {_shown(lon)})")
    raise UsageError(
        f"cannot read the place {value!r}: give a name or code, coordinates as text ('35.21,48.65'), "
        "a (lat, lon) tuple, a Place or a shapely Point"
    )


def _coordinates(lat, lon, shown, point=False):
    from .places import Place

    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise UsageError(f"coordinates {shown} are not finite numbers")
    if abs(lat) > 90:
        if point:
            hint = " (a shapely Point is Point(lon, lat))"
        else:
            hint = " (is the order (lon, lat)? give (lat, lon))" if abs(lon) <= 90 else ""
        raise UsageError(f"latitude {lat:g} in {shown} is outside -90..90{hint}")
    if abs(lon) > 180:
        raise UsageError(f"longitude {lon:g} in {shown} is outside -180..180")
    return Place(label=f"{lat:.5f},{lon:.5f}", lon=lon, lat=lat, kind="coordinates")


def _shown(number):
    """A number as typed: Python's own repr, numpy scalars as the float they hold."""
    return repr(number) if type(number) in (int, float) else repr(float(number))


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_pair(value):
    """A (lat, lon) pair of numbers: a tuple or list of two, or a 1-d array of two."""
    if isinstance(value, str | bytes | dict) or not hasattr(value, "__len__"):
        return False
    try:
        return len(value) == 2 and all(_is_number(v) for v in value)
    except TypeError:
        return False


def _is_single_place(value):
    from .places import Base, Place, Target

    return isinstance(value, str | Place | Base | Target) or _is_point(value) or _is_pair(value)


def _is_point(value):
    """A shapely Point (not a GeoSeries, whose ``geom_type`` is a Series)."""
    kind = getattr(value, "geom_type", None)
    return isinstance(kind, str) and kind == "Point"


def _geo_places(value, what):
    """The points of a geopandas GeoSeries or GeoDataFrame as Places, named from a ``name`` column when
    there is one; None for anything else. They must be in longitude/latitude (EPSG:4326)."""
    from dataclasses import replace as replace_place

    geometry = getattr(value, "geometry", None)
    if geometry is None or not hasattr(value, "crs") or not hasattr(geometry, "geom_type"):
        return None
    crs = value.crs
    if crs is not None and crs.to_epsg() != 4326:
        raise UsageError(f"{what}: the points are in {crs.name}; give them in EPSG:4326 (gdf.to_crs(4326))")
    names = list(value["name"]) if "name" in getattr(value, "columns", ()) else None
    places = []
    for i, point in enumerate(geometry):
        if not _is_point(point) or point.is_empty:
            raise UsageError(f"{what}: row {i} is not a point ({getattr(point, 'geom_type', point)!r})")
        place = _coordinates(point.y, point.x, f"row {i}: Point({point.x!r}, {point.y!r})", point=True)
        if names is not None and isinstance(names[i], str) and names[i].strip():
            place = replace_place(place, label=names[i].strip()[:200])
        places.append(place)
    return places


def _place_list(value, what):
    """A list of place values: a list as given, or a comma-separated text split as ``--targets`` is
    (a ``lat,lon`` pair inside it stays whole; ``;`` separates when present)."""
    if isinstance(value, str):
        return _split_places(value, what)
    if _is_single_place(value):
        return [value]
    geo = _geo_places(value, what)
    if geo is not None:
        if not geo:
            raise UsageError(f"{what} is empty; give at least one place")
        return geo
    if not isinstance(value, Iterable):
        raise UsageError(f"{what}: give a list of places, got {value!r}")
    items = list(value)
    if not items:
        raise UsageError(f"{what} is empty; give at least one place")
    return items


def _split_places(text, what):
    from .places import split_place_list

    return split_place_list(text, what)


def _name_list(value, what):
    """Names from a list or a comma-separated text, without empty items."""
    if isinstance(value, str):
        items = [t.strip() for t in value.split(",")]
    elif isinstance(value, Iterable):
        items = list(value)
    else:
        raise UsageError(f"{what}: give a list or a comma-separated text, got {value!r}")
    if not items or any(isinstance(t, str) and not t for t in items):
        raise UsageError(f"{what} needs a list without empty items, got {value!r}")
    return items


def _text(value, what):
    if not isinstance(value, str):
        raise UsageError(f"{what}: give a name or id as text, got {value!r}")
    return value


def _catalog(data_dir):
    from .data import load_catalog

    return load_catalog(None if data_dir is None else str(data_dir), source="data_dir")


def _airframe(value, catalog):
    from .airframes import Airframe

    if isinstance(value, Airframe):
        return value
    return catalog.airframe(_text(value, "airframe"))


def _units(units):
    if units not in UNITS:
        raise UsageError(f"units {units!r}: accepted {', '.join(UNITS)}")
    return units


def _model(model):
    if model not in MODELS:
        raise UsageError(f"model {model!r}: accepted {', '.join(MODELS)}")
    return model


def _quantity(value, units, si_unit, what, maximum):
    """A quantity in the base unit of ``units``: a number taken in ``si_unit``, or a text with a unit."""
    from .units import parse_quantity

    if value is None:
        return None
    if _is_number(value):
        if not math.isfinite(float(value)):
            raise UsageError(f"{what}: {value!r} is not a finite number")
        value = f"{float(value)!r}{si_unit}"
    elif not isinstance(value, str):
        raise UsageError(f"{what}: give a number in {si_unit} or a text with a unit, got {value!r}")
    return parse_quantity(value, units, None, what, maximum)


def _payload(value):
    from .units import MASS_UNITS, MAX_PAYLOAD

    return _quantity(value, MASS_UNITS, "kg", "--payload", MAX_PAYLOAD)


def _distance_text(value, what):
    """A stand-off or territorial sea as the text the routing rules read: numbers are metres."""
    if value is None or isinstance(value, str):
        return value
    if not _is_number(value):
        raise UsageError(f"{what}: give a number in metres or a text with a unit, got {value!r}")
    if not math.isfinite(float(value)):
        raise UsageError(f"{what}: {value!r} is not a finite number")
    return f"{float(value)!r}m"


def _avoid_text(value):
    from .regions import Region

    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Region):
        return value.id
    if not isinstance(value, Iterable):
        raise UsageError(f"--avoid: give country codes as a list or 'TUR,GEO', got {value!r}")
    items = [v.id if isinstance(v, Region) else v for v in value]
    if not items:
        return None
    if not all(isinstance(v, str) for v in items):
        raise UsageError(f"--avoid: give country codes or names as text, got {items!r}")
    return ",".join(items)


def _via_list(value):
    if value is None or (isinstance(value, list | tuple) and not value):
        return []
    return _place_list(value, "--via")


def _routing(catalog, avoid, via, standoff, territorial_sea):
    """:class:`~rangecalc.routes.Routing` from the API's arguments (the command line's rules)."""
    from .routes import routing_from_text

    routing = routing_from_text(
        _avoid_text(avoid),
        (),
        _distance_text(standoff, "--standoff"),
        catalog,
        territorial_sea=_distance_text(territorial_sea, "--territorial-sea"),
    )
    points = tuple((p.lon, p.lat) for p in (to_place(v, catalog) for v in _via_list(via)))
    return replace(routing, via=points) if points else routing


def _scope(catalog, targets, region, avoid, via, standoff, territorial_sea, default, command="this command"):
    """``(targets label, target places, region, routing)`` of a reach question."""
    from .places import TargetSet
    from .reach import resolve_targets
    from .regions import Region, resolve_region

    if targets is None and region is None:
        if default is None:
            from .reach import resolve_scope

            resolve_scope(catalog, command=command)  # raises the command line's message
        targets = default
    if targets is None:
        label, places = "", []
    elif isinstance(targets, TargetSet):
        label, places = targets.name, [to_place(t, catalog) for t in targets.targets]
    elif isinstance(targets, str):
        label, places = resolve_targets(targets, catalog)
    else:
        places = [to_place(t, catalog) for t in _place_list(targets, "--targets")]
        geo = _geo_places(targets, "--targets") is not None
        label = f"{len(places):,} points" if geo else ", ".join(p.label for p in places)
    if region is None or isinstance(region, Region):
        area = region
    else:
        area = resolve_region(_text(region, "--region"), catalog)
    return label, places, area, _routing(catalog, avoid, via, standoff, territorial_sea)
