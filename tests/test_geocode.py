"""Online geocoding (rangecalc.geocode and --geocode): geopy pointed at a local HTTP server on 127.0.0.1 that
replays Nominatim answers written in its documented format (tests/data/nominatim/, see its README).
Nothing goes online: the server counts the requests it gets, so the tests see exactly what would be sent.
"""

import datetime
import json
import re
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from geographiclib.geodesic import Geodesic

from rangecalc import __version__, places
from rangecalc.data import load_catalog
from rangecalc.errors import NotFoundError, UsageError
from rangecalc.geocode import (
    CACHE_FILE,
    DEFAULT_URL,
    ENV_CACHE_DIR,
    ENV_URL,
    GeocodeError,
    Geocoder,
    cache_path,
    online_geocoding,
    service_url,
)
from rangecalc.places import resolve_place

RECORDED = Path(__file__).parent / "data" / "nominatim" / "search"
CASTLE = "Qasr al-Hayr al-Sharqi"  # known to no offline source of rangecalc
NOWHERE = "Xyzzy Plugh"  # known to nobody: the server answers [] as Nominatim does
WGS84 = Geodesic.WGS84


def recorded(name):
    """The recorded answer for ``name`` (the file the server replays), read here independently."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    path = RECORDED / f"{slug}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


class Replay(BaseHTTPRequestHandler):
    """Nominatim's /search, from the recorded files; ``server.reply`` overrides (status, body)."""

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        self.server.requests.append({"path": url.path, "query": query, "headers": dict(self.headers)})
        if self.server.reply is not None:
            status, body = self.server.reply
        elif not url.path.endswith("/search"):
            status, body = 404, "not found"
        else:
            limit = int(query.get("limit", ["10"])[0])
            status, body = 200, json.dumps(recorded(query["q"][0])[:limit], ensure_ascii=False)
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    server.requests = []
    server.reply = None
    server.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 that refuses connections: bound (so that nobody else takes it), not listening."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def geocoder(nominatim, tmp_path):
    def make(**options):
        options = {"url": nominatim.url, "cache_dir": tmp_path / "cache", "min_delay_s": 0, **options}
        return Geocoder(**options)

    return make


@pytest.fixture
def cli_env(nominatim, tmp_path, monkeypatch):
    """The CLI pointed at the replay server, with its cache in a temporary folder."""
    monkeypatch.setenv(ENV_URL, nominatim.url)
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    return nominatim


def today_between(before, after, text):
    """The ISO date in ``text``, checked to lie between the dates before and after the call."""
    dates = re.findall(r"\d{4}-\d{2}-\d{2}", text)
    assert len(dates) == 1, text
    assert before <= dates[0] <= after
    return dates[0]


def utc_today():
    return datetime.datetime.now(datetime.UTC).date().isoformat()


# --- the library: what is asked, what comes back ---------------------------------------------------------


def test_place_resolves_to_the_recorded_position(geocoder):
    answer = recorded(CASTLE)[0]
    before = utc_today()
    place = geocoder()(CASTLE)
    after = utc_today()
    assert place.kind == "geocoded"
    assert (place.lat, place.lon) == (float(answer["lat"]), float(answer["lon"]))
    assert place.label == "Qasr al-Hayr al-Sharqi, Syria"
    assert place.ref.display_name == answer["display_name"]
    assert place.ref.osm_type == "way" and place.ref.osm_id == str(answer["osm_id"])
    assert not place.ref.cached
    # The note says where the answer came from, when, under which licence: outputs print it.
    assert answer["display_name"] in place.note and answer["licence"] in place.note
    assert "via geopy" in place.note and "cached" not in place.note
    today_between(before, after, place.note)
    assert place.as_dict()["kind"] == "geocoded" and place.as_dict()["note"] == place.note
    assert place.ref.credit.endswith(f"; {answer['licence']}")


def test_the_request_carries_the_user_agent_and_the_query(geocoder, nominatim):
    geocoder()(CASTLE)
    assert len(nominatim.requests) == 1
    request = nominatim.requests[0]
    assert request["path"] == "/search"
    assert request["query"]["q"] == [CASTLE]
    assert request["query"]["format"] == ["json"]
    assert request["query"]["limit"] == ["1"]
    assert (
        request["headers"]["User-Agent"]
        == f"rangecalc/{__version__} (+https://github.com/rangecalc/rangecalc)"
    )


def test_the_first_answer_is_taken(geocoder, nominatim):
    first = recorded("Tripoli")[0]
    place = geocoder()("Tripoli")
    assert (place.lat, place.lon) == (float(first["lat"]), float(first["lon"]))
    assert place.label == "Tripoli, Libya"


def test_position_uncertainty_is_half_the_bounding_box_diagonal(geocoder):
    south, north, west, east = (float(v) for v in recorded("Tripoli")[0]["boundingbox"])
    expected = WGS84.Inverse(south, west, north, east)["s12"] / 2
    place = geocoder()("Tripoli")
    assert place.ref.position_uncertainty_m == pytest.approx(expected, abs=0.1)
    assert 10_000 < place.ref.position_uncertainty_m < 30_000  # a city, ~15 km across each way


def test_a_name_nobody_knows_is_none(geocoder, nominatim):
    g = geocoder()
    assert g(NOWHERE) is None
    assert [r["query"]["q"] for r in nominatim.requests] == [[NOWHERE]]
    assert g.misses and g.misses[0][0] == NOWHERE


def test_the_service_url_may_have_a_path(geocoder, nominatim):
    place = geocoder(url=nominatim.url + "/nominatim/search/")(CASTLE)
    assert nominatim.requests[0]["path"] == "/nominatim/search"
    assert place.ref.service == nominatim.url + "/nominatim"


# --- the cache ---------------------------------------------------------------------------------------------


def test_the_cache_is_written_and_a_name_is_asked_once(geocoder, nominatim, tmp_path):
    answer = recorded(CASTLE)[0]
    geocoder()(CASTLE)
    cache = json.loads((tmp_path / "cache" / CACHE_FILE).read_text(encoding="utf-8"))
    entry = cache["services"][nominatim.url][CASTLE.casefold()]
    assert (entry["lat"], entry["lon"]) == (float(answer["lat"]), float(answer["lon"]))
    # A new geocoder (a new process) with the same cache: no request, the same place, said to be cached.
    again = geocoder()
    place = again("  qasr AL-HAYR   al-sharqi ")
    assert len(nominatim.requests) == 1 and again.requests == 0
    assert (place.lat, place.lon) == (float(answer["lat"]), float(answer["lon"]))
    assert place.ref.cached and ", cached" in place.note
    assert entry["date"] in place.note


def test_two_geocoders_sharing_a_cache_keep_both_answers(geocoder, nominatim, tmp_path):
    """Each answer is merged into the file as it is then, not over what another process wrote meanwhile."""
    first, second = geocoder(), geocoder()
    first(CASTLE)
    second("Tripoli")
    folder = tmp_path / "cache"
    entries = json.loads((folder / CACHE_FILE).read_text(encoding="utf-8"))["services"][nominatim.url]
    assert set(entries) == {CASTLE.casefold(), "tripoli"}
    assert [p.name for p in folder.iterdir()] == [CACHE_FILE]  # no temporary file left behind


def test_a_name_in_any_script(geocoder, nominatim, tmp_path):
    name = "Ḥalab al-Jadīda حلب"
    assert geocoder()(name) is None
    assert nominatim.requests[0]["query"]["q"] == [name]
    entries = json.loads((tmp_path / "cache" / CACHE_FILE).read_text(encoding="utf-8"))["services"]
    assert entries[nominatim.url][name.casefold()]["found"] is False


def test_a_name_not_found_is_cached_too(geocoder, nominatim):
    geocoder()(NOWHERE)
    again = geocoder()
    assert again(NOWHERE) is None
    assert len(nominatim.requests) == 1
    assert again.misses[0][2] is True  # from the cache


def test_the_cache_is_per_service(geocoder, nominatim):
    geocoder()(CASTLE)
    geocoder(url=nominatim.url + "/other")(CASTLE)
    assert len(nominatim.requests) == 2


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"schema": "something else", "services": {}}',
        '{"schema": "rangecalc/geocode-cache/1", "services": []}',
        "\x00\xff",
    ],
)
def test_a_corrupt_cache_is_empty_and_rewritten(geocoder, nominatim, tmp_path, content):
    path = tmp_path / "cache" / CACHE_FILE
    path.parent.mkdir()
    path.write_bytes(content.encode("latin-1"))
    place = geocoder()(CASTLE)
    assert place.lat == float(recorded(CASTLE)[0]["lat"])
    assert len(nominatim.requests) == 1
    cache = json.loads(path.read_text(encoding="utf-8"))
    assert CASTLE.casefold() in cache["services"][nominatim.url]


def test_a_bad_cache_entry_is_asked_again(geocoder, nominatim, tmp_path):
    path = tmp_path / "cache" / CACHE_FILE
    path.parent.mkdir()
    bad = {"found": True, "date": "2026-01-01", "lat": 135.0, "lon": 39.0}  # latitude out of range
    path.write_text(
        json.dumps(
            {"schema": "rangecalc/geocode-cache/1", "services": {nominatim.url: {CASTLE.casefold(): bad}}}
        )
    )
    place = geocoder()(CASTLE)
    assert len(nominatim.requests) == 1
    assert place.lat == float(recorded(CASTLE)[0]["lat"])


def test_a_hand_edited_cache_entry_is_read_as_numbers_and_one_line(geocoder, nominatim, tmp_path):
    path = tmp_path / "cache" / CACHE_FILE
    path.parent.mkdir()
    edited = {"found": True, "date": "2026-01-01", "lat": "35.5", "lon": 39, "display_name": "A\nB, Syria"}
    path.write_text(
        json.dumps({"schema": "rangecalc/geocode-cache/1", "services": {nominatim.url: {"a b": edited}}})
    )
    place = geocoder()("A  B")
    assert nominatim.requests == []
    assert (place.lat, place.lon) == (35.5, 39.0) and isinstance(place.lat, float)
    assert place.ref.display_name == "A B, Syria" and place.label == "A B, Syria"
    assert "© OpenStreetMap contributors" in place.note  # no licence recorded: OSM's attribution


def test_a_cache_that_cannot_be_written_costs_nothing_but_a_notice(nominatim, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    lines = []
    place = Geocoder(url=nominatim.url, cache_dir=blocker / "cache", min_delay_s=0, notify=lines.append)(
        CASTLE
    )
    assert place.lat == float(recorded(CASTLE)[0]["lat"])
    assert any(line.startswith("cannot write the geocoding cache") for line in lines), lines


def test_the_cache_location(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_CACHE_DIR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform != "win32":
        assert cache_path() == tmp_path / "xdg" / "rangecalc" / "geocode.json"
        monkeypatch.delenv("XDG_CACHE_HOME")
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        assert cache_path() == tmp_path / "home" / ".cache" / "rangecalc" / "geocode.json"
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "mine"))
    assert cache_path() == tmp_path / "mine" / "geocode.json"
    assert cache_path(tmp_path / "arg") == tmp_path / "arg" / "geocode.json"


# --- the rate limit -------------------------------------------------------------------------------------


def test_one_second_between_requests_by_default(geocoder, monkeypatch):
    """geopy's RateLimiter is asked to wait 1 s before a second request (its clock and sleep are replaced
    by a fake clock, so nothing is timed); an answer from the cache waits for nothing."""
    from geopy.extra.rate_limiter import RateLimiter

    now = [100.0]
    sleeps = []

    def fake_sleep(self, seconds):
        sleeps.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(RateLimiter, "_clock", lambda self: now[0])
    monkeypatch.setattr(RateLimiter, "_sleep", fake_sleep)
    g = geocoder(min_delay_s=1.0)
    g(CASTLE)
    g("Tripoli")
    g(CASTLE)  # cached: no request, no wait
    assert sleeps == [pytest.approx(1.0)]
    assert g.requests == 2


def test_the_default_is_one_second():
    import inspect

    assert inspect.signature(Geocoder).parameters["min_delay_s"].default == 1.0


# --- errors ------------------------------------------------------------------------------------------------


def test_server_down_is_one_line(closed_port, tmp_path):
    g = Geocoder(url=f"http://127.0.0.1:{closed_port}", cache_dir=tmp_path, min_delay_s=0)
    with pytest.raises(GeocodeError) as info:
        g(CASTLE)
    assert str(info.value) == (
        f"cannot geocode {CASTLE!r}: no connection to http://127.0.0.1:{closed_port} (Connection refused); "
        "check the network or give coordinates"
    )
    assert not (tmp_path / CACHE_FILE).exists()  # a failure is not cached


def test_no_answer_in_time_is_one_line(tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)  # connections are accepted by the kernel, never answered
    try:
        g = Geocoder(url=f"http://127.0.0.1:{sock.getsockname()[1]}", cache_dir=tmp_path, timeout_s=0.2)
        with pytest.raises(GeocodeError, match=r"did not answer within 0.2 s; check the network"):
            g(CASTLE)
    finally:
        sock.close()


@pytest.mark.parametrize(
    "reply, reason",
    [
        ((500, "<html>Internal Server Error</html>"), "answered with an error (HTTP 500)"),
        ((429, "Too Many Requests"), "refused the request (HTTP 429); wait, or use another Nominatim"),
        ((403, "Access blocked"), "refused the request (HTTP 403)"),
        ((200, "<html>not json</html>"), "did not answer with Nominatim JSON"),
        (
            (200, '[{"lat": "95.0", "lon": "39.0", "display_name": "x"}]'),
            "cannot be read as a Nominatim place",
        ),
        ((200, '[{"lat": "north", "lon": "39.0"}]'), "cannot be read as a Nominatim place"),
        ((200, '[{"display_name": "no position"}]'), "cannot be read as a Nominatim place"),
        ((200, '["a string"]'), "cannot be read as a Nominatim place"),
    ],
)
@pytest.mark.filterwarnings("ignore:Latitude normalization:UserWarning")  # geopy's, on latitude 95
def test_service_errors_are_one_line(geocoder, nominatim, tmp_path, reply, reason):
    nominatim.reply = reply
    with pytest.raises(GeocodeError) as info:
        geocoder()(CASTLE)
    message = str(info.value)
    assert message.startswith(f"cannot geocode {CASTLE!r}: {nominatim.url} ")
    assert reason in message and "\n" not in message
    assert message.endswith("; check the network or give coordinates")
    assert not (tmp_path / "cache" / CACHE_FILE).exists()


def test_answer_text_is_one_clean_line(geocoder, nominatim):
    raw = [
        {"lat": "35.0", "lon": "39.0", "display_name": "Evil\nName\x1b[31m, " + "x" * 1000, "licence": "L\rL"}
    ]
    nominatim.reply = (200, json.dumps(raw))
    place = geocoder()("Evil")
    assert place.note.isprintable()
    assert len(place.ref.display_name) <= 300
    assert place.ref.display_name.startswith("Evil Name [31m,")
    assert place.ref.licence == "L L"


def test_geopy_missing_names_the_extra(monkeypatch):
    for name in ("geopy", "geopy.geocoders", "geopy.extra", "geopy.extra.rate_limiter"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(UsageError, match=r"^geocoding needs geopy: pip install 'rangecalc\[geocode\]'$"):
        Geocoder()


@pytest.mark.parametrize("url", ["ftp://example.org", "nominatim.example.org", "http://", "http://h/x?q=1"])
def test_a_bad_service_url_is_a_usage_error(monkeypatch, url):
    monkeypatch.setenv(ENV_URL, url)
    with pytest.raises(UsageError, match=rf"^{ENV_URL}: .* is not a Nominatim address"):
        service_url()


def test_the_service_url(monkeypatch):
    monkeypatch.delenv(ENV_URL, raising=False)
    assert service_url() == DEFAULT_URL == "https://nominatim.openstreetmap.org"
    monkeypatch.setenv(ENV_URL, "https://geo.example.org/nominatim/")
    assert service_url() == "https://geo.example.org/nominatim"
    assert service_url("http://127.0.0.1:8080/search") == "http://127.0.0.1:8080"


# --- through resolve_place: last, only when asked ----------------------------------------------------------


def test_offline_sources_win(geocoder, nominatim):
    catalog = load_catalog()
    with places.geocoding(geocoder()):
        assert resolve_place("mozdok", catalog).kind == "base"
        assert resolve_place("35.0,39.0", catalog).kind == "coordinates"
        assert resolve_place(CASTLE, catalog).kind == "geocoded"
    assert [r["query"]["q"] for r in nominatim.requests] == [[CASTLE]]


def test_outside_the_block_nothing_is_asked(geocoder, nominatim):
    geocoder()  # constructed, never installed
    with pytest.raises(NotFoundError):
        resolve_place(CASTLE, load_catalog())
    assert nominatim.requests == []


def test_not_found_says_the_service_was_asked(nominatim, tmp_path):
    with (
        pytest.raises(NotFoundError) as info,
        online_geocoding(url=nominatim.url, cache_dir=tmp_path, min_delay_s=0),
    ):
        resolve_place(NOWHERE, load_catalog())
    message = str(info.value)
    assert message.startswith(f"unknown place {NOWHERE!r}")
    assert message.endswith(f"Nominatim at {nominatim.url} found nothing for {NOWHERE!r} either.")


# --- the CLI -------------------------------------------------------------------------------------------------


def test_cli_geocodes_when_asked(run_json, run, cli_env):
    answer = recorded(CASTLE)[0]
    lat, lon = float(answer["lat"]), float(answer["lon"])
    result = run("distance", "mozdok", CASTLE, "--geocode", "--format", "json")
    out = json.loads(result.stdout)
    assert out["to"]["kind"] == "geocoded"
    assert (out["to"]["lat"], out["to"]["lon"]) == (lat, lon)
    expected = WGS84.Inverse(out["from"]["lat"], out["from"]["lon"], lat, lon)["s12"] / 1000
    assert out["distance_km"] == pytest.approx(expected, abs=1e-6)
    assert answer["licence"] in out["to"]["note"]
    assert result.stderr == (
        f"rangecalc: {CASTLE!r} geocoded by Nominatim at {cli_env.url} to {lat:.5f}, {lon:.5f} "
        f"({answer['display_name']})\n"
    )
    # The same answer as the coordinates typed by hand.
    typed = run_json("distance", "mozdok", f"{lat},{lon}")
    assert typed["distance_km"] == out["distance_km"]
    # A second run asks nothing and says the answer is cached.
    again = run("distance", "mozdok", CASTLE, "--geocode")
    assert len(cli_env.requests) == 1
    assert re.search(r"; cached \d{4}-\d{2}-\d{2}\)$", again.stderr.strip())


def test_cli_without_geocode_asks_nothing(run, cli_env):
    result = run("distance", "mozdok", CASTLE, expect=2)
    assert result.stderr.startswith(f"rangecalc: error: unknown place {CASTLE!r}")
    assert cli_env.requests == []


def test_cli_geocode_does_not_ask_about_known_places(run, cli_env):
    run("distance", "mozdok", "deir ez-zor", "--geocode")
    assert cli_env.requests == []


@pytest.mark.parametrize(
    "args",
    [
        ["route", "mozdok", CASTLE],
        ["reach", "tu22m3", "mozdok", "--targets", CASTLE],
        ["compare", "tu22m3", "mozdok", "--targets", CASTLE],
        ["rings", "tu22m3", "mozdok", "--via", CASTLE],
        ["table", "--airframes", "tu22m3", "--bases", "mozdok", "--targets", CASTLE, "--format", "json"],
    ],
)
def test_every_command_that_takes_places_geocodes(run, cli_env, args):
    run(*args, "--geocode")
    assert [r["query"]["q"] for r in cli_env.requests] == [[CASTLE]]


def test_map_subcommands_inherit_geocode(run, cli_env, tmp_path):
    run("map", "route", "mozdok", CASTLE, "--geocode", "-o", tmp_path / "route.svg")
    assert [r["query"]["q"] for r in cli_env.requests] == [[CASTLE]]


def test_cli_name_not_found(run, cli_env):
    result = run("distance", "mozdok", NOWHERE, "--geocode", expect=2)
    assert result.stderr.startswith(f"rangecalc: error: unknown place {NOWHERE!r}")
    assert f"found nothing for {NOWHERE!r} either." in result.stderr


def test_cli_offline_is_one_line_exit_1(run, monkeypatch, tmp_path, closed_port):
    monkeypatch.setenv(ENV_URL, f"http://127.0.0.1:{closed_port}")
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path))
    result = run("distance", "mozdok", CASTLE, "--geocode", expect=1)
    assert result.stderr == (
        f"rangecalc: error: cannot geocode {CASTLE!r}: no connection to http://127.0.0.1:{closed_port} "
        "(Connection refused); check the network or give coordinates\n"
    )


def test_cli_geopy_missing(run, monkeypatch, cli_env):
    for name in ("geopy", "geopy.geocoders", "geopy.extra", "geopy.extra.rate_limiter"):
        monkeypatch.setitem(sys.modules, name, None)
    result = run("distance", "mozdok", "deir ez-zor", "--geocode", expect=2)
    assert result.stderr == "rangecalc: error: geocoding needs geopy: pip install 'rangecalc[geocode]'\n"
    run("distance", "mozdok", "deir ez-zor")  # without --geocode geopy is not needed


def test_cli_bad_service_url(run, monkeypatch):
    monkeypatch.setenv(ENV_URL, "nominatim.example.org")
    result = run("distance", "mozdok", CASTLE, "--geocode", expect=2)
    assert result.stderr.startswith(
        f"rangecalc: error: {ENV_URL}: 'nominatim.example.org' is not a Nominatim address"
    )
