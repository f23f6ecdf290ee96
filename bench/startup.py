"""Start-up time of the console script against importing the numeric stack: ``python bench/startup.py``.

Issue 12's goal: ``rangecalc --help`` and ``rangecalc airframes`` in under half the time of
``python -c "import numpy, pyproj, shapely"``. Each command runs in a fresh process, all of them in turn
(so that they see the same load on a shared machine); the table gives medians and ratios to the imports.

Python reads rangecalc's modules from compiled bytecode when it can, as a pip install leaves them; with
``PYTHONDONTWRITEBYTECODE`` set, an editable checkout never gets any and compiles every module on every
run (about 20 ms more here). The script says which case it measured.
"""

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def bytecode_state():
    """Whether rangecalc's modules will load from cached bytecode."""
    spec = importlib.util.find_spec("rangecalc")
    cached = Path(importlib.util.cache_from_source(spec.origin))
    if cached.exists():
        return "rangecalc loads from cached bytecode"
    return "rangecalc has no cached bytecode (compiled on every run)" + (
        "; PYTHONDONTWRITEBYTECODE is set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    script = shutil.which("rangecalc")
    if script is None:
        sys.exit("the rangecalc console script is not on PATH: pip install -e . first")
    commands = {
        'python -c "import numpy, pyproj, shapely"': [sys.executable, "-c", "import numpy, pyproj, shapely"],
        "rangecalc --help": [script, "--help"],
        "rangecalc airframes": [script, "airframes"],
        'python -c "pass"': [sys.executable, "-c", "pass"],
    }
    times = {label: [] for label in commands}
    for _ in range(options.runs):
        for label, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
            times[label].append(time.perf_counter() - start)
    median = {label: statistics.median(t) for label, t in times.items()}
    imports = median['python -c "import numpy, pyproj, shapely"']
    print(
        f"Python {sys.version.split()[0]}; median of {options.runs} runs each, in turn; {bytecode_state()}\n"
    )
    print("| command | median | ratio to the imports |")
    print("| --- | ---: | ---: |")
    for label, value in median.items():
        print(f"| {label} | {value * 1000:.0f} ms | {value / imports:.2g}x |")


if __name__ == "__main__":
    main()
