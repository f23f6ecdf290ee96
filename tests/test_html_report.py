"""$ rangecalc claim --format html: one standalone, well-formed page with a map; scenario text is escaped."""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)  # no event handlers anywhere
            if name == "src" or (name == "href" and tag != "a"):
                assert not value or value.startswith("#"), value  # nothing fetched from outside
            if name == "href" and tag == "a":
                assert value.startswith(("https://", "http://")), value  # source links only

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from click.testing import CliRunner

    from rangecalc.cli import cli

    data = tmp_path_factory.mktemp("scen")
    folder = data / "scenarios"
    folder.mkdir()
    text = (ROOT / "scenarios" / "hamadan-2016.toml").read_text()
    text = text.replace('title = "', 'title = "<script>alert(1)</script> & ', 1)
    for old, new in SOURCE_URLS.items():
        assert old in text
        text = text.replace(old, new.replace('"', '\\"'))
    (folder / "evil.toml").write_text(text.replace('id = "hamadan-2016"', 'id = "evil"'))
    # A user copy of an airframe replaces the bundled one: its file is cited without its local path.
    (data / "airframes").mkdir()
    (data / "airframes" / "tu22m3.toml").write_text((ROOT / "airframes" / "tu22m3.toml").read_text())
    result = CliRunner().invoke(cli, ["claim", "evil", "--format", "html", "--data-dir", str(data)])
    assert result.exit_code == 0, result.stderr
    return {"html": result.stdout, "data": str(data)}


# A source URL swapped in the scenario, one that needs attribute escaping. (The data loader refuses
# anything but http(s) URLs; the report still never makes a link of another scheme: see below.)
SOURCE_URLS = {
    "http://www.armenia.com.au/news/International-News/English/55670/Azerbaijan-denies-Russia-access-of-plane-"
    "flying-through-Armenia": 'https://example.org/a?b="c"&d=<e>',
}


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.metas, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])
        if tag == "meta":
            self.metas.append(dict(attrs))


def test_viewport_and_self_contained(page):
    parser = Links()
    parser.feed(page["html"])
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in parser.metas
    # Nothing is fetched: no stylesheet links, scripts, images, frames, objects, imports or remote url()s.
    assert not {"link", "script", "img", "iframe", "object", "embed", "source"} & set(parser.tags)
    assert "@import" not in page["html"]
    assert not re.search(r"url\(\s*['\"]?(?!#)", page["html"])


def test_sources_are_links_and_only_http_urls(page):
    parser = Links()
    parser.feed(page["html"])
    assert all(h.startswith(("https://", "http://")) for h in parser.hrefs)
    # The parser unescapes the attribute: the URL arrives whole, quotes, ampersand and angle brackets too.
    assert 'https://example.org/a?b="c"&d=<e>' in parser.hrefs
    assert (
        "https://thefifthcolumnnews.com/2015/09/russian-military-flights-to-syria-skirting-caucasus/"
        in parser.hrefs
    )


@pytest.mark.parametrize(
    "url", ["javascript:alert(2)", "file:///etc/passwd", "data:text/html,<b>x</b>", " https://x"]
)
def test_other_urls_stay_text(url):
    from rangecalc.formats.htmlreport import _link

    parser = Links()
    html = _link({"title": "A <title>", "url": url, "record": "F1"})
    parser.feed(html)
    assert parser.hrefs == [] and parser.tags == []
    collector = Collector()
    collector.feed(html)
    assert "".join(collector.text) == f"F1: A <title> ({url})"


def test_no_local_paths(page):
    html = page["html"]
    assert page["data"] not in html
    for fragment in ("/root", "/home", "site-packages", "/tmp", "/private/var", "\\Users"):
        assert fragment not in html, fragment
    collector = Collector()
    collector.feed(html)
    text = " ".join(collector.text)
    assert "Scenario: evil.toml (local file)" in text
    assert "tu22m3.toml (local file)" in text and "airframes/su34.toml (bundled)" in text


def test_page_is_one_document_with_a_map_and_the_tables(page):
    parser = Collector()
    parser.feed(page["html"])
    assert parser.tags.count("svg") >= 1 and parser.tags.count("table") >= 2
    assert "script" not in parser.tags
    text = " ".join(parser.text)
    assert "TU-22M3s have the range to strike anywhere in Syria" in text
    assert re.search(r"(SUPPORTED|DEPENDS ON THE FIGURE|NOT SUPPORTED)", text)
    assert "(a) Range" in text and "(b) Operational value" in text
    assert "F6" in text and "F28" in text  # sources are the record's, not the project's


def test_scenario_text_is_escaped(page):
    assert "<script>" not in page["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page["html"]


def test_map_is_well_formed_svg_with_routes_bases_and_targets(page):
    svg = ET.fromstring(re.search(r'<svg[^>]*role="img".*?</svg>', page["html"], re.S).group(0))
    ns = "{http://www.w3.org/2000/svg}"
    lines = svg.findall(f".//{ns}polyline")
    # 6 targets: shortest legal routes from Mozdok and Shahid Nojeh, and the corridor from Mozdok (dashed)
    assert len([p for p in lines if "legal" in p.find(f"{ns}title").text]) == 12
    assert len([p for p in lines if "corridor" in p.find(f"{ns}title").text]) == 6
    labels = {t.text for t in svg.iter(f"{ns}text")}
    assert {"Mozdok Air Base", "Shahid Nojeh Air Base", "Aleppo", "Deir ez-Zor"} <= labels
    assert any(label.startswith("farthest from Mozdok Air Base") for label in labels)


def test_legend_keys_match_what_the_map_draws(page):
    """Every line style drawn on the map (route, corridor, reach boundary: colour and dashes) has a key in
    the legend, and the legend has no key for a line the map does not draw."""
    html = page["html"]
    ns = "{http://www.w3.org/2000/svg}"
    svg = ET.fromstring(re.search(r'<svg[^>]*role="img".*?</svg>', html, re.S).group(0))
    legend = ET.fromstring(re.search(r'<ul class="legend">.*?</ul>', html, re.S).group(0))

    def style(e):
        return (e.get("stroke"), e.get("stroke-dasharray") or "")

    drawn = {
        style(e) for e in svg.iter() if e.tag in (f"{ns}polyline", f"{ns}path") and e.get("fill") == "none"
    }
    drawn -= {style(e) for g in svg.iter(f"{ns}g") for e in g.iter(f"{ns}path")}  # graticule, scale bar
    hatch = {id(e) for p in legend.iter(f"{ns}pattern") for e in p.iter(f"{ns}line")}
    keys = {style(e) for e in legend.iter(f"{ns}line") if id(e) not in hatch}
    assert drawn and drawn == keys
    texts = [" ".join(li.itertext()) for li in legend.iter("li")]
    assert any("Syria, the region in question" in t for t in texts)
    assert any("recorded corridor from Mozdok Air Base" in t for t in texts)


def test_ids_are_unique_and_every_reference_resolves(page):
    class Ids(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids, self.refs = [], []

        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name == "id":
                    self.ids.append(value)
                self.refs += re.findall(r"url\(#([^)]+)\)", value or "")

    parser = Ids()
    parser.feed(page["html"])
    assert len(parser.ids) == len(set(parser.ids))
    assert parser.refs and set(parser.refs) <= set(parser.ids)
