"""fpga-rnn designer in a real browser: Debian's Chromium, headless, driven by Playwright.

The test starts `fpga-rnn designer --no-browser` as a user would (its first line is the
URL), builds a Bi-LSTM + Dense by clicking, changes units and bits, and checks the
page's cycles and resources against fit's first choice and the plan for the same
model; it measures the cost update latency per edit, exports the training script,
runs it, and checks it imports to the structure the designer showed; it trains from
the page (live curves, then float and fixed-point accuracy) and cancels a training.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from fpga_rnn.backends.rtl.build import design as rtl_design
from fpga_rnn.boards import load_board
from fpga_rnn.fit import ranked
from fpga_rnn.ir import Model
from fpga_rnn.ir import random as rir

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# as the machine's notes say: no background networking on a closed network
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = os.environ.get("FPGA_RNN_DESIGNER_SHOTS")  # a folder: keep the screenshots there

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("designer")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fpga_rnn.cli", "designer", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=work,
    )
    url = proc.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:") and "token=" in url, url
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        pg = browser.new_page(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(server)
        pg.wait_for_function("document.body.dataset.costVersion !== undefined", timeout=30_000)
        yield pg
        assert not errors, errors
        browser.close()


def _settle(pg, edit) -> None:
    """Do an edit and wait until the cost of it is on screen."""
    before = len(pg.evaluate("window.__costLatencies"))
    edit()
    pg.wait_for_function(f"window.__costLatencies.length > {before}", timeout=30_000)
    pg.wait_for_timeout(50)  # let a second request of the same edit land too


def _set(pg, layer: int, name: str, value) -> None:
    field = pg.locator(f'li.layer[data-index="{layer}"] [name="{name}"]')
    if isinstance(value, bool):
        _settle(pg, lambda: field.set_checked(value))
    else:
        _settle(pg, lambda: (field.fill(str(value)), field.dispatch_event("change")))


def _text(pg, id_: str) -> str:
    return pg.locator(f"#{id_}").inner_text()


def _num(text: str) -> int:
    return int(text.split()[0].replace(",", ""))


def _same_model(units: int, bits: int) -> Model:
    """The Bi-LSTM + Dense the clicks build, written out as the random-IR spec fit and
    the plan take (seed 0, as the designer's)."""
    cell = {"kind": "lstm", "units": units, "bits": bits, "return_sequences": False}
    return rir.model(
        [
            {"kind": "bidirectional", "forward": cell, "backward": dict(cell)},
            {"kind": "dense", "units": 9, "activation": "softmax", "bits": bits},
        ],
        features=12,
        timesteps=29,
        name="designed",
    )


def test_compose_by_clicking_and_see_the_cost_of_fit_and_plan(page, tmp_path):
    pg = page
    pg.evaluate("window.__costLatencies.length = 0")
    while pg.locator("li.layer").count():  # start from nothing
        _settle(pg, lambda: pg.locator('li.layer[data-index="0"] .remove').click())
    assert "recurrent layer" in _text(pg, "design-problems")
    _settle(pg, lambda: pg.click("#add-lstm"))
    _set(pg, 0, "bidirectional", True)
    _settle(pg, lambda: pg.click("#add-dense"))
    _set(pg, 1, "units", 9)
    _settle(pg, lambda: pg.select_option('li.layer[data-index="1"] [name="activation"]', "softmax"))
    if SHOTS:
        pg.screenshot(path=f"{SHOTS}/designer-compose.png", full_page=True)
    for units, bits in ((12, 8), (24, 6)):
        _set(pg, 0, "units", units)
        _set(pg, 0, "bits", bits)
        _set(pg, 1, "bits", bits)
        ir = _same_model(units, bits)
        first = ranked(ir, load_board("pynq-z2"))[0][0][0]
        assert _num(_text(pg, "cost-multipliers")) == first["multipliers"]
        assert _num(_text(pg, "cost-cycles-step")) == first["cycles_per_step"]
        assert _num(_text(pg, "cost-params")) == sum(r["params"] for r in ir.summary())
        lut = pg.locator("#bar-lut .label").inner_text()
        assert _num(lut.split()[1]) == round(first["predicted"]["lut"])
    # the plan at a chosen reuse
    _settle(pg, lambda: pg.select_option("#reuse", "8"))
    d8 = rtl_design(_same_model(24, 6), 8)
    assert _num(_text(pg, "cost-cycles-step")) == d8.cycles_per_step
    assert _num(_text(pg, "cost-multipliers")) == d8.info["multipliers"]
    assert "DSP" in _text(pg, "fit-verdict")  # 8 is over the PYNQ-Z2's DSP budget
    _settle(pg, lambda: pg.select_option("#reuse", ""))
    lat = pg.evaluate("window.__costLatencies")
    q = statistics.quantiles(lat, n=20)
    figures = {"edits": len(lat), "median_ms": statistics.median(lat), "p95_ms": q[18]}
    print(f"cost update latency per edit: {json.dumps(figures)}")
    (tmp_path / "latency.json").write_text(json.dumps(figures))
    assert figures["edits"] >= 10
    if SHOTS:
        pg.locator("#cost").screenshot(path=f"{SHOTS}/designer-cost.png")


def test_invalid_combination_is_explained_at_its_layer(page):
    pg = page
    _settle(pg, lambda: pg.click("#add-conv1d"))  # after the recurrent layers, masked input
    last = pg.locator("li.layer").count() - 1
    li = pg.locator(f'li.layer[data-index="{last}"]')
    assert "bad" in li.get_attribute("class")
    assert "before the recurrent layers" in li.locator(".problem").inner_text()
    assert _text(pg, "cost-multipliers") == "–"
    _settle(pg, lambda: li.locator(".remove").click())
    assert _text(pg, "cost-multipliers") != "–"


def test_exported_script_trains_and_imports_to_the_same_structure(page, tmp_path):
    pg = page
    with pg.expect_download() as dl:
        pg.click("#export-script")
    script = tmp_path / dl.value.suggested_filename
    dl.value.save_as(script)
    assert "fpga-rnn flow --design designer.json" in _text(pg, "export-command")
    shown = pg.evaluate("window.__lastExport.design")
    out = tmp_path / "run"
    r = subprocess.run(
        [sys.executable, str(script), "--out", str(out), "--epochs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    scores = json.loads(r.stdout.strip().splitlines()[-1])
    assert 0 <= scores["fixed_point_accuracy"] <= 1
    ir = Model.load(out / "ir")
    assert [la.kind for la in ir.layers] == ["bidirectional", "dense"]
    assert ir.layers[0].forward.units == shown["layers"][0]["units"]
    assert ir.layers[0].forward.kernel.fmt.width == shown["layers"][0]["bits"]
    assert ir.output_shape == (9,)
    costed = pg.evaluate(
        "fetch('api/cost', {method: 'POST', headers: {'X-Token': new URLSearchParams("
        "location.search).get('token'), 'Content-Type': 'application/json'}, body: "
        "JSON.stringify({design: window.__lastExport.design, board: 'pynq-z2'})})"
        ".then(r => r.json())"
    )
    assert [la["kind"] for la in costed["model"]["layers"]] == [la.kind for la in ir.layers]
    assert costed["model"]["parameters"] == sum(r["params"] for r in ir.summary())


def test_train_from_the_page_with_live_curves_then_cancel(page):
    pg = page
    _set(pg, 0, "units", 4)  # small, so the flow's synthesis and verification are quick
    pg.fill("#epochs", "3")
    pg.click("#train-start")
    pg.wait_for_function(
        "document.getElementById('train-result').textContent.includes('fixed point')",
        timeout=300_000,
    )
    assert "float" in _text(pg, "train-result")
    assert pg.locator("#curves .scatterlayer .trace").count() >= 2  # loss, val_loss, ...
    assert "disabled" not in (pg.locator("#export-keras").get_attribute("class") or "")
    # verify and report the trained model: fpga-rnn flow in the background
    pg.click("#flow-start")
    pg.wait_for_function(
        "!document.getElementById('flow-report').classList.contains('disabled')", timeout=600_000
    )
    assert "rtl bit-exact" in _text(pg, "flow-status")
    if SHOTS:
        pg.locator("#train").screenshot(path=f"{SHOTS}/designer-train.png")
    with pg.context.expect_page() as report:
        pg.click("#flow-report")
    report.value.wait_for_load_state()
    assert "fpga-rnn report" in report.value.title()
    report.value.close()
    pg.fill("#epochs", "500")
    pg.click("#train-start")
    pg.wait_for_function("!document.getElementById('train-cancel').disabled", timeout=30_000)
    pg.click("#train-cancel")
    pg.wait_for_function(
        "document.getElementById('train-status').textContent.startsWith('cancelled')",
        timeout=60_000,
    )
