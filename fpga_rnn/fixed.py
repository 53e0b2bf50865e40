"""Fixed-point arithmetic with ap_fixed semantics: the only place these rules live.

A value of a :class:`FixedFormat` is an integer *code* ``m`` standing for
``m * 2**-frac``. Every array of codes is ``int64``. Arithmetic between codes
(``+``, ``-``, ``*``) is exact, as in ap_fixed; rounding and overflow happen
only when a value is *cast* into a format, and the destination format's modes
govern, exactly like an assignment in C++ with the ap_types headers.

Exactness is checked exhaustively against the ap_types headers that hls4ml ships
(``tests/test_fixed_aptypes.py``).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

import numpy as np

from fpga_rnn.errors import FormatError

# Codes and exact intermediates must stay inside int64; 62 leaves one bit of
# headroom for the rounding add (m + half) before the shift.
INT64_SAFE_BITS = 62
MAX_WIDTH = 48


class Rounding(enum.Enum):
    """ap_fixed quantization modes (what happens to bits below the LSB)."""

    TRN = "AP_TRN"  # floor (toward -inf); the ap_fixed default
    TRN_ZERO = "AP_TRN_ZERO"  # toward zero
    RND = "AP_RND"  # nearest, ties toward +inf
    RND_ZERO = "AP_RND_ZERO"  # nearest, ties toward zero
    RND_MIN_INF = "AP_RND_MIN_INF"  # nearest, ties toward -inf
    RND_INF = "AP_RND_INF"  # nearest, ties away from zero
    RND_CONV = "AP_RND_CONV"  # nearest, ties to even


class Overflow(enum.Enum):
    """ap_fixed overflow modes (what happens to values outside the range)."""

    WRAP = "AP_WRAP"  # keep the low W bits (two's complement); the default
    SAT = "AP_SAT"  # clamp to [min, max]
    SAT_ZERO = "AP_SAT_ZERO"  # 0 on overflow
    SAT_SYM = "AP_SAT_SYM"  # clamp to [-max, max] (signed); as SAT when unsigned


_ROUND_BY_NAME = {r.value: r for r in Rounding} | {r.name: r for r in Rounding}
_OVF_BY_NAME = {o.value: o for o in Overflow} | {o.name: o for o in Overflow}

_PARSE_RE = re.compile(
    r"^\s*(?P<kind>ap_fixed|ap_ufixed|fixed|ufixed|ap_int|ap_uint|int|uint)\s*"
    r"<\s*(?P<args>[^<>]*)>\s*$"
)


@dataclass(frozen=True)
class FixedFormat:
    """An ap_fixed / ap_ufixed / ap_int / ap_uint type.

    ``width`` is W (total bits), ``integer`` is I (integer bits, including the
    sign bit when signed; may be negative or exceed W, as in ap_fixed).
    """

    width: int
    integer: int
    signed: bool = True
    rounding: Rounding = Rounding.TRN
    overflow: Overflow = Overflow.WRAP

    def __post_init__(self) -> None:
        if not isinstance(self.width, int) or isinstance(self.width, bool):
            raise FormatError(f"fixed-point width must be an integer, got {self.width!r}")
        if not 1 <= self.width <= MAX_WIDTH:
            raise FormatError(
                f"fixed-point width {self.width} is outside 1..{MAX_WIDTH}: "
                "wider formats could overflow the int64 arithmetic; use a narrower type"
            )
        if self.signed and self.width < 2 and self.overflow is Overflow.SAT_SYM:
            raise FormatError("AP_SAT_SYM needs a signed width of at least 2 bits")
        if not isinstance(self.integer, int) or abs(self.integer) > 2 * MAX_WIDTH:
            raise FormatError(f"integer bits {self.integer!r} out of range for width {self.width}")
        object.__setattr__(self, "rounding", Rounding(self.rounding))
        object.__setattr__(self, "overflow", Overflow(self.overflow))

    # --- derived properties -------------------------------------------------
    @property
    def frac(self) -> int:
        """Fractional bits F = W - I (the LSB weighs 2**-F)."""
        return self.width - self.integer

    @property
    def min_code(self) -> int:
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def max_code(self) -> int:
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    @property
    def lsb(self) -> float:
        return 2.0**-self.frac

    @property
    def min_value(self) -> float:
        return self.min_code * self.lsb

    @property
    def max_value(self) -> float:
        return self.max_code * self.lsb

    def with_modes(
        self, rounding: Rounding | None = None, overflow: Overflow | None = None
    ) -> FixedFormat:
        return FixedFormat(
            self.width,
            self.integer,
            self.signed,
            rounding or self.rounding,
            overflow or self.overflow,
        )

    # --- text form ----------------------------------------------------------
    def __str__(self) -> str:
        base = "ap_fixed" if self.signed else "ap_ufixed"
        args = [str(self.width), str(self.integer)]
        if self.rounding is not Rounding.TRN or self.overflow is not Overflow.WRAP:
            args += [self.rounding.value, self.overflow.value]
        return f"{base}<{','.join(args)}>"

    def to_json(self) -> str:
        return str(self)

    @classmethod
    def parse(cls, text: str) -> FixedFormat:
        """Parse ``ap_fixed<W,I[,Q[,O[,N]]]>``, ``ap_ufixed<..>``, ``ap_int<W>``,
        ``ap_uint<W>`` and hls4ml's ``fixed<W,I,RND,SAT>`` spelling."""
        if isinstance(text, FixedFormat):
            return text
        m = _PARSE_RE.match(str(text))
        if not m:
            raise FormatError(
                f"unknown precision {text!r}: expected e.g. 'ap_fixed<16,6>', "
                "'ap_fixed<8,2,AP_RND,AP_SAT>', 'ap_ufixed<8,0>' or 'ap_int<8>'"
            )
        kind = m.group("kind")
        args = [a.strip() for a in m.group("args").split(",") if a.strip()]
        signed = not kind.startswith(("ap_u", "u"))
        try:
            if kind in ("ap_int", "ap_uint", "int", "uint"):
                if len(args) != 1:
                    raise ValueError
                w = int(args[0])
                return cls(w, w, signed)
            if len(args) < 2 or len(args) > 5:
                raise ValueError
            w, i = int(args[0]), int(args[1])
        except ValueError:
            raise FormatError(
                f"malformed precision {text!r}: expected {kind}<W,I[,rounding[,overflow]]>"
            ) from None
        q = _lookup(args, 2, _ROUND_BY_NAME, Rounding.TRN, text, "rounding")
        o = _lookup(args, 3, _OVF_BY_NAME, Overflow.WRAP, text, "overflow")
        if len(args) == 5 and args[4] != "0":
            raise FormatError(f"precision {text!r}: saturation bits other than 0 are not supported")
        return cls(w, i, signed, q, o)

    # --- conversions --------------------------------------------------------
    def quantize(self, x: np.ndarray | float) -> np.ndarray:
        """Codes for float values, exactly as ``T(double)`` in ap_types.

        NaN/inf are rejected: callers validate user inputs before this point.
        """
        y = np.asarray(x, dtype=np.float64)
        if not np.all(np.isfinite(y)):
            raise FormatError("cannot quantize NaN or infinite values")
        x = y
        y = np.ldexp(y, self.frac)  # exact, unless it falls into the subnormal range
        fl = np.floor(y)
        rem = y - fl  # exact: fl and y share the exponent range
        tie, above, nonzero = rem == 0.5, rem > 0.5, rem > 0
        # Scaling down (frac < 0) can drop bits below 2**-1074; such a value is in (-1, 1):
        # its floor is -1 or 0 and it lies just above the floor (x > 0) or just below the
        # next integer (x < 0), never at a half.
        lost = (np.ldexp(y, -self.frac) != x) if self.frac < 0 else np.zeros(y.shape, bool)
        if lost.any():
            neg = x < 0
            fl = np.where(lost, np.where(neg, -1.0, 0.0), fl)
            tie = tie & ~lost
            above = np.where(lost, neg, above)
            nonzero = nonzero | lost
        up = _round_up_mask(self.rounding, fl, tie, above, nonzero, x < 0)
        q = fl + up
        lim = float(2**INT64_SAFE_BITS)
        if self.overflow is Overflow.WRAP:
            q = np.fmod(q, float(2**self.width))  # exact, keeps int64 range
        else:
            q = np.clip(q, -lim, lim)
        return self._overflow(q.astype(np.int64))

    def cast(self, codes: np.ndarray | int, frac: int) -> np.ndarray:
        """Cast exact values ``codes * 2**-frac`` into this format (an assignment)."""
        m = np.asarray(codes, dtype=np.int64)
        shift = frac - self.frac
        if shift <= 0:
            up = -shift
            if up and _max_abs_bits(m) + up > INT64_SAFE_BITS:
                if self.overflow is Overflow.WRAP:
                    # Only the low W bits survive a wrap, so pre-wrapping is exact.
                    m = m & ((1 << max(self.width - up, 0)) - 1)
                else:
                    m = np.clip(m, -(1 << (INT64_SAFE_BITS - up)), 1 << (INT64_SAFE_BITS - up))
            return self._overflow(m << up)
        return self._overflow(round_shift(m, shift, self.rounding))

    def to_float(self, codes: np.ndarray) -> np.ndarray:
        return np.ldexp(np.asarray(codes, dtype=np.float64), -self.frac)

    def _overflow(self, m: np.ndarray) -> np.ndarray:
        lo, hi = self.min_code, self.max_code
        o = self.overflow
        if o is Overflow.WRAP:
            mask = (1 << self.width) - 1
            w = m & mask
            if self.signed:
                w = np.where(w > hi, w - (1 << self.width), w)
            return w.astype(np.int64)
        if o is Overflow.SAT:
            return np.clip(m, lo, hi).astype(np.int64)
        if o is Overflow.SAT_ZERO:
            return np.where((m < lo) | (m > hi), 0, m).astype(np.int64)
        # SAT_SYM: symmetric range for signed types
        slo = -hi if self.signed else lo
        return np.clip(m, slo, hi).astype(np.int64)


def _lookup(args: list[str], i: int, table: dict, default, text: str, what: str):
    if len(args) <= i:
        return default
    key = args[i].upper()
    if key not in table:
        names = ", ".join(v.value for v in set(table.values()))
        raise FormatError(f"unknown {what} mode {args[i]!r} in {text!r}; use one of {names}")
    return table[key]


def _round_up_mask(mode: Rounding, floor_odd, tie, above_half, nonzero_rem, negative) -> np.ndarray:
    """1 where rounding moves the floored value up by one LSB, else 0.

    ``tie`` means the discarded bits are exactly one half; ``floor_odd`` is the
    floored value (or a boolean for its parity when given as a bool array).
    """
    if mode is Rounding.TRN:
        return np.zeros_like(tie, dtype=np.int64)
    if mode is Rounding.TRN_ZERO:
        return (negative & nonzero_rem).astype(np.int64)
    if mode is Rounding.RND:
        return (above_half | tie).astype(np.int64)
    if mode is Rounding.RND_ZERO:
        return (above_half | (tie & negative)).astype(np.int64)
    if mode is Rounding.RND_MIN_INF:
        return above_half.astype(np.int64)
    if mode is Rounding.RND_INF:
        return (above_half | (tie & ~negative)).astype(np.int64)
    # RND_CONV: ties go to the even neighbour
    if floor_odd.dtype != np.bool_:
        floor_odd = np.asarray(np.fmod(floor_odd, 2) != 0)
    return (above_half | (tie & floor_odd)).astype(np.int64)


def round_shift(m: np.ndarray, shift: int, mode: Rounding) -> np.ndarray:
    """Divide exact codes by 2**shift (shift > 0) with an ap_fixed rounding mode."""
    m = np.asarray(m, dtype=np.int64)
    if shift > INT64_SAFE_BITS:
        # 2**shift is past int64 (formats with many negative fraction bits):
        # exact Python integers are cheap at this rare size.
        m = m.astype(object)
    fl = m >> shift  # arithmetic shift = floor
    rem = m & ((1 << shift) - 1)
    half = 1 << (shift - 1)
    up = _round_up_mask(mode, (fl & 1) != 0, rem == half, rem > half, rem != 0, m < 0)
    return (fl + up).astype(np.int64)


def _max_abs_bits(m: np.ndarray) -> int:
    if m.size == 0:
        return 0
    big = int(max(abs(int(m.max())), abs(int(m.min()))))
    return big.bit_length()


def fit_signed(max_abs: float, width: int, **modes) -> FixedFormat:
    """The signed format of ``width`` bits with the fewest integer bits that holds
    ``±max_abs`` (used to pick weight formats for float models)."""
    integer = 1
    if max_abs > 0:
        integer = max(int(np.floor(np.log2(max_abs))) + 2, 1 - width + 2)
    return FixedFormat(width, integer, True, **modes)
