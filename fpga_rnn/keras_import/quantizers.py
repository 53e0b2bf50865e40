"""QKeras quantizers and Keras activations -> fixed-point formats (no TF import here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fpga_rnn.errors import UnsupportedError
from fpga_rnn.fixed import FixedFormat, Overflow, Rounding

# QKeras rounds with tf.round (ties to even) and clips: the ap_fixed equivalent.
QKERAS_MODES = {"rounding": Rounding.RND_CONV, "overflow": Overflow.SAT}


@dataclass(frozen=True)
class ActivationInfo:
    """A Keras/QKeras activation as the hardware sees it."""

    name: str  # linear | relu | tanh | sigmoid | softmax
    fmt: FixedFormat | None  # output quantization, if the activation has one


def describe(obj: Any) -> tuple[str, dict[str, Any]]:
    """(class name, config) of a quantizer or activation object, string or None."""
    if obj is None:
        return "none", {}
    if isinstance(obj, str):
        return obj, {}
    if callable(obj) and hasattr(obj, "__name__") and not hasattr(obj, "get_config"):
        return obj.__name__, {}
    cfg = obj.get_config() if hasattr(obj, "get_config") else {}
    return type(obj).__name__, dict(cfg)


def quantizer_format(q: Any, where: str) -> FixedFormat | None:
    """Format of a ``quantized_bits`` weight quantizer (None when unquantized)."""
    cls, cfg = describe(q)
    if cls == "none":
        return None
    if cls != "quantized_bits":
        raise UnsupportedError(
            f"{where}: quantizer {cls} is not supported; use quantized_bits(bits, integer)"
        )
    alpha = cfg.get("alpha")
    if alpha not in (None, 1, 1.0):
        raise UnsupportedError(
            f"{where}: quantized_bits alpha={alpha!r} is not supported; use alpha=1"
        )
    if cfg.get("use_stochastic_rounding"):
        raise UnsupportedError(f"{where}: stochastic rounding is not supported")
    bits, integer = int(cfg["bits"]), int(cfg["integer"])
    if cfg.get("keep_negative", True):
        return FixedFormat(bits, integer + 1, True, **QKERAS_MODES)
    return FixedFormat(bits, integer, False, **QKERAS_MODES)


def activation_info(act: Any, where: str) -> ActivationInfo:
    """Map a Keras activation or QKeras activation quantizer to (name, format)."""
    cls, cfg = describe(act)
    plain = {
        "linear": "linear",
        "relu": "relu",
        "tanh": "tanh",
        "sigmoid": "sigmoid",
        "softmax": "softmax",
        "none": "linear",
    }
    if cls in plain:
        return ActivationInfo(plain[cls], None)
    if cls == "quantized_bits":
        return ActivationInfo("linear", quantizer_format(act, where))
    if cls == "quantized_relu":
        if cfg.get("negative_slope") or cfg.get("use_sigmoid") or cfg.get("relu_upper_bound"):
            raise UnsupportedError(
                f"{where}: quantized_relu with negative_slope/use_sigmoid/upper bound "
                "is not supported; use quantized_relu(bits, integer)"
            )
        return ActivationInfo(
            "relu", FixedFormat(int(cfg["bits"]), int(cfg["integer"]), False, **QKERAS_MODES)
        )
    if cls == "quantized_tanh":
        if not cfg.get("use_real_tanh"):
            raise UnsupportedError(
                f"{where}: quantized_tanh without use_real_tanh is a hard tanh the hardware "
                "does not implement; use quantized_tanh(bits, use_real_tanh=True) or 'tanh'"
            )
        return ActivationInfo("tanh", FixedFormat(int(cfg["bits"]), 1, True, **QKERAS_MODES))
    if cls == "quantized_sigmoid":
        if not cfg.get("use_real_sigmoid"):
            raise UnsupportedError(
                f"{where}: quantized_sigmoid without use_real_sigmoid is a hard sigmoid; "
                "use quantized_sigmoid(bits, use_real_sigmoid=True) or 'sigmoid'"
            )
        return ActivationInfo("sigmoid", FixedFormat(int(cfg["bits"]), 0, False, **QKERAS_MODES))
    raise UnsupportedError(
        f"{where}: activation {cls!r} is not supported; use linear, relu, tanh, sigmoid, "
        "softmax or a QKeras quantized_relu/quantized_tanh/quantized_sigmoid(use_real_*)"
    )
