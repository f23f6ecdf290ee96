"""Scenarios and claims: a documented question, answered from the data with margins, on flyable routes.

A scenario file (``scenarios/<id>.toml``, format in ``docs/scenarios.md``) names a claim (quoted, with
its source), the airframes, bases, regions and targets in scope, the airspace closed at the time (each
country with its reason and source), and the payload cases. :func:`evaluate` computes, for every airframe
x base x payload, the region coverage and target margins both on direct geodesics and on flyable routes,
plus flight times; :func:`conclusions` turns those numbers into sentences.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import coverage, geodesy
from .data import _Checker, read_toml
from .errors import DataError, NotFoundError, UsageError
from .places import Place, _suggest, resolve_place
from .reach import _flyable_field, classify, radius_band
from .regions import resolve_region
from .routes import NoRouteError, Routing

DEFAULT_SCENARIO = "hamadan-2016"
#: Margins smaller than this share of the distance are reported as ties (1:50m borders, route method).
TIE_SHARE = 0.01


@dataclass(frozen=True)
class PayloadCase:
    name: str
    payload_kg: float | None  # None: the published radius, no payload model
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    """A parsed, validated scenario file."""

    id: str
    title: str
    question: str
    claim_text: str
    claim_source: str
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
    closed_sources: dict
    payloads: tuple[PayloadCase, ...]
    origin: str = ""


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


def load_scenario(name, catalog):
    """Read and validate a scenario; every name in it must resolve (errors name the file and key)."""
    path = scenario_path(name, catalog)
    doc = read_toml(path)
    check = _Checker(path)
    check.unknown_keys(doc, {"id", "title", "question", "claim", "scope", "airspace", "payloads"}, "")

    def resolve(key, fn):
        try:
            return fn()
        except UsageError as exc:
            raise DataError(f"{path}: {key}: {exc}") from None

    claim = check.get(doc, "claim", (dict,), "")
    check.unknown_keys(claim, {"text", "source", "airframe", "base", "alternative", "region"}, "claim")
    scope = check.get(doc, "scope", (dict,), "")
    check.unknown_keys(scope, {"airframes", "bases", "regions", "targets", "targets_note"}, "scope")
    airframes = tuple(
        resolve(f"scope.airframes[{i}]", lambda a=a: catalog.airframe(a))
        for i, a in enumerate(check.strings(scope, "airframes", "scope"))
    )
    bases = tuple(
        resolve(f"scope.bases[{i}]", lambda b=b: resolve_place(b, catalog))
        for i, b in enumerate(check.strings(scope, "bases", "scope"))
    )
    regions = tuple(
        resolve(f"scope.regions[{i}]", lambda r=r: resolve_region(r, catalog))
        for i, r in enumerate(check.strings(scope, "regions", "scope"))
    )
    targets = tuple(
        resolve(f"scope.targets[{i}]", lambda t=t: resolve_place(t, catalog))
        for i, t in enumerate(check.strings(scope, "targets", "scope"))
    )
    # The same entry written twice (an id and an alias) is kept once.
    airframes = tuple({a.id: a for a in airframes}.values())
    bases = tuple({(round(b.lon, 6), round(b.lat, 6)): b for b in bases}.values())
    regions = tuple({r.id: r for r in regions}.values())
    targets = tuple({(round(t.lon, 6), round(t.lat, 6)): t for t in targets}.values())
    if not airframes or not bases or not (regions or targets):
        check.fail("scope", "needs airframes, bases, and regions or targets")
    claim_airframe = resolve(
        "claim.airframe", lambda: catalog.airframe(check.text(claim, "airframe", "claim"))
    )
    claim_base = resolve("claim.base", lambda: resolve_place(check.text(claim, "base", "claim"), catalog))
    alternative_text = check.get(claim, "alternative", (str,), "claim", required=False)
    alternative = (
        resolve("claim.alternative", lambda: resolve_place(alternative_text, catalog))
        if alternative_text
        else None
    )
    claim_region = resolve(
        "claim.region", lambda: resolve_region(check.text(claim, "region", "claim"), catalog)
    )
    if claim_airframe.id not in {a.id for a in airframes}:
        check.fail("claim.airframe", f"{claim_airframe.id!r} is not in scope.airframes")
    for key, place in (("claim.base", claim_base), ("claim.alternative", alternative)):
        if place is not None and (place.lon, place.lat) not in {(b.lon, b.lat) for b in bases}:
            check.fail(key, f"{place.label!r} is not in scope.bases")
    if claim_region.id not in {r.id for r in regions}:
        check.fail("claim.region", f"{claim_region.id!r} is not in scope.regions")

    airspace = check.get(doc, "airspace", (dict,), "", required=False, default={})
    check.unknown_keys(airspace, {"closed", "standoff_km"}, "airspace")
    standoff_km = check.number(airspace, "standoff_km", "airspace", required=False) or 0.0
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
        source_table = check.get(entry, "source", (dict,), where)
        sources[region.id] = check.source(
            source_table, f"{where}.source", f"closed-{region.id}", graded=False
        )
    payloads = [PayloadCase("published", None, "the published combat radius, load not stated")]
    for i, entry in enumerate(check.get(doc, "payloads", (list,), "", required=False, default=[])):
        where = f"payloads[{i}]"
        if not isinstance(entry, dict):
            check.fail(where, "must be a table with name, payload_kg and note")
        check.unknown_keys(entry, {"name", "payload_kg", "note"}, where)
        if entry.get("name") in {p.name for p in payloads}:
            check.fail(
                f"{where}.name", f"{entry.get('name')!r} is used twice ('published' is the published radius)"
            )
        payloads.append(
            PayloadCase(
                check.text(entry, "name", where),
                check.number(entry, "payload_kg", where, maximum=1e6),
                check.text(entry, "note", where, required=False),
            )
        )
    return Scenario(
        id=check.ident(doc, "id", ""),
        title=check.text(doc, "title", ""),
        question=check.text(doc, "question", ""),
        claim_text=check.text(claim, "text", "claim"),
        claim_source=check.text(claim, "source", "claim"),
        claim_airframe=claim_airframe,
        claim_base=claim_base,
        claim_alternative=alternative,
        claim_region=claim_region,
        airframes=airframes,
        bases=bases,
        regions=regions,
        targets=targets,
        targets_note=check.text(scope, "targets_note", "scope", required=False),
        routing=Routing(tuple(closed), (), standoff_km * 1000.0, reasons),
        closed_sources=sources,
        payloads=tuple(payloads),
        origin=str(path),
    )


@dataclass(frozen=True)
class RegionCase:
    """One airframe x base x payload over a region, on direct and on flyable routes."""

    airframe: object
    base: Place
    payload: PayloadCase
    radius_m: tuple | None  # None when the payload case does not apply (note says why)
    note: str
    region: object
    direct_far_m: float
    flyable_far_m: float
    direct_share: tuple
    flyable_share: tuple
    flyable_far_point: tuple  # (lon, lat)

    def verdict(self, flyable=True):
        far = self.flyable_far_m if flyable else self.direct_far_m
        return str(classify(np.asarray(self.radius_m) - far))


@dataclass(frozen=True)
class TargetCase:
    """One airframe x base x payload x target."""

    airframe: object
    base: Place
    payload: PayloadCase
    target: Place
    radius_m: tuple | None
    direct_m: float
    flyable_m: float
    speed_mps: tuple | None

    @property
    def margins_m(self):
        return tuple(r - self.flyable_m for r in self.radius_m)

    @property
    def verdict(self):
        return str(classify(np.asarray(self.margins_m)))


@dataclass(frozen=True)
class ClaimResult:
    scenario: Scenario
    regions: tuple[RegionCase, ...]
    targets: tuple[TargetCase, ...]
    resolution: dict = field(default_factory=dict)  # region id -> how the flyable coverage was sampled
    # Each closed country re-opened in turn: (its name, farthest flyable distance of the claim's region
    # from the claim's base in metres, the claim airframe's verdict per payload case name).
    sensitivity: tuple = ()
    routes: dict = field(default_factory=dict)  # (base label, target label) -> flyable Route


def _radius(airframe, case):
    """Radius band for a payload case, or (None, why) when the case does not apply to this airframe."""
    try:
        band, _ = radius_band(airframe, case.payload_kg)
        return tuple(float(r) for r in band), ""
    except UsageError as exc:
        limit = airframe.figure("max_payload_kg")
        if limit is not None and case.payload_kg > limit.nominal:
            return None, f"above its maximum payload ({limit.nominal / 1000:g} t)"
        missing = [
            k
            for k in ("max_takeoff_mass_kg", "empty_mass_kg", "internal_fuel_kg")
            if airframe.figure(k) is None
        ]
        if missing:
            return None, f"no payload model (its file lacks {', '.join(missing)})"
        return None, str(exc)


def evaluate(scenario):
    """Compute every case of a scenario (see :class:`ClaimResult`).

    A base inside the scenario's closed airspace is a data error naming the scenario file.
    """
    try:
        return _evaluate(scenario)
    except NoRouteError as exc:
        raise DataError(f"{scenario.origin}: scope.bases: {exc}") from None


def _evaluate(scenario):
    routing = scenario.routing
    points = [(b.lon, b.lat) for b in scenario.bases] + [(t.lon, t.lat) for t in scenario.targets]
    points += [
        (r.geometry.representative_point().x, r.geometry.representative_point().y) for r in scenario.regions
    ]
    space = routing.airspace(points)
    bands = {(a.id, case.name): _radius(a, case) for a in scenario.airframes for case in scenario.payloads}
    region_cases, resolution = [], {}
    for region in scenario.regions:
        for base in scenario.bases:
            lons, lats = np.array([base.lon]), np.array([base.lat])
            radii = [r for r, _ in bands.values() if r is not None]
            flat = [x for r in radii for x in r]
            direct_covers = [coverage.coverage(region.geometry, lons, lats, r) for r in flat]
            direct_far = coverage.farthest_point(region.geometry, lons, lats)

            field_fn = _flyable_field([base], routing, space)
            covers, far, method = coverage.field_coverage(region.geometry, field_fn, flat)
            resolution[region.id] = method
            k = 0
            for airframe in scenario.airframes:
                for case in scenario.payloads:
                    radius, note = bands[(airframe.id, case.name)]
                    if radius is None:
                        region_cases.append(
                            RegionCase(
                                airframe,
                                base,
                                case,
                                None,
                                note,
                                region,
                                direct_far.distance_m,
                                far.distance_m,
                                (),
                                (),
                                (far.lon, far.lat),
                            )
                        )
                        continue
                    region_cases.append(
                        RegionCase(
                            airframe,
                            base,
                            case,
                            radius,
                            "",
                            region,
                            direct_far.distance_m,
                            far.distance_m,
                            tuple(c.covered_share for c in direct_covers[k : k + 3]),
                            tuple(c.covered_share for c in covers[k : k + 3]),
                            (far.lon, far.lat),
                        )
                    )
                    k += 3
    target_cases, routes = [], {}
    for base in scenario.bases:
        flyable = {}
        for target in scenario.targets:
            try:
                route = space.route((base.lon, base.lat), (target.lon, target.lat))
                flyable[target.label] = route.length_m
                routes[(base.label, target.label)] = route
            except NoRouteError:
                flyable[target.label] = math.inf
        direct = {
            t.label: float(geodesy.distance(base.lon, base.lat, t.lon, t.lat)) for t in scenario.targets
        }
        for airframe in scenario.airframes:
            speed = airframe.figure("cruise_speed_kmh")
            speed_mps = tuple(speed.values_si().tolist()) if speed else None
            for case in scenario.payloads:
                radius, _ = bands[(airframe.id, case.name)]
                if radius is None:
                    continue
                for target in scenario.targets:
                    target_cases.append(
                        TargetCase(
                            airframe,
                            base,
                            case,
                            target,
                            radius,
                            direct[target.label],
                            flyable[target.label],
                            speed_mps,
                        )
                    )
    return ClaimResult(
        scenario,
        tuple(region_cases),
        tuple(target_cases),
        resolution,
        _sensitivity(scenario, bands, points),
        routes,
    )


def _sensitivity(scenario, bands, points):
    """Re-open each closed country in turn: how far is the claim region's farthest point then?"""
    out = []
    base, region = scenario.claim_base, scenario.claim_region
    for opened in scenario.routing.avoid:
        rest = tuple(r for r in scenario.routing.avoid if r.id != opened.id)
        routing = Routing(rest, (), scenario.routing.standoff_m)
        space = routing.airspace(points)

        field_fn = _flyable_field([base], routing, space)
        _, far, _ = coverage.field_coverage(region.geometry, field_fn, [], n_points=5000)
        verdicts = {}
        for case in scenario.payloads:
            radius, _ = bands[(scenario.claim_airframe.id, case.name)]
            if radius is not None:
                verdicts[case.name] = str(classify(np.asarray(radius) - far.distance_m))
        out.append((opened.name, far.distance_m, verdicts))
    return tuple(out)


def _same(a, b):
    """Two resolved places are the same when they are at the same point (names and aliases may differ)."""
    return b is not None and (round(a.lon, 6), round(a.lat, 6)) == (round(b.lon, 6), round(b.lat, 6))


def _km(metres):
    return f"{metres / 1000:,.0f} km" if math.isfinite(metres) else "unreachable (no flyable route)"


def covering_figures(radius_m, distance_m):
    """Which figures of a band reach ``distance_m``: 'every figure', 'the nominal and high figures', ..."""
    names = [b for b, r in zip(("low", "nominal", "high"), radius_m, strict=True) if r >= distance_m]
    if len(names) == 3:
        return "under every figure"
    if not names:
        return "under no figure"
    return "only under the " + " and ".join(names) + (" figures" if len(names) > 1 else " figure")


def verdict_code(overall):
    """'supported', 'uncertain', 'not_supported' or 'cannot_be_assessed', from a conclusion's verdict."""
    for code in ("cannot_be_assessed", "not_supported", "supported", "uncertain"):
        if overall.lower().replace(" ", "_").startswith(code):
            return code
    raise ValueError(f"no verdict in {overall!r}")


def conclusions(result):
    """Sentences written from the computed numbers (they change when the inputs change)."""
    s = result.scenario
    lines = []
    claimed = [
        c
        for c in result.regions
        if c.airframe.id == s.claim_airframe.id
        and _same(c.base, s.claim_base)
        and c.region.id == s.claim_region.id
    ]
    avoided = ", ".join(r.name for r in s.routing.avoid)
    flyable_words = f"routes avoiding {avoided}" if avoided else "flyable routes (no airspace closed)"
    for case in claimed:
        if case.radius_m is None:
            lines.append(
                f"At the {case.payload.name} load the {s.claim_airframe.name} cannot be assessed: {case.note}."
            )
            continue
        band = " / ".join(f"{r / 1000:,.0f}" for r in case.radius_m)
        load = (
            "published radius"
            if case.payload.payload_kg is None
            else f"{case.payload.payload_kg / 1000:g} t load"
        )
        lines.append(
            f"{s.claim_airframe.name} from {s.claim_base.label}, {load} (radius low / nominal / high {band} km): "
            f"on direct great-circle routes the farthest point of {case.region.name} is {_km(case.direct_far_m)} away, "
            f"reached {covering_figures(case.radius_m, case.direct_far_m)}; on {flyable_words} it is "
            f"{_km(case.flyable_far_m)} away, reached "
            f"{covering_figures(case.radius_m, case.flyable_far_m)} "
            f"(share of {case.region.name} covered: {' / '.join(f'{x:.1%}' for x in case.flyable_share)})."
        )
    ties = sorted(
        {
            (band, round((r - c.flyable_far_m) / 1000))
            for c in claimed
            if c.radius_m is not None and math.isfinite(c.flyable_far_m)
            for band, r in zip(("low", "nominal", "high"), c.radius_m, strict=True)
            if abs(r - c.flyable_far_m) < TIE_SHARE * c.flyable_far_m
        }
    )
    if ties:
        parts = ", ".join(f"{band} {km:+,} km" for band, km in ties)
        lines.append(
            f"Too close to call: margins at the farthest point ({parts}) are within {TIE_SHARE:.0%} of the distance, "
            "the size of the uncertainty from 1:50m borders, unknown routing details and the route method; "
            "treat them as ties."
        )
    claimed_bands = {c.payload.name: c.radius_m for c in claimed if c.radius_m is not None}
    for name, far_m, _ in result.sensitivity:
        parts = "; ".join(
            f"at the {load} load {covering_figures(r, far_m)}" for load, r in claimed_bands.items()
        )
        lines.append(
            f"Sensitivity: with {name} open, the farthest point of {s.claim_region.name} from {s.claim_base.label} "
            f"would be {_km(far_m)} away: reached {parts}."
        )
    flyable_verdicts = {c.verdict(True) for c in claimed if c.radius_m is not None}
    if not flyable_verdicts:
        overall = f"CANNOT BE ASSESSED: no load case applies to the {s.claim_airframe.name} (see the notes)."
    elif flyable_verdicts == {"in_reach"}:
        overall = "SUPPORTED: on flyable routes the reach covers the whole region under every figure (published, or modelled at the loads considered)."
    elif "out_of_reach" in flyable_verdicts:
        failing = [
            c.payload.name for c in claimed if c.radius_m is not None and c.verdict(True) == "out_of_reach"
        ]
        overall = f"NOT SUPPORTED at the {', '.join(failing)} load(s): on flyable routes no radius (published, or modelled at that load) covers the whole region."
    else:
        failing = [
            c.payload.name for c in claimed if c.radius_m is not None and c.verdict(True) != "in_reach"
        ]
        overall = (
            "UNCERTAIN: on flyable routes the claim holds only under the more generous radii "
            f"(at the {', '.join(failing)} load(s)); it rests on which figure one believes."
        )
    if s.claim_alternative is not None:
        alt = [
            c
            for c in result.regions
            if c.airframe.id == s.claim_airframe.id
            and _same(c.base, s.claim_alternative)
            and c.region.id == s.claim_region.id
            and c.radius_m is not None
        ]
        base_cases = {c.payload.name: c for c in claimed if c.radius_m is not None}
        for case in alt:
            other = base_cases.get(case.payload.name)
            if other is None:
                continue
            reach_words = covering_figures(case.radius_m, case.flyable_far_m)
            if not (math.isfinite(case.flyable_far_m) and math.isfinite(other.flyable_far_m)):
                lines.append(
                    f"From {s.claim_alternative.label} the farthest point of {case.region.name} is "
                    f"{_km(case.flyable_far_m)}; from {s.claim_base.label} it is {_km(other.flyable_far_m)}."
                )
            else:
                saved = other.flyable_far_m - case.flyable_far_m
                nearer = "nearer" if saved >= 0 else "farther"
                lines.append(
                    f"From {s.claim_alternative.label} the farthest point of {case.region.name} is "
                    f"{_km(case.flyable_far_m)} away on flyable routes, {_km(abs(saved))} "
                    f"({abs(saved) / other.flyable_far_m:.0%}) {nearer} than from {s.claim_base.label}: reached "
                    f"{reach_words} ({case.payload.name} load)."
                )
            break
        times = []
        for t in s.targets:
            pair = [
                c
                for c in result.targets
                if c.airframe.id == s.claim_airframe.id
                and c.payload.payload_kg is None
                and c.target.label == t.label
                and (_same(c.base, s.claim_base) or _same(c.base, s.claim_alternative))
            ]
            if len(pair) == 2 and pair[0].speed_mps and all(math.isfinite(c.flyable_m) for c in pair):
                a, b = sorted(pair, key=lambda c: not _same(c.base, s.claim_base))
                minutes = (a.flyable_m - b.flyable_m) / a.speed_mps[1] / 60
                times.append((t.label, a.flyable_m, b.flyable_m, minutes))
        if times:
            parts = [
                f"{name} {_km(x)} vs {_km(y)} ({'saves' if m >= 0 else 'costs'} {abs(2 * m):.0f} min per round trip)"
                for name, x, y, m in times
            ]
            lines.append(
                f"Flyable distance from {s.claim_base.label} vs {s.claim_alternative.label}: "
                + "; ".join(parts)
                + "."
            )
    return overall, lines
