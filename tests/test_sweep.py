"""Sweeps on a real local Ray: a tiny grid interrupted part-way and resumed (only the
missing trials run again), its tables, Pareto fronts and page; bad inputs refused
before anything runs."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from runcli import cli

from fpga_rnn.sweep import results


@pytest.fixture(scope="module")
def tiny_npz(tmp_path_factory):
    """A small classification set that trains in a few seconds."""
    rng = np.random.default_rng(0)

    def part(n):
        x = rng.normal(0, 1, (n, 8, 2)).astype(np.float32)
        return x, (x[:, :, 0].mean(axis=1) > 0).astype(np.int64)

    xtr, ytr = part(96)
    xte, yte = part(48)
    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    np.savez(path, x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
    return path


GRID = ["--arch", "rnn,gru", "--units", "2", "--bits", "4,8", "--seeds", "1", "--epochs", "2"]


def _args(npz, out) -> list[str]:
    return ["sweep", "--dataset", str(npz), *GRID, "--boards", "pynq-z2,ulx3s-85f",
            "--out", str(out), "--max-concurrent", "1"]  # fmt: skip


@pytest.mark.slow
def test_a_sweep_stopped_part_way_resumes_with_only_the_missing_trials(tiny_npz, tmp_path):
    out = tmp_path / "sw"
    proc = subprocess.Popen(
        [sys.executable, "-m", "fpga_rnn.cli", *_args(tiny_npz, out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    while not list(out.glob("trials/*/result.json")):
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "no trial finished"
        time.sleep(0.5)
    proc.send_signal(signal.SIGINT)  # as Ctrl-C
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    first = {p.parent.name: p.read_text() for p in out.glob("trials/*/result.json")}
    assert 1 <= len(first) < 4, err[-2000:]

    r = cli(*_args(tiny_npz, out), "--json")  # without --resume: refused, nothing lost
    assert r.returncode == 1 and "--resume" in r.stderr
    r = cli(*_args(tiny_npz, out), "--resume", "--synthesize-front", "--json")
    assert r.returncode == 0, r.stderr[-3000:]
    s = json.loads(r.stdout)
    assert s["trials"] == 4 and s["ok"] == 4 and s["failed"] == 0
    assert s["ran_now"] == 4 - len(first)  # only the missing trials were trained
    for tid, text in first.items():  # the earlier results are untouched
        assert (out / "trials" / tid / "result.json").read_text() == text
    assert f"{len(first)} of 4 trials already ran" in r.stderr

    # one row per trial and board, in the CSV and the JSON
    rows = list(csv.DictReader((out / "sweep.csv").open()))
    assert len(rows) == 8 and {r["board"] for r in rows} == {"pynq-z2", "ulx3s-85f"}
    assert json.loads((out / "sweep.json").read_text())["rows"] == s["rows"]
    for row in s["rows"]:
        assert row["status"] == "ok" and 0 <= row["quality"] <= 1
        assert row["fits"] and row["dsp"] > 0 and row["us_per_sequence"] > 0
        assert (out / "trials" / row["id"] / "ir" / "ir.json").is_file()
    # the front: on it, nothing is both as good and cheaper
    fronts = json.loads((out / "pareto.json").read_text())["fronts"]
    for board in ("pynq-z2", "ulx3s-85f"):
        pts = [c for c in s["configurations"] if c["board"] == board]
        front = fronts[board]["us_per_sequence"]
        assert front
        for c in pts:
            better = [
                o for o in pts
                if o["us_per_sequence"] < c["us_per_sequence"]
                and o["quality_mean"] > c["quality_mean"]
            ]  # fmt: skip
            assert (c["config"] in front) <= (not better)
    page = (out / "sweep.html").read_text()
    assert page.count("data:image/png;base64,") >= 4 and "Pareto" in page
    # --synthesize-front: fit (yosys; nextpnr on the ECP5) on each board's µs front
    for board in ("pynq-z2", "ulx3s-85f"):
        syn = s["front_synthesized"][board]
        assert set(syn) == set(fronts[board]["us_per_sequence"])
        for point in syn.values():
            assert point["status"] == "ok" and point["resources"]["dsp"] > 0
            assert (tmp_path / "sw" / "front" / board).is_dir()
    assert next(iter(s["front_synthesized"]["ulx3s-85f"].values()))["fmax_mhz"] > 0
    assert "reuse" in page and "synthesized (fit)" in page

    # the best point, built end to end from its trained model (no retraining)
    flow_out = tmp_path / "flow"
    r = cli("flow", "--out", str(flow_out), "--from-sweep", str(out), "--pick", "best",
            "--board", "pynq-z2", "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    f = json.loads(r.stdout)
    assert "taking the trained model" in r.stderr and f["summary"]["bit_exact"]["rtl"]
    on_board = [c for c in s["configurations"] if c["board"] == "pynq-z2"]
    keys = ("arch", "units", "bits", "int_bits", "layers")
    picked = next(c for c in on_board if all(c[k] == f["config"][k] for k in keys))
    assert picked["quality_mean"] == max(c["quality_mean"] for c in on_board)


def test_pareto_keeps_exactly_the_undominated_points() -> None:
    pts = [
        {"config": "a", "fits": True, "quality_mean": 0.9, "us": 5.0},
        {"config": "b", "fits": True, "quality_mean": 0.8, "us": 2.0},
        {"config": "c", "fits": True, "quality_mean": 0.7, "us": 3.0},  # dominated by b
        {"config": "d", "fits": True, "quality_mean": 0.95, "us": 9.0},
        {"config": "e", "fits": False, "quality_mean": 0.99, "us": 1.0},  # does not fit
        {"config": "f", "fits": True, "quality_mean": 0.9, "us": 6.0},  # dominated by a
    ]
    assert results.pareto(pts, "us") == ["b", "a", "d"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "nope", "--arch", "lstm", "--units", "8", "--bits", "8"], "unknown dataset"),
        (["--dataset", "waveforms", "--arch", "lsm", "--units", "8", "--bits", "8"], "lsm"),
        (["--dataset", "waveforms", "--arch", "lstm", "--units", ",", "--bits", "8"], "empty"),
        (["--dataset", "waveforms", "--arch", "lstm", "--units", "8,x", "--bits", "8"], "list"),
        (
            [
                "--dataset",
                "waveforms",
                "--arch",
                "lstm",
                "--units",
                "8",
                "--bits",
                "8",
                "--boards",
                "nowhere",
            ],
            "unknown board",
        ),
        (
            [
                "--dataset",
                "waveforms",
                "--arch",
                "lstm",
                "--units",
                "8",
                "--bits",
                "8",
                "--address",
                "127.0.0.1:1",
            ],
            "cannot reach a Ray cluster",
        ),
        (["--arch", "lstm", "--units", "8", "--bits", "8"], "--dataset"),
    ],
)
def test_bad_sweeps_are_one_line_errors_before_anything_runs(tmp_path, args, message) -> None:
    r = cli("sweep", "--out", str(tmp_path / "sw"), *args)
    assert r.returncode == 1 and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "sw").exists()


def test_a_yaml_spec_gives_the_same_grid(tmp_path) -> None:
    from fpga_rnn.sweep import SweepSpec, load_spec

    f = tmp_path / "s.yaml"
    f.write_text("dataset: waveforms\narch: [lstm, gru]\nunits: 8\nbits: [4, 8]\nseeds: 2\n")
    s = SweepSpec(**load_spec(f)).validate()
    grid = s.grid()
    assert len(grid) == 2 * 1 * 2 * 2 and len({g["id"] for g in grid}) == 8
    f.write_text("dataset: waveforms\narch: lstm\nunits: 8\nbits: 8\ncolour: blue\n")
    with pytest.raises(Exception, match="unknown key 'colour'"):
        load_spec(f)


def _finished_sweep(tmp_path, npz):
    """A sweep folder made from two hand-written results (no Ray): pick's input."""
    from fpga_rnn import sweep as sw
    from fpga_rnn.sweep.spec import SweepSpec

    spec = SweepSpec(dataset=str(npz), arch=["rnn"], units=[2, 3], bits=[8], boards=["pynq-z2"])
    out = tmp_path / "sw"
    for i, t in enumerate(spec.grid()):
        run = out / "trials" / t["id"]
        (run / "ir").mkdir(parents=True)
        (run / "ir" / "ir.json").write_text("{}")
        (run / "model.keras").write_text("")
        hw = {"fits": True, "us_per_sequence": 1.0 + i, "dsp": 4 + i}
        res = {"id": t["id"], "config": t, "status": "ok", "task": "classification",
               "golden": {"accuracy": 0.8 + 0.1 * i}, "float": {"accuracy": 0.9},
               "trial_dir": str(run), "boards": {"pynq-z2": hw}}  # fmt: skip
        (run / "result.json").write_text(json.dumps(res))
    r = sw.sweep(spec, out, resume=True)  # every trial has a result: nothing runs
    assert r["ran_now"] == 0
    return out, spec.grid()


def test_pick_names_a_point_of_a_finished_sweep(tmp_path, tiny_npz) -> None:
    from fpga_rnn.errors import InputError
    from fpga_rnn.sweep.pick import pick

    out, grid = _finished_sweep(tmp_path, tiny_npz)
    small, big = grid
    assert pick(out, "best", "pynq-z2")["id"] == big["id"]  # the more accurate one
    assert pick(out, "best-under-us=1.5", "pynq-z2")["id"] == small["id"]
    assert pick(out, small["id"], "pynq-z2")["id"] == small["id"]
    assert pick(out, "rnn3x1-b8i0", "pynq-z2")["id"] == big["id"]  # a configuration
    assert pick(out, "best", "pynq-z2")["run_dir"].endswith(big["id"])
    for bad, msg in [("best-under-us=0.5", "no configuration"), ("nope", "not a trial"),
                     ("best-under-us=x", "number")]:  # fmt: skip
        with pytest.raises(InputError, match=msg):
            pick(out, bad, "pynq-z2")
    with pytest.raises(InputError, match="did not fit"):
        pick(out, "best", "ulx3s-85f")
