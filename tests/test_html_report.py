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
    assert parser.tags.count("svg") >= 1 and parser.tags.count("table") >= 2
    assert "script" not in parser.tags
    text = " ".join(parser.text)
    assert "TU-22M3s have the range to strike anywhere in Syria" in text
    assert re.search(r"(SUPPORTED|DEPENDS ON THE FIGURE|NOT SUPPORTED)", text)
    assert "(a) Range" in text and "(b) Operational value" in text
    assert "F6" in text and "F28" in text  # sources are the record's, not the project's


def test_scenario_text_is_escaped(page):
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page


def test_map_is_well_formed_svg_with_routes_bases_and_targets(page):
    svg = ET.fromstring(re.search(r'<svg[^>]*role="img".*?</svg>', page, re.S).group(0))
    ns = "{http://www.w3.org/2000/svg}"
    lines = svg.findall(f".//{ns}polyline")
    # 6 targets: shortest legal routes from Mozdok and Shahid Nojeh, and the corridor from Mozdok (dashed)
    assert len([p for p in lines if "legal" in p.find(f"{ns}title").text]) == 12
    assert len([p for p in lines if "corridor" in p.find(f"{ns}title").text]) == 6
    labels = {t.text for t in svg.iter(f"{ns}text")}
    assert {"Mozdok Air Base", "Shahid Nojeh Air Base", "Aleppo", "Deir ez-Zor"} <= labels
    assert any(label.startswith("farthest from Mozdok Air Base") for label in labels)
