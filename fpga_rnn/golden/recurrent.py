"""Golden recurrent cells: one time step each, vectorised over the batch.

Notation: ``cast(v -> T)`` is an assignment with T's rounding and overflow
modes; all products and sums are exact in between. ``σ``/``tanh`` are table
look-ups (``fpga_rnn.tables``) indexed with the fractional bits of the value's
format. Gate columns are in Keras order. The order of operations and the formats
follow hls4ml's ``nnet_recurrent.h`` (``lstm_static``, ``gru_static``), with the
cell state, gate and state formats separate instead of one shared type.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fpga_rnn.fixed import FixedFormat
from fpga_rnn.golden.ops import activation, add, dense, mul, table_act
from fpga_rnn.ir.layers import GRU, LSTM, QArray, Recurrent, SimpleRNN

# state dict: "h" (codes in layer.state) and, for LSTM, "c" (codes in layer.cell)
State = dict[str, np.ndarray]
StepFn = Callable[[Recurrent, np.ndarray, State], State]


def simple_rnn_step(la: SimpleRNN, a: np.ndarray, st: State) -> State:
    """``p = cast(a + U·h -> accum)``; ``h = cast(act(p) -> state)``.

    ``a = W·x + b`` (accum) is precomputed for all steps; ``U·h`` is ``dense``
    without bias. tanh is the table value cast straight into ``state``.
    """
    acc = la.accum
    u = dense(st["h"], la.state, la.recurrent_kernel, None, acc)
    p = acc.cast(a + u, acc.frac)
    if la.activation == "tanh":
        h = table_act("tanh", p, acc.frac, la.table, la.state)
    elif la.activation == "relu":
        h = la.state.cast(np.maximum(p, 0), acc.frac)
    else:
        h = la.state.cast(p, acc.frac)
    return {"h": h}


def lstm_step(la: LSTM, a: np.ndarray, st: State) -> State:
    """One LSTM step (hls4ml ``lstm_static`` order)::

    u = dense(h; U, no bias)                  -> accum (4H); projected: h' for h
    p = cast(a + u -> accum)                  a = dense(x; W, b), precomputed
    i, f, o = cast(σ(p_i|f|o) -> gate);  g = cast(tanh(p_c) -> gate)
    c = cast(g·i + c·f -> cell)               one rounding for the sum
    h = cast(o · cast(tanh(c) -> gate) -> state)
    """
    acc, gate, n = la.accum, la.gate, la.units
    u = dense(*_recurrent_input(la, st["h"]), la.recurrent_kernel, None, acc)
    p = acc.cast(a + u, acc.frac)
    fa = acc.frac
    i = table_act("sigmoid", p[..., 0:n], fa, la.table, gate)
    f = table_act("sigmoid", p[..., n : 2 * n], fa, la.table, gate)
    g = table_act("tanh", p[..., 2 * n : 3 * n], fa, la.table, gate)
    o = table_act("sigmoid", p[..., 3 * n : 4 * n], fa, la.table, gate)
    gf, cf = gate.frac, la.cell.frac
    c_new, c_frac = add(mul((g, gf), (i, gf)), mul((st["c"], cf), (f, gf)))
    c = la.cell.cast(c_new, c_frac)
    tc = table_act("tanh", c, cf, la.table, gate)
    h = la.state.cast(o * tc, 2 * gf)
    return {"h": h, "c": c}


def _recurrent_input(la: LSTM, h: np.ndarray) -> tuple[np.ndarray, FixedFormat]:
    """What U multiplies: h, or a projected LSTM's h' = cast(cast(Qo^T h -> projection
    accum) -> projected) (a bias-free linear Dense; h' of the zero state is zero)."""
    pj = la.projector
    if pj is None:
        return h, la.state
    acc = dense(h, la.state, pj.kernel, None, pj.accum)
    return activation("linear", acc, pj.accum, None, pj.result), pj.result


def _gru_update(la: GRU, hh: np.ndarray, z: np.ndarray, h: np.ndarray) -> np.ndarray:
    """``h = cast(hh·(1 − z) + h·z -> state)``, exact products, one rounding."""
    gf, sf = la.gate.frac, la.state.frac
    one_minus_z = (1 << gf) - z
    v, vf = add(mul((hh, gf), (one_minus_z, gf)), mul((h, sf), (z, gf)))
    return la.state.cast(v, vf)


def gru_step(la: GRU, a: np.ndarray, st: State) -> State:
    """One GRU step. Both variants share ``a = dense(x; W, b)`` (precomputed) and::

        z = cast(σ(cast(a_z + u_z -> accum)) -> gate),  r likewise

    reset_after=True (hls4ml ``gru_static`` order; Keras's default)::

        u  = dense(h; U, br)                      -> accum (3H)
        s  = cast(r · u_h -> accum)
        hh = cast(tanh(cast(a_h + s -> accum)) -> gate)

    reset_after=False (Keras's formula; hls4ml 1.3.0 computes the other one)::

        u_zr = dense(h; U[:, :2H], no bias)
        rh   = cast(r · h -> state)
        hh   = cast(tanh(cast(a_h + dense(rh; U[:, 2H:]) -> accum)) -> gate)

    then ``h = cast(hh·(1−z) + h·z -> state)``.
    """
    acc, gate, n, h = la.accum, la.gate, la.units, st["h"]
    fa = acc.frac
    if la.reset_after:
        u = dense(h, la.state, la.recurrent_kernel, la.recurrent_bias, acc)
    else:
        u_zr = _columns(la, 0, 2 * n)
        u = dense(h, la.state, u_zr, None, acc)
    pz = acc.cast(a[..., :n] + u[..., :n], fa)
    pr = acc.cast(a[..., n : 2 * n] + u[..., n : 2 * n], fa)
    z = table_act("sigmoid", pz, fa, la.table, gate)
    r = table_act("sigmoid", pr, fa, la.table, gate)
    if la.reset_after:
        s = acc.cast(r * u[..., 2 * n :], gate.frac + fa)
        ph = acc.cast(a[..., 2 * n :] + s, fa)
    else:
        rh = la.state.cast(r * h, gate.frac + la.state.frac)
        uh = dense(rh, la.state, _columns(la, 2 * n, 3 * n), None, acc)
        ph = acc.cast(a[..., 2 * n :] + uh, fa)
    hh = table_act("tanh", ph, fa, la.table, gate)
    return {"h": _gru_update(la, hh, z, h)}


def _columns(la: GRU, lo: int, hi: int) -> QArray:
    return QArray(codes=la.recurrent_kernel.codes[:, lo:hi], fmt=la.recurrent_kernel.fmt)


STEPS: dict[str, StepFn] = {
    "simple_rnn": simple_rnn_step,
    "lstm": lstm_step,
    "gru": gru_step,
}


def zero_state(la: Recurrent, batch: int) -> State:
    """The state every sequence starts from: h (and an LSTM's c) at zero."""
    st: State = {"h": np.zeros((batch, la.units), np.int64)}
    if la.kind == "lstm":
        st["c"] = np.zeros((batch, la.units), np.int64)
    return st


def run_steps(
    la: Recurrent,
    x: np.ndarray,
    x_fmt,
    mask: np.ndarray | None,
    st: State,
    *,
    zero_masked_outputs: bool = False,
) -> tuple[np.ndarray, State]:
    """Run a recurrent layer over (B, T, X) codes from state ``st``: the (B, T, H)
    outputs of every step, in processing order, and the state after the last.

    Steps where ``mask`` is False leave the state unchanged (Keras masking); their
    output is the held state, or zero when ``zero_masked_outputs`` (Keras does that
    inside Bidirectional). With ``go_backwards`` the steps run from T-1 to 0.
    """
    t = x.shape[1]
    a_all = dense(x, x_fmt, la.kernel, la.bias, la.accum)  # W·x + b does not depend on h
    step = STEPS[la.kind]
    order = range(t - 1, -1, -1) if la.go_backwards else range(t)
    outs = []
    for k in order:
        new = step(la, a_all[:, k], st)
        if mask is not None:
            m = mask[:, k, None]
            new = {key: np.where(m, v, st[key]) for key, v in new.items()}
            out = np.where(m, new["h"], 0) if zero_masked_outputs else new["h"]
        else:
            out = new["h"]
        st = new
        outs.append(out)
    seq = np.stack(outs, axis=1) if outs else np.zeros((x.shape[0], 0, la.units), np.int64)
    return seq, st


def run_recurrent(
    la: Recurrent,
    x: np.ndarray,
    x_fmt,
    mask: np.ndarray | None,
    *,
    zero_masked_outputs: bool = False,
) -> np.ndarray:
    """Run a recurrent layer over (B, T, X) codes from the zero state, as Keras does
    per sequence (see :func:`run_steps`): the output sequence with
    ``return_sequences``, else the last state."""
    seq, st = run_steps(
        la, x, x_fmt, mask, zero_state(la, x.shape[0]), zero_masked_outputs=zero_masked_outputs
    )
    return seq if la.return_sequences else st["h"]
