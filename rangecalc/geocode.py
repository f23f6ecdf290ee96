"""Online geocoding, only when asked: names that no offline source knows, looked up with geopy.

:class:`Geocoder` is the callable that :func:`rangecalc.places.geocoding` expects: text in, a
:class:`~rangecalc.places.Place` (``kind="geocoded"``) or None out. It asks OpenStreetMap's Nominatim
through geopy (the ``geocode`` extra: ``pip install 'rangecalc[geocode]'``), identifies itself with a user
agent naming rangecalc, keeps at least one second between requests (geopy's ``RateLimiter``, as the
Nominatim usage policy asks) and keeps every answer, found or not, in a JSON cache file so that a name is
asked once. :func:`online_geocoding` is the block the CLI's ``--geocode`` runs a command in.

Nothing here goes online at import or construction: only a call does, and only for a name that is not
in the cache. Failures are one-line errors: :class:`GeocodeError` (exit 1: the network or the service
failed, not what was typed) and, for a missing geopy, :class:`~rangecalc.errors.UsageError`.
See docs/geocoding.md.
"""

import contextlib
import datetime
import json
import math
import os
import re
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import __version__
from .errors import DataError, NotFoundError, UsageError
from .places import Place, geocoding

#: The public OpenStreetMap Nominatim; its usage policy allows at most one request per second.
DEFAULT_URL = "https://nominatim.openstreetmap.org"
#: Another Nominatim (a self-hosted one, or a mirror the OSM operators ask users to switch to).
ENV_URL = "RANGECALC_GEOCODE_URL"
#: Folder of the cache file (default: ``$XDG_CACHE_HOME/rangecalc``, else ``~/.cache/rangecalc``).
ENV_CACHE_DIR = "RANGECALC_CACHE_DIR"
CACHE_FILE = "geocode.json"
CACHE_SCHEMA = "rangecalc/geocode-cache/1"
USER_AGENT = f"rangecalc/{__version__} (+https://github.com/rangecalc/rangecalc)"
INSTALL_HINT = "geocoding needs geopy: pip install 'rangecalc[geocode]'"
#: Attribution when the service does not state its licence (the public Nominatim does).
OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
#: Longest text kept from an answer (display name, licence): it is printed in every output format.
MAX_TEXT = 300


class GeocodeError(DataError):
    """The geocoding service could not be asked or did not answer (offline, timeout, HTTP error)."""


@dataclass(frozen=True)
class Geocoded:
    """Where a geocoded position comes from: the ``ref`` of a ``kind="geocoded"`` :class:`Place`.

    ``position_uncertainty_m`` is half the diagonal of the bounding box Nominatim gives for the object
    (its extent; for a town node, Nominatim's own box around it), so that reach verdicts treat a town's
    centre as no more exact than the town.
    """

    query: str
    display_name: str
    lat: float
    lon: float
    service: str
    date: str
    licence: str
    osm_type: str = ""
    osm_id: str = ""
    position_uncertainty_m: float = 0.0
    cached: bool = False

    @property
    def service_name(self):
        return _service_name(self.service)

    @property
    def credit(self):
        """A short credit line for a report's sources: the service, the date, the licence."""
        return f"{self.service_name} via geopy, geocoded {self.date}; {self.licence}"

    def note(self):
        """The line outputs print: the service, the date, whether it came from the cache, the licence."""
        cached = ", cached" if self.cached else ""
        osm = f" ({self.osm_type} {self.osm_id})" if self.osm_type and self.osm_id else ""
        return (
            f"{self.service_name} via geopy, geocoded {self.date}{cached}: {self.display_name}{osm}; "
            f"{self.licence}; position unchecked"
        )


def cache_path(cache_dir=None):
    """The cache file: ``cache_dir``, else ``$RANGECALC_CACHE_DIR``, else the user's cache folder
    (``$XDG_CACHE_HOME/rangecalc``, ``~/.cache/rangecalc``; ``%LOCALAPPDATA%\\rangecalc\\Cache`` on
    Windows), with ``geocode.json`` in it."""
    if cache_dir is None:
        cache_dir = os.environ.get(ENV_CACHE_DIR) or None
    if cache_dir is None:
        if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
            cache_dir = Path(os.environ["LOCALAPPDATA"]) / "rangecalc" / "Cache"
        else:
            base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
            cache_dir = Path(base) / "rangecalc"
    return Path(cache_dir).expanduser() / CACHE_FILE


def service_url(url=None):
    """The Nominatim to ask: ``url``, else ``$RANGECALC_GEOCODE_URL``, else the public one; returned
    without a trailing slash or ``/search``. Only http and https URLs with a host are accepted."""
    source = "url"
    if url is None:
        url = os.environ.get(ENV_URL) or None
        source = ENV_URL
    if url is None:
        return DEFAULT_URL
    text = str(url).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(
            f"{source}: {text!r} is not a Nominatim address; give one such as "
            "'https://nominatim.example.org' or 'http://127.0.0.1:8080/nominatim'"
        )
    path = parts.path.rstrip("/")
    path = path.removesuffix("/search").rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def _cache_key(text):
    """Names are asked case- and space-insensitively: 'Qasr  al-Hayr' and 'qasr al-hayr' are one entry."""
    return " ".join(text.split()).casefold()


def _clean(text, limit=MAX_TEXT):
    """One line of printable text from a server's answer, at most ``limit`` characters."""
    text = "".join(c if c.isprintable() else " " for c in str(text or ""))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _import_geopy():
    try:
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return Nominatim, RateLimiter


def _adapter():
    """geopy's urllib adapter, always: it makes no silent retries, and the answers and errors are the same
    whether or not the ``requests`` package happens to be installed (geopy prefers it when it is)."""
    from geopy.adapters import URLLibAdapter

    return URLLibAdapter


class Geocoder:
    """Look names up with Nominatim through geopy: ``Geocoder()(text)`` -> :class:`Place` or None.

    ``url`` is the Nominatim to ask (default: ``$RANGECALC_GEOCODE_URL``, else the public one);
    ``min_delay_s`` the least time between two requests (geopy's ``RateLimiter``; one second, the public
    Nominatim's limit); ``timeout_s`` how long to wait for an answer; ``cache_dir`` the folder of the cache
    file (see :func:`cache_path`). Failed requests are not retried: the error comes at once, as one line.
    ``notify``, if given, is called with one line of text for every name answered (for a CLI to print).

    Constructing one checks that geopy is installed and the URL is sound; it sends nothing.
    """

    def __init__(self, *, url=None, min_delay_s=1.0, timeout_s=10.0, cache_dir=None, notify=None):
        Nominatim, RateLimiter = _import_geopy()
        if not (min_delay_s >= 0 and math.isfinite(min_delay_s)):
            raise UsageError(f"min_delay_s must be a finite number of seconds >= 0, got {min_delay_s!r}")
        if not (timeout_s > 0 and math.isfinite(timeout_s)):
            raise UsageError(f"timeout_s must be a finite number of seconds > 0, got {timeout_s!r}")
        self.url = service_url(url)
        self.cache_file = cache_path(cache_dir)
        self.notify = notify
        self.misses = []  #: names the service found nothing for, in the order asked
        self.requests = 0  #: requests sent (answers from the cache are not requests)
        scheme, rest = self.url.split("://", 1)
        self._nominatim = Nominatim(
            user_agent=USER_AGENT, domain=rest, scheme=scheme, timeout=timeout_s, adapter_factory=_adapter()
        )
        self._geocode = RateLimiter(
            self._nominatim.geocode,
            min_delay_seconds=min_delay_s,
            max_retries=0,  # one-shot questions: an error is reported now, not after silent retries
            error_wait_seconds=min_delay_s,  # unused without retries; RateLimiter wants it >= the delay
            swallow_exceptions=False,
        )
        self._lock = threading.Lock()

    def __call__(self, text):
        """The :class:`Place` Nominatim gives for ``text`` (from the cache when it was asked before), or
        None when it knows nothing by that name. Raises :class:`GeocodeError` when it cannot be asked."""
        query = " ".join(str(text).split())
        with self._lock:
            entry = self._read_cache().get(_cache_key(query))
            cached = entry is not None
            if entry is None:
                entry = self._ask(query)
                self._write_entry(_cache_key(query), entry)
        if not entry["found"]:
            self.misses.append((query, entry["date"], cached))
            return None
        lat, lon = float(entry["lat"]), float(entry["lon"])  # a cache entry is text someone may have edited
        found = Geocoded(
            query=query,
            display_name=_clean(entry.get("display_name")) or f"{lat:.5f},{lon:.5f}",
            lat=lat,
            lon=lon,
            service=self.url,
            date=_clean(entry["date"], 10),
            licence=_clean(entry.get("licence")) or OSM_ATTRIBUTION,
            osm_type=_clean(entry.get("osm_type"), 20),
            osm_id=_clean(entry.get("osm_id"), 20),
            position_uncertainty_m=max(float(entry.get("position_uncertainty_m", 0.0)), 0.0),
            cached=cached,
        )
        place = Place(
            label=_label(found.display_name) or query,
            lon=found.lon,
            lat=found.lat,
            kind="geocoded",
            ref=found,
            note=found.note(),
        )
        if self.notify is not None:
            self.notify(notice(place))
        return place

    # --- the request ---------------------------------------------------------------------------------

    def _ask(self, query):
        from geopy.exc import (
            GeocoderInsufficientPrivileges,
            GeocoderParseError,
            GeocoderQuotaExceeded,
            GeocoderRateLimited,
            GeocoderTimedOut,
            GeocoderUnavailable,
            GeopyError,
        )

        self.requests += 1
        try:
            location = self._geocode(query, exactly_one=True)
            if location is None:
                return {"found": False, "date": _today()}
            return _entry(location.raw)
        except GeocoderTimedOut:
            reason = f"{self.url} did not answer within {self._nominatim.timeout:g} s"
        except GeocoderUnavailable as exc:
            reason = f"no connection to {self.url} ({_short_reason(exc)})"
        except (GeocoderRateLimited, GeocoderQuotaExceeded, GeocoderInsufficientPrivileges) as exc:
            reason = f"{self.url} refused the request ({_short_reason(exc)}); wait, or use another Nominatim"
        except GeocoderParseError:
            reason = f"{self.url} did not answer with Nominatim JSON"
        except GeopyError as exc:
            gist = _short_reason(exc)
            if gist in ("HTTP 401", "HTTP 403", "HTTP 429"):
                reason = f"{self.url} refused the request ({gist}); wait, or use another Nominatim"
            elif re.search(r"\[Errno -?\d+\]|Connection refused|Name or service not known", str(exc)):
                reason = f"no connection to {self.url} ({gist})"
            else:
                reason = f"{self.url} answered with an error ({gist})"
        except (ValueError, TypeError, KeyError, AttributeError):
            reason = f"{self.url} gave an answer that cannot be read as a Nominatim place"
        raise GeocodeError(f"cannot geocode {query!r}: {reason}; check the network or give coordinates")

    # --- the cache -----------------------------------------------------------------------------------

    def _read_cache(self):
        """This service's entries in the cache file; a missing, unreadable or corrupt file is empty (it is
        rewritten whole at the next answer), and so is every entry that does not validate."""
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("schema") != CACHE_SCHEMA:
            return {}
        entries = data.get("services", {})
        entries = entries.get(self.url, {}) if isinstance(entries, dict) else {}
        if not isinstance(entries, dict):
            return {}
        return {key: entry for key, entry in entries.items() if _valid_entry(entry)}

    def _write_entry(self, key, entry):
        """Add one answer to the cache file: read, merge, write a temporary file, rename (atomic). A cache
        that cannot be written costs a repeated request later, not this answer: ``notify`` says so."""
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("schema") != CACHE_SCHEMA:
                raise ValueError("not a rangecalc geocoding cache")
            services = data.setdefault("services", {})
            if not isinstance(services, dict):
                raise ValueError("not a rangecalc geocoding cache")
        except (OSError, ValueError):
            data = {"schema": CACHE_SCHEMA, "services": {}}
            services = data["services"]
        entries = services.get(self.url)
        if not isinstance(entries, dict):
            entries = services[self.url] = {}
        entries[key] = entry
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                dir=self.cache_file.parent, prefix=".geocode.", suffix=".tmp"
            )
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(data, stream, ensure_ascii=False, indent=1, sort_keys=True)
                os.replace(temporary, self.cache_file)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            if self.notify is not None:
                self.notify(
                    f"cannot write the geocoding cache {str(self.cache_file)!r}: {exc.strerror or exc}"
                )

    def explain(self, exc):
        """``exc`` (a :class:`NotFoundError` for a name the service was asked about) with a sentence saying
        that the service found nothing either; other errors are returned unchanged."""
        message = str(exc)
        for query, date, cached in self.misses:
            if isinstance(exc, NotFoundError) and query in message:
                when = (
                    f" (answer cached {date}; delete {str(self.cache_file)!r} to ask again)" if cached else ""
                )
                return NotFoundError(
                    f"{message} {_service_name(self.url)} found nothing for {query!r} either{when}."
                )
        return exc


def _service_name(url):
    return "OpenStreetMap Nominatim" if url == DEFAULT_URL else f"Nominatim at {url}"


def _today():
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def _entry(raw):
    """The cache entry of a Nominatim place (its JSON object, as geopy's ``Location.raw``)."""
    lat, lon = float(raw["lat"]), float(raw["lon"])
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        raise ValueError(f"position {lat}, {lon} out of range")
    return {
        "found": True,
        "date": _today(),
        "lat": lat,
        "lon": lon,
        "display_name": _clean(raw.get("display_name")) or f"{lat:.5f},{lon:.5f}",
        "licence": _clean(raw.get("licence")) or OSM_ATTRIBUTION,
        "osm_type": _clean(raw.get("osm_type"), 20),
        "osm_id": _clean(raw.get("osm_id"), 20),
        "position_uncertainty_m": _box_half_diagonal(raw.get("boundingbox"), lon, lat),
    }


def _valid_entry(entry):
    if not isinstance(entry, dict) or not isinstance(entry.get("date"), str):
        return False
    if entry.get("found") is False:
        return True
    if entry.get("found") is not True:
        return False
    try:
        lat, lon = float(entry["lat"]), float(entry["lon"])
        if not math.isfinite(float(entry.get("position_uncertainty_m", 0.0))):
            return False
    except (KeyError, TypeError, ValueError):
        return False
    texts = ("display_name", "licence", "osm_type", "osm_id")
    return (
        math.isfinite(lat)
        and math.isfinite(lon)
        and abs(lat) <= 90
        and abs(lon) <= 180
        and all(isinstance(entry.get(k, ""), str) for k in texts)
    )


def _box_half_diagonal(box, lon, lat):
    """Half the geodesic diagonal (m) of Nominatim's ``boundingbox`` [south, north, west, east], or 0
    when it is missing or unreadable, or does not contain the point."""
    from .geodesy import inverse

    try:
        south, north, west, east = (float(v) for v in box)
    except (TypeError, ValueError):
        return 0.0
    if not all(math.isfinite(v) for v in (south, north, west, east)):
        return 0.0
    if not (-90 <= south <= lat <= north <= 90 and -180 <= west <= lon <= east <= 180):
        return 0.0
    distance, _, _ = inverse(west, south, east, north)
    return round(float(distance) / 2, 1)


def _label(display_name):
    """'Qasr al-Hayr al-Sharqi, Palmyra, Homs Governorate, Syria' -> 'Qasr al-Hayr al-Sharqi, Syria'."""
    parts = [p.strip() for p in display_name.split(",") if p.strip()]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else f"{parts[0]}, {parts[-1]}"


def _short_reason(exc):
    """The gist of a geopy error: 'Connection refused', 'timed out', 'HTTP 429', not a urllib3 repr."""
    text = str(exc)
    errno = re.search(r"\[Errno -?\d+\]\s*([^'\")\]]+)", text)
    if errno:
        return errno.group(1).strip()
    if "timed out" in text.casefold():
        return "timed out"
    status = re.match(r"^\s*Non-successful status code (\d+)", text) or re.search(r"HTTP Error (\d+)", text)
    if status:
        return f"HTTP {status.group(1)}"
    cause = [c for c in re.findall(r"'([^']+)'", text.partition("Caused by")[2]) if " " in c]
    if cause:
        return _clean(cause[-1], 120)
    return _clean(text, 120) or type(exc).__name__


def notice(place):
    """The line a CLI prints when a name was geocoded: what was typed, where it went, the full name."""
    ref = place.ref
    cached = f"; cached {ref.date}" if ref.cached else ""
    return (
        f"{ref.query!r} geocoded by {ref.service_name.removeprefix('OpenStreetMap ')} to "
        f"{place.lat:.5f}, {place.lon:.5f} ({ref.display_name}{cached})"
    )


@contextlib.contextmanager
def online_geocoding(**options):
    """Within the block, places that no offline source knows are looked up online with a
    :class:`Geocoder` made with ``options``; a name it does not know either fails with a message that says
    so. This is what ``rangecalc --geocode`` runs a command in."""
    geocoder = Geocoder(**options)
    with geocoding(geocoder):
        try:
            yield geocoder
        except NotFoundError as exc:
            explained = geocoder.explain(exc)
            if explained is exc:
                raise
            raise explained from None
