"""Run the designer: bind 127.0.0.1 (never another address), print the URL with its
token, open the browser, serve until Ctrl-C, stop the background jobs."""

from __future__ import annotations

import json
import socket
import tempfile
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fpga_rnn.designer.app import create_app, new_token
from fpga_rnn.designer.spec import design_from_ir, parse
from fpga_rnn.errors import FpgaRnnError, InputError

HOST = "127.0.0.1"


def initial_design(model: str | Path | None) -> dict[str, Any] | None:
    """The design to open with: a designer.json, or an imported model/IR's layers."""
    if model is None:
        return None
    p = Path(model)
    if p.suffix == ".json" and p.is_file():
        try:
            doc = json.loads(p.read_text())
        except ValueError as e:
            raise InputError(f"{p} is not JSON: {str(e)[:80]}") from None
        d, problems = parse(doc)
        if d is None:
            raise InputError(f"{p}: {problems[0].message}")
        return d.to_json()
    from fpga_rnn.loading import load_model

    doc, _problems = design_from_ir(load_model(p))
    return doc


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:``port`` (0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as e:
        sock.close()
        raise FpgaRnnError(f"cannot listen on {HOST}:{port} ({e.strerror}); pick --port") from None
    sock.listen(64)
    return sock


def serve(
    port: int = 0,
    *,
    open_browser: bool = True,
    model: str | Path | None = None,
    workdir: str | Path | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the designer until interrupted. ``announce`` gets the URL first."""
    import uvicorn

    initial = initial_design(model)
    sock = bind(port)
    port = sock.getsockname()[1]
    token = new_token()
    with tempfile.TemporaryDirectory(prefix="fpga-rnn-designer-") as tmp:
        work = Path(workdir) if workdir else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        app = create_app(token, port, work, initial=initial)
        url = f"http://{HOST}:{port}/?token={token}"
        announce(url)
        if open_browser:
            webbrowser.open(url)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        try:
            server.run(sockets=[sock])
        finally:
            app.state.jobs.stop_all()
            sock.close()
