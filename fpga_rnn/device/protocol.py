"""The serial link's frame format: one definition for the host runtime and the board.

The board side (``frnn_link.v``) includes :func:`verilog_header`'s output, generated
from the constants here (``tests/test_device.py`` checks it is current), so a code or
a field is defined once.

Request (host -> board)::

    A5 5A | cmd | steps (u16 LE) | flags | payload | CRC-16 (big-endian)

``payload`` is ``steps`` input beats, each the core's ``s_axis_tdata`` word in
``in_bytes`` bytes, least significant byte first. INFO requests have no payload.

Response (board -> host)::

    A5 5A | status | cmd | length (u16 LE, payload bytes) | payload | cycles (u32 LE) | CRC-16

An INFER response's payload is the output beats (``out_bytes`` each, LSB first);
``cycles`` is the core's measured latency: clock cycles from the first input beat
accepted to the last output beat. An error response has an empty payload.

The CRC is CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF; Python's
``binascii.crc_hqx``) over every byte after the sync word.
"""

from __future__ import annotations

import binascii
import struct
from dataclasses import dataclass
from enum import IntEnum

SYNC = b"\xa5\x5a"
CRC_INIT = 0xFFFF
VERSION = 1
REQUEST_HEADER = 4  # cmd, steps (2), flags
RESPONSE_HEADER = 4  # status, cmd, length (2)
CYCLES_BYTES = 4
RESPONSE_OVERHEAD = len(SYNC) + RESPONSE_HEADER + CYCLES_BYTES + 2  # all but the payload
DIGEST_BYTES = 8
DEFAULT_BAUD = 1_000_000  # the FT231X (ULX3S) and FT2232H (iCEBreaker) both run it


class Command(IntEnum):
    INFER = 0x01  # run one sequence
    INFO = 0x02  # the design's parameters and model digest


class Status(IntEnum):
    OK = 0x00
    BAD_CRC = 0x01  # the frame's CRC did not match: nothing was run
    BAD_LENGTH = 0x02  # zero steps, or more than the design buffers
    TRUNCATED = 0x03  # the line went quiet mid-frame
    BAD_COMMAND = 0x04
    CORE_TIMEOUT = 0x05  # the core did not finish within its cycle budget (reset)


STATUS_TEXT = {
    Status.OK: "ok",
    Status.BAD_CRC: "the board saw a bad CRC (a corrupted byte on the link)",
    Status.BAD_LENGTH: "the sequence length is zero or over the design's maximum",
    Status.TRUNCATED: "the frame stopped mid-way (the board timed out waiting for bytes)",
    Status.BAD_COMMAND: "unknown command",
    Status.CORE_TIMEOUT: "the core did not finish in its cycle budget and was reset",
}


def crc16(data: bytes, crc: int = CRC_INIT) -> int:
    return binascii.crc_hqx(data, crc)


def _seal(body: bytes) -> bytes:
    return SYNC + body + crc16(body).to_bytes(2, "big")


def beat_bytes(width: int) -> int:
    """Bytes per beat of a ``width``-bit stream word."""
    return -(-width // 8)


def request(cmd: Command, steps: int = 0, payload: bytes = b"", flags: int = 0) -> bytes:
    return _seal(struct.pack("<BHB", int(cmd), steps, flags) + payload)


def infer_request(words: list[int], in_width: int) -> bytes:
    """An INFER frame for a sequence of ``s_axis_tdata`` words."""
    n = beat_bytes(in_width)
    payload = b"".join(int(w).to_bytes(n, "little") for w in words)
    return request(Command.INFER, len(words), payload)


@dataclass(frozen=True)
class Response:
    status: Status
    cmd: int
    payload: bytes
    cycles: int


class FrameError(Exception):
    """A response that is not a well-formed frame (the link, not the board)."""


def response(status: int, cmd: int, payload: bytes = b"", cycles: int = 0) -> bytes:
    """A response frame as the board sends it (the tests' and documentation's model)."""
    head = struct.pack("<BBH", status, cmd, len(payload))
    return _seal(head + payload + cycles.to_bytes(CYCLES_BYTES, "little"))


def parse_response_header(head: bytes) -> tuple[int, int, int]:
    """(status, cmd, payload length) of the bytes after the sync word."""
    status, cmd, length = struct.unpack("<BBH", head)
    return status, cmd, length


def check_response(head: bytes, rest: bytes) -> Response:
    """A response from its header (after the sync) and the bytes after the header."""
    status, cmd, length = parse_response_header(head)
    if crc16(head + rest) != 0:  # the CRC of data followed by its CRC is zero
        raise FrameError("the board's response failed its CRC check (a corrupted byte)")
    payload = rest[:length]
    cycles = int.from_bytes(rest[length : length + CYCLES_BYTES], "little")
    try:
        st = Status(status)
    except ValueError:
        raise FrameError(f"the board answered an unknown status 0x{status:02x}") from None
    return Response(st, cmd, payload, cycles)


@dataclass(frozen=True)
class Info:
    """What a board's INFO command reports: enough to check it runs the right model."""

    version: int
    in_width: int
    out_width: int
    max_steps: int
    max_out: int
    clock_khz: int
    clks_per_bit: int
    digest: str  # the IR model's digest (16 hex digits)

    FORMAT = "<BxHHHHIH8s"

    def to_bytes(self) -> bytes:
        return struct.pack(
            self.FORMAT,
            self.version,
            self.in_width,
            self.out_width,
            self.max_steps,
            self.max_out,
            self.clock_khz,
            self.clks_per_bit,
            bytes.fromhex(self.digest),
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Info:
        if len(data) != struct.calcsize(cls.FORMAT):
            raise FrameError(
                f"INFO payload of {len(data)} bytes, expected {struct.calcsize(cls.FORMAT)}"
            )
        v, iw, ow, mt, mo, khz, cpb, dig = struct.unpack(cls.FORMAT, data)
        return cls(v, iw, ow, mt, mo, khz, cpb, dig.hex())

    @property
    def baud(self) -> float:
        return self.clock_khz * 1000 / self.clks_per_bit


def verilog_header() -> str:
    """``frnn_link.vh``: the frame constants as Verilog macros."""
    lines = [
        f"`define FRNN_SYNC0 8'h{SYNC[0]:02X}",
        f"`define FRNN_SYNC1 8'h{SYNC[1]:02X}",
        f"`define FRNN_CRC_INIT 16'h{CRC_INIT:04X}",
        f"`define FRNN_LINK_VERSION {VERSION}",
        *(f"`define FRNN_CMD_{c.name} 8'h{c.value:02X}" for c in Command),
        *(f"`define FRNN_ST_{s.name} 8'h{s.value:02X}" for s in Status),
    ]
    return (
        "// Generated by fpga-rnn from fpga_rnn/device/protocol.py: the serial link's frame\n"
        "// format. Do not edit (tests/test_device.py checks it is current).\n"
        "`ifndef FRNN_LINK_VH_\n`define FRNN_LINK_VH_\n" + "\n".join(lines) + "\n`endif\n"
    )
