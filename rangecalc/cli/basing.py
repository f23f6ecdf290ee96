"""$ rangecalc basing AIRFRAME --region SY --within RU,IR,SY"""

import json
import sys

import click

from ..errors import UsageError
from .command import RangecalcCommand
from .options import emit, question_options, question_scope


@click.command(
    "basing", cls=RangecalcCommand, short_help="Where an airframe must be based to cover a region."
)
@click.argument("airframe")
@click.option("--within", default=None, metavar="COUNTRIES",
              help="Countries whose airfields may be used, e.g. RU,IR,SY (ISO codes or names); "
              "without it only the basing areas are computed.")  # fmt: skip
@click.option("--top", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="How many candidate airfields to list, best first.")  # fmt: skip
@click.option("--bases-needed", "bases_needed", type=click.IntRange(1, 10), default=None,
              help="Find the set of this many airfields that together cover the region with the largest "
              "margin under --figure (direct geodesics).")  # fmt: skip
@click.option("--figure", type=click.Choice(["low", "nominal", "high"]), default="nominal", show_default=True,
              help="The radius figure for --bases-needed.")  # fmt: skip
@click.option("--min-runway", "min_runway", default=None, metavar="LENGTH",
              help="Only airfields with a known runway at least this long, e.g. 2500m (bundled bases; "
              "airportsdata has no runways).")  # fmt: skip
@click.option("--no-airports", "no_airports", is_flag=True,
              help="Bundled bases only, even when airportsdata is installed.")  # fmt: skip
@click.option("--iata-only", "iata_only", is_flag=True,
              help="From airportsdata, only airports with an IATA code (scheduled service).")  # fmt: skip
@question_options("table")
def basing_cmd(
    airframe,
    within,
    top,
    bases_needed,
    figure,
    min_runway,
    no_airports,
    iata_only,
    targets,
    targets_file,
    region,
    payload,
    avoid,
    via,
    standoff,
    territorial_sea,
    units,
    model,
    fmt,
    precision,
    data_dir,
    output,
    force,
):
    """Where must AIRFRAME be based to reach every point of a region (or every target), under each radius
    figure; and which airfields of the --within countries qualify, ranked by the distance to the region's
    farthest point. Direct basing areas are exact polygons (conservative by a stated bound); with --avoid,
    flyable basing areas are contoured on a stated grid (a progress bar shows on a terminal).

    \b
    Examples:
      rangecalc basing tu22m3 --region SY --within RU,IR,SY
      rangecalc basing tu22m3 --region SY --within RU,IR --avoid TUR,GEO,AZE --territorial-sea 12nm
      rangecalc basing su34 --region SY --within RU,IR,SY --bases-needed 2 --figure low
      rangecalc basing tu22m3 --region SY -o basing.geojson
    """
    from ..basing import basing, basing_dict, resolve_within
    from ..data import load_catalog
    from ..formats import GEOMETRY_FORMATS, render_features
    from ..units import DISTANCE_UNITS, parse_quantity

    if model != "ellipsoid":
        raise UsageError("basing uses WGS84 geodesics only; drop --model sphere")
    catalog = load_catalog(data_dir)
    frame = catalog.airframe(airframe)
    scope = question_scope(catalog, command="basing")
    countries = resolve_within(within, catalog)
    runway = None if min_runway is None else parse_quantity(min_runway, DISTANCE_UNITS, None, "--min-runway")
    show = sys.stderr.isatty() and scope.routing.active
    with click.progressbar(length=1, label="flyable basing area", file=sys.stderr if show else None,
                           hidden=not show) as bar:  # fmt: skip

        def progress(_stage, done, total):
            bar.length = total
            bar.update(done - bar.pos)

        result = basing(
            frame,
            scope.region,
            scope.targets,
            payload,
            scope.routing,
            catalog,
            countries,
            top=top,
            bases_needed_k=bases_needed,
            figure=figure,
            min_runway_m=runway,
            use_airports=not no_airports,
            iata_only=iata_only,
            targets_label=scope.targets_label,
            progress=progress,
        )
    if fmt == "json":
        text = json.dumps(basing_dict(result, units), indent=2, ensure_ascii=False) + "\n"
    elif fmt in GEOMETRY_FORMATS:
        text = render_features(result, fmt, unit=units)
    elif fmt == "csv":
        from ..formats.csvdata import basing_csv

        text = basing_csv(result, units)
    else:
        text = basing_document(basing_dict(result, units), units, fmt, precision)
    emit(text, output, force)


def basing_document(d, unit, fmt, precision=0):
    """The text or Markdown report of a basing result, from its canonical dict."""
    from ..formats.text import Table, fmt_duration, fmt_number, markdown_safe

    md = fmt == "md"
    h = "## " if md else ""

    def num(value, signed=False):
        return "no route" if value is None else fmt_number(value, precision, signed)

    def table(headings, rows, numeric):
        t = Table(headings, rows, numeric)
        return t.markdown() if md else t.text()

    radius = d["radius"]
    lines = [
        f"{'# ' if md else ''}Basing {d['airframe']['name']} to cover {d['subject']['name']}",
        "",
        "Radius: "
        + " / ".join(f"{f} {num(radius[f'{f}_{unit}'])} {unit}" for f in ("low", "nominal", "high"))
        + ("" if d["payload_kg"] is None else f" (payload {d['payload_kg'] / 1000:g} t)"),
        "",
    ]
    for mode in ("direct", "flyable"):
        block = d[mode]
        if block is None:
            continue
        title = "Direct basing area (geodesics)" if mode == "direct" else "Flyable basing area"
        lines += [f"{h}{title}", "", f"Method: {block['method']}.", ""]
        error = block[f"error_{unit}"]
        if mode == "direct":
            lines += [
                f"Conservative: the computed boundary lies inside the true one by at most {error:.2f} {unit}.",
                "",
            ]
        else:
            lines += [f"Boundary error: about +-{fmt_number(error, 0)} {unit} (grid).", ""]
        rows = []
        for a in block["areas"]:
            ext = a["extent"]
            extent = (
                "empty"
                if ext is None
                else f"{_lat(ext['south'])}..{_lat(ext['north'])}, {_lon(ext['west'])}..{_lon(ext['east'])}"
            )
            countries = ", ".join(f"{c['name']} {c['share'] * 100:.0f}%" for c in a["countries"][:6])
            more = len(a["countries"]) - 6
            countries += f" (+{more} more)" if more > 0 else ""
            rows.append([a["figure"], fmt_number(a[f"area_{unit}2"] / 1e6, 2), extent, countries or "-"])
        lines.append(
            table(["figure", f"area (million {unit}²)", "extent", "countries (share of area)"], rows, {1})
        )
    if d["within"]:
        names = ", ".join(c["name"] for c in d["within"])
        lines += [f"{h}Candidate airfields in {names}", ""]
        lines += [
            f"{d['candidates_total']} candidates; the {len(d['candidates'])} nearest to covering it:",
            "",
        ]
        flyable = d["flyable"] is not None
        rows = []
        for c in d["candidates"]:
            mode = c["flyable"] if flyable else c["direct"]
            time = mode["one_way_time_s"]
            shares = "/".join(f"{mode['covered_share'][f] * 100:.0f}" for f in ("low", "nominal", "high"))
            row = [
                str(c["rank"]),
                c["name"] + ("" if c["source"] == "bundled" else " *"),
                c["country"],
                num(mode[f"farthest_{unit}"]),
                num(mode[f"margin_nominal_{unit}"], signed=True),
                ", ".join(mode["covers"]) or "none",
                shares,
                "-" if time is None else fmt_duration(time["nominal"]),
            ]
            if flyable:
                row.insert(4, num(c["direct"][f"farthest_{unit}"]))
            rows.append(row)
        head = ["#", "airfield", "country", f"farthest {unit}", f"margin nominal {unit}", "covers all under",
                "covered % low/nom/high", "time to farthest"]  # fmt: skip
        if flyable:
            head[3] = f"farthest flyable {unit}"
            head.insert(4, f"direct {unit}")
        lines.append(table(head, rows, {0, 3, 4, 5} if flyable else {0, 3, 4}))
        if any(c["source"] != "bundled" for c in d["candidates"]):
            lines.append("* from airportsdata.")
        lines += [f"Note: {n}." for n in d["notes"]]
        lines.append("")
    team = d["bases_needed"]
    if team is not None:
        lines += [f"{h}Up to {team['k']} bases together ({team['figure']} figure, direct geodesics)", ""]
        if team["found"]:
            names = " + ".join(m["name"] for m in team["members"])
            nearer = "the nearer base" if len(team["members"]) > 1 else "it"
            if len(team["members"]) < team["k"]:
                names += f" alone (no set of {team['k']} does better)"
            lines.append(
                f"{names}: every point of {d['subject']['name']} within "
                f"{num(team[f'covering_radius_{unit}'])} {unit} of {nearer}; margin "
                f"{num(team[f'margin_{unit}'], signed=True)} {unit} "
                f"(checked with exact coverage: {team['covered_share'] * 100:.1f}% covered)."
            )
        else:
            lines.append(
                f"No set of {team['k']} candidates covers it: the best needs "
                f"{num(team[f'covering_radius_{unit}'])} {unit}."
            )
        lines += [f"Method: {team['method']}.", ""]
    text = "\n".join(lines).rstrip() + "\n"
    return markdown_safe(text) if md else text


def _lat(value):
    return f"{abs(value):.1f}°{'S' if value < 0 else 'N'}"


def _lon(value):
    return f"{abs(value):.1f}°{'W' if value < 0 else 'E'}"
