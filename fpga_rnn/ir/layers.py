"""Layer kinds of the IR: frozen, keyword-only dataclasses holding integer codes
and the fixed-point format of every stored value and intermediate.

Adding a layer kind: define its dataclass here with ``@register``, then give it
one function per backend (``golden``, later HLS and RTL) keyed by ``kind``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from fpga_rnn.errors import IRError
from fpga_rnn.fixed import FixedFormat
from fpga_rnn.ir.kinds import ACTIVATIONS
from fpga_rnn.window import Window

# (timesteps or None, features) for sequences; (features,) after a seq-to-one layer.
Shape = tuple[int | None, ...]

LAYER_KINDS: dict[str, type[Layer]] = {}
TABLE_ACTIVATIONS = ("tanh", "sigmoid", "softmax")
MIN_TABLE, MAX_TABLE = 8, 1 << 16  # entries per activation table


def register(cls: type[Layer]) -> type[Layer]:
    """Add a layer class to the one registry of kinds (keyed by ``cls.kind``)."""
    if cls.kind in LAYER_KINDS:
        raise RuntimeError(f"layer kind {cls.kind!r} registered twice")
    LAYER_KINDS[cls.kind] = cls
    return cls


@dataclass(frozen=True, eq=False)
class QArray:
    """An array of integer codes in one fixed-point format."""

    codes: np.ndarray
    fmt: FixedFormat

    def __post_init__(self) -> None:
        c = np.asarray(self.codes)
        if not np.issubdtype(c.dtype, np.integer):
            raise IRError(f"QArray codes must be integers, got {c.dtype}")
        c = c.astype(np.int64)
        if c.size and (c.min() < self.fmt.min_code or c.max() > self.fmt.max_code):
            raise IRError(f"codes outside the range of {self.fmt}")
        c.setflags(write=False)
        object.__setattr__(self, "codes", c)

    @classmethod
    def from_float(cls, values: np.ndarray, fmt: FixedFormat) -> QArray:
        return cls(codes=fmt.quantize(values), fmt=fmt)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.codes.shape

    def to_float(self) -> np.ndarray:
        return self.fmt.to_float(self.codes)

    def equals(self, other: QArray) -> bool:
        return self.fmt == other.fmt and np.array_equal(self.codes, other.codes)


@dataclass(frozen=True, kw_only=True)
class TableSpec:
    """An activation look-up table: ``size`` entries in format ``fmt``.

    Index rule (hls4ml's): ``idx = trunc0(x * size / (2*R)) + size/2``, clamped to
    [0, size-1], with R = 8 for sigmoid and 4 for tanh. See :mod:`fpga_rnn.tables`.
    """

    size: int = 2048
    fmt: FixedFormat = field(
        default_factory=lambda: FixedFormat.parse("ap_fixed<18,2,AP_RND_CONV,AP_SAT>")
    )

    def __post_init__(self) -> None:
        ok = isinstance(self.size, int) and not isinstance(self.size, bool)
        if not ok or not MIN_TABLE <= self.size <= MAX_TABLE or self.size & (self.size - 1):
            raise IRError(
                f"table size {self.size!r:.40} must be a power of two from {MIN_TABLE} to "
                f"{MAX_TABLE} (the hardware indexes it with a shift)"
            )


@dataclass(frozen=True, kw_only=True, eq=False)
class Layer:
    """Base of every layer kind."""

    kind: ClassVar[str] = ""
    name: str

    def output_shape(self, in_shape: Shape) -> Shape:
        raise NotImplementedError

    @property
    def window(self) -> Window | None:
        """The window a Conv1D or pooling layer slides over time; None for the rest."""
        return None

    @property
    def keeps_time(self) -> bool:
        """Output steps are the input steps (no window): Keras carries a mask through."""
        return self.window is None

    def out_steps(self, t: int) -> int:
        """Output steps for ``t`` input steps (a window layer shortens the sequence)."""
        return t if self.window is None else self.window.steps(t)

    def result_format(self, in_fmt: FixedFormat | None) -> FixedFormat | None:
        """Format of this layer's output codes (None for token ids)."""
        raise NotImplementedError

    def _fail(self, msg: str) -> IRError:
        return IRError(f"layer {self.name!r} ({self.kind}): {msg}")


def _check_activation(layer: Layer, activation: str, table: TableSpec | None) -> None:
    if activation not in ACTIVATIONS:
        raise layer._fail(f"unknown activation {activation!r}; use one of {ACTIVATIONS}")
    if activation in TABLE_ACTIVATIONS and table is None:
        raise layer._fail(f"activation {activation!r} needs a table")


@register
@dataclass(frozen=True, kw_only=True, eq=False)
class Embedding(Layer):
    """Token id -> row of ``table`` (vocab, dim). Ids must be < vocab."""

    kind: ClassVar[str] = "embedding"
    table: QArray
    mask_zero: bool = False

    def output_shape(self, in_shape: Shape) -> Shape:
        if len(in_shape) != 2 or in_shape[1] != 1:
            raise self._fail(f"expects token ids of shape (T, 1), got {in_shape}")
        return (in_shape[0], self.table.shape[1])

    def result_format(self, in_fmt: FixedFormat | None) -> FixedFormat:
        return self.table.fmt


@dataclass(frozen=True, kw_only=True, eq=False)
class Recurrent(Layer):
    """Common part of SimpleRNN, LSTM and GRU.

    ``kernel`` is (X, G*H), ``recurrent_kernel`` (H, G*H), ``bias`` (G*H,), gate
    columns in Keras order. ``accum`` holds every dense sum and pre-activation,
    ``gate`` every table output, ``state`` the hidden state h (also the output).
    """

    gates: ClassVar[int] = 1
    units: int
    kernel: QArray
    recurrent_kernel: QArray
    bias: QArray
    accum: FixedFormat
    state: FixedFormat
    gate: FixedFormat
    table: TableSpec
    return_sequences: bool = False
    go_backwards: bool = False

    def output_shape(self, in_shape: Shape) -> Shape:
        if len(in_shape) != 2:
            raise self._fail(f"expects a sequence (T, X), got shape {in_shape}")
        g, h = self.gates, self.units
        x = in_shape[1]
        for nm, arr, want in (
            ("kernel", self.kernel, (x, g * h)),
            ("recurrent_kernel", self.recurrent_kernel, (self.recurrent_inputs, g * h)),
            ("bias", self.bias, (g * h,)),
        ):
            if arr.shape != want:
                raise self._fail(f"{nm} has shape {arr.shape}, expected {want}")
        return (in_shape[0], h) if self.return_sequences else (h,)

    def result_format(self, in_fmt: FixedFormat | None) -> FixedFormat:
        return self.state

    @property
    def recurrent_inputs(self) -> int:
        """Length of the vector U multiplies: H, or a projected LSTM's Po."""
        return self.units

    @property
    def candidate_activation(self) -> str:
        """The activation of the candidate state (tanh for LSTM and GRU)."""
        return "tanh"

    @property
    def resets_after(self) -> bool:
        """GRU only: the reset gate applies after U·h (Keras' reset_after); else true."""
        return True


@register
@dataclass(frozen=True, kw_only=True, eq=False)
class SimpleRNN(Recurrent):
    """h = act(W x + b + U h); act is tanh (table), relu or linear."""

    kind: ClassVar[str] = "simple_rnn"
    activation: str = "tanh"

    def __post_init__(self) -> None:
        if self.activation not in ("tanh", "relu", "linear"):
            raise self._fail(f"activation {self.activation!r} unsupported; use tanh/relu/linear")

    @property
    def candidate_activation(self) -> str:
        return self.activation


@register
@dataclass(frozen=True, kw_only=True, eq=False)
class LSTM(Recurrent):
    """Keras LSTM (gates i, f, c, o; sigmoid/tanh). ``cell`` is the format of c."""

    kind: ClassVar[str] = "lstm"
    gates: ClassVar[int] = 4
    cell: FixedFormat
    # Projected LSTM (MATLAB's lstmProjectedLayer): U multiplies h' = Qo^T h, not h.
    # ``projection`` is Qo (H, Po); h' is a bias-free linear Dense of h (sums in
    # ``projection_accum``, then cast to ``projected``). The output stays h.
    projection: QArray | None = None
    projection_accum: FixedFormat | None = None
    projected: FixedFormat | None = None

    @property
    def recurrent_inputs(self) -> int:
        return self.units if self.projection is None else self.projection.shape[1]

    @property
    def projector(self) -> Dense | None:
        """The output projector as the Dense it computes (h -> h'), or None."""
        if self.projection is None:
            return None
        assert self.projection_accum is not None and self.projected is not None
        return Dense(
            name=f"{self.name}_projector",
            kernel=self.projection,
            bias=None,
            accum=self.projection_accum,
            result=self.projected,
        )

    def output_shape(self, in_shape: Shape) -> Shape:
        parts = (self.projection, self.projection_accum, self.projected)
        if any(v is None for v in parts) != all(v is None for v in parts):
            raise self._fail("projection, projection_accum and projected go together")
        if self.projection is not None:
            po = self.projection.shape[1] if self.projection.codes.ndim == 2 else 0
            if self.projection.shape != (self.units, po) or po < 1:
                raise self._fail(
                    f"projection has shape {self.projection.shape}, expected ({self.units}, Po)"
                )
            for f in (self.projection_accum, self.projected):
                assert f is not None
                if not f.signed:
                    raise self._fail(f"projector format {f} must be signed")
        return super().output_shape(in_shape)


@register
@dataclass(frozen=True, kw_only=True, eq=False)
class GRU(Recurrent):
    """Keras GRU (gates z, r, h). ``recurrent_bias`` (3H,) exists iff reset_after."""

    kind: ClassVar[str] = "gru"
    gates: ClassVar[int] = 3
    reset_after: bool = True
    recurrent_bias: QArray | None = None

    def output_shape(self, in_shape: Shape) -> Shape:
        if self.reset_after != (self.recurrent_bias is not None):
            raise self._fail("recurrent_bias must be given exactly when reset_after is true")
        if self.recurrent_bias is not None and self.recurrent_bias.shape != self.bias.shape:
            raise self._fail(f"recurrent_bias has shape {self.recurrent_bias.shape}")
        return super().output_shape(in_shape)

    @property
    def resets_after(self) -> bool:
        return self.reset_after


@register
@dataclass(frozen=True, kw_only=True, eq=False)
class Bidirectional(Layer):
    """Two recurrent layers over the sequence, the backward one on the reversed
    valid part; outputs merged by ``concat`` or ``sum`` (sum cast to ``result``)."""

    kind: ClassVar[str] = "bidirectional"
    forward: Recurrent
    backward: Recurrent
    merge: str = "concat"
    result: FixedFormat | None = None

    def output_shape(self, in_shape: Shape) -> Shape:
        if self.merge not in ("concat", "sum"):
            raise self._fail(f"merge mode {self.merge!r} unsupported; use concat or sum")
        if self.merge == "sum" and self.result is None:
            raise self._fail("merge 'sum' needs a result format")
        if self.forward.return_sequences != self.backward.return_sequences:
            raise self._fail("forward and backward layers must agree on return_sequences")
        fs, bs = self.forward.output_shape(in_shape), self.backward.output_shape(in_shape)
        if self.merge == "sum":
            if fs != bs:
                raise self._fail(f"sum merge needs equal shapes, got {fs} and {bs}")
            return fs
        if self.merge == "concat" and self.forward.state != self.backward.state:
            raise self._fail("concat merge needs equal forward/backward state formats")
        return (*fs[:-1], fs[-1] + bs[-1])

    def result_format(self, in_fmt: FixedFormat | None) -> FixedFormat:
        return self.result if self.merge == "sum" else self.forward.state


@dataclass(frozen=True, kw_only=True, eq=False)
class Affine(Layer):
    """Common part of Dense and Conv1D: ``act(W·x + b)``, sums in ``accum``, output
    in ``result``."""

    kernel: QArray
    bias: QArray | None
    accum: FixedFormat
    result: FixedFormat
    activation: str = "linear"
    table: TableSpec | None = None

    def result_format(self, in_fmt: FixedFormat | None) -> FixedFormat:
        return self.result


@register
@dataclass(frozen=True, kw_only=True, eq=False)
class Dense(Affine):
    """y = act(W x + b) over the last axis; sums in ``accum``, output in ``result``."""

    kind: ClassVar[str] = "dense"

    def output_shape(self, in_shape: Shape) -> Shape:
        _check_activation(self, self.activation, self.table)
        if in_shape[-1] != self.kernel.shape[0]:
            raise self._fail(f"kernel expects {self.kernel.shape[0]} inputs, got {in_shape[-1]}")
        if self.bias is not None and self.bias.shape != (self.kernel.shape[1],):
            raise self._fail(f"bias has shape {self.bias.shape}")
        return (*in_shape[:-1], self.kernel.shape[1])


@register
@dataclass(frozen=True, kw_only=True, eq=False)
class Activation(Layer):
    """Element-wise (or softmax over the last axis) activation into ``result``."""

    kind: ClassVar[str] = "activation"
    activation: str
    result: FixedFormat
    table: TableSpec | None = None

    def output_shape(self, in_shape: Shape) -> Shape:
        _check_activation(self, self.activation, self.table)
        return in_shape

    def result_format(self, in_fmt: FixedFormat | None) -> FixedFormat:
        return self.result
