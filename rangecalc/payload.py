"""Combat radius against payload.

Two methods, in order of preference:

1. **Published pairs.** When the airframe file lists ``[[payload_radius]]`` pairs, the radius band at a
   payload is interpolated linearly between them (each of low / nominal / high separately). Outside the
   pairs' span the mass-ratio model below, calibrated on the nearest pair, extends them.
2. **Mass-ratio (Breguet) model.** Cruise range is proportional to the logarithm of the mass ratio,
   ``s = K ln(W_start / W_end)``. A strike sortie flies out at radius r with the payload, drops it, and flies
   back: ``r = K ln(W0 / W1)`` and ``r = K ln((W1 - p) / W2)``, with take-off mass ``W0 = E + p + F``, fuel
   ``F`` = internal fuel cut where ``E + p + F`` would exceed the maximum take-off mass, and landing mass
   ``W2 = E + reserve``. Eliminating W1 gives ``x = exp(-r/K)`` as the positive root of
   ``W0 x^2 - p x - W2 = 0``, so ``r(p) = K L(p)`` with ``L(p) = -ln x(p)``. The constant K is calibrated so
   the model reproduces the published radius at the reference payload exactly: ``r(p) = r_ref L(p) /
   L(p_ref)``.

No modelled radius exceeds the highest published radius (the model spreads the published band over
payloads; it does not extend it). Assumptions (stated in every output that uses the model): nominal masses; a fuel reserve of
:data:`RESERVE_FRACTION` of internal fuel at landing; the same cruise efficiency out and back; drag of
external stores ignored (so heavy external loads are optimistic).

The model never ties a published radius to a load that no source states. When the airframe file gives no
``reference_payload_kg`` and no published pairs, the caller must state the reference load as an
assumption (``reference_payload_kg=``; a scenario's ``[[calibrations]]``), and the result says so.
"""

from dataclasses import dataclass

import numpy as np

from .airframes import BANDS
from .errors import UsageError

RESERVE_FRACTION = 0.05
_MASS_KEYS = ("max_takeoff_mass_kg", "empty_mass_kg", "internal_fuel_kg")


@dataclass(frozen=True)
class RadiusAtPayload:
    """Combat radius band at a payload, and how it was obtained."""

    payload_kg: float
    radius_m: tuple[float, float, float]
    method: str  # "published" (the file's own figure), "interpolated", "mass-ratio model"
    calibration: dict  # band -> (payload_kg, radius_km) the band was calibrated on
    assumptions: tuple[str, ...]

    def as_dict(self):
        return {
            "payload_kg": self.payload_kg,
            "method": self.method,
            "calibration": {
                band: {"payload_kg": p, "combat_radius_km": r} for band, (p, r) in self.calibration.items()
            },
            "assumptions": list(self.assumptions),
        }


def _masses(airframe):
    missing = [k for k in _MASS_KEYS if airframe.figure(k) is None]
    if missing:
        raise UsageError(
            f"{airframe.origin}: the payload model needs {', '.join(_MASS_KEYS)}; missing {', '.join(missing)} "
            "(or give [[payload_radius]] pairs)"
        )
    mtow, empty, fuel = (airframe.figure(k).nominal for k in _MASS_KEYS)
    return mtow, empty, fuel


def log_mass_ratio(payload_kg, mtow_kg, empty_kg, fuel_kg, reserve_fraction=RESERVE_FRACTION):
    """``L(p)``: radius per unit K for a sortie carrying ``payload_kg`` out and dropping it (array in/out)."""
    p = np.asarray(payload_kg, dtype=float)
    fuel = np.minimum(fuel_kg, mtow_kg - empty_kg - p)
    w0 = empty_kg + p + fuel
    w2 = empty_kg + reserve_fraction * fuel_kg
    x = (p + np.sqrt(p**2 + 4 * w0 * w2)) / (2 * w0)
    return np.where(fuel > reserve_fraction * fuel_kg, -np.log(x), 0.0)


def max_payload_kg(airframe):
    """The maximum payload figure's nominal value, or None."""
    figure = airframe.figure("max_payload_kg")
    return None if figure is None else figure.nominal


def radius_at_payload(airframe, payload_kg, reference_payload_kg=None):
    """Combat radius band (m) of ``airframe`` at ``payload_kg``, as a :class:`RadiusAtPayload`.

    ``reference_payload_kg`` states, as an assumption, the load the published radius is for; it is needed
    (and only used) when the file states none and has no published pairs. Raises :class:`UsageError` for
    a negative payload or one above the airframe's maximum payload, when the file lacks what the model
    needs, or when the reference load is neither published nor given.
    """
    payload_kg = float(payload_kg)
    limit = max_payload_kg(airframe)
    if not np.isfinite(payload_kg) or payload_kg < 0:
        raise UsageError(f"--payload must be a non-negative mass, got {payload_kg!r} kg")
    if limit is not None and payload_kg > limit:
        raise UsageError(
            f"--payload {payload_kg:,.0f} kg is above the {airframe.name}'s maximum payload of {limit:,.0f} kg "
            f"({airframe.origin})"
        )
    pairs = airframe.payload_radius
    if pairs and pairs[0].payload_kg <= payload_kg <= pairs[-1].payload_kg:
        xs = [p.payload_kg for p in pairs]
        bands = np.array([p.combat_radius_km for p in pairs])
        radius_km = [float(np.interp(payload_kg, xs, bands[:, i])) for i in range(3)]
        exact = payload_kg in xs
        calibration = {b: (payload_kg, r) for b, r in zip(BANDS, radius_km, strict=True)}
        return RadiusAtPayload(
            payload_kg,
            tuple(r * 1000 for r in radius_km),
            "published" if exact else "interpolated",
            calibration,
            ("linear interpolation between published payload/radius pairs",),
        )
    mtow, empty, fuel = _masses(airframe)
    assumptions = [
        f"mass-ratio (Breguet) model: nominal masses MTOW {mtow:,.0f} kg, empty {empty:,.0f} kg, internal fuel {fuel:,.0f} kg",
        f"fuel reserve at landing {RESERVE_FRACTION:.0%} of internal fuel; payload dropped at the target",
        "drag of external stores ignored: radius with heavy external loads is optimistic",
    ]
    if pairs:
        nearest = pairs[0] if payload_kg < pairs[0].payload_kg else pairs[-1]
        calibration = {
            b: (nearest.payload_kg, r) for b, r in zip(BANDS, nearest.combat_radius_km, strict=True)
        }
        assumptions.append(f"extrapolated from the published pair at {nearest.payload_kg:,.0f} kg")
    else:
        radius = airframe.combat_radius
        if radius.reference_payload_kg is not None:
            reference = radius.reference_payload_kg
            assumptions.append(f"calibrated on the published radius at {reference:,.0f} kg")
        elif reference_payload_kg is not None:
            reference = float(reference_payload_kg)
            if not np.isfinite(reference) or reference < 0 or (limit is not None and reference > limit):
                raise UsageError(
                    f"the reference load must be between 0 and the maximum payload, got {reference!r} kg"
                )
            assumptions.append(
                f"ASSUMED, not published: the published radius is taken to be for {reference:,.0f} kg"
            )
        else:
            raise UsageError(
                f"{airframe.origin}: no source states the load behind the {airframe.name}'s published combat "
                "radius, so rangecalc will not model a radius at another load; state the load you assume the "
                "radius is for (a scenario's [[calibrations]]), or use the published radius without a payload"
            )
        calibration = {b: (reference, r) for b, r in zip(BANDS, radius.values(), strict=True)}
    lp = float(log_mass_ratio(payload_kg, mtow, empty, fuel))
    radius_km = []
    for band in BANDS:
        ref_payload, ref_radius = calibration[band]
        l_ref = float(log_mass_ratio(ref_payload, mtow, empty, fuel))
        if l_ref <= 0:
            raise UsageError(
                f"{airframe.origin}: the model cannot fly at the reference payload {ref_payload:,.0f} kg"
            )
        radius_km.append(ref_radius * lp / l_ref)
    # No modelled radius exceeds the most generous published figure: the model spreads the published band
    # over payloads, it does not extend it.
    ceiling = max(max(c[1] for c in calibration.values()), airframe.combat_radius.high)
    if max(radius_km) > ceiling:
        assumptions.append(f"capped at the highest published radius, {ceiling:,.0f} km")
        radius_km = [min(r, ceiling) for r in radius_km]
    return RadiusAtPayload(
        payload_kg, tuple(r * 1000 for r in radius_km), "mass-ratio model", calibration, tuple(assumptions)
    )


def model_summary(airframe, steps=5):
    """How this airframe's radius depends on payload: method, calibration, assumptions, and the radius band
    at evenly spaced payloads up to the maximum. ``{"available": False, "reason": ...}`` when it cannot be
    modelled. Distances in km, masses in kg (for ``rangecalc airframes ID``)."""
    limit = max_payload_kg(airframe)
    if limit is None:
        return {"available": False, "reason": "the file gives no max_payload_kg"}
    table = []
    try:
        for payload in np.linspace(0.0, limit, steps):
            result = radius_at_payload(airframe, float(payload))
            table.append(
                {
                    "payload_kg": float(payload),
                    "method": result.method,
                    "combat_radius_km": dict(zip(BANDS, (r / 1000 for r in result.radius_m), strict=True)),
                }
            )
    except UsageError as exc:
        return {"available": False, "reason": str(exc).split(": ", 1)[-1]}
    reference = radius_at_payload(airframe, limit / 2)
    return {
        "available": True,
        "calibration": {
            b: {"payload_kg": p, "combat_radius_km": r} for b, (p, r) in reference.calibration.items()
        },
        "assumptions": list(reference.assumptions),
        "table": table,
    }


def cruise_constant_m(airframe, result):
    """The Breguet constant K (m) per band behind a modelled :class:`RadiusAtPayload`: ``r = K L(p)``."""
    mtow, empty, fuel = _masses(airframe)
    return tuple(
        r_km * 1000 / float(log_mass_ratio(p, mtow, empty, fuel)) for p, r_km in result.calibration.values()
    )


def sortie_fuel_kg(airframe, payload_kg, distance_m, k_m):
    """Fuel (kg) burned on a sortie out to ``distance_m`` and back, dropping ``payload_kg`` at the far end,
    under the mass-ratio model with constant ``k_m`` (array in/out over distance or K).

    Take-off with full internal fuel (cut at the maximum take-off mass), as in the radius model; the fuel
    reserve is not burned. Returns inf where the sortie cannot be flown on the fuel carried.
    """
    mtow, empty, fuel = _masses(airframe)
    p = float(payload_kg)
    loaded = min(fuel, mtow - empty - p)
    w0 = empty + p + loaded
    decay = np.exp(-np.asarray(distance_m, float) / np.asarray(k_m, float))
    w2 = (w0 * decay - p) * decay
    burned = w0 - p - w2
    return np.where(burned <= loaded - RESERVE_FRACTION * fuel, burned, np.inf)


def payload_for_radius(airframe, distance_m, reference_payload_kg=None, band=1):
    """The largest payload (kg) whose modelled radius (``band`` 0 low, 1 nominal, 2 high) reaches
    ``distance_m``: the maximum payload when even that reaches, None when not even an empty aircraft does.
    Bisection on the (non-increasing) modelled radius, to 10 kg."""
    limit = max_payload_kg(airframe)
    if limit is None:
        raise UsageError(f"{airframe.origin}: the file gives no max_payload_kg")

    def radius(p):
        return radius_at_payload(airframe, p, reference_payload_kg).radius_m[band]

    if radius(limit) >= distance_m:
        return float(limit)
    if radius(0.0) < distance_m:
        return None
    lo, hi = 0.0, float(limit)
    while hi - lo > 10.0:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if radius(mid) >= distance_m else (lo, mid)
    return lo
