"""PYNQ driver of an fpga-rnn Zynq package (shipped as ``driver/frnn_driver.py``).

On the board: ``FrnnOverlay("frnn_overlay.bit").predict(x)``. The word format is
``frnn_words.py`` and the float conversion is fpga-rnn's own fixed-point module
(``fpga_rnn/fixed.py``), both shipped beside this file verbatim: the code that
verified the wrapper in simulation. ``encode`` / ``decode`` run without a board.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from frnn_words import (
    CONTROL_CLEAR_ERRORS,
    CONTROL_SOFT_RESET,
    HLS_AP_CTRL,
    HLS_AP_START_AUTO_RESTART,
    MAGIC,
    REGISTERS,
    REGISTERS_HLS,
    STATUS_ERR_PARTIAL_STEP,
    STATUS_ERR_TOO_LONG,
    WordFormat,
)

from fpga_rnn.fixed import FixedFormat
from fpga_rnn.window import Window, steps_through

HERE = Path(__file__).resolve().parent


class PackageFormat:
    """The package's ``format.json``: word format, input and output number formats."""

    def __init__(self, path: Path | str = HERE / "format.json") -> None:
        doc = json.loads(Path(path).read_text())
        self.words = WordFormat.from_dict(doc)  # it reads its own fields only
        self.input = FixedFormat.parse(doc["input_format"]) if doc.get("input_format") else None
        self.output = FixedFormat.parse(doc["output_format"])
        self.tokens = bool(doc.get("tokens"))
        self.masked = bool(doc.get("masked"))
        self.sequence_output = bool(doc.get("sequence_output"))
        self.route = doc.get("route", "rtl")
        self.max_steps = doc.get("max_steps")  # the HLS route's longest sequence
        # shorter sequences give no output: the core would wait, and so would the DMA
        self.min_steps = int(doc.get("min_steps", 1))
        self.windows = [Window(**w) for w in doc.get("windows", [])]

    def output_steps(self, steps: int) -> int:
        """Output beats of a sequence of ``steps``: one per step the last window layer
        leaves (one per input step without window layers), or 1 for one per sequence."""
        return steps_through(self.windows, steps) if self.sequence_output else 1

    def check_lengths(self, sequences: list[np.ndarray]) -> None:
        for i, s in enumerate(sequences):
            if len(s) < self.min_steps:
                raise ValueError(
                    f"sequence {i} has {len(s)} steps; this model's windows need at least "
                    f"{self.min_steps}"
                )
            if self.max_steps is not None and len(s) > self.max_steps:
                raise ValueError(
                    f"sequence {i} has {len(s)} steps; this design takes at most "
                    f"{self.max_steps} (package it with a larger --timesteps)"
                )

    def encode(self, x: np.ndarray) -> list[np.ndarray]:
        """Input codes per sequence for floats ``x`` (batch, steps, features), exactly as
        fpga-rnn quantizes them."""
        if self.tokens or self.masked or self.input is None:
            raise ValueError(
                "this model takes token ids or masked steps: give codes to predict_codes "
                "(fpga_rnn.prepare_input on the host makes them)"
            )
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim != 3 or arr.shape[2] != self.words.in_elements:
            raise ValueError(
                f"expected (batch, steps, {self.words.in_elements}) floats, got {arr.shape}"
            )
        lo, hi = self.input.min_value, self.input.max_value
        if (arr < lo).any() or (arr > hi).any():
            raise ValueError(f"inputs must lie in [{lo:g}, {hi:g}] (the input format {self.input})")
        return list(self.input.quantize(arr))

    def decode(self, codes: list[np.ndarray]) -> list[np.ndarray]:
        return [self.output.to_float(c) for c in codes]


class FrnnOverlay:
    """The overlay on a PYNQ board: AXI DMA transfers through the fpga-rnn core.

    RTL route: the registers sit at frnn_words.REGISTERS. HLS route: Vitis HLS places
    them (the overlay's .hwh names them, REGISTERS_HLS), and the core is started once
    with auto-restart, one call per sequence; it writes its registers during its first
    sequence, so the magic is checked after that one."""

    def __init__(self, bitfile: str = "frnn_overlay.bit", fmt: PackageFormat | None = None):
        from pynq import Overlay  # only on the board

        self.fmt = fmt or PackageFormat()
        self.overlay = Overlay(bitfile)
        self.dma = self.overlay.axi_dma
        self.core = self.overlay.frnn
        if self.fmt.route == "hls":
            regs = self.overlay.ip_dict["frnn"]["registers"]
            found = {k.lower(): v["address_offset"] for k, v in regs.items()}
            missing = [r for r in REGISTERS_HLS if r not in found]
            if missing:
                raise RuntimeError(
                    f"the overlay's 'frnn' core has no register {missing[0]!r} "
                    f"(it has {', '.join(sorted(found))}): not an fpga-rnn HLS core?"
                )
            self.offsets = {r: int(found[r]) for r in REGISTERS_HLS}
            self.core.write(HLS_AP_CTRL, HLS_AP_START_AUTO_RESTART)
        else:
            self.offsets = dict(REGISTERS)
            self.check_magic()

    def read(self, register: str) -> int:
        return int(self.core.read(self.offsets[register]))

    def check_magic(self) -> None:
        magic = self.read("magic")
        if magic != MAGIC:
            raise RuntimeError(f"no fpga-rnn core at the overlay's 'frnn' (magic {magic:#x})")

    @property
    def digest(self) -> str:
        return f"{self.read('digest_hi'):08x}{self.read('digest_lo'):08x}"

    @property
    def last_cycles(self) -> int:
        """Clock cycles of the last sequence, first input word to last output word (RTL
        route)."""
        if "last_cycles" not in self.offsets:
            raise RuntimeError("the HLS route's core does not count cycles")
        return self.read("last_cycles")

    def soft_reset(self) -> None:
        """Reset the core (RTL route); the HLS route's core only clears its error flags
        (at its next sequence)."""
        bits = CONTROL_CLEAR_ERRORS | (CONTROL_SOFT_RESET if self.fmt.route == "rtl" else 0)
        self.core.write(self.offsets["control"], bits)

    def predict_codes(self, sequences: list[np.ndarray], beats: list[int]) -> list[np.ndarray]:
        """Output codes per sequence; ``beats``: output vectors each sequence gives (1,
        or its length for a model that returns sequences)."""
        from pynq import allocate

        wf = self.fmt.words
        self.fmt.check_lengths(sequences)
        dtype = np.uint32 if wf.dma_bits == 32 else np.uint64
        out = []
        for seq, n in zip(sequences, beats, strict=True):
            w, _ = wf.pack([seq])
            src = allocate(shape=(len(w),), dtype=dtype)
            dst = allocate(shape=(wf.output_words(n),), dtype=dtype)
            src[:] = w.astype(dtype)
            self.dma.recvchannel.transfer(dst)
            self.dma.sendchannel.transfer(src)
            self.dma.sendchannel.wait()
            self.dma.recvchannel.wait()
            out.extend(wf.unpack(np.array(dst, dtype=np.uint64), [n]))
            src.freebuffer()
            dst.freebuffer()
        if self.fmt.route == "hls" and sequences:
            self.check_magic()
        status = self.read("status")
        if status & STATUS_ERR_PARTIAL_STEP:
            raise RuntimeError("the core saw a sequence end mid-step (check the word format)")
        if status & STATUS_ERR_TOO_LONG:
            raise RuntimeError("the core dropped steps beyond its longest sequence")
        return out

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Float outputs for floats ``x`` (batch, steps, features)."""
        sequence_output = self.fmt.sequence_output
        codes = self.fmt.encode(x)
        beats = [self.fmt.output_steps(len(c)) for c in codes]
        out = self.fmt.decode(self.predict_codes(codes, beats))
        return np.stack(out if sequence_output else [o[0] for o in out])
