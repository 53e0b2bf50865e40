"""Layer kinds that slide a window over time: Conv1D and 1-D pooling (a front-end
that shortens and cleans a sequence before the recurrent layers).

Both are a window of ``taps`` steps, ``dilation`` apart, every ``strides`` steps; the
geometry (padding, output length) is :class:`fpga_rnn.window.Window`'s, so the golden
model, the hardware generators, the resource model and the Zynq driver read one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from fpga_rnn.fixed import FixedFormat
from fpga_rnn.ir.layers import Affine, Layer, QArray, Shape, _check_activation, register
from fpga_rnn.window import PADDINGS, Window

POOL_OPS = ("max", "average")


def flatten_taps(kernel: QArray) -> QArray:
    """A Conv1D kernel (taps, X, F) as a Dense's (taps·X, F): the window tap-major."""
    return QArray(codes=kernel.codes.reshape(-1, kernel.shape[-1]), fmt=kernel.fmt)


def _check_window(la: Layer, w: Window, in_shape: Shape) -> Shape:
    size = "kernel size" if la.kind == "conv1d" else "pool size"
    for nm, v in ((size, w.taps), ("strides", w.strides), ("dilation_rate", w.dilation)):
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 64:
            raise la._fail(f"{nm} {v!r:.20} must be an integer from 1 to 64")
    if w.padding not in PADDINGS:
        raise la._fail(f"padding {w.padding!r:.20} unsupported; use one of {PADDINGS}")
    if w.padding == "same" and w.strides > 1:
        raise la._fail(
            "padding='same' with strides > 1 is unsupported: its left padding depends on "
            "the sequence length, which a stream knows only at its end; use 'valid' or 'causal'"
        )
    if w.dilation > 1 and w.strides > 1:
        raise la._fail("strides > 1 with dilation_rate > 1 is unsupported (Keras refuses it)")
    if len(in_shape) != 2:
        raise la._fail(f"expects a sequence (T, X), got shape {in_shape}")
    t = in_shape[0]
    if t is not None and w.steps(t) < 1:
        raise la._fail(f"{t} steps are fewer than one window ({w.min_steps()} steps)")
    return (None if t is None else w.steps(t), in_shape[1])


@register
@dataclass(frozen=True, kw_only=True, eq=False)
class Conv1D(Affine):
    """y_j = act(sum_k W_k · x[j·strides + k·dilation - pad_left] + b), zero padding.

    ``kernel`` is (taps, X, F) as Keras stores it; sums in ``accum`` in the order of
    the window flattened tap-major (a Dense over ``taps·X`` inputs).
    """

    kind: ClassVar[str] = "conv1d"
    strides: int = 1
    dilation: int = 1
    padding: str = "valid"

    @property
    def window(self) -> Window:
        return Window(int(self.kernel.shape[0]), self.strides, self.dilation, self.padding)

    @property
    def flat_kernel(self) -> QArray:
        return flatten_taps(self.kernel)

    @property
    def filters(self) -> int:
        return int(self.kernel.shape[2])

    def output_shape(self, in_shape: Shape) -> Shape:
        _check_activation(self, self.activation, self.table)
        if self.activation == "softmax":
            raise self._fail("softmax is unsupported in a Conv1D; use a Dense head")
        if len(self.kernel.shape) != 3:
            raise self._fail(f"kernel must be (taps, inputs, filters), got {self.kernel.shape}")
        t, _ = _check_window(self, self.window, in_shape)
        if in_shape[-1] != self.kernel.shape[1]:
            raise self._fail(f"kernel expects {self.kernel.shape[1]} inputs, got {in_shape[-1]}")
        if self.bias is not None and self.bias.shape != (self.filters,):
            raise self._fail(f"bias has shape {self.bias.shape}")
        return (t, self.filters)


@register
@dataclass(frozen=True, kw_only=True, eq=False)
class Pooling1D(Layer):
    """Max or average over ``pool`` steps every ``strides`` (``valid`` padding).

    Max keeps the input format. Average is the exact sum scaled by 1/pool (a shift:
    ``pool`` is a power of two) cast once into ``result``.
    """

    kind: ClassVar[str] = "pooling1d"
    op: str
    pool: int
    strides: int
    result: FixedFormat | None = None

    @property
    def window(self) -> Window:
        return Window(self.pool, self.strides)

    def output_shape(self, in_shape: Shape) -> Shape:
        if self.op not in POOL_OPS:
            raise self._fail(f"pooling {self.op!r:.20} unsupported; use one of {POOL_OPS}")
        if self.op == "average":
            if self.result is None:
                raise self._fail("average pooling needs a result format")
            if self.pool & (self.pool - 1):
                raise self._fail(
                    f"average pool size {self.pool} is not a power of two (the hardware "
                    "divides with a shift); use 2, 4, 8, ..."
                )
        return _check_window(self, self.window, in_shape)

    def result_format(self, in_fmt: FixedFormat | None) -> FixedFormat | None:
        return in_fmt if self.op == "max" else self.result
