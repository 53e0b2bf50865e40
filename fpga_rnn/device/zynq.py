"""The Zynq / PYNQ deployment package (``fpga-rnn package``): the design in its AXI
wrapper, Vivado scripts that package it as an IP, build the block design (processing
system, AXI DMA, the IP) and the bitstream, and a PYNQ driver.

What runs here and what needs Vivado is said in the package's README: the wrapper
and the driver's word format are verified in Verilator (``rtl_tests/test_axi.py``);
IP packaging, the block design and the bitstream are Vivado's and are not run here.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

from fpga_rnn.backends import backend
from fpga_rnn.boards import Board, load_board
from fpga_rnn.device import axi_words, hls_axi
from fpga_rnn.device.axi import (
    AXI_HEADER,
    AXI_TOP,
    axi_dir,
    axi_parameters,
    axi_sources,
    word_format,
)
from fpga_rnn.errors import InputError
from fpga_rnn.escape import check_token
from fpga_rnn.ir import Model
from fpga_rnn.outputs import atomic_dir, write_json

ROUTES = ("rtl", "hls")
IP_VLNV = "fpga-rnn.org:user:frnn_axi:1.0"
# the shipped copies of the package's own fixed-point code (the driver's float side)
SHARED_MODULES = ("fixed.py", "errors.py", "window.py")


@dataclass(frozen=True)
class ProcessingSystem:
    """A Zynq family's processing system in a Vivado block design."""

    vlnv: str
    master: str  # its AXI master port for the registers
    slave: str  # its high-performance port for the DMA
    enable_slave: str  # the CONFIG property that enables ``slave``
    clock: str  # the CONFIG property of the fabric clock in MHz
    automation: str  # the block automation rule


PS = {
    "zynq7": ProcessingSystem(
        vlnv="xilinx.com:ip:processing_system7:5.5",
        master="M_AXI_GP0",
        slave="S_AXI_HP0",
        enable_slave="PCW_USE_S_AXI_HP0",
        clock="PCW_FPGA0_PERIPHERAL_FREQMHZ",
        automation="xilinx.com:bd_rule:processing_system7",
    ),
    "zynqmp": ProcessingSystem(
        vlnv="xilinx.com:ip:zynq_ultra_ps_e:3.5",
        master="M_AXI_HPM0_FPD",
        slave="S_AXI_HP0_FPD",
        enable_slave="PSU__USE__S_AXI_GP2",
        clock="PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ",
        automation="xilinx.com:bd_rule:zynq_ultra_ps_e",
    ),
}


@dataclass(frozen=True)
class IpPorts:
    """The packaged IP as the block design sees it."""

    vlnv: str
    repo: tuple[str, ...]  # its IP repository, relative to the package folder
    s_axis: str  # AXI-Stream in, out, and the AXI4-Lite registers
    m_axis: str
    s_axi: str


IP_PORTS = {
    "rtl": IpPorts(IP_VLNV, ("build", "ip"), "s_axis", "m_axis", "s_axi"),
    "hls": IpPorts(
        hls_axi.IP_VLNV,
        ("build", "hls_ip", "solution1", "impl", "ip"),
        hls_axi.IN_STREAM,
        hls_axi.OUT_STREAM,
        hls_axi.LITE,
    ),
}


@dataclass(frozen=True)
class PackageResult:
    out: Path
    board: str
    part: str
    route: str
    digest: str
    word_format: dict[str, Any]
    clock_mhz: float

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "board": self.board,
            "part": self.part,
            "route": self.route,
            "digest": self.digest,
            "word_format": self.word_format,
            "clock_mhz": self.clock_mhz,
        }


def zynq_board(board: Board | str) -> tuple[Board, ProcessingSystem]:
    """The board profile and its processing system; a one-line error for boards
    without one."""
    b = board if isinstance(board, Board) else load_board(board)
    zynqs = ", ".join(sorted(PS))
    if b.vendor != "xilinx" or b.family not in PS:
        raise InputError(
            f"board {b.name} ({b.vendor} {b.family}) has no Zynq processing system: the "
            f"package targets Zynq boards (families {zynqs}; built in: pynq-z2, zcu104, "
            "kv260); for other boards use `fpga-rnn rtl` or `fpga-rnn bitstream`"
        )
    return b, PS[b.family]


def package(
    model: Model,
    board: Board | str,
    out: Path,
    *,
    route: str = "rtl",
    reuse: int | None = None,
    multipliers: int | None = None,
    mac_stages: int = 0,
    lane_stages: int = 0,
    timesteps: int | None = None,
    dma_bits: int = 32,
    clock_mhz: float | None = None,
    force: bool = False,
) -> PackageResult:
    """Write the deployment package for ``model`` on ``board`` to ``out`` (atomically;
    an existing folder only with ``force``). ``route``: ``rtl`` (fpga-rnn's Verilog
    cores in ``frnn_axi.v``; ``reuse``, ``multipliers``, ``mac_stages``, ``lane_stages``
    shape it) or ``hls`` (the hls4ml project under the ``frnn_axi`` C++ top; ``reuse``
    is hls4ml's reuse factor, ``timesteps`` the longest sequence, default the model's
    length or 24)."""
    if route not in ROUTES:
        raise InputError(f"unknown route {route!r}: choose from {', '.join(ROUTES)}")
    if route == "hls":
        # the RTL-only design options
        given = {"multipliers": multipliers, "mac_stages": mac_stages, "lane_stages": lane_stages}
        bad = [k for k, v in given.items() if v]
        if bad:
            raise InputError(
                f"--{bad[0].replace('_', '-')} shapes the RTL cores; the HLS route takes "
                "--reuse and --timesteps"
            )
    elif timesteps is not None:
        raise InputError(
            "--timesteps sets the HLS route's longest sequence; the RTL route takes any length"
        )
    b, ps = zynq_board(board)
    check_token(b.part, "board part")
    clock = float(b.clock_mhz if clock_mhz is None else clock_mhz)
    out = Path(out)
    with atomic_dir(out, force=force) as tmp:
        if route == "rtl":
            info = backend("rtl").generate(
                model,
                tmp / "rtl",
                reuse=reuse,
                multipliers=multipliers,
                mac_stages=mac_stages,
                lane_stages=lane_stages,
            )
            fmt = word_format(info, dma_bits)
            params = axi_parameters(info, fmt)
            for src in [*axi_sources(), axi_dir() / AXI_HEADER]:
                shutil.copy(src, tmp / "rtl" / src.name)
            digest = str(info["digest"])
            scripts = {"package_ip.tcl": _package_ip_tcl(b, params)}
            design: dict[str, Any] = {
                "ip_vlnv": IP_VLNV,
                "axi_parameters": {**params, "DIGEST": f"{params['DIGEST']:016x}"},
                "registers": axi_words.REGISTERS,
            }
            verified = [
                "the AXI wrapper around this design in Verilator (rtl_tests/test_axi.py)",
                "the driver's word packing against that simulation",
            ]
        else:
            d = hls_axi.write_design(
                model, tmp / "hls", b, reuse=reuse or 1, timesteps=timesteps, dma_bits=dma_bits
            )
            fmt, digest = d.fmt, d.digest
            scripts = {"hls_ip.tcl": hls_axi.hls_tcl(b, d.info)}
            design = {
                "ip_vlnv": hls_axi.IP_VLNV,
                "max_steps": d.info["timesteps"],
                "reuse_factor": d.info["reuse_factor"],
                "registers": list(axi_words.REGISTERS_HLS),
            }
            verified = [
                "the frnn_axi C++ top around this project, C-simulated with g++ "
                "(tests/test_package_hls.py)",
                "the driver's word packing against that C-simulation",
            ]
        _write_driver(tmp / "driver", model, fmt, route, design.get("max_steps"))
        ports = IP_PORTS[route]
        scripts["block_design.tcl"] = _block_design_tcl(b, ps, clock, fmt, ports)
        scripts["build_bitstream.tcl"] = _build_tcl(route, ports)
        for name, text in scripts.items():
            (tmp / name).write_text(text)
        result = PackageResult(
            out=out,
            board=b.name,
            part=b.part,
            route=route,
            digest=digest,
            word_format=fmt.to_dict(),
            clock_mhz=clock,
        )
        doc = {
            **result.to_json(),
            **design,
            "scripts": sorted(scripts),
            "verified_here": verified,
            "needs_vivado": sorted(scripts),
        }
        write_json(tmp / "package.json", doc)
        (tmp / "README.md").write_text(_readme(b, fmt, clock, route, digest, scripts))
    return result


# ---- driver ---------------------------------------------------------------------
def load_words_module(path: Path | str) -> ModuleType:
    """A package's ``driver/frnn_words.py`` imported from that file (as ``frnn_words``):
    the word-format code the board runs, to pack and unpack words on the host exactly
    as it will."""
    spec = importlib.util.spec_from_file_location("frnn_words", path)
    if spec is None or spec.loader is None:
        raise InputError(f"{path}: not a Python module")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["frnn_words"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def _driver_source() -> str:
    return (resources.files("fpga_rnn.device") / "pynq_driver.py").read_text()


def _write_driver(
    folder: Path,
    model: Model,
    fmt: axi_words.WordFormat,
    route: str,
    max_steps: int | None,
) -> None:
    """The PYNQ driver: frnn_driver.py, the word format module (verbatim), the
    fixed-point module it converts floats with (verbatim), and format.json."""
    folder.mkdir()
    (folder / "frnn_driver.py").write_text(_driver_source())
    shutil.copy(Path(axi_words.__file__), folder / "frnn_words.py")
    shared = folder / "fpga_rnn"  # so `from fpga_rnn.errors import ...` resolves on the board
    shared.mkdir()
    (shared / "__init__.py").write_text('"""fpga-rnn code shipped with the driver."""\n')
    pkg = Path(axi_words.__file__).parent.parent
    for name in SHARED_MODULES:
        shutil.copy(pkg / name, shared / name)
    spec = model.input
    doc = {
        **fmt.to_dict(),
        "route": route,
        "max_steps": max_steps,
        "min_steps": model.min_steps(),  # a window front-end's shortest sequence
        # the window layers in order: the driver sizes a sequence output with them
        "windows": [asdict(w) for w in model.windows()],
        "input_format": str(spec.fmt) if spec.fmt is not None else None,
        "tokens": spec.tokens,
        "masked": spec.mask_value is not None,
        "output_format": str(model.output_format),
        "sequence_output": len(model.output_shape) == 2,
    }
    write_json(folder / "format.json", doc)


# ---- Vivado scripts ---------------------------------------------------------------
HEAD = (
    "# Generated by fpga-rnn. Needs Vivado (not run by fpga-rnn); paths are relative to\n"
    "# this script's folder.\n"
    "set here [file dirname [file normalize [info script]]]\n"
)


def _tcl_generics(params: dict[str, Any]) -> str:
    out = []
    for k, v in params.items():
        out.append(f"{k}=64'h{v:016x}" if k == "DIGEST" else f"{k}={int(v)}")
    return " ".join(out)


def _tcl_path(parts: tuple[str, ...]) -> str:
    return f"[file join $here {' '.join(parts)}]"


def _package_ip_tcl(b: Board, params: dict[str, Any]) -> str:
    """RTL route: Vivado packages rtl/ (frnn_axi.v and the design) as an IP."""
    user = "\n".join(
        f"set_property value {{{f'0x{v:016X}' if k == 'DIGEST' else int(v)}}} "
        f"[ipx::get_user_parameters {k} -of_objects [ipx::current_core]]"
        for k, v in params.items()
    )
    repo = _tcl_path(IP_PORTS["rtl"].repo)
    return (
        HEAD
        + f"""create_project -force frnn_ip [file join $here build ip_project] -part {b.part}
add_files [glob [file join $here rtl *.v]]
add_files [glob [file join $here rtl *.vh]]
set_property file_type {{Verilog Header}} [get_files *.vh]
# the ROM images: $readmemh reads them as mem/NAME.mem
add_files [glob [file join $here rtl mem *.mem]]
set_property top {AXI_TOP} [current_fileset]
set_property generic {{{_tcl_generics(params)}}} [current_fileset]
ipx::package_project -root_dir {repo} -vendor fpga-rnn.org -library user \\
    -taxonomy /UserIP -import_files -set_current true
ipx::associate_bus_interfaces -busif s_axis -clock aclk [ipx::current_core]
ipx::associate_bus_interfaces -busif m_axis -clock aclk [ipx::current_core]
ipx::associate_bus_interfaces -busif s_axi -clock aclk [ipx::current_core]
{user}
set_property core_revision 1 [ipx::current_core]
ipx::create_xgui_files [ipx::current_core]
ipx::update_checksums [ipx::current_core]
ipx::save_core [ipx::current_core]
close_project
"""
    )


def _block_design_tcl(
    b: Board, ps: ProcessingSystem, clock: float, fmt: axi_words.WordFormat, ip: IpPorts
) -> str:
    """The block design: processing system, AXI DMA and the IP, wired."""
    width = fmt.dma_bits
    return (
        HEAD
        + f"""create_project -force frnn_overlay [file join $here build overlay] -part {b.part}
set_property ip_repo_paths {_tcl_path(ip.repo)} [current_project]
update_ip_catalog
create_bd_design frnn_overlay
create_bd_cell -type ip -vlnv {ps.vlnv} ps
apply_bd_automation -rule {ps.automation} -config {{apply_board_preset "1"}} [get_bd_cells ps]
set_property -dict [list CONFIG.{ps.enable_slave} {{1}} CONFIG.{ps.clock} {{{clock:g}}}] \\
    [get_bd_cells ps]
create_bd_cell -type ip -vlnv xilinx.com:ip:axi_dma:7.1 axi_dma
set_property -dict [list CONFIG.c_include_sg {{0}} CONFIG.c_sg_length_width {{26}} \\
    CONFIG.c_m_axis_mm2s_tdata_width {{{width}}} CONFIG.c_s_axis_s2mm_tdata_width {{{width}}} \\
    CONFIG.c_mm2s_burst_size {{16}} CONFIG.c_s2mm_burst_size {{16}}] [get_bd_cells axi_dma]
create_bd_cell -type ip -vlnv {ip.vlnv} frnn
connect_bd_intf_net [get_bd_intf_pins axi_dma/M_AXIS_MM2S] [get_bd_intf_pins frnn/{ip.s_axis}]
connect_bd_intf_net [get_bd_intf_pins frnn/{ip.m_axis}] [get_bd_intf_pins axi_dma/S_AXIS_S2MM]
apply_bd_automation -rule xilinx.com:bd_rule:axi4 \\
    -config {{Master "/ps/{ps.master}" Clk "Auto"}} [get_bd_intf_pins axi_dma/S_AXI_LITE]
apply_bd_automation -rule xilinx.com:bd_rule:axi4 \\
    -config {{Master "/ps/{ps.master}" Clk "Auto"}} [get_bd_intf_pins frnn/{ip.s_axi}]
apply_bd_automation -rule xilinx.com:bd_rule:axi4 \\
    -config {{Slave "/ps/{ps.slave}" Clk "Auto"}} [get_bd_intf_pins axi_dma/M_AXI_MM2S]
apply_bd_automation -rule xilinx.com:bd_rule:axi4 \\
    -config {{Slave "/ps/{ps.slave}" Clk "Auto"}} [get_bd_intf_pins axi_dma/M_AXI_S2MM]
validate_bd_design
save_bd_design
"""
    )


def _build_tcl(route: str, ip: IpPorts) -> str:
    """The bitstream and the .hwh a PYNQ overlay needs. The RTL route packages its IP
    first; the HLS route's IP comes from ``vitis_hls -f hls_ip.tcl``, run before."""
    if route == "rtl":
        first = "source [file join $here package_ip.tcl]\n"
    else:
        first = f"""if {{![file exists [file join {_tcl_path(ip.repo)[1:-1]} component.xml]]}} {{
    error "the HLS IP is not exported yet: run vitis_hls -f hls_ip.tcl first"
}}
"""
    return (
        HEAD
        + first
        + """source [file join $here block_design.tcl]
set bd [get_files frnn_overlay.bd]
make_wrapper -files $bd -top
add_files -norecurse [glob [file join $here build overlay frnn_overlay.gen sources_1 bd \\
    frnn_overlay hdl frnn_overlay_wrapper.v]]
set_property top frnn_overlay_wrapper [current_fileset]
launch_runs impl_1 -to_step write_bitstream -jobs 2
wait_on_run impl_1
# a PYNQ overlay is the bitstream and the block design's hardware handoff, same name
file copy -force [glob [file join $here build overlay frnn_overlay.runs impl_1 *.bit]] \\
    [file join $here frnn_overlay.bit]
file copy -force [glob [file join $here build overlay frnn_overlay.gen sources_1 bd \\
    frnn_overlay hw_handoff frnn_overlay.hwh]] [file join $here frnn_overlay.hwh]
"""
    )


def _readme(
    b: Board,
    fmt: axi_words.WordFormat,
    clock: float,
    route: str,
    digest: str,
    scripts: dict[str, str],
) -> str:
    words = (
        f"DMA words of {fmt.dma_bits} bits ({fmt.words_per_step} per time step in, "
        f"{fmt.words_per_output} per output vector out)"
    )
    if route == "rtl":
        verified = """- `rtl/frnn_axi.v` around this kind of design: sequences through AXI-Stream
  with random idle and backpressure, bit-exact against the golden model; the AXI-Lite
  registers (format, cycle count, digest, soft reset, error flags).
- `driver/frnn_words.py` (the word format) is the code that drove that simulation."""
        build = "    vivado -mode batch -source build_bitstream.tcl"
        builds = "runs `package_ip.tcl` (the IP), `block_design.tcl`"
    else:
        verified = """- `hls/firmware/frnn_axi.cpp` (the AXI top) around this kind of project,
  C-simulated with g++: sequences of every length up to the project's steps, bit-exact
  against the golden model; the registers it writes (format, digest, sequences, error
  flags).
- `driver/frnn_words.py` (the word format) is the code that drove that C-simulation.
- Not verified here: the AXI-Stream and AXI4-Lite handshakes, which Vitis HLS
  generates (its C/RTL co-simulation checks them)."""
        build = "    vitis_hls -f hls_ip.tcl\n    vivado -mode batch -source build_bitstream.tcl"
        builds = "needs the IP `hls_ip.tcl` exports, then runs `block_design.tcl`"
    return f"""# fpga-rnn Zynq package: {b.name} ({b.part}), {route.upper()} route

Design digest `{digest}`, {words}, fabric clock {clock:g} MHz (the board profile's;
not timed here).

## Verified here (by fpga-rnn's tests)
{verified}

## Needs Vivado (not run by fpga-rnn)
{build}

{builds} (processing system, AXI DMA, the IP) and builds `frnn_overlay.bit` and
`frnn_overlay.hwh`. Timing closure at {clock:g} MHz is Vivado's to confirm. Scripts:
{", ".join(f"`{n}`" for n in sorted(scripts))}.

## On the board (PYNQ)
Copy this folder's `driver/` and the `.bit`/`.hwh` pair to the board, then:

    from frnn_driver import FrnnOverlay
    acc = FrnnOverlay("frnn_overlay.bit")
    y = acc.predict(x)          # x: (batch, steps, features) floats

`acc.predict_codes(list_of_code_arrays, beats)` takes integer codes (token ids, masked
models).
"""
