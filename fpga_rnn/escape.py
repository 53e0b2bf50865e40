"""Strings from users' files are data: checked where they enter, escaped where they leave.

Names in a model, IR, dataset or board file are checked against a strict pattern
when the file is read (:func:`check_identifier`, :func:`check_token`). Every
generator still escapes at its own output boundary with the one helper for its
language, so a string that slipped past a check can end a comment, a string or a
line nowhere: Verilator runs ``$system``, Tcl runs ``exec``, C runs constructors,
a browser runs ``<script>``, and a terminal obeys escape sequences (the CLI prints
every string through :func:`printable`, with Rich markup off).
"""

from __future__ import annotations

import html
import re

from fpga_rnn.errors import InputError

IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
# part numbers, packages, board names: no spaces, quotes, brackets or separators
TOKEN = r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}"
_IDENTIFIER = re.compile(IDENTIFIER)
_TOKEN = re.compile(TOKEN)
# what a comment keeps: letters, digits and punctuation that no comment syntax
# (/* */, //, trigraph ??/, backslash line continuation) gives a meaning to
_COMMENT_UNSAFE = re.compile(r"[^A-Za-z0-9 _.,:;=+()<>'-]")
# C0 and C1 controls (ESC starts terminal sequences), DEL, and Unicode line breaks
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TCL_WORD = re.compile(r"[A-Za-z0-9_.:/+-]+")


def check_identifier(value: object, what: str) -> str:
    """``value`` if it is an identifier (``[A-Za-z_][A-Za-z0-9_]{0,63}``), else InputError."""
    rule = "is not a valid name: use letters, digits and _ (not starting with a digit"
    return _check(value, _IDENTIFIER, what, f"{rule}, at most 64 characters)")


def check_token(value: object, what: str) -> str:
    """``value`` if it is a plain token such as a part number (``[A-Za-z0-9][A-Za-z0-9_.+-]*``)."""
    rule = "is not valid: use letters, digits and _ . + - (at most 64 characters, no spaces"
    return _check(value, _TOKEN, what, f"{rule} or quotes)")


def _check(value: object, rx: re.Pattern[str], what: str, rule: str) -> str:
    if not isinstance(value, str) or not rx.fullmatch(value):
        raise InputError(f"{what} {printable(repr(value))[:80]} {rule}")
    return value


def printable(text: str) -> str:
    """``text`` with every control character shown as ``\\xNN`` (one line, no escapes)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def c_comment(text: object) -> str:
    """Text for inside a C/C++ comment (``/* */`` or ``//``): it cannot end the comment,
    continue the line, or start a preprocessor line."""
    return _COMMENT_UNSAFE.sub("_", str(text))[:120]


# Verilog comments share C's syntax (``//``, ``/* */``); the kept characters hold no
# backquote (compiler directive) either.
verilog_comment = c_comment


def html_text(text: object) -> str:
    """Text for HTML element content or a quoted attribute."""
    return html.escape(str(text), quote=True)


def tcl_word(text: object, what: str) -> str:
    """``text`` if Tcl reads it as one literal word (no ``$ [ ] ; " { }`` or spaces);
    we never quote our way around Tcl's substitution rules, we refuse."""
    s = str(text)
    if not _TCL_WORD.fullmatch(s):
        raise InputError(f"{what} {printable(repr(s))[:80]} cannot be written into a Tcl script")
    return s
