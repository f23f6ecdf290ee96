"""Text and Markdown renderings of results, for people: numbers rounded by the precision policy
(``docs/precision.md``), sentences rather than codes, every text from data files escaped for Markdown."""

import math
import textwrap

from ..airframes import BANDS
from ..places import compass
from ..units import metres_to
from ..verdicts import REGION_VERDICTS, VERDICTS


def markdown_safe(text):
    """Escape a Markdown document's ``&``, ``<``, ``[`` and ``]`` so that text from data files (a name, a
    note) can inject neither HTML nor a link (``[x](javascript:...)``, ``[x]: url``) when the Markdown is
    rendered; rangecalc writes no Markdown links of its own. ``>`` alone opens no tag and stays. Data text
    has no line breaks (folded when read), so it cannot start a heading either."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("[", "\\[").replace("]", "\\]")


def fmt_number(value, precision=0, signed=False):
    """Format a number for people, with thousands separators; ``precision`` 0 is a real value (no
    decimals), not "default"."""
    if not math.isfinite(value):
        return "no route"
    sign = "+" if signed else ""
    return f"{value:{sign},.{precision}f}"


class Table:
    """Rows of cells under headings, rendered as aligned text or Markdown."""

    def __init__(self, headings, rows, numeric=()):
        self.headings = list(headings)
        self.rows = [list(map(str, r)) for r in rows]
        self.numeric = set(numeric)

    def render(self, fmt):
        """The table as 'table'/'text' (aligned) or 'md' (escaped for Markdown and HTML). CSV is data, not a
        rendering of this table: see :mod:`rangecalc.formats.csvdata`."""
        if fmt == "md":
            return markdown_safe(self.markdown())
        return self.text()

    def text(self):
        widths = [
            max(len(h), *(len(r[i]) for r in self.rows)) if self.rows else len(h)
            for i, h in enumerate(self.headings)
        ]

        def line(cells):
            parts = [
                c.rjust(w) if i in self.numeric else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            return "  ".join(parts).rstrip()

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([line(self.headings), rule, *(line(r) for r in self.rows)]) + "\n"

    def markdown(self):
        """Markdown table, not yet escaped for HTML (documents call :func:`markdown_safe` once, at the end)."""

        def line(cells):
            return "| " + " | ".join(" ".join(c.split()).replace("|", "\\|") for c in cells) + " |"

        align = ["---:" if i in self.numeric else "---" for i in range(len(self.headings))]
        return (
            "\n".join([line(self.headings), "| " + " | ".join(align) + " |", *(line(r) for r in self.rows)])
            + "\n"
        )


# --- distance ------------------------------------------------------------------------------------------


def distance_text(origin, destination, distance_m, azimuth1_deg, azimuth2_deg, model, unit, precision):
    model_name = "WGS84 ellipsoid" if model == "ellipsoid" else "sphere, R = 6,371.0 km"
    lines = [
        f"{origin.label} -> {destination.label}",
        f"distance:        {fmt_number(metres_to(distance_m, unit), precision)} {unit} ({model_name})",
        f"initial bearing: {azimuth1_deg % 360:.1f}°",
        f"final bearing:   {azimuth2_deg % 360:.1f}°",
    ]
    for place in (origin, destination):
        if place.note:
            lines.append(f"note: {place.note}")
    return "\n".join(lines) + "\n"


# --- reach ---------------------------------------------------------------------------------------------


def reach_table(result, unit, precision=0):
    """The per-target table of a reach result.

    Under routing rules it shows the direct distance and the flyable route's length; margins use the route.
    """
    routed = result.routing.active
    distance_headings = [f"direct {unit}", f"route {unit}"] if routed else [f"distance {unit}"]
    headings = ["target", *distance_headings, *(f"margin {b} {unit}" for b in BANDS), "verdict"]
    rows = []
    for row in result.targets:
        distances = [row.direct_m, row.distance_m] if routed else [row.distance_m]
        rows.append(
            [
                row.target.label,
                *(fmt_number(metres_to(d, unit), precision) for d in distances),
                *(fmt_number(metres_to(m, unit), precision, True) for m in row.margins_m),
                row.verdict_text if not row.no_route else f"{row.verdict_text} (no route)",
            ]
        )
    return Table(headings, rows, numeric=set(range(1, len(headings) - 1)))


def _summary_sentence(result):
    counts = result.counts()
    parts = [f"{n} {VERDICTS[code]}" for code, n in counts.items() if n]
    n = len(result.targets)
    return f"{n} target{'s' if n != 1 else ''}: " + "; ".join(parts) + "."


def _radius_line(result, unit, precision):
    values = " / ".join(fmt_number(metres_to(r, unit), precision) for r in result.radius_m)
    if result.payload is None:
        return f"combat radius low / nominal / high: {values} {unit}"
    return (
        f"combat radius at {fmt_number(result.payload.payload_kg)} kg payload, low / nominal / high: "
        f"{values} {unit} ({result.payload.method})"
    )


def _band_text(values_m, unit, precision, signed=False):
    return " / ".join(fmt_number(metres_to(v, unit), precision, signed) for v in values_m)


def farthest_text(region_result, unit, precision=0):
    """'32.388N, 36.373E (24 km SE of Daraa), 1,455 km from the nearest base'."""
    f = region_result.farthest
    where = f"{abs(f.lat):.3f}{'N' if f.lat >= 0 else 'S'}, {abs(f.lon):.3f}{'E' if f.lon >= 0 else 'W'}"
    if region_result.farthest_near:
        name, dist, bearing = region_result.farthest_near
        where += f" ({fmt_number(metres_to(dist, unit), precision)} {unit} {compass(bearing)} of {name})"
    if not math.isfinite(f.distance_m):
        return f"{where}: no flyable route reaches it"
    base = region_result.bases[f.nearest_base].label
    return f"{where}, {fmt_number(metres_to(f.distance_m, unit), precision)} {unit} from {base}"


def region_lines(region_result, unit, precision=0, md=False):
    """The region section of a reach report."""
    region = region_result.region
    brk = "  " if md else ""
    shares = " / ".join(f"{c.covered_share:.1%}" for c in region_result.coverage)
    return [
        f"{'## ' if md else ''}{region.name}: {region_result.verdict_text}",
        "",
        f"farthest point from the base: {farthest_text(region_result, unit, precision)}{brk}",
        f"  (the radius needed to cover all of {region.name}){brk}",
        f"covered share of its area, low / nominal / high radius: {shares}{brk}",
        f"margin at the farthest point, low / nominal / high: "
        f"{_band_text(region_result.margins_m, unit, precision, signed=True)} {unit}{brk}",
        f"method: {region_result.method}{brk}",
        f"outline: {region.source}; Natural Earth draws de facto borders (regions/NATURAL_EARTH.md){brk}",
        "",
    ]


def payload_lines(payload, md=False):
    """How the radius at a payload was obtained: method, calibration, assumptions."""
    bullet = "- " if md else "  "
    lines = [f"payload model: {payload.method}, calibrated on:"]
    for band, (p, r) in payload.calibration.items():
        lines.append(f"{bullet}{band}: {fmt_number(r)} km at {fmt_number(p)} kg")
    lines += [f"{bullet}{a}" for a in payload.assumptions]
    return lines


def reach_document(result, unit, fmt, precision=0):
    """The full ``reach`` report as text (``fmt`` 'table') or Markdown (``fmt`` 'md')."""
    base, airframe, radius = result.base, result.airframe, result.radius
    model = (
        "WGS84 ellipsoid geodesics"
        if result.model == "ellipsoid"
        else "spherical great circles (comparison only)"
    )
    where = f"{base.label} ({base.lat:.4f}, {base.lon:.4f})"
    subject = result.targets_label or (result.region.region.name if result.region else "")
    title = f"{airframe.name} from {where}: reach to {subject}"
    md = fmt == "md"
    brk = "  " if md else ""
    lines = [f"# {title}" if md else title, ""]
    lines.append(_radius_line(result, unit, precision) + brk)
    lines.append(f"published radius conditions: {radius.conditions}" + brk)
    if result.payload is not None:
        lines += payload_lines(result.payload, md)
    if radius.note:
        lines.append(
            textwrap.fill(
                f"note: {_first_sentence(radius.note)} (full note: rangecalc airframes {airframe.id})",
                100,
                subsequent_indent="  ",
            )
        )
    lines.append("")
    if result.region is not None:
        lines += region_lines(result.region, unit, precision, md)
    if result.targets:
        table = reach_table(result, unit, precision)
        lines.append(table.markdown() if md else table.text())
        lines.append(_summary_sentence(result))
    if result.routing.active:
        lines.append(
            f"Margin = combat radius minus the flyable route's length ({result.routing.describe()}; "
            f"{model}); positive means in reach. Without air refuelling."
        )
        for region in result.routing.avoid:
            reason = result.routing.reasons.get(region.id)
            if reason:
                lines.append(f"  {region.name} closed: {reason}")
    else:
        lines.append(
            f"Margin = combat radius minus the direct distance ({model}); positive means in reach. "
            "A verdict holds for the direct route, without air refuelling."
        )
    unc = max((t.position_uncertainty_m for t in result.targets), default=0.0)
    if unc:
        lines.append(
            f"Positions are uncertain by up to {fmt_number(metres_to(unc, unit), 1)} {unit} (base plus target)."
        )
    if base.note:
        lines.append(f"Note: {base.note}")
    lines.append("")
    lines += source_lines(result, md)
    text = "\n".join(lines) + "\n"
    return markdown_safe(text) if md else text


def _first_sentence(text):
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def source_lines(result, md=False):
    """Where the radius, the base position and the targets come from."""
    airframe, radius, base = result.airframe, result.radius, result.base
    bullet = "-" if md else " -"
    lines = ["## Sources" if md else "Sources (combat radius):"]
    for source in radius.sources:
        if source.reliability != "D":
            lines.append(f'{bullet} [{source.id}] {source.cite()}: "{source.states}"')
    recorded = [s.id for s in radius.sources if s.reliability == "D"]
    if recorded:
        lines.append(f"{bullet} also recorded, grade D (not used for the band): {', '.join(recorded)}")
    if result.payload is not None and result.payload.method == "mass-ratio model":
        masses = ("max_takeoff_mass_kg", "empty_mass_kg", "internal_fuel_kg")
        ids = sorted({s.id for k in masses for s in airframe.figure(k).sources})
        lines.append(f"{bullet} masses for the payload model: {', '.join(ids)}")
    lines.append(f"{bullet} figures: {airframe.origin}")
    if getattr(base.ref, "sources", None):
        cites = "; ".join(s.cite() for s in base.ref.sources)
        lines.append(f"{bullet} base position: {cites}")
    for credit in sorted({_credit(t.target) for t in result.targets} - {""}):
        lines.append(f"{bullet} targets: {credit}")
    return lines


def _credit(place):
    ref = place.ref
    if getattr(ref, "set_id", ""):
        credit = f": {ref.credit}" if ref.credit else ""
        return f"target set '{ref.set_id}'{credit}"
    if place.kind == "gazetteer":
        return f"cities: {ref.credit}"
    if place.kind == "geocoded" and getattr(ref, "credit", ""):
        return f"geocoded: {ref.credit}"
    return ""


# --- listings ------------------------------------------------------------------------------------------


def _band(figure, precision=0):
    values = " / ".join(fmt_number(v, precision) for v in (figure.low, figure.nominal, figure.high))
    return f"{values} {figure.unit}"


def airframes_table(airframes):
    """One row per airframe: id, name, combat radius and range bands, refuelling."""
    rows = []
    for a in airframes:
        rng = a.figure("range_km")
        rows.append(
            [
                a.id,
                a.name,
                _band(a.combat_radius),
                _band(rng) if rng else "-",
                "yes" if a.in_flight_refuelling else "no",
            ]
        )
    return Table(["id", "name", "combat radius low/nom/high", "range low/nom/high", "air refuelling"], rows)


def airframe_text(airframe, markdown=False):
    """Everything the file says about one airframe: figures with conditions, notes and sources."""
    from ..payload import model_summary

    h1, h2 = ("# ", "## ") if markdown else ("", "")
    lines = [f"{h1}{airframe.name} ({airframe.id})", ""]
    if airframe.aliases:
        lines.append(f"aliases: {', '.join(airframe.aliases)}")
    if airframe.role:
        lines.append(f"role: {airframe.role}")
    refuel = "yes" if airframe.in_flight_refuelling else "no"
    lines.append(f"in-flight refuelling: {refuel}. {airframe.refuelling_note}".rstrip())
    lines.append(f"file: {airframe.origin}")
    if airframe.notes:
        lines += ["", airframe.notes]
    lines += ["", f"{h2}Figures (low / nominal / high)", ""]
    for key, figure in airframe.figures.items():
        lines.append(f"{'- ' if markdown else ''}{key}: {_band(figure)}")
        lines.append(f"    conditions: {figure.conditions}")
        if figure.reference_payload_kg is not None:
            lines.append(f"    reference payload: {fmt_number(figure.reference_payload_kg)} kg")
        if figure.note:
            lines.append(f"    note: {figure.note}")
        lines.append(f"    sources: {', '.join(s.id for s in figure.sources)}")
    if airframe.payload_radius:
        lines += ["", f"{h2}Published payload / combat radius pairs", ""]
        for pair in airframe.payload_radius:
            band = " / ".join(fmt_number(v) for v in pair.combat_radius_km)
            lines.append(
                f"- {fmt_number(pair.payload_kg)} kg: {band} km ({', '.join(s.id for s in pair.sources)})"
            )
    lines += ["", f"{h2}Payload model", ""]
    model = model_summary(airframe)
    if not model["available"]:
        lines.append(f"none: {model['reason']}")
    else:
        for band, cal in model["calibration"].items():
            lines.append(
                f"- {band} calibrated on {fmt_number(cal['combat_radius_km'])} km at {fmt_number(cal['payload_kg'])} kg"
            )
        lines += [f"- {a}" for a in model["assumptions"]]
        lines.append("")
        rows = [
            [
                fmt_number(row["payload_kg"]),
                *(fmt_number(v) for v in row["combat_radius_km"].values()),
                row["method"],
            ]
            for row in model["table"]
        ]
        table = Table(
            ["payload kg", "radius low km", "radius nominal km", "radius high km", "method"],
            rows,
            {0, 1, 2, 3},
        )
        lines.append(table.markdown() if markdown else table.text())
    lines += ["", f"{h2}Sources", ""]
    for source in airframe.sources.values():
        lines.append(f"- [{source.id}] {source.cite()}")
        lines.append(f"    states: {source.states}")
        if source.conditions:
            lines.append(f"    conditions: {source.conditions}")
    text = "\n".join(lines) + "\n"
    return markdown_safe(text) if markdown else text


def bases_table(bases):
    """One row per base: id, name, position, codes, country, runway, uncertainty."""
    rows = [
        [
            b.id,
            b.name,
            f"{b.lat:.4f}",
            f"{b.lon:.4f}",
            b.icao or "-",
            b.country,
            fmt_number(b.runway_length_m) if b.runway_length_m else "-",
            fmt_number(b.position_uncertainty_m),
        ]
        for b in bases
    ]
    return Table(
        ["id", "name", "lat", "lon", "ICAO", "country", "runway m", "uncertainty m"],
        rows,
        numeric={2, 3, 6, 7},
    )


def base_text(base, markdown=False):
    """Everything the file says about one base, as text or Markdown."""
    lines = [f"{'# ' if markdown else ''}{base.name} ({base.id})", ""]
    lines.append(
        f"position: {base.lat:.5f}, {base.lon:.5f} (lat, lon; WGS84), uncertain by about {fmt_number(base.position_uncertainty_m)} m"
    )
    if base.aliases:
        lines.append(f"aliases: {', '.join(base.aliases)}")
    codes = [f"ICAO {base.icao}"] if base.icao else []
    codes += [f"IATA {base.iata}"] if base.iata else []
    codes += [f"{kind} {code} (not ICAO)" for kind, code in base.other_codes.items()]
    if codes:
        lines.append(f"codes: {', '.join(codes)}")
    lines.append(f"country: {base.country}")
    if base.runway_length_m:
        lines.append(f"longest runway: {fmt_number(base.runway_length_m)} m")
    lines += [f"field elevation: {fmt_number(base.elevation_m)} m"] if base.elevation_m is not None else []
    lines.append(f"file: {base.origin}")
    if base.notes:
        lines += ["", base.notes]
    if markdown:  # the facts as a list, so that Markdown does not run them into one paragraph
        lines[2:] = [f"- {line}" if line and line != base.notes else line for line in lines[2:]]
    lines += ["", "## Sources", ""] if markdown else ["", "Sources:"]
    for source in base.sources:
        lines.append(f"{'-' if markdown else ' -'} {source.cite()}: {source.states}")
    text = "\n".join(lines) + "\n"
    return markdown_safe(text) if markdown else text


# --- compare and table ---------------------------------------------------------------------------------


def fmt_duration(seconds):
    """'1:06' (hours:minutes), rounded to the minute; 'no route' when not finite."""
    if not math.isfinite(seconds):
        return "no route"
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def _margins_cell(margins_m, unit, precision):
    return " / ".join(fmt_number(metres_to(m, unit), precision, True) for m in margins_m)


def compare_table(comparison, unit, precision=0):
    """Side-by-side table: per target, each base's distance, margins and times, then the winner."""
    routed = comparison.routing.active
    headings = ["target"]
    for base in comparison.bases:
        headings += (
            [f"{base.label} direct {unit}", f"{base.label} route {unit}"]
            if routed
            else [f"{base.label} {unit}"]
        )
        headings += [f"{base.label} margin low/nom/high {unit}", f"{base.label} time 1-way/return"]
    several = len(comparison.bases) > 1
    if several:
        headings += ["nearest base", f"by {unit}", "by %", "saves min (1-way)"]
    rows = []
    for row in comparison.targets:
        cells = [row.target.label]
        for i in range(len(comparison.bases)):
            if routed:
                cells.append(fmt_number(metres_to(row.direct_m[i], unit), precision))
            cells.append(fmt_number(metres_to(row.distance_m[i], unit), precision))
            one_way = None if row.one_way_s is None else row.one_way_s[i, 1]
            cells.append(_margins_cell(row.margins_m[i], unit, precision))
            cells.append("-" if one_way is None else f"{fmt_duration(one_way)} / {fmt_duration(2 * one_way)}")
        if several:
            saved = row.time_saved_s
            blank = "-"
            cells += [
                blank if row.best is None else comparison.bases[row.best].label,
                blank if row.advantage_m is None else fmt_number(metres_to(row.advantage_m, unit), precision),
                blank if row.advantage_share is None else f"{100 * row.advantage_share:.1f}",
                blank if saved is None else fmt_number(saved / 60, 0),
            ]
        rows.append(cells)
    numeric = {
        i for i, h in enumerate(headings) if h.endswith((f" {unit}", " min")) or h.startswith(("by", "saves"))
    }
    return Table(headings, rows, numeric=numeric)


def compare_document(comparison, unit, fmt, precision=0):
    """The ``compare`` report as text (``fmt`` 'table') or Markdown (``fmt`` 'md')."""
    md = fmt == "md"
    brk = "  " if md else ""
    airframe = comparison.airframe
    names = " vs ".join(b.label for b in comparison.bases)
    lines = [f"{'# ' if md else ''}{airframe.name}: {names}", ""]
    radius = " / ".join(fmt_number(metres_to(r, unit), precision) for r in comparison.radius_m)
    payload = f" at {fmt_number(comparison.payload.payload_kg)} kg payload" if comparison.payload else ""
    lines.append(f"combat radius{payload}, low / nominal / high: {radius} {unit}{brk}")
    if comparison.speed_mps is not None:
        speeds = " / ".join(fmt_number(v * 3.6) for v in comparison.speed_mps)
        lines.append(f"cruise speed low / nominal / high: {speeds} km/h (times at nominal){brk}")
    else:
        lines.append(f"no cruise speed in {airframe.origin}: no flight times{brk}")
    if comparison.payload is not None:
        lines += payload_lines(comparison.payload, md)
    lines.append("")
    if comparison.targets:
        table = compare_table(comparison, unit, precision)
        lines.append(table.markdown() if md else table.text())
        measured = (
            f"the flyable route's length ({comparison.routing.describe()})"
            if comparison.routing.active
            else "the direct geodesic distance"
        )
        lines.append(
            f"Margins are radius minus {measured}; 'by' is how much nearer the nearest base is than the next "
            "one; times are at nominal cruise speed."
        )
        lines.append("")
    for region_result in comparison.regions:
        base = region_result.bases[0].label
        shares = " / ".join(f"{c.covered_share:.1%}" for c in region_result.coverage)
        lines.append(
            f"{'## ' if md else ''}{region_result.region.name} from {base}: {region_result.verdict_text}"
        )
        lines.append(f"  covered share low / nominal / high: {shares}{brk}")
        lines.append(f"  farthest point: {farthest_text(region_result, unit, precision)}{brk}")
        lines.append("")
    if comparison.nearest_shares is not None:
        parts = ", ".join(
            f"{b.label} {s:.0%}" for b, s in zip(comparison.bases, comparison.nearest_shares, strict=True)
        )
        lines.append(f"Nearest base by share of {comparison.regions[0].region.name}'s area: {parts}.")
        lines.append("")
    lines.append(f"figures: {airframe.origin}; sources: rangecalc airframes {airframe.id}")
    text = "\n".join(lines) + "\n"
    return markdown_safe(text) if md else text


def table_rows_table(rows, unit, precision=0, routed=False):
    """A reach table (``rangecalc table``) as a :class:`Table`; ``routed`` adds the direct distance beside
    the flyable one (the distance column is then the route's length, or the farthest point's for a region)."""
    distance = [f"direct {unit}", f"route {unit}"] if routed else [f"distance {unit}"]
    headings = ["airframe", "base", "target or region", *distance, *(f"radius {b} {unit}" for b in BANDS)]
    headings += [*(f"margin {b} {unit}" for b in BANDS), "covered low/nom/high", "verdict"]
    out = []
    for row in rows:
        if row.status == "error":
            blanks = ["-"] * (len(headings) - 4)
            out.append(
                [row.airframe.id, row.base.label, row.subject, *blanks, f"not evaluated: {row.reason}"]
            )
            continue
        covered = "-" if row.covered_share is None else " / ".join(f"{s:.1%}" for s in row.covered_share)
        direct = []
        if routed:
            direct = ["-" if row.direct_m is None else fmt_number(metres_to(row.direct_m, unit), precision)]
        out.append(
            [
                row.airframe.id,
                row.base.label,
                row.subject,
                *direct,
                fmt_number(metres_to(row.distance_m, unit), precision),
                *(fmt_number(metres_to(r, unit), precision) for r in row.radius_m),
                *(fmt_number(metres_to(m, unit), precision, True) for m in row.margins_m),
                covered,
                VERDICTS[row.verdict] if row.kind == "target" else region_verdict_text(row),
            ]
        )
    return Table(headings, out, numeric=set(range(3, len(headings) - 2)))


def region_verdict_text(row):
    return REGION_VERDICTS[row.verdict].format(region=row.subject)


def route_document(start, end, route, routing, unit, precision=0):
    """The ``route`` report as text: length, detour, legs, countries crossed."""
    n = lambda m: f"{fmt_number(metres_to(m, unit), precision)} {unit}"  # noqa: E731
    lines = [
        f"{start.label} -> {end.label}: {routing.describe()}",
        "",
        f"route length:  {n(route.length_m)}",
        f"direct:        {n(route.direct_m)}",
        f"detour:        {n(route.detour_m)} ({100 * route.detour_m / route.direct_m:.1f} %)"
        if route.direct_m
        else "",
        "",
        "legs:",
    ]
    for k, leg in enumerate(route.legs):
        lines.append(f"  {k + 1}. {n(leg.length_m)} through {len(leg.lons) - 2} turning points")
    if route.countries:
        lines += ["", "over each country (in order of first crossing):"]
        for _, name, metres in route.countries:
            lines.append(f"  {name}: {n(metres)}")
    lines += ["", "turning points (lat, lon):"]
    lines += [f"  {lat:.4f}, {lon:.4f}" for lon, lat in zip(route.lons, route.lats, strict=True)]
    for region in routing.avoid:
        reason = routing.reasons.get(region.id)
        if reason:
            lines.append(f"{region.name} closed: {reason}")
    lines += [f"note: {note}" for note in route.notes]
    return "\n".join(line for line in lines) + "\n"
