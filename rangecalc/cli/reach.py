"""$ rangecalc reach AIRFRAME BASE"""

import json

import click

from .command import RangecalcCommand
from .options import emit, question_options, question_scope


@click.command("reach", cls=RangecalcCommand, short_help="Which targets an airframe reaches from a base.")
@click.argument("airframe")
@click.argument("base")
@question_options("table")
def reach_cmd(
    airframe,
    base,
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
    """Margins and verdicts for AIRFRAME flying from BASE to each target, and coverage of a region.

    Prints the combat radius (low / nominal / high) with its sources, then for each target the direct
    geodesic distance, the margin under each figure (radius minus distance), and a verdict: in reach under
    every figure, depends on the figure, or out of reach under every figure. With --region, also the
    share of the region covered under each figure and its farthest point. With --avoid (closed airspace)
    or --via (waypoints), distances are the lengths of the shortest flyable routes, shown beside the
    direct ones. Without --targets or --region the targets are the 'syria' set.

    \b
    Examples:
      rangecalc reach tu22m3 mozdok
      rangecalc reach tu22m3 mozdok --region SY --payload 12t
      rangecalc reach tu22m3 mozdok --avoid TUR,GEO,AZE --standoff 25km
      rangecalc reach tu22m3 mozdok --avoid TUR,GEO,AZE --territorial-sea 12nm
      rangecalc reach su34 hamadan --targets aleppo,raqqa,33.5,36.3 --format json
    """
    from ..data import load_catalog
    from ..formats import GEOMETRY_FORMATS, render_features
    from ..formats.canonical import reach_dict
    from ..formats.text import reach_document
    from ..places import resolve_place
    from ..reach import reach

    catalog = load_catalog(data_dir)
    frame = catalog.airframe(airframe)
    origin = resolve_place(base, catalog)
    scope = question_scope(catalog, default_targets="syria")
    result = reach(
        frame,
        origin,
        scope.targets,
        model,
        scope.targets_label,
        payload,
        scope.region,
        catalog,
        scope.routing,
    )
    if fmt == "json":
        text = json.dumps(reach_dict(result, units), indent=2, ensure_ascii=False) + "\n"
    elif fmt in GEOMETRY_FORMATS:
        text = render_features(result, fmt, unit=units)
    elif fmt == "csv":
        from ..formats.csvdata import reach_csv

        text = reach_csv(result, units)
    else:
        text = reach_document(result, units, fmt, precision)
    emit(text, output, force)
