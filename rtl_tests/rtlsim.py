"""Helpers for the cocotb tests: build a core (or a generated wrapper) with the
pinned Verilator through cocotb's runner, cached per source+parameters, and run
the cocotb tests of a module against it."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fpga_rnn.backends.rtl.build import core_files, include_dir
from fpga_rnn.backends.rtl.sim import BUILD_ARGS, MAKE_FIX, build_cached, find_verilator
from fpga_rnn.outputs import cache_dir


def run_cocotb(
    module: str,
    toplevel: str,
    *,
    parameters: dict | None = None,
    extra_sources: dict[str, str] | None = None,
    env: dict | None = None,
    work: Path,
) -> None:
    """Build ``toplevel`` from the package cores plus ``extra_sources`` (name -> text)
    and run the cocotb tests in ``module``; fail the pytest test on any failure. An
    extra ``.vh`` is a header: written to ``work``, which is then an include folder."""
    from cocotb_tools.runner import get_runner

    find_verilator()
    srcs, headers = [], []
    for name, text in (extra_sources or {}).items():
        p = work / name
        p.write_text(text)
        (headers if name.endswith(".vh") else srcs).append(p)
    sources = [*core_files(), *srcs]
    key = [parameters or {}, BUILD_ARGS, MAKE_FIX]
    h = hashlib.sha256(json.dumps(key, sort_keys=True).encode())
    for f in [*sources, *headers]:
        h.update(f.read_bytes())
    build_dir = cache_dir() / "rtl_tests" / f"{toplevel}-{h.hexdigest()[:16]}"
    runner = get_runner("verilator")
    build_cached(
        runner,
        build_dir,
        sources=sources,
        includes=[include_dir(), *([work] if headers else [])],
        hdl_toplevel=toplevel,
        parameters=parameters or {},
        build_args=BUILD_ARGS,
        log_file=work / "build.log",
    )
    try:
        xml = runner.test(
            test_module=module,
            hdl_toplevel=toplevel,
            hdl_toplevel_lang="verilog",
            build_dir=build_dir,
            test_dir=work,
            extra_env={k: str(v) for k, v in (env or {}).items()},
            log_file=work / "sim.log",
        )
    except SystemExit:  # the runner exits on failed tests; show the log instead
        pytest.fail(f"cocotb tests failed\n{(work / 'sim.log').read_text()[-3000:]}")
    root = ET.parse(xml).getroot()
    cases = list(root.iter("testcase"))
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    if not cases or failed:
        log = (work / "sim.log").read_text()[-3000:]
        pytest.fail(f"cocotb tests failed: {failed or 'none ran'}\n{log}")


def check_model(
    model,
    *,
    reuse: int,
    samples: int = 1000,
    lengths: tuple[int, int] = (12, 12),
    gap: int = 10,
    backpressure: int = 30,
    reset_at: int | None = None,
    seed: int = 0,
    max_timesteps: int | None = None,
    mac_stages: int = 0,
    lane_stages: int = 0,
):
    """Stream ``samples`` random sequences (lengths in ``lengths``) through the model's
    RTL with idle gaps and backpressure; assert every output equals golden bit for bit
    and tlast sits on each sequence's last output. Returns the SimResult."""
    import numpy as np

    from fpga_rnn.backends.rtl.build import design
    from fpga_rnn.backends.rtl.sim import simulate
    from fpga_rnn.golden.model import predict_codes, prepare_input
    from fpga_rnn.verification import random_inputs

    rng = np.random.default_rng(seed)
    lens = rng.integers(lengths[0], lengths[1] + 1, samples)
    codes: list = [None] * samples
    gold: list = [None] * samples
    seq_out = len(model.output_shape) == 2
    for t in np.unique(lens):
        idx = np.flatnonzero(lens == t)
        x = random_inputs(model, len(idx), int(rng.integers(1 << 30)))[:, :t]
        c = prepare_input(model, x).codes
        g = predict_codes(model, x)
        for j, i in enumerate(idx):
            codes[i] = c[j]
            gold[i] = g[j] if seq_out else g[j][None]
    d = design(model, reuse, max_timesteps, mac_stages, lane_stages)
    r = simulate(
        d,
        codes,
        [len(g) for g in gold],
        gap=gap,
        backpressure=backpressure,
        seed=seed + 1,
        reset_at=reset_at,
    )
    bad = [i for i in range(samples) if not np.array_equal(r.outputs[i], gold[i])]
    assert not bad, (
        f"{len(bad)}/{samples} sequences differ; first {bad[0]}: "
        f"{r.outputs[bad[0]].tolist()} != {gold[bad[0]].tolist()}"
    )
    assert r.tlast_errors == 0, f"tlast misplaced on {r.tlast_errors} sequences"
    return r
