"""Framework-free model IR: integer codes, fixed-point formats, one registry of kinds."""

from fpga_rnn.ir.conv import Conv1D, Pooling1D, Window
from fpga_rnn.ir.layers import (
    GRU,
    LAYER_KINDS,
    LSTM,
    Activation,
    Bidirectional,
    Dense,
    Embedding,
    Layer,
    QArray,
    Recurrent,
    SimpleRNN,
    TableSpec,
)
from fpga_rnn.ir.model import SCHEMA_VERSION, InputSpec, Model

__all__ = [
    "GRU",
    "LAYER_KINDS",
    "LSTM",
    "SCHEMA_VERSION",
    "Activation",
    "Bidirectional",
    "Conv1D",
    "Dense",
    "Embedding",
    "InputSpec",
    "Layer",
    "Model",
    "Pooling1D",
    "QArray",
    "Recurrent",
    "SimpleRNN",
    "TableSpec",
    "Window",
]
