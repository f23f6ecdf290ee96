"""Bases, targets, coordinate text, and turning what a person types into a point.

A place is resolved in this order: a coordinate typed as people type them; a base id, name, alias, ICAO or
IATA code; a target id, name or alias; when the optional ``airportsdata`` package is installed, an ICAO
code it knows; then a city of the offline world gazetteer (:mod:`rangecalc.gazetteer`); and last, only
inside a :func:`geocoding` block, an online geocoder. Names match case- and accent-insensitively, ignoring spaces and
punctuation ("Deir ez-Zor" = "deir-ez-zor" = "DEIR EZ ZOR").
"""

import contextlib
import contextvars
import difflib
import math
import re
import unicodedata
from dataclasses import dataclass, field

from .airframes import Source
from .errors import NotFoundError, UsageError


@dataclass(frozen=True)
class Base:
    """An air base or airfield; ``lon``/``lat`` in degrees (WGS84)."""

    id: str
    name: str
    aliases: tuple[str, ...]
    lon: float
    lat: float
    country: str
    position_uncertainty_m: float
    sources: tuple[Source, ...]
    icao: str | None = None
    iata: str | None = None
    runway_length_m: float | None = None
    elevation_m: float | None = None
    other_codes: dict = field(default_factory=dict, compare=False)
    notes: str = ""
    origin: str = ""

    def as_dict(self):
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "lat": self.lat,
            "lon": self.lon,
            "icao": self.icao,
            "iata": self.iata,
            "other_codes": dict(self.other_codes),
            "country": self.country,
            "runway_length_m": self.runway_length_m,
            "elevation_m": self.elevation_m,
            "position_uncertainty_m": self.position_uncertainty_m,
            "notes": self.notes,
            "sources": [s.as_dict() for s in self.sources],
            "file": self.origin,
        }


@dataclass(frozen=True)
class Target:
    """A named target point of a target set."""

    id: str
    name: str
    aliases: tuple[str, ...]
    lon: float
    lat: float
    country: str
    position_uncertainty_m: float
    sources: tuple[Source, ...]
    set_id: str = ""
    credit: str = ""
    notes: str = ""


@dataclass(frozen=True)
class TargetSet:
    """A named list of targets, e.g. ``syria``, read from ``regions/<id>.toml``."""

    id: str
    name: str
    credit: str
    targets: tuple[Target, ...]
    origin: str = ""


@dataclass(frozen=True)
class Place:
    """A resolved point: what was typed, what it resolved to, and where it came from.

    ``kind`` is one of ``base``, ``target``, ``coordinates``, ``airportsdata``, ``gazetteer`` or
    ``geocoded``; ``ref`` is the :class:`Base` or :class:`Target` (or the gazetteer's city) when there is one; ``note`` says how it was resolved when that is not
    obvious (for example an ICAO code found only in the ``airportsdata`` package).
    """

    label: str
    lon: float
    lat: float
    kind: str
    ref: object = None
    note: str = ""

    @property
    def id(self):
        return getattr(self.ref, "id", None)

    def as_dict(self):
        out = {"name": self.label, "lat": self.lat, "lon": self.lon, "kind": self.kind}
        if self.id:
            out["id"] = self.id
        if self.note:
            out["note"] = self.note
        return out


def normalise_name(text):
    """Fold case and accents and drop everything but letters and digits: ``'Deir ez-Zor'`` -> ``'deirezzor'``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in stripped.casefold() if c.isalnum())


def nearest_named_place(catalog, lon, lat):
    """The base or target nearest to (lon, lat): ``(name, distance_m, bearing_deg)``.

    ``bearing_deg`` is the direction from the named place to the point, so a report can say
    "38 km SE of Daraa".
    """
    from .geodesy import inverse

    places = list(catalog.bases.values()) + [t for s in catalog.target_sets.values() for t in s.targets]
    lons = [p.lon for p in places]
    lats = [p.lat for p in places]
    dist, azimuth, _ = inverse(lons, lats, lon, lat)
    i = int(dist.argmin())
    return places[i].name, float(dist[i]), float(azimuth[i])


def compass(bearing_deg):
    """Sixteen-point compass name of a bearing in degrees ('N', 'NNE', ...)."""
    names = [
        "N",
        "NNE",
        "NE",
        "ENE",
        "E",
        "ESE",
        "SE",
        "SSE",
        "S",
        "SSW",
        "SW",
        "WSW",
        "W",
        "WNW",
        "NW",
        "NNW",
    ]
    return names[round((bearing_deg % 360) / 22.5) % 16]


# --- coordinate text -----------------------------------------------------------------------------------

_NUMBER = r"\d+(?:\.\d*)?|\.\d+"
# One angle: signed decimal degrees, or degrees-minutes-seconds with symbols or spaces, then an optional
# hemisphere letter. Minutes and seconds are optional. A lone 's' after the seconds is the hemisphere
# (south), not the seconds symbol: "33 56 24 S" and "33d56m24s" are south; "24s S" has both.
_ANGLE = re.compile(
    rf"""^\s*(?P<hemi_pre>[NSEW])?\s*(?P<sign>[+-])?\s*(?P<deg>{_NUMBER})\s*(?:°|º|deg|d)?
    (?:\s*(?P<min>{_NUMBER})\s*(?:'|′|’|m|min)?
    (?:\s*(?P<sec>{_NUMBER})\s*(?:"|″|”|''|′′|sec|s(?=\s*[NSEW]\s*$))?)?)?
    \s*(?P<hemi>[NSEW])?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_HEMISPHERE_SPLIT = re.compile(r"""(?<=[\d.°'"′″”’\sSsCc][NSns])[\s,;]*(?=[\s\d+\-.EWew])""")
COORDINATE_FORMS = (
    "'35.21,48.65' (lat,lon), '35.21 48.65', '35.21N 48.65E', '48.65E 35.21N', "
    "'35°12\\'42\"N 48°39\\'12\"E', '35 12 42 N 48 39 12 E'"
)


def looks_like_coordinates(text):
    """True when ``text`` starts like a coordinate pair (a digit, sign or decimal point)."""
    return bool(re.match(r"^\s*[NSns]?\s*[+\-]?\s*[\d.]", text or ""))


def _parse_angle(text):
    """Return ``(degrees, hemisphere letter or None)`` or None if ``text`` is not one angle."""
    match = _ANGLE.match(text)
    if not match:
        return None
    if match["hemi_pre"] and match["hemi"]:
        return None
    hemi = (match["hemi_pre"] or match["hemi"] or "").upper() or None
    degrees = float(match["deg"])
    minutes = float(match["min"]) if match["min"] else 0.0
    seconds = float(match["sec"]) if match["sec"] else 0.0
    if minutes >= 60 or seconds >= 60:
        return None
    if (match["min"] and "." in match["deg"]) or (match["sec"] and "." in match["min"]):
        return None  # "35.5 30" is not a DMS angle
    value = degrees + minutes / 60 + seconds / 3600
    if match["sign"] == "-":
        if hemi:
            return None  # "-35N" is ambiguous
        value = -value
    if hemi in ("S", "W"):
        value = -value
    return value, hemi


def _split_pair(text):
    """The two angle strings of coordinate text: the first split, in order of clarity (a comma, a
    semicolon, after a hemisphere letter, at a space), whose both sides read as angles; None if none do."""
    text = text.strip()
    candidates = []
    if text.count(",") == 1:
        candidates.append(text.split(","))
    if text.count(";") == 1:
        candidates.append(text.split(";"))
    for match in _HEMISPHERE_SPLIT.finditer(text):
        candidates.append([text[: match.start()], text[match.end() :]])
    tokens = text.split()
    if len(tokens) == 2:
        candidates.append(tokens)
    # "35 12 42 N 48 39 12 E" without a separator: split after a hemisphere letter.
    for match in re.finditer(r"[NSEWnsew]\s+", text):
        candidates.append([text[: match.start() + 1], text[match.end() :]])
    for parts in candidates:
        if all(p.strip() and _parse_angle(p) is not None for p in parts):
            return parts
    return None


def parse_coordinates(text):
    """Parse a coordinate pair typed as people type it; returns ``(lon, lat)`` in degrees.

    Without hemisphere letters the order is latitude then longitude, as people write it. With letters
    (N/S/E/W) either order works. Degrees-minutes-seconds may use symbols (``35°12'42"N``) or spaces
    (``35 12 42 N``). Latitude must be within +-90 and longitude within +-180; nothing is wrapped.
    Raises :class:`UsageError` naming the text and the accepted forms.
    """
    if not isinstance(text, str) or not text.strip():
        raise UsageError(f"empty coordinates; accepted forms: {COORDINATE_FORMS}")
    if len(text) > 100:
        raise UsageError(f"coordinates too long ({len(text)} characters); accepted forms: {COORDINATE_FORMS}")
    parts = _split_pair(text)
    angles = [_parse_angle(p) for p in parts] if parts else [None]
    if len(angles) != 2 or None in angles:
        raise UsageError(f"cannot read coordinates {text!r}; accepted forms: {COORDINATE_FORMS}")
    (a, hemi_a), (b, hemi_b) = angles
    lat_letters, lon_letters = {"N", "S"}, {"E", "W"}
    if hemi_a in lon_letters or hemi_b in lat_letters:
        if (hemi_a and hemi_a not in lon_letters) or (hemi_b and hemi_b not in lat_letters):
            raise UsageError(f"coordinates {text!r} give two latitudes or two longitudes")
        a, b = b, a
        hemi_a, hemi_b = hemi_b, hemi_a
    elif (hemi_a and hemi_a not in lat_letters) or (hemi_b and hemi_b not in lon_letters):
        raise UsageError(f"coordinates {text!r} give two latitudes or two longitudes")
    lat, lon = a, b
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise UsageError(f"coordinates {text!r} are not finite numbers")
    if abs(lat) > 90:
        hint = " (is the order lon,lat? write lat,lon)" if abs(lon) <= 90 else ""
        raise UsageError(f"latitude {lat:g} in {text!r} is outside -90..90{hint}")
    if abs(lon) > 180:
        raise UsageError(f"longitude {lon:g} in {text!r} is outside -180..180")
    return lon, lat


# --- name resolution -----------------------------------------------------------------------------------


def _suggest(query, names, kind, accepted_hint=""):
    """Message for an unknown name: close matches first, then what is accepted.

    ``names`` is a list of names, or a dict mapping each name to what should be suggested for it (an id),
    so that several aliases of one entry suggest it once.
    """
    if not isinstance(names, dict):
        names = {n: n for n in names}
    by_key = {}
    for name, shown in names.items():
        # Short codes match almost anything under difflib: compare codes only with short queries.
        if len(normalise_name(name)) > 3 or len(normalise_name(query)) <= 4:
            by_key.setdefault(normalise_name(name), shown)
    close = difflib.get_close_matches(normalise_name(query), list(by_key), n=6, cutoff=0.6)
    shown = list(dict.fromkeys(by_key[c] for c in close))[:3]
    hint = f"; did you mean {', '.join(repr(s) for s in shown)}?" if shown else "."
    accepted = f" Accepted: {accepted_hint}" if accepted_hint else ""
    return f"unknown {kind} {query!r}{hint}{accepted}"


def resolve_place(text, catalog, use_airportsdata=True):
    """Resolve ``text`` (coordinates, base, ICAO/IATA code, target) to a :class:`Place`.

    Raises :class:`NotFoundError` with close matches when nothing matches, or :class:`UsageError` when
    the text looks like coordinates but cannot be read as such.
    """
    if not isinstance(text, str) or not text.strip():
        raise UsageError("empty place name; give a base, a target or coordinates such as '35.21,48.65'")
    if len(text) > 200:
        raise UsageError(f"place name too long ({len(text)} characters)")
    if looks_like_coordinates(text):
        lon, lat = parse_coordinates(text)
        return Place(label=f"{lat:.5f},{lon:.5f}", lon=lon, lat=lat, kind="coordinates")
    base = catalog.find_base(text)
    if base is not None:
        return Place(label=base.name, lon=base.lon, lat=base.lat, kind="base", ref=base)
    target = catalog.find_target(text)
    if target is not None:
        return Place(label=target.name, lon=target.lon, lat=target.lat, kind="target", ref=target)
    if use_airportsdata and re.fullmatch(r"[A-Za-z0-9]{4}", text.strip()):
        place = _from_airportsdata(text.strip().upper())
        if place is not None:
            return place
    place = _from_gazetteer(text)
    if place is not None:
        return place
    geocoder = current_geocoder()
    if geocoder is not None:
        place = geocoder(text.strip())
        if place is not None:
            return place
    from . import gazetteer

    names = dict(catalog.place_names())  # bundled names first: they are suggested by id
    for name, shown in gazetteer.close_names(text).items():
        names.setdefault(name, shown)
    raise NotFoundError(_suggest(text, names, "place", PLACE_FORMS))


PLACE_FORMS = (
    "a base id, name or ICAO code, a target, a city of 15,000+ people (qualify a shared name: "
    "'Tripoli, LB'), or lat,lon."
)


def _from_gazetteer(text):
    """A :class:`Place` for a city of the offline gazetteer, None when it knows no such name."""
    from . import gazetteer

    city = gazetteer.lookup(text)
    if city is None:
        return None
    return Place(
        label=city.label, lon=city.lon, lat=city.lat, kind="gazetteer", ref=city, note=city.describe()
    )


def load_airports():
    """The ``airportsdata`` ICAO table, or None when the optional package is not installed (cached)."""
    if "ICAO" not in _AIRPORTS:
        try:
            import airportsdata
        except ImportError:
            return None
        _AIRPORTS["ICAO"] = airportsdata.load("ICAO")
    return _AIRPORTS["ICAO"]


_AIRPORTS = {}


def _from_airportsdata(icao):
    airports = load_airports()
    airport = airports.get(icao) if airports else None
    if airport is None:
        return None
    return Place(
        label=f"{airport['name']} ({icao})",
        lon=float(airport["lon"]),
        lat=float(airport["lat"]),
        kind="airportsdata",
        note=f"{icao} is not in rangecalc's bases; position from the airportsdata package, unchecked",
    )


# --- online geocoding hook -----------------------------------------------------------------------------

_GEOCODER = contextvars.ContextVar("rangecalc_geocoder", default=None)


def current_geocoder():
    """The geocoder set by the innermost :func:`geocoding` block, or None (the default: nothing online)."""
    return _GEOCODER.get()


@contextlib.contextmanager
def geocoding(geocoder):
    """Within the block, :func:`resolve_place` asks ``geocoder`` about names no offline source knows.

    The contract: ``geocoder`` is a callable taking the text as typed (stripped of surrounding spaces)
    and returning a :class:`Place` (``kind="geocoded"`` by convention, with ``note`` saying where the
    answer came from, e.g. "geocoded by Nominatim (OpenStreetMap, ODbL)"), or None when it finds
    nothing, in which case resolution fails as it would offline, with close matches. It is called last,
    only after coordinates, bundled bases and targets, ``airportsdata`` and the offline gazetteer have
    all failed, and never for text that looks like coordinates. It raises a :class:`RangecalcError`
    (one line) when it cannot answer, e.g. when offline. ``geocoding(None)`` turns geocoding off inside
    the block. The switch is a :mod:`contextvars` variable, so it is local to the thread or task that
    set it and restored on leaving the block; without a block nothing goes online.
    """
    token = _GEOCODER.set(geocoder)
    try:
        yield geocoder
    finally:
        _GEOCODER.reset(token)


def split_place_list(text, what):
    """Place texts from a list typed as ``A,B,C`` (or ``A;B;C``): a ``lat,lon`` pair inside a comma list is
    joined back into one place. ``what`` names the argument in messages."""
    if not text.strip():
        raise UsageError(f"{what} is empty; give at least one place")
    separator = ";" if ";" in text else ","
    pieces = [p.strip() for p in text.split(separator)]
    items = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if (
            separator == ","
            and i + 1 < len(pieces)
            and looks_like_coordinates(piece)
            and _parse_angle(piece) is not None
            and _parse_angle(pieces[i + 1]) is not None
        ):
            piece = f"{piece},{pieces[i + 1]}"
            i += 1
        if not piece:
            raise UsageError(f"{what} {text!r} has an empty item")
        items.append(piece)
        i += 1
    return items
