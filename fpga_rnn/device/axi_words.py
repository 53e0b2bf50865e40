"""The word format of the Zynq package's AXI wrapper (``frnn_axi.v``): one definition
for the PYNQ driver, the simulation that verifies the wrapper, and the Verilog
register header.

This module imports nothing but NumPy: ``fpga-rnn package`` copies it verbatim into
the package's ``driver/`` folder as ``frnn_words.py``, so the board runs the code
the simulation ran.

Words are ``dma_bits`` (32 or 64) wide, as the AXI DMA moves them.

- **Input.** A time step's codes sit in slots of ``in_slot`` bits (8, 16, 32 or
  64: the smallest that holds the input code), least significant slot first: slot
  ``k`` of the step's word ``w`` holds element ``w * in_per_word + k``. Each step
  starts a new word, so a step is ``words_per_step`` words; spare slots are zero.
  A code is stored as its low ``in_width`` bits (two's complement when signed).
  The last word of a sequence carries ``tlast``.
- **Output.** Each output vector (one per sequence, or one per step for a model that
  returns sequences) is ``words_per_output`` words of ``out_slot``-bit slots, each
  code sign-extended (zero-extended when unsigned) to its slot; ``tlast`` is on a
  sequence's last word.

The AXI4-Lite registers (32-bit, byte offsets) are :data:`REGISTERS`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

FORMAT_VERSION = 1
MAGIC = 0x46524E4E  # "FRNN"
DMA_BITS = (32, 64)
SLOTS = (8, 16, 32, 64)

# AXI4-Lite register map (byte offsets); frnn_axi_regs.vh is generated from it
REGISTERS = {
    "magic": 0x00,  # MAGIC
    "format": 0x04,  # [7:0] FORMAT_VERSION, [15:8] dma_bits, [23:16] in_slot, [31:24] out_slot
    "control": 0x08,  # write: CONTROL_* bits (self-clearing); reads 0
    "status": 0x0C,  # STATUS_* bits
    "last_cycles": 0x10,  # clock cycles of the last sequence: first input word to last output word
    "sequences": 0x14,  # sequences finished since reset
    "digest_lo": 0x18,  # the design's digest (rtl.json), low 32 bits
    "digest_hi": 0x1C,  # ... high 32 bits
    "in_shape": 0x20,  # [15:0] in_elements, [23:16] in_width
    "out_shape": 0x24,  # [15:0] out_elements, [23:16] out_width, [24] out_signed
}
# the HLS route's registers (fpga_rnn/device/hls_axi.py): the frnn_axi C++ top's
# AXI4-Lite arguments, at the offsets Vitis HLS gives them (the overlay's .hwh names
# them), after its control register at 0x00; no cycle count and no soft reset there
REGISTERS_HLS = (
    "control", "magic", "format", "status", "sequences", "digest_lo", "digest_hi",
    "in_shape", "out_shape",
)  # fmt: skip
HLS_AP_CTRL = 0x00  # Vitis HLS's block control register
HLS_AP_START_AUTO_RESTART = 0x81  # ap_start | auto_restart: one call per sequence, forever
CONTROL_SOFT_RESET = 0x1  # reset the core and the wrapper (SOFT_RESET_CYCLES cycles)
CONTROL_CLEAR_ERRORS = 0x2
STATUS_BUSY = 0x1  # a sequence is in flight
STATUS_IN_RESET = 0x2
STATUS_ERR_PARTIAL_STEP = 0x100  # sticky: tlast came mid-step (the step was zero-padded)
# sticky, HLS route only: a sequence longer than the design's steps (the rest was dropped)
STATUS_ERR_TOO_LONG = 0x200
SOFT_RESET_CYCLES = 4


class WordFormatError(ValueError):
    """A format this wrapper cannot carry, or words that do not match it."""


def slot_bits(width: int, dma_bits: int) -> int:
    """The slot for a ``width``-bit code in ``dma_bits``-bit words."""
    for s in SLOTS:
        if width <= s <= dma_bits:
            return s
    raise WordFormatError(
        f"a {width}-bit code does not fit a {dma_bits}-bit DMA word without splitting it: "
        f"use --dma-bits 64 or a narrower --precision"
    )


@dataclass(frozen=True)
class WordFormat:
    dma_bits: int
    in_elements: int
    in_width: int
    out_elements: int
    out_width: int
    out_signed: bool

    def __post_init__(self) -> None:
        if self.dma_bits not in DMA_BITS:
            raise WordFormatError(f"dma_bits must be one of {DMA_BITS}, got {self.dma_bits}")
        for name in ("in_elements", "in_width", "out_elements", "out_width"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 0xFFFF:
                raise WordFormatError(f"{name} must be a whole number in 1..65535, got {v!r}")
        slot_bits(self.in_width, self.dma_bits)
        slot_bits(self.out_width, self.dma_bits)

    @property
    def in_slot(self) -> int:
        return slot_bits(self.in_width, self.dma_bits)

    @property
    def out_slot(self) -> int:
        return slot_bits(self.out_width, self.dma_bits)

    @property
    def in_per_word(self) -> int:
        return self.dma_bits // self.in_slot

    @property
    def out_per_word(self) -> int:
        return self.dma_bits // self.out_slot

    @property
    def words_per_step(self) -> int:
        return -(-self.in_elements // self.in_per_word)

    @property
    def words_per_output(self) -> int:
        return -(-self.out_elements // self.out_per_word)

    def to_dict(self) -> dict:
        return {"format_version": FORMAT_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, d: dict) -> WordFormat:
        if d.get("format_version") != FORMAT_VERSION:
            raise WordFormatError(
                f"word format version {d.get('format_version')!r}, this code reads "
                f"{FORMAT_VERSION}: regenerate the package"
            )
        fields = ("dma_bits", "in_elements", "in_width", "out_elements", "out_width")
        out_signed = d.get("out_signed")
        if not isinstance(out_signed, bool):
            raise WordFormatError("out_signed must be true or false")
        return cls(**{k: d.get(k) for k in fields}, out_signed=out_signed)

    # --- input ------------------------------------------------------------------
    def pack(self, sequences: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Words (uint64, each below 2**dma_bits) and their tlast flags for a list of
        (steps, in_elements) code arrays, one after another."""
        words, last = [], []
        mask = (1 << self.in_width) - 1
        per, wps = self.in_per_word, self.words_per_step
        for i, seq in enumerate(sequences):
            c = np.asarray(seq)
            if c.ndim != 2 or c.shape[1] != self.in_elements or len(c) == 0:
                raise WordFormatError(
                    f"sequence {i}: expected codes of shape (steps >= 1, {self.in_elements}), "
                    f"got {c.shape}"
                )
            if not np.issubdtype(c.dtype, np.integer):
                raise WordFormatError(f"sequence {i}: codes must be integers, got {c.dtype}")
            slots = np.zeros((len(c), wps * per), np.uint64)
            slots[:, : self.in_elements] = (c.astype(np.int64) & mask).astype(np.uint64)
            slots = slots.reshape(len(c), wps, per)
            shifts = (np.arange(per, dtype=np.uint64) * np.uint64(self.in_slot))[None, None]
            w = np.bitwise_or.reduce(slots << shifts, axis=2).reshape(-1)
            flags = np.zeros(len(w), bool)
            flags[-1] = True
            words.append(w)
            last.append(flags)
        if not words:
            return np.zeros(0, np.uint64), np.zeros(0, bool)
        return np.concatenate(words), np.concatenate(last)

    # --- output -----------------------------------------------------------------
    def output_words(self, beats: int) -> int:
        """Words of ``beats`` output vectors."""
        return beats * self.words_per_output

    def unpack(self, words: np.ndarray, beats: list[int]) -> list[np.ndarray]:
        """Per-sequence (beats_i, out_elements) int64 codes from output words."""
        w = np.asarray(words, dtype=np.uint64).reshape(-1)
        need = self.output_words(sum(beats))
        if len(w) != need:
            raise WordFormatError(f"expected {need} output words, got {len(w)}")
        per, slot = self.out_per_word, self.out_slot
        shifts = (np.arange(per, dtype=np.uint64) * np.uint64(slot))[None]
        smask = np.uint64((1 << slot) - 1) if slot < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
        slots = (w[:, None] >> shifts) & smask
        vec = slots.reshape(-1, self.words_per_output * per)[:, : self.out_elements]
        low = (vec & np.uint64((1 << self.out_width) - 1)).astype(np.int64)
        if self.out_signed:
            low = np.where(low >= 1 << (self.out_width - 1), low - (1 << self.out_width), low)
        out, at = [], 0
        for b in beats:
            out.append(low[at : at + b])
            at += b
        return out


def _bits() -> dict[str, int]:
    return {
        "CONTROL_SOFT_RESET": CONTROL_SOFT_RESET,
        "CONTROL_CLEAR_ERRORS": CONTROL_CLEAR_ERRORS,
        "STATUS_BUSY": STATUS_BUSY,
        "STATUS_IN_RESET": STATUS_IN_RESET,
        "STATUS_ERR_PARTIAL_STEP": STATUS_ERR_PARTIAL_STEP,
        "STATUS_ERR_TOO_LONG": STATUS_ERR_TOO_LONG,
    }


def c_header(fmt: WordFormat) -> str:
    """``frnn_axi_format.h``: the word format and register values above as C++
    constants, for the HLS route's wrapper (frnn_axi.cpp)."""
    values = {
        "MAGIC": MAGIC,
        "FORMAT": FORMAT_VERSION | fmt.dma_bits << 8 | fmt.in_slot << 16 | fmt.out_slot << 24,
        "IN_SHAPE": fmt.in_elements | fmt.in_width << 16,
        "OUT_SHAPE": fmt.out_elements | fmt.out_width << 16 | int(fmt.out_signed) << 24,
        **_bits(),
    }
    sizes = {
        "DW": fmt.dma_bits,
        "IN_N": fmt.in_elements,
        "IN_EW": fmt.in_width,
        "IN_SW": fmt.in_slot,
        "IN_PER_WORD": fmt.in_per_word,
        "WORDS_PER_STEP": fmt.words_per_step,
        "OUT_N": fmt.out_elements,
        "OUT_EW": fmt.out_width,
        "OUT_SW": fmt.out_slot,
        "OUT_PER_WORD": fmt.out_per_word,
        "WORDS_PER_OUTPUT": fmt.words_per_output,
        "OUT_SIGNED": int(fmt.out_signed),
    }
    lines = [
        "// Generated from fpga_rnn/device/axi_words.py (the word format and the register",
        "// values). Do not edit.",
        "#ifndef FRNN_AXI_FORMAT_H_",
        "#define FRNN_AXI_FORMAT_H_",
    ]
    lines += [f"#define FRNN_AXI_{k} 0x{v:08X}u" for k, v in values.items()]
    lines += [f"#define FRNN_AXI_{k} {v}" for k, v in sizes.items()]
    return "\n".join([*lines, "#endif", ""])


def verilog_header() -> str:
    """``frnn_axi_regs.vh``: the register offsets and bits above, for frnn_axi.v."""
    lines = [
        "// Generated from fpga_rnn/device/axi_words.py (REGISTERS and the bit constants);",
        "// tests/test_package.py checks it is current. Do not edit.",
        f"`define FRNN_AXI_MAGIC 32'h{MAGIC:08X}",
        f"`define FRNN_AXI_FORMAT_VERSION 8'd{FORMAT_VERSION}",
        f"`define FRNN_AXI_SOFT_RESET_CYCLES {SOFT_RESET_CYCLES}",
    ]
    lines += [f"`define FRNN_AXI_REG_{k.upper()} 8'h{v:02X}" for k, v in REGISTERS.items()]
    lines += [f"`define FRNN_AXI_BIT_{k} {v.bit_length() - 1}" for k, v in _bits().items()]
    return "\n".join(lines) + "\n"
