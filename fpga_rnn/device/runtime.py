"""The host runtime: run a model on a board (or on the simulated board) over its
serial link, with pyserial.

``Device(port, model)`` opens the port, asks the board what it runs (INFO: the
model digest, widths, maximum length, clock) and refuses a board that runs another
model. ``predict(x)`` sends one INFER frame per sequence and returns the outputs as
numbers with the cycles the chip measured for each sequence.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.device import protocol as p
from fpga_rnn.errors import FpgaRnnError
from fpga_rnn.ir.model import Model

DEFAULT_TIMEOUT = 5.0  # seconds to wait for a response beyond its transfer time
RETRIES = 1  # a frame answered with a link error (bad CRC, truncated) is sent again


class DeviceError(FpgaRnnError):
    """The board could not be reached, or answered with an error."""


@dataclass(frozen=True)
class StreamFormat:
    """How a design's stream words hold codes (rtl.json's fields)."""

    in_width: int
    in_elements: int
    in_element_width: int
    out_width: int
    out_elements: int
    out_format: str

    @classmethod
    def of(cls, info: dict[str, Any]) -> StreamFormat:
        return cls(
            int(info["s_axis_tdata_width"]),
            int(info["input_elements"]),
            int(info["input_element_width"]),
            int(info["m_axis_tdata_width"]),
            int(info["output_elements"]),
            str(info["output_format"]),
        )


@dataclass
class Prediction:
    """Outputs of a batch run on a board, with what the board measured."""

    y: np.ndarray  # outputs as numbers, shaped as the model's predict gives them
    codes: list[np.ndarray]  # per sequence: (beats, elements) output codes
    cycles: np.ndarray  # per sequence: first input beat to last output beat, on chip
    clock_mhz: float
    seconds: float  # wall time of the whole batch, link included
    bytes_sent: int
    bytes_received: int
    golden: list[np.ndarray] = field(default_factory=list)

    @property
    def us(self) -> np.ndarray:
        """Per sequence: the chip's latency in microseconds at the board's clock."""
        return self.cycles / self.clock_mhz

    @property
    def sequences_per_second(self) -> float:
        return len(self.codes) / self.seconds if self.seconds > 0 else float("inf")

    def mismatches(self) -> int:
        """Sequences whose output codes differ from golden's (needs ``golden``)."""
        from fpga_rnn.backends.batch import compare_outputs

        return int(compare_outputs(self.codes, self.golden)["mismatches"])

    def to_dict(self) -> dict[str, Any]:
        n = len(self.codes)
        out: dict[str, Any] = {
            "sequences": n,
            "clock_mhz": self.clock_mhz,
            "cycles_mean": float(self.cycles.mean()) if n else None,
            "cycles_max": int(self.cycles.max()) if n else None,
            "us_mean": float(self.us.mean()) if n else None,
            "seconds": round(self.seconds, 4),
            "sequences_per_second": round(self.sequences_per_second, 2),
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
        }
        if self.golden:
            out["mismatches"] = self.mismatches()
        return out


class Device:
    """A board running an fpga-rnn design, reached over a serial port."""

    def __init__(
        self,
        port: str,
        model: Model | None = None,
        *,
        baud: int = p.DEFAULT_BAUD,
        timeout: float = DEFAULT_TIMEOUT,
        design_info: dict[str, Any] | None = None,
    ) -> None:
        import serial

        self.timeout = timeout
        self._owned: Any = None  # a simulated board this device stops on close
        self.bytes_sent = 0
        self.bytes_received = 0
        self.simulated_cycles: int | None = None  # a simulated board's cycles, after close
        try:
            self._ser = serial.Serial(port, baudrate=int(baud), timeout=0.05)
        except (serial.SerialException, OSError, ValueError) as e:
            no = getattr(e, "errno", None)
            why = os.strerror(no) if isinstance(no, int) else str(e)
            raise DeviceError(
                f"cannot open serial port {port!r}: {why} "
                "(is the board plugged in? list ports with `python -m serial.tools.list_ports`)"
            ) from None
        self._ser.reset_input_buffer()
        self.port = port
        self.baud = baud
        try:
            self.info = p.Info.from_bytes(self._call(p.request(p.Command.INFO)).payload)
        except BaseException:
            self._ser.close()
            raise
        self.model = model
        if model is not None and model.digest() != self.info.digest:
            self.close()
            raise DeviceError(
                f"the board runs model digest {self.info.digest}, not {model.digest()} "
                f"({model.name}): program it with a bitstream built from this model"
            )
        self._fmt = StreamFormat.of(design_info) if design_info else None

    @classmethod
    def simulated(cls, design_dir: str | Path, model: Model | None = None, **kw: Any) -> Device:
        """Start the simulated board of a board design directory (``fpga-rnn bitstream``'s
        output, or its ``--design-only`` part) and connect to it; ``close`` stops it."""
        from fpga_rnn.device.design import load_design

        bd = load_design(Path(design_dir))
        board = bd.simulate(progress=kw.pop("progress", None))
        try:
            dev = cls(board.port, model or bd.model, design_info=bd.design.info, **kw)
        except BaseException:
            board.close()
            raise
        dev._owned = board
        return dev

    # -- frames ---------------------------------------------------------------

    def _read_exact(self, n: int, deadline: float) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            if time.monotonic() > deadline:
                raise DeviceError(
                    f"no answer from the board on {self.port} within the time-out "
                    f"({len(buf)} of {n} bytes): is it programmed and running?"
                )
            buf += self._ser.read(n - len(buf))
        return bytes(buf)

    def _read_response(self, deadline: float) -> p.Response:
        window = b""
        while window != p.SYNC:  # skip anything before the sync word
            window = (window + self._read_exact(1, deadline))[-2:]
        head = self._read_exact(p.RESPONSE_HEADER, deadline)
        _, _, length = p.parse_response_header(head)
        rest = self._read_exact(length + p.CYCLES_BYTES + 2, deadline)
        return p.check_response(head, rest)

    def _call(self, frame: bytes, answer_bytes: int = 64) -> p.Response:
        """Send a frame, return the board's OK response. The runtime only sends valid
        frames, so an error about the frame itself (CRC, length, command, truncation)
        means the bytes were damaged on the way: the frame is sent again, RETRIES times."""
        # the time-out: the transfer at the line's rate (10 bits a byte), plus slack
        budget = self.timeout + (len(frame) + answer_bytes) * 10 / self.baud
        for attempt in range(RETRIES + 1):
            self._ser.write(frame)
            self.bytes_sent += len(frame)
            try:
                r = self._read_response(time.monotonic() + budget)
            except p.FrameError as e:  # the answer was damaged: ask again
                if attempt == RETRIES:
                    raise DeviceError(str(e)) from None
                continue
            self.bytes_received += len(r.payload) + p.RESPONSE_OVERHEAD
            if r.status == p.Status.OK:
                return r
            if r.status == p.Status.CORE_TIMEOUT or attempt == RETRIES:
                raise DeviceError(f"the board answered: {p.STATUS_TEXT[r.status]}")
        raise AssertionError("unreachable")

    # -- inference ------------------------------------------------------------

    def _format(self) -> StreamFormat:
        if self._fmt is None:
            if self.model is None:
                raise DeviceError("predict needs the model: Device(port, model)")
            from fpga_rnn.backends.rtl.build import design

            self._fmt = StreamFormat.of(design(self.model, max_timesteps=self.info.max_steps).info)
        return self._fmt

    def infer_codes(self, codes: np.ndarray) -> tuple[np.ndarray, int]:
        """One sequence of input codes (steps, elements) -> (output codes, cycles)."""
        from fpga_rnn.backends.rtl.mem import pack, unpack

        f = self._format()
        codes = np.asarray(codes, np.int64).reshape(len(codes), f.in_elements)
        lo = self.model.min_steps()  # shorter: no output, the board would not answer
        if not lo <= len(codes) <= self.info.max_steps:
            raise DeviceError(
                f"a sequence of {len(codes)} steps: this board's design takes {lo} to "
                f"{self.info.max_steps} (rebuild the bitstream with a larger --max-timesteps)"
            )
        words = [pack(row, f.in_element_width) for row in codes]
        ob = p.beat_bytes(f.out_width)
        r = self._call(p.infer_request(words, f.in_width), self.info.max_out * ob)
        beats = [
            int.from_bytes(r.payload[i : i + ob], "little") for i in range(0, len(r.payload), ob)
        ]
        from fpga_rnn.fixed import FixedFormat

        signed = FixedFormat.parse(f.out_format).signed
        return unpack(beats, f.out_width // f.out_elements, f.out_elements, signed), r.cycles

    def predict(self, x: np.ndarray, *, saturate: bool = False, progress: Any = None) -> Prediction:
        """Run a batch (as the model's predict takes it) on the board; ``saturate``
        clips inputs outside the input format (as the hardware's input cast would)."""
        from fpga_rnn.backends.batch import prepare
        from fpga_rnn.fixed import FixedFormat

        if self.model is None:
            raise DeviceError("predict needs the model: Device(port, model)")
        batch = prepare(self.model, np.asarray(x), saturate=saturate)
        sent0, recv0 = self.bytes_sent, self.bytes_received
        t0 = time.perf_counter()
        outs, cycles = [], []
        for i, c in enumerate(batch.codes):
            o, cyc = self.infer_codes(c)
            outs.append(o)
            cycles.append(cyc)
            if progress and (i + 1) % 50 == 0:
                progress(f"board: {i + 1}/{len(batch.codes)} sequences")
        seconds = time.perf_counter() - t0
        fmt = FixedFormat.parse(self._format().out_format)
        y = _assemble(self.model, [fmt.to_float(o) for o in outs], len(batch.x))
        return Prediction(
            y=y,
            codes=outs,
            cycles=np.array(cycles, np.int64),
            clock_mhz=self.info.clock_khz / 1000,
            seconds=seconds,
            bytes_sent=self.bytes_sent - sent0,
            bytes_received=self.bytes_received - recv0,
            golden=batch.golden,
        )

    def close(self) -> None:
        if getattr(self, "_ser", None) is not None:
            self._ser.close()
        if self._owned is not None:
            self._owned.close()
            self.simulated_cycles = self._owned.cycles
            self._owned = None

    def __enter__(self) -> Device:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _assemble(model: Model, outs: list[np.ndarray], batch: int) -> np.ndarray:
    """Per-sequence outputs as one array: (B, N), or (B, T, N) padded with zeros."""
    if len(model.output_shape) == 1:  # one output per sequence
        return np.stack([o[-1] for o in outs]) if outs else np.zeros((0,))
    t = max(len(o) for o in outs)
    y = np.zeros((batch, t, outs[0].shape[1]))
    for i, o in enumerate(outs):
        y[i, : len(o)] = o
    return y
