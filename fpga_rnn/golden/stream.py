"""Stateful streaming on the golden model: samples in, one output per sample, the
recurrent state kept between calls (Keras ``stateful=True``, MATLAB's
``predictAndUpdateState``).

A stream's output after sample ``t`` is what the whole model gives for the sequence
of every sample since the last reset, ending at ``t``: each recurrent layer emits its
state after every step (a layer without ``return_sequences`` included), the layers
after it act on each step's vector. Running a stream in chunks of any sizes gives
exactly the codes of running it whole.
"""

from __future__ import annotations

import numpy as np

from fpga_rnn.errors import InputError, UnsupportedError
from fpga_rnn.golden.model import GOLDEN, check_input, is_whole, quantize_checked, sample_rank
from fpga_rnn.golden.recurrent import State, run_steps, zero_state
from fpga_rnn.ir.layers import Bidirectional, Recurrent
from fpga_rnn.ir.model import Model


def check_streamable(model: Model) -> None:
    """Refuse a model that cannot run sample by sample, naming the layer."""
    for la in model.layers:
        if isinstance(la, Bidirectional):
            raise UnsupportedError(
                f"layer {la.name!r} (bidirectional) cannot stream: its backward direction "
                "needs the whole sequence first; use a unidirectional layer"
            )
        if not la.keeps_time:
            raise UnsupportedError(
                f"layer {la.name!r} ({la.kind}) cannot stream yet: its windows span several "
                "samples; run whole sequences (fpga-rnn verify, run_sequence)"
            )
        if isinstance(la, Recurrent) and la.go_backwards:
            raise UnsupportedError(
                f"layer {la.name!r} ({la.kind}) cannot stream: go_backwards=True reads the "
                "sequence from its end; set go_backwards=False"
            )


def check_stream_batch(model: Model, x: np.ndarray) -> np.ndarray:
    """``x`` as a batch of B >= 1 streams of T >= 1 samples: (B, T, F), or (B, T) token
    ids; a one-line error with the expected shape otherwise."""
    arr = np.asarray(x)
    rank = sample_rank(model)
    if arr.ndim != rank + 2 or 0 in arr.shape[:2]:
        shape = "(B, T)" if rank == 0 else f"(B, T, {model.input.features})"
        raise InputError(
            f"expected a batch of streams {shape} with B, T >= 1, got shape {arr.shape}"
        )
    return arr


class Stream:
    """Stateful inference on ``batch`` independent streams of one model.

    ``step(x_t)`` feeds one sample per stream, ``run(x)`` a chunk of samples;
    both return the outputs as floats (``step_codes``/``run_codes``: output codes).
    Without a batch axis the input is one stream (``batch`` must be 1). ``state``
    gets and sets every recurrent layer's state as integer codes, ``reset()`` clears
    it. Bidirectional and ``go_backwards`` layers cannot stream (refused here).
    """

    def __init__(self, model: Model, batch: int = 1, *, saturate: bool = False) -> None:
        check_streamable(model)
        if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
            raise InputError(f"batch must be a positive integer, got {batch!r}")
        self.model = model
        self.batch = batch
        self.saturate = saturate
        self._recurrent = [la for la in model.layers if isinstance(la, Recurrent)]
        self._state: dict[str, State] = {}
        self.reset()

    # ---- state --------------------------------------------------------------------
    def reset(self) -> None:
        """Clear every stream's state (as at the start of a sequence)."""
        self._state = {la.name: zero_state(la, self.batch) for la in self._recurrent}

    @property
    def state(self) -> dict[str, dict[str, np.ndarray]]:
        """A copy of the state: layer name -> {"h": (batch, units) codes in the layer's
        state format, and for LSTM "c": codes in its cell format}."""
        return {n: {k: v.copy() for k, v in st.items()} for n, st in self._state.items()}

    @state.setter
    def state(self, value: dict[str, dict[str, np.ndarray]]) -> None:
        if not isinstance(value, dict) or set(value) != set(self._state):
            names = ", ".join(repr(n) for n in self._state)
            raise InputError(f"state must map every recurrent layer ({names}) to its parts")
        new: dict[str, State] = {}
        for la in self._recurrent:
            parts = value[la.name]
            want = ("h", "c") if la.kind == "lstm" else ("h",)
            if not isinstance(parts, dict) or set(parts) != set(want):
                raise InputError(f"state of layer {la.name!r} must have parts {list(want)}")
            new[la.name] = {k: self._check_part(la, k, parts[k]) for k in want}
        self._state = new

    def _check_part(self, la: Recurrent, part: str, codes: np.ndarray) -> np.ndarray:
        fmt = la.state if part == "h" else la.cell  # type: ignore[attr-defined]
        arr = np.asarray(codes)
        where = f"state {part!r} of layer {la.name!r}"
        if arr.shape != (self.batch, la.units):
            raise InputError(f"{where} must have shape {(self.batch, la.units)}, got {arr.shape}")
        if arr.dtype.kind not in "iuf" or not is_whole(arr):
            raise InputError(f"{where} must be integer codes (format {fmt}), got {arr.dtype}")
        arr = arr.astype(np.int64)
        if arr.size and (arr.min() < fmt.min_code or arr.max() > fmt.max_code):
            raise InputError(
                f"{where} holds codes {arr.min()}..{arr.max()} outside its format {fmt} "
                f"[{fmt.min_code}, {fmt.max_code}]"
            )
        return arr

    # ---- samples in, outputs out ----------------------------------------------------
    def step(self, x_t: np.ndarray) -> np.ndarray:
        """One sample per stream: (F,) or token id for one stream, (batch, F) or
        (batch,) tokens; the outputs as floats, one per stream."""
        return self.model.output_format.to_float(self.step_codes(x_t))

    def step_codes(self, x_t: np.ndarray) -> np.ndarray:
        arr = np.asarray(x_t)
        single = arr.ndim == self._sample_rank
        out = self.run_codes(arr[None] if single else arr[:, None])
        return out[0] if single else out[:, 0]

    def run(self, x: np.ndarray, resets: np.ndarray | None = None) -> np.ndarray:
        """A chunk of samples: (T, F) (or (T,) tokens) for one stream, (batch, T, F)
        for all; the outputs as floats, one per sample. ``resets`` (T,) or (batch, T)
        bool clears a stream's state before the samples it flags."""
        return self.model.output_format.to_float(self.run_codes(x, resets))

    def run_codes(self, x: np.ndarray, resets: np.ndarray | None = None) -> np.ndarray:
        arr = np.asarray(x)
        single = arr.ndim == self._sample_rank + 1
        if single:
            arr = arr[None]
        f = self.model.input.features
        if self._sample_rank and arr.ndim >= 1 and arr.shape[-1] != f:
            raise InputError(
                f"a sample has {f} features, got {arr.shape[-1]} (shape {np.shape(x)})"
            )
        if arr.ndim != self._sample_rank + 2 or arr.shape[0] != self.batch:
            shape = "(T,) token ids" if self._sample_rank == 0 else f"(T, {f})"
            raise InputError(
                f"expected a chunk {shape} for one stream, or with a leading axis of "
                f"{self.batch} stream(s), got shape {np.shape(x)}"
            )
        prep = quantize_checked(
            self.model,
            check_input(self.model, arr, saturate=self.saturate, any_length=True),
            self.saturate,
        )
        codes, mask = prep.codes, prep.mask
        if resets is None:
            out = self._advance(codes, mask)
        else:
            flags = self._resets(resets, codes.shape[1], single)
            out = (
                np.concatenate(
                    [self._advance_one(codes, mask, flags, k) for k in range(codes.shape[1])],
                    axis=1,
                )
                if codes.shape[1]
                else self._advance(codes, mask)
            )
        return out[0] if single else out

    @property
    def _sample_rank(self) -> int:
        return sample_rank(self.model)

    def _resets(self, resets: np.ndarray, t: int, single: bool) -> np.ndarray:
        r = np.asarray(resets)
        want = (t,) if single else (self.batch, t)
        if r.shape != want or r.dtype.kind not in "bui":
            raise InputError(
                f"resets must be a bool array of shape {want}, got {r.shape} {r.dtype}"
            )
        return (r[None] if single else r).astype(bool)

    def _advance_one(self, codes, mask, flags: np.ndarray, k: int) -> np.ndarray:
        """Step k of a chunk, after clearing the flagged streams' state."""
        rows = flags[:, k]
        if rows.any():
            for st in self._state.values():
                for v in st.values():
                    v[rows] = 0
        return self._advance(codes[:, k : k + 1], None if mask is None else mask[:, k : k + 1])

    def _advance(self, codes: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
        """Every layer over (batch, T, ...) codes, the recurrent ones from their held
        state, which they leave at their state after the last step."""
        for la, fmt in zip(self.model.layers, self.model.formats(), strict=True):
            if isinstance(la, Recurrent):
                codes, self._state[la.name] = run_steps(la, codes, fmt, mask, self._state[la.name])
            else:
                codes = GOLDEN[la.kind](la, codes, fmt, mask)
        return codes
