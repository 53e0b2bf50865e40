"""Hostile and malformed input: names are data, every failure is one line, nothing hangs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from runcli import cli

import fpga_rnn
from fpga_rnn import escape
from fpga_rnn.boards import BoardError, load_board
from fpga_rnn.datasets import from_npz
from fpga_rnn.errors import InputError, IRError, OutputError, OutputExistsError
from fpga_rnn.ir import Model
from fpga_rnn.ir import random as rir
from fpga_rnn.outputs import atomic_dir, atomic_file

BOARDS = Path(__file__).resolve().parents[1] / "boards"
HOSTILE = [
    "m */\n#include <stdlib.h>\n__attribute__((constructor)) static void p(void) "
    '{ system("touch PWNED"); }\n/* ',
    'x\\\nsystem("touch PWNED");',  # backslash-newline continues a // comment
    "x ??/\nint pwned;",  # a trigraph backslash
    'x\r\n`define PWNED\n$system("touch PWNED");',
    "x\u2028y */ $display",
    "\x1b]0;title\x07\x1b[2J[red]x[/]",
    '"; exec touch PWNED; "',
    "<script>alert(1)</script>",
]


@pytest.fixture(scope="module")
def ir_dir(tmp_path_factory) -> Path:
    m = rir.model(
        [{"kind": "lstm", "units": 3}, {"kind": "dense", "units": 2, "activation": "softmax"}],
        features=2,
        name="m",
    )
    return m.save(tmp_path_factory.mktemp("ir") / "ir")


def _edit(src: Path, dst: Path, edit) -> Path:
    shutil.copytree(src, dst)
    doc = json.loads((dst / "ir.json").read_text())
    edit(doc)
    (dst / "ir.json").write_text(json.dumps(doc))
    return dst


def _one_line_error(r: subprocess.CompletedProcess, code: int = 1) -> str:
    assert r.returncode == code, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "\x1b" not in r.stderr + r.stdout
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    return lines[0]


# --- names are checked where they enter ------------------------------------------------


@pytest.mark.parametrize("name", [*HOSTILE, "", "9lives", "a" * 65, "my-model", "x y"])
def test_ir_refuses_non_identifier_names(ir_dir, tmp_path, name):
    bad_model = _edit(ir_dir, tmp_path / "a", lambda d: d.update(name=name))
    bad_layer = _edit(ir_dir, tmp_path / "b", lambda d: d["layers"][0].update(name=name))
    for p in (bad_model, bad_layer):
        with pytest.raises(IRError, match="is not a valid name"):
            Model.load(p)
    msg = _one_line_error(cli("info", str(bad_layer)))
    assert "layer name" in msg


def test_ir_refuses_wrong_types_and_sizes(ir_dir, tmp_path):
    cases = {
        "layers": lambda d: d.update(layers=5),
        "a layer": lambda d: d.update(layers=[5]),
        "units": lambda d: d["layers"][0].update(units="3"),
        "table size": lambda d: d["layers"][0]["table"].update(size=1 << 40),
        "features": lambda d: d["input"].update(features=1 << 40),
        "mask": lambda d: d["input"].update(mask_value="nan"),
    }
    for i, edit in enumerate(cases.values()):
        p = _edit(ir_dir, tmp_path / str(i), edit)
        with pytest.raises(IRError):
            Model.load(p)
        _one_line_error(cli("info", str(p)))


def test_keras_import_refuses_hostile_names(tfq):
    from fpga_rnn.errors import UnsupportedError

    tf, _ = tfq
    L = tf.keras.layers
    inp = L.Input((4, 2))
    model = tf.keras.Model(inp, L.Dense(2, name="d-x")(L.LSTM(3)(inp)), name="ok")
    with pytest.raises(UnsupportedError, match="rename the layer in Keras"):
        fpga_rnn.import_model(model)
    model = tf.keras.Model(inp, L.Dense(2)(L.LSTM(3)(inp)), name="my-model")
    with pytest.raises(UnsupportedError, match="rename the model in Keras"):
        fpga_rnn.import_model(model)


@pytest.mark.parametrize("name", [HOSTILE[0], "a-b.c/d>e"])
def test_keras_file_with_hostile_names_is_refused(tfq, tmp_path, name):
    """A .keras file made of allow-listed layers, its config edited to carry code in a
    layer name (Keras itself never writes such a name): one line, exit 1, nothing written."""
    import zipfile

    tf, _ = tfq
    L = tf.keras.layers
    inp = L.Input((4, 2))
    tf.keras.Model(inp, L.Dense(2, name="head")(L.LSTM(3)(inp)), name="m").save(
        tmp_path / "m.keras"
    )
    src, dst = tmp_path / "m.keras", tmp_path / "evil.keras"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "config.json":
                data = data.replace(b'"head"', json.dumps(name).encode())
            zout.writestr(item, data)
    r = cli("import", str(dst), "--out", str(tmp_path / "ir"))
    msg = _one_line_error(r)  # Keras refuses the first on load; we refuse what it accepts
    assert "not a valid" in msg and not (tmp_path / "ir").exists()


def _board(tmp_path: Path, **changes) -> Path:
    data = yaml.safe_load((BOARDS / "icebreaker.yaml").read_text())
    data.update(changes)
    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


@pytest.mark.parametrize(
    "changes",
    [
        {"pnr": "sh -c touch${IFS}PWNED"},
        {"pnr": "nextpnr-ice40 --up5k --pre-pack evil.py"},
        {"pnr": "nextpnr-ice40 --package sg48;rm"},
        {"synth": "synth_ice40; tee -o PWNED stat"},
        {"synth": "script evil.ys"},
        {"part": '"; exec touch PWNED; "'},
        {"part": "<script>alert(1)</script>"},
        {"name": "../../etc"},
        {"package": "sg48 --pre-pack x.py"},
        {"description": "line\n<b>two"},
        {"clock_mhz": float("nan")},
        {"clock_mhz": float("inf")},
        {"clock_mhz": 0},
        {"bram_kbits": 0},
        {"resources": {"lut": 10**12, "ff": 1, "dsp": 1, "bram": 1}},
    ],
)
def test_board_files_cannot_run_commands(tmp_path, changes):
    p = _board(tmp_path, **changes)
    with pytest.raises(BoardError, match=str(p)):
        load_board(p)
    r = cli("hls", "x", "--board", str(p), "--out", str(tmp_path / "o"), "--no-csim")
    _one_line_error(r)


def test_builtin_boards_pass_the_same_checks():
    from fpga_rnn.boards import available_boards

    for name in available_boards():
        load_board(name)


# --- and escaped where they leave ------------------------------------------------------


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_escapes_cannot_end_their_context(s):
    for out in (escape.c_comment(s), escape.verilog_comment(s)):
        assert "*/" not in out and "/*" not in out and "//" not in out
        assert not set(out) & set('\n\r\\`?$"\x1b\u2028\u2029')
    t = escape.printable(s)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in t)
    h = escape.html_text(s)
    assert "<" not in h and ">" not in h and '"' not in h and "'" not in h


def test_c_and_cpp_comments_hold_hostile_names(tmp_path):
    """Every hostile name in /* */ and // comments: gcc and g++ compile a program that only
    prints OK (a constructor or statement that escaped the comment would fail or run)."""
    lines = [f"/* {escape.c_comment(s)} */\n// {escape.c_comment(s)}\n" for s in HOSTILE]
    src = "".join(lines) + '#include <stdio.h>\nint main(void) { puts("OK"); return 0; }\n'
    for cc, ext in (("gcc", "c"), ("g++", "cpp")):
        f = tmp_path / f"t.{ext}"
        f.write_text(src)
        std = ["-std=c99", "-trigraphs"] if ext == "c" else ["-std=c++11"]
        subprocess.run(
            [cc, *std, "-Wall", "-Werror", str(f), "-o", str(tmp_path / "t")], check=True
        )
        r = subprocess.run([str(tmp_path / "t")], capture_output=True, text=True, cwd=tmp_path)
        assert r.stdout == "OK\n" and not (tmp_path / "PWNED").exists()


def test_verilog_comments_hold_hostile_names(tmp_path):
    from fpga_rnn.backends.rtl.sim import find_verilator

    body = "".join(f"  // {escape.verilog_comment(s)}\n" for s in HOSTILE)
    f = tmp_path / "t.v"
    f.write_text(f"`default_nettype none\nmodule t (input wire a, output wire b);\n{body}"
                 "  assign b = a;\nendmodule\n")  # fmt: skip
    r = subprocess.run(
        [str(find_verilator()), "--lint-only", "-Wall", str(f)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr


def test_tcl_words_are_literal(tmp_path):
    for s in [*HOSTILE, "a b", "$x", "[exec ls]", "{x}", "a;b"]:
        with pytest.raises(InputError):
            escape.tcl_word(s, "part")
    tclsh = shutil.which("tclsh")
    parts = [load_board(p.stem).part for p in sorted(BOARDS.glob("*.yaml"))]
    if tclsh is None:
        pytest.skip("tclsh not installed; tcl_word's refusals were checked above")
    script = "".join(f'set p "{escape.tcl_word(p, "part")}"\nputs $p\n' for p in parts)
    (tmp_path / "t.tcl").write_text(script)
    r = subprocess.run([tclsh, str(tmp_path / "t.tcl")], capture_output=True, text=True)
    assert r.stdout.split() == parts


def test_report_escapes_every_value(tmp_path):
    from fpga_rnn.boards import parse_board
    from fpga_rnn.report import write_report

    out = tmp_path / "flow"
    rir.model([{"kind": "gru", "units": 2}], features=2, name="m").save(out / "train" / "ir")
    evil = "<script>alert(1)</script>"
    metrics = {
        "model": evil,
        "dataset": {"name": evil, "description": evil, "train": evil, "test": evil},
        "parameters": evil,
        "config": {"model": {"arch": evil}, "precision": evil},
        "epochs_run": evil,
        "best_epoch": evil,
    }
    (out / "train" / "metrics.json").write_text(json.dumps(metrics))
    (out / "hls.json").write_text(json.dumps({"available": False, "reason": evil}))
    (out / "verify.json").write_text(
        json.dumps({"samples": evil, "float": {"max_abs_error": evil}})
    )
    data = yaml.safe_load((BOARDS / "pynq-z2.yaml").read_text())
    board = parse_board({**data, "description": evil}, "test")
    page = write_report(out, board=board).read_text()
    assert "<script" not in page and page.count("&lt;script&gt;") >= 8


def test_terminal_output_shows_text_not_markup_or_escapes(tmp_path):
    r = cli("predict", "x", "--input", str(tmp_path / "a[/]b\x1b[2J.npy"), "--out", "y.npy")
    msg = _one_line_error(r)
    assert "a[/]b\\x1b[2J.npy" in msg


# --- one error path ----------------------------------------------------------------------


def _commands() -> list[str]:
    from fpga_rnn.cli import app

    return [c.name or c.callback.__name__ for c in app.registered_commands]


def test_every_command_reports_usage_errors_in_one_line():
    cmds = _commands()
    assert len(cmds) >= 13
    for cmd in cmds:
        msg = _one_line_error(cli(cmd, "--no-such-option"), 2)
        assert "--no-such-option" in msg and f"fpga-rnn {cmd} --help" in msg


@pytest.mark.parametrize(
    "args",
    [
        ["rtl"],
        ["verify", "m", "--samples", "abc"],
        ["verify", "m", "--samples", "-5"],
        ["verify", "m", "--samples", "0"],
        ["verify", "m", "--gap", "100"],
        ["verify", "m", "--gap", "-10"],
        ["verify", "m", "--backpressure", "150"],
        ["rtl", "m", "--out", "o", "--reuse", "0"],
        ["rtl", "m", "--out", "o", "--max-timesteps", "0"],
        ["c", "m", "--out", "o", "--max-timesteps", "-1"],
        ["import", "m.keras", "--out", "o", "--table-size", str(1 << 40)],
        ["fit", "m", "pynq-z2", "--out", "o", "--max-utilisation", "0"],
        ["train", "--out", "o", "--units", "0"],
        ["train", "--out", "o", "--bits", "1"],
        ["hls", "m", "--out", "o", "--reuse", "0"],
    ],
)
def test_bad_option_values_are_usage_errors(args):
    _one_line_error(cli(*args), 2)


def test_api_checks_the_same_ranges(ir_dir):
    m = Model.load(ir_dir)
    for kw in ({"gap": 100}, {"gap": -1}, {"backpressure": 150}, {"samples": 0}):
        with pytest.raises(InputError):
            fpga_rnn.verify(m, targets=("golden", "c"), **kw)
    with pytest.raises(InputError, match="empty"):
        fpga_rnn.verify(m, np.zeros((0, 4, 2)), targets=("c",))
    with pytest.raises(InputError, match="nothing to compare with golden"):
        fpga_rnn.verify(m, targets=("golden",))
    with pytest.raises(InputError, match="reuse"):
        fpga_rnn.generate_rtl(m, "unused", reuse=0)
    with pytest.raises(InputError, match="max_timesteps"):
        fpga_rnn.export_c(m, "unused", max_timesteps=0)


# --- inputs, datasets, outputs -----------------------------------------------------------


def test_input_files_must_hold_real_numbers(ir_dir, tmp_path):
    (tmp_path / "empty.npy").write_bytes(b"")
    np.save(tmp_path / "c.npy", np.ones((2, 4, 2)) * (1 + 1j))
    np.save(tmp_path / "s.npy", np.array([["a"]]))
    obj = np.empty(2, dtype=object)
    obj[:] = [1, 2]
    np.savez(tmp_path / "obj.npz", x=obj)
    for f in ("empty.npy", "c.npy", "s.npy", "obj.npz"):
        with pytest.raises(InputError):
            fpga_rnn.load_array(tmp_path / f)
        r = cli(
            "predict", str(ir_dir), "--input", str(tmp_path / f), "--out", str(tmp_path / "y.npy")
        )
        _one_line_error(r)
    with pytest.raises(InputError, match="real numbers"):
        fpga_rnn.predict(ir_dir, np.ones((2, 4, 2)) * 1j)


def test_out_of_range_inputs_are_refused_unless_saturated(ir_dir):
    m = Model.load(ir_dir)
    x = np.random.default_rng(0).uniform(-1, 1, (5, 4, 2))
    x[2, 1, 0] = 1e6
    with pytest.raises(InputError, match=r"outside the input format .* --saturate"):
        fpga_rnn.predict(m, x)
    y = fpga_rnn.predict(m, x, saturate=True)
    clipped = np.clip(x, m.input.fmt.min_value, m.input.fmt.max_value)
    assert np.array_equal(y, fpga_rnn.predict(m, clipped))


def test_golden_chunks_give_the_same_codes(ir_dir, monkeypatch):
    from fpga_rnn.golden import model as gm

    m = Model.load(ir_dir)
    x = np.random.default_rng(3).uniform(-1, 1, (50, 6, 2))
    whole = gm.predict_codes(m, x)
    monkeypatch.setattr(gm, "CHUNK", 7)
    assert np.array_equal(gm.predict_codes(m, x), whole)


def _npz(tmp_path: Path, **arrays) -> Path:
    rng = np.random.default_rng(0)
    base = {
        "x_train": rng.normal(size=(20, 5, 2)),
        "y_train": rng.integers(0, 3, 20),
        "x_test": rng.normal(size=(6, 5, 2)),
        "y_test": rng.integers(0, 3, 6),
    }
    p = tmp_path / "d.npz"
    np.savez(p, **(base | arrays))
    return p


@pytest.mark.parametrize(
    ("arrays", "match"),
    [
        ({"x_train": np.zeros((0, 5, 2)), "y_train": np.zeros(0, np.int64)}, "N, T, F >= 1"),
        ({"y_train": np.array(["a", "b"] * 10)}, "integer class ids or float targets"),
        ({"y_train": np.full(20, 100_000)}, "class ids must be whole numbers from 0 to"),
        ({"y_train": np.ones(20), "y_test": np.zeros(6)}, "whole numbers: save class ids"),
        ({"x_train": np.ones((20, 5, 2)) * 1j}, "real numbers"),
        ({"task": np.array("banana")}, "task must be"),
    ],
)
def test_datasets_refuse_ambiguous_or_huge_labels(tmp_path, arrays, match):
    with pytest.raises(InputError, match=match):
        from_npz(_npz(tmp_path, **arrays))


def test_float_labels_with_a_stated_task(tmp_path):
    ds = from_npz(
        _npz(tmp_path, y_train=np.ones(20), y_test=np.zeros(6), task=np.array("regression"))
    )
    assert ds.task == "regression"
    ds = from_npz(
        _npz(tmp_path, y_train=np.ones(20) * 2, y_test=np.zeros(6), task=np.array("classification"))
    )
    assert ds.task == "classification" and ds.y_train.dtype == np.int64


def test_output_paths(ir_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("keep")
    for out, match in (
        (".", "current folder"),
        ("afile", "is a file"),
        ("afile/sub", "cannot write"),
    ):
        r = cli("rtl", str(ir_dir), "--out", out, "--force")
        assert match in _one_line_error(r)
    assert (tmp_path / "afile").read_text() == "keep"
    (tmp_path / "d").mkdir()
    with pytest.raises(OutputError, match="is a folder"), atomic_file(tmp_path / "d", force=True):
        pass


def test_a_concurrent_run_is_not_silently_replaced(tmp_path):
    """Two runs into one --out without --force: the later fails, the earlier's result stays."""
    target = tmp_path / "out"
    with (
        pytest.raises(OutputExistsError, match="another run"),
        atomic_dir(target, force=False) as t,
    ):
        (t / "mine").write_text("later")
        target.mkdir()
        (target / "theirs").write_text("earlier")
    assert [p.name for p in target.iterdir()] == ["theirs"]
    f = tmp_path / "r.json"
    with pytest.raises(OutputExistsError), atomic_file(f, force=False) as t:
        t.write_text("later")
        f.write_text("earlier")
    assert f.read_text() == "earlier" and len(list(tmp_path.iterdir())) == 2


@pytest.mark.slow
def test_sigterm_mid_build_leaves_nothing_behind(ir_dir, tmp_path):
    """SIGTERM while Verilator builds: exit 130 with one line, no temporary folder, no
    half-built cache entry, and no build tool still running afterwards."""
    import os
    import signal
    import sys
    import time

    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp"), "FPGA_RNN_CACHE": str(tmp_path / "c")}
    (tmp_path / "tmp").mkdir()
    cmd = [sys.executable, "-m", "fpga_rnn.cli", "verify", str(ir_dir), "--samples", "3"]
    p = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list((tmp_path / "c").glob("verilator/.*/*.mk")):  # make has started
        assert time.monotonic() < deadline and p.poll() is None, "the build never started"
        time.sleep(0.2)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130 and err.strip().splitlines()[-1] == "error: interrupted", err
    time.sleep(1)
    assert list((tmp_path / "tmp").iterdir()) == []
    assert [
        q.name for q in (tmp_path / "c" / "verilator").iterdir() if not q.name.endswith(".lock")
    ] == []
    ps = subprocess.run(
        ["ps", "-o", "pid=,ppid=,stat=,args=", "-s", str(p.pid)], capture_output=True, text=True
    )
    alive = [ln for ln in ps.stdout.splitlines() if ln.split()[2][0] != "Z"]  # not zombies
    assert alive == [], f"processes of the run still running: {alive}"


def test_a_tool_past_its_time_limit_is_a_one_line_error(tmp_path, monkeypatch):
    import sys

    from fpga_rnn.errors import ToolError
    from fpga_rnn.synth import run_tool, tool_timeout

    monkeypatch.setenv("FPGA_RNN_TOOL_TIMEOUT", "1")
    cmd = [sys.executable, "-c", "import time; print('working', flush=True); time.sleep(30)"]
    with pytest.raises(ToolError, match=r"yosys did not finish within 1 s"):
        run_tool(cmd, tmp_path, None, None, "x", "yosys", tool_timeout())
    monkeypatch.setenv("FPGA_RNN_TOOL_TIMEOUT", "nan")
    with pytest.raises(InputError, match="positive number"):
        tool_timeout()
    with pytest.raises(InputError, match="--timeout must be a positive"):
        tool_timeout(float("inf"))


@pytest.mark.slow
def test_synth_past_its_timeout_keeps_the_earlier_result(ir_dir, tmp_path):
    """`fpga-rnn synth --timeout`: a run stopped at its limit is one line, exit 1, and the
    folder of an earlier run is left as it was (even with --force)."""
    rtl = tmp_path / "rtl"
    assert cli("rtl", str(ir_dir), "--out", str(rtl), "--reuse", "4").returncode == 0
    out = tmp_path / "synth"
    out.mkdir()
    (out / "synth.json").write_text('{"earlier": true}')
    args = ("synth", str(rtl), "--board", "pynq-z2", "--out", str(out), "--force")
    r = cli(*args, "--timeout", "1")
    assert r.returncode == 1
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]  # after progress
    assert len(errors) == 1 and "did not finish within 1 s" in errors[0]
    assert [p.name for p in out.iterdir()] == ["synth.json"]
    assert (out / "synth.json").read_text() == '{"earlier": true}'


@pytest.mark.slow
def test_two_verify_runs_at_once_share_one_build(ir_dir, tmp_path):
    """Two `verify` runs of a new design started together on an empty cache: both are
    bit-exact, exactly one builds the simulator, the other waits and takes the cache."""
    import os
    import sys

    env = {**os.environ, "FPGA_RNN_CACHE": str(tmp_path / "cache")}
    cmd = [sys.executable, "-m", "fpga_rnn.cli", "verify", str(ir_dir), "--samples", "4"]
    runs = [
        subprocess.Popen(
            [*cmd, "--seed", str(i), "--json"], env=env, stdout=subprocess.PIPE, text=True
        )
        for i in range(2)
    ]
    results = [json.loads(p.communicate(timeout=600)[0]) for p in runs]
    assert [p.returncode for p in runs] == [0, 0]
    assert all(r["bit_exact"] for r in results)
    assert sorted(r["targets"]["rtl"]["simulator_built"] for r in results) == [False, True]
    entries = [p for p in (tmp_path / "cache" / "verilator").iterdir() if p.suffix != ".lock"]
    assert len(entries) == 1
