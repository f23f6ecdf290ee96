"""Airframes and their published figures, each a low / nominal / high band with sources."""

from dataclasses import dataclass, field

#: Figure keys accepted in airframe files, with the factor that converts the file unit to SI.
FIGURE_UNITS = {
    "combat_radius_km": ("km", 1000.0),
    "range_km": ("km", 1000.0),
    "ferry_range_km": ("km", 1000.0),
    "max_payload_kg": ("kg", 1.0),
    "max_takeoff_mass_kg": ("kg", 1.0),
    "empty_mass_kg": ("kg", 1.0),
    "internal_fuel_kg": ("kg", 1.0),
    "cruise_speed_kmh": ("km/h", 1.0 / 3.6),
    "takeoff_run_m": ("m", 1.0),
}
#: Accepted values of each figure, in its file unit: wide enough for any aircraft, narrow enough that a typo
#: (a speed of 5e-324 km/h, a radius near half the equator, a zero mass) is refused when the file is read.
FIGURE_BOUNDS = {
    "combat_radius_km": (10.0, 17_000.0),  # rings draw up to 0.9 x half a meridian (17,973 km)
    "range_km": (10.0, 40_000.0),
    "ferry_range_km": (10.0, 40_000.0),
    "max_payload_kg": (1.0, 1_000_000.0),
    "max_takeoff_mass_kg": (1.0, 1_000_000.0),
    "empty_mass_kg": (1.0, 1_000_000.0),
    "internal_fuel_kg": (1.0, 1_000_000.0),
    "cruise_speed_kmh": (50.0, 5_000.0),
    "takeoff_run_m": (10.0, 10_000.0),
}
#: Order in which the three values of a figure are reported.
BANDS = ("low", "nominal", "high")
RELIABILITY_GRADES = {
    "A": "official or primary",
    "B": "established agency or defence press reporting an official statement",
    "C": "secondary compilation or explainer",
    "D": "blog, aggregator, game data or internally inconsistent",
}


@dataclass(frozen=True)
class Source:
    """Where a figure or a position comes from, and what exactly it says."""

    id: str
    title: str
    states: str
    url: str | None = None
    publication: str | None = None
    conditions: str | None = None
    reliability: str | None = None

    def cite(self):
        """One-line citation: title, where, grade."""
        where = self.url or self.publication or ""
        grade = f" [grade {self.reliability}]" if self.reliability else ""
        return f"{self.title} ({where}){grade}" if where else f"{self.title}{grade}"

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Figure:
    """A published quantity as a band: ``low <= nominal <= high``, in the unit named by ``key``."""

    key: str
    low: float
    nominal: float
    high: float
    conditions: str
    sources: tuple[Source, ...]
    note: str = ""
    reference_payload_kg: float | None = None

    @property
    def unit(self):
        return FIGURE_UNITS[self.key][0]

    def values(self):
        """The band as an array ``[low, nominal, high]`` in the file unit."""
        import numpy as np  # here, so that listing airframes does not load numpy

        return np.array([self.low, self.nominal, self.high], dtype=float)

    def values_si(self):
        """The band as an array ``[low, nominal, high]`` in SI units (m, kg, m/s)."""
        return self.values() * FIGURE_UNITS[self.key][1]

    def as_dict(self):
        out = {
            "low": self.low,
            "nominal": self.nominal,
            "high": self.high,
            "unit": self.unit,
            "conditions": self.conditions,
            "note": self.note,
            "sources": [s.id for s in self.sources],
        }
        if self.reference_payload_kg is not None:
            out["reference_payload_kg"] = self.reference_payload_kg
        return out


@dataclass(frozen=True)
class PayloadRadius:
    """A published (payload, combat radius) pair."""

    payload_kg: float
    combat_radius_km: tuple[float, float, float]
    sources: tuple[Source, ...]
    note: str = ""


@dataclass(frozen=True)
class Airframe:
    """An aircraft type with its figures and sources, as read from ``airframes/<id>.toml``."""

    id: str
    name: str
    aliases: tuple[str, ...]
    role: str
    notes: str
    in_flight_refuelling: bool
    refuelling_note: str
    refuelling_sources: tuple[Source, ...]
    figures: dict[str, Figure]
    sources: dict[str, Source]
    payload_radius: tuple[PayloadRadius, ...] = ()
    origin: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def combat_radius(self):
        return self.figures["combat_radius_km"]

    def figure(self, key):
        """The figure ``key`` or None when the file does not give it."""
        return self.figures.get(key)

    def as_dict(self):
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "role": self.role,
            "notes": self.notes,
            "in_flight_refuelling": self.in_flight_refuelling,
            "refuelling_note": self.refuelling_note,
            "refuelling_sources": [s.id for s in self.refuelling_sources],
            "figures": {k: f.as_dict() for k, f in self.figures.items()},
            "payload_radius": [
                {
                    "payload_kg": p.payload_kg,
                    "combat_radius_km": dict(zip(BANDS, p.combat_radius_km, strict=True)),
                    "sources": [s.id for s in p.sources],
                    "note": p.note,
                }
                for p in self.payload_radius
            ],
            "sources": {k: s.as_dict() for k, s in self.sources.items()},
            "file": self.origin,
        }
