"""The designer's web app (FastAPI): the page, the cost, export, open, train, synthesize.

Served on 127.0.0.1 only. Every request must carry the session's random token (in the
URL's ``token`` or an ``X-Token`` header, as Jupyter does), a Host header naming this
loopback server (no DNS rebinding), and, when the browser sends an Origin, this
server's own; anything else gets 403 before a route runs. Uploaded files go through
the CLI's own checks (the model allow-list and safe loading, the dataset reader
without pickles) and never choose a path: they are stored under fixed names.
"""

from __future__ import annotations

import json
import secrets
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from fpga_rnn.designer import cost as costs
from fpga_rnn.designer.export import flow_command, training_script
from fpga_rnn.designer.jobs import Jobs
from fpga_rnn.designer.spec import (
    CATALOGUE,
    dataset_input,
    default_design,
    design_from_ir,
    parse,
    to_ir,
)
from fpga_rnn.errors import FpgaRnnError
from fpga_rnn.fit import REUSE_STEPS
from fpga_rnn.ir.kinds import ACTIVATIONS

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD = 64 << 20  # bytes: models and datasets
LOOPBACK = ("127.0.0.1", "::1")


def _plotly_js() -> Path:
    """The maintained plotting library's browser bundle, as the plotly package ships it."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


ASSETS = {
    "designer.js": (STATIC / "designer.js", "text/javascript"),
    "designer.css": (STATIC / "designer.css", "text/css"),
}


def _deny(why: str) -> JSONResponse:
    return JSONResponse({"error": why}, status_code=403)


def create_app(
    token: str,
    port: int,
    workdir: Path,
    *,
    initial: dict[str, Any] | None = None,
) -> FastAPI:
    """The app for one designer session (``token``, served on 127.0.0.1:``port``)."""
    app = FastAPI(title="fpga-rnn designer", docs_url=None, redoc_url=None, openapi_url=None)
    hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
    origins = {f"http://{h}" for h in hosts}
    jobs = Jobs(workdir / "jobs")
    state: dict[str, Any] = {"initial": initial or default_design(), "datasets": {}}

    @app.middleware("http")
    async def guard(request: Request, call_next):
        client = request.client.host if request.client else ""
        if client not in LOOPBACK:
            return _deny("the designer answers this machine only")
        if request.headers.get("host") not in hosts:
            return _deny("unexpected Host header")
        origin = request.headers.get("origin")
        if origin is not None and origin not in origins:
            return _deny("cross-origin request refused")
        given = request.query_params.get("token") or request.headers.get("x-token") or ""
        if not secrets.compare_digest(given.encode(), token.encode()):
            return _deny("missing or wrong token: open the URL fpga-rnn designer printed")
        response = await call_next(request)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-eval'; frame-ancestors 'none'"
        )  # plotly compiles its number formats with Function(): 'unsafe-eval'
        response.headers["Referrer-Policy"] = "no-referrer"  # the token stays here
        return response

    @app.exception_handler(FpgaRnnError)
    async def refused(_request: Request, e: FpgaRnnError):
        return JSONResponse({"error": str(e).splitlines()[0]}, status_code=400)

    @app.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        # the assets need the token too (the token is URL-safe base64: no escaping)
        return HTMLResponse((STATIC / "designer.html").read_text().replace("@TOKEN@", token))

    @app.get("/static/{name}")
    def asset(name: str) -> Response:
        if name == "plotly.min.js":
            return FileResponse(_plotly_js(), media_type="text/javascript")
        if name not in ASSETS:
            raise HTTPException(404)
        path, media = ASSETS[name]
        return FileResponse(path, media_type=media)

    @app.get("/api/catalogue")
    def catalogue() -> dict[str, Any]:
        from fpga_rnn.datasets import DATASETS

        kinds = {
            k: [
                {"name": f[0], "type": f[1].__name__, "default": f[2], "min": f[3], "max": f[4]}
                for f in fields
            ]
            for k, fields in CATALOGUE.items()
        }
        return {
            "kinds": kinds,
            "activations": list(ACTIVATIONS),
            "boards": costs.boards(),
            "datasets": sorted(DATASETS) + sorted(state["datasets"]),
            "reuse_steps": list(REUSE_STEPS),
            "initial": state["initial"],
        }

    @app.post("/api/cost")
    async def cost(body: dict[str, Any]) -> dict[str, Any]:
        board = _str(body.get("board", "pynq-z2"), "board")
        reuse = _opt_int(body.get("reuse"), "reuse", 1, 4096)
        steps = _opt_int(body.get("timesteps"), "timesteps", 1, 4096)
        return await run_in_threadpool(
            costs.cost, body.get("design"), board, timesteps=steps, reuse=reuse
        )

    @app.post("/api/export")
    def export(body: dict[str, Any]) -> dict[str, Any]:
        d, problems = parse(body.get("design"))
        if d is None:
            return {"ok": False, "problems": [p.to_json() for p in problems]}
        dataset = _str(body.get("dataset", "japanese-vowels"), "dataset")
        board = _str(body.get("board", "pynq-z2"), "board")
        return {
            "ok": True,
            "design": d.to_json(),
            "script": training_script(d, dataset),
            "command": flow_command(dataset, board),
        }

    @app.post("/api/open")
    async def open_model(file: UploadFile = File(...)) -> dict[str, Any]:
        data = await _read_upload(file)
        name = (file.filename or "").lower()
        if name.endswith(".json"):
            doc = _json(data)
            _d, problems = parse(doc)
            return {"design": doc, "problems": [p.to_json() for p in problems]}
        if not name.endswith((".keras", ".h5")):
            raise FpgaRnnError("open a .keras or .h5 model, or a designer.json")
        suffix = ".keras" if name.endswith(".keras") else ".h5"
        return await run_in_threadpool(_open_keras, data, suffix, workdir)

    @app.post("/api/dataset")
    async def upload_dataset(file: UploadFile = File(...)) -> dict[str, Any]:
        from fpga_rnn.datasets import from_npz

        data = await _read_upload(file)
        key = f"upload-{len(state['datasets']) + 1}"
        path = workdir / "datasets" / f"{key}.npz"  # a fixed name: the upload's is data
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        ds = await run_in_threadpool(from_npz, path)  # the CLI's checks (no pickles)
        state["datasets"][key] = str(path)
        return {"dataset": key, **_input_of(ds)}

    @app.post("/api/dataset-shape")
    async def dataset_shape(body: dict[str, Any]) -> dict[str, Any]:
        from fpga_rnn.datasets import load_dataset

        name = _dataset(body.get("dataset"), state)
        return _input_of(await run_in_threadpool(load_dataset, name))

    @app.post("/api/train")
    def train(body: dict[str, Any]) -> dict[str, Any]:
        d, problems = parse(body.get("design"))
        if d is None:
            return {"ok": False, "problems": [p.to_json() for p in problems]}
        dataset = _dataset(body.get("dataset"), state)
        epochs = _opt_int(body.get("epochs", 100), "epochs", 1, 10_000) or 100
        seed = _opt_int(body.get("seed", 0), "seed", 0, 2**31) or 0
        f = Path(tempfile.mkdtemp(dir=workdir)) / "designer.json"
        f.write_text(json.dumps(d.to_json()))
        job = jobs.start("train", [str(f), dataset, str(epochs), str(seed)])
        return {"ok": True, "job": job.id}

    @app.post("/api/synth")
    async def synth(body: dict[str, Any]) -> dict[str, Any]:
        board = _str(body.get("board", "pynq-z2"), "board")
        reuse = _opt_int(body.get("reuse"), "reuse", 1, 4096)
        c = await run_in_threadpool(costs.cost, body.get("design"), board, reuse=reuse)
        if not c["ok"] or "chosen" not in c:
            return {"ok": False, "problems": c.get("problems", []), "why_not": c.get("why_not")}
        d, _ = parse(body.get("design"))
        assert d is not None
        ir_dir = Path(tempfile.mkdtemp(dir=workdir)) / "ir"
        to_ir(d).save(ir_dir)
        ch = c["chosen"]
        args = [str(ir_dir), board, str(ch["reuse"]), str(ch["mac_stages"]), str(ch["lane_stages"])]
        return {"ok": True, "job": jobs.start("synth", args).id, "predicted": c["resources"]}

    @app.post("/api/flow")
    def run_flow(body: dict[str, Any]) -> dict[str, Any]:
        """Verify and report a finished training: `fpga-rnn flow` on its trained model."""
        trained = jobs.get(_str(body.get("job"), "job"))
        if trained is None or trained.kind != "train" or trained.state != "done":
            raise FpgaRnnError("train the design first; the flow verifies a finished training")
        dataset = _dataset(body.get("dataset"), state)
        board = _str(body.get("board", "pynq-z2"), "board")
        job = jobs.start("flow", [str(trained.folder / "run"), dataset, board])
        return {"ok": True, "job": job.id}

    @app.get("/api/jobs/{jid}")
    def job(jid: str, since: int = 0) -> dict[str, Any]:
        j = jobs.get(jid)
        if j is None:
            raise HTTPException(404, "no such job")
        return j.to_json(max(0, since))

    @app.post("/api/jobs/{jid}/cancel")
    def cancel(jid: str) -> dict[str, Any]:
        j = jobs.cancel(jid)
        if j is None:
            raise HTTPException(404, "no such job")
        return j.to_json()

    @app.get("/api/jobs/{jid}/files/{name}")
    def job_file(jid: str, name: str) -> Response:
        """A finished training's model.keras or the IR (zipped), or a finished flow's
        report.html."""
        j = jobs.get(jid)
        if j is None or j.state != "done":
            raise HTTPException(404, "no finished job with that id")
        if j.kind == "flow" and name == "report.html":
            return FileResponse(j.folder / "flow" / "report.html", media_type="text/html")
        if j.kind != "train":
            raise HTTPException(404)
        run = j.folder / "run"
        if name == "model.keras":
            return FileResponse(run / "model.keras", filename="model.keras")
        if name == "ir.zip":
            import shutil

            zipped = shutil.make_archive(str(j.folder / "ir"), "zip", run / "ir")
            return FileResponse(zipped, filename="ir.zip")
        raise HTTPException(404)

    app.state.jobs = jobs
    return app


def _str(v: Any, what: str) -> str:
    if not isinstance(v, str) or not 0 < len(v) <= 100:
        raise FpgaRnnError(f"{what} must be a name")
    return v


def _opt_int(v: Any, what: str, lo: int, hi: int) -> int | None:
    if v is None or v == "":
        return None
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise FpgaRnnError(f"{what} must be a whole number from {lo} to {hi}")
    return v


def _dataset(v: Any, state: dict[str, Any]) -> str:
    from fpga_rnn.datasets import DATASETS

    name = _str(v or "japanese-vowels", "dataset")
    if name in state["datasets"]:
        return state["datasets"][name]
    if name not in DATASETS:
        raise FpgaRnnError(f"unknown dataset {name!r:.40}")
    return name


def _input_of(ds: Any) -> dict[str, Any]:
    """The design input and last-layer size a dataset asks for."""
    return {
        "input": dataset_input(ds),
        "outputs": ds.outputs,
        "task": ds.task,
        "sequence_output": ds.sequence_output,
    }


async def _read_upload(file: UploadFile) -> bytes:
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise FpgaRnnError(f"uploads are limited to {MAX_UPLOAD >> 20} MB")
    return data


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError as e:
        raise FpgaRnnError(f"not JSON: {str(e)[:80]}") from None


def _open_keras(data: bytes, suffix: str, workdir: Path) -> dict[str, Any]:
    from fpga_rnn.loading import import_model

    folder = Path(tempfile.mkdtemp(dir=workdir))
    path = folder / f"model{suffix}"
    path.write_bytes(data)
    ir = import_model(path)  # the allow-list and safe loading of `fpga-rnn import`
    doc, problems = design_from_ir(ir)
    return {"design": doc, "problems": [p.to_json() for p in problems]}


def new_token() -> str:
    return secrets.token_urlsafe(24)
