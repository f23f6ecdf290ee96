"""rangecalc: can aircraft X, flying from base Y, reach Z — by how much, under which published figures.

The public API is at the top level, in :mod:`rangecalc.api` (docs/api.md)::

    import rangecalc as rc
    rc.reach("tu22m3", "mozdok", region="SY", avoid=["TUR", "GEO", "AZE"])

Its functions are imported when first used, so ``import rangecalc`` stays cheap (no pyproj, shapely,
matplotlib or pandas). The library computes in metres, kilograms, seconds and degrees, (lon, lat) order,
on the WGS84 ellipsoid; places are typed latitude first, as people write them.
"""

import sys
import types

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "RangecalcError",
    "Result",
    "UsageError",
    "airframe",
    "base",
    "claim",
    "compare",
    "distance",
    "reach",
    "rings",
    "route",
    "schema",
    "table",
    "within",
    "within_any",
    "world_sweep",
]

_ERRORS = ("DataError", "RangecalcError", "UsageError")
#: Array kernels at the top level too: in-reach classification and the world sweep
#: (``rangecalc.sweep`` stays the module: ``from rangecalc.sweep import sweep``.)
_KERNELS = {"within": "geodesy", "within_any": "geodesy", "world_sweep": "sweep"}
#: API functions named like submodules (rangecalc/reach.py, rangecalc/compare.py): the name on the package
#: is the function. Importing such a submodule does not rebind it (see :class:`_Package`); the modules stay
#: importable as ``from rangecalc.reach import ...`` or ``importlib.import_module("rangecalc.reach")``.
_SHADOWED = ("reach", "compare")


def __getattr__(name):
    if name in _ERRORS:
        from . import errors

        return getattr(errors, name)
    if name in _KERNELS:
        import importlib

        function = getattr(importlib.import_module(f".{_KERNELS[name]}", __name__), name)
        globals()[name] = function
        return function
    if name == "Result":
        from .results import Result

        return Result
    if name in __all__:
        from . import api

        function = getattr(api, name)
        globals()[name] = function  # found directly from now on
        return function
    raise AttributeError(f"module 'rangecalc' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """The package's module type: importing the submodule ``rangecalc.reach`` or ``rangecalc.compare``
    does not replace the API function of the same name on the package (Python's import system sets a
    loaded submodule as an attribute of its package)."""

    def __setattr__(self, name, value):
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
