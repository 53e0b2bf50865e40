"""Generate the RTL for an IR model: cores, a thin top module, ROM images, rtl.json."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fpga_rnn.backends.rtl.emit import EMITTERS, Context, Stream
from fpga_rnn.backends.rtl.plan import window_reuse
from fpga_rnn.errors import UnsupportedError
from fpga_rnn.escape import verilog_comment
from fpga_rnn.golden.stream import check_streamable
from fpga_rnn.ir.kinds import CELLS
from fpga_rnn.ir.layers import Bidirectional, Recurrent
from fpga_rnn.ir.model import Model
from fpga_rnn.limits import MAX_REUSE, MAX_TIMESTEPS, check_int
from fpga_rnn.outputs import atomic_dir

TOP = "frnn_top"
DEFAULT_REUSE = 8
DEFAULT_MAC_STAGES = 0  # MAC engine pipeline registers (0..MAX_MAC_STAGES)
MAX_MAC_STAGES = 6
DEFAULT_LANE_STAGES = 0  # cell lane pipeline depth (0..MAX_LANE_STAGES)
MAX_LANE_STAGES = len(CELLS["lstm"].lane_stage_latency)
DEFAULT_MAX_TIMESTEPS = 64
RTL_SCHEMA = 1


@dataclass(frozen=True)
class Design:
    """A generated design in memory: Verilog text, ROM images and the plan."""

    top: str
    mems: dict[str, str]
    info: dict

    @property
    def in_width(self) -> int:
        return int(self.info["s_axis_tdata_width"])

    @property
    def out_width(self) -> int:
        return int(self.info["m_axis_tdata_width"])

    @property
    def cycles_per_step(self) -> int:
        """The plan's cycles per time step, every layer's summed."""
        return sum(int(la.get("cycles_per_step", 0)) for la in self.info["layers"])


def verilog_dir() -> Path:
    """The folder of the Verilog cores (``verilog/`` beside this module, in the wheel too)."""
    return Path(str(resources.files("fpga_rnn.backends.rtl") / "verilog"))


def core_files() -> list[Path]:
    """The Verilog cores shipped with the package (one module per file)."""
    return sorted(p for p in verilog_dir().iterdir() if p.name.endswith(".v"))


def include_dir() -> Path:
    """The folder of ``frnn_codes.vh`` (the codes of fpga_rnn.ir.kinds), which the cores
    include: pass it as an include directory to Verilator and yosys."""
    return verilog_dir()


INCLUDES = ("frnn_codes.vh",)


def harness_file() -> Path:
    return verilog_dir() / "tb" / "frnn_tb.v"


def shell_file() -> Path:
    """The pin-limited shell that place-and-route wraps around a design."""
    return verilog_dir() / "shell" / "frnn_shell.v"


def _input_stream(model: Model) -> Stream:
    spec = model.input
    if spec.tokens:
        vocab = model.layers[0].table.shape[0]  # type: ignore[attr-defined]
        return Stream(max(1, (vocab - 1).bit_length()), None, 1)
    assert spec.fmt is not None
    return Stream(spec.features * spec.fmt.width, spec.fmt, spec.features)


def design(
    model: Model,
    reuse: int = DEFAULT_REUSE,
    max_timesteps: int | None = None,
    mac_stages: int = DEFAULT_MAC_STAGES,
    lane_stages: int = DEFAULT_LANE_STAGES,
    *,
    stream: bool = False,
) -> Design:
    """Build the design for ``model`` with reuse factor ``reuse`` (cycles per MAC pass).

    ``max_timesteps`` sizes the sequence buffers of Bidirectional / go_backwards
    layers (default: the model's fixed length, else 64). ``mac_stages`` (0..6) are
    the MAC engines' pipeline registers: products, multiplier inputs, the pass
    request, the adder tree's sum, the vector and weight address, the weights after
    their ROM (each depth adds the next);
    ``lane_stages`` (0..3) the cell lanes' (docs/latency.md). ``stream``: a stateful
    streaming design (docs/streaming.md): the state carries on across tlast, which
    only closes an output chunk; ``s_axis_tuser`` clears it before a beat; every step
    gives an output beat.
    """
    if stream:
        check_streamable(model)
    check_int(reuse, "reuse", 1, MAX_REUSE)
    check_int(mac_stages, "mac_stages", 0, MAX_MAC_STAGES)
    check_int(lane_stages, "lane_stages", 0, MAX_LANE_STAGES)
    if max_timesteps is not None:
        check_int(max_timesteps, "max_timesteps", 1, MAX_TIMESTEPS)
    maxt = max_timesteps or model.input.timesteps or DEFAULT_MAX_TIMESTEPS
    ctx = Context(
        reuse=reuse,
        max_timesteps=maxt,
        mac_stages=mac_stages,
        lane_stages=lane_stages,
        stream=stream,
        layer_reuse=window_reuse(model.layers, reuse, maxt),
    )
    s = _input_stream(model)
    s_in = s
    for i, la in enumerate(model.layers):
        emit = EMITTERS.get(la.kind)
        if emit is None:
            raise UnsupportedError(
                f"RTL: layer {la.name!r} ({la.kind}) has no RTL core yet; "
                f"supported: {', '.join(sorted(EMITTERS))}"
            )
        s = emit(ctx, i, la, s)
    n = len(model.layers)
    body = "".join(ctx.body)
    out_user_port = ",\n    output wire m_axis_tuser" if stream else ""
    out_user = f"  assign m_axis_tuser = s{n}_last[1];\n" if stream else ""
    top = f"""// Generated by fpga-rnn from model {verilog_comment(model.name)}; do not edit.
{_top_comment(stream)}`default_nettype none

module {TOP} (
    input  wire clk,
    input  wire rst,
    input  wire [{s_in.width - 1}:0] s_axis_tdata,
    input  wire s_axis_tvalid,
    output wire s_axis_tready,
    input  wire s_axis_tlast,
{_tuser_port(stream)}    output wire [{s.width - 1}:0] m_axis_tdata,
    output wire m_axis_tvalid,
    input  wire m_axis_tready,
    output wire m_axis_tlast{out_user_port}
);
  wire [{s_in.width - 1}:0] s0_data;
  wire s0_valid, s0_ready;
  wire [{ctx.last_width - 1}:0] s0_last;
  assign s0_data = s_axis_tdata;
  assign s0_valid = s_axis_tvalid;
  assign s_axis_tready = s0_ready;
  assign s0_last = {"{s_axis_tuser, s_axis_tlast}" if stream else "s_axis_tlast"};

{body}
  assign m_axis_tdata = s{n}_data;
  assign m_axis_tvalid = s{n}_valid;
  assign s{n}_ready = m_axis_tready;
  assign m_axis_tlast = s{n}_last[0];
{out_user}endmodule

`default_nettype wire
"""
    mults = sum(int(la.get("multipliers", 0)) for la in ctx.layers)
    info = {
        "schema_version": RTL_SCHEMA,
        "model": model.name,
        "top": TOP,
        "reuse": reuse,
        "mac_stages": mac_stages,
        "lane_stages": lane_stages,
        "stream": stream,
        "max_timesteps": maxt,
        "sequence_output": len(model.output_shape) == 2,
        "buffers_sequences": any(
            isinstance(la, Bidirectional) or (isinstance(la, Recurrent) and la.go_backwards)
            for la in model.layers
        ),
        "reset": "synchronous, active high (rst)",
        "s_axis_tdata_width": s_in.width,
        "input_element_width": s_in.fmt.width if s_in.fmt else s_in.width,
        "input_elements": s_in.elements,
        "m_axis_tdata_width": s.width,
        "output_format": str(s.fmt) if s.fmt else None,
        "output_elements": s.elements,
        "multipliers": mults,
        "layers": ctx.layers,
        "instances": ctx.instances,
    }
    return Design(top=top, mems=ctx.mems, info=info)


def _tuser_port(stream: bool) -> str:
    if stream:
        return "    input  wire s_axis_tuser,\n"
    # a sequence design has the port for a uniform interface, and reads nothing from it
    return (
        "    /* verilator lint_off UNUSEDSIGNAL */\n"
        "    input  wire s_axis_tuser,\n"
        "    /* verilator lint_on UNUSEDSIGNAL */\n"
    )


def _top_comment(stream: bool) -> str:
    common = (
        "// AXI-Stream in: one beat per time step, element i in bits [i*W +: W].\n"
        "// Reset: synchronous, active high.\n"
    )
    if stream:
        return common + (
            "// Stateful streaming: the recurrent state carries on from beat to beat;\n"
            "// s_axis_tuser high on a beat clears it before that beat (so does reset).\n"
            "// Every input beat gives one output beat; s_axis_tlast only closes an\n"
            "// output chunk: m_axis_tlast is set on the output of the tlast beat, and\n"
            "// m_axis_tuser on the output of a beat that had s_axis_tuser.\n"
        )
    return common + (
        "// tlast on a sequence's last step; the state starts from zero for each sequence\n"
        "// (s_axis_tuser is unused: streaming designs only). AXI-Stream out: one beat\n"
        "// per output vector (per step for sequence outputs), tlast on a sequence's last.\n"
    )


def design_for_multipliers(
    model: Model,
    multipliers: int,
    max_timesteps: int | None = None,
    mac_stages: int = DEFAULT_MAC_STAGES,
    lane_stages: int = DEFAULT_LANE_STAGES,
) -> Design:
    """The fastest design (smallest reuse) using at most ``multipliers`` multipliers."""
    check_int(multipliers, "multipliers", 1)
    lo, hi = 1, 1
    while (
        design(model, hi, max_timesteps, mac_stages, lane_stages).info["multipliers"] > multipliers
    ):
        if hi >= MAX_REUSE:
            raise UnsupportedError(f"no design fits in {multipliers} multipliers")
        lo, hi = hi, hi * 2
    while lo < hi:
        mid = (lo + hi) // 2
        if (
            design(model, mid, max_timesteps, mac_stages, lane_stages).info["multipliers"]
            <= multipliers
        ):
            hi = mid
        else:
            lo = mid + 1
    return design(model, hi, max_timesteps, mac_stages, lane_stages)


def digest(d: Design) -> str:
    """Hash of everything that determines the simulation binary's behaviour."""
    h = hashlib.sha256(d.top.encode())
    for name in sorted(d.mems):
        h.update(name.encode() + d.mems[name].encode())
    for f in [*core_files(), harness_file(), *(include_dir() / n for n in INCLUDES)]:
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def write(d: Design, out: Path, *, force: bool = False) -> Path:
    """Write the design directory atomically: *.v, mem/*.mem, filelist.f, rtl.json."""
    out = Path(out)
    with atomic_dir(out, force=force) as tmp:
        names = []
        for f in core_files():
            shutil.copy(f, tmp / f.name)
            names.append(f.name)
        for n in INCLUDES:  # included by the cores, not compiled on its own
            shutil.copy(include_dir() / n, tmp / n)
        (tmp / f"{TOP}.v").write_text(d.top)
        names.append(f"{TOP}.v")
        (tmp / "mem").mkdir()
        for name, text in d.mems.items():
            (tmp / "mem" / name).write_text(text)
        (tmp / "filelist.f").write_text("".join(f"{n}\n" for n in names))
        info = d.info | {"files": names, "digest": digest(d)}
        (tmp / "rtl.json").write_text(json.dumps(info, indent=2) + "\n")
    return out
