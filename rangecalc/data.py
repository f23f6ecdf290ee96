"""Load and validate the data files: airframes, bases and target sets.

Bundled data sits at the repository root (``airframes/``, ``bases/``, ``regions/``) and ships inside the
wheel as ``rangecalc/data/``. A user data directory (``data_dir`` argument, else the
``RANGECALC_DATA_DIR`` environment variable) with the same layout is read after it; a user entry
overrides a bundled one with the same id. Nothing is read at import time; :func:`load_catalog` caches.

Every error is a :class:`~rangecalc.errors.DataError` naming the file and the key.
"""

import functools
import math
import os
import re
import stat
import tomllib
import urllib.parse
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .airframes import (
    BANDS,
    FIGURE_BOUNDS,
    FIGURE_UNITS,
    RELIABILITY_GRADES,
    Airframe,
    Figure,
    PayloadRadius,
    Source,
)
from .errors import DataError, NotFoundError, UsageError
from .places import Base, Target, TargetSet, _suggest, normalise_name

ENV_DATA_DIR = "RANGECALC_DATA_DIR"
DATA_FOLDERS = ("airframes", "bases", "regions", "scenarios")
#: Data files larger than this are refused before they are parsed.
MAX_FILE_BYTES = 5 * 1024 * 1024
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
#: Accepted field elevations in metres above mean sea level (the Dead Sea shore to the highest airfields).
ELEVATION_RANGE_M = (-500.0, 6000.0)


def bundled_data_dir():
    """The folder holding the bundled ``airframes/``, ``bases/`` and ``regions/``."""
    packaged = resources.files("rangecalc") / "data"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent  # a source checkout or an editable install


def user_data_dir(data_dir=None, source="--data-dir"):
    """The user data directory given (``source`` names where it came from, for messages), else
    ``$RANGECALC_DATA_DIR``, else None. A path that is not a folder is a usage error."""
    if data_dir is None:
        data_dir, source = os.environ.get(ENV_DATA_DIR) or None, ENV_DATA_DIR
    if data_dir is None:
        return None
    path = Path(data_dir).expanduser()
    if not path.is_dir():
        problem = "is not a folder" if path.exists() else "does not exist"
        raise UsageError(
            f"{source}: {str(data_dir)!r} {problem}; give a folder holding airframes/, bases/ or regions/"
        )
    return path.resolve()


# --- reading and checking values -----------------------------------------------------------------------


def read_file_bytes(path, limit=MAX_FILE_BYTES, what="data files"):
    """The bytes of a regular file, at most ``limit`` of them; a FIFO, device or folder (or a symbolic
    link to one) is refused without being opened for reading, and the cap counts bytes actually read (a
    link to /dev/zero or a file growing under us stays bounded)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DataError(f"{path}: not a regular file; only regular files are read")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            raw = stream.read(limit + 1)
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise DataError(f"{path}: larger than {limit // 2**20} MiB, the limit for {what}")
    return raw


def decode_text(path, raw):
    """UTF-8 text of a file's bytes (a leading byte-order mark, as Windows editors write, is dropped)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None


def read_toml(path):
    """Parse a TOML file; any failure is a one-line :class:`DataError` naming the file."""
    text = decode_text(path, read_file_bytes(path))
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path}: TOML syntax error: {exc}") from None
    except RecursionError:
        raise DataError(f"{path}: nested too deeply to read") from None


_FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def control_character(text):
    """The problem with ``text`` if it holds a character XML 1.0 forbids (a control character other than
    tab and line breaks, U+FFFE/U+FFFF, a lone surrogate), for a data error; None when it holds none."""
    bad = _FORBIDDEN_CHARACTERS.search(text)
    return None if bad is None else f"contains the control character U+{ord(bad.group()):04X}; remove it"


_LINE_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")


class _Checker:
    """Typed access to one parsed file, raising DataError with ``file: key: problem``."""

    def __init__(self, path):
        self.path = path

    def fail(self, key, problem):
        raise DataError(f"{self.path}: {key}: {problem}")

    def get(self, table, key, kinds, where, required=True, default=None):
        name = f"{where}.{key}" if where else key
        if key not in table:
            if required:
                self.fail(name, "missing")
            return default
        value = table[key]
        if isinstance(value, bool) and bool not in kinds:
            self.fail(name, f"expected {_kind_names(kinds)}, got a boolean")
        if not isinstance(value, kinds):
            self.fail(name, f"expected {_kind_names(kinds)}, got {type(value).__name__} {_short(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(name, f"must be a finite number, got {value}")
        if isinstance(value, str):
            value = self._clean(name, value)
        return value

    def _clean(self, name, value):
        """Text as every output can carry it: characters XML 1.0 forbids (control characters but tab
        and newline) are refused, and line breaks fold into spaces, so that a field can neither break a
        KML or SVG file nor start a Markdown heading or table row."""
        problem = control_character(value)
        if problem:
            self.fail(name, problem)
        return _LINE_BREAKS.sub(" ", value) if "\n" in value or "\r" in value else value

    def text(self, table, key, where, required=True, default=""):
        value = self.get(table, key, (str,), where, required, default)
        if required and not value.strip():
            self.fail(f"{where}.{key}" if where else key, "must not be empty")
        return value

    def number(self, table, key, where, required=True, minimum=0.0, maximum=1e9):
        value = self.get(table, key, (int, float), where, required)
        if value is None:
            return None
        name = f"{where}.{key}" if where else key
        if not math.isfinite(value):
            self.fail(name, f"must be a finite number, got {value}")
        if value < minimum:
            self.fail(name, f"must be >= {minimum:g}, got {value:g}")
        if value > maximum:
            self.fail(name, f"must be <= {maximum:g}, got {value:g}")
        return float(value)

    def ident(self, table, key, where):
        value = self.text(table, key, where)
        if not _ID.match(value):
            self.fail(
                f"{where}.{key}" if where else key,
                f"{value!r} is not a valid id (lower-case letters, digits and '-')",
            )
        return value

    def strings(self, table, key, where):
        values = self.get(table, key, (list,), where, required=False, default=[])
        for i, v in enumerate(values):
            if not isinstance(v, str) or not v.strip():
                self.fail(f"{where}.{key}[{i}]" if where else f"{key}[{i}]", "must be a non-empty string")
        return tuple(values)

    def unknown_keys(self, table, allowed, where):
        for key in table:
            if key not in allowed:
                name = f"{where}.{key}" if where else key
                self.fail(name, f"unknown key; accepted: {', '.join(sorted(allowed))}")

    def source(self, table, where, source_id, graded):
        self.unknown_keys(
            table, {"title", "url", "publication", "states", "conditions", "reliability"}, where
        )
        url = self.get(table, "url", (str,), where, required=False)
        if url is not None:
            parts = urllib.parse.urlsplit(url.strip())
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in url.strip():
                self.fail(
                    f"{where}.url",
                    f"{_short(url)} is not an http(s) address; only http:// and https:// are accepted",
                )
        publication = self.get(table, "publication", (str,), where, required=False)
        if not (url or publication):
            self.fail(where, "a source needs a url or a publication")
        reliability = self.get(table, "reliability", (str,), where, required=graded)
        if reliability is not None and reliability not in RELIABILITY_GRADES:
            self.fail(
                f"{where}.reliability",
                f"{reliability!r} is not a grade; accepted: {', '.join(RELIABILITY_GRADES)}",
            )
        return Source(
            id=source_id,
            title=self.text(table, "title", where),
            states=self.text(table, "states", where),
            url=url,
            publication=publication,
            conditions=self.get(table, "conditions", (str,), where, required=False),
            reliability=reliability,
        )

    def inline_sources(self, table, where):
        sources = self.get(table, "sources", (list,), where)
        if not sources:
            self.fail(f"{where}.sources", "at least one source is required")
        out = []
        for i, item in enumerate(sources):
            if not isinstance(item, dict):
                self.fail(f"{where}.sources[{i}]", "must be a table with title, url and states")
            out.append(self.source(item, f"{where}.sources[{i}]", f"{where}.sources[{i}]", graded=False))
        return tuple(out)

    def lat_lon(self, table, where):
        lat = self.number(table, "lat", where, minimum=-1e9)
        lon = self.number(table, "lon", where, minimum=-1e9)
        if abs(lat) > 90:
            self.fail(
                f"{where}.lat",
                f"{lat:g} is outside -90..90" + (" (lat and lon swapped?)" if abs(lon) <= 90 else ""),
            )
        if abs(lon) > 180:
            self.fail(f"{where}.lon", f"{lon:g} is outside -180..180")
        return lon, lat


def _kind_names(kinds):
    names = {
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    return " or ".join(dict.fromkeys(names[k] for k in kinds))


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- airframes -----------------------------------------------------------------------------------------

_AIRFRAME_KEYS = {
    "id",
    "name",
    "aliases",
    "role",
    "notes",
    "refuelling",
    "figures",
    "sources",
    "payload_radius",
}
_FIGURE_KEYS = {*BANDS, "conditions", "sources", "note", "reference_payload_kg"}


def _origin(path, label):
    return label or str(path)


def parse_airframe(path, label=None):
    """Read and validate one airframe file (see ``docs/data-format.md``).

    ``label`` is how the file is cited in outputs (default: its path).
    """
    doc = read_toml(path)
    check = _Checker(path)
    check.unknown_keys(doc, _AIRFRAME_KEYS, "")
    raw_sources = check.get(doc, "sources", (dict,), "")
    sources = {}
    for source_id, table in raw_sources.items():
        if not isinstance(table, dict):
            check.fail(f"sources.{source_id}", "must be a table")
        sources[source_id] = check.source(table, f"sources.{source_id}", source_id, graded=True)

    def source_refs(table, where):
        ids = check.strings(table, "sources", where)
        if not ids:
            check.fail(f"{where}.sources", "at least one source id is required")
        for i, source_id in enumerate(ids):
            if source_id not in sources:
                check.fail(f"{where}.sources[{i}]", _suggest(source_id, list(sources), "source id"))
        return tuple(sources[s] for s in ids)

    raw_figures = check.get(doc, "figures", (dict,), "")
    figures = {}
    for key, table in raw_figures.items():
        where = f"figures.{key}"
        if key not in FIGURE_UNITS:
            check.fail(where, f"unknown figure or unit; accepted: {', '.join(FIGURE_UNITS)}")
        if not isinstance(table, dict):
            check.fail(where, "must be a table with low, nominal, high, conditions and sources")
        check.unknown_keys(table, _FIGURE_KEYS, where)
        minimum, maximum = FIGURE_BOUNDS[key]
        low, nominal, high = (
            check.number(table, band, where, minimum=minimum, maximum=maximum) for band in BANDS
        )
        if not low <= nominal <= high:
            check.fail(where, f"needs low <= nominal <= high, got {low:g}, {nominal:g}, {high:g}")
        figures[key] = Figure(
            key=key,
            low=low,
            nominal=nominal,
            high=high,
            conditions=check.text(table, "conditions", where),
            sources=source_refs(table, where),
            note=check.text(table, "note", where, required=False),
            reference_payload_kg=check.number(table, "reference_payload_kg", where, required=False),
        )
    if "combat_radius_km" not in figures:
        check.fail("figures.combat_radius_km", "missing; every airframe needs a combat radius")
    if figures["combat_radius_km"].low <= 0:
        check.fail("figures.combat_radius_km.low", "must be > 0")
    if "cruise_speed_kmh" in figures and figures["cruise_speed_kmh"].low <= 0:
        check.fail("figures.cruise_speed_kmh.low", "must be > 0")

    pairs = []
    for i, table in enumerate(check.get(doc, "payload_radius", (list,), "", required=False, default=[])):
        where = f"payload_radius[{i}]"
        if not isinstance(table, dict):
            check.fail(where, "must be a table")
        check.unknown_keys(table, {"payload_kg", "combat_radius_km", "sources", "note"}, where)
        radius = check.get(table, "combat_radius_km", (dict,), where)
        band = tuple(check.number(radius, b, f"{where}.combat_radius_km") for b in BANDS)
        if not band[0] <= band[1] <= band[2]:
            check.fail(f"{where}.combat_radius_km", f"needs low <= nominal <= high, got {band}")
        pairs.append(
            PayloadRadius(
                payload_kg=check.number(table, "payload_kg", where),
                combat_radius_km=band,
                sources=source_refs(table, where),
                note=check.text(table, "note", where, required=False),
            )
        )
    payloads = [p.payload_kg for p in pairs]
    if len(set(payloads)) != len(payloads):
        check.fail("payload_radius", "two pairs give the same payload_kg")

    refuelling = check.get(doc, "refuelling", (dict,), "")
    check.unknown_keys(refuelling, {"in_flight", "note", "sources"}, "refuelling")
    return Airframe(
        id=check.ident(doc, "id", ""),
        name=check.text(doc, "name", ""),
        aliases=check.strings(doc, "aliases", ""),
        role=check.text(doc, "role", "", required=False),
        notes=check.text(doc, "notes", "", required=False),
        in_flight_refuelling=check.get(refuelling, "in_flight", (bool,), "refuelling"),
        refuelling_note=check.text(refuelling, "note", "refuelling", required=False),
        refuelling_sources=source_refs(refuelling, "refuelling"),
        figures=figures,
        sources=sources,
        payload_radius=tuple(sorted(pairs, key=lambda p: p.payload_kg)),
        origin=_origin(path, label),
    )


# --- bases and targets ---------------------------------------------------------------------------------

_BASE_KEYS = {
    "id", "name", "aliases", "lat", "lon", "icao", "iata", "country", "runway_length_m",
    "elevation_m", "position_uncertainty_m", "other_codes", "notes", "sources",
}  # fmt: skip
_TARGET_KEYS = {
    "id",
    "name",
    "aliases",
    "lat",
    "lon",
    "country",
    "position_uncertainty_m",
    "notes",
    "sources",
}


def _country(check, table, where):
    value = check.text(table, "country", where)
    if not _ISO3.match(value):
        check.fail(f"{where}.country", f"{value!r} is not an ISO 3166-1 alpha-3 code (e.g. 'RUS', 'SYR')")
    return value


def parse_bases(path, label=None):
    """Read and validate one bases file: a list of ``[[bases]]`` tables."""
    doc = read_toml(path)
    check = _Checker(path)
    check.unknown_keys(doc, {"bases"}, "")
    out = []
    for i, table in enumerate(check.get(doc, "bases", (list,), "")):
        where = f"bases[{i}]"
        if not isinstance(table, dict):
            check.fail(where, "must be a table")
        check.unknown_keys(table, _BASE_KEYS, where)
        lon, lat = check.lat_lon(table, where)
        icao = check.get(table, "icao", (str,), where, required=False)
        if icao is not None and not re.fullmatch(r"[A-Z]{4}", icao):
            check.fail(f"{where}.icao", f"{icao!r} is not a four-letter ICAO code")
        iata = check.get(table, "iata", (str,), where, required=False)
        if iata is not None and not re.fullmatch(r"[A-Z]{3}", iata):
            check.fail(f"{where}.iata", f"{iata!r} is not a three-letter IATA code")
        other_codes = check.get(table, "other_codes", (dict,), where, required=False, default={})
        for key, code in other_codes.items():
            if not isinstance(code, str):
                check.fail(f"{where}.other_codes.{key}", "must be a string")
        out.append(
            Base(
                id=check.ident(table, "id", where),
                name=check.text(table, "name", where),
                aliases=check.strings(table, "aliases", where),
                lon=lon,
                lat=lat,
                country=_country(check, table, where),
                position_uncertainty_m=check.number(table, "position_uncertainty_m", where),
                sources=check.inline_sources(table, where),
                icao=icao,
                iata=iata,
                runway_length_m=check.number(table, "runway_length_m", where, required=False, maximum=20_000),
                elevation_m=check.number(
                    table,
                    "elevation_m",
                    where,
                    required=False,
                    minimum=ELEVATION_RANGE_M[0],
                    maximum=ELEVATION_RANGE_M[1],
                ),
                other_codes=dict(other_codes),
                notes=check.text(table, "notes", where, required=False),
                origin=_origin(path, label),
            )
        )
    return out


def parse_target_set(path, label=None):
    """Read and validate one target-set file (``regions/<id>.toml``)."""
    doc = read_toml(path)
    check = _Checker(path)
    check.unknown_keys(doc, {"id", "name", "credit", "targets"}, "")
    set_id = check.ident(doc, "id", "")
    credit = check.text(doc, "credit", "", required=False)
    targets = []
    for i, table in enumerate(check.get(doc, "targets", (list,), "")):
        where = f"targets[{i}]"
        if not isinstance(table, dict):
            check.fail(where, "must be a table")
        check.unknown_keys(table, _TARGET_KEYS, where)
        lon, lat = check.lat_lon(table, where)
        targets.append(
            Target(
                id=check.ident(table, "id", where),
                name=check.text(table, "name", where),
                aliases=check.strings(table, "aliases", where),
                lon=lon,
                lat=lat,
                country=_country(check, table, where),
                position_uncertainty_m=check.number(table, "position_uncertainty_m", where),
                sources=check.inline_sources(table, where),
                set_id=set_id,
                credit=credit,
                notes=check.text(table, "notes", where, required=False),
            )
        )
    if not targets:
        check.fail("targets", "a target set needs at least one target")
    _check_unique(check, [t.id for t in targets], "targets", "id")
    return TargetSet(
        id=set_id,
        name=check.text(doc, "name", ""),
        credit=credit,
        targets=tuple(targets),
        origin=_origin(path, label),
    )


def _check_unique(check, ids, where, what):
    seen = set()
    for i, value in enumerate(ids):
        if value in seen:
            check.fail(f"{where}[{i}].{what}", f"duplicate {what} {value!r}")
        seen.add(value)


# --- the catalog ---------------------------------------------------------------------------------------


@dataclass
class Catalog:
    """Everything in the bundled and user data folders, with name lookup. Each kind (airframes, bases,
    target sets) is read and validated when first used, so a command that needs no bases reads none."""

    def __init__(self, folders=()):
        self.folders = tuple(folders)

    def _label(self, path, folder):
        # Bundled files are cited by their place in the repository, user files by their path.
        return f"{path.relative_to(folder).as_posix()} (bundled)" if folder == self.folders[0] else str(path)

    def _load(self, sub, parse):
        """Every item of one kind, folder by folder: ids unique within a folder, later folders override."""
        merged = {}
        for folder in self.folders:
            registry = {}
            for path in _data_files(folder, sub):
                items = parse(path, self._label(path, folder))
                for i, item in enumerate(items if isinstance(items, list) else [items]):
                    _add_unique(registry, item, path, f"bases[{i}].id" if sub == "bases" else "id")
            merged.update(registry)
        return merged

    @functools.cached_property
    def airframes(self):
        return self._load("airframes", parse_airframe)

    @functools.cached_property
    def bases(self):
        return self._load("bases", parse_bases)

    @functools.cached_property
    def target_sets(self):
        return self._load("regions", parse_target_set)

    @functools.cached_property
    def _airframe_index(self):
        return _index(self.airframes.values(), lambda a: (a.id, a.name, *a.aliases))

    @functools.cached_property
    def _base_index(self):
        return _index(self.bases.values(), lambda b: (b.id, b.name, *b.aliases, b.icao or "", b.iata or ""))

    @functools.cached_property
    def _target_index(self):
        targets = [t for s in self.target_sets.values() for t in s.targets]
        return _index(targets, lambda t: (t.id, t.name, *t.aliases))

    def validate(self):
        """Read and validate every kind now (``check-data``); returns the catalog."""
        for kind in ("airframes", "bases", "target_sets", "_airframe_index", "_base_index", "_target_index"):
            getattr(self, kind)
        return self

    def airframe(self, name):
        """The airframe with this id, name or alias; :class:`NotFoundError` with suggestions otherwise."""
        found = self._airframe_index.get(normalise_name(name or ""))
        if found is None:
            names = {n: a.id for a in self.airframes.values() for n in (a.id, a.name, *a.aliases)}
            known = ", ".join(sorted(self.airframes))
            raise NotFoundError(_suggest(name or "", names, "airframe", f"{known}."))
        return found

    def find_base(self, name):
        return self._base_index.get(normalise_name(name))

    def base(self, name):
        found = self.find_base(name or "")
        if found is None:
            raise NotFoundError(_suggest(name or "", self.base_names(), "base", "see 'rangecalc bases'."))
        return found

    def find_target(self, name):
        return self._target_index.get(normalise_name(name))

    def target_set(self, name):
        found = self.target_sets.get((name or "").strip().lower())
        if found is None:
            known = ", ".join(sorted(self.target_sets))
            raise NotFoundError(_suggest(name or "", list(self.target_sets), "target set", f"{known}."))
        return found

    def bases_in(self, country=None):
        """Bases sorted by id, optionally only those of ``country`` (ISO 3166 alpha-3)."""
        bases = sorted(self.bases.values(), key=lambda b: b.id)
        if country is None:
            return bases
        code = country.strip().upper()
        if not _ISO3.match(code):
            raise UsageError(f"--country {country!r} is not an ISO 3166 alpha-3 code (e.g. RUS, SYR, IRN)")
        found = [b for b in bases if b.country == code]
        if not found:
            countries = sorted({b.country for b in bases if b.country})
            raise NotFoundError(f"--country {code}: no bases in {code}; bases are in {', '.join(countries)}")
        return found

    def base_names(self):
        """Every base name and alias, mapped to the base id (for suggestions)."""
        return {n: b.id for b in self.bases.values() for n in (b.id, b.name, *b.aliases)}

    def place_names(self):
        """Every base and target name and alias, mapped to its id (for suggestions)."""
        targets = {
            n: t.id for s in self.target_sets.values() for t in s.targets for n in (t.id, t.name, *t.aliases)
        }
        return {**targets, **self.base_names()}


def _index(items, names_of):
    index = {}
    for item in items:
        for name in names_of(item):
            key = normalise_name(name)
            if key:
                index.setdefault(key, item)
    return index


def _data_files(folder, sub, pattern="*.toml"):
    path = folder / sub
    return sorted(path.glob(pattern)) if path.is_dir() else []


def load_catalog(data_dir=None, source="--data-dir"):
    """The bundled and user data, read and validated kind by kind when first used; cached per user
    directory (``source`` names where ``data_dir`` came from, for messages).

    Within one folder ids must be unique; a user folder's entries replace bundled ones with the same id.
    """
    return _load_catalog(user_data_dir(data_dir, source))


@functools.lru_cache(maxsize=8)
def _load_catalog(user_dir):
    return Catalog(folders=(bundled_data_dir(),) + ((user_dir,) if user_dir else ()))


def _add_unique(registry, item, path, key):
    if item.id in registry:
        other = registry[item.id]
        other_file = getattr(other, "origin", "")
        raise DataError(f"{path}: {key}: duplicate id {item.id!r} (also in {other_file})")
    registry[item.id] = item
