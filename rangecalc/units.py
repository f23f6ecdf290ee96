"""Unit conversion at the edges: the library computes in metres, seconds and kilograms."""

import re

from .errors import UsageError

#: Metres per distance unit accepted by ``--units``.
DISTANCE_UNITS = {"km": 1000.0, "nm": 1852.0, "mi": 1609.344, "m": 1.0}

#: Kilograms per mass unit accepted in payload text such as ``3t`` or ``12000kg``.
MASS_UNITS = {"kg": 1.0, "t": 1000.0, "lb": 0.45359237}
#: The heaviest load anyone may ask about (kg, words): above every airframe's maximum take-off mass; the
#: payload model then refuses loads beyond the airframe's own maximum payload.
MAX_PAYLOAD = (1_000_000.0, "1,000 t")


def metres_to(value_m, unit):
    """Convert metres (scalar or array) to ``unit`` (one of :data:`DISTANCE_UNITS`)."""
    return value_m / _factor(unit)


def to_metres(value, unit):
    """Convert a distance in ``unit`` (scalar or array) to metres."""
    return value * _factor(unit)


def _factor(unit):
    try:
        return DISTANCE_UNITS[unit]
    except KeyError:
        raise UsageError(f"unknown distance unit {unit!r}; accepted: {', '.join(DISTANCE_UNITS)}") from None


_QUANTITY = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*([a-zA-Z]*)\s*$")


def parse_quantity(text, units, default_unit, what, maximum=None):
    """Parse ``'3t'``, ``'12000 kg'`` or ``'25km'`` into the base unit of ``units``.

    ``units`` maps unit names to their size in the base unit; a bare number takes ``default_unit``, or is
    refused when ``default_unit`` is None. Negative, non-finite and out-of-range values (above ``maximum``,
    in the base unit, as ``(value, 'words')``) raise :class:`UsageError` naming ``what``.
    """
    stripped = (text or "").strip()
    if stripped.startswith("-") and _QUANTITY.match(stripped[1:]):
        raise UsageError(f"{what}: {text!r} is negative; it must be zero or more")
    match = _QUANTITY.match(text or "")
    if not match:
        raise UsageError(
            f"{what}: cannot read {text!r}; expected a number and a unit, e.g. "
            f"'3{default_unit or next(iter(units))}'; units: {', '.join(units)}"
        )
    try:
        number = float(text.strip()[: len(text.strip()) - len(match.group(2))].strip())
    except ValueError:
        raise UsageError(f"{what}: cannot read {text!r}; expected a number and a unit") from None
    unit = match.group(2).lower() or default_unit
    if unit is None:
        example = f"{text.strip()}{next(iter(units))}"
        raise UsageError(f"{what}: {text!r} needs a unit, e.g. '{example}'; units: {', '.join(units)}")
    if unit not in units:
        raise UsageError(f"{what}: unknown unit {match.group(2)!r} in {text!r}; accepted: {', '.join(units)}")
    value = number * units[unit]
    if not (0.0 <= value < 1e12):
        raise UsageError(f"{what}: {text!r} is out of range")
    if maximum is not None and value > maximum[0]:
        raise UsageError(f"{what}: {text!r} is more than the {maximum[1]} accepted")
    return value
