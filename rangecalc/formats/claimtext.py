"""The claim report as text and Markdown, and its tables (shared with the HTML report).

Everything here renders :attr:`rangecalc.claims.ClaimResult.data`, the canonical JSON-shaped result, with
the precision policy of :mod:`rangecalc.precision` (route-dependent and modelled distances to 10 km,
shares to 1 %, times to 5 minutes, modelled masses to 0.5 t). JSON keeps full precision.
"""

from ..airframes import BANDS
from ..precision import duration, km10, percent, tonnes
from .text import Table, markdown_safe

ROUTES_WORDS = {
    "direct": "direct (great circle)",
    "legal": "shortest legal route",
    "no_territorial_sea": "closed land only (no territorial sea)",
    "corridor": "recorded corridor",
}
WORLD_SOURCE_NOTE = "Natural Earth 4.1.0 1:50m, de facto lines (regions/NATURAL_EARTH.md)"


def claim_dict(result):
    """JSON-ready claim result (schema ``rangecalc/claim/2``): the result's canonical dict."""
    return result.data


def cite(source):
    """'F6, grade B: title (url)' from a source dict."""
    head = ", ".join(
        x
        for x in (source.get("record"), f"grade {source['reliability']}" if source.get("reliability") else "")
        if x
    )
    where = source.get("url") or source.get("publication") or ""
    body = f"{source['title']} ({where})" if where else source["title"]
    return f"{head}: {body}" if head else body


def _yes(flags):
    return " / ".join("yes" if flags[b] else "no" for b in BANDS)


def _shares(covered):
    return " / ".join(percent(covered[b]) for b in BANDS)


def coverage_table(data):
    """Farthest point and share covered under the published radius, per base and routing rules."""
    frame = data["claim"]["airframe"]
    rows = []
    for row in data["coverage"]:
        if row["region"] != data["claim"]["region"]:
            continue
        for case in row["cases"]:
            if case["load"] != "published":
                continue
            near = row["farthest_point"].get("near")
            rows.append(
                [
                    case["airframe"],
                    row["base"],
                    ROUTES_WORDS[row["routes"]],
                    km10(row["farthest_km"]),
                    ""
                    if not near
                    else f"{near['direction']} of {near['name']}"
                    if near["distance_km"] >= 15
                    else f"near {near['name']}",
                    _shares(case["covered"]),
                    _yes(case["reaches_farthest"]),
                ]
            )
    rows.sort(key=lambda r: (r[0] != frame, r[0]))
    headings = [
        "airframe",
        "base",
        "routes",
        "farthest",
        "farthest point",
        "covered l/n/h",
        "reaches it l/n/h",
    ]
    return Table(headings, rows, numeric={3})


def sensitivity_table(data):
    rows = [[x["opened"], km10(x["farthest_km"]), _yes(x["reached"])] for x in data["sensitivity"]]
    return Table(["re-opened", "farthest point", "reached l/n/h (published)"], rows, numeric={1})


def loads_table(data):
    rows = []
    for c in data["loads"]["cases"]:
        rows.append(
            [
                c["load"],
                "-" if c["payload_kg"] is None else f"{c['payload_kg'] / 1000:g} t",
                c["calibration"] or "-",
                " / ".join(km10(c["radius_km"][b]).removesuffix(" km") for b in BANDS)
                + (" (modelled)" if c["modelled"] else " (published)"),
                _yes(c["reaches_farthest_legal"]) if "reaches_farthest_legal" in c else "-",
                _yes(c["reaches_farthest_corridor"]) if "reaches_farthest_corridor" in c else "-",
            ]
        )
    headings = [
        "load",
        "mass",
        "assumed radius load",
        "radius l/n/h km",
        "reaches (legal)",
        "reaches (corridor)",
    ]
    return Table(headings, rows)


def record_table(data):
    rows = []
    for x in data["record"]["sorties"]:
        rows.append(
            [
                x["date"],
                x["airframe"],
                x["target"],
                x["load"] or "-",
                km10(x["direct_km"]),
                km10(x["legal_km"]),
                km10(x["corridor_km"]) if x["corridor_km"] else "-",
                ", ".join(x["contradicts"]) or "none",
                f"{x['source'].get('record', '')} {x['source'].get('reliability', '')}".strip(),
            ]
        )
    headings = ["date", "airframe", "target", "load", "direct", "legal", "corridor", "contradicts", "record"]
    return Table(headings, rows, numeric={4, 5, 6})


def published_table(data):
    rows = []
    for p in data["published"]:
        stated = f"{p['qualifier'] + ' ' if p['qualifier'] else ''}{p['value']:,g} {p['unit']}"
        if p["what"] == "sortie duration":
            legal = p.get("legal_hours")
            corridor = p.get("corridor_hours")
            computed = (
                f"{duration(legal['at_high_speed'] * 60)}-{duration(legal['at_low_speed'] * 60)}"
                if legal
                else "-"
            )
            along = (
                f"{duration(corridor['at_high_speed'] * 60)}-{duration(corridor['at_low_speed'] * 60)}"
                if corridor
                else "-"
            )
        else:
            computed = km10(p.get("legal_compared_km"))
            along = km10(p["corridor_compared_km"]) if p.get("corridor_compared_km") else "-"
        rows.append(
            [
                f"{p['base']} - {p['target']}",
                p["what"],
                stated,
                computed,
                along,
                f"{p['source'].get('record', '')} {p['source'].get('reliability', '')}".strip(),
            ]
        )
    headings = ["between", "what", "published", "shortest legal", "corridor", "record"]
    return Table(headings, rows, numeric={3, 4})


def operations_table(data):
    ops = data["operations"]
    rows = []
    for r in ops["bases"]:
        fuel = "; ".join(
            f"{x['load']} {tonnes(x['fuel_kg']['min'])}-{tonnes(x['fuel_kg']['max'])}"
            if x["fuel_kg"]
            else f"{x['load']} cannot"
            for x in r["loads"]
        )
        payload = r.get("payload_to_farthest_kg")
        rows.append(
            [
                r["airframe"],
                r["base"],
                km10(r["farthest_km"]),
                duration(r["farthest_round_trip_min"]),
                "-" if r["sorties_per_day"] is None else str(r["sorties_per_day"]),
                "-" if r["runway_m"] is None else f"{r['runway_m']:,.0f} m",
                "-" if r["elevation_m"] is None else f"{r['elevation_m']:,.0f} m",
                "yes" if r["in_flight_refuelling"] else "no",
                fuel or "-",
                "-"
                if not payload
                else f"{tonnes(payload['min']) if payload['min'] is not None else 'none'} to {tonnes(payload['max']) if payload['max'] is not None else 'none'}",
            ]
        )
    headings = [
        "airframe",
        "base",
        "farthest",
        "round trip",
        "sorties/day",
        "runway",
        "elevation",
        "refuels",
        "fuel per sortie (modelled)",
        "payload to farthest (modelled)",
    ]
    return Table(headings, rows, numeric={2, 3})


def targets_table(data):
    rows = []
    for t in data["operations"]["targets"]:
        rows.append(
            [
                t["airframe"],
                t["base"],
                t["target"],
                km10(t["legal_km"]),
                duration(t["round_trip_min"]),
                "-" if t["sorties_per_day"] is None else str(t["sorties_per_day"]),
                km10(t["corridor_km"]) if t["corridor_km"] else "-",
                duration(t["corridor_round_trip_min"]),
            ]
        )
    headings = ["airframe", "base", "target", "legal", "round trip", "sorties/day", "corridor", "round trip"]
    return Table(headings, rows, numeric={3, 4, 6, 7})


def claim_document(result, fmt):
    """The claim report as Markdown (``fmt`` 'md') or plain text ('text')."""
    d = result.data
    md = fmt == "md"
    h1, h2, h3 = ("# ", "## ", "### ") if md else ("", "", "")
    bullet = "- " if md else " - "
    v = d["verdict"]
    lines = [f"{h1}{d['title']}", ""]
    claim = d["claim"]
    lines += [
        f"> {claim['text']}" if md else f'Claim: "{claim["text"]}"',
        f"{'>' if md else ''}",
        f"{'> ' if md else ''}-- {cite(claim['source'])}",
        "",
        f"Question: {d['question']}",
        "",
        f"{h2}Verdict",
        "",
        f"In one sentence: {v['summary']}",
        "",
        f"{h3}(a) Range: can it reach anywhere in {claim['region_name']}?",
        "",
        v["range"]["text"],
        "",
    ]
    lines += [f"{bullet}{x}" for x in v["range"]["findings"]]
    lines += ["", f"{h3}(b) Operational value: was there a reason to fly from {claim['alternative']}?", ""]
    lines += [v["operational"]["text"], ""]
    lines += [f"{bullet}{x}" for x in v["operational"]["findings"]]
    lines += ["", f"{h2}Rules of the air", ""]
    rules = d["rules"]
    if not rules["closed"]:
        lines.append("No airspace is closed in this scenario: flyable routes are the direct geodesics.")
    for c in rules["closed"]:
        lines.append(f"{bullet}{c['name']} closed: {c['reason']} [{cite(c['source'])}]")
    lines.append("")
    if rules["territorial_sea_nm"]:
        lines.append(
            f"Closed airspace is each closed country's land plus its territorial sea, {rules['territorial_sea_nm']:g} nm "
            "off its own coast (never across a land border)."
        )
    lines.append(
        f"Safety stand-off beyond that: {rules['standoff_km']:g} km."
        if rules["standoff_km"]
        else "No safety stand-off beyond that."
    )
    if rules["note"]:
        lines += ["", rules["note"]]
    for c in rules["corridors"]:
        points = "; ".join(f"{w['lat']:.2f},{w['lon']:.2f}" for w in c["waypoints"])
        lines += [
            "",
            f"Recorded corridor from {c['base']}: {c['name']} [{cite(c['source'])}]. Waypoints {points}. {c['note']}",
        ]
    lines += ["", f"{h2}Coverage of {claim['region_name']} under the published radius", ""]
    lines.append(render(coverage_table(d), md))
    lines.append(
        "Distances to 10 km; shares to 1 %. Flyable coverage is sampled on a grid: " + _methods(d) + "."
    )
    if d["sensitivity"]:
        lines += ["", f"{h3}Sensitivity: each closure lifted in turn (from {claim['base']})", ""]
        lines.append(render(sensitivity_table(d), md))
    if d.get("basing"):
        lines += ["", *basing_lines(d["basing"], h3, bullet)]
    if d["loads"]["cases"]:
        lines += ["", f"{h3}Loads, and the load the published radius is for", ""]
        lines.append(
            "No source states the load behind the published radius. Each load case is modelled under each stated "
            "assumption (mass-ratio model, drag of external stores ignored: heavy external loads are optimistic); "
            "modelled radii are rounded to 10 km."
        )
        lines.append("")
        lines.append(render(loads_table(d), md))
        for c in d["calibrations"]:
            lines.append(f"{bullet}{c['name']}: {c['note']}")
        for p in d["payloads"][1:]:
            lines.append(f"{bullet}{p['name']} load, {p['payload_kg'] / 1000:g} t: {p['note']}")
    if d["record"]["sorties"]:
        lines += ["", f"{h2}The record: sorties flown", ""]
        lines.append(
            "Each recorded sortie proves a radius at least as long as its shortest legal route, at the load flown "
            "(a lower bound: the route flown was longer). Distances to 10 km."
        )
        lines.append("")
        lines.append(render(record_table(d), md))
    if d["published"]:
        lines += ["", f"{h3}Distances and durations published at the time", ""]
        lines.append(render(published_table(d), md))
        lines.append(
            "Durations computed at the high and the low cruise speed, without climb, descent or holding. "
            "Shortest legal routes are lower bounds."
        )
    ops = d["operations"]
    lines += ["", f"{h2}Operations per basing option", ""]
    if ops["ground_time_note"]:
        lines += [f"Ground time between sorties: {ops['ground_time_h']:g} h. {ops['ground_time_note']}", ""]
    lines.append(render(operations_table(d), md))
    lines.append(
        "Farthest = the farthest point of the region by shortest legal route. Fuel and payload are modelled "
        "(mass-ratio model, a range over the stated calibrations); times at the nominal cruise speed."
    )
    lines += ["", render(targets_table(d), md)]
    lines += ["", f"{h2}Context from the record (not computed)", ""]
    for c in d["context"]:
        lines.append(f"{bullet}{c['text']} [{cite(c['source'])}]")
    lines += ["", f"{h2}Where the numbers come from", ""]
    for frame_id, f in d["figures"].items():
        band = " / ".join(f"{f['combat_radius_km'][b]:,.0f}" for b in BANDS)
        lines.append(
            f"{bullet}{f['name']}: combat radius {band} km ({f['conditions']}); {f['file']} (rangecalc airframes {frame_id})"
        )
    lines.append(f"{bullet}Scenario: {d['file']}")
    lines.append(f"{bullet}Borders: {WORLD_SOURCE_NOTE}")
    lines.append(f"{bullet}Precision: docs/precision.md. Full-precision numbers: --format json.")
    text = "\n".join(lines) + "\n"
    return markdown_safe(text) if md else text


def basing_lines(b, h3="", bullet=" - "):
    """Where the claim's base stands against the basing area (rangecalc basing) of the claim's region."""
    lines = [
        f"{h3}Basing area: from where does the {b['airframe_name']} reach all of {b['region']}?",
        "",
        f"The basing area under a figure is where a base must lie for every point of {b['region']} to be within "
        f"that radius. Where {b['base']} stands (margin = radius minus the distance to the farthest point; "
        "edge = distance to the nearest point on the other side of the area's boundary):",
        "",
    ]
    modes = [("direct", "direct geodesics", b["direct"])]
    if b["flyable"]:
        modes.append(("flyable", "shortest legal routes", b["flyable"]))
    for _, words, rows in modes:
        parts = []
        for x in rows:
            where = "inside" if x["inside"] else "outside"
            edge = (
                "edge more than 400 km away"
                if x["edge_km"] is None
                else f"edge {abs(x['edge_km']):,.0f} km {'away' if x['inside'] else 'off'}"
            )
            parts.append(f"{where} under {x['figure']} (margin {x['margin_km']:+,.0f} km; {edge})")
        lines.append(f"{bullet}On {words}: " + "; ".join(parts) + ".")
    if b["airfields"]:
        listed = "; ".join(
            f"{a['name']} ({a['farthest_km']:,.0f} km to the farthest point; inside under {', '.join(a['inside'])})"
            for a in b["airfields"]
        )
        how = "by shortest legal route" if b["flyable"] else "direct"
        lines.append(
            f"{bullet}Nearest to covering it among the airfields of {b['country']} ({how}): {listed}."
        )
    elif b["country"]:
        lines.append(f"{bullet}No airfield of {b['country']} lies inside the basing area under any figure.")
    note = f"Direct areas are exact to {b['direct_error_km']:.1f} km (conservative)."
    if b["flyable_method"]:
        note += f" Flyable: {b['flyable_method']}."
    lines += ["", note + " See rangecalc basing."]
    return lines


def render(table, md):
    return table.markdown() if md else table.text()


def _methods(data):
    methods = sorted({r["method"] for r in data["coverage"] if r["routes"] != "direct"})
    return "; ".join(methods) if methods else "none (direct routes only)"
