"""User-facing errors: each message names the problem and the fix in one line.

The CLI prints ``error: <message>`` and exits non-zero for any of these; any
other exception is a bug in fpga-rnn.
"""


class FpgaRnnError(Exception):
    """Base class of every error a user can cause (bad model, input, file, tool)."""


class FormatError(FpgaRnnError, ValueError):
    """An invalid or unsupported fixed-point precision."""


class UnsupportedError(FpgaRnnError):
    """A layer, option or quantizer the toolchain does not implement."""


class IRError(FpgaRnnError):
    """A corrupt, inconsistent or too-new IR directory."""


class InputError(FpgaRnnError, ValueError):
    """Input data with the wrong shape, type or values (NaN/inf)."""


class OutputExistsError(FpgaRnnError):
    """An output would overwrite existing results without --force."""


class OutputError(FpgaRnnError):
    """An output path that cannot take results (a file for a folder, not writable)."""


class ToolError(FpgaRnnError):
    """An external tool (Verilator, yosys, nextpnr, g++) is missing or failed."""
