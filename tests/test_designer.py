"""fpga-rnn designer without a browser: the design checks, the cost against fit's and
the plan's own numbers, the exported script, and the server's refusals (token,
origin, Host, non-loopback clients, hostile uploads)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import numpy as np
import pytest
from starlette.testclient import TestClient

from fpga_rnn.backends.rtl.build import design as rtl_design
from fpga_rnn.boards import load_board
from fpga_rnn.designer import app as app_module
from fpga_rnn.designer.app import create_app
from fpga_rnn.designer.cost import cost
from fpga_rnn.designer.spec import default_design, parse, to_ir
from fpga_rnn.fit import ranked
from fpga_rnn.ir import random as rir

TOKEN = "t0ken-for-tests"
PORT = 8123
HOST = f"127.0.0.1:{PORT}"


def _client(tmp_path, client=("127.0.0.1", 5555), **headers) -> TestClient:
    app = create_app(TOKEN, PORT, tmp_path)
    return TestClient(app, base_url=f"http://{HOST}", headers=headers, client=client)


def _bilstm(units=12, bits=6) -> dict:
    d = default_design()
    d["layers"] = [
        {"kind": "lstm", "units": units, "bits": bits, "bidirectional": True},
        {"kind": "dense", "units": 9, "activation": "softmax", "bits": bits},
    ]
    return d


def test_problems_are_reported_where_they_are_made():
    d = _bilstm()
    d["layers"].insert(0, {"kind": "dense", "units": 4, "activation": "softmax"})
    d["layers"].append({"kind": "conv1d", "units": 4})
    _, problems = parse(d)
    where = {p.layer: p.message for p in problems}
    assert "last layer" in where[0]
    assert "before the recurrent layers" in where[3] or "takes no mask" in where[3]
    d = _bilstm()
    d["layers"][0]["units"] = "12; import os"
    _, problems = parse(d)
    assert problems[0].layer == 0 and "whole number" in problems[0].message
    d = _bilstm()
    d["name"] = "x); os.system('id') #"
    assert "not a valid name" in parse(d)[1][0].message


def test_cost_is_fits_and_the_plans():
    """The designer shows fit's first choice and the plan's cycles for the same IR."""
    doc = _bilstm()
    c = cost(doc, "pynq-z2")
    ir = rir.model(
        [
            {
                "kind": "bidirectional",
                "forward": {"kind": "lstm", "units": 12, "bits": 6, "return_sequences": False},
                "backward": {"kind": "lstm", "units": 12, "bits": 6, "return_sequences": False},
            },
            {"kind": "dense", "units": 9, "activation": "softmax", "bits": 6},
        ],
        features=12,
        timesteps=29,
        name="designed",
    )
    fitting, _ = ranked(ir, load_board("pynq-z2"))
    first = fitting[0][0]
    assert c["multipliers"] == first["multipliers"]
    assert c["cycles_per_step"] == first["cycles_per_step"]
    assert c["resources"] == {**first["predicted"], "dsp": first["multipliers"]}
    assert c["model"]["parameters"] == sum(r["params"] for r in ir.summary())
    at8 = cost(doc, "pynq-z2", reuse=8)
    d8 = rtl_design(ir, 8)
    assert at8["cycles_per_step"] == d8.cycles_per_step
    assert at8["multipliers"] == d8.info["multipliers"]
    # a design too big for a board says why
    big = cost(_bilstm(units=48), "icebreaker")
    assert big["fits"] is False and big["why_not"]


def test_export_script_embeds_the_design_as_data(tmp_path):
    with _client(tmp_path, **{"X-Token": TOKEN}) as c:
        r = c.post("/api/export", json={"design": _bilstm(), "dataset": "japanese-vowels"})
    out = r.json()
    assert out["ok"] and "build_stack(DESIGN" in out["script"]
    compile(out["script"], "exported.py", "exec")  # valid Python
    assert out["command"].startswith("fpga-rnn flow --design designer.json")


@pytest.mark.parametrize(
    ("path", "headers", "params", "client", "why"),
    [
        ("/", {}, {}, ("127.0.0.1", 1), "token"),
        ("/", {}, {"token": "wrong"}, ("127.0.0.1", 1), "token"),
        (
            "/api/catalogue",
            {"X-Token": TOKEN, "Origin": "http://evil.example"},
            {},
            ("127.0.0.1", 1),
            "cross-origin",
        ),
        (
            "/api/catalogue",
            {"X-Token": TOKEN, "Host": "evil.example"},
            {},
            ("127.0.0.1", 1),
            "Host",
        ),
        ("/api/catalogue", {"X-Token": TOKEN}, {}, ("10.1.2.3", 1), "this machine"),
    ],
    ids=["no-token", "wrong-token", "other-origin", "rebinding-host", "not-loopback"],
)
def test_refused_requests(tmp_path, path, headers, params, client, why):
    with _client(tmp_path, client=client) as c:
        r = c.get(path, params=params, headers=headers)
    assert r.status_code == 403 and why in r.json()["error"]


def test_allowed_request_and_same_origin(tmp_path):
    with _client(tmp_path) as c:
        page = c.get("/", params={"token": TOKEN})
        cat = c.get("/api/catalogue", headers={"X-Token": TOKEN, "Origin": f"http://{HOST}"})
    assert page.status_code == 200 and f"token={TOKEN}" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert cat.status_code == 200 and "lstm" in cat.json()["kinds"]


def _upload(tmp_path, route: str, name: str, data: bytes) -> Any:
    with _client(tmp_path, **{"X-Token": TOKEN}) as c:
        return c.post(route, files={"file": (name, data)})


def test_hostile_uploads_are_refused_and_stay_in_the_work_folder(tmp_path, monkeypatch):
    # a pickle inside a .npz: the dataset reader loads without pickles
    buf = io.BytesIO()
    np.savez(
        buf,
        x_train=np.array([object()], dtype=object),
        y_train=np.zeros(1),
        x_test=np.zeros((1, 2, 2)),
        y_test=np.zeros(1),
    )
    r = _upload(tmp_path, "/api/dataset", "../../evil.npz", buf.getvalue())
    assert r.status_code == 400 and "\n" not in r.json()["error"]
    assert not (tmp_path.parent / "evil.npz").exists()
    assert all(p.name.startswith("upload-") for p in (tmp_path / "datasets").iterdir())
    # a model naming a class outside the allow-list (a Lambda would run code)
    cfg = {
        "class_name": "Sequential",
        "config": {
            "name": "m",
            "layers": [{"class_name": "Lambda", "config": {"name": "evil", "function": "print"}}],
        },
    }
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("config.json", json.dumps(cfg))
    r = _upload(tmp_path, "/api/open", "model.keras", z.getvalue())
    assert r.status_code == 400 and "Lambda is not supported" in r.json()["error"]
    # oversized
    monkeypatch.setattr(app_module, "MAX_UPLOAD", 1000)
    r = _upload(tmp_path, "/api/dataset", "big.npz", b"0" * 2000)
    assert r.status_code == 400 and "limited" in r.json()["error"]
    # a designer.json with problems opens, and says what is wrong
    bad = _bilstm()
    bad["layers"][0]["units"] = -1
    r = _upload(tmp_path, "/api/open", "d.json", json.dumps(bad).encode())
    assert r.json()["problems"][0]["layer"] == 0


def test_to_ir_matches_the_trained_structure_counts():
    """The cost's IR has the parameters Keras would count (checked in the browser test
    against a trained export)."""
    d, _ = parse(_bilstm())
    assert d is not None
    assert sum(r["params"] for r in to_ir(d).summary()) == 2 * 4 * 12 * (12 + 12 + 1) + 9 * 25


def _wait(c, jid: str, limit: float = 600) -> dict:
    import time

    t0 = time.time()
    while time.time() - t0 < limit:
        j = c.get(f"/api/jobs/{jid}").json()
        if j["state"] != "running":
            return j
        time.sleep(0.5)
    raise AssertionError("job did not finish")


def test_synthesize_a_point_in_the_background(tmp_path):
    """The button's job: the shown candidate through yosys, measured beside predicted."""
    d = default_design()
    d["layers"][0]["units"], d["layers"][1]["units"] = 4, 3
    with _client(tmp_path, **{"X-Token": TOKEN}) as c:
        r = c.post("/api/synth", json={"design": d, "board": "pynq-z2"}).json()
        j = _wait(c, r["job"])
    assert j["state"] == "done", j["error"]
    res = j["result"]["resources"]
    assert res["dsp"] == r["predicted"]["dsp"] and res["lut"] > 0
    assert any("yosys" in e.get("message", "") for e in j["events"])  # progress shown


def test_open_a_keras_model_to_edit(tfq, tmp_path):
    from fpga_rnn.models import build_stack

    doc = _bilstm(units=5, bits=6)
    path = tmp_path / "m.keras"
    build_stack(doc).save(path)
    r = _upload(tmp_path, "/api/open", "m.keras", path.read_bytes())
    got = r.json()["design"]
    assert [(la["kind"], la["units"], la["bits"]) for la in got["layers"]] == [
        ("lstm", 5, 6),
        ("dense", 9, 6),
    ]
    assert got["layers"][0]["bidirectional"] and got["input"]["masked"]
