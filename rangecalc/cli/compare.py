"""$ rangecalc compare AIRFRAME BASE BASE...; $ rangecalc table --airframes ... --bases ..."""

import json
import sys

import click

from ..errors import UsageError
from .command import RangecalcCommand
from .options import emit, question_options, question_scope

WORKERS = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes sharing out the bases under --avoid/--via (default: one per core).",
)


@click.command("compare", cls=RangecalcCommand, short_help="Compare basing options for one airframe.")
@click.argument("airframe")
@click.argument("bases", nargs=-1, required=True)
@WORKERS
@question_options("table")
def compare_cmd(
    airframe,
    bases,
    workers,
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
    """Compare BASES side by side for AIRFRAME: per target the distance from each base, the margins, the
    flight times at cruise speed and which base wins by how much; per region the covered share and the
    farthest point from each base. Without --targets or --region the targets are the 'syria' set.

    \b
    Example:
      rangecalc compare tu22m3 mozdok shahid-nojeh --region SY
    """
    from ..compare import compare
    from ..data import load_catalog
    from ..formats import GEOMETRY_FORMATS, render_features
    from ..formats.canonical import compare_dict
    from ..formats.text import compare_document
    from ..places import resolve_place

    catalog = load_catalog(data_dir)
    frame = catalog.airframe(airframe)
    places = [resolve_place(b, catalog) for b in bases]
    scope = question_scope(catalog, default_targets="syria")
    show = sys.stderr.isatty() and len(places) > 1 and (scope.routing.active or scope.region is not None)
    with click.progressbar(length=len(places), label="bases", file=sys.stderr if show else None,
                           hidden=not show) as bar:  # fmt: skip
        result = compare(
            frame,
            places,
            scope.targets,
            scope.region,
            payload,
            model,
            scope.targets_label,
            catalog,
            scope.routing,
            progress=lambda _base: bar.update(1),
            workers=workers,
        )
    if fmt == "json":
        text = json.dumps(compare_dict(result, units), indent=2, ensure_ascii=False) + "\n"
    elif fmt in GEOMETRY_FORMATS:
        text = render_features(result, fmt, unit=units)
    elif fmt == "csv":
        from ..formats.csvdata import compare_csv

        text = compare_csv(result, units)
    else:
        text = compare_document(result, units, fmt, precision)
    emit(text, output, force)


def _split(text, option):
    items = [t.strip() for t in (text or "").split(",")]
    if not text or not all(items):
        raise UsageError(f"{option} needs a comma-separated list without empty items, got {text!r}")
    return items


@click.command("table", cls=RangecalcCommand, short_help="Reach tables over many airframes and bases.")
@click.option("--airframes", "airframe_list", required=True, help="Comma-separated airframe ids.")
@click.option("--bases", "base_list", required=True, help="Comma-separated bases (ids, names or ICAO codes).")
@WORKERS
@question_options("md", ("table", "md", "csv", "json"))
def table_cmd(
    airframe_list,
    base_list,
    workers,
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
    """One row per airframe x base x target (and region): distance, radius band, margins, coverage and
    verdict, for reports and spreadsheets. A progress bar goes to stderr when it is a terminal.

    \b
    Example:
      rangecalc table --airframes tu22m3,su34 --bases mozdok,hamadan,khmeimim --region SY --format csv
    """
    from ..compare import reach_table
    from ..data import load_catalog
    from ..formats.canonical import table_dict
    from ..formats.text import table_rows_table
    from ..places import resolve_place

    catalog = load_catalog(data_dir)
    frames = [catalog.airframe(a) for a in _split(airframe_list, "--airframes")]
    places = [resolve_place(b, catalog) for b in _split(base_list, "--bases")]
    scope = question_scope(catalog, command="table")
    target_places, area, routing = scope.targets, scope.region, scope.routing
    show = sys.stderr.isatty() and len(frames) * len(places) > 1
    with click.progressbar(length=len(frames) * len(places), label="reach table",
                           file=sys.stderr if show else None, hidden=not show) as bar:  # fmt: skip
        rows = reach_table(
            frames, places, target_places, area, payload, model, routing, progress=bar.update, workers=workers
        )
    if fmt == "json":
        text = json.dumps(table_dict(rows, units, model, payload), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        from ..formats.csvdata import table_csv

        text = table_csv(rows, units)
    else:
        text = table_rows_table(rows, units, precision, routing.active).render(fmt)
        if routing.active:
            text += f"\nDistances are flyable routes: {routing.describe()}.\n"
    emit(text, output, force)
