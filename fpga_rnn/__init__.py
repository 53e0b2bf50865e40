"""fpga-rnn: quantized recurrent networks from QKeras to FPGA firmware, verified bit-exact.

Public API (see :mod:`fpga_rnn.api`): :func:`import_model`, :func:`load_model`,
:func:`predict`, :func:`load_array`, :func:`compare`, :func:`generate_rtl`, :func:`generate_hls`,
:func:`export_c`, :func:`verify`, :func:`train_model`, :func:`synthesize`,
:func:`fit_board`, :func:`estimate_clock`, :func:`run_flow`, :func:`build_bitstream`,
:func:`open_device`, :func:`program_board`, :func:`package`;
the IR in :mod:`fpga_rnn.ir`; fixed-point
formats in :mod:`fpga_rnn.fixed`. Importing this package does not import
TensorFlow; only :mod:`fpga_rnn.keras_import` does, when called.
"""

from fpga_rnn import api as _api
from fpga_rnn.api import *  # noqa: F403  (the facade's __all__)
from fpga_rnn.errors import FpgaRnnError
from fpga_rnn.fixed import FixedFormat, Overflow, Rounding
from fpga_rnn.ir import Model

__version__ = "0.1.0"

__all__ = [
    *_api.__all__,
    "FixedFormat",
    "FpgaRnnError",
    "Model",
    "Overflow",
    "Rounding",
    "__version__",
]
