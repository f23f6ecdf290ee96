"""Audit of the data: warnings that are not errors (validation errors stop loading; these do not).

Checks: a figure with a single source that is not grade D (grade-D sources are recorded but never count as
corroboration), or with none at all; a combat radius above half the range (radius and range are often
confused); a nominal value whose first-listed source (by convention, the one it comes from) is graded D;
a base whose ICAO code puts it, in the ``airportsdata`` package, farther away than its stated
position uncertainty.
"""

from dataclasses import dataclass

from . import geodesy


@dataclass(frozen=True)
class Finding:
    """One audit warning: where (file and key) and what."""

    file: str
    key: str
    message: str

    def __str__(self):
        return f"{self.file}: {self.key}: {self.message}"


def check_other_files(catalog):
    """Validate the files a catalog does not load up front: every region GeoJSON and every scenario of its
    folders (a scenario's names must resolve against the catalog). Returns ``(regions, scenarios)``
    counts; the first invalid file raises :class:`~rangecalc.errors.DataError` naming it."""
    from .claims import load_scenario
    from .regions import all_regions

    regions = all_regions(catalog)
    for region in regions.values():
        region.geometry  # noqa: B018 -- built (and so validated) now, not when first used
    paths = [
        path
        for folder in catalog.folders
        if (folder / "scenarios").is_dir()
        for path in sorted((folder / "scenarios").glob("*.toml"))
    ]
    for path in paths:
        load_scenario(str(path), catalog)
    return len(regions), len(paths)


def audit_catalog(catalog, airports=None):
    """Warnings for a loaded :class:`~rangecalc.data.Catalog`.

    ``airports`` is an ICAO-keyed table like ``airportsdata.load('ICAO')``; when None the ICAO check is
    skipped (and said so by the caller).
    """
    findings = []
    for airframe in sorted(catalog.airframes.values(), key=lambda a: a.id):
        for key, figure in airframe.figures.items():
            where = f"figures.{key}"
            corroborating = [s.id for s in figure.sources if s.reliability != "D"]
            if not corroborating:
                findings.append(
                    Finding(
                        airframe.origin,
                        where,
                        f"no source above grade D ({', '.join(s.id for s in figure.sources)}): "
                        "the figure is recorded, not supported",
                    )
                )
            elif len(corroborating) == 1:
                recorded = len(figure.sources) - 1
                noun = "source" if recorded == 1 else "sources"
                also = f"; {recorded} grade-D {noun} recorded but not counted" if recorded else ""
                findings.append(
                    Finding(airframe.origin, where, f"only one source ({corroborating[0]}){also}")
                )
            if figure.sources[0].reliability == "D":
                findings.append(
                    Finding(
                        airframe.origin,
                        where,
                        f"nominal value rests on grade-D source {figure.sources[0].id!r}",
                    )
                )
        radius, rng = airframe.figure("combat_radius_km"), airframe.figure("range_km")
        if rng is not None and radius.nominal > rng.nominal / 2:
            findings.append(
                Finding(
                    airframe.origin,
                    "figures.combat_radius_km",
                    f"nominal radius {radius.nominal:g} km is above half the nominal range {rng.nominal:g} km "
                    "(radius and range confused?)",
                )
            )
    if airports is not None:
        for base in sorted(catalog.bases.values(), key=lambda b: b.id):
            airport = airports.get(base.icao) if base.icao else None
            if airport is None:
                continue
            offset = float(geodesy.distance(base.lon, base.lat, float(airport["lon"]), float(airport["lat"])))
            if offset > max(base.position_uncertainty_m, 1.0):
                findings.append(
                    Finding(
                        base.origin,
                        f"{base.id}.icao",
                        f"airportsdata puts {base.icao} {offset:,.0f} m away, more than the stated "
                        f"uncertainty of {base.position_uncertainty_m:,.0f} m",
                    )
                )
    return findings
