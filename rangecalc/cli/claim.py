"""$ rangecalc claim [SCENARIO]"""

import json

import click

from .command import RangecalcCommand
from .options import data_dir_option, emit, force_option, format_option, output_option


@click.command(
    "claim", cls=RangecalcCommand, short_help="Check a documented claim (default: the 2016 Hamadan question)."
)
@click.argument("scenario", required=False)
@format_option(["text", "md", "json", "html", "geojson", "kml", "svg", "png"], "text")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes: with 2 or more the sensitivity runs go to another one (default: one per core).",
)
@data_dir_option
@output_option
@force_option
def claim_cmd(scenario, fmt, workers, data_dir, output, force):
    """Evaluate SCENARIO (an id from scenarios/ or a path to a scenario TOML file; default hamadan-2016)
    and judge its claim in
    two parts: (a) range -- coverage of the region on direct, shortest legal and recorded-corridor routes,
    what the recorded sorties prove, what each load assumption changes; (b) operational value -- flight
    times, sortie rates, modelled fuel and payload, base factors per basing option. Every sentence is
    written from the numbers; every source is the scenario's.

    \b
    Examples:
      rangecalc claim
      rangecalc claim hamadan-2016 --format md -o hamadan.md
      rangecalc claim --format html -o hamadan.html    (a standalone page with a map)
    """
    from ..claims import DEFAULT_SCENARIO, evaluate, load_scenario
    from ..data import load_catalog
    from ..formats import GEOMETRY_FORMATS, render_features
    from ..formats.claimtext import claim_dict, claim_document
    from ..formats.htmlreport import claim_html

    catalog = load_catalog(data_dir)
    result = evaluate(load_scenario(scenario or DEFAULT_SCENARIO, catalog), catalog, workers=workers)
    if fmt in GEOMETRY_FORMATS:
        emit(render_features(result, fmt), output, force)
    elif fmt == "json":
        emit(json.dumps(claim_dict(result), indent=2, ensure_ascii=False) + "\n", output, force)
    elif fmt == "html":
        emit(claim_html(result, catalog), output, force)
    else:
        emit(claim_document(result, fmt), output, force)
