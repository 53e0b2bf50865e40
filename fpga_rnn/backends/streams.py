"""Streams as every backend receives them for stateful verification (docs/streaming.md).

A :class:`StreamBatch` holds B independent streams of T samples, where each chunk
ends (a call boundary: tlast in the RTL, a state save/restore in C) and where the
state is cleared; golden is :class:`fpga_rnn.golden.stream.Stream` on the whole
stream. A backend's ``run_streams`` must give golden's codes bit for bit, whatever
the chunking: that is what "chunked == whole" means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fpga_rnn.backends.batch import random_inputs
from fpga_rnn.errors import InputError
from fpga_rnn.golden.model import check_input, quantize_checked
from fpga_rnn.golden.stream import Stream, check_stream_batch, check_streamable
from fpga_rnn.ir.model import Model

RANDOM = "random"
RANDOM_END_P = 0.25  # random chunking: a chunk ends after a sample with this chance
RANDOM_RESET_P = 0.02  # random streams: a mid-stream state clear with this chance
DEFAULT_STREAM_LENGTH = 24


@dataclass(frozen=True)
class StreamBatch:
    x: np.ndarray  # (B, T, F) floats or (B, T) token ids
    codes: np.ndarray  # (B, T, F) input codes (token ids: F = 1)
    ends: np.ndarray  # (B, T) bool: a chunk ends after this sample (always the last)
    resets: np.ndarray  # (B, T) bool: the state is cleared before this sample
    golden: np.ndarray  # (B, T, N) output codes of the whole streams

    @property
    def streams(self) -> int:
        return int(self.codes.shape[0])

    def chunks(self, i: int) -> list[slice]:
        """Stream ``i``'s chunks as slices of its samples."""
        stops = np.flatnonzero(self.ends[i]) + 1
        return [slice(int(a), int(b)) for a, b in zip([0, *stops[:-1]], stops, strict=True)]

    def bursts(self) -> list[tuple[int, slice]]:
        """Every chunk in feeding order, the streams back to back: (stream, samples)."""
        return [(i, c) for i in range(self.streams) for c in self.chunks(i)]


def parse_chunk(chunk: int | str | None) -> int | str | None:
    """``chunk`` as the CLI and API take it: a positive sample count, "random" or None
    (one chunk per stream)."""
    if chunk is None or chunk == RANDOM:
        return chunk
    if isinstance(chunk, str) and chunk.isdigit():
        chunk = int(chunk)
    if not isinstance(chunk, int) or isinstance(chunk, bool) or chunk < 1:
        raise InputError(f"chunk must be a positive number of samples or 'random', got {chunk!r}")
    return chunk


def chunk_ends(shape: tuple[int, int], chunk: int | str | None, seed: int) -> np.ndarray:
    """(B, T) chunk ends: every ``chunk`` samples, at random ("random"), or at the end."""
    b, t = shape
    chunk = parse_chunk(chunk)
    if chunk == RANDOM:
        ends = np.random.default_rng([seed, 1]).random((b, t)) < RANDOM_END_P
    else:
        ends = np.zeros((b, t), bool)
        if isinstance(chunk, int):
            ends[:, chunk - 1 :: chunk] = True
    ends[:, -1] = True
    return ends


def prepare_streams(
    model: Model,
    x: np.ndarray,
    *,
    chunk: int | str | None = None,
    resets: np.ndarray | None = None,
    seed: int = 0,
) -> StreamBatch:
    """Quantize B streams ``x`` (B, T, F) (token ids (B, T)), chunk them, run golden.
    ``resets`` (B, T) bool clears a stream's state before the samples it flags; every
    stream starts cleared."""
    check_streamable(model)
    arr = check_stream_batch(model, x)
    b, t = arr.shape[:2]
    if resets is None:
        flags = np.zeros((b, t), bool)
    else:
        flags = np.asarray(resets, bool)
        if flags.shape != (b, t):
            raise InputError(f"resets must have shape {(b, t)}, got {flags.shape}")
        flags = flags.copy()
    flags[:, 0] = True
    prep = quantize_checked(model, check_input(model, arr, any_length=True), False)
    if prep.mask is not None and not prep.mask.all():
        raise InputError("a stream has masked (padding) samples; streams are not padded")
    golden = Stream(model, batch=b).run_codes(arr, resets=flags)
    return StreamBatch(arr, prep.codes, chunk_ends((b, t), chunk, seed), flags, golden)


def random_streams(
    model: Model,
    streams: int,
    seed: int,
    *,
    length: int | None = None,
    chunk: int | str | None = RANDOM,
) -> StreamBatch:
    """``streams`` random streams of ``length`` samples (default: the model's length,
    else DEFAULT_STREAM_LENGTH) with random mid-stream clears."""
    check_streamable(model)
    t = length or model.input.timesteps or DEFAULT_STREAM_LENGTH
    x = random_inputs(model, streams, seed, length=t, pad=False)
    rng = np.random.default_rng([seed, 2])
    resets = rng.random(x.shape[:2]) < RANDOM_RESET_P
    return prepare_streams(model, x, chunk=chunk, resets=resets, seed=seed)
