"""The examples/ scripts run as users would run them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quickstart_example(tmp_path, tfq):
    spec = importlib.util.spec_from_file_location("quickstart", ROOT / "examples/quickstart.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    result = mod.main(["--out", str(tmp_path), "--epochs", "4"])
    saved = json.loads((tmp_path / "quickstart.json").read_text())
    assert saved == json.loads(json.dumps(result))
    assert saved["samples"] == 500
    assert saved["float_accuracy"] > 0.9
    assert abs(saved["golden_accuracy"] - saved["float_accuracy"]) <= 0.01
    assert saved["max_abs_error"] <= 0.02
    assert (tmp_path / "ir" / "ir.json").is_file() and (tmp_path / "model.keras").is_file()
    # the trained QKeras model's RTL equals golden bit for bit on every test sequence
    assert saved["rtl"]["sequences"] == 200 and saved["rtl"]["mismatches"] == 0
    assert saved["rtl"]["bit_exact"] is True
    assert (tmp_path / "rtl" / "frnn_top.v").is_file()
    assert saved["rtl"]["latency_cycles"] >= saved["rtl"]["lower_bound_cycles"] > 0
    assert saved["hls"] == {"part": "xc7z020clg400-1", "mismatches": 0, "bit_exact": True}
    assert (tmp_path / "hls" / "build_prj.tcl").is_file()
    # the same sequences through the simulated board's UART link, bit-exact
    assert saved["board_simulated"]["mismatches"] == 0
    assert saved["board_simulated"]["cycles_mean"] > 0
    # the Zynq package of the same IR: its design is the RTL above
    assert (
        saved["pynq_package"]["digest"]
        == json.loads((tmp_path / "rtl" / "rtl.json").read_text())["digest"]
    )
    assert (tmp_path / "pynq" / "driver" / "frnn_words.py").is_file()


def test_streaming_example(tmp_path, tfq):
    spec = importlib.util.spec_from_file_location("streaming", ROOT / "examples/streaming.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    result = mod.main(["--out", str(tmp_path), "--epochs", "4"])
    saved = json.loads((tmp_path / "streaming.json").read_text())
    assert saved == json.loads(json.dumps(result))
    # the forecaster flags most events and (almost) nothing else
    assert saved["events"] == 8 and saved["detected"] >= 6
    assert saved["false_alarm_samples"] <= 5
    # every sample of the stream, one per RTL burst, equals golden's stream
    r = saved["rtl"]
    assert r["samples"] == r["chunks"] == mod.LENGTH - 1
    assert r["mismatches"] == 0 and r["bit_exact"] is True
    assert r["sample_latency_cycles"] > r["cycles_per_sample"] > 0
    assert r["clock_basis"] == "estimate" and r["sample_latency_ns"] > 0
    assert (tmp_path / "streaming.png").stat().st_size > 20_000
    # the airline series streamed month by month: golden and RTL agree on every month
    a = saved["airline"]
    assert a["months"] == 144 and a["test_months"] == 36
    assert a["rtl_mismatches"] == 0 and a["rtl_bit_exact"] is True
    assert 0 < a["mean_abs_error_passengers"] < 150  # thousands of passengers a month
    assert (tmp_path / "airline.png").stat().st_size > 20_000


def test_importing_fpga_rnn_does_not_import_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys, fpga_rnn, fpga_rnn.golden, fpga_rnn.ir, fpga_rnn.cli; "
        "bad = [m for m in ('tensorflow', 'qkeras', 'hls4ml', 'cocotb') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
