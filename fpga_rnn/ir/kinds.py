"""The one table of what each recurrent cell is, and every numeric code the backends share.

Per cell kind: its gates, the rows per unit of its first ``U·h`` pass, the code the
hardware and the C runtime know it by, and the RTL lane figures the plan counts.
Activation, rounding, overflow and table-range codes live here too. The C runtime and
the HLS kernels do not restate them: each generated design gets a ``frnn_codes.h``
rendered from this module (:func:`c_header`, :func:`hls_header`), and the RTL generator
passes the codes to the cores as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpga_rnn.fixed import Overflow, Rounding


@dataclass(frozen=True)
class CellKind:
    name: str
    code: int  # KIND parameter of frnn_recurrent.v, enum frnn_cell (C), frnn::cell_kind (HLS)
    gates: int  # gate blocks of the kernels (Keras column order)
    first_pass_gates: int  # rows per unit of the first U·h pass
    lane_latency: int  # RTL lane: cycles from "row block done" to "result available"
    chain: int  # RTL cycles per step after the last MAC (state write included)
    lane_multipliers: int  # multipliers in one RTL cell lane (outside the MAC engines)
    # extra lane cycles at lane_stages 1, 2, ... (registers for the clock, docs/latency.md)
    lane_stage_latency: tuple[int, ...] = ()

    def lane_cycles(self, lane_stages: int) -> int:
        """The lane latency with ``lane_stages`` (0..MAX_LANE_STAGES) pipeline depth."""
        return self.lane_latency + (self.lane_stage_latency[lane_stages - 1] if lane_stages else 0)


# gru: reset_after=True (Keras's default); gru_rb: reset_after=False, two dependent
# U·h passes (z|r with h, then U_h with r·h)
CELLS: dict[str, CellKind] = {
    c.name: c
    for c in (
        CellKind("simple_rnn", 0, 1, 1, 1, 2, 0, (3, 4, 5)),
        CellKind("lstm", 1, 4, 4, 3, 4, 3, (6, 12, 14)),
        CellKind("gru", 2, 3, 3, 2, 3, 3, (7, 14, 16)),
        CellKind("gru_rb", 3, 3, 2, 1, 4, 4, (4, 8, 9)),
    )
}
CELL_BY_CODE = {c.code: c for c in CELLS.values()}

# activations, by code (the position): Dense/Activation heads and SimpleRNN cells
ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax")
ACTIVATION_CODES = {a: i for i, a in enumerate(ACTIVATIONS)}
ROUNDING_CODES = {r: i for i, r in enumerate(Rounding)}
OVERFLOW_CODES = {o: i for i, o in enumerate(Overflow)}
# table input ranges: sigmoid and tanh over [-R, R), softmax's exp over (-R, 0]
TABLE_RANGES = {"sigmoid": 8, "tanh": 4, "exp": 8}


def cell_kind(kind: str, reset_after: bool = True) -> CellKind:
    """The cell of a recurrent layer kind (``gru`` splits by ``reset_after``)."""
    return CELLS["gru_rb" if kind == "gru" and not reset_after else kind]


def log2(n: int) -> int:
    """log2 of a power of two (table sizes and ranges)."""
    return int(n).bit_length() - 1


def c_header() -> str:
    """``frnn_codes.h`` of the embedded C runtime."""
    enums = [
        ("frnn_rounding", [(f"FRNN_{r.name}", i) for r, i in ROUNDING_CODES.items()]),
        ("frnn_overflow", [(f"FRNN_{o.name}", i) for o, i in OVERFLOW_CODES.items()]),
        ("frnn_act", [(f"FRNN_{a.upper()}", i) for a, i in ACTIVATION_CODES.items()]),
        ("frnn_cell", [(f"FRNN_{c.name.upper()}", c.code) for c in CELLS.values()]),
    ]
    body = "\n".join(
        f"enum {name} {{ {', '.join(f'{k} = {v}' for k, v in items)} }};" for name, items in enums
    )
    gates = "\n".join(f"#define FRNN_GATES_{c.name.upper()} {c.gates}" for c in CELLS.values())
    ranges = "\n".join(
        f"#define FRNN_LOG2R2_{k.upper()} {log2(2 * r)} /* table over [-{r}, {r}) */"
        for k, r in TABLE_RANGES.items()
        if k != "exp"
    )
    return _wrap(
        "FRNN_CODES_H_",
        f"{body}\n{gates}\n{ranges}\n#define FRNN_LOG2R_EXP {log2(TABLE_RANGES['exp'])}",
    )


def hls_header() -> str:
    """``frnn_codes.h`` of the HLS kernels (namespace ``frnn``)."""
    acts = ", ".join(f"act_{a} = {i}" for a, i in ACTIVATION_CODES.items())
    cells = ", ".join(f"cell_{c.name} = {c.code}" for c in CELLS.values())
    tables = ", ".join(f"table_{k} = {log2(2 * TABLE_RANGES[k])}" for k in ("sigmoid", "tanh"))
    body = (
        "namespace frnn {\n"
        f"enum activation_kind {{ {acts} }};\n"
        f"enum cell_kind {{ {cells} }};\n"
        f"enum table_kind {{ {tables} }}; // values are log2(2R)\n"
        f"static const int exp_log2_r = {log2(TABLE_RANGES['exp'])}; // softmax's exp table\n"
        "} // namespace frnn"
    )
    return _wrap("FRNN_CODES_H_", body)


def verilog_header() -> str:
    """``frnn_codes.vh``: the same codes as Verilog macros, included by the cores."""
    lines = [f"`define FRNN_KIND_{c.name.upper()} {c.code}" for c in CELLS.values()]
    for c in CELLS.values():
        n = c.name.upper()
        lines += [
            f"`define FRNN_GATES_{n} {c.gates}",
            f"`define FRNN_FIRST_PASS_GATES_{n} {c.first_pass_gates}",
            # the lane latency at lane_stages ls, as a macro with an argument
            f"`define FRNN_LANE_CYCLES_{n}(ls) "
            + "".join(
                f"((ls) == {k} ? {c.lane_cycles(k)} : "
                for k in range(len(c.lane_stage_latency), 0, -1)
            )
            + f"{c.lane_latency}"
            + ")" * len(c.lane_stage_latency),
        ]
    lines += [f"`define FRNN_ACT_{a.upper()} {i}" for a, i in ACTIVATION_CODES.items()]
    lines += [f"`define FRNN_RND_{r.name} {i}" for r, i in ROUNDING_CODES.items()]
    lines += [f"`define FRNN_OVF_{o.name} {i}" for o, i in OVERFLOW_CODES.items()]
    lines += [f"`define FRNN_LOG2R_{k.upper()} {log2(r)}" for k, r in TABLE_RANGES.items()]
    body = "\n".join(lines)
    return (
        "// Generated by fpga-rnn from fpga_rnn/ir/kinds.py: the codes every backend shares.\n"
        "// Do not edit (tests/test_kinds.py checks it is current).\n"
        f"`ifndef FRNN_CODES_VH_\n`define FRNN_CODES_VH_\n{body}\n`endif\n"
    )


def _wrap(guard: str, body: str) -> str:
    return (
        "/* Generated by fpga-rnn from fpga_rnn/ir/kinds.py: the codes every backend shares."
        " Do not edit. */\n"
        f"#ifndef {guard}\n#define {guard}\n\n{body}\n\n#endif\n"
    )
