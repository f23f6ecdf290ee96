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
            if name in ("src", "href"):
                assert not value or value.startswith("#"), value  # nothing fetched from outside

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from click.testing import CliRunner

    from rangecalc.cli import cli

    folder = tmp_path_factory.mktemp("scen") / "scenarios"
    folder.mkdir()
    text = (ROOT / "scenarios" / "hamadan-2016.toml").read_text()
    text = text.replace('title = "', 'title = "<script>alert(1)</script> & ', 1)
    (folder / "evil.toml").write_text(text.replace('id = "hamadan-2016"', 'id = "evil"'))
    result = CliRunner().invoke(cli, ["claim", "evil", "--format", "html", "--data-dir", str(folder.parent)])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_page_is_one_document_with_a_map_and_the_tables(page):
    parser = Collector()
    parser.feed(page)
    assert parser.tags.count("svg") == 1 and parser.tags.count("table") >= 2
    assert "script" not in parser.tags
    text = " ".join(parser.text)
    assert "TU-22M3s have the range to strike anywhere in Syria" in text
    assert re.search(r"(SUPPORTED|UNCERTAIN|NOT SUPPORTED)", text)


def test_scenario_text_is_escaped(page):
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page


def test_map_is_well_formed_svg_with_routes_bases_and_targets(page):
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", page, re.S).group(0))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f"{ns}polyline")) == 8  # 4 targets from Mozdok and from Shahid Nojeh
    labels = {t.text for t in svg.iter(f"{ns}text")}
    assert {"Mozdok Air Base", "Shahid Nojeh Air Base", "Aleppo", "Deir ez-Zor"} <= labels
    assert any(label.startswith("farthest from Mozdok Air Base") for label in labels)
