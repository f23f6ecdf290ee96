"""A standalone HTML report of a claim: verdict, conclusions, an SVG map of the flyable routes, the tables,
the rules of the air and the sources. One file, no external resources (it opens on an air-gapped
machine); every text that comes from a data or scenario file is HTML-escaped.
"""

import math
from html import escape

import shapely

from .claims import conclusions
from .maps import COLOURS, MapLayers, svg_map
from .regions import all_regions
from .reports import claim_region_table, claim_target_table, fmt_number

STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
blockquote { border-left: 4px solid #999; margin: 1em 0; padding: 0.2em 1em; color: #333; background: #f7f7f7; }
.verdict { font-size: 1.15em; font-weight: bold; padding: 0.6em 1em; border-radius: 4px; background: #fff4d6; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eee; }
.legend span { display: inline-block; margin-right: 1.2em; }
.swatch { display: inline-block; width: 1em; height: 1em; vertical-align: middle; margin-right: 0.3em; }
"""


def _table(headings, rows, numeric=()):
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _map(result, catalog):
    s = result.scenario
    layers = MapLayers()
    shown = [s.claim_base, *([s.claim_alternative] if s.claim_alternative else [])]
    for k, base in enumerate(shown):
        for target in s.targets:
            route = result.routes.get((base.label, target.label))
            if route is not None:
                name = f"{base.label} to {target.label}: {route.length_m / 1000:,.0f} km"
                layers.routes.append((name, route.lons, route.lats, k))
    layers.points += [(b.label, b.lon, b.lat, "base") for b in s.bases]
    layers.points += [(t.label, t.lon, t.lat, "target") for t in s.targets]
    for case in result.regions:
        if (
            case.base.label == s.claim_base.label
            and case.region.id == s.claim_region.id
            and case.payload.payload_kg is None
        ):
            lon, lat = case.flyable_far_point
            if math.isfinite(case.flyable_far_m):
                label = f"farthest from {s.claim_base.label}: {case.flyable_far_m / 1000:,.0f} km flown"
                layers.points.append((label, lon, lat, "farthest"))
            break
    closed = {r.id for r in s.routing.avoid}
    focus = {r.id for r in s.regions}
    lons = [p[1] for p in layers.points]
    lats = [p[2] for p in layers.points]
    frame = shapely.box(min(lons) - 8, min(lats) - 8, max(lons) + 8, max(lats) + 8)
    for region in all_regions(catalog).values():
        if not region.geometry.intersects(frame):
            continue
        style = "closed" if region.id in closed else "focus" if region.id in focus else "land"
        layers.regions.append((region.name, region.geometry, style))
    return svg_map(layers, title=s.title)


def claim_html(result, catalog):
    """The claim report as one HTML document (string)."""
    s = result.scenario
    overall, sentences = conclusions(result)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(s.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(s.title)}</h1>",
        f"<blockquote><p>{escape(s.claim_text)}</p><p>— {escape(s.claim_source)}</p></blockquote>",
        f"<p><strong>Question.</strong> {escape(s.question)}</p>",
        f'<p class="verdict">{escape(overall)}</p>',
        "<ul>" + "".join(f"<li>{escape(x)}</li>" for x in sentences) + "</ul>",
        "<h2>Map: flyable routes</h2>",
        _map(result, catalog),
        '<p class="legend">'
        f'<span><i class="swatch" style="background:{COLOURS["closed"]}"></i>closed airspace</span>'
        f'<span><i class="swatch" style="background:{COLOURS["focus"]}"></i>region in question</span>'
        "<span>&#9632; base</span><span>&#9679; target</span>"
        f'<span><b style="color:{COLOURS["farthest"]}">&#9670;</b> farthest point of the region by flyable route</span>'
        f'<span><i class="swatch" style="background:{COLOURS["route"][0]}"></i>flyable routes from '
        f"{escape(s.claim_base.label)}</span>"
        + (
            f'<span><i class="swatch" style="background:{COLOURS["route"][1]}"></i>flyable routes from '
            f"{escape(s.claim_alternative.label)}</span>"
            if s.claim_alternative
            else ""
        )
        + "</p>",
        "<h2>Rules of the air</h2><ul>",
    ]
    for region in s.routing.avoid:
        source = s.closed_sources[region.id]
        parts.append(
            f"<li><strong>{escape(region.name)}</strong>: {escape(s.routing.reasons[region.id])} ({escape(source.cite())})</li>"
        )
    if not s.routing.avoid:
        parts.append("<li>No airspace is closed in this scenario.</li>")
    parts.append("</ul>")
    for region in s.regions:
        table = claim_region_table(result, region)
        parts.append(f"<h2>Coverage of {escape(region.name)}</h2>")
        parts.append(_table(table.headings, table.rows, numeric=table.numeric))
        parts.append(f"<p>Flyable coverage: {escape(result.resolution.get(region.id, ''))}.</p>")
    if result.targets:
        table = claim_target_table(result)
        parts.append("<h2>Targets</h2>")
        if s.targets_note:
            parts.append(f"<p>{escape(s.targets_note)}</p>")
        parts.append(_table(table.headings, table.rows, numeric=table.numeric))
    parts.append("<h2>Where the numbers come from</h2><ul>")
    for airframe in s.airframes:
        cites = "; ".join(x.cite() for x in airframe.combat_radius.sources if x.reliability != "D")
        parts.append(
            f"<li>{escape(airframe.name)} combat radius: {escape(cites)} ({escape(airframe.origin)})</li>"
        )
    for case in s.payloads[1:]:
        parts.append(
            f"<li>{escape(case.name)} load, {fmt_number(case.payload_kg)} kg: {escape(case.note)}</li>"
        )
    parts.append(f"<li>Scenario file: {escape(s.origin)}</li>")
    parts.append("<li>Borders: Natural Earth 4.1.0 admin-0 1:50m (public domain); de facto lines.</li>")
    parts.append("<li>Bases: OurAirports, airportsdata, Wikipedia; targets: GeoNames (CC BY 4.0).</li></ul>")
    parts.append(
        "<p>Made with rangecalc. Margins are combat radius minus the distance flown; positive means in reach.</p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
