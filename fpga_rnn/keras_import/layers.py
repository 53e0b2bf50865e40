"""Keras layers of our own, for training: the quantized projected LSTM.

Keras has no projected LSTM (MATLAB's ``lstmProjectedLayer``). ``QLSTMProjected`` is
one: per step, with an input projector Qi (X, Pi; optional) and an output projector
Qo (H, Po)::

    x' = Qi^T x                 h' = Qo^T h(t-1)
    z  = W x' + U h' + b        (W: Pi x 4H, U: Po x 4H; gates i, f, c, o as Keras)
    c  = σ(z_f) c + σ(z_i) tanh(z_c);   h = σ(z_o) tanh(c)     (the output is h)

Every weight goes through a QKeras quantizer (``kernel_quantizer`` for W,
``recurrent_quantizer`` for U, ``bias_quantizer`` for b, ``projector_quantizer`` for Qi
and Qo), with the real sigmoid and tanh that QLSTM uses on our hardware path. The
importer turns it into a bias-free linear Dense (x') and an IR LSTM with a projection.
The classes are built on first use, so importing this module does not import TensorFlow.
"""

from __future__ import annotations

from functools import cache
from typing import Any

QUANTIZERS = ("kernel_quantizer", "recurrent_quantizer", "bias_quantizer", "projector_quantizer")


@cache
def projected_lstm() -> type:
    """The ``QLSTMProjected`` Keras layer class (an ``RNN`` over its cell)."""
    from fpga_rnn.keras_import.importer import _tf

    tf, _ = _tf()
    from qkeras.quantizers import get_quantizer

    K = tf.keras

    class QLSTMProjectedCell(K.layers.Layer):
        def __init__(
            self,
            units: int,
            output_projector_size: int,
            input_projector_size: int = 0,
            **kw: Any,
        ) -> None:
            quant = {k: kw.pop(k, None) for k in QUANTIZERS}
            super().__init__(**kw)
            self.units = int(units)
            self.output_projector_size = int(output_projector_size)
            self.input_projector_size = int(input_projector_size)
            for k, v in quant.items():
                v = v if v is None or isinstance(v, str | dict) else str(v)  # JSON in configs
                setattr(self, k, v)
                # the importer reads <name>_internal, as it does for QKeras layers
                setattr(self, f"{k}_internal", get_quantizer(v) if v else None)
            self.state_size = [self.units, self.units]
            self.output_size = self.units

        def build(self, input_shape: Any) -> None:
            x = int(input_shape[-1])
            u, pi, po = self.units, self.input_projector_size, self.output_projector_size
            glorot = "glorot_uniform"
            if pi:
                self.input_projector = self.add_weight(
                    name="input_projector", shape=(x, pi), initializer=glorot
                )
            self.kernel = self.add_weight(name="kernel", shape=(pi or x, 4 * u), initializer=glorot)
            self.recurrent_kernel = self.add_weight(
                name="recurrent_kernel", shape=(po, 4 * u), initializer="orthogonal"
            )
            self.output_projector = self.add_weight(
                name="output_projector", shape=(u, po), initializer=glorot
            )
            self.bias = self.add_weight(name="bias", shape=(4 * u,), initializer="zeros")
            self.built = True

        def _q(self, name: str, w: Any) -> Any:
            q = getattr(self, f"{name}_internal")
            return q(w) if q is not None else w

        def call(self, inputs: Any, states: Any, training: Any = None) -> Any:
            h, c = states
            x = inputs
            if self.input_projector_size:
                x = tf.matmul(x, self._q("projector_quantizer", self.input_projector))
            hp = tf.matmul(h, self._q("projector_quantizer", self.output_projector))
            z = (
                tf.matmul(x, self._q("kernel_quantizer", self.kernel))
                + tf.matmul(hp, self._q("recurrent_quantizer", self.recurrent_kernel))
                + self._q("bias_quantizer", self.bias)
            )
            zi, zf, zc, zo = tf.split(z, 4, axis=-1)
            c = tf.sigmoid(zf) * c + tf.sigmoid(zi) * tf.tanh(zc)
            h = tf.sigmoid(zo) * tf.tanh(c)
            return h, [h, c]

        def get_config(self) -> dict[str, Any]:
            return {
                **super().get_config(),
                "units": self.units,
                "output_projector_size": self.output_projector_size,
                "input_projector_size": self.input_projector_size,
                **{k: getattr(self, k) for k in QUANTIZERS},
            }

    class QLSTMProjected(K.layers.RNN):
        """Quantized projected LSTM (module docstring); Keras RNN options as LSTM's."""

        def __init__(
            self,
            units: int,
            output_projector_size: int,
            input_projector_size: int = 0,
            kernel_quantizer: Any = None,
            recurrent_quantizer: Any = None,
            bias_quantizer: Any = None,
            projector_quantizer: Any = None,
            **kw: Any,
        ) -> None:
            kw.pop("cell", None)
            cell = QLSTMProjectedCell(
                units,
                output_projector_size,
                input_projector_size,
                kernel_quantizer=kernel_quantizer,
                recurrent_quantizer=recurrent_quantizer,
                bias_quantizer=bias_quantizer,
                projector_quantizer=projector_quantizer,
                name="cell",
            )
            super().__init__(cell, **kw)

        def get_config(self) -> dict[str, Any]:
            cfg = super().get_config()
            cfg.pop("cell", None)
            cell = self.cell.get_config()
            keys = ("units", "output_projector_size", "input_projector_size", *QUANTIZERS)
            return {**cfg, **{k: cell[k] for k in keys}}

        @classmethod
        def from_config(cls, config: dict[str, Any]) -> Any:
            return cls(**config)

    return QLSTMProjected


__all__ = ["QUANTIZERS", "projected_lstm"]
