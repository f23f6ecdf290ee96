"""$ rangecalc airframes [ID]; $ rangecalc bases [--country ISO]"""

import json

import click

from .command import RangecalcCommand
from .options import data_dir_option, emit, format_option


@click.command(
    "airframes", cls=RangecalcCommand, short_help="List airframes, or show one with all figures and sources."
)
@click.argument("airframe", required=False)
@format_option(["table", "md", "csv", "json"], "table")
@data_dir_option
def airframes_cmd(airframe, fmt, data_dir):
    """List the airframes, or show AIRFRAME with every figure, its conditions and its sources."""
    from ..data import load_catalog
    from ..formats.text import airframe_text, airframes_table

    catalog = load_catalog(data_dir)
    if airframe:
        frame = catalog.airframe(airframe)
        if fmt == "json":
            from ..payload import model_summary

            out = {**frame.as_dict(), "payload_model": model_summary(frame)}
            emit(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            from ..formats.csvdata import airframe_csv

            emit(airframe_csv(frame))
        else:
            emit(airframe_text(frame, markdown=fmt == "md"))
        return
    frames = sorted(catalog.airframes.values(), key=lambda a: a.id)
    if fmt == "json":
        emit(json.dumps([a.as_dict() for a in frames], indent=2, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        from ..formats.csvdata import airframes_csv

        emit(airframes_csv(frames))
    else:
        emit(airframes_table(frames).render(fmt))


@click.command("bases", cls=RangecalcCommand, short_help="List bases, or show one with its sources.")
@click.argument("base", required=False)
@click.option("--country", default=None, help="Only bases in this country (ISO 3166 alpha-3, e.g. RUS).")
@format_option(["table", "md", "csv", "json"], "table")
@data_dir_option
def bases_cmd(base, country, fmt, data_dir):
    """List the bases (optionally of one --country), or show BASE with its position sources."""
    from ..data import load_catalog
    from ..formats.text import base_text, bases_table

    catalog = load_catalog(data_dir)
    if base:
        found = catalog.base(base)
        if fmt == "json":
            emit(json.dumps(found.as_dict(), indent=2, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            from ..formats.csvdata import base_csv

            emit(base_csv(found))
        else:
            emit(base_text(found, markdown=fmt == "md"))
        return
    bases = catalog.bases_in(country)
    if fmt == "json":
        emit(json.dumps([b.as_dict() for b in bases], indent=2, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        from ..formats.csvdata import bases_csv

        emit(bases_csv(bases))
    else:
        emit(bases_table(bases).render(fmt))
