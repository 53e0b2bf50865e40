"""Board profiles: part, clock and resource limits, loaded from ``boards/*.yaml``.

A profile is a frozen, validated object: unknown keys, missing keys and wrong
types are errors that name the file and the key. ``--board`` takes a built-in
name or the path of a user's own YAML file with the same keys.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from fpga_rnn.errors import FpgaRnnError

RESOURCE_KEYS = ("lut", "ff", "dsp", "bram", "uram", "spram")
REQUIRED_RESOURCES = ("lut", "ff", "dsp", "bram")
VENDORS = ("xilinx", "lattice", "intel")


class BoardError(FpgaRnnError):
    """An unknown board or an invalid board profile."""


def boards_dir() -> Path:
    """``$FPGA_RNN_BOARDS`` or the repository's ``boards/`` folder."""
    env = os.environ.get("FPGA_RNN_BOARDS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "boards"


@dataclass(frozen=True, kw_only=True)
class Board:
    """One FPGA board: what fits on it and how it is synthesized."""

    name: str
    description: str
    vendor: str
    family: str
    part: str
    package: str
    clock_mhz: float
    resources: dict[str, int]
    bram_kbits: int
    synth: str
    pnr: str | None

    @property
    def clock_period_ns(self) -> float:
        return 1000.0 / self.clock_mhz

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "description": (str,),
    "vendor": (str,),
    "family": (str,),
    "part": (str,),
    "package": (str,),
    "clock_mhz": (int, float),
    "resources": (dict,),
    "bram_kbits": (int,),
    "synth": (str,),
    "pnr": (str, type(None)),
}


def parse_board(data: Any, source: str) -> Board:
    """Validate a profile mapping; errors name ``source`` and the key."""
    if not isinstance(data, dict):
        raise BoardError(f"{source}: a board profile must be a mapping of keys to values")
    unknown = sorted(set(data) - set(_TYPES))
    if unknown:
        raise BoardError(f"{source}: unknown key {unknown[0]!r}; allowed: {', '.join(_TYPES)}")
    for key, types in _TYPES.items():
        if key not in data:
            raise BoardError(f"{source}: missing key {key!r}")
        v = data[key]
        if not isinstance(v, types) or isinstance(v, bool):
            want = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            raise BoardError(f"{source}: key {key!r} must be {want}, got {v!r}")
    if data["vendor"] not in VENDORS:
        raise BoardError(f"{source}: vendor {data['vendor']!r} unknown; use one of {VENDORS}")
    if data["clock_mhz"] <= 0:
        raise BoardError(f"{source}: clock_mhz must be positive")
    res = data["resources"]
    for k, v in res.items():
        if k not in RESOURCE_KEYS:
            raise BoardError(f"{source}: unknown resource {k!r}; allowed: {RESOURCE_KEYS}")
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise BoardError(f"{source}: resources.{k} must be a non-negative integer")
    for k in REQUIRED_RESOURCES:
        if k not in res:
            raise BoardError(f"{source}: missing resources.{k}")
    return Board(**{**data, "clock_mhz": float(data["clock_mhz"]), "resources": dict(res)})


def _read(path: Path) -> Board:
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise BoardError(f"{path}: malformed YAML ({str(e).splitlines()[0]})") from None
    return parse_board(data, str(path))


def available_boards() -> dict[str, Path]:
    return {p.stem: p for p in sorted(boards_dir().glob("*.yaml"))}


def load_board(name_or_path: str | Path) -> Board:
    """A built-in board by name, or a user's YAML profile by path."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml"):
        if not p.is_file():
            raise BoardError(f"board file {p} does not exist")
        return _read(p)
    known = available_boards()
    if str(name_or_path) not in known:
        raise BoardError(
            f"unknown board {str(name_or_path)!r}; known boards: {', '.join(known)} "
            "(or pass the path of your own .yaml profile)"
        )
    return _read(known[str(name_or_path)])
