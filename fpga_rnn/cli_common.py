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

from fpga_rnn.escape import printable


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
