"""Embedded C export: the golden model as portable, allocation-free C99 with integer
arithmetic only. The runtime (``fpga_rnn/backends/c/src/frnn_rt.c``) holds the operations; this
module writes ``fpga_rnn_model.h/.c``: the weights and tables as ``const`` arrays
(flash), one descriptor per layer, static buffers (RAM), and the API::

    void fpga_rnn_model_reset(fpga_rnn_state *s);
    int  fpga_rnn_model_step(fpga_rnn_state *s, const int32_t *x, int32_t *y);
    int  fpga_rnn_model_run_sequence(const int32_t *x, int32_t timesteps, int32_t *y);

Inputs and outputs are integer codes (value = code * 2^-FRAC, see the header).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn import tables
from fpga_rnn.errors import InputError, UnsupportedError
from fpga_rnn.escape import c_comment
from fpga_rnn.fixed import FixedFormat, Overflow, Rounding
from fpga_rnn.ir.conv import Conv1D, Pooling1D, Window
from fpga_rnn.ir.kinds import ACTIVATIONS, c_header, log2
from fpga_rnn.ir.layers import (
    GRU,
    LSTM,
    Activation,
    Bidirectional,
    Dense,
    Embedding,
    Layer,
    Recurrent,
    TableSpec,
)
from fpga_rnn.ir.model import Model
from fpga_rnn.limits import MAX_TIMESTEPS, check_int
from fpga_rnn.outputs import atomic_dir, write_json

RUNTIME = ("frnn_rt.h", "frnn_rt.c")
CODES_HEADER = "frnn_codes.h"  # enums and table ranges, rendered from fpga_rnn.ir.kinds
DEFAULT_MAX_TIMESTEPS = 64
MAX_CODE_BITS = 32  # stored values (weights, states, outputs) are int32 codes
MAX_FORMAT_BITS = 62  # intermediates live in int64
_ROUND = {r: f"FRNN_{r.name}" for r in Rounding}
_OVF = {o: f"FRNN_{o.name}" for o in Overflow}
# enum names of frnn_codes.h (kinds.c_header renders them the same way)
_ACT = {a: f"FRNN_{a.upper()}" for a in ACTIVATIONS}
_CELL = {k: f"FRNN_{k.upper()}" for k in ("simple_rnn", "lstm", "gru")}  # GRU: reset_after flag


def runtime_dir() -> Path:
    return Path(__file__).resolve().parent / "src"


def _fmt(f: FixedFormat) -> str:
    if f.width > MAX_FORMAT_BITS:
        raise UnsupportedError(f"{f} is wider than {MAX_FORMAT_BITS} bits; the C export uses int64")
    s = int(f.signed)
    return f"{{{f.width}, {f.frac}, {s}, {_ROUND[f.rounding]}, {_OVF[f.overflow]}}}"


def _code_fmt(f: FixedFormat, what: str) -> str:
    if f.width > MAX_CODE_BITS:
        raise UnsupportedError(f"{what} format {f} is wider than {MAX_CODE_BITS} bits")
    return _fmt(f)


@dataclass
class _Writer:
    """Collects const arrays and descriptors; counts flash bytes."""

    arrays: list[str] = field(default_factory=list)
    flash: int = 0
    tables: dict[tuple, str] = field(default_factory=dict)

    def array(self, name: str, codes: np.ndarray, fmt: FixedFormat, what: str) -> str:
        """A ``const`` array of codes in the smallest int type; returns an frnn_array."""
        c = np.asarray(codes, np.int64).ravel()
        lo, hi = (int(c.min()), int(c.max())) if c.size else (0, 0)
        nbytes = 1 if lo >= -128 and hi <= 127 else 2 if lo >= -32768 and hi <= 32767 else 4
        ctype = {1: "int8_t", 2: "int16_t", 4: "int32_t"}[nbytes]
        body = ",".join(str(int(v)) for v in c) or "0"
        self.arrays.append(f"static const {ctype} {name}[{max(c.size, 1)}] = {{{body}}};")
        self.flash += max(c.size, 1) * nbytes
        return f"{{{name}, {nbytes}, {_code_fmt(fmt, what)}}}"

    def table(self, kind: str, spec: TableSpec) -> str:
        """An frnn_table (one array per distinct table, shared by layers)."""
        key = (kind, spec.size, str(spec.fmt))
        if key not in self.tables:
            name = f"tab_{kind}_{len(self.tables)}"
            arr = self.array(name + "_codes", tables.table(kind, spec), spec.fmt, "table")
            self.arrays.append(f"static const frnn_array {name} = {arr};")
            self.tables[key] = name
        return f"{{&{self.tables[key]}, {spec.size.bit_length() - 1}}}"


NO_TABLE = "{0, 0}"
STATE_ARGS = "h, c, hn, cn, scratch"
NO_ARRAY = "{0, 0, {1, 0, 1, FRNN_TRN, FRNN_WRAP}}"


def _recurrent(w: _Writer, la: Recurrent, n_in: int, name: str) -> str:
    rb = NO_ARRAY
    if isinstance(la, GRU) and la.recurrent_bias is not None:
        rb = w.array(f"{name}_br", la.recurrent_bias.codes, la.recurrent_bias.fmt, "bias")
    cell = la.cell if isinstance(la, LSTM) else la.state
    sig = w.table("sigmoid", la.table) if la.gates > 1 else NO_TABLE
    fields = [
        _CELL[la.kind],
        _ACT[la.candidate_activation],
        str(int(la.resets_after)),
        str(int(la.go_backwards)),
        str(int(la.return_sequences)),
        str(n_in),
        str(la.units),
        w.array(f"{name}_w", la.kernel.codes, la.kernel.fmt, "weight"),
        w.array(f"{name}_wr", la.recurrent_kernel.codes, la.recurrent_kernel.fmt, "weight"),
        w.array(f"{name}_b", la.bias.codes, la.bias.fmt, "bias"),
        rb,
        _fmt(la.accum),
        _code_fmt(la.gate, "gate"),
        _code_fmt(la.state, "state"),
        _code_fmt(cell, "cell"),
        sig,
        w.table("tanh", la.table),
        *_projection(w, la, name),
    ]
    return f"static const frnn_recurrent {name} = {{{', '.join(fields)}}};"


def _cells(la: Layer) -> tuple[Layer, ...]:
    """A layer's recurrent cells (a Bidirectional's two), else the layer itself."""
    return (la.forward, la.backward) if isinstance(la, Bidirectional) else (la,)


def _projection(w: _Writer, la: Recurrent, name: str) -> list[str]:
    """n_proj, projection, proj_accum, projected (a projected LSTM's; else unused)."""
    pj = la.projector if isinstance(la, LSTM) else None
    if pj is None:
        return ["0", NO_ARRAY, _fmt(la.accum), _fmt(la.state)]
    q = pj.kernel
    arr = w.array(f"{name}_wp", q.codes, q.fmt, "weight")
    return [str(q.shape[1]), arr, _fmt(pj.accum), _code_fmt(pj.result, "projected")]


def _dense(w: _Writer, la: Dense | Conv1D, name: str) -> str:
    kernel = la.flat_kernel if isinstance(la, Conv1D) else la.kernel
    n_in, n_out = kernel.shape
    b = w.array(f"{name}_b", la.bias.codes, la.bias.fmt, "bias") if la.bias else NO_ARRAY
    table = NO_TABLE
    if la.table is not None and la.activation in ("sigmoid", "tanh", "softmax"):
        table = w.table("exp" if la.activation == "softmax" else la.activation, la.table)
    fields = [
        str(n_in),
        str(n_out),
        _ACT[la.activation],
        w.array(f"{name}_w", kernel.codes, kernel.fmt, "weight"),
        b,
        _fmt(la.accum),
        _code_fmt(la.result, "result"),
        table,
    ]
    return f"static const frnn_dense {name} = {{{', '.join(fields)}}};"


@dataclass
class _Plan:
    """What the generated functions do, layer by layer."""

    decls: list[str] = field(default_factory=list)
    seq: list[str] = field(default_factory=list)  # run_sequence body
    step: list[str] = field(default_factory=list)  # step body
    state: list[str] = field(default_factory=list)  # fpga_rnn_state members
    reset: list[str] = field(default_factory=list)
    # get/set_state order: per recurrent layer, h then (LSTM) c: (member, units, format)
    state_parts: list[tuple[str, int, FixedFormat]] = field(default_factory=list)
    can_step: bool = True
    has_recurrent: bool = False
    uses_scratch: bool = False
    max_width: int = 1
    max_units: int = 1
    max_window: int = 0  # codes of the largest window (window layers' buffer)


def _emit_layers(model: Model, w: _Writer) -> _Plan:
    p = _Plan()
    masked = model.input.mask_value is not None
    shapes = model.shapes()
    width = model.input.features
    frac = "FRNN_INPUT_FRAC"
    seq_src, step_src = "x", "x"
    rows = steps = "T"  # output rows of the layer so far; its steps (fewer after a window)
    for i, (la, shape) in enumerate(zip(model.layers, shapes, strict=True)):
        name = f"L{i}"
        out_w = int(shape[-1])
        p.max_width = max(p.max_width, out_w, width)
        dst = f"buf{i % 2}"
        sdst = f"sbuf{i % 2}"
        if isinstance(la, Embedding):
            arr = w.array(f"{name}_e", la.table.codes, la.table.fmt, "embedding")
            p.decls.append(f"static const frnn_array {name} = {arr};")
            p.seq.append(
                f"for (t = 0; t < T; t++) for (j = 0; j < {out_w}; j++) "
                f"{dst}[t * {out_w} + j] = frnn_at(&{name}, {seq_src}[t] * {out_w} + j);"
            )
            p.step.append(
                f"for (j = 0; j < {out_w}; j++) "
                f"{sdst}[j] = frnn_at(&{name}, {step_src}[0] * {out_w} + j);"
            )
            frac = str(la.table.fmt.frac)
        elif isinstance(la, Recurrent):
            p.has_recurrent = p.uses_scratch = True
            p.decls.append(_recurrent(w, la, width, name))
            p.max_units = max(p.max_units, la.units)
            p.seq.append(
                f"frnn_recurrent_run(&{name}, {seq_src}, {frac}, {steps}, valid, 0, {dst}, "
                f"{STATE_ARGS});"
            )
            if la.go_backwards:
                p.can_step = False
            p.state += [f"int32_t h{i}[{la.units}];", f"int32_t c{i}[{la.units}];"]
            p.state_parts.append((f"h{i}", la.units, la.state))
            if isinstance(la, LSTM):
                p.state_parts.append((f"c{i}", la.units, la.cell))
            p.reset.append(f"for (j = 0; j < {la.units}; j++) {{ s->h{i}[j] = s->c{i}[j] = 0; }}")
            p.step.append(
                f"for (j = 0; j < {la.units}; j++) {{ hn[j] = s->h{i}[j]; cn[j] = s->c{i}[j]; }}\n"
                f"    frnn_recurrent_step(&{name}, {step_src}, {frac}, hn, cn, scratch);\n"
                f"    if (valid[0]) for (j = 0; j < {la.units}; j++) "
                f"{{ s->h{i}[j] = hn[j]; s->c{i}[j] = cn[j]; }}\n"
                f"    for (j = 0; j < {la.units}; j++) {sdst}[j] = s->h{i}[j];"
            )
            frac = str(la.state.frac)
            if not la.return_sequences:
                rows = "1"
        elif isinstance(la, Bidirectional):
            p.can_step = False
            p.has_recurrent = p.uses_scratch = True
            fw, bw = la.forward, la.backward
            p.decls.append(_recurrent(w, fw, width, name + "f"))
            p.decls.append(_recurrent(w, bw, width, name + "b"))
            p.max_units = max(p.max_units, fw.units, bw.units)
            zero = int(masked and fw.return_sequences)
            run = f"frnn_recurrent_run(&{name}"
            p.seq.append(
                f"{run}f, {seq_src}, {frac}, {steps}, valid, {zero}, bf, {STATE_ARGS});\n"
                f"    {run}b, {seq_src}, {frac}, {steps}, valid, {zero}, bb, {STATE_ARGS});"
            )
            r = steps if fw.return_sequences else "1"
            flip = f"{steps} - 1 - t" if fw.return_sequences else "t"
            hf, hb = fw.units, bw.units
            if la.merge == "concat":
                p.seq.append(
                    f"for (t = 0; t < {r}; t++) {{ for (j = 0; j < {hf}; j++) "
                    f"{dst}[t * {out_w} + j] = bf[t * {hf} + j]; for (j = 0; j < {hb}; j++) "
                    f"{dst}[t * {out_w} + {hf} + j] = bb[({flip}) * {hb} + j]; }}"
                )
                frac = str(fw.state.frac)
            else:
                assert la.result is not None
                sf, sb = fw.state.frac, bw.state.frac
                m = max(sf, sb)
                res = f"{name}_res"
                p.decls.append(f"static const frnn_fmt {res} = {_code_fmt(la.result, 'result')};")
                p.seq.append(
                    f"for (t = 0; t < {r}; t++) for (j = 0; j < {hf}; j++) "
                    f"{dst}[t * {out_w} + j] = (int32_t)frnn_cast("
                    f"(int64_t)bf[t * {hf} + j] * {1 << (m - sf)} + "
                    f"(int64_t)bb[({flip}) * {hb} + j] * {1 << (m - sb)}, {m}, &{res});"
                )
                frac = str(la.result.frac)
            rows = r
        elif isinstance(la, Dense):
            p.uses_scratch = True
            p.decls.append(_dense(w, la, name))
            p.seq.append(
                f"for (t = 0; t < {rows}; t++) frnn_dense_apply(&{name}, {seq_src} + t * {width}, "
                f"{frac}, {dst} + t * {out_w}, scratch);"
            )
            p.step.append(f"frnn_dense_apply(&{name}, {step_src}, {frac}, {sdst}, scratch);")
            frac = str(la.result.frac)
        elif isinstance(la, Conv1D | Pooling1D):
            p.can_step = False  # a window needs the steps after this one
            p.uses_scratch = True
            win = la.window
            p.max_window = max(p.max_window, win.taps * width)
            p.seq.append(f"const int32_t T{i} = {_window_steps(win, steps)};")
            gather = (
                f"frnn_window_gather({seq_src}, {width}, {steps}, t * {win.strides} - "
                f"{win.pad_left}, {win.taps}, {win.dilation}, win);"
            )
            if isinstance(la, Conv1D):
                p.decls.append(_dense(w, la, name))
                apply = f"frnn_dense_apply(&{name}, win, {frac}, {dst} + t * {out_w}, scratch);"
                frac = str(la.result.frac)
            else:
                out_fmt = la.result_format(model.formats()[i])
                assert out_fmt is not None
                res = _code_fmt(out_fmt, "result")
                p.decls.append(f"static const frnn_fmt {name}_out = {res};")
                apply = (
                    f"frnn_pool(win, {win.taps}, {width}, {int(la.op == 'max')}, {frac}, "
                    f"{log2(win.taps) if la.op == 'average' else 0}, &{name}_out, "
                    f"{dst} + t * {out_w});"
                )
                frac = str(out_fmt.frac)
            p.seq.append(f"for (t = 0; t < T{i}; t++) {{ {gather} {apply} }}")
            rows = steps = f"T{i}"
        elif isinstance(la, Activation):
            p.uses_scratch = True
            tbl = NO_TABLE
            if la.table is not None and la.activation in ("sigmoid", "tanh", "softmax"):
                tbl = w.table("exp" if la.activation == "softmax" else la.activation, la.table)
            infmt = model.formats()[i]
            assert infmt is not None
            p.decls.append(f"static const frnn_table {name}_t = {tbl};")
            p.decls.append(f"static const frnn_fmt {name}_in = {_fmt(infmt)};")
            p.decls.append(f"static const frnn_fmt {name}_out = {_code_fmt(la.result, 'result')};")
            call = (
                f"frnn_activate({_ACT[la.activation]}, scratch, {out_w}, &{name}_in, &{name}_t, "
                f"&{name}_out, "
            )
            p.seq.append(
                f"for (t = 0; t < {rows}; t++) {{ for (j = 0; j < {out_w}; j++) "
                f"scratch[j] = {seq_src}[t * {out_w} + j]; {call}{dst} + t * {out_w}); }}"
            )
            p.step.append(
                f"for (j = 0; j < {out_w}; j++) scratch[j] = {step_src}[j]; {call}{sdst});"
            )
            frac = str(la.result.frac)
        else:  # pragma: no cover - every registered kind is handled above
            raise UnsupportedError(f"layer kind {la.kind!r} has no C export")
        seq_src, step_src, width = dst, sdst, out_w
    p.seq.append(f"for (j = 0; j < {rows} * {width}; j++) y[j] = {seq_src}[j];")
    p.step.append(f"for (j = 0; j < {width}; j++) y[j] = {step_src}[j];")
    return p


def _steps_body(model: Model) -> str:
    """Statements turning T into the output steps, one per window layer."""
    return "".join(f"    T = {_window_steps(w, 'T')};\n" for w in model.windows())


def _window_steps(win: Window, steps: str) -> str:
    """C expression: a window layer's output steps (``steps`` >= its minimum)."""
    return f"({steps} + {win.pad_left + win.pad_right - win.span}) / {win.strides} + 1"


def _input_check(model: Model) -> tuple[str, str]:
    """C statements validating step t of the input codes and setting valid[t]; the
    input's fractional bits."""
    spec = model.input
    if spec.tokens:
        vocab = int(model.layers[0].table.shape[0])  # type: ignore[attr-defined]
        mask = "1" if spec.mask_code is None else f"x[t] != {spec.mask_code}"
        return (
            f"if (x[t] < 0 || x[t] >= {vocab}) {{ return FRNN_ERR_TOKEN; }} valid[t] = {mask};",
            "0",
        )
    assert spec.fmt is not None
    f, n = spec.fmt, spec.features
    xi = f"x[t * {n} + j]"
    bad = f"{xi} < {f.min_code} || {xi} > {f.max_code}"
    check = f"for (j = 0; j < {n}; j++) {{ if ({bad}) {{ return FRNN_ERR_INPUT; }} }}"
    if spec.mask_value is None:
        return check + " valid[t] = 1;", str(f.frac)
    code = spec.mask_code
    mask = f" valid[t] = 0; for (j = 0; j < {n}; j++) {{ if ({xi} != {code}) {{ valid[t] = 1; }} }}"
    return check + mask, str(f.frac)


def _state_functions(plan: _Plan) -> str:
    """get_state / set_state: copy the state members in order; set_state checks every
    code against its format before writing any."""
    if not plan.can_step:
        return (
            "int fpga_rnn_model_get_state(const fpga_rnn_state *s, int32_t *codes) {\n"
            "    (void)s; (void)codes;\n    return FRNN_ERR_UNSUPPORTED;\n}\n\n"
            "int fpga_rnn_model_set_state(fpga_rnn_state *s, const int32_t *codes) {\n"
            "    (void)s; (void)codes;\n    return FRNN_ERR_UNSUPPORTED;\n}"
        )
    get, check, put, k = [], [], [], 0
    for member, n, fmt in plan.state_parts:
        lo, hi = _c_int(fmt.min_code), _c_int(fmt.max_code)
        get.append(f"for (j = 0; j < {n}; j++) codes[{k} + j] = s->{member}[j];")
        check.append(
            f"for (j = 0; j < {n}; j++) {{ if (codes[{k} + j] < {lo} || "
            f"codes[{k} + j] > {hi}) return FRNN_ERR_STATE; }}"
        )
        put.append(f"for (j = 0; j < {n}; j++) s->{member}[j] = codes[{k} + j];")
        k += n
    ind = "\n    "
    return (
        "int fpga_rnn_model_get_state(const fpga_rnn_state *s, int32_t *codes) {\n"
        f"    int32_t j;\n    (void)s; (void)codes; (void)j;{ind}{ind.join(get)}\n"
        "    return FRNN_OK;\n}\n\n"
        "int fpga_rnn_model_set_state(fpga_rnn_state *s, const int32_t *codes) {\n"
        f"    int32_t j;\n    (void)s; (void)codes; (void)j;{ind}{ind.join(check + put)}\n"
        "    return FRNN_OK;\n}"
    )


def _c_int(v: int) -> str:
    """An int32 literal (the most negative one is not a literal in C)."""
    return f"({v + 1} - 1)" if v == -(1 << 31) else str(v)


def generate(
    model: Model, max_timesteps: int | None = None
) -> tuple[dict[str, str], dict[str, Any]]:
    """The generated sources (file name -> text) and c.json's content."""
    if max_timesteps is not None:
        check_int(max_timesteps, "max_timesteps", 1, MAX_TIMESTEPS)
    t_max = model.input.timesteps or max_timesteps or DEFAULT_MAX_TIMESTEPS
    if model.min_steps() > t_max:
        raise InputError(
            f"the model's windows need at least {model.min_steps()} steps, more than the "
            f"{t_max} this export takes; raise --max-timesteps"
        )
    w = _Writer()
    plan = _emit_layers(model, w)
    check, in_frac = _input_check(model)
    spec = model.input
    out_shape = model.output_shape
    out_size = int(out_shape[-1])
    per_step = len(out_shape) == 2
    units = plan.max_units
    # a projected LSTM's step keeps h' (2 * Po values) after its 10 * units of scratch
    cells = [d for la in model.layers for d in _cells(la)]
    proj = [d.recurrent_inputs for d in cells if isinstance(d, LSTM) and d.projection is not None]
    mw = max(plan.max_width, units, 2 * max(proj, default=0))
    name = c_comment(model.name)
    header = f"""/* fpga-rnn model {name}: generated by `fpga-rnn c`. Do not edit. */
#ifndef FPGA_RNN_MODEL_H_
#define FPGA_RNN_MODEL_H_

#include <stdint.h>
#include "frnn_rt.h"

#define FRNN_MAX_TIMESTEPS {t_max}
/* the shortest sequence: a Conv1D or pooling layer needs one whole window */
#define FRNN_MIN_TIMESTEPS {model.min_steps()}
#define FRNN_INPUT_FEATURES {1 if spec.tokens else spec.features} /* int32 codes per step */
#define FRNN_INPUT_TOKENS {int(spec.tokens)} /* 1: token ids */
#define FRNN_INPUT_FRAC {in_frac} /* input value = code * 2^-FRNN_INPUT_FRAC */
#define FRNN_OUTPUT_SIZE {out_size}
#define FRNN_OUTPUT_FRAC {model.output_format.frac}
#define FRNN_OUTPUT_PER_STEP {int(per_step)} /* 1: run_sequence writes T x FRNN_OUTPUT_SIZE */
/* 0: step() returns FRNN_ERR_UNSUPPORTED (Bidirectional, go_backwards need the sequence) */
#define FRNN_CAN_STEP {int(plan.can_step)}

typedef struct {{
    {" ".join(plan.state) or "int32_t unused;"}
}} fpga_rnn_state;

/* Clear the recurrent state (start of a sequence). */
void fpga_rnn_model_reset(fpga_rnn_state *s);
/* One time step: FRNN_INPUT_FEATURES codes in, FRNN_OUTPUT_SIZE codes out (the model's
 * output for the sequence so far). FRNN_ERR_INPUT/_TOKEN on bad codes (state unchanged),
 * FRNN_ERR_UNSUPPORTED when FRNN_CAN_STEP is 0. */
int fpga_rnn_model_step(fpga_rnn_state *s, const int32_t *x, int32_t *y);
/* A whole sequence of `timesteps` steps (padding steps, if the model masks, hold the
 * state). FRNN_ERR_LENGTH if timesteps is not in FRNN_MIN_TIMESTEPS..FRNN_MAX_TIMESTEPS.
 * A sequence output has fpga_rnn_model_output_steps(timesteps) rows. */
int fpga_rnn_model_run_sequence(const int32_t *x, int32_t timesteps, int32_t *y);
/* Rows of a sequence output for `timesteps` input steps: fewer after a Conv1D or
 * pooling layer with strides or 'valid' padding; 0 for a length run_sequence refuses. */
int32_t fpga_rnn_model_output_steps(int32_t timesteps);

/* The recurrent state as FRNN_STATE_SIZE codes: per recurrent layer in model order,
 * h (its state format), then for LSTM c (its cell format); fpga_rnn.Stream's state in
 * the same order. set_state checks every code first: FRNN_ERR_STATE (state unchanged)
 * if one is outside its format. Both FRNN_ERR_UNSUPPORTED when FRNN_CAN_STEP is 0. */
#define FRNN_STATE_SIZE {sum(n for _, n, _ in plan.state_parts)}
int fpga_rnn_model_get_state(const fpga_rnn_state *s, int32_t *codes);
int fpga_rnn_model_set_state(fpga_rnn_state *s, const int32_t *codes);

#endif
"""
    step_body = (
        f"""    int32_t t = 0, j;
    uint8_t valid[1];
    {check}
    {chr(10).join("    " + s for s in plan.step).strip()}
    return FRNN_OK;"""
        if plan.can_step
        else "    (void)s; (void)x; (void)y;\n    return FRNN_ERR_UNSUPPORTED;"
    )
    bidir = any(isinstance(la, Bidirectional) for la in model.layers)
    n_layers = len(model.layers)
    t, mu = t_max, units
    emitted = [
        (f"static int32_t buf0[{t * mw}];", 4 * t * mw, True),
        (f"static int32_t buf1[{t * mw}];", 4 * t * mw, n_layers > 1),
        (f"static int32_t bf[{t * mu}], bb[{t * mu}];", 8 * t * mu, bidir),
        (f"static int32_t sbuf0[{mw}];", 4 * mw, plan.can_step),
        (f"static int32_t sbuf1[{mw}];", 4 * mw, plan.can_step and n_layers > 1),
        (f"static int32_t h[{mu}], c[{mu}], hn[{mu}], cn[{mu}];", 16 * mu, plan.has_recurrent),
        (f"static int64_t scratch[{10 * mu + mw}];", 8 * (10 * mu + mw), plan.uses_scratch),
        (f"static uint8_t valid[{t}];", t, True),
        (f"static int32_t win[{plan.max_window}];", 4 * plan.max_window, plan.max_window > 0),
    ]
    buffers = "\n".join(line for line, _, used in emitted if used)
    ram = sum(n for _, n, used in emitted if used)
    source = f"""/* fpga-rnn model {name}: weights (flash), layers. Generated. */
#include "fpga_rnn_model.h"

{chr(10).join(w.arrays)}

{chr(10).join(plan.decls)}

{buffers}
void fpga_rnn_model_reset(fpga_rnn_state *s) {{
    int32_t j;
    (void)j;
    {chr(10).join("    " + r for r in plan.reset).strip() or "s->unused = 0;"}
}}

int fpga_rnn_model_step(fpga_rnn_state *s, const int32_t *x, int32_t *y) {{
{step_body}
}}

{_state_functions(plan)}

int32_t fpga_rnn_model_output_steps(int32_t T) {{
    if (T < FRNN_MIN_TIMESTEPS || T > FRNN_MAX_TIMESTEPS) return 0;
{_steps_body(model)}    return T;
}}

int fpga_rnn_model_run_sequence(const int32_t *x, int32_t T, int32_t *y) {{
    int32_t t, j;
    if (T < FRNN_MIN_TIMESTEPS || T > FRNN_MAX_TIMESTEPS) return FRNN_ERR_LENGTH;
    for (t = 0; t < T; t++) {{
        {check}
    }}
    {chr(10).join("    " + s for s in plan.seq).strip()}
    return FRNN_OK;
}}
"""
    info = {
        "model": model.name,
        "max_timesteps": t_max,
        "input": {
            "features": 1 if spec.tokens else spec.features,
            "tokens": spec.tokens,
            "frac": int(in_frac),
            "format": None if spec.fmt is None else str(spec.fmt),
        },
        "output": {
            "size": out_size,
            "per_step": per_step,
            "frac": model.output_format.frac,
            "format": str(model.output_format),
        },
        "can_step": plan.can_step,
        "state_size": sum(n for _, n, _ in plan.state_parts),
        "flash_bytes_weights": w.flash,
        "ram_bytes_buffers": ram,
        "files": ["fpga_rnn_model.h", "fpga_rnn_model.c", CODES_HEADER, *RUNTIME],
    }
    files = {"fpga_rnn_model.h": header, "fpga_rnn_model.c": source, CODES_HEADER: c_header()}
    return files, info


def write(
    model: Model, out: str | Path, *, max_timesteps: int | None = None, force: bool = False
) -> dict:
    """Write the C sources (model + runtime) and c.json to ``out`` atomically."""
    return save(*generate(model, max_timesteps), out, force=force)


def save(files: dict[str, str], info: dict, out: str | Path, *, force: bool = False) -> dict:
    """Write generated sources (``generate``), the runtime and c.json atomically."""
    with atomic_dir(Path(out), force=force) as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text)
        for name in RUNTIME:
            shutil.copy(runtime_dir() / name, tmp / name)
        write_json(tmp / "c.json", info)
    return info


def quantize_inputs(model: Model, x: np.ndarray) -> np.ndarray:
    """Input codes as the C API takes them: (B, T, F) int32 codes, or (B, T) token ids."""
    from fpga_rnn.golden.model import prepare_input

    codes = prepare_input(model, x).codes
    return codes[..., 0] if model.input.tokens else codes


__all__ = ["generate", "quantize_inputs", "write"]
