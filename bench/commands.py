"""Whole commands timed side by side against an earlier revision: ``python bench/commands.py [--baseline REV]``.

Each command runs in a fresh process (``python -m rangecalc ...``) from a git worktree of each revision,
the revisions alternating (baseline, current, baseline, current, ...) so that both see the same load on a
shared machine; the table reports the median wall time, the ratio, and peak resident memory (the process
itself, and its worker processes where it forks some). Outputs are compared: identical, or the largest
difference of the numbers in them.

The default baseline is the commit before issue 12's work on routing began (the state its measurements
describe). Commands whose baseline took minutes (``reach tu160 engels --region USA --avoid CAN``: 12 min
29 s and 9.2 GB in the issue) run for the current revision only, unless ``--all``.
"""

import argparse
import csv
import io
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
BASELINE = "b153b62^"  # routes: the visibility graph built in blocks (issue 12's first commit), its parent

AIRFRAMES = ",".join(sorted(p.stem for p in (ROOT / "airframes").glob("*.toml")))
HAMADAN = ["--region", "SY", "--avoid", "TUR,GEO,AZE"]

# (label, arguments, run the baseline too)
COMMANDS = [
    ("rangecalc --help", ["--help"], True),
    ("rangecalc airframes", ["airframes"], True),
    ("rangecalc claim", ["claim"], True),
    ("route Anchorage -> Washington --avoid CAN", ["route", "61.17,-150.0", "38.9,-77.04", "--avoid", "CAN"], True),
    ("route Havana -> Vancouver --avoid USA", ["route", "23.1,-82.4", "49.2,-123.1", "--avoid", "USA"], True),
    ("compare tu22m3, 5 bases, Syria, Hamadan airspace",
     ["compare", "tu22m3", "mozdok", "shahid-nojeh", "engels", "morozovsk", "akhtubinsk", *HAMADAN], True),
    ("table, every airframe x every base, Syria, Hamadan airspace",
     ["table", "--airframes", AIRFRAMES, "--bases", "{bases}", *HAMADAN, "--format", "csv"], True),
    ("reach tu160 engels --region USA --avoid CAN", ["reach", "tu160", "engels", "--region", "USA", "--avoid", "CAN"],
     False),
]  # fmt: skip

RUNNER = """
import resource, runpy, sys, time
sys.argv = ["rangecalc", *sys.argv[1:]]
start = time.perf_counter()
try:
    runpy.run_module("rangecalc", run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
else:
    code = 0
wall = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"@@bench {wall} {own} {kids} {code}", file=sys.stderr)
"""


def worktree(rev, into):
    path = Path(into) / rev.replace("^", "_parent").replace("/", "_")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(path), rev],
                   check=True, capture_output=True)  # fmt: skip
    return path


def bases_of(tree):
    text = subprocess.run([sys.executable, "-m", "rangecalc", "bases", "--format", "json"], cwd=tree,
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    data = json.loads(text)
    rows = data["bases"] if isinstance(data, dict) else data
    return ",".join(row["id"] for row in rows)


def run(tree, args, timeout):
    """(wall s, own peak MB, workers' peak MB, stdout) of one command in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=tree, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip
    outer = time.perf_counter() - start
    found = re.search(r"@@bench (\S+) (\d+) (\d+) (\d+)", proc.stderr)
    if not found or found.group(4) != "0":
        raise RuntimeError(f"{args[:3]} failed in {tree}: {proc.stderr[-500:]}")
    return outer, int(found.group(2)) / 1024, int(found.group(3)) / 1024, proc.stdout


NUMBER = re.compile(r"-?\d[\d,]*\.?\d*")


def difference(a, b):
    """'identical', or the largest relative difference between corresponding numbers in two outputs."""
    if a == b:
        return "identical"
    na, nb = NUMBER.findall(a), NUMBER.findall(b)
    if len(na) != len(nb):
        return f"differ ({len(na)} vs {len(nb)} numbers)"
    worst = 0.0
    for x, y in zip(na, nb, strict=True):
        x, y = float(x.replace(",", "")), float(y.replace(",", ""))
        if x != y:
            worst = max(worst, abs(x - y) / max(abs(x), abs(y)))
    return f"numbers within {worst:.2%}"


def csv_difference(a, b):
    """For tables: the largest difference of the distance column, in km, and verdict changes."""
    ra, rb = list(csv.DictReader(io.StringIO(a))), list(csv.DictReader(io.StringIO(b)))
    if len(ra) != len(rb):
        return f"{len(ra)} vs {len(rb)} rows"
    key = next(k for k in ra[0] if k.startswith("distance_"))
    worst = max(abs(float(x[key] or 0) - float(y[key] or 0)) for x, y in zip(ra, rb, strict=True))
    flips = sum(x["verdict"] != y["verdict"] for x, y in zip(ra, rb, strict=True))
    return f"{len(ra)} rows; distances within {worst:.1f} km; {flips} verdicts differ"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each quick command per revision")
    parser.add_argument("--all", action="store_true", help="also run the baseline of the slowest commands")
    parser.add_argument("--only", help="run the commands whose label contains this text")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old, new = worktree(options.baseline, tmp), worktree("HEAD", tmp)
        try:
            bases = bases_of(new)
            print(f"baseline {options.baseline}, current HEAD; Python {sys.version.split()[0]}; median of "
                  f"{options.repeat} alternating runs (1 for runs over a minute)\n")  # fmt: skip
            print("| command | baseline | current | baseline / current | peak memory, baseline -> current | "
                  "outputs |")  # fmt: skip
            print("| --- | ---: | ---: | ---: | --- | --- |")
            for label, args, with_baseline in COMMANDS:
                if options.only and options.only not in label:
                    continue
                args = [a.replace("{bases}", bases) for a in args]
                trees = [old, new] if (with_baseline or options.all) else [new]
                results = {tree: [] for tree in trees}
                for _ in range(options.repeat):
                    for tree in trees:
                        results[tree].append(run(tree, args, timeout=3600))
                    if max(r[0] for rs in results.values() for r in rs) > 60:
                        break
                cur = results[new]
                t_new = statistics.median(r[0] for r in cur)
                mem_new = max(max(r[1], r[2]) for r in cur)
                if old in results:
                    base = results[old]
                    t_old = statistics.median(r[0] for r in base)
                    mem_old = max(max(r[1], r[2]) for r in base)
                    same = (csv_difference if "--format" in args and "csv" in args else difference)(
                        base[0][3], cur[0][3]
                    )
                    print(f"| {label} | {t_old:.2f} s | {t_new:.2f} s | {t_old / t_new:.2g}x | "
                          f"{mem_old:.0f} -> {mem_new:.0f} MB | {same} |")  # fmt: skip
                else:
                    print(f"| {label} | not run | {t_new:.2f} s | | {mem_new:.0f} MB | |")
                sys.stdout.flush()
        finally:
            for tree in (old, new):
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                               capture_output=True)  # fmt: skip


if __name__ == "__main__":
    main()
