"""hls4ml extension: one custom layer (``FrnnLayer``) whose config and function-call
templates come from ``fpga_rnn.backends.hls.kinds``, and our kernels in ``hls/`` registered
as project sources. Only hls4ml's public extension points are used
(``register_layer``, ``Backend.register_template``, ``Backend.register_source``);
hls4ml's own RNN kernels are never called.
"""

from __future__ import annotations

from pathlib import Path

from hls4ml.backends import get_backend
from hls4ml.backends.template import FunctionCallTemplate, LayerConfigTemplate
from hls4ml.model.layers import Layer, register_layer

from fpga_rnn.backends.hls.kinds import CFG, Node
from fpga_rnn.datadirs import shipped_dir
from fpga_rnn.errors import ToolError

BACKENDS = ("Vivado", "Vitis")
KERNEL_HEADER = "nnet_utils/frnn_layers.h"


def kernel_dir() -> Path:
    """The HLS kernels (the repository's ``hls/``, installed as ``fpga_rnn.hls_kernels``)."""
    d = shipped_dir("hls_kernels")
    if not (d / "frnn_layers.h").is_file():
        raise ToolError(f"HLS kernels missing from {d}; reinstall fpga-rnn")
    return d


def _precision(backend_name: str, cpp_type: str):
    return get_backend(backend_name).convert_precision_string(cpp_type)


class FrnnLayer(Layer):
    """One kernel call; the ``frnn_node`` attribute (a ``kinds.Node``) says which."""

    def initialize(self) -> None:
        node: Node = self.get_attr("frnn_node")
        backend = self.model.config.backend.name
        for arr in node.arrays:
            self.add_weights_variable(
                name=arr.name,
                var_name=arr.name + "{index}",
                type_name=arr.name + "{index}_t",
                precision=_precision(backend, str(arr.fmt)),
                data=arr.values,
            )
        self.add_output_variable(list(node.out_shape), precision=_precision(backend, node.out_type))


class FrnnConfigTemplate(LayerConfigTemplate):
    def __init__(self) -> None:
        super().__init__(FrnnLayer)

    def format(self, node) -> str:
        return node.get_attr("frnn_node").config.replace(CFG, f"config{node.index}")


class FrnnFunctionTemplate(FunctionCallTemplate):
    def __init__(self) -> None:
        super().__init__(FrnnLayer, include_header=[KERNEL_HEADER])

    def format(self, node) -> str:
        n: Node = node.get_attr("frnn_node")
        args = [node.get_input_variable(node.inputs[0]).name]
        if n.takes_valid:
            args.append(node.get_input_variable(node.inputs[1]).name)
        args.append(node.get_output_variable().name)
        args += [node.get_weights(a).name for a in n.args]
        return f"{n.func}<config{node.index}>({', '.join(args)});"


_registered = False


def register() -> None:
    """Register the layer, templates and kernel sources with hls4ml (once)."""
    global _registered
    if _registered:
        return
    register_layer("FrnnLayer", FrnnLayer)
    sources = sorted(kernel_dir().glob("frnn_*.h"))
    for name in BACKENDS:
        backend = get_backend(name)
        backend.register_template(FrnnConfigTemplate)
        backend.register_template(FrnnFunctionTemplate)
        for src in sources:
            backend.register_source(src)
    _registered = True
