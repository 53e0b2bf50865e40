"""Verilog for each IR layer kind: core instances, their parameters and ROM images.

One emitter per layer kind (``EMITTERS``); each consumes stream ``s<i>`` and drives
``s<i+1>`` (``_data/_valid/_ready/_last``), so the top module is a chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from fpga_rnn.backends.rtl import mem
from fpga_rnn.backends.rtl.plan import RecurrentPlan, Tile, plan_recurrent, tile
from fpga_rnn.errors import UnsupportedError
from fpga_rnn.fixed import FixedFormat, Overflow
from fpga_rnn.ir.conv import Conv1D, Pooling1D
from fpga_rnn.ir.kinds import ACTIVATION_CODES, CELLS, TABLE_RANGES, cell_kind, log2
from fpga_rnn.ir.layers import (
    GRU,
    LSTM,
    Activation,
    Bidirectional,
    Dense,
    Embedding,
    Layer,
    QArray,
    Recurrent,
    SimpleRNN,
    TableSpec,
)


@dataclass
class Stream:
    width: int
    fmt: FixedFormat | None  # element format (None: token ids)
    elements: int


@dataclass
class Context:
    reuse: int
    max_timesteps: int
    mac_stages: int = 0  # MAC engine pipeline stages (frnn_matvec MP)
    lane_stages: int = 0  # cell lane pipeline registers (frnn_recurrent LS)
    stream: bool = False  # stateful streaming: every _last wire is {clear, last}
    layer_reuse: list[int] = field(default_factory=list)  # per layer (plan.window_reuse)
    body: list[str] = field(default_factory=list)
    mems: dict[str, str] = field(default_factory=dict)
    layers: list[dict] = field(default_factory=list)
    # every core instance of the top: name, module and integer parameters, and for
    # a MAC engine's weight ROM its distinct bit columns (rom_cols): the resource
    # model's input
    instances: list[dict] = field(default_factory=list)

    def add_mem(self, name: str, text: str) -> str:
        self.mems[name] = text
        return f'"mem/{name}"'

    def mem_text(self, ref: str) -> str:
        """The image behind a reference ``add_mem`` returned."""
        return self.mems[ref.strip('"').removeprefix("mem/")]

    def record(self, module: str, name: str, params: dict) -> None:
        """The resource model's entry of a core: its integer parameters and, for a MAC
        engine, its weight ROM's distinct bit columns."""
        ints = {k: v for k, v in params.items() if isinstance(v, int)}
        if "WFILE" in params:
            ints["rom_cols"] = mem.rom_columns(self.mem_text(params["WFILE"]))
        self.instances.append({"name": name, "module": module, "params": ints})

    def instance(self, module: str, name: str, params: dict, ports: dict[str, str]) -> None:
        self.record(module, name, params)
        ps = ",\n".join(f"      .{k}({v})" for k, v in params.items())
        pt = ",\n".join(f"      .{k}({v})" for k, v in ports.items())
        self.body.append(f"  {module} #(\n{ps}\n  ) {name} (\n{pt}\n  );\n")

    @property
    def last_width(self) -> int:
        """Bits of a stream's tlast sideband: {clear, last} when streaming."""
        return 2 if self.stream else 1

    @property
    def sideband(self) -> dict[str, int]:
        """The sideband parameter of a pass-through core (frnn_dense, _act, ...)."""
        return {"LW": self.last_width} if self.stream else {}

    def wires(self, s: str, width: int) -> None:
        self.body.append(
            f"  wire [{width - 1}:0] {s}_data;\n  wire {s}_valid, {s}_ready;\n"
            f"  wire [{self.last_width - 1}:0] {s}_last;\n"
        )


def stream_ports(i: str, o: str) -> dict[str, str]:
    return {
        "clk": "clk",
        "rst": "rst",
        "in_data": f"{i}_data",
        "in_valid": f"{i}_valid",
        "in_ready": f"{i}_ready",
        "in_last": f"{i}_last",
        "out_data": f"{o}_data",
        "out_valid": f"{o}_valid",
        "out_ready": f"{o}_ready",
        "out_last": f"{o}_last",
    }


def _fail(la: Layer, msg: str) -> UnsupportedError:
    return UnsupportedError(f"RTL: layer {la.name!r} ({la.kind}): {msg}")


def _mac_section(
    la: Layer, w: np.ndarray, w_fmt: FixedFormat, x_fmt: FixedFormat, bias, accum: FixedFormat
) -> tuple[int, int, int]:
    """(shift, largest |sum|, weight width) of ``bias + w @ x`` in ``accum``; refuses
    what the engine cannot compute exactly."""
    sh = accum.frac - (x_fmt.frac + w_fmt.frac)
    if sh < 0:
        raise _fail(
            la,
            f"accumulator {accum} rounds the products of {x_fmt} x {w_fmt}; the RTL needs "
            "exact products (re-import with default precision)",
        )
    if not accum.signed:
        raise _fail(la, f"accumulator {accum} must be signed")
    xmax = max(abs(x_fmt.min_code), abs(x_fmt.max_code))
    bmax = int(np.abs(bias).max(initial=0)) if bias is not None else 0
    bound = (xmax * int(np.abs(w).sum(axis=1).max(initial=0)) << sh) + bmax
    if accum.overflow is not Overflow.WRAP and bound > accum.max_code:
        raise _fail(
            la,
            f"saturating accumulator {accum} can overflow mid-sum (the result would depend "
            "on the sum order); use a wrapping or wider accumulator",
        )
    return sh, bound, w_fmt.width + (0 if w_fmt.signed else 1)


def _acc_width(bound: int, accum: FixedFormat) -> int:
    return max(bound.bit_length() + 2, accum.width + 1)


def engine(
    ctx: Context,
    la: Layer,
    name: str,
    w: np.ndarray,
    w_fmt: FixedFormat,
    x_fmt: FixedFormat,
    bias: np.ndarray | None,
    accum: FixedFormat,
    t: Tile,
) -> dict:
    """frnn_matvec parameters and ROMs for rows ``w`` (rows, K) and accum-format ``bias``."""
    sh, bound, ww = _mac_section(la, w, w_fmt, x_fmt, bias, accum)
    aw = _acc_width(bound, accum)
    params = {
        "K": t.k,
        "VW": x_fmt.width,
        "VS": int(x_fmt.signed),
        "PR": t.pr,
        "PK": t.pk,
        "NB": t.nb,
        "KB": t.kb,
        "WW": ww,
        "AW": aw,
        "SH": sh,
        "HAS_BIAS": int(bias is not None),
        "MP": ctx.mac_stages,
        "WFILE": ctx.add_mem(f"{name}_w.mem", mem.weight_rom(w, t, ww)),
        "BFILE": '"none"',
    }
    if bias is not None:
        params["BFILE"] = ctx.add_mem(f"{name}_b.mem", mem.vector_rom(_padded(bias, t), aw))
    return params


def _padded(bias: np.ndarray, t: Tile) -> np.ndarray:
    """``bias`` with zeros for the tile's padding rows (nb * pr entries)."""
    b = np.zeros(t.nb * t.pr, np.int64)
    b[: len(bias)] = bias
    return b


def _accum_bias(b: QArray | None, accum: FixedFormat) -> np.ndarray | None:
    return None if b is None else accum.cast(b.codes, b.fmt.frac)


def _tables(ctx: Context, prefix: str, spec: TableSpec, kinds: tuple[str, ...]) -> dict:
    out = {"TB_W": spec.fmt.width, "TB_F": spec.fmt.frac, "LOGN": spec.size.bit_length() - 1}
    for k in kinds:
        key = {"sigmoid": "SIGMOID_MEM", "tanh": "TANH_MEM", "exp": "MEMFILE"}[k]
        out[key] = ctx.add_mem(f"{prefix}_{k}.mem", mem.table_rom(k, spec))
    return out


def _kind(la: Recurrent) -> str:
    return cell_kind(la.kind, not isinstance(la, GRU) or la.reset_after).name


def emit_recurrent(ctx: Context, i: int, la: Layer, s: Stream) -> Stream:
    assert isinstance(la, Recurrent)
    src = f"s{i}"
    if la.go_backwards:  # Keras: read the sequence from its end, outputs in that order
        assert s.fmt is not None
        src = f"l{i}_rev"
        ctx.wires(src, s.width)
        ctx.instance(
            "frnn_seqrev",
            f"u_l{i}_rev",
            {"W": s.width, "MAXT": ctx.max_timesteps},
            stream_ports(f"s{i}", src),
        )
    return recurrent_core(ctx, f"l{i}", la, src, s, f"s{i + 1}")


def recurrent_core(ctx: Context, tag: str, la: Recurrent, src: str, s: Stream, o: str) -> Stream:
    """frnn_recurrent (one engine for U*h and W*x + b); reads stream ``src``, drives ``o``."""
    assert s.fmt is not None
    if not (la.state.signed and la.accum.signed):
        raise _fail(la, "state and accumulator formats must be signed")
    kind = _kind(la)
    g, n, x = la.gates, la.units, s.elements
    pj = la.projector if isinstance(la, LSTM) else None
    po = la.recurrent_inputs if pj is not None else 0
    plan: RecurrentPlan = plan_recurrent(
        kind, g, n, x, ctx.reuse, ctx.mac_stages, ctx.lane_stages, projection=po
    )
    acc = la.accum
    # W*x + b rows, unit-major: row u*G + gate = Keras column gate*H + u; in parts
    # (GRU reset_after=0: z|r rows, then the h gate's), each padded to whole blocks
    tx = plan.x
    cols = np.full(tx.nb * tx.pr, -1)
    at = g0 = 0
    for part in plan.x_parts:  # a part holds the next part.rows // n gates
        gates = range(g0, g0 + part.rows // n)
        c = [gi * n + u for u in range(n) for gi in gates]
        cols[at : at + len(c)] = c
        at, g0 = at + part.nb * part.pr, gates.stop
    bx = _accum_bias(la.bias, acc)
    bx = np.zeros(g * n, np.int64) if bx is None else bx
    wx = np.where(cols[:, None] >= 0, la.kernel.codes.T[cols], 0)
    bx = np.where(cols >= 0, bx[cols], 0)
    # U*h rows: pass 1 unit-major over its gates; GRU reset_after=0 adds pass 2 (U_h)
    g1 = plan.pass_rows
    uk = la.recurrent_kernel.codes.T  # (G*H, H), projected: (G*H, Po)
    t = plan.h
    rows = np.zeros((t.nb * t.pr, t.k), np.int64)
    for u in range(n):
        for gi in range(g1):
            rows[u * g1 + gi] = uk[gi * n + u]
    t2 = plan.h2
    if t2 is not None:  # pass 2: U_h rows, lane group u // pu at slot u % pu of its block
        rows2 = np.zeros((t2.nb * t.pr, n), np.int64)
        for u in range(n):
            rows2[u if plan.split else (u // plan.pu) * t.pr + u % plan.pu] = uk[2 * n + u]
        rows = np.concatenate([rows, rows2])
        t = Tile(rows=(t.nb + t2.nb) * t.pr, k=n, pr=t.pr, pk=t.pk)
    bh = np.zeros(t.nb * t.pr, np.int64)
    if isinstance(la, GRU) and la.reset_after and la.recurrent_bias is not None:
        rb = _accum_bias(la.recurrent_bias, acc)
        assert rb is not None
        bh[: g1 * n] = [rb[gi * n + u] for u in range(n) for gi in range(g1)]
    h_fmt = pj.result if pj is not None else la.state  # what U multiplies: h or h'
    shh, bound_h, wwh = _mac_section(la, rows, la.recurrent_kernel.fmt, h_fmt, bh, acc)
    shx, bound_x, wwx = _mac_section(la, wx, la.kernel.fmt, s.fmt, bx, acc)
    ww = max(wwh, wwx)
    aw = _acc_width(max(bound_h, bound_x), acc)
    rom = mem.weight_rom(rows, t, ww) + mem.weight_rom(wx, tx, ww)
    biases = [bh, bx]  # the ROM's two sections
    params = {
        "KIND": CELLS[kind].code,
        "ACT": ACTIVATION_CODES[la.activation] if isinstance(la, SimpleRNN) else 0,
        "H": n,
        "X": x,
        "IN_W": s.fmt.width,
        "IN_S": int(s.fmt.signed),
        "RETSEQ": int(la.return_sequences),
        **({"STREAM": 1} if ctx.stream else {}),
        **_acc_params(acc),
        **mem.format_params("ST", la.state),
        **mem.format_params("GT", la.gate),
        **_cell_params(la),
        **_tables(ctx, tag, la.table, ("sigmoid", "tanh")),
        "PU": plan.pu,
        "PK": plan.pk,
        "NB1": plan.h.nb,
        "NB2": t2.nb if t2 is not None else 0,
        "SPLIT": int(plan.split),
        "NBX": tx.nb,
        "NBXA": plan.x_parts[0].nb,
        "KB": t.kb,
        "KBX": tx.kb,
        "WW": ww,
        "AW": aw,
        "SH": shh,
        "SHX": shx,
        "MP": ctx.mac_stages,
        "LS": ctx.lane_stages,
        "WFILE": ctx.add_mem(f"{tag}_w.mem", rom),
        "BFILE": ctx.add_mem(f"{tag}_b.mem", mem.vector_rom(np.concatenate(biases), aw)),
        **(_projector_params(ctx, tag, la, pj, plan) if pj is not None else {}),
    }
    ctx.wires(o, n * la.state.width)
    ctx.instance(
        "frnn_recurrent",
        f"u_{tag}",
        params,
        {
            "clk": "clk",
            "rst": "rst",
            "in_data": f"{src}_data",
            "in_valid": f"{src}_valid",
            "in_ready": f"{src}_ready",
            "in_last": f"{src}_last",
            "out_data": f"{o}_data",
            "out_valid": f"{o}_valid",
            "out_ready": f"{o}_ready",
            "out_last": f"{o}_last",
        },
    )
    ctx.layers.append({"name": la.name, **plan.to_json()})
    return Stream(n * la.state.width, la.state, n)


def _projector_params(
    ctx: Context, tag: str, la: Recurrent, pj: Dense, plan: RecurrentPlan
) -> dict:
    """frnn_recurrent's PO/PJ_/QA_/Q* parameters: the projected LSTM's h' format and the
    projector's engine (its own frnn_dense inside the core). The resource model sees
    that engine as the frnn_dense it is (an instance entry of its own)."""
    assert plan.proj is not None
    if not pj.result.signed:
        raise _fail(la, f"projected format {pj.result} must be signed")
    e = engine(
        ctx,
        la,
        f"{tag}_proj",
        pj.kernel.codes.T,
        pj.kernel.fmt,
        la.state,
        None,
        pj.accum,
        plan.proj,
    )
    ctx.record(
        "frnn_dense", f"u_{tag}.u_proj", {**e, "N": pj.kernel.shape[1], **_acc_params(pj.accum)}
    )
    q = {f"Q{k}": e[k] for k in ("PR", "PK", "NB", "KB", "WW", "AW", "SH")}
    acc = {f"QA_{k[3:]}": v for k, v in _acc_params(pj.accum).items()}
    res = mem.format_params("PJ", pj.result)
    return {
        "PO": pj.kernel.shape[1],
        **{k: res[k] for k in ("PJ_W", "PJ_F", "PJ_Q", "PJ_O")},
        **acc,
        **q,
        "QFILE": e["WFILE"],
    }


def emit_bidirectional(ctx: Context, i: int, la: Layer, s: Stream) -> Stream:
    assert isinstance(la, Bidirectional)
    f, b = la.forward, la.backward
    tag = f"l{i}"
    for d in ("fi", "bi"):
        ctx.wires(f"{tag}_{d}", s.width)
    fo = recurrent_core(ctx, f"{tag}f", f, f"{tag}_fi", s, f"{tag}_fo")
    bo = recurrent_core(ctx, f"{tag}b", b, f"{tag}_bi", s, f"{tag}_bo")
    assert fo.fmt is not None and bo.fmt is not None
    if la.merge == "concat":
        out = Stream(fo.width + bo.width, fo.fmt, fo.elements + bo.elements)
        if fo.fmt != bo.fmt:
            raise _fail(la, "concat needs the same state format in both directions")
        res = {"OW": fo.fmt.width, "OF": fo.fmt.frac, "OQ": 0, "OO": 0}
    else:
        assert la.result is not None
        r = mem.format_params("O", la.result)
        res = {"OW": r["O_W"], "OF": r["O_F"], "OQ": r["O_Q"], "OO": r["O_O"]}
        out = Stream(fo.elements * la.result.width, la.result, fo.elements)
    params = {
        "IN_W": s.width,
        "MAXT": ctx.max_timesteps,
        "RETSEQ": int(f.return_sequences),
        "MERGE": 0 if la.merge == "concat" else 1,
        "HF": f.units,
        "FW": f.state.width,
        "FF": f.state.frac,
        "HB": b.units,
        "BW": b.state.width,
        "BF": b.state.frac,
        **res,
    }
    o = f"s{i + 1}"
    ctx.wires(o, out.width)
    ports = {"clk": "clk", "rst": "rst"}
    for port, wire in (
        ("in", f"s{i}"),
        ("fwd", f"{tag}_fi"),
        ("bwd", f"{tag}_bi"),
        ("fo", f"{tag}_fo"),
        ("bo", f"{tag}_bo"),
        ("out", o),
    ):
        for sig in ("data", "valid", "ready", "last"):
            ports[f"{port}_{sig}"] = f"{wire}_{sig}"
    ctx.instance("frnn_bidir", f"u_{tag}", params, ports)
    # the backward direction cannot start before the whole sequence is in
    ctx.layers.append({"name": la.name, "kind": "bidirectional", "waits_for_sequence": True})
    return out


def _acc_params(acc: FixedFormat) -> dict:
    p = mem.format_params("AC", acc)
    return {k: p[k] for k in ("AC_W", "AC_F", "AC_Q", "AC_O")}


def _cell_params(la: Recurrent) -> dict:
    if not isinstance(la, LSTM):
        return {}
    if not la.cell.signed:
        raise _fail(la, f"cell format {la.cell} must be signed")
    p = mem.format_params("CL", la.cell)
    return {k: p[k] for k in ("CL_W", "CL_F", "CL_Q", "CL_O")}


def _activation_stage(
    ctx: Context,
    i: int,
    la: Layer,
    act: str,
    table: TableSpec | None,
    src: str,
    s: Stream,
    result: FixedFormat,
) -> Stream:
    assert s.fmt is not None
    out = mem.format_params("O", result)
    params = {
        "N": s.elements,
        "IW": s.fmt.width,
        "IF": s.fmt.frac,
        "IS": int(s.fmt.signed),
        "OW": out["O_W"],
        "OF": out["O_F"],
        "OS": out["O_S"],
        "OQ": out["O_Q"],
        "OO": out["O_O"],
    }
    o = f"s{i + 1}"
    ctx.wires(o, s.elements * result.width)
    if act == "softmax":
        assert table is not None
        tp = _tables(ctx, f"l{i}", table, ("exp",))
        del tp["TB_F"]
        ctx.instance(
            "frnn_softmax", f"u_l{i}_act", params | ctx.sideband | tp, stream_ports(src, o)
        )
    else:
        params["ACT"] = ACTIVATION_CODES[act]
        if act in ("sigmoid", "tanh"):
            assert table is not None
            params |= _tables(ctx, f"l{i}", table, ())
            params["MEMFILE"] = ctx.add_mem(f"l{i}_{act}.mem", mem.table_rom(act, table))
        ctx.instance("frnn_act", f"u_l{i}_act", params | ctx.sideband, stream_ports(src, o))
    return Stream(s.elements * result.width, result, s.elements)


def emit_dense(ctx: Context, i: int, la: Layer, s: Stream) -> Stream:
    assert isinstance(la, Dense)
    return _dense_stage(ctx, i, la, la.kernel, f"s{i}", s, {"kind": "dense"})


def _dense_stage(
    ctx: Context, i: int, la: Dense | Conv1D, kernel: QArray, src: str, s: Stream, record: dict
) -> Stream:
    """frnn_dense (W·x + b per beat of ``src``) then the activation stage into ``s<i+1>``."""
    assert s.fmt is not None
    n, k = kernel.shape[1], s.elements
    reuse = ctx.layer_reuse[i] if ctx.layer_reuse else ctx.reuse
    t = tile(n, k, reuse)
    w = kernel.codes.T
    p = engine(ctx, la, f"l{i}", w, kernel.fmt, s.fmt, _accum_bias(la.bias, la.accum), la.accum, t)
    a = f"l{i}_acc"
    ctx.wires(a, n * la.accum.width)
    ctx.instance(
        "frnn_dense",
        f"u_l{i}",
        {**p, "N": n, **ctx.sideband, **_acc_params(la.accum)},
        stream_ports(src, a),
    )
    ctx.layers.append(
        {
            "name": la.name,
            **record,
            "reuse": reuse,
            "tile": t.to_json(),
            "multipliers": t.multipliers,
            "mac_stages": ctx.mac_stages,
            "activation": la.activation,
            "lower_bound_cycles": -(-n * k // t.multipliers),
        }
    )
    acc_stream = Stream(n * la.accum.width, la.accum, n)
    return _activation_stage(ctx, i, la, la.activation, la.table, a, acc_stream, la.result)


def _window_stage(ctx: Context, i: int, la: Conv1D | Pooling1D, s: Stream) -> tuple[str, Stream]:
    """frnn_window over ``s<i>``: returns the window stream (taps·X elements)."""
    assert s.fmt is not None  # (streaming designs refuse window layers: check_streamable)
    w = la.window
    params = {
        "X": s.elements,
        "EW": s.fmt.width,
        "K": w.taps,
        "D": w.dilation,
        "S": w.strides,
        "PADL": w.pad_left,
        "PADR": w.pad_right,
    }
    o = f"l{i}_win"
    ctx.wires(o, w.taps * s.width)
    ctx.instance("frnn_window", f"u_l{i}_win", params, stream_ports(f"s{i}", o))
    return o, Stream(w.taps * s.width, s.fmt, w.taps * s.elements)


def emit_conv1d(ctx: Context, i: int, la: Layer, s: Stream) -> Stream:
    assert isinstance(la, Conv1D)
    src, ws = _window_stage(ctx, i, la, s)
    record = {"kind": "conv1d", "window": asdict(la.window)}
    return _dense_stage(ctx, i, la, la.flat_kernel, src, ws, record)


def emit_pooling1d(ctx: Context, i: int, la: Layer, s: Stream) -> Stream:
    assert isinstance(la, Pooling1D) and s.fmt is not None
    src, _ = _window_stage(ctx, i, la, s)
    avg = la.op == "average"
    lg = log2(la.pool) if avg else 0
    ow = s.fmt.width + lg
    o = f"s{i + 1}" if not avg else f"l{i}_sum"
    ctx.wires(o, s.elements * ow)
    params = {
        "X": s.elements,
        "K": la.pool,
        "IW": s.fmt.width,
        "IS": int(s.fmt.signed),
        "OP": int(avg),
        "OW": ow,
    }
    ctx.instance("frnn_pool", f"u_l{i}", params, stream_ports(src, o))
    ctx.layers.append(
        {"name": la.name, "kind": "pooling1d", "op": la.op, "window": asdict(la.window)}
    )
    out = Stream(s.elements * ow, s.fmt, s.elements)
    if not avg:
        return out
    assert la.result is not None
    total = FixedFormat(ow, ow - s.fmt.frac - lg, s.fmt.signed)
    return _activation_stage(
        ctx, i, la, "linear", None, o, Stream(out.width, total, s.elements), la.result
    )


def emit_activation(ctx: Context, i: int, la: Layer, s: Stream) -> Stream:
    assert isinstance(la, Activation)
    ctx.layers.append({"name": la.name, "kind": "activation", "activation": la.activation})
    return _activation_stage(ctx, i, la, la.activation, la.table, f"s{i}", s, la.result)


def emit_embedding(ctx: Context, i: int, la: Layer, s: Stream) -> Stream:
    assert isinstance(la, Embedding)
    v, e = la.table.shape
    fmt = la.table.fmt
    rows = [mem.pack(la.table.codes[r], fmt.width) for r in range(v)]
    params = {
        "V": v,
        "E": e,
        "EW": fmt.width,
        "TW": s.width,
        **ctx.sideband,
        "MEMFILE": ctx.add_mem(f"l{i}_embedding.mem", mem.hex_words(rows, e * fmt.width)),
    }
    o = f"s{i + 1}"
    ctx.wires(o, e * fmt.width)
    ctx.instance("frnn_embedding", f"u_l{i}", params, stream_ports(f"s{i}", o))
    ctx.layers.append({"name": la.name, "kind": "embedding", "vocabulary": v, "dim": e})
    return Stream(e * fmt.width, fmt, e)


Emitter = Callable[[Context, int, Layer, Stream], Stream]
EMITTERS: dict[str, Emitter] = {
    "simple_rnn": emit_recurrent,
    "lstm": emit_recurrent,
    "gru": emit_recurrent,
    "bidirectional": emit_bidirectional,
    "dense": emit_dense,
    "activation": emit_activation,
    "embedding": emit_embedding,
    "conv1d": emit_conv1d,
    "pooling1d": emit_pooling1d,
}

# sigmoid/tanh/exp ranges are powers of two: the table core takes log2
assert all(r & (r - 1) == 0 for r in TABLE_RANGES.values())
