"""rangecalc: can aircraft X, flying from base Y, reach Z — by how much, under which published figures.

The library computes in metres, kilograms, seconds and degrees, (lon, lat) order, on the WGS84 ellipsoid.
Start with :func:`rangecalc.data.load_catalog` and :func:`rangecalc.reach.reach`.
"""

__version__ = "0.1.0"
