"""Scenarios and claims: a documented claim, judged in two parts from the data and the historical record.

A scenario file (``scenarios/<id>.toml``, format in ``docs/scenarios.md``) quotes a claim with its
publication and names the airframes, bases, regions and targets in scope; the airspace closed at the time
(each closure with its source); the corridor actually flown; the record (sorties flown, distances and
durations published at the time, each with its source and grade); the loads the claim is about and the
stated assumptions about which load the published radius is for; the operational assumptions (ground
time between sorties); and context facts that bear on the claim but are not computed.

:func:`evaluate` computes (a) **range feasibility** -- coverage of the region on direct geodesics, on the
shortest legal routes and on the recorded corridor, what the record proves, and what each load
assumption changes -- and (b) **operational value** -- flight times, sortie rates, modelled fuel and
payload, and base factors per basing option. :func:`verdict` turns the numbers into a two-part verdict.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .airframes import BANDS, Source
from .data import _Checker, read_toml
from .errors import DataError, NotFoundError, UsageError
from .places import Place, _suggest, resolve_place
from .precision import duration, km10, percent, tonnes
from .regions import all_regions, resolve_region
from .routes import Routing

DEFAULT_SCENARIO = "hamadan-2016"
NAUTICAL_MILE_M = 1852.0


@dataclass(frozen=True)
class Evidence:
    """A sourced statement: the source, and the fact's number in the historical record (``F6``) if any."""

    source: Source
    record: str | None = None

    def as_dict(self):
        return {**self.source.as_dict(), "record": self.record}


@dataclass(frozen=True)
class PayloadCase:
    name: str
    payload_kg: float | None  # None: the published radius, no payload model
    note: str = ""


@dataclass(frozen=True)
class Calibration:
    """A stated assumption: the published radius is for ``reference_payload_kg``."""

    name: str
    reference_payload_kg: float
    note: str


@dataclass(frozen=True)
class Corridor:
    """A route as flown or tracked: the base, then waypoints (lon, lat) in order, then the target."""

    id: str
    name: str
    base: Place
    waypoints: tuple
    note: str
    evidence: Evidence


@dataclass(frozen=True)
class Sortie:
    """A recorded sortie (or raid) from the historical record."""

    date: str
    airframe: object
    base: Place
    targets: tuple[Place, ...]
    area: str
    load_kg: float | None
    load: str
    evidence: Evidence


@dataclass(frozen=True)
class Published:
    """A distance or duration published at the time: ``what`` is 'one-way distance', 'round-trip
    distance' (``value`` km) or 'sortie duration' (``value`` hours)."""

    base: Place
    target: Place
    what: str
    value: float
    qualifier: str
    note: str
    evidence: Evidence


@dataclass(frozen=True)
class BaseNote:
    base: Place
    airframe_id: str | None
    text: str
    evidence: Evidence


@dataclass(frozen=True)
class Operations:
    ground_time_h: float | None = None
    ground_time_note: str = ""
    sortie_rate: Evidence | None = None
    reported_saving: tuple | None = None  # (share, note, Evidence)


@dataclass(frozen=True)
class Scenario:
    """A parsed, validated scenario file."""

    id: str
    title: str
    question: str
    claim_text: str
    claim_source: Source
    claim_airframe: object
    claim_base: Place
    claim_alternative: Place | None
    claim_region: object
    airframes: tuple
    bases: tuple[Place, ...]
    regions: tuple
    targets: tuple[Place, ...]
    targets_note: str
    routing: Routing
    closed_sources: dict  # region id -> Evidence
    payloads: tuple[PayloadCase, ...]
    calibrations: tuple[Calibration, ...] = ()
    airspace_note: str = ""
    corridors: tuple[Corridor, ...] = ()
    sorties: tuple[Sortie, ...] = ()
    published: tuple[Published, ...] = ()
    operations: Operations = field(default_factory=Operations)
    base_notes: tuple[BaseNote, ...] = ()
    context: tuple = ()  # (text, Evidence)
    origin: str = ""
    display_origin: str = ""  # the file name as shown in reports (no local paths)


def scenario_path(name, catalog):
    """Find a scenario by id (bundled or in the user data folder) or as a path to a TOML file."""
    path = Path(name)
    if path.suffix == ".toml" and path.is_file():
        return path
    found = {}
    for folder in catalog.folders:
        for candidate in (
            sorted((folder / "scenarios").glob("*.toml")) if (folder / "scenarios").is_dir() else []
        ):
            found[candidate.stem] = candidate
    if name in found:
        return found[name]
    raise NotFoundError(
        _suggest(name, list(found), "scenario", f"{', '.join(sorted(found))}, or a path to a .toml file.")
    )


_RECORD_KEY = "record"


class _ScenarioChecker(_Checker):
    def evidence(self, table, where, source_id):
        """A source table that may also carry ``record`` (an F-number of the historical record)."""
        if not isinstance(table, dict):
            self.fail(where, "must be a table with title, url and states")
        table = dict(table)
        record = table.pop(_RECORD_KEY, None)
        if record is not None and (not isinstance(record, str) or not record.strip()):
            self.fail(f"{where}.record", "must be the fact's number in the record, e.g. 'F6'")
        return Evidence(self.source(table, where, source_id, graded=False), record)

    def table_list(self, doc, key, keys, required_keys=()):
        entries = self.get(doc, key, (list,), "", required=False, default=[])
        for i, entry in enumerate(entries):
            where = f"{key}[{i}]"
            if not isinstance(entry, dict):
                self.fail(where, f"must be a table with {', '.join(sorted(required_keys or keys))}")
            self.unknown_keys(entry, keys, where)
            yield where, entry


def load_scenario(name, catalog):
    """Read and validate a scenario; every name in it must resolve (errors name the file and key)."""
    path = scenario_path(name, catalog)
    doc = read_toml(path)
    check = _ScenarioChecker(path)
    check.unknown_keys(
        doc,
        {
            "id", "title", "question", "claim", "scope", "airspace", "payloads", "calibrations",
            "corridors", "sorties", "published", "operations", "base_notes", "context",
        },
        "",
    )  # fmt: skip

    def resolve(key, fn):
        try:
            return fn()
        except UsageError as exc:
            raise DataError(f"{path}: {key}: {exc}") from None

    def place(key, text):
        return resolve(key, lambda: resolve_place(text, catalog))

    def airframe(key, text):
        return resolve(key, lambda: catalog.airframe(text))

    claim = check.get(doc, "claim", (dict,), "")
    check.unknown_keys(claim, {"text", "source", "airframe", "base", "alternative", "region"}, "claim")
    scope = check.get(doc, "scope", (dict,), "")
    check.unknown_keys(scope, {"airframes", "bases", "regions", "targets", "targets_note"}, "scope")
    airframes = tuple(
        airframe(f"scope.airframes[{i}]", a) for i, a in enumerate(check.strings(scope, "airframes", "scope"))
    )
    bases = tuple(place(f"scope.bases[{i}]", b) for i, b in enumerate(check.strings(scope, "bases", "scope")))
    regions = tuple(
        resolve(f"scope.regions[{i}]", lambda r=r: resolve_region(r, catalog))
        for i, r in enumerate(check.strings(scope, "regions", "scope"))
    )
    targets = tuple(
        place(f"scope.targets[{i}]", t) for i, t in enumerate(check.strings(scope, "targets", "scope"))
    )
    # The same entry written twice (an id and an alias) is kept once.
    airframes = tuple({a.id: a for a in airframes}.values())
    bases = tuple({_key(b): b for b in bases}.values())
    regions = tuple({r.id: r for r in regions}.values())
    targets = tuple({_key(t): t for t in targets}.values())
    if not airframes or not bases or not (regions or targets):
        check.fail("scope", "needs airframes, bases, and regions or targets")
    claim_airframe = airframe("claim.airframe", check.text(claim, "airframe", "claim"))
    claim_base = place("claim.base", check.text(claim, "base", "claim"))
    alternative_text = check.get(claim, "alternative", (str,), "claim", required=False)
    alternative = place("claim.alternative", alternative_text) if alternative_text else None
    claim_region = resolve(
        "claim.region", lambda: resolve_region(check.text(claim, "region", "claim"), catalog)
    )
    if claim_airframe.id not in {a.id for a in airframes}:
        check.fail("claim.airframe", f"{claim_airframe.id!r} is not in scope.airframes")
    base_keys = {_key(b) for b in bases}
    for key, p in (("claim.base", claim_base), ("claim.alternative", alternative)):
        if p is not None and _key(p) not in base_keys:
            check.fail(key, f"{p.label!r} is not in scope.bases")
    if claim_region.id not in {r.id for r in regions}:
        check.fail("claim.region", f"{claim_region.id!r} is not in scope.regions")
    claim_source = check.get(claim, "source", (dict, str), "claim")
    if isinstance(claim_source, str):  # a plain citation
        if not claim_source.strip():
            check.fail("claim.source", "must not be empty")
        claim_source = {"title": claim_source, "publication": claim_source, "states": claim_source}
    claim_evidence = check.evidence(claim_source, "claim.source", "claim")

    airspace = check.get(doc, "airspace", (dict,), "", required=False, default={})
    check.unknown_keys(airspace, {"closed", "standoff_km", "territorial_sea_nm", "note"}, "airspace")
    standoff_km = check.number(airspace, "standoff_km", "airspace", required=False, maximum=1000) or 0.0
    territorial_nm = (
        check.number(airspace, "territorial_sea_nm", "airspace", required=False, maximum=200) or 0.0
    )
    closed, reasons, sources = [], {}, {}
    for i, entry in enumerate(check.get(airspace, "closed", (list,), "airspace", required=False, default=[])):
        where = f"airspace.closed[{i}]"
        if not isinstance(entry, dict):
            check.fail(where, "must be a table with country, reason and source")
        check.unknown_keys(entry, {"country", "reason", "source"}, where)
        region = resolve(
            f"{where}.country",
            lambda e=entry, w=where: resolve_region(check.text(e, "country", w), catalog),
        )
        closed.append(region)
        reasons[region.id] = check.text(entry, "reason", where)
        sources[region.id] = check.evidence(
            check.get(entry, "source", (dict,), where), f"{where}.source", f"closed-{region.id}"
        )
    closed_ids = {r.id for r in closed}
    land = tuple(r for r in all_regions(catalog).values() if r.id not in closed_ids) if territorial_nm else ()
    routing = Routing(
        tuple(closed),
        (),
        standoff_km * 1000.0,
        reasons,
        territorial_sea_m=territorial_nm * NAUTICAL_MILE_M,
        land=land,
    )

    payloads = [PayloadCase("published", None, "the published combat radius, load not stated")]
    for where, entry in check.table_list(doc, "payloads", {"name", "payload_kg", "note"}):
        name_ = check.text(entry, "name", where)
        if name_ in {p.name for p in payloads}:
            check.fail(f"{where}.name", f"{name_!r} is used twice ('published' is the published radius)")
        payloads.append(
            PayloadCase(
                name_,
                check.number(entry, "payload_kg", where, maximum=1e6),
                check.text(entry, "note", where, required=False),
            )
        )
    calibrations = []
    for where, entry in check.table_list(doc, "calibrations", {"name", "reference_payload_kg", "note"}):
        name_ = check.text(entry, "name", where)
        if name_ in {c.name for c in calibrations}:
            check.fail(f"{where}.name", f"{name_!r} is used twice")
        calibrations.append(
            Calibration(
                name_,
                check.number(entry, "reference_payload_kg", where, maximum=1e6),
                check.text(entry, "note", where),
            )
        )

    corridors = []
    for where, entry in check.table_list(
        doc, "corridors", {"id", "name", "base", "waypoints", "note", "source"}
    ):
        base = place(f"{where}.base", check.text(entry, "base", where))
        if _key(base) not in base_keys:
            check.fail(f"{where}.base", f"{base.label!r} is not in scope.bases")
        waypoints = []
        for k, text in enumerate(check.strings(entry, "waypoints", where)):
            p = place(f"{where}.waypoints[{k}]", text)
            waypoints.append((p.lon, p.lat))
        if not waypoints:
            check.fail(f"{where}.waypoints", "needs at least one waypoint")
        corridors.append(
            Corridor(
                check.ident(entry, "id", where),
                check.text(entry, "name", where),
                base,
                tuple(waypoints),
                check.text(entry, "note", where, required=False),
                check.evidence(check.get(entry, "source", (dict,), where), f"{where}.source", where),
            )
        )
    if len({c.base.label for c in corridors}) < len(corridors):
        check.fail("corridors", "one corridor per base")

    sorties = []
    for where, entry in check.table_list(
        doc, "sorties", {"date", "airframe", "base", "targets", "area", "load_kg", "load", "source"}
    ):
        frame = airframe(f"{where}.airframe", check.text(entry, "airframe", where))
        hits = tuple(
            place(f"{where}.targets[{k}]", t) for k, t in enumerate(check.strings(entry, "targets", where))
        )
        if not hits:
            check.fail(f"{where}.targets", "needs at least one target place")
        sorties.append(
            Sortie(
                check.text(entry, "date", where),
                frame,
                place(f"{where}.base", check.text(entry, "base", where)),
                hits,
                check.text(entry, "area", where, required=False),
                check.number(entry, "load_kg", where, required=False, maximum=1e6),
                check.text(entry, "load", where, required=False),
                check.evidence(check.get(entry, "source", (dict,), where), f"{where}.source", where),
            )
        )

    published = []
    for where, entry in check.table_list(
        doc, "published", {"base", "target", "what", "km", "hours", "qualifier", "note", "source"}
    ):
        what = check.text(entry, "what", where)
        kinds = {"one-way distance": "km", "round-trip distance": "km", "sortie duration": "hours"}
        if what not in kinds:
            check.fail(f"{where}.what", f"{what!r}; accepted: {', '.join(kinds)}")
        unit = kinds[what]
        if (("km" in entry) + ("hours" in entry)) != 1 or unit not in entry:
            check.fail(where, f"a {what} needs '{unit}' (and not the other unit)")
        published.append(
            Published(
                place(f"{where}.base", check.text(entry, "base", where)),
                place(f"{where}.target", check.text(entry, "target", where)),
                what,
                check.number(entry, unit, where, maximum=1e5),
                check.text(entry, "qualifier", where, required=False),
                check.text(entry, "note", where, required=False),
                check.evidence(check.get(entry, "source", (dict,), where), f"{where}.source", where),
            )
        )

    ops = check.get(doc, "operations", (dict,), "", required=False, default={})
    check.unknown_keys(
        ops, {"ground_time_h", "ground_time_note", "sortie_rate_source", "reported_time_saving"}, "operations"
    )
    saving = None
    if "reported_time_saving" in ops:
        table = check.get(ops, "reported_time_saving", (dict,), "operations")
        where = "operations.reported_time_saving"
        check.unknown_keys(table, {"share", "note", "source"}, where)
        saving = (
            check.number(table, "share", where, maximum=1.0),
            check.text(table, "note", where, required=False),
            check.evidence(check.get(table, "source", (dict,), where), f"{where}.source", where),
        )
    operations = Operations(
        check.number(ops, "ground_time_h", "operations", required=False, maximum=240),
        check.text(ops, "ground_time_note", "operations", required=False),
        check.evidence(ops["sortie_rate_source"], "operations.sortie_rate_source", "sortie-rate")
        if "sortie_rate_source" in ops
        else None,
        saving,
    )
    base_notes = []
    for where, entry in check.table_list(doc, "base_notes", {"base", "airframe", "text", "source"}):
        frame_text = check.get(entry, "airframe", (str,), where, required=False)
        base_notes.append(
            BaseNote(
                place(f"{where}.base", check.text(entry, "base", where)),
                airframe(f"{where}.airframe", frame_text).id if frame_text else None,
                check.text(entry, "text", where),
                check.evidence(check.get(entry, "source", (dict,), where), f"{where}.source", where),
            )
        )
    context = tuple(
        (
            check.text(entry, "text", where),
            check.evidence(check.get(entry, "source", (dict,), where), f"{where}.source", where),
        )
        for where, entry in check.table_list(doc, "context", {"text", "source"})
    )
    bundled = any(str(path).startswith(str(f)) for f in catalog.folders[:1])
    return Scenario(
        id=check.ident(doc, "id", ""),
        title=check.text(doc, "title", ""),
        question=check.text(doc, "question", ""),
        claim_text=check.text(claim, "text", "claim"),
        claim_source=claim_evidence.source,
        claim_airframe=claim_airframe,
        claim_base=claim_base,
        claim_alternative=alternative,
        claim_region=claim_region,
        airframes=airframes,
        bases=bases,
        regions=regions,
        targets=targets,
        targets_note=check.text(scope, "targets_note", "scope", required=False),
        routing=routing,
        closed_sources=sources,
        payloads=tuple(payloads),
        calibrations=tuple(calibrations),
        airspace_note=check.text(airspace, "note", "airspace", required=False),
        corridors=tuple(corridors),
        sorties=tuple(sorties),
        published=tuple(published),
        operations=operations,
        base_notes=tuple(base_notes),
        context=context,
        origin=str(path),
        display_origin=f"scenarios/{path.name} (bundled)" if bundled else path.name,
    )


def _key(place):
    """Two resolved places are the same when they are at the same point (names and aliases may differ)."""
    return (round(place.lon, 6), round(place.lat, 6))


def same_place(a, b):
    return a is not None and b is not None and _key(a) == _key(b)


# --- evaluation ---------------------------------------------------------------------------------------

#: Margins smaller than this share of the distance are reported as ties (1:50m borders, route method).
TIE_SHARE = 0.01
#: A factor favours a base when it differs by more than this share.
MATERIAL_SHARE = 0.10
#: Map grid: the flyable reach boundary is contoured on about this many distances per base.
MAP_GRID_POINTS = 12_000


@dataclass(frozen=True)
class RadiusCase:
    """The radius band of an airframe at one load under one calibration (None when it does not apply)."""

    airframe: object
    load: PayloadCase
    calibration: Calibration | None
    radius_m: tuple | None
    note: str = ""

    @property
    def modelled(self):
        return self.load.payload_kg is not None

    @property
    def key(self):
        return (self.airframe.id, self.load.name, self.calibration.name if self.calibration else None)


@dataclass(frozen=True)
class FieldCase:
    """One base over one region under one set of routing rules: the farthest point and the share covered
    at each radius in ``shares`` (radius m -> share)."""

    base: Place
    region: object
    routes: str  # "direct", "legal", "no_territorial_sea", "corridor"
    far_m: float
    far_point: tuple  # (lon, lat)
    shares: dict
    method: str

    def share(self, radius_m):
        return self.shares[round(float(radius_m), 3)]


@dataclass
class ClaimResult:
    scenario: Scenario
    data: dict  # the canonical JSON-shaped result (schema rangecalc/claim/2)
    routes: dict = field(default_factory=dict)  # (variant, base label, target label) -> Route
    #: Makes the map layers (reach polygons, uncovered parts, closed airspace) when first asked for: only
    #: maps and the HTML report draw them.
    make_layers: object = field(default=None, repr=False, compare=False)
    _layers: dict | None = field(default=None, repr=False, compare=False)

    @property
    def layers(self):
        """Map layers: reach polygons per base and routes, the uncovered parts, the closed airspace."""
        if self._layers is None:
            self._layers = self.make_layers() if self.make_layers is not None else {}
        return self._layers


def _radius_cases(scenario):
    """Every airframe x load x calibration radius band. The published radius needs no calibration; a load
    needs one unless the airframe file states the load behind its radius (or gives published pairs)."""
    from .payload import radius_at_payload

    cases = []
    for frame in scenario.airframes:
        for load in scenario.payloads:
            if load.payload_kg is None:
                cases.append(RadiusCase(frame, load, None, tuple(frame.combat_radius.values_si().tolist())))
                continue
            stated = frame.combat_radius.reference_payload_kg is not None or bool(frame.payload_radius)
            for calibration in (None,) if stated or not scenario.calibrations else scenario.calibrations:
                try:
                    ref = None if calibration is None else calibration.reference_payload_kg
                    result = radius_at_payload(frame, load.payload_kg, ref)
                    cases.append(RadiusCase(frame, load, calibration, tuple(result.radius_m)))
                except UsageError as exc:
                    cases.append(RadiusCase(frame, load, calibration, None, _why_not(frame, load, exc)))
                    break
    return tuple(cases)


def _why_not(frame, load, exc):
    limit = frame.figure("max_payload_kg")
    if limit is not None and load.payload_kg > limit.nominal:
        return f"above its maximum payload ({limit.nominal / 1000:g} t)"
    missing = [
        k for k in ("max_takeoff_mass_kg", "empty_mass_kg", "internal_fuel_kg") if frame.figure(k) is None
    ]
    if missing:
        return f"no payload model (its file lacks {', '.join(missing)})"
    return str(exc).split(": ", 1)[-1]


def _corridor_of(scenario, base):
    for corridor in scenario.corridors:
        if same_place(corridor.base, base):
            return corridor
    return None


def evaluate(scenario, catalog=None, map_layers=True, workers=None):
    """Compute every part of a scenario into a :class:`ClaimResult` (its ``data`` is the JSON result).

    A base inside the scenario's closed airspace is a data error naming the scenario file. With more than
    one worker (default: one per core) the sensitivity runs (each closed country re-opened) are computed
    in another process meanwhile; the result is the same.
    """
    from .routes import NoRouteError

    try:
        return _evaluate(scenario, catalog, map_layers, workers)
    except NoRouteError as exc:
        raise DataError(f"{scenario.origin}: scope.bases: {exc}") from None


def _evaluate(scenario, catalog, map_layers, workers):
    from dataclasses import replace

    from . import coverage, geodesy
    from .parallel import in_background
    from .reach import _flyable_field, _remembering
    from .regions import read_geometries
    from .routes import NoRouteError

    s = scenario
    legal = s.routing
    radius_cases = _radius_cases(s)
    sortie_places = [t for sortie in s.sorties for t in sortie.targets]
    published_places = [p for pub in s.published for p in (pub.base, pub.target)]
    all_points = [(p.lon, p.lat) for p in (*s.bases, *s.targets, *sortie_places, *published_places)] + [
        w for c in s.corridors for w in c.waypoints
    ]
    all_points += [
        (r.geometry.representative_point().x, r.geometry.representative_point().y) for r in s.regions
    ]
    if legal.territorial_sea_m:  # outlines read once, before the processes forked below need them
        read_geometries(legal.land)
    reopened = in_background(lambda: _reopened(s, all_points), workers)
    spaces = {"legal": legal.airspace(all_points) if legal.active else None}
    no_sea = None  # the same closures without territorial seas: a sensitivity case
    if legal.avoid and legal.territorial_sea_m:
        no_sea = Routing(legal.avoid, (), legal.standoff_m, legal.reasons)
        spaces["no_territorial_sea"] = no_sea.airspace(all_points)
    # The claim base's legal reach polygons (for the text and the maps) need only the legal airspace, and the
    # basing search only the farthest point of the claim's region on legal routes: both are computed
    # meanwhile, in other processes that inherit what is prepared here. The legal field remembers its
    # points, so that its coverage shares cost no new distances later.
    claim_reach = None
    if map_layers:
        claim_reach = in_background(lambda: _variant_reach(s, spaces, s.claim_base, "legal", legal), workers)
    claim_legal_fn, claim_far_m = None, None
    if legal.active:
        claim_legal_fn = _remembering(_flyable_field([s.claim_base], legal, spaces["legal"]))
        _, far, _ = coverage.field_coverage(s.claim_region.geometry, claim_legal_fn, [])
        claim_far_m = far.distance_m
    basing = in_background(lambda: _basing(s, claim_far_m, catalog), workers)
    routes_cache = {}

    def route(variant, base, target):
        """(length m, Route or None): shortest legal route, or along the base's corridor."""
        key = (variant, base.label, target.label)
        if key in routes_cache:
            return routes_cache[key]
        space = spaces["legal"]
        via = ()
        if variant == "corridor":
            corridor = _corridor_of(s, base)
            if corridor is None:
                return None, None
            via = corridor.waypoints
        elif variant in spaces:
            space = spaces[variant]
        if space is None:
            if via:
                from .routes import airspace as make_airspace

                space = make_airspace((), 0.0, all_points)
            else:
                d = float(geodesy.distance(base.lon, base.lat, target.lon, target.lat))
                routes_cache[key] = (d, None)
                return routes_cache[key]
        try:
            r = space.route((base.lon, base.lat), (target.lon, target.lat), via, (base.label, target.label))
            routes_cache[key] = (r.length_m, r)
        except NoRouteError:
            routes_cache[key] = (math.inf, None)
        return routes_cache[key]

    # -- the record: sorties flown, and what they imply --------------------------------------------------
    sorties = []
    for sortie in s.sorties:
        for target in sortie.targets:
            legal_m, _ = route("legal", sortie.base, target)
            corridor_m, _ = route("corridor", sortie.base, target)
            direct_m = float(geodesy.distance(sortie.base.lon, sortie.base.lat, target.lon, target.lat))
            published = sortie.airframe.combat_radius.values_si().tolist()
            contradicts = [b for b, r in zip(BANDS, published, strict=True) if r < legal_m]
            sorties.append(
                {
                    "date": sortie.date,
                    "airframe": sortie.airframe.id,
                    "base": sortie.base.label,
                    "target": target.label,
                    "area": sortie.area,
                    "load": sortie.load,
                    "load_kg": sortie.load_kg,
                    "source": sortie.evidence.as_dict(),
                    "direct_km": direct_m / 1000,
                    "legal_km": _km(legal_m),
                    "corridor_km": _km(corridor_m),
                    "radius_at_least_km": _km(legal_m),
                    "contradicts": contradicts,
                }
            )

    # -- coverage fields: every base x region x routing variant -----------------------------------------
    claim_frame = s.claim_airframe
    recorded = [x for x in sorties if x["airframe"] == claim_frame.id and x["base"] == s.claim_base.label]
    max_recorded_m = max((x["legal_km"] or 0) * 1000 for x in recorded) if recorded else None
    radii = sorted(
        {round(r, 3) for c in radius_cases if c.radius_m for r in c.radius_m}
        | ({round(max_recorded_m, 3)} if max_recorded_m else set())
    )
    fields = []
    for region in s.regions:
        for base in s.bases:
            lons, lats = np.array([base.lon]), np.array([base.lat])
            covers = [coverage.coverage(region.geometry, lons, lats, r) for r in radii]
            far = coverage.farthest_point(region.geometry, lons, lats)
            fields.append(
                FieldCase(
                    base, region, "direct", far.distance_m, (far.lon, far.lat),
                    {r: c.covered_share for r, c in zip(radii, covers, strict=True)},
                    "exact polygons of direct geodesic reach",
                )
            )  # fmt: skip
            variants = []
            if legal.active:
                variants.append(("legal", legal, spaces["legal"]))
            if no_sea is not None and same_place(base, s.claim_base):
                variants.append(("no_territorial_sea", no_sea, spaces["no_territorial_sea"]))
            corridor = _corridor_of(s, base)
            if corridor is not None:
                rules = replace(legal, via=corridor.waypoints)
                variants.append(("corridor", rules, spaces["legal"] or rules.airspace(all_points)))
            for name, rules, space in variants:
                claims_own = (
                    name == "legal" and region.id == s.claim_region.id and same_place(base, s.claim_base)
                )
                field_fn = claim_legal_fn if claims_own else _flyable_field([base], rules, space)
                covers, far, method = coverage.field_coverage(region.geometry, field_fn, radii)
                fields.append(
                    FieldCase(
                        base, region, name, far.distance_m, (far.lon, far.lat),
                        {r: c.covered_share for r, c in zip(radii, covers, strict=True)},
                        method,
                    )
                )  # fmt: skip
    if not legal.active:  # every route is direct: the legal answer is the direct one
        fields += [replace(f, routes="legal") for f in fields if f.routes == "direct"]

    def field_of(base, region, routes):
        return _field_of(fields, base, region.id, routes)

    data = _base_dict(s)
    data["radius_cases"] = [_radius_case_dict(c) for c in radius_cases]
    data["coverage"] = [_field_dict(f, radius_cases, catalog) for f in fields]
    # Sensitivity: each closed country re-opened in turn (legal rules otherwise), computed meanwhile.
    sensitivity = reopened.result()
    claim_published = claim_frame.combat_radius.values_si().tolist()
    bare_field = field_of(s.claim_base, s.claim_region, "no_territorial_sea")
    if bare_field is not None:
        sensitivity.append(
            {
                "opened": "the territorial seas (closed land only)",
                "farthest_km": _km(bare_field.far_m),
                "reached": {
                    b: bool(r >= bare_field.far_m) for b, r in zip(BANDS, claim_published, strict=True)
                },
            }
        )
    data["sensitivity"] = sensitivity
    data["basing"] = basing.result()

    # -- targets in scope -------------------------------------------------------------------------------
    targets = []
    for base in s.bases:
        for target in s.targets:
            legal_m, _ = route("legal", base, target)
            corridor_m, _ = route("corridor", base, target)
            targets.append(
                {
                    "base": base.label,
                    "target": target.label,
                    "direct_km": float(geodesy.distance(base.lon, base.lat, target.lon, target.lat)) / 1000,
                    "legal_km": _km(legal_m),
                    "corridor_km": _km(corridor_m),
                }
            )
    data["targets"] = targets

    # -- the record --------------------------------------------------------------------------------------
    claim_field = field_of(s.claim_base, s.claim_region, "legal")
    record = {"sorties": sorties}
    if recorded:
        contradicted = {}
        for x in recorded:
            for band in x["contradicts"]:
                contradicted.setdefault(band, []).append(f"{x['date']} {x['target']}")
        farthest = max(recorded, key=lambda x: x["legal_km"] or 0)
        record.update(
            {
                "struck_from_base": sorted({x["target"] for x in recorded}),
                "farthest_recorded": {
                    "target": farthest["target"],
                    "date": farthest["date"],
                    "legal_km": farthest["legal_km"],
                },
                "contradicted": {
                    b: {
                        "figure_km": r / 1000,
                        "sorties": contradicted[b],
                    }
                    for b, r in zip(BANDS, claim_published, strict=True)
                    if b in contradicted
                },
                "region_within_record": claim_field.share(max_recorded_m) if claim_field else None,
                "region_farthest_km": _km(claim_field.far_m) if claim_field else None,
                "beyond_record_km": _km(claim_field.far_m - max_recorded_m) if claim_field else None,
            }
        )
    data["record"] = record
    data["published"] = [_published_dict(p, route, s) for p in s.published]

    # -- loads under each calibration ---------------------------------------------------------------------
    corridor_field = field_of(s.claim_base, s.claim_region, "corridor")
    loads = []
    for c in radius_cases:
        if c.airframe.id != claim_frame.id or c.radius_m is None:
            continue
        row = {
            "load": c.load.name,
            "payload_kg": c.load.payload_kg,
            "calibration": c.calibration.name if c.calibration else None,
            "radius_km": dict(zip(BANDS, (r / 1000 for r in c.radius_m), strict=True)),
            "modelled": c.modelled,
        }
        for name, f in (("legal", claim_field), ("corridor", corridor_field)):
            if f is not None:
                row[f"reaches_farthest_{name}"] = {
                    b: bool(r >= f.far_m) for b, r in zip(BANDS, c.radius_m, strict=True)
                }
        loads.append(row)
    flips = []
    for load in {x["load"] for x in loads if x["modelled"]}:
        outcomes = {
            x["calibration"]: tuple(x.get("reaches_farthest_legal", {}).values())
            for x in loads
            if x["load"] == load
        }
        if len(set(outcomes.values())) > 1:
            flips.append(load)
    data["loads"] = {"cases": loads, "verdict_changes_with_calibration": sorted(flips)}

    # -- operations ---------------------------------------------------------------------------------------
    data["operations"] = _operations(s, fields, radius_cases, route, catalog)
    data["context"] = [{"text": text, "source": ev.as_dict()} for text, ev in s.context]
    result = ClaimResult(s, data, {k: v[1] for k, v in routes_cache.items() if v[1] is not None})
    if map_layers:
        # The claim base's legal reach serves the text (what is out of reach, and where) and the maps; the
        # other layers are contoured only when a map is drawn.
        claim_reach = claim_reach.result()
        uncovered, data["uncovered"] = _uncovered(s, claim_reach, catalog)

        def make_layers():
            return _map_layers(s, spaces, catalog, (claim_reach, uncovered, data["uncovered"]))

        result.make_layers = make_layers
    data["verdict"] = verdict(result)
    return result


def _basing(s, legal_far_m, catalog):
    """Where the claim's base stands against the basing area of the claim's region under the published
    radius (direct, and on legal routes when airspace is closed: ``legal_far_m`` is the farthest point's
    distance on them), and the best airfields of its country inside it
    (:func:`rangecalc.basing.base_position`)."""
    from .basing import base_position
    from .data import load_catalog

    catalog = catalog or load_catalog()
    frame, base, region = s.claim_airframe, s.claim_base, s.claim_region
    country = getattr(base.ref, "country", None)
    countries = (
        [all_regions(catalog)[country.upper()]] if country and country.upper() in all_regions(catalog) else []
    )
    routing = Routing(s.routing.avoid, (), s.routing.standoff_m, s.routing.reasons, s.routing.territorial_sea_m,
                      s.routing.land)  # fmt: skip
    far = legal_far_m if routing.active else None
    pos = base_position(frame.combat_radius.values_si(), region, base, routing, catalog, countries,
                        flyable_farthest_m=far)  # fmt: skip

    def standing(x):
        return {
            "figure": x.figure,
            "radius_km": x.radius_m / 1000,
            "farthest_km": _km(x.farthest_m),
            "margin_km": _km(x.margin_m),
            "inside": x.inside,
            "edge_km": None if x.boundary_m is None else x.boundary_m / 1000,
        }

    direct = [standing(x) for x in pos.standings if x.mode == "direct"]
    flyable = [standing(x) for x in pos.standings if x.mode == "flyable"] or None
    airfields = []
    for c in pos.airfields:
        margins = c.flyable_margins_m if c.flyable_margins_m is not None else c.margins_m
        distance = c.flyable_farthest_m if c.flyable_farthest_m is not None else c.farthest_m
        airfields.append(
            {
                "id": c.airfield.id,
                "name": c.airfield.name,
                "source": c.airfield.source,
                "lat": c.airfield.lat,
                "lon": c.airfield.lon,
                "farthest_km": distance / 1000,
                "inside": [b for b, m in zip(BANDS, margins, strict=True) if m >= 0],
            }
        )
    return {
        "airframe": frame.id,
        "airframe_name": frame.name,
        "base": base.label,
        "region": region.name,
        "country": countries[0].name if countries else None,
        "routes": "legal" if routing.active else "direct",
        "direct": direct,
        "flyable": flyable,
        "direct_error_km": pos.direct_error_m / 1000,
        "flyable_error_km": None if pos.flyable_error_m is None else pos.flyable_error_m / 1000,
        "flyable_method": pos.flyable_method,
        "airfields": airfields,
        "notes": list(pos.notes),
    }


def _field_of(fields, base, region_id, routes):
    """The :class:`FieldCase` of ``base`` over region ``region_id`` under ``routes``, or None."""
    for f in fields:
        if same_place(f.base, base) and f.region.id == region_id and f.routes == routes:
            return f
    return None


def _km(metres):
    """Metres to km for JSON; None for an unreachable (infinite) distance."""
    return float(metres) / 1000 if metres is not None and math.isfinite(metres) else None


def _band(values):
    return dict(zip(BANDS, values, strict=True))


def _base_dict(s):
    return {
        "schema": CLAIM_SCHEMA,
        "scenario": s.id,
        "file": s.display_origin,
        "title": s.title,
        "question": s.question,
        "claim": {
            "text": s.claim_text,
            "source": s.claim_source.as_dict(),
            "airframe": s.claim_airframe.id,
            "base": s.claim_base.label,
            "alternative": None if s.claim_alternative is None else s.claim_alternative.label,
            "region": s.claim_region.id,
            "region_name": s.claim_region.name,
        },
        "rules": {
            "closed": [
                {
                    "id": r.id,
                    "name": r.name,
                    "reason": s.routing.reasons[r.id],
                    "source": s.closed_sources[r.id].as_dict(),
                }
                for r in s.routing.avoid
            ],
            "territorial_sea_nm": s.routing.territorial_sea_m / NAUTICAL_MILE_M,
            "standoff_km": s.routing.standoff_m / 1000,
            "note": s.airspace_note or None,
            "description": s.routing.describe(),
            "corridors": [
                {
                    "id": c.id,
                    "name": c.name,
                    "base": c.base.label,
                    "waypoints": [{"lat": lat, "lon": lon} for lon, lat in c.waypoints],
                    "note": c.note,
                    "source": c.evidence.as_dict(),
                }
                for c in s.corridors
            ],
        },
        "figures": {
            a.id: {
                "name": a.name,
                "file": a.origin,
                "combat_radius_km": _band(a.combat_radius.values().tolist()),
                "conditions": a.combat_radius.conditions,
                "sources": [x.id for x in a.combat_radius.sources],
                "cruise_speed_kmh": None
                if a.figure("cruise_speed_kmh") is None
                else _band(a.figure("cruise_speed_kmh").values().tolist()),
                "in_flight_refuelling": a.in_flight_refuelling,
            }
            for a in s.airframes
        },
        "payloads": [{"name": p.name, "payload_kg": p.payload_kg, "note": p.note} for p in s.payloads],
        "calibrations": [
            {"name": c.name, "reference_payload_kg": c.reference_payload_kg, "note": c.note}
            for c in s.calibrations
        ],
    }


def _radius_case_dict(c):
    return {
        "airframe": c.airframe.id,
        "load": c.load.name,
        "payload_kg": c.load.payload_kg,
        "calibration": c.calibration.name if c.calibration else None,
        "radius_km": None if c.radius_m is None else _band([r / 1000 for r in c.radius_m]),
        "modelled": c.modelled,
        "note": c.note or None,
    }


def _near(catalog, lon, lat):
    if catalog is None or not math.isfinite(lon):
        return None
    from .places import compass, nearest_named_place
    from .reach import NAMED_PLACE_MAX_M

    name, distance_m, bearing = nearest_named_place(catalog, lon, lat)
    if distance_m > NAMED_PLACE_MAX_M:
        return None
    return {"name": name, "distance_km": distance_m / 1000, "direction": compass(bearing)}


def _field_dict(f, radius_cases, catalog):
    covered = []
    for c in radius_cases:
        if c.radius_m is None:
            continue
        covered.append(
            {
                "airframe": c.airframe.id,
                "load": c.load.name,
                "calibration": c.calibration.name if c.calibration else None,
                "modelled": c.modelled,
                "covered": _band([f.share(r) for r in c.radius_m]),
                "reaches_farthest": _band([bool(r >= f.far_m) for r in c.radius_m]),
            }
        )
    return {
        "base": f.base.label,
        "region": f.region.id,
        "routes": f.routes,
        "farthest_km": _km(f.far_m),
        "farthest_point": {
            "lon": f.far_point[0],
            "lat": f.far_point[1],
            "near": _near(catalog, *f.far_point) if math.isfinite(f.far_m) else None,
        },
        "route_dependent": f.routes != "direct",
        "method": f.method,
        "cases": covered,
    }


def _published_dict(p, route, s):
    legal_m, _ = route("legal", p.base, p.target)
    corridor_m, _ = route("corridor", p.base, p.target)
    out = {
        "base": p.base.label,
        "target": p.target.label,
        "what": p.what,
        "value": p.value,
        "unit": "h" if p.what == "sortie duration" else "km",
        "qualifier": p.qualifier or None,
        "note": p.note or None,
        "source": p.evidence.as_dict(),
        "legal_km": _km(legal_m),
        "corridor_km": _km(corridor_m),
    }
    factor = 2 if p.what == "round-trip distance" else 1
    if p.what == "sortie duration":
        speed = s.claim_airframe.figure("cruise_speed_kmh")
        if speed is not None:
            kmh = speed.values().tolist()  # slowest (low) gives the longest time
            for name, metres in (("legal", legal_m), ("corridor", corridor_m)):
                if metres is not None and math.isfinite(metres):
                    out[f"{name}_hours"] = {
                        "at_high_speed": 2 * metres / 1000 / kmh[2],
                        "at_low_speed": 2 * metres / 1000 / kmh[0],
                    }
    else:
        for name, metres in (("legal", legal_m), ("corridor", corridor_m)):
            if metres is not None and math.isfinite(metres):
                out[f"{name}_compared_km"] = factor * metres / 1000
    return out


def _speed_kmh(frame):
    figure = frame.figure("cruise_speed_kmh")
    return None if figure is None else figure.nominal


def _operations(s, fields, radius_cases, route, catalog):
    """Per basing option: times, sortie rates, modelled fuel and payload, base factors (JSON-shaped)."""
    from .payload import cruise_constant_m, payload_for_radius, radius_at_payload, sortie_fuel_kg

    ground_h = s.operations.ground_time_h
    out = {
        "ground_time_h": ground_h,
        "ground_time_note": s.operations.ground_time_note or None,
        "sortie_rate_source": None
        if s.operations.sortie_rate is None
        else s.operations.sortie_rate.as_dict(),
        "bases": [],
        "targets": [],
    }

    def timing(metres, kmh):
        if kmh is None or metres is None or not math.isfinite(metres):
            return None, None, None
        one_way = metres / 1000 / kmh * 60
        per_day = None if ground_h is None else math.floor(24 * 60 / (2 * one_way + ground_h * 60))
        return one_way, 2 * one_way, per_day

    for frame in s.airframes:
        kmh = _speed_kmh(frame)
        takeoff = frame.figure("takeoff_run_m")
        for base in s.bases:
            far = _field_of(fields, base, s.claim_region.id, "legal")
            far_m = far.far_m if far else None
            one_way, round_trip, per_day = timing(far_m, kmh)
            ref = getattr(base, "ref", None)
            row = {
                "airframe": frame.id,
                "base": base.label,
                "farthest_km": _km(far_m) if far_m is not None else None,
                "farthest_one_way_min": one_way,
                "farthest_round_trip_min": round_trip,
                "sorties_per_day": per_day,
                "runway_m": getattr(ref, "runway_length_m", None),
                "elevation_m": getattr(ref, "elevation_m", None),
                "takeoff_run_m": None if takeoff is None else _band(takeoff.values().tolist()),
                "in_flight_refuelling": frame.in_flight_refuelling,
                "notes": [
                    {"text": n.text, "source": n.evidence.as_dict()}
                    for n in s.base_notes
                    if same_place(n.base, base) and n.airframe_id in (None, frame.id)
                ],
                "loads": [],
            }
            for load in s.payloads:
                if load.payload_kg is None or far_m is None or not math.isfinite(far_m):
                    continue
                fuels, payloads, per_tonne = [], [], []
                for case in radius_cases:
                    if case.airframe.id != frame.id or case.load.name != load.name or case.radius_m is None:
                        continue
                    ref_kg = None if case.calibration is None else case.calibration.reference_payload_kg
                    try:
                        modelled = radius_at_payload(frame, load.payload_kg, ref_kg)
                        k_m = cruise_constant_m(frame, modelled)[1]
                        fuel = float(sortie_fuel_kg(frame, load.payload_kg, far_m, k_m))
                        payloads.append(payload_for_radius(frame, far_m, ref_kg))
                    except UsageError:
                        continue
                    fuels.append(fuel)
                    if load.payload_kg > 0 and math.isfinite(fuel):
                        per_tonne.append(fuel / (load.payload_kg / 1000))
                if not fuels:
                    continue
                finite = [f for f in fuels if math.isfinite(f)]
                row["loads"].append(
                    {
                        "load": load.name,
                        "payload_kg": load.payload_kg,
                        "fuel_kg": {"min": min(finite), "max": max(finite)} if finite else None,
                        "fuel_per_tonne_kg": {"min": min(per_tonne), "max": max(per_tonne)}
                        if per_tonne
                        else None,
                        "flyable_under_every_calibration": len(finite) == len(fuels),
                        "modelled": True,
                    }
                )
                if "payload_to_farthest_kg" not in row:
                    known = [p for p in payloads if p is not None]
                    row["payload_to_farthest_kg"] = {
                        "min": min(known) if len(known) == len(payloads) else None,
                        "max": max(known) if known else None,
                        "modelled": True,
                    }
            out["bases"].append(row)
        for target in s.targets:
            for base in s.bases:
                legal_m, _ = route("legal", base, target)
                corridor_m, _ = route("corridor", base, target)
                one_way, round_trip, per_day = timing(legal_m, kmh)
                _, c_round, c_day = timing(corridor_m, kmh)
                out["targets"].append(
                    {
                        "airframe": frame.id,
                        "base": base.label,
                        "target": target.label,
                        "legal_km": _km(legal_m),
                        "one_way_min": one_way,
                        "round_trip_min": round_trip,
                        "sorties_per_day": per_day,
                        "corridor_km": _km(corridor_m),
                        "corridor_round_trip_min": c_round,
                        "corridor_sorties_per_day": c_day,
                    }
                )
    out["time_saving"] = _time_saving(s, route)
    out["reported_time_saving"] = (
        None
        if s.operations.reported_saving is None
        else {
            "share": s.operations.reported_saving[0],
            "note": s.operations.reported_saving[1],
            "source": s.operations.reported_saving[2].as_dict(),
        }
    )
    out["factors"] = _factors(s, out)
    out["secondary"] = _secondary(s, fields)
    return out


def _time_saving(s, route):
    """Per target: the share of flight time the alternative saves over the claim base (same speed)."""
    if s.claim_alternative is None:
        return []
    rows = []
    for target in s.targets:
        base_legal, _ = route("legal", s.claim_base, target)
        base_corridor, _ = route("corridor", s.claim_base, target)
        alt_legal, _ = route("legal", s.claim_alternative, target)
        rows.append(
            {
                "target": target.label,
                "base_legal_km": _km(base_legal),
                "base_corridor_km": _km(base_corridor),
                "alternative_legal_km": _km(alt_legal),
                "saving_legal": _saving(alt_legal, base_legal),
                "saving_corridor": _saving(alt_legal, base_corridor),
            }
        )
    return rows


def _saving(new, old):
    if new is None or old is None or not (math.isfinite(new) and math.isfinite(old)) or old <= 0:
        return None
    return 1 - new / old


def _factors(s, ops):
    """Which computed factors favour the claim base or the alternative, and by how much (no overall score)."""
    if s.claim_alternative is None:
        return []
    frame = s.claim_airframe.id
    rows = {r["base"]: r for r in ops["bases"] if r["airframe"] == frame}
    a, b = rows.get(s.claim_base.label), rows.get(s.claim_alternative.label)
    if a is None or b is None:
        return []
    factors = []

    def add(name, unit, va, vb, higher_is_better, modelled=False, note=None):
        if va is None or vb is None:
            return
        if va == vb:
            favours = None
        else:
            favours = (va > vb) == higher_is_better
            favours = s.claim_base.label if favours else s.claim_alternative.label
        scale = max(abs(va), abs(vb)) or 1
        factors.append(
            {
                "factor": name,
                "unit": unit,
                "base_value": va,
                "alternative_value": vb,
                "favours": favours,
                "difference": abs(va - vb),
                "share": abs(va - vb) / scale,
                "material": abs(va - vb) / scale > MATERIAL_SHARE,
                "modelled": modelled,
                "note": note,
            }
        )

    add(
        "round trip to the farthest point of the region (legal routes)",
        "min",
        a["farthest_round_trip_min"],
        b["farthest_round_trip_min"],
        False,
    )
    times = [
        (x, y)
        for x in ops["targets"]
        for y in ops["targets"]
        if x["airframe"] == y["airframe"] == frame
        and x["target"] == y["target"]
        and x["base"] == s.claim_base.label
        and y["base"] == s.claim_alternative.label
        and x["round_trip_min"] is not None
        and y["round_trip_min"] is not None
    ]
    if times:
        add(
            "mean round trip to the targets in scope (legal routes)",
            "min",
            sum(x["round_trip_min"] for x, _ in times) / len(times),
            sum(y["round_trip_min"] for _, y in times) / len(times),
            False,
        )
    add(
        "sorties per aircraft per day to the farthest point (ground time as stated)",
        "sorties",
        a["sorties_per_day"],
        b["sorties_per_day"],
        True,
    )
    for la in a["loads"]:
        lb = next((x for x in b["loads"] if x["load"] == la["load"]), None)
        if lb and la["fuel_kg"] and lb["fuel_kg"]:
            add(
                f"fuel burned per sortie to the farthest point at the {la['load']} load ({la['payload_kg'] / 1000:g} t)",
                "kg",
                (la["fuel_kg"]["min"] + la["fuel_kg"]["max"]) / 2,
                (lb["fuel_kg"]["min"] + lb["fuel_kg"]["max"]) / 2,
                False,
                modelled=True,
                note="mid-point of the range over the calibrations",
            )
    pa, pb = a.get("payload_to_farthest_kg"), b.get("payload_to_farthest_kg")
    if pa and pb:
        add(
            "payload that reaches the farthest point (nominal radius, least favourable calibration)",
            "kg",
            pa["min"] or 0.0,
            pb["min"] or 0.0,
            True,
            modelled=True,
        )
    add("field elevation (lower is better for take-off)", "m", a["elevation_m"], b["elevation_m"], False)
    add("longest runway", "m", a["runway_m"], b["runway_m"], True)
    return factors


def _secondary(s, fields):
    """For each other airframe: does the alternative give it a range advantage over the other bases?"""
    out = []
    if s.claim_alternative is None:
        return out
    for frame in s.airframes:
        if frame.id == s.claim_airframe.id:
            continue
        radius = frame.combat_radius.values_si().tolist()
        rows = []
        for base in s.bases:
            f = _field_of(fields, base, s.claim_region.id, "legal")
            if f is None:
                continue
            rows.append(
                {
                    "base": base.label,
                    "farthest_km": _km(f.far_m),
                    "reaches_farthest": _band([bool(r >= f.far_m) for r in radius]),
                }
            )
        alt = next((r for r in rows if r["base"] == s.claim_alternative.label), None)
        better = [
            r
            for r in rows
            if r["base"] != s.claim_alternative.label
            and alt is not None
            and r["farthest_km"] is not None
            and (alt["farthest_km"] is None or r["farthest_km"] <= alt["farthest_km"])
            and all(r["reaches_farthest"].values())
        ]
        out.append(
            {
                "airframe": frame.id,
                "name": frame.name,
                "radius_km": _band([r / 1000 for r in radius]),
                "bases": rows,
                "range_reason_for_alternative": not better,
                "better_bases": [r["base"] for r in better],
            }
        )
    return out


# --- the two-part verdict ----------------------------------------------------------------------------

CLAIM_SCHEMA = "rangecalc/claim/2"


def _figures_text(names):
    if not names:
        return "no figure"
    if len(names) == 3:
        return "every figure"
    return "the " + " and ".join(names) + (" figures" if len(names) > 1 else " figure")


def _coverage_row(data, base, routes):
    for row in data["coverage"]:
        if row["base"] == base and row["region"] == data["claim"]["region"] and row["routes"] == routes:
            return row
    return None


def _published_case(row, airframe):
    for case in row["cases"]:
        if case["airframe"] == airframe and case["load"] == "published":
            return case
    return None


def _place_words(row):
    near = row["farthest_point"].get("near")
    if not near:
        return ""
    if near["distance_km"] < 15:
        return f" (near {near['name']})"
    return f" ({km10(near['distance_km'])} {near['direction']} of {near['name']})"


def verdict(result):
    """The two-part verdict, computed from ``result.data``: {'range': {code, text, findings},
    'operational': {code, text, findings}, 'summary': one plain sentence}."""
    d = result.data
    s = result.scenario
    frame = s.claim_airframe
    region = d["claim"]["region_name"]
    band = d["figures"][frame.id]["combat_radius_km"]
    base = s.claim_base.label
    findings = []

    direct = _coverage_row(d, base, "direct")
    legal = _coverage_row(d, base, "legal")
    corridor = _coverage_row(d, base, "corridor")
    contradicted = d["record"].get("contradicted", {})
    plausible = [b for b in BANDS if b not in contradicted]

    def reaching(row):
        case = _published_case(row, frame.id)
        return [b for b in BANDS if case["reaches_farthest"][b]]

    if direct is not None:
        findings.append(
            f"On direct great-circle routes the farthest point of {region} from {base} is "
            f"{km10(direct['farthest_km'])} away: within {_figures_text(reaching(direct))} "
            f"({' / '.join(f'{band[b]:,.0f}' for b in BANDS)} km)."
        )
    legal_reach = reaching(legal) if legal else []
    if legal is not None and s.routing.active:
        case = _published_case(legal, frame.id)
        shares = " / ".join(percent(case["covered"][b]) for b in BANDS)
        findings.append(
            f"On the shortest legal routes ({s.routing.describe()}) it is {km10(legal['farthest_km'])} "
            f"away{_place_words(legal)}: within {_figures_text(legal_reach)}; share of {region} covered "
            f"under the low / nominal / high figures {shares}. Shortest legal routes are lower bounds: real "
            "routes are longer."
        )
    corridor_reach = reaching(corridor) if corridor else []
    if corridor is not None:
        case = _published_case(corridor, frame.id)
        shares = " / ".join(percent(case["covered"][b]) for b in BANDS)
        name = s.corridors[0].name if s.corridors else "the recorded corridor"
        findings.append(
            f"Along the recorded corridor ({name}, {_cite_record(s.corridors[0].evidence)}) it is "
            f"{km10(corridor['farthest_km'])} away: within {_figures_text(corridor_reach)}; share covered "
            f"{shares}."
        )
    for item in d.get("uncovered", []):
        # The figures under which part, not all, of the region is out of reach: where that part lies.
        reached = legal is not None and _published_case(legal, frame.id)["reaches_farthest"][item["band"]]
        if (
            item["airframe"] == frame.id
            and item["routes"] == "legal"
            and 0 < item["share"] < 0.999
            and not reached
        ):
            findings.append(
                f"Under the {item['band']} figure ({band[item['band']]:,.0f} km) the part of {region} out of "
                f"reach on legal routes is {item['where']} ({percent(item['share'])} of {region}; boundary "
                f"contoured on a grid, good to about {item['error_km']:.0f} km)."
            )
    record = d["record"]
    recorded_rows = [x for x in record["sorties"] if x["airframe"] == frame.id and x["base"] == base]
    if record.get("struck_from_base"):
        far = record["farthest_recorded"]
        struck = ", ".join(record["struck_from_base"])
        text = (
            f"The record shows {frame.name}s from {base} striking {struck}; the farthest, {far['target']} "
            f"({far['date']}), is {km10(far['legal_km'])} away by the shortest legal route, so the radius at the "
            "load flown was at least that (a lower bound: the route flown was longer)."
        )
        if contradicted:
            parts = [
                f"the {b} figure ({v['figure_km']:,.0f} km), shorter than the shortest legal route of "
                f"{len(v['sorties'])} of the {len(recorded_rows)} recorded strikes"
                for b, v in contradicted.items()
            ]
            text += f" The record contradicts {'; '.join(parts)}, at the loads flown."
        else:
            text += " No published figure is below a recorded sortie."
        if record.get("region_within_record") is not None:
            text += (
                f" It proves reach to every point of {region} within that distance by legal route: "
                f"{percent(record['region_within_record'])} of {region}; the farthest point is "
                f"{km10(record['beyond_record_km'])} beyond anything the record shows struck from {base}."
            )
        findings.append(text)
    flips = d["loads"]["verdict_changes_with_calibration"]
    modelled_loads = sorted(
        {(c["payload_kg"], c["load"]) for c in d["loads"]["cases"] if c["modelled"]}, key=lambda x: x[0]
    )
    if modelled_loads:
        names = ", ".join(f"{kg / 1000:g} t ({name})" for kg, name in modelled_loads)
        if flips:
            findings.append(
                f"At the loads in question ({names}) whether the farthest point is reached on legal routes "
                f"depends on which load one assumes the published radius is for, at the {', '.join(flips)} "
                "load(s): no source states it."
            )
        else:
            findings.append(
                f"At the loads in question ({names}) the answer at the farthest point does not change with "
                "the load one assumes the published radius is for (modelled radii, drag of external stores "
                "ignored)."
            )
    # (a) code
    basis = (reaching(direct) if direct else []) if not s.routing.active or legal is None else legal_reach
    considered = plausible or list(BANDS)
    if all(b in basis for b in considered):
        range_code = "supported"
    elif any(b in basis for b in considered):
        range_code = "depends_on_figure"
    else:
        range_code = "not_supported"
    shown = "partly" if record.get("region_within_record") not in (None, 1.0) else "yes"
    if not record.get("struck_from_base"):
        shown = "no record"
    range_text = {
        "supported": f"SUPPORTED: on the routes that could be flown every figure the record leaves standing "
        f"({_figures_text(considered)}) reaches all of {region}.",
        "depends_on_figure": f"DEPENDS ON THE FIGURE: on the routes that could be flown all of {region} is "
        f"within {_figures_text([b for b in considered if b in basis])} only, of the figures the record leaves "
        f"standing ({_figures_text(considered)}).",
        "not_supported": f"NOT SUPPORTED: on the routes that could be flown no figure the record leaves "
        f"standing reaches all of {region}.",
    }[range_code]
    if shown == "partly":
        range_text += f" 'Repeatedly shown' holds for the east and centre struck from {base}, not for the whole country."

    # (b) operational value
    ops = d["operations"]
    factors = ops["factors"]
    alt = s.claim_alternative.label if s.claim_alternative else None
    op_findings = []
    for f in factors:
        if f["favours"] is None:
            continue
        op_findings.append(_factor_sentence(f))
    for row in ops["bases"]:
        if row["airframe"] == frame.id:
            for note in row["notes"]:
                op_findings.append(f"{row['base']}: {note['text']} ({_cite_record_dict(note['source'])})")
    saving = ops.get("reported_time_saving")
    if saving and ops["time_saving"]:
        parts = [
            f"{r['target']} {percent(r['saving_legal'])}"
            + (f" ({percent(r['saving_corridor'])} against the corridor)" if r["saving_corridor"] else "")
            for r in ops["time_saving"]
            if r["saving_legal"] is not None
        ]
        meets = [
            r
            for r in ops["time_saving"]
            if r["saving_legal"] is not None and r["saving_legal"] >= saving["share"]
        ]
        op_findings.append(
            f"The reported '{percent(saving['share'])} less flight time' ({_cite_record_dict(saving['source'])}) "
            f"checked target by target, flight time saved from {alt} on legal routes: {'; '.join(parts)}: "
            f"{len(meets)} of {len(parts)} targets reach {percent(saving['share'])}."
        )
    for sec in ops["secondary"]:
        if sec["range_reason_for_alternative"]:
            op_findings.append(
                f"{sec['name']}: no base in scope covers {region} under every figure better than {alt}; "
                f"{alt} gave it a range advantage."
            )
        else:
            best = sec["better_bases"][0]
            row = next(r for r in sec["bases"] if r["base"] == best)
            alt_row = next((r for r in sec["bases"] if r["base"] == alt), None)
            op_findings.append(
                f"{sec['name']}: from {best} the farthest point of {region} is {km10(row['farthest_km'])} away, "
                f"within every figure ({' / '.join(format(sec['radius_km'][b], ',.0f') for b in BANDS)} km)"
                + (f", against {km10(alt_row['farthest_km'])} from {alt}" if alt_row else "")
                + f": it had no range reason to use {alt} rather than {best}."
            )
    favouring_alt = [f for f in factors if f["favours"] == alt and f["material"]]
    favouring_base = [f for f in factors if f["favours"] == base and f["material"]]
    if alt is None:
        op_code, op_text = "cannot_be_assessed", "CANNOT BE ASSESSED: the scenario names no alternative base."
    elif favouring_alt:
        op_code = "not_supported"
        op_text = (
            f"NOT SUPPORTED: {alt} is better by more than {MATERIAL_SHARE:.0%} on "
            f"{len(favouring_alt)} computed factor(s) ({'; '.join(f['factor'] for f in favouring_alt)})"
            + (
                f", while {base} is better on {len(favouring_base)} ({'; '.join(f['factor'] for f in favouring_base)})"
                if favouring_base
                else ""
            )
            + ". Political reasons are not computed; the factors are listed, not scored."
        )
    else:
        op_code = "supported"
        op_text = f"SUPPORTED: no computed factor favours {alt} by more than {MATERIAL_SHARE:.0%}."

    summary = _summary(s, d, range_code, op_code, legal, corridor, favouring_alt, shown)
    return {
        "range": {
            "code": range_code,
            "text": range_text,
            "findings": findings,
            "record_shows_all": shown == "yes",
        },
        "operational": {"code": op_code, "text": op_text, "findings": op_findings},
        "summary": summary,
    }


def _factor_sentence(f):
    unit = f["unit"]
    if unit == "min":
        a, b, diff = duration(f["base_value"]), duration(f["alternative_value"]), duration(f["difference"])
    elif unit == "kg":
        a, b, diff = tonnes(f["base_value"]), tonnes(f["alternative_value"]), tonnes(f["difference"])
    elif unit == "m":
        a, b, diff = (f"{v:,.0f} m" for v in (f["base_value"], f["alternative_value"], f["difference"]))
    else:
        a, b, diff = (f"{v:g}" for v in (f["base_value"], f["alternative_value"], f["difference"]))
    modelled = " (modelled)" if f["modelled"] else ""
    return f"{f['factor']}{modelled}: {a} vs {b}; favours {f['favours']} by {diff} ({percent(f['share'])})."


def _cite_record(evidence):
    return evidence.record or evidence.source.title


def _cite_record_dict(source):
    grade = f", grade {source['reliability']}" if source.get("reliability") else ""
    return f"{source.get('record') or source['title']}{grade}"


def _summary(s, d, range_code, op_code, legal, corridor, favouring_alt, shown):
    frame, base, alt = s.claim_airframe, s.claim_base.label, s.claim_alternative
    region = d["claim"]["region_name"]
    band = d["figures"][frame.id]["combat_radius_km"]
    row = legal or _coverage_row(d, base, "direct")
    reach = [b for b in BANDS if _published_case(row, frame.id)["reaches_farthest"][b]]
    first = (
        f"On the routes that could be flown, {frame.name}s from {base} reached all of {region} "
        + (
            "under every published radius"
            if len(reach) == 3
            else f"only under the {' and '.join(f'{band[b]:,.0f} km' for b in reach)} radius"
            if reach
            else "under no published radius"
        )
        + f" (the farthest point is about {km10(row['farthest_km'])} away"
        + (f", {km10(corridor['farthest_km'])} along the recorded corridor" if corridor else "")
        + ")"
    )
    if shown == "partly":
        first += ", and the record shows them striking only the east and centre"
    if alt is None:
        return first + "."
    if op_code == "not_supported":
        timed = [f for f in favouring_alt if f["unit"] == "min"] or favouring_alt
        best = max(timed, key=lambda f: f["share"])
        second = (
            f"from {alt.label} the {best['factor'].split(' (')[0]} was {percent(best['share'])} "
            f"{'shorter' if best['unit'] == 'min' else 'better'}, so 'no operational reason' does not hold on "
            "the numbers"
        )
    else:
        second = f"{alt.label} offered no computed advantage of more than {MATERIAL_SHARE:.0%}"
    return f"{first}; {second}."


def _reopened(s, all_points):
    """Sensitivity of the claim base's farthest point: each closed country re-opened in turn (legal rules
    otherwise), on a grid of 5,000 points refined by pattern search."""
    from . import coverage
    from .reach import _flyable_field

    legal = s.routing
    published = s.claim_airframe.combat_radius.values_si().tolist()
    out = []
    for opened in legal.avoid if legal.active else ():
        rest = tuple(r for r in legal.avoid if r.id != opened.id)
        land = (*legal.land, opened) if legal.territorial_sea_m else ()
        rules = Routing(rest, (), legal.standoff_m, territorial_sea_m=legal.territorial_sea_m, land=land)
        field_fn = _flyable_field([s.claim_base], rules, rules.airspace(all_points))
        _, far, _ = coverage.field_coverage(s.claim_region.geometry, field_fn, [], n_points=5000)
        out.append(
            {
                "opened": opened.name,
                "farthest_km": _km(far.distance_m),
                "reached": {b: bool(r >= far.distance_m) for b, r in zip(BANDS, published, strict=True)},
            }
        )
    return out


def _variant_reach(s, spaces, base, name, rules):
    """The reach polygons (:class:`~rangecalc.coverage.FieldReach`) of the claim's airframe from ``base``
    over the claim's region and 2 degrees around it, for each published figure, under ``rules``."""
    from . import coverage, geodesy
    from .reach import _flyable_field

    if rules.active:
        space = spaces["legal"] if spaces.get("legal") else rules.airspace([(base.lon, base.lat)])
        fn = _flyable_field([base], rules, space)
    else:

        def fn(lons, lats):
            d = geodesy.distance(base.lon, base.lat, lons, lats)
            return d, np.zeros(np.shape(d), int)

    radius = s.claim_airframe.combat_radius.values_si().tolist()
    return coverage.field_reach_polygons(s.claim_region.geometry, fn, radius, pad_deg=2.0)


def _uncovered(s, reach, catalog):
    """The parts of the claim's region out of ``reach`` (the claim base's, on legal routes) per figure:
    ``(band, geometry)`` pairs for maps, and their summary rows for the result."""
    from . import coverage

    region = s.claim_region
    places = []
    if catalog is not None:
        places = [(t.name, t.lon, t.lat) for ts in catalog.target_sets.values() for t in ts.targets]
    parts, summary = [], []
    for band, polygon in zip(BANDS, reach.polygons, strict=True):
        rest = coverage.uncovered_parts(region.geometry, polygon)
        if rest.area_m2 <= 0:
            continue
        parts.append((band, rest.geometry))
        where = coverage.describe_part(rest.parts[0][0], region.geometry, places, region.name).text
        summary.append(
            {
                "airframe": s.claim_airframe.id,
                "base": s.claim_base.label,
                "routes": "legal",
                "band": band,
                "share": rest.share,
                "area_km2": rest.area_m2 / 1e6,
                "where": where,
                "method": reach.resolution,
                "error_km": reach.error_m / 1000,
            }
        )
    return parts, summary


def _map_layers(s, spaces, catalog, claim=None):
    """Polygons for maps: the flyable (legal) reach of the claim's airframe from the claim base and the
    alternative for each published figure (and along their corridors), the uncovered parts of the region,
    and the closed airspace. ``claim`` is the claim base's legal reach with its uncovered parts and summary
    when already computed."""
    from dataclasses import replace

    from .routes import closed_airspace

    if claim is None:
        reach = _variant_reach(s, spaces, s.claim_base, "legal", s.routing)
        claim = (reach, *_uncovered(s, reach, catalog))
    layers = {"reach": [], "uncovered": claim[1], "uncovered_summary": claim[2]}
    if s.routing.active:
        layers["closed"] = closed_airspace(s.routing)
    shown = [s.claim_base, *([s.claim_alternative] if s.claim_alternative else [])]
    for k, base in enumerate(shown):
        variants = [("legal", s.routing)]
        corridor = _corridor_of(s, base)
        if corridor is not None:
            variants.append(("corridor", replace(s.routing, via=corridor.waypoints)))
        for name, rules in variants:
            reach = claim[0] if (k, name) == (0, "legal") else _variant_reach(s, spaces, base, name, rules)
            layers["reach"].append((base.label, name, k, reach))
    return layers
