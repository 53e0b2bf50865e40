"""Resource model: LUT, FF and block RAM of each RTL core instance, predicted from
its parameters, and the same figures measured in a hierarchical yosys netlist.

Each core module has a few structural features (register bits, adder-tree bits,
ROM size, lane counts; ``FEATURES``), and a family's coefficients map them to
resources: ``resource = sum(coef[f] * feature[f])``. A weight ROM's size comes
from its contents (``rom_cols``: the emitter counts its distinct bit columns), since
synthesis shares the sign copies of small weights. The coefficients are fitted
by ``benchmarks/calibrate_resources.py`` against yosys on a grid of designs and
stored in ``resource_model.json`` with the errors measured there. DSP blocks are
not in the model: they are exact (one per multiplier, ``rtl.json``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from fpga_rnn.errors import ToolError
from fpga_rnn.ir.kinds import ACTIVATION_CODES, CELL_BY_CODE
from fpga_rnn.window import Window

RESOURCES = ("lut", "ff", "bram")
MODEL_FILE = Path(__file__).parent / "resource_model.json"

Params = dict[str, int]
Features = dict[str, float]


def _rom(p: Params, depth: int, width: int) -> float:
    """A weight ROM's LUTs: one per distinct non-constant bit column (rom_cols,
    from its contents; the word width where unknown) per 64 words."""
    return p.get("rom_cols", width) * -(-depth // 64) if depth > 1 else 0.0


def _recurrent(p: Params) -> Features:
    kind, h, x, pu, pk = p["KIND"], p["H"], p["X"], p["PU"], p["PK"]
    cell = CELL_BY_CODE[kind]
    g, g1 = cell.gates, cell.first_pass_gates
    pr, aw, acw, stw = g1 * pu, p["AW"], p["AC_W"], p["ST_W"]
    nbh = p["NB1"] + p["NB2"]
    depth = nbh * p["KB"] + p["NBX"] * p["KBX"]
    xw = p.get("CL_W", 1) if kind == 1 else p["GT_W"] if kind >= 2 else 1
    vw = max(stw, p["IN_W"] + 1 - p["IN_S"])
    tanh = ACTIVATION_CODES["tanh"]  # a SimpleRNN lane has a table only for tanh
    tables = {0: 1, 1: 5, 2: 3, 3: 3}[kind] * (kind != 0 or p.get("ACT", tanh) == tanh)
    lane = {0: "lanes_rnn", 1: "lanes_lstm"}.get(kind, "lanes_gru")
    rom = _rom(p, depth, pr * pk * p["WW"])
    return {
        "one": 1.0,
        # registers: state banks, c/z, this and the next step's W*x + b, x, and a
        # split second pass's latched lane group
        "state_bits": h * stw * (3 + (kind == 3))
        + h * xw
        + g * h * acw
        + p["NBX"] * pr * acw
        + x * p["IN_W"]
        + p.get("SPLIT", 0) * pu * aw
        # a projected LSTM's h' register (its projector is counted as the frnn_dense it is)
        + p.get("PO", 0) * p.get("PJ_W", 0),
        "mac_bits": pr * pk * aw,  # accumulators and adder trees
        # ROMs over 64 words take LUT6 muxes too: their own coefficient (calibrated
        # on the 64-unit layers)
        "rom_bits": rom * (depth <= 64),
        "rom_deep_bits": rom * (depth > 64),
        "wq_bits": pr * pk * p["WW"] * (depth > 1),
        "vec_mux_bits": pk * vw * (max(p["KB"], p["KBX"]) - 1),  # KB:1 select per element
        lane: pu * (g1 * acw + stw + xw),  # one cell lane's datapath, by kind
        "lane_table_bits": pu * tables * (1 << p["LOGN"]) * p["TB_W"] / 64,
        "lane_mux_bits": pu * (g * acw + stw + xw) * max(nbh - 1, 0),
    }


def _dense(p: Params) -> Features:
    pr, pk, aw, depth = p["PR"], p["PK"], p["AW"], p["NB"] * p["KB"]
    # no fixed cost: a fitted one overstates the smallest heads
    return {
        "state_bits": p["N"] * p["AC_W"] * 2 + p["K"] * p["VW"],
        "mac_bits": pr * pk * aw,
        "in_mux_bits": min(pk, p["K"]) * p["VW"],  # first input block: input or register
        "bias_bits": pr * aw * (p["NB"] > 1),  # a row's bias, selected by row block
        "rom_bits": _rom(p, depth, pr * pk * p["WW"]),
        "wq_bits": pr * pk * p["WW"] * (depth > 1),
        "vec_mux_bits": pk * p["VW"] * (p["KB"] - 1),  # KB:1 select per element
    }


def _act(p: Params) -> Features:
    return {"one": 1.0, "width_bits": p["N"] * max(p["IW"], p["OW"])}


def _softmax(p: Params) -> Features:
    n = p["N"]
    # one divider per element: numerator/quotient and remainder registers (frnn_softmax)
    sum_w = p["TB_W"] + n.bit_length()  # clog2(N + 1)
    return {
        "one": 1.0,
        "in_bits": n * p["IW"],
        "out_bits": n * p["OW"],
        "div_bits": n * (2 * sum_w + max(p["OF"], 0)),
        "table_bits": (1 << p["LOGN"]) * p["TB_W"] / 64,
    }


def _bidir(p: Params) -> Features:
    out = p["HF"] * p["FW"] + p["HB"] * p["BW"]
    buf = p["MAXT"] * (p["IN_W"] + (p["HB"] * p["BW"] if p["RETSEQ"] else 0))
    return {"one": 1.0, "width_bits": out + p["IN_W"], "mem_bits": buf / 64}


def _seqrev(p: Params) -> Features:
    return {"one": 1.0, "width_bits": p["W"], "mem_bits": p["MAXT"] * p["W"] / 64}


def _embedding(p: Params) -> Features:
    rows, width = p["V"], p["E"] * p["EW"]
    return {"one": 1.0, "width_bits": width, "mem_bits": rows * width / 64}


def _window(p: Params) -> Features:
    step = p["X"] * p["EW"]
    span = Window(p["K"], dilation=p["D"]).span
    # the history shift register, and the pending window and output registers
    return {"one": 1.0, "hist_bits": (span - 1) * step, "win_bits": p["K"] * step}


def _pool(p: Params) -> Features:
    # K-1 adders or comparators per element, and the output register
    out = p["X"] * p["OW"]
    return {"one": 1.0, "reduce_bits": (p["K"] - 1) * out, "out_bits": out}


FEATURES: dict[str, Callable[[Params], Features]] = {
    "frnn_recurrent": _recurrent,
    "frnn_dense": _dense,
    "frnn_act": _act,
    "frnn_softmax": _softmax,
    "frnn_embedding": _embedding,
    "frnn_bidir": _bidir,
    "frnn_seqrev": _seqrev,
    "frnn_window": _window,
    "frnn_pool": _pool,
}


@cache
def coefficients() -> dict[str, Any]:
    """The fitted model: family -> module -> resource -> {feature: coefficient}."""
    if not MODEL_FILE.is_file():  # an empty model would silently predict zero LUTs
        raise ToolError(f"resource model {MODEL_FILE} is missing; reinstall fpga-rnn")
    return json.loads(MODEL_FILE.read_text())


def linear(coef: dict[str, float], features: Features) -> float:
    """``sum(coef[f] * features[f])``: one resource of one core."""
    return sum(c * features.get(k, 0.0) for k, c in coef.items())


def predict_instance(family: str, module: str, params: Params) -> dict[str, float] | None:
    """Predicted LUT/FF/BRAM of one core instance, or None without coefficients."""
    coef = coefficients().get("families", {}).get(family, {}).get(module)
    if coef is None or module not in FEATURES:
        return None
    f = FEATURES[module](params)
    return {r: max(0.0, linear(coef[r], f)) for r in RESOURCES}


def predict(family: str, instances: list[dict]) -> dict[str, Any] | None:
    """Per-instance and total predictions for an RTL design's ``instances``
    (rtl.json); None when the family has no fitted model."""
    per: dict[str, dict[str, float]] = {}
    for inst in instances:
        pr = predict_instance(family, inst["module"], inst["params"])
        if pr is None:
            return None
        per[inst["name"]] = pr
    total = {r: round(sum(v[r] for v in per.values())) for r in RESOURCES}
    return {
        "instances": {k: {r: round(v[r]) for r in RESOURCES} for k, v in per.items()},
        "total": total,
    }


# ---- measured: inclusive resources of each top-level instance in a hierarchical
# yosys netlist -------------------------------------------------------------------


def inclusive(stat: dict[str, Any], classify: Callable[[dict[str, int]], dict[str, float]]):
    """module name -> resources of the module and everything below it."""
    mods = stat.get("modules", {})
    memo: dict[str, dict[str, float]] = {}

    def walk(name: str) -> dict[str, float]:
        if name in memo:
            return memo[name]
        cells = mods[name].get("num_cells_by_type") or {}
        own = classify({k.lstrip("\\"): int(v) for k, v in cells.items() if k not in mods})
        for sub, n in cells.items():
            if sub in mods:
                for r, v in walk(sub).items():
                    own[r] = own.get(r, 0) + int(n) * v
        memo[name] = own
        return own

    for m in mods:
        walk(m)
    return memo


def measured_instances(
    stat: dict[str, Any],
    top_json: dict[str, Any],
    top: str,
    classify: Callable[[dict[str, int]], dict[str, float]],
) -> dict[str, dict[str, float]]:
    """Instance name -> inclusive resources, for the cells of ``top`` that are
    modules (``top_json``: yosys ``write_json`` of the top module)."""
    inc = inclusive(stat, classify)
    mods = top_json.get("modules", {})
    mod = mods.get(top) or mods.get(top.lstrip("\\")) or {}
    out = {}
    for name, cell in (mod.get("cells") or {}).items():
        t = cell.get("type", "")
        key = t if t in inc else "\\" + t
        if key in inc:
            out[name.lstrip("\\")] = inc[key]
    return out


def relative_error(pred: float, real: float) -> float | None:
    """(pred - real) / real, rounded; None where real is 0."""
    return None if not real else round((pred - real) / real, 4)


def errors(pred: dict[str, float], real: dict[str, float]) -> dict[str, float | None]:
    """Relative error per resource (LUT/FF/BRAM)."""
    return {r: relative_error(pred[r], real.get(r, 0)) for r in RESOURCES}


def worst(errs: list[dict[str, float | None]], resource: str) -> float | None:
    vals = [abs(e[resource]) for e in errs if e.get(resource) is not None]
    return max(vals) if vals else None
