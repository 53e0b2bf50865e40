"""Board profiles: part, clock and resource limits, loaded from ``boards/*.yaml``.

A profile is a frozen, validated object: unknown keys, missing keys and wrong
types are errors that name the file and the key. ``--board`` takes a built-in
name or the path of a user's own YAML file with the same keys.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from fpga_rnn.errors import FpgaRnnError, InputError
from fpga_rnn.escape import check_token, printable

RESOURCE_KEYS = ("lut", "ff", "dsp", "bram", "uram", "spram")
REQUIRED_RESOURCES = ("lut", "ff", "dsp", "bram")
VENDORS = ("xilinx", "lattice", "intel")
MAX_CLOCK_MHZ = 2000.0
MAX_RESOURCE = 10**9
# A profile names a yosys script and a nextpnr command line: both run here, so only
# these commands and flags (no file arguments: nextpnr's --pre-pack runs Python).
SYNTH_COMMANDS = ("synth_xilinx", "synth_ice40", "synth_ecp5")
SYNTH_FLAGS = {"-family": True, "-dsp": False, "-abc9": False, "-noflatten": False}
PNR_COMMANDS = ("nextpnr-ice40", "nextpnr-ecp5")
_DEVICES = "lp384 lp1k lp4k lp8k hx1k hx4k hx8k up3k up5k u1k u2k u4k 12k 25k 45k 85k"
PNR_FLAGS = {**{f"--{d}": False for d in _DEVICES.split()}, "--package": True, "--speed": True}


class BoardError(FpgaRnnError):
    """An unknown board or an invalid board profile."""


def boards_dir() -> Path:
    """``$FPGA_RNN_BOARDS``, or the built-in profiles (the repository's ``boards/``,
    installed as ``fpga_rnn.board_profiles``)."""
    from fpga_rnn.datadirs import shipped_dir

    env = os.environ.get("FPGA_RNN_BOARDS")
    return Path(env) if env else shipped_dir("board_profiles")


@dataclass(frozen=True, kw_only=True)
class BoardIO:
    """The pins a bitstream uses (``io:`` in a profile): clock, serial link to the
    board's USB-serial chip, a reset button and status lights."""

    clock_pin: str
    uart_rx: str  # the FPGA's input (the USB chip's TXD)
    uart_tx: str
    reset_pin: str
    reset_active_low: bool
    leds: list[str]
    leds_active_low: bool
    iostandard: str
    programmer: str  # openFPGALoader's board name (-b)
    source: str  # where the pin map comes from

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_IO_KEYS = tuple(f.name for f in fields(BoardIO))
_PIN = re.compile(r"^[A-Z]{0,2}[0-9]{1,3}$")
_WORD = re.compile(r"^[A-Za-z0-9_]{1,32}$")


def _parse_io(io: Any, source: str) -> BoardIO:
    if not isinstance(io, dict):
        raise BoardError(f"{source}: io must be a mapping")
    unknown = sorted(set(io) - set(_IO_KEYS))
    if unknown:
        raise BoardError(f"{source}: unknown key io.{unknown[0]}; allowed: {', '.join(_IO_KEYS)}")
    for key in _IO_KEYS:
        if key not in io:
            raise BoardError(f"{source}: missing key io.{key}")
    pins = [io[k] for k in ("clock_pin", "uart_rx", "uart_tx", "reset_pin")]
    leds = io["leds"]
    if not isinstance(leds, list) or not 1 <= len(leds) <= 8:
        raise BoardError(f"{source}: io.leds must be a list of 1 to 8 pins")
    for pin in [*pins, *leds]:  # pins reach constraint files
        if not isinstance(pin, str) or not _PIN.match(pin):
            raise BoardError(f"{source}: io pin {printable(str(pin))!r} is not a pin name like L4")
    for key in ("iostandard", "programmer"):
        if not isinstance(io[key], str) or not _WORD.match(io[key]):
            raise BoardError(f"{source}: io.{key} must be a word (letters, digits, _)")
    for key in ("reset_active_low", "leds_active_low"):
        if not isinstance(io[key], bool):
            raise BoardError(f"{source}: io.{key} must be true or false")
    if not isinstance(io["source"], str) or printable(io["source"]) != io["source"]:
        raise BoardError(f"{source}: io.source must be one line of text")
    return BoardIO(**{**io, "leds": list(leds)})


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
    io: BoardIO | None = None  # pins, for boards a bitstream can be built for

    @property
    def clock_period_ns(self) -> float:
        return 1000.0 / self.clock_mhz

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["io"] = self.io.to_dict() if self.io else None
        return d


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
    unknown = sorted(set(data) - set(_TYPES) - {"io"})
    if unknown:
        raise BoardError(f"{source}: unknown key {unknown[0]!r}; allowed: {', '.join(_TYPES)}, io")
    for key, types in _TYPES.items():
        if key not in data:
            raise BoardError(f"{source}: missing key {key!r}")
        v = data[key]
        if not isinstance(v, types) or isinstance(v, bool):
            want = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            raise BoardError(f"{source}: key {key!r} must be {want}, got {v!r}")
    if data["vendor"] not in VENDORS:
        raise BoardError(f"{source}: vendor {data['vendor']!r} unknown; use one of {VENDORS}")
    if not (math.isfinite(data["clock_mhz"]) and 0 < data["clock_mhz"] <= MAX_CLOCK_MHZ):
        raise BoardError(f"{source}: clock_mhz must be a number in (0, {MAX_CLOCK_MHZ:g}]")
    if not 1 <= data["bram_kbits"] <= 1024:
        raise BoardError(f"{source}: bram_kbits must be from 1 to 1024")
    try:  # these reach file names, Tcl, yosys scripts and reports
        for key in ("name", "family", "part", "package"):
            check_token(data[key], f"{source}: {key}")
    except InputError as e:
        raise BoardError(str(e)) from None
    if printable(data["description"]) != data["description"] or len(data["description"]) > 200:
        raise BoardError(f"{source}: description must be one line of at most 200 characters")
    _check_command(data["synth"], SYNTH_COMMANDS, SYNTH_FLAGS, f"{source}: synth")
    if data["pnr"] is not None:
        _check_command(data["pnr"], PNR_COMMANDS, PNR_FLAGS, f"{source}: pnr")
    res = data["resources"]
    for k, v in res.items():
        if k not in RESOURCE_KEYS:
            raise BoardError(f"{source}: unknown resource {k!r}; allowed: {RESOURCE_KEYS}")
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_RESOURCE:
            raise BoardError(f"{source}: resources.{k} must be an integer from 0 to {MAX_RESOURCE}")
    for k in REQUIRED_RESOURCES:
        if k not in res:
            raise BoardError(f"{source}: missing resources.{k}")
    io = _parse_io(data["io"], source) if data.get("io") is not None else None
    fixed = {"clock_mhz": float(data["clock_mhz"]), "resources": dict(res), "io": io}
    return Board(**{**data, **fixed})


def _check_command(cmd: str, commands: tuple[str, ...], flags: dict[str, bool], what: str) -> None:
    """``cmd`` is one of ``commands`` followed by known flags (True: takes a plain value)."""
    words = cmd.split()
    if not words or words[0] not in commands:
        raise BoardError(f"{what} must start with one of {', '.join(commands)}")
    i = 1
    while i < len(words):
        w = words[i]
        if w not in flags:
            raise BoardError(
                f"{what}: flag {printable(w)!r} not allowed; allowed: {', '.join(flags)}"
            )
        if flags[w]:
            i += 1
            if i == len(words) or not words[i].replace("-", "").isalnum():
                raise BoardError(f"{what}: {w} needs a plain value (letters and digits)")
        i += 1


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
