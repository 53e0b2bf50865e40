"""What the HTML pages (report.html, sweep.html) share: one style, escaped tables,
embedded images, the page shell. Every value placed in a page is escaped unless it is
:class:`Safe` (HTML built here)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from fpga_rnn.escape import html_text as esc

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1080px;
margin:2em auto;padding:0 1em;color:#1c2833;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.1em} h2{font-size:1.2em;border-bottom:2px solid #d6eaf8;
padding-bottom:.2em;margin-top:1.8em} .sub{color:#5d6d7e;margin-top:0}
table{border-collapse:collapse;margin:.6em 0}
td,th{padding:.3em .8em;border-bottom:1px solid #eaecee;text-align:right}
th{background:#f4f6f7} td:first-child,th:first-child{text-align:left}
.cards{display:grid;gap:1em;grid-template-columns:repeat(auto-fill,minmax(170px,1fr))}
.card{background:#f8f9f9;
border-radius:8px;padding:.7em 1em} .card b{display:block;font-size:1.5em}
.ok{color:#1e8449;font-weight:600} .bad{color:#c0392b;font-weight:600} .na{color:#7f8c8d}
img{max-width:100%} .imgs{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
pre{background:#f4f6f7;padding:.8em;border-radius:6px;overflow-x:auto;font-size:.85em}
"""


class Safe(str):
    """HTML this module built itself; every other value is escaped where it is placed."""


def image(path: Path, alt: str) -> str:
    if not path.exists():  # e.g. predictions.png exists for regression only
        return ""
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def table(head: list[str], rows: list[list[Any]]) -> str:
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{c if isinstance(c, Safe) else esc(c)}</td>" for c in r) + "</tr>"
        for r in rows
    )
    return f"<table><tr>{th}</tr>{body}</table>"


def document(title: str, body: str) -> str:
    """A whole page: ``body`` is HTML built by the caller (its values escaped)."""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title>"
        f"<style>{CSS}</style></head><body>{body}</body></html>"
    )
