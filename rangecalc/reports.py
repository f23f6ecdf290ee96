"""Turn results into tables and documents: plain text, Markdown, CSV and JSON-ready dicts.

This is where units are converted for people: results arrive in metres and leave in ``unit`` (km, nm or
mi), with the unit named in every JSON key and column heading. Text from data files is passed through
as text; Markdown cells escape ``|``.
"""

import csv
import io
import textwrap

from .airframes import BANDS
from .reach import VERDICTS
from .units import metres_to

DISTANCE_SCHEMA = "rangecalc/distance/1"
REACH_SCHEMA = "rangecalc/reach/1"


def fmt_number(value, precision=0, signed=False, grouping=True):
    """Format a number, with thousands separators unless ``grouping`` is False (for CSV).

    ``precision`` 0 is a real value (no decimals), not "default".
    """
    sign = "+" if signed else ""
    group = "," if grouping else ""
    return f"{value:{sign}{group}.{precision}f}"


class Table:
    """Rows of cells under headings, rendered as aligned text, Markdown or CSV."""

    def __init__(self, headings, rows, numeric=()):
        self.headings = list(headings)
        self.rows = [list(map(str, r)) for r in rows]
        self.numeric = set(numeric)

    def render(self, fmt):
        return {"table": self.text, "text": self.text, "md": self.markdown, "csv": self.csv}[fmt]()

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
        def line(cells):
            return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

        align = ["---:" if i in self.numeric else "---" for i in range(len(self.headings))]
        return (
            "\n".join([line(self.headings), "| " + " | ".join(align) + " |", *(line(r) for r in self.rows)])
            + "\n"
        )

    def csv(self):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.headings)
        writer.writerows(self.rows)
        return buffer.getvalue()


# --- distance ------------------------------------------------------------------------------------------


def distance_dict(origin, destination, distance_m, azimuth1_deg, azimuth2_deg, model, unit):
    """JSON-ready result of ``rangecalc distance`` (schema ``rangecalc/distance/1``)."""
    return {
        "schema": DISTANCE_SCHEMA,
        "model": model,
        "from": origin.as_dict(),
        "to": destination.as_dict(),
        f"distance_{unit}": metres_to(distance_m, unit),
        "initial_bearing_deg": azimuth1_deg,
        "final_bearing_deg": azimuth2_deg,
    }


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


def _source_dict(source):
    return source.as_dict()


def reach_dict(result, unit):
    """JSON-ready result of ``rangecalc reach`` (schema ``rangecalc/reach/1``, see docs/json.md)."""
    radius = result.radius
    return {
        "schema": REACH_SCHEMA,
        "model": result.model,
        "distance_unit": unit,
        "airframe": {"id": result.airframe.id, "name": result.airframe.name, "file": result.airframe.origin},
        "base": result.base.as_dict(),
        "combat_radius": {
            **{f"{band}_{unit}": metres_to(r, unit) for band, r in zip(BANDS, result.radius_m, strict=True)},
            "conditions": radius.conditions,
            "note": radius.note,
            "sources": [_source_dict(s) for s in radius.sources],
        },
        "targets_label": result.targets_label,
        "targets": [
            {
                **row.target.as_dict(),
                f"distance_{unit}": metres_to(row.distance_m, unit),
                "initial_bearing_deg": row.initial_azimuth_deg,
                f"position_uncertainty_{unit}": metres_to(row.position_uncertainty_m, unit),
                **{
                    f"margin_{band}_{unit}": metres_to(m, unit)
                    for band, m in zip(BANDS, row.margins_m, strict=True)
                },
                "verdict": row.verdict,
                "verdict_text": row.verdict_text,
            }
            for row in result.targets
        ],
        "summary": result.counts(),
    }


def reach_table(result, unit, precision=0, grouping=True):
    """The per-target table of a reach result (``grouping`` False for machine-read CSV)."""
    headings = ["target", f"distance {unit}", *(f"margin {b} {unit}" for b in BANDS), "verdict"]
    rows = [
        [
            row.target.label,
            fmt_number(metres_to(row.distance_m, unit), precision, grouping=grouping),
            *(fmt_number(metres_to(m, unit), precision, True, grouping) for m in row.margins_m),
            row.verdict_text,
        ]
        for row in result.targets
    ]
    return Table(headings, rows, numeric={1, 2, 3, 4})


def _summary_sentence(result):
    counts = result.counts()
    parts = [f"{n} {VERDICTS[code]}" for code, n in counts.items() if n]
    return f"{len(result.targets)} targets: " + "; ".join(parts) + "."


def _radius_line(result, unit, precision):
    values = " / ".join(fmt_number(metres_to(r, unit), precision) for r in result.radius_m)
    return f"combat radius low / nominal / high: {values} {unit}"


def reach_document(result, unit, fmt, precision=0):
    """The full ``reach`` report as text (``fmt`` 'table') or Markdown (``fmt`` 'md')."""
    base, airframe, radius = result.base, result.airframe, result.radius
    model = (
        "WGS84 ellipsoid geodesics"
        if result.model == "ellipsoid"
        else "spherical great circles (comparison only)"
    )
    where = f"{base.label} ({base.lat:.4f}, {base.lon:.4f})"
    title = f"{airframe.name} from {where}: reach to {result.targets_label}"
    md = fmt == "md"
    lines = [f"# {title}" if md else title, ""]
    lines.append(_radius_line(result, unit, precision) + ("  " if md else ""))
    lines.append(f"conditions: {radius.conditions}" + ("  " if md else ""))
    if radius.note:
        lines.append(
            radius.note if md else textwrap.fill(f"note: {radius.note}", 100, subsequent_indent="  ")
        )
    lines.append("")
    lines.append(reach_table(result, unit, precision).render("md" if md else "table"))
    lines.append(_summary_sentence(result))
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
    lines.append("## Sources" if md else "Sources (combat radius):")
    bullet = "-" if md else " -"
    for source in radius.sources:
        if source.reliability != "D":
            lines.append(f'{bullet} [{source.id}] {source.cite()}: "{source.states}"')
    recorded = [s.id for s in radius.sources if s.reliability == "D"]
    if recorded:
        lines.append(f"{bullet} also recorded, grade D (not used for the band): {', '.join(recorded)}")
    lines.append(f"{bullet} figures: {airframe.origin}")
    if getattr(base.ref, "sources", None):
        cites = "; ".join(s.cite() for s in base.ref.sources)
        lines.append(f"{'-' if md else ' -'} base position: {cites}")
    credits = sorted({_credit(t.target) for t in result.targets} - {""})
    for credit in credits:
        lines.append(f"{'-' if md else ' -'} targets: {credit}")
    return "\n".join(lines) + "\n"


def _credit(place):
    ref = place.ref
    if getattr(ref, "set_id", ""):
        credit = f": {ref.credit}" if ref.credit else ""
        return f"target set '{ref.set_id}'{credit}"
    return ""


# --- listings ------------------------------------------------------------------------------------------


def _band(figure, precision=0):
    values = " / ".join(fmt_number(v, precision) for v in figure.values())
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
    lines += ["", f"{h2}Sources", ""]
    for source in airframe.sources.values():
        lines.append(f"- [{source.id}] {source.cite()}")
        lines.append(f"    states: {source.states}")
        if source.conditions:
            lines.append(f"    conditions: {source.conditions}")
    return "\n".join(lines) + "\n"


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


def base_text(base):
    """Everything the file says about one base."""
    lines = [f"{base.name} ({base.id})", ""]
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
    lines.append(f"file: {base.origin}")
    if base.notes:
        lines += ["", base.notes]
    lines += ["", "Sources:"]
    for source in base.sources:
        lines.append(f" - {source.cite()}: {source.states}")
    return "\n".join(lines) + "\n"
