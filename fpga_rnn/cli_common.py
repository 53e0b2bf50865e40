"""What every ``fpga-rnn`` command shares: safe consoles, common options, the one
error path and the result printer (JSON or a human summary)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from fpga_rnn.backends.rtl.build import MAX_LANE_STAGES, MAX_MAC_STAGES
from fpga_rnn.escape import printable
from fpga_rnn.ir.kinds import CELLS
from fpga_rnn.limits import MAX_REUSE


class SafeConsole(Console):
    """A console that shows every string as text: no markup, no control sequences
    (names, paths and tool output come from files a user was sent)."""

    def render_str(self, text: str, **kwargs) -> Text:  # type: ignore[override]
        return super().render_str(printable(text), **kwargs)


err = SafeConsole(stderr=True, markup=False, highlight=False, emoji=False)
out = SafeConsole(markup=False, highlight=False, emoji=False)

ModelArg = Annotated[
    Path, typer.Argument(help="A Keras model file (.keras/.h5) or an IR directory.")
]
Force = Annotated[bool, typer.Option("--force", help="Overwrite existing outputs.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


def _progress(msg: str) -> None:
    """A progress line on stderr (shown as plain text: tool output may hold anything)."""
    err.print(msg, style="dim")


def _emit(result: dict, as_json: bool, pretty) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")
    else:
        pretty()


def _fail(message: str, code: int = 1) -> NoReturn:
    """The one error path: ``error: <message>`` on one line of stderr, exit ``code``."""
    line = " ".join(printable(str(message)).split())
    err.print(Text("error: ", style="bold red") + Text(line), soft_wrap=True)
    sys.exit(code)


# design options shared by rtl, fit, bitstream and package
Reuse = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=MAX_REUSE,
        help="Cycles each multiplier may take per MAC pass (1 = fully parallel, fastest, "
        "most multipliers). Default 8.",
    ),
]
Multipliers = Annotated[
    int | None,
    typer.Option(
        min=1, help="Instead of --reuse: the fastest design with at most this many multipliers."
    ),
]
MacStages = Annotated[
    int,
    typer.Option(
        min=0,
        max=MAX_MAC_STAGES,
        help="MAC pipeline registers, each depth adding one: 1 after the multipliers, 2 "
        "before them, 3 on the pass request, 4 after the adder tree, 5 on the vector and "
        "the weight address, 6 after the weight ROM (a higher clock for one more cycle per "
        "recurrent pass each).",
    ),
]
LANE_CYCLES_HELP = ", ".join(
    f"{c.name} {'/'.join(str(c.lane_cycles(k)) for k in range(MAX_LANE_STAGES + 1))}"
    for c in CELLS.values()
)
LaneStages = Annotated[
    int,
    typer.Option(
        min=0,
        max=MAX_LANE_STAGES,
        help="Cell lane pipeline depth for a higher clock: 1 registers the lane inputs, "
        "tables and products, 2 also splits wide products over registered DSP blocks. "
        "Lane cycles at 0/1/2: " + LANE_CYCLES_HELP + ".",
    ),
]
