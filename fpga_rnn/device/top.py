"""The board design around a generated core: the link's parameters, and the two tops
that instantiate ``frnn_board`` (the link, the UART and the core): one for a real
board (its PLL and pin names) and one for the simulated board (a bare clock).

Both tops come from :func:`link_config`, so the simulated board runs exactly the
parameters the bitstream gets, except the baud divisor (a fast simulated line).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from fpga_rnn.backends.rtl.build import Design
from fpga_rnn.boards import Board
from fpga_rnn.device.protocol import VERSION, Info, beat_bytes
from fpga_rnn.errors import InputError
from fpga_rnn.ir.model import Model

BOARD_MODULES = ("frnn_uart_rx.v", "frnn_uart_tx.v", "frnn_link.v", "frnn_board.v")
LINK_HEADER = "frnn_link.vh"
SIM_MAIN = "frnn_board_sim.cpp"
SIM_TOP = "frnn_board_sim"
BOARD_TOP = "frnn_board_top"
SIM_CLKS_PER_BIT = 8  # the simulated line: 8 clock cycles per bit
MIN_CLKS_PER_BIT = 4  # the receiver samples mid-bit: fewer cycles per bit cannot work
MAX_BAUD_ERROR = 0.02  # a UART tolerates a few percent between the two ends' clocks
QUIET_SECONDS = 0.05  # a frame that stops for this long is truncated
QUIET_BYTES_SIM = 256  # the same on the simulated line, in byte times
RUN_LIMIT_FACTOR = 16  # the core may take this many times its planned cycles


def board_dir() -> Path:
    """The link's Verilog, header and simulation harness (shipped in the wheel)."""
    return Path(str(resources.files("fpga_rnn.backends.rtl") / "verilog" / "board"))


def board_sources() -> list[Path]:
    return [board_dir() / n for n in BOARD_MODULES]


@dataclass(frozen=True)
class LinkConfig:
    """The parameters of one ``frnn_board`` instance."""

    in_width: int
    out_width: int
    max_steps: int
    max_out: int
    clock_hz: float
    clks_per_bit: int
    timeout: int  # quiet cycles that end a frame
    run_limit: int  # cycles the core may take
    digest: str

    @property
    def baud(self) -> float:
        return self.clock_hz / self.clks_per_bit

    @property
    def info(self) -> Info:
        return Info(
            VERSION,
            self.in_width,
            self.out_width,
            self.max_steps,
            self.max_out,
            round(self.clock_hz / 1000),
            self.clks_per_bit,
            self.digest,
        )

    def simulated(self) -> LinkConfig:
        """The same link on the simulated line (SIM_CLKS_PER_BIT cycles per bit)."""
        cpb = SIM_CLKS_PER_BIT
        return replace(self, clks_per_bit=cpb, timeout=QUIET_BYTES_SIM * 10 * cpb)

    def parameters(self) -> dict[str, str]:
        """frnn_board's Verilog parameters, as Verilog literals."""
        info = self.info.to_bytes()
        return {
            "IN_W": str(self.in_width),
            "OUT_W": str(self.out_width),
            "MAX_T": str(self.max_steps),
            "MAX_OUT": str(self.max_out),
            "CLKS_PER_BIT": str(self.clks_per_bit),
            "TIMEOUT": str(self.timeout),
            "RUN_LIMIT": str(self.run_limit),
            "INFO_LEN": str(len(info)),
            "INFO": f"{len(info) * 8}'h{int.from_bytes(info, 'little'):0{len(info) * 2}x}",
        }


def link_config(model: Model, d: Design, clock_hz: float, baud: float) -> LinkConfig:
    """The link for design ``d`` of ``model`` at ``clock_hz``, talking at ``baud``."""
    info = d.info
    max_steps = int(info["max_timesteps"])
    max_out = max_steps if info["sequence_output"] else 1  # an output per step, or one
    if max_out * beat_bytes(d.out_width) > 0xFFFF:
        raise InputError(
            f"{max_out} output beats of {d.out_width} bits exceed one frame (64 KiB): "
            "lower --max-timesteps"
        )
    cpb = round(clock_hz / baud)
    if cpb < MIN_CLKS_PER_BIT:
        raise InputError(
            f"{baud:g} baud needs at least {MIN_CLKS_PER_BIT} clock cycles per bit; at "
            f"{clock_hz / 1e6:g} MHz use at most {clock_hz / MIN_CLKS_PER_BIT:g} baud"
        )
    error = abs(clock_hz / cpb - baud) / baud
    if error > MAX_BAUD_ERROR:
        raise InputError(
            f"{baud:g} baud is {error:.1%} off at {clock_hz / 1e6:g} MHz (divisor {cpb}); "
            f"choose a baud rate that divides the clock, e.g. {clock_hz / cpb:.0f}"
        )
    per_step = sum(int(la.get("cycles_per_step", 0)) + 8 for la in info["layers"])
    return LinkConfig(
        in_width=d.in_width,
        out_width=d.out_width,
        max_steps=max_steps,
        max_out=max_out,
        clock_hz=clock_hz,
        clks_per_bit=cpb,
        timeout=max(round(QUIET_SECONDS * clock_hz), 20 * 10 * cpb),
        run_limit=RUN_LIMIT_FACTOR * (per_step * max_steps + 1000),
        digest=model.digest(),
    )


def _instance(cfg: LinkConfig) -> str:
    params = ",\n".join(f"      .{k}({v})" for k, v in cfg.parameters().items())
    return f"  frnn_board #(\n{params}\n  ) board (\n"


def sim_top(cfg: LinkConfig) -> str:
    """The simulated board's top: frnn_board with a bare clock and reset."""
    return (
        "// Generated by fpga-rnn: the simulated board (frnn_board, no PLL).\n"
        "`default_nettype none\n"
        f"module {SIM_TOP} (\n"
        "    input wire clk, input wire reset, input wire uart_rx,\n"
        "    output wire uart_tx, output wire [3:0] status\n);\n"
        + _instance(cfg)
        + "      .clk(clk), .reset(reset), .uart_rx(uart_rx), .uart_tx(uart_tx),\n"
        "      .status(status)\n  );\nendmodule\n`default_nettype wire\n"
    )


@dataclass(frozen=True)
class Clock:
    """The design's clock on a board: the oscillator's, or a PLL's output."""

    osc_mhz: float
    mhz: float  # what the design runs at (the PLL's achieved output)
    pll: str | None  # the PLL module's Verilog (module ``pll``), None without a PLL

    @property
    def hz(self) -> float:
        return self.mhz * 1e6


def board_top(cfg: LinkConfig, board: Board, clock: Clock) -> str:
    """The bitstream's top: the board's pins, the PLL, frnn_board."""
    io = board.io
    assert io is not None
    n = len(io.leds)
    lit = [f"status[{i}]" if i < 4 else "1'b0" for i in range(n)]  # status: 4 lights
    leds = "{" + ", ".join(reversed(lit)) + "}"
    if io.leds_active_low:
        leds = f"~{leds}"
    if clock.pll is None:
        clk = "  assign clk = clk_in;\n  assign locked = 1'b1;\n"
    elif board.family == "ecp5":
        clk = "  pll u_pll (.clkin(clk_in), .clkout0(clk), .locked(locked));\n"
    else:
        clk = "  pll u_pll (.clock_in(clk_in), .clock_out(clk), .locked(locked));\n"
    press = "!btn" if io.reset_active_low else "btn"
    return (
        f"// Generated by fpga-rnn for {board.name}: pins, clock "
        f"({clock.osc_mhz:g} MHz oscillator -> {clock.mhz:g} MHz), frnn_board.\n"
        "`default_nettype none\n"
        f"module {BOARD_TOP} (\n"
        "    input wire clk_in, input wire btn, input wire uart_rx,\n"
        f"    output wire uart_tx, output wire [{n - 1}:0] led\n);\n"
        "  wire clk, locked;\n  wire [3:0] status;\n"
        + clk
        + _instance(cfg)
        + f"      .clk(clk), .reset({press} || !locked), .uart_rx(uart_rx),\n"
        "      .uart_tx(uart_tx), .status(status)\n  );\n"
        f"  assign led = {leds};\nendmodule\n`default_nettype wire\n"
    )


def constraints(board: Board, clock: Clock) -> tuple[str, str]:
    """(file name, text) of the pin constraints: an LPF (ECP5) or a PCF (iCE40)."""
    io = board.io
    assert io is not None
    pins = {"clk_in": io.clock_pin, "btn": io.reset_pin, "uart_rx": io.uart_rx}
    pins |= {"uart_tx": io.uart_tx, **{f"led[{i}]": p for i, p in enumerate(io.leds)}}
    pulled = {"btn", "uart_rx"}  # inputs that float when nothing drives them
    if board.family == "ecp5":
        lines = [f"# Generated by fpga-rnn for {board.name}; pins from {io.source}"]
        for port, pin in pins.items():
            pull = ""
            if port in pulled:
                pull = (
                    " PULLMODE=DOWN"
                    if port == "btn" and not io.reset_active_low
                    else " PULLMODE=UP"
                )
            lines.append(f'LOCATE COMP "{port}" SITE "{pin}";')
            lines.append(f'IOBUF PORT "{port}" IO_TYPE={io.iostandard}{pull};')
        lines.append(f'FREQUENCY PORT "clk_in" {clock.osc_mhz:g} MHZ;')
        return "board.lpf", "\n".join(lines) + "\n"
    lines = [f"# Generated by fpga-rnn for {board.name}; pins from {io.source}"]
    for port, pin in pins.items():
        pull = " -pullup yes" if port in pulled else ""
        lines.append(f"set_io -nowarn{pull} {port} {pin}")
    return "board.pcf", "\n".join(lines) + "\n"
