"""The golden model: the arithmetic specification of fpga-rnn, written as code.

HLS C-simulation and RTL simulation must equal it bit for bit.
"""

from fpga_rnn.golden.model import GOLDEN, Prepared, predict, predict_codes, prepare_input

__all__ = ["GOLDEN", "Prepared", "predict", "predict_codes", "prepare_input"]
