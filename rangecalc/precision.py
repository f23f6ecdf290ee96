"""How many digits people see: the precision policy of docs/precision.md, applied to text, Markdown and
HTML. JSON keeps full precision (and marks modelled values); these functions are for display only.

- distances that depend on a route or a model: to 10 km (:func:`km10`);
- shares of an area: to 1 % (:func:`percent`), never "0 %" or "100 %" unless exactly so;
- flight times: to 5 minutes (:func:`duration`);
- modelled masses (fuel, payload): to 0.5 t (:func:`tonnes`).
"""

import math


def km10(km, signed=False):
    """'2,260 km' from 2,263.4 (rounded to 10 km); 'unreachable' for None or inf."""
    if km is None or not math.isfinite(km):
        return "unreachable"
    value = round(km, -1)
    text = f"{value:+,.0f}" if signed else f"{value:,.0f}"
    return f"{text} km"


def percent(share):
    """'97%' from 0.9712; '<1%' and '>99%' near the ends, so that only exact 0 and 1 read 0% and 100%."""
    if share is None:
        return "n/a"
    if share <= 0:
        return "0%"
    if share >= 1:
        return "100%"
    if share < 0.01:
        return "<1%"
    if share > 0.99:
        return ">99%"
    return f"{round(share * 100):.0f}%"


def duration(minutes):
    """'2 h 15 min' from 133.6 minutes (rounded to 5 minutes); '-' for None."""
    if minutes is None or not math.isfinite(minutes):
        return "-"
    total = int(5 * round(minutes / 5))
    hours, rest = divmod(total, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def tonnes(kg):
    """'44 t' / '3.5 t' from a modelled mass in kg (rounded to 0.5 t)."""
    if kg is None or not math.isfinite(kg):
        return "n/a"
    value = round(kg / 500) / 2
    return f"{value:,.1f} t".replace(".0 t", " t")
