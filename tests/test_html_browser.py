"""The HTML claim report in a real browser: Debian's chromium, driven by Playwright (its own browser downloads
are never used), at a desktop and a phone viewport.

Skipped when chromium or Playwright is missing, unless RANGECALC_REQUIRE_BROWSER=1 (CI sets it), which turns
the skip into a failure so that CI cannot pass without rendering the page.
"""

import io
import os
import shutil

import pytest
from click.testing import CliRunner

from rangecalc.cli import cli

CHROMIUM = "/usr/bin/chromium"
# Offline and quiet: no component updates, sync or background requests that would muddle the request log.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"desktop": (1280, 900), "phone": (412, 915)}


def _chromium():
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    missing = [
        what for what, ok in (("chromium", path), ("the playwright package", sync_playwright)) if not ok
    ]
    if missing:
        message = f"{' and '.join(missing)} not installed (Debian: apt-get install chromium)"
        if os.environ.get("RANGECALC_REQUIRE_BROWSER") == "1":
            pytest.fail(f"RANGECALC_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return path, sync_playwright


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The bundled claim as an HTML file, written by the CLI once for the module."""
    path = tmp_path_factory.mktemp("html") / "claim.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("RANGECALC_DATA_DIR", raising=False)
        result = CliRunner().invoke(
            cli, ["claim", "--format", "html", "-o", str(path)], catch_exceptions=False
        )
    assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture(scope="module")
def browser():
    path, sync_playwright = _chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=list(VIEWPORTS))
def loaded(request, browser, report):
    """The report open at one viewport, with what the browser logged while loading it, and screenshots."""
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors, requests, failed = [], [], []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    url = report.as_uri()
    page.goto(url, wait_until="load")
    shots = report.parent / request.param
    shots.mkdir(exist_ok=True)
    page.screenshot(path=shots / "page.png", full_page=True)
    page.locator("svg[role=img]").screenshot(path=shots / "map.png")
    yield {
        "name": request.param,
        "width": width,
        "page": page,
        "url": url,
        "errors": errors,
        "requests": requests,
        "failed": failed,
        "shots": shots,
    }
    context.close()


def test_no_errors_and_no_requests_but_the_file(loaded):
    assert loaded["errors"] == []
    assert loaded["failed"] == []
    assert loaded["requests"] == [loaded["url"]]


def test_no_horizontal_overflow(loaded):
    page, width = loaded["page"], loaded["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Whatever is wider than the screen is inside a box of its own that scrolls: the tables.
    outside = page.evaluate(
        """(width) => [...document.body.querySelectorAll('*')]
            .filter(e => !e.closest('.scroll') && e.getBoundingClientRect().right > width + 0.5)
            .map(e => e.tagName + ': ' + (e.textContent || '').slice(0, 60))""",
        width,
    )
    assert outside == []
    tables = page.evaluate(
        "[...document.querySelectorAll('table')].map(t => getComputedStyle(t.parentElement).overflowX)"
    )
    assert tables and set(tables) == {"auto"}


def test_map_fills_the_column_and_keeps_its_shape(loaded):
    page, width = loaded["page"], loaded["width"]
    box = page.locator("svg[role=img]").bounding_box()
    view = page.evaluate("document.querySelector('svg[role=img]').viewBox.baseVal.width")
    view_height = page.evaluate("document.querySelector('svg[role=img]').viewBox.baseVal.height")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert box["width"] >= 0.85 * min(width, 800) - 40  # the column, less the page's padding
    # height:auto keeps the aspect of the viewBox (the border adds 2 px to each side).
    assert (box["height"] - 2) / (box["width"] - 2) == pytest.approx(view_height / view, rel=0.01)


def test_map_is_drawn(loaded):
    from PIL import Image

    image = Image.open(io.BytesIO((loaded["shots"] / "map.png").read_bytes())).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 200  # fills, borders, lines, anti-aliased text: not a blank box
    most = max(count for count, _ in colours)
    assert most < 0.6 * image.width * image.height


def test_legend_hatch_renders(loaded):
    """The key for the uncovered part uses the map's hatch pattern (defined once in the page): it renders
    striped, not empty."""
    from PIL import Image

    key = loaded["page"].locator(".legend svg:has(rect[fill^='url('])")
    assert key.count() == 1
    image = Image.open(io.BytesIO(key.screenshot())).convert("RGB")
    inside = image.crop((3, 3, image.width - 3, image.height - 3))  # within the swatch's purple edge
    purple = sum(n for n, c in inside.getcolors(maxcolors=1 << 16) if c[2] > c[1] + 40 and c[0] > c[1] + 20)
    assert purple >= 0.2 * inside.width * inside.height


def test_labels_do_not_collide(loaded):
    """Measured by the browser (the map only estimates text widths; this checks the estimate against real
    glyphs): the names of countries sit inside the map, clear of every other label and the scale bar; the
    labels of bases and targets hide no marker and no other label."""
    found = loaded["page"].evaluate(
        """() => {
            const svg = document.querySelector('svg[role=img]');
            const box = e => { const b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };
            const of = sel => [...svg.querySelectorAll(sel)].map(e => [e.textContent, box(e)]);
            return {names: of('text.region-name'), labels: of('text.point-label'), markers: of('.point'),
                    rest: [...of('.graticule text'), ...of('g.scale-bar')],
                    view: [svg.viewBox.baseVal.width, svg.viewBox.baseVal.height]};
        }"""
    )
    names, labels, markers = found["names"], found["labels"], found["markers"]
    assert {"Syria", "Turkey", "Iran"} <= {name for name, _ in names}
    assert len(labels) == len(markers) >= 10

    def overlap(a, b):
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    w, h = found["view"]
    for i, (name, box) in enumerate(names):
        assert box[0] >= 0 and box[2] <= w and box[1] >= 0 and box[3] <= h, name
        for other, other_box in names[i + 1 :] + labels + markers + found["rest"]:
            assert not overlap(box, other_box), (name, other)
    for i, (name, box) in enumerate(labels):
        assert box[0] >= 0 and box[2] <= w and box[1] >= 0 and box[3] <= h, name
        # The marker's <title> is the label's text: every other marker and label is clear of it.
        for other, other_box in labels[i + 1 :] + [m for m in markers if m[0] != name]:
            assert not overlap(box, other_box), (name, other)


def test_links_are_links(loaded):
    hrefs = loaded["page"].evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    assert len(hrefs) > 10 and all(h.startswith(("https://", "http://")) for h in hrefs)


def test_long_words_and_urls_wrap(loaded):
    """A source URL or a word longer than the screen is broken, not pushed sideways (the bundled data
    happens to break at hyphens; this one has none)."""
    page, width = loaded["page"], loaded["width"]
    long = "https://example.org/" + "x" * 300
    added = page.evaluate(
        """(long) => {
            const li = document.createElement('li');
            li.id = 'long-test';
            li.innerHTML = 'Source (<a href="' + long + '">' + long + '</a>) and ' + 'y'.repeat(300);
            document.querySelector('ul').appendChild(li);
            const wide = document.documentElement.scrollWidth;
            li.remove();
            return wide;
        }""",
        long,
    )
    assert added <= width
