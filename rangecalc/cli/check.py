"""$ rangecalc check-data [DIR]"""

import click

from .command import RangecalcCommand
from .options import emit


@click.command("check-data", cls=RangecalcCommand, short_help="Validate data files and report warnings.")
@click.argument("data_dir", required=False)
@click.option("--strict", is_flag=True, help="Exit with 1 when there are warnings too.")
def check_data_cmd(data_dir, strict):
    """Validate the bundled data and DATA_DIR (if given): airframes, bases, target sets, region GeoJSON and
    scenarios; then list warnings that are not errors.

    Errors (a file that does not validate) exit with 1. Warnings: a figure with a single source, a combat
    radius above half the range, a nominal value resting on a grade-D source, a base that the optional
    airportsdata package places farther away than its stated uncertainty.
    """
    from ..audit import audit_catalog, check_other_files
    from ..data import load_catalog
    from ..places import load_airports

    catalog = load_catalog(data_dir, "DATA_DIR").validate()
    regions, scenarios = check_other_files(catalog)
    airports = load_airports()
    findings = audit_catalog(catalog, airports)
    n_targets = sum(len(s.targets) for s in catalog.target_sets.values())
    lines = [
        f"ok: {len(catalog.airframes)} airframes, {len(catalog.bases)} bases, "
        f"{len(catalog.target_sets)} target sets ({n_targets} targets), {regions} regions, "
        f"{scenarios} scenarios validate",
        *(f"warning: {f}" for f in findings),
        f"{len(findings)} warnings"
        + ("" if airports else " (ICAO check skipped: airportsdata not installed)"),
    ]
    emit("\n".join(lines) + "\n")
    if strict and findings:
        raise click.exceptions.Exit(1)
