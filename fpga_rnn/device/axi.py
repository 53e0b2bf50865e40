"""The AXI wrapper (``frnn_axi.v``) around a generated design: its sources, its
parameters and its word format, from the design's ``rtl.json``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fpga_rnn.device.axi_words import WordFormat, WordFormatError
from fpga_rnn.errors import InputError
from fpga_rnn.fixed import FixedFormat

AXI_TOP = "frnn_axi"
AXI_SOURCES = ("frnn_axi.v",)
AXI_HEADER = "frnn_axi_regs.vh"
DEFAULT_DMA_BITS = 32


def axi_dir() -> Path:
    """The wrapper's Verilog and register header (shipped in the wheel)."""
    return Path(str(resources.files("fpga_rnn.backends.rtl") / "verilog" / "axi"))


def axi_sources() -> list[Path]:
    return [axi_dir() / n for n in AXI_SOURCES]


def word_format(info: dict[str, Any], dma_bits: int = DEFAULT_DMA_BITS) -> WordFormat:
    """The word format of a design (its ``rtl.json``) on ``dma_bits``-bit DMA words."""
    if info.get("stream"):
        raise InputError(
            "a streaming design (--stream) has no sequence boundaries for the DMA: "
            "package the sequence design"
        )
    n_out = int(info["output_elements"])
    out_w = int(info["m_axis_tdata_width"]) // n_out
    out_fmt = info.get("output_format")
    signed = FixedFormat.parse(out_fmt).signed if out_fmt else True
    return checked_format(
        dma_bits=dma_bits,
        in_elements=int(info["input_elements"]),
        in_width=int(info["input_element_width"]),
        out_elements=n_out,
        out_width=out_w,
        out_signed=signed,
    )


def checked_format(**fields: Any) -> WordFormat:
    """``WordFormat(**fields)``; a format the words cannot carry is a one-line
    :class:`InputError` (axi_words imports nothing of fpga-rnn's, so it cannot raise one)."""
    try:
        return WordFormat(**fields)
    except WordFormatError as e:
        raise InputError(str(e)) from None


def axi_parameters(info: dict[str, Any], fmt: WordFormat) -> dict[str, int | str]:
    """``frnn_axi``'s Verilog parameters for a design and its word format."""
    digest = str(info.get("digest", "0"))
    return {
        "DW": fmt.dma_bits,
        "IN_N": fmt.in_elements,
        "IN_EW": fmt.in_width,
        "IN_SW": fmt.in_slot,
        "OUT_N": fmt.out_elements,
        "OUT_EW": fmt.out_width,
        "OUT_SW": fmt.out_slot,
        "OUT_S": int(fmt.out_signed),
        "DIGEST": int(digest, 16),
    }
