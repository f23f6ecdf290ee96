"""A standalone HTML report of a claim: the two-part verdict, an SVG map (closed airspace, the flyable reach
boundary for each published figure, the uncovered part of the region, the shortest legal routes and the
recorded corridor), the tables, the record and the sources. One file, no external resources (it opens on
an air-gapped machine); every text that comes from a data or scenario file is HTML-escaped.
"""

import re
from html import escape

import shapely

from ..regions import all_regions
from .claimtext import (
    cite,
    coverage_table,
    loads_table,
    operations_table,
    published_table,
    record_table,
    sensitivity_table,
    targets_table,
)
from .svgmap import FIGURES, MapLayers, legend_key, map_frame, svg_map

#: Width of the map in SVG units. The page scales it to the column (at most 800 px wide), so on a phone
#: labels are about 60% of their size and on a desktop about 125%.
MAP_WIDTH = 640

STYLE = """
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { font-family: sans-serif; max-width: 1100px; margin: 0 auto; padding: 1em 1.5em 2em; color: #222;
       line-height: 1.45; overflow-wrap: anywhere; }
h1 { font-size: 1.8em; line-height: 1.2; }
h2 { line-height: 1.25; margin-top: 1.6em; }
a { color: #1f5fbf; }
blockquote { border-left: 4px solid #999; margin: 1em 0; padding: 0.2em 1em; color: #333; background: #f7f7f7; }
.verdict { font-size: 1.1em; font-weight: bold; padding: 0.6em 1em; border-radius: 4px; background: #fff4d6; }
.summary { font-size: 1.15em; padding: 0.6em 1em; border-left: 4px solid #c0392b; }
/* Wide tables scroll inside their box; shadows at the sides show that there is more to see. */
.scroll { overflow-x: auto; max-width: 100%;
  background: linear-gradient(to right, #fff 30%, rgba(255,255,255,0)) left / 2.5em 100% no-repeat local,
    linear-gradient(to left, #fff 30%, rgba(255,255,255,0)) right / 2.5em 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, rgba(0,0,0,.25), rgba(0,0,0,0)) left / 0.9em 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.25), rgba(0,0,0,0)) right / 0.9em 100% no-repeat scroll; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; overflow-wrap: break-word; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { background: #eee; }
figure.map { margin: 1em 0; max-width: 800px; }
figure.map figcaption { min-width: 0; }
figure.map > svg { display: block; width: 100%; height: auto; border: 1px solid #ccc; }
svg { max-width: 100%; height: auto; }
.legend { list-style: none; padding: 0; margin: 0.75em 0 0; font-size: 0.9em; }
.legend li { display: flex; align-items: center; gap: 0.5em; margin: 0.2em 0; }
.legend .key { flex: none; width: 28px; text-align: center; line-height: 0; }
@media print {
  body { max-width: none; }
  figure.map, table, blockquote { break-inside: avoid; }
}
@media (min-width: 1000px) {
  /* Wide screens: the key beside the map. */
  figure.map { display: grid; grid-template-columns: minmax(0, 800px) minmax(12em, 1fr); gap: 1.5em;
               max-width: none; align-items: start; }
  .legend { margin: 0; }
}
@media (max-width: 600px) {
  body { padding: 0.5em 0.75em 1.5em; }
  h1 { font-size: 1.45em; }
  h2 { font-size: 1.2em; }
  .verdict, .summary { font-size: 1em; padding: 0.5em 0.75em; }
  blockquote { padding: 0.1em 0.75em; }
  ul { padding-left: 1.25em; }
  table { font-size: 0.85em; }
}
"""


def _table(table):
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headings)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(c)}</td>' if i in table.numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in table.rows
    )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _map_layers(result, catalog):
    s = result.scenario
    layers = MapLayers()
    shown = [s.claim_base, *([s.claim_alternative] if s.claim_alternative else [])]
    for k, base in enumerate(shown):
        for target in s.targets:
            for variant, style in (("legal", "route"), ("corridor", "corridor")):
                route = result.routes.get((variant, base.label, target.label))
                if route is not None:
                    name = f"{base.label} to {target.label} ({variant}): {route.length_m / 1000:,.0f} km"
                    layers.routes.append((name, route.lons, route.lats, k, style))
    for base_label, variant, k, reach in result.layers.get("reach", []):
        if variant != "legal":
            continue
        for band, outline in zip(
            ("low", "nominal", "high"), reach.outlines(result.layers.get("closed")), strict=True
        ):
            layers.reach.append((f"{base_label}: {band} radius, legal routes", outline, band, k))
    for band, geometry in result.layers.get("uncovered", []):
        if band == "nominal":
            layers.uncovered.append((f"out of reach under the {band} figure", geometry))
    layers.points += [(b.label, b.lon, b.lat, "base") for b in s.bases]
    layers.points += [(t.label, t.lon, t.lat, "target") for t in s.targets]
    for row in result.data["coverage"]:
        if row["base"] == s.claim_base.label and row["routes"] == "legal" and row["farthest_km"]:
            point = row["farthest_point"]
            label = f"farthest from {s.claim_base.label}: {row['farthest_km']:,.0f} km by legal route"
            layers.points.append((label, point["lon"], point["lat"], "farthest"))
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
    if result.layers.get("closed") is not None:
        # Drawn over the closed countries, which are already named: no label of its own.
        layers.regions.append(
            ("closed airspace (land and territorial sea)", result.layers["closed"], "closed", "")
        )
    return layers


def _map(result, catalog):
    """The map and its key (HTML)."""
    layers = _map_layers(result, catalog)
    svg = svg_map(layers, width=MAP_WIDTH, title=result.scenario.title)
    return f'<figure class="map">{svg}<figcaption>{_legend(result, layers)}</figcaption></figure>'


def _legend(result, layers):
    """The map's key, each entry drawn with the map's own style (:func:`rangecalc.formats.svgmap.legend_key`), listing
    only what is inside the map's frame."""
    s = result.scenario
    frame = shapely.box(*map_frame(layers))

    def item(key, text):
        return f'<li><span class="key">{key}</span><span>{text}</span></li>'

    items = []
    if any(style == "closed" and frame.intersects(g) for _, g, style, *_ in layers.regions):
        items.append(item(legend_key("closed"), "closed airspace (land and territorial sea)"))
    items.append(item(legend_key("focus"), f"{escape(s.claim_region.name)}, the region in question"))
    if any(frame.intersects(g) for _, g in layers.uncovered):
        # The map drew uncovered parts, so the page already defines their hatch.
        items.append(
            item(legend_key("uncovered", defs=False), "out of reach on legal routes, nominal figure")
        )
    items += [
        item(legend_key("base", width=14, height=14), "base"),
        item(legend_key("target", width=14, height=14), "target"),
        item(legend_key("farthest", width=14, height=14), "farthest point of the region by legal route"),
    ]
    shown = [s.claim_base, *([s.claim_alternative] if s.claim_alternative else [])]
    for k, base in enumerate(shown):
        items.append(item(legend_key("route", k), f"shortest legal routes from {escape(base.label)}"))
        if any(c.base.label == base.label for c in s.corridors):
            items.append(item(legend_key("corridor", k), f"recorded corridor from {escape(base.label)}"))
    for base_label, variant, k, reach in result.layers.get("reach", []):
        if variant != "legal":
            continue
        for band, outline in zip(FIGURES, reach.outlines(result.layers.get("closed")), strict=True):
            if frame.intersects(outline):
                items.append(
                    item(
                        legend_key(band, k),
                        f"reach boundary from {escape(base_label)}, {band} figure (legal routes)",
                    )
                )
    items.append(item("", "grey lines: meridians and parallels; the scale bar is true at the map's centre"))
    return '<ul class="legend">' + "".join(items) + "</ul>"


def _file_name(text):
    """How a data file is named in the page: a bundled file by its place in the package, any other by its
    file name only, so that no local path (home folder, virtual environment, temporary folder) shows."""
    if text.endswith("(bundled)"):
        return text
    name = re.split(r"[\\/]", text)[-1]
    return f"{name} (local file)"


def _link(source):
    """A source as escaped HTML: an http(s) URL becomes a link; any other URL (``javascript:``, ``file:``,
    ...) stays text."""
    url = source.get("url")
    if url and url.lower().startswith(("http://", "https://")):
        text = escape(cite({**source, "url": None}))
        return f'{text} (<a href="{escape(url, quote=True)}">{escape(url)}</a>)'
    return escape(cite(source))


def claim_html(result, catalog):
    """The claim report as one HTML document (string)."""
    d = result.data
    v = d["verdict"]
    claim = d["claim"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(d['title'])}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(d['title'])}</h1>",
        f"<blockquote><p>{escape(claim['text'])}</p><p>— {_link(claim['source'])}</p></blockquote>",
        f"<p><strong>Question.</strong> {escape(d['question'])}</p>",
        f'<p class="summary">{escape(v["summary"])}</p>',
        f"<h2>(a) Range: can it reach anywhere in {escape(claim['region_name'])}?</h2>",
        f'<p class="verdict">{escape(v["range"]["text"])}</p>',
        "<ul>" + "".join(f"<li>{escape(x)}</li>" for x in v["range"]["findings"]) + "</ul>",
        f"<h2>(b) Operational value: was there a reason to fly from {escape(claim['alternative'] or '')}?</h2>",
        f'<p class="verdict">{escape(v["operational"]["text"])}</p>',
        "<ul>" + "".join(f"<li>{escape(x)}</li>" for x in v["operational"]["findings"]) + "</ul>",
        "<h2>Map: flyable reach, routes and the uncovered part</h2>",
        _map(result, catalog),
        "<h2>Rules of the air</h2><ul>",
    ]
    for c in d["rules"]["closed"]:
        parts.append(
            f"<li><strong>{escape(c['name'])}</strong>: {escape(c['reason'])} ({_link(c['source'])})</li>"
        )
    if not d["rules"]["closed"]:
        parts.append("<li>No airspace is closed in this scenario.</li>")
    parts.append("</ul>")
    if d["rules"]["territorial_sea_nm"]:
        parts.append(
            f"<p>Closed airspace is each closed country's land plus its territorial sea, "
            f"{d['rules']['territorial_sea_nm']:g} nm off its own coast (never across a land border). "
            + (
                f"Safety stand-off beyond that: {d['rules']['standoff_km']:g} km."
                if d["rules"]["standoff_km"]
                else "No safety stand-off beyond that."
            )
            + "</p>"
        )
    if d["rules"]["note"]:
        parts.append(f"<p>{escape(d['rules']['note'])}</p>")
    for c in d["rules"]["corridors"]:
        parts.append(
            f"<p><strong>Recorded corridor from {escape(c['base'])}</strong>: {escape(c['name'])}. {escape(c['note'])} "
            f"({_link(c['source'])})</p>"
        )
    parts.append(f"<h2>Coverage of {escape(claim['region_name'])} under the published radius</h2>")
    parts.append(_table(coverage_table(d)))
    if d["sensitivity"]:
        parts.append("<h3>Sensitivity: each closure lifted in turn</h3>" + _table(sensitivity_table(d)))
    if d["loads"]["cases"]:
        parts.append(
            "<h3>Loads, and the load the published radius is for</h3><p>No source states the load behind the "
            "published radius; each load is modelled under each stated assumption (modelled radii, drag of "
            "external stores ignored).</p>"
        )
        parts.append(_table(loads_table(d)))
        parts.append(
            "<ul>"
            + "".join(f"<li>{escape(c['name'])}: {escape(c['note'])}</li>" for c in d["calibrations"])
            + "</ul>"
        )
    if d["record"]["sorties"]:
        parts.append("<h2>The record: sorties flown</h2>" + _table(record_table(d)))
        parts.append(
            "<ul>"
            + "".join(
                f"<li>{escape(x['date'])} {escape(x['target'])}: {_link(x['source'])}</li>"
                for x in d["record"]["sorties"]
            )
            + "</ul>"
        )
    if d["published"]:
        parts.append("<h3>Distances and durations published at the time</h3>" + _table(published_table(d)))
    parts.append("<h2>Operations per basing option</h2>")
    ops = d["operations"]
    if ops["ground_time_note"]:
        parts.append(
            f"<p>Ground time between sorties: {ops['ground_time_h']:g} h. {escape(ops['ground_time_note'])}</p>"
        )
    parts.append(_table(operations_table(d)))
    parts.append(_table(targets_table(d)))
    parts.append("<h2>Context from the record (not computed)</h2><ul>")
    parts += [f"<li>{escape(c['text'])} ({_link(c['source'])})</li>" for c in d["context"]]
    parts.append("</ul><h2>Where the numbers come from</h2><ul>")
    for frame_id, f in d["figures"].items():
        band = " / ".join(f"{f['combat_radius_km'][b]:,.0f}" for b in ("low", "nominal", "high"))
        parts.append(
            f"<li>{escape(f['name'])}: combat radius {band} km ({escape(f['conditions'])}); {escape(_file_name(f['file']))} "
            f"(<code>rangecalc airframes {escape(frame_id)}</code>)</li>"
        )
    parts.append(f"<li>Scenario: {escape(_file_name(d['file']))} (<code>{escape(d['scenario'])}</code>)</li>")
    parts.append("<li>Borders: Natural Earth 4.1.0 admin-0 1:50m (public domain); de facto lines.</li>")
    parts.append("<li>Bases: OurAirports, airportsdata, Wikipedia; targets: GeoNames (CC BY 4.0).</li></ul>")
    parts.append(
        "<p>Made with rangecalc. Route-dependent and modelled distances to 10 km, shares to 1 %, times to 5 "
        "minutes (docs/precision.md); full precision in the JSON output.</p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
