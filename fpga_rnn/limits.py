"""Ranges of the numeric options, checked before any work starts: refuse, never substitute.

The CLI passes the same bounds to typer (so ``--help`` shows them) and the API
functions call :func:`check_int` (so a script gets the same one-line error).
"""

from __future__ import annotations

import math

from fpga_rnn.errors import InputError

# percent of cycles with tvalid/tready low in the RTL run; 100 would never finish
MAX_STALL_PERCENT = 90
MAX_SAMPLES = 10_000_000
MAX_TIMESTEPS = 1 << 16
MAX_REUSE = 1 << 20


def check_int(value: object, name: str, lo: int, hi: int | None = None) -> int:
    """``value`` if it is an int in [lo, hi], else InputError naming the option."""
    ok = isinstance(value, int) and not isinstance(value, bool)
    if not ok or value < lo or (hi is not None and value > hi):  # type: ignore[operator]
        span = f"from {lo} to {hi}" if hi is not None else f">= {lo}"
        raise InputError(f"{name} must be an integer {span}, got {value!r:.40}")
    return value  # type: ignore[return-value]


def check_float(value: object, name: str, lo: float, hi: float, *, open_lo: bool = False) -> float:
    """``value`` if it is a finite number in [lo, hi] (or (lo, hi] with ``open_lo``)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value > hi or value < lo or (open_lo and value == lo):  # type: ignore[operator]
        span = f"({lo:g}, {hi:g}]" if open_lo else f"[{lo:g}, {hi:g}]"
        raise InputError(f"{name} must be a number in {span}, got {value!r:.40}")
    return float(value)  # type: ignore[arg-type]
