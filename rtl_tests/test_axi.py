"""frnn_axi: the Zynq package's AXI wrapper around a generated design, driven by
cocotbext-axi (AXI-Stream source and sink with random idle and backpressure, an
AXI-Lite master), with the packing code of the package's own driver folder."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import numpy as np
import pytest

from fpga_rnn.device.zynq import load_words_module

CASE_FILE = "axi_case.npz"
OUT_FILE = "axi_out.json"

# (name, layers, features, reuse, dma bits, sequences, precision)
CASES = [
    (
        "lstm_softmax_w32",
        [{"kind": "lstm", "units": 5}, {"kind": "dense", "units": 3, "activation": "softmax"}],
        3,
        4,
        32,
        1000,
        "ap_fixed<16,6>",
    ),
    (
        "gru_seq_w64",
        [{"kind": "gru", "units": 6, "return_sequences": True}],
        5,
        6,
        64,
        1000,
        "ap_fixed<12,4>",
    ),
    # a window front-end: fewer steps reach the GRU; lengths end at tlast
    (
        "conv_pool_gru_w32",
        [
            {"kind": "conv1d", "units": 4, "kernel_size": 3, "padding": "causal"},
            {"kind": "pooling1d", "op": "max", "pool": 2},
            {"kind": "gru", "units": 4},
            {"kind": "dense", "units": 3, "activation": "softmax"},
        ],
        3,
        4,
        32,
        300,
        "ap_fixed<16,6>",
    ),
]


# ---- cocotb side -------------------------------------------------------------------
try:
    import cocotb
    from cocotb.clock import Clock
    from cocotb.triggers import ClockCycles, RisingEdge

    _HAVE_COCOTB = True
except ImportError:  # the pytest side runs without a simulator context
    _HAVE_COCOTB = False


def _frames(words: np.ndarray, last: np.ndarray, nbytes: int) -> list[bytes]:
    """One AXI-Stream frame per sequence, as the bytes the DMA reads (little-endian)."""
    ends = np.flatnonzero(last) + 1
    return [
        b"".join(int(w).to_bytes(nbytes, "little") for w in words[a:b])
        for a, b in zip(np.r_[0, ends[:-1]], ends, strict=True)
    ]


def _words(data: bytes, nbytes: int) -> list[int]:
    return [int.from_bytes(data[i : i + nbytes], "little") for i in range(0, len(data), nbytes)]


if _HAVE_COCOTB:
    from cocotbext.axi import (
        AxiLiteBus,
        AxiLiteMaster,
        AxiStreamBus,
        AxiStreamFrame,
        AxiStreamSink,
        AxiStreamSource,
    )

    async def _setup(dut, seed: int):
        cocotb.start_soon(Clock(dut.aclk, 10, unit="ns").start())
        src = AxiStreamSource(
            AxiStreamBus.from_prefix(dut, "s_axis"), dut.aclk, dut.aresetn, reset_active_level=False
        )
        sink = AxiStreamSink(
            AxiStreamBus.from_prefix(dut, "m_axis"), dut.aclk, dut.aresetn, reset_active_level=False
        )
        lite = AxiLiteMaster(
            AxiLiteBus.from_prefix(dut, "s_axi"), dut.aclk, dut.aresetn, reset_active_level=False
        )
        rng = random.Random(seed)

        def pauses(p: float):
            while True:
                yield rng.random() < p

        src.set_pause_generator(pauses(0.15))  # idle on the input
        sink.set_pause_generator(pauses(0.30))  # backpressure on the output
        dut.aresetn.value = 0
        await ClockCycles(dut.aclk, 5)
        dut.aresetn.value = 1
        await ClockCycles(dut.aclk, 2)
        return src, sink, lite

    async def _reg(lite, name: str, regs: dict) -> int:
        return int.from_bytes((await lite.read(regs[name], 4)).data, "little")

    @cocotb.test()
    async def axi_sequences(dut):
        """Every sequence through the wrapper; registers; soft reset; a partial step."""
        words_mod = load_words_module(os.environ["AXI_WORDS"])
        case = np.load(os.environ["AXI_CASE"])
        regs = words_mod.REGISTERS
        src, sink, lite = await _setup(dut, int(case["seed"]))
        nbytes = int(case["dma_bits"]) // 8
        frames = _frames(case["words"], case["last"], nbytes)
        nout = [int(n) for n in case["out_words"]]
        report: dict = {}

        # registers before any traffic
        report["magic"] = await _reg(lite, "magic", regs)
        report["format"] = await _reg(lite, "format", regs)
        report["digest"] = (await _reg(lite, "digest_hi", regs) << 32) | await _reg(
            lite, "digest_lo", regs
        )
        report["in_shape"] = await _reg(lite, "in_shape", regs)
        report["out_shape"] = await _reg(lite, "out_shape", regs)

        # 1. every sequence, back to back, idle and backpressure
        got = []

        async def collect(n: int) -> None:
            for _ in range(n):
                f = await sink.recv()
                got.append(_words(bytes(f.tdata), nbytes))

        receiver = cocotb.start_soon(collect(len(frames)))
        for f in frames:
            await src.send(AxiStreamFrame(f))
        await receiver
        report["outputs"] = got
        report["sequences"] = await _reg(lite, "sequences", regs)
        report["last_cycles"] = await _reg(lite, "last_cycles", regs)
        report["status_idle"] = await _reg(lite, "status", regs)

        # 2. soft reset while the core is mid-sequence (all its words taken; the
        # longest). A model that returns sequences has sent part of its output then:
        # those words stay in the sink's open frame, which the next tlast closes
        longest = max(frames, key=len)
        await src.send(AxiStreamFrame(longest))
        await src.wait()
        await lite.write(regs["control"], words_mod.CONTROL_SOFT_RESET.to_bytes(4, "little"))
        report["status_in_reset"] = await _reg(lite, "status", regs)
        await ClockCycles(dut.aclk, 200)
        report["frames_after_reset"] = sink.count()
        report["sequences_after_reset"] = await _reg(lite, "sequences", regs)
        # 3. then the first ten sequences again: the same outputs as before
        again = []
        for f in frames[:10]:
            await src.send(AxiStreamFrame(f))
            again.append(_words(bytes((await sink.recv()).tdata), nbytes))
        report["outputs_after_reset"] = again
        report["cycles_after_reset"] = await _reg(lite, "last_cycles", regs)

        # 4. a tlast before a step's last word (only when a step spans words; a
        # one-step sequence is too short for a window front-end)
        if int(case["words_per_step"]) > 1 and int(case["min_steps"]) == 1:
            await src.send(AxiStreamFrame(frames[0][:nbytes]))  # one word
            await sink.recv()  # the zero-padded step still gives an output
            report["status_partial"] = await _reg(lite, "status", regs)
            await lite.write(regs["control"], words_mod.CONTROL_CLEAR_ERRORS.to_bytes(4, "little"))
            report["status_cleared"] = await _reg(lite, "status", regs)
        await RisingEdge(dut.aclk)
        Path(OUT_FILE).write_text(json.dumps({**report, "nout": nout}))


# ---- pytest side -------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_axi_wrapper(tmp_path, case) -> None:
    from rtlsim import run_cocotb

    from fpga_rnn.api import package
    from fpga_rnn.golden.model import predict_codes, prepare_input
    from fpga_rnn.ir import random as rir
    from fpga_rnn.verification import random_inputs

    _, layers, features, reuse, dma, n, precision = case
    m = rir.model(layers, features=features, seed=7, precision=precision)
    pkg = package(m, "pynq-z2", tmp_path / "pkg", reuse=reuse, dma_bits=dma)
    words_mod = load_words_module(pkg.out / "driver" / "frnn_words.py")
    fmt = words_mod.WordFormat.from_dict(
        json.loads((pkg.out / "driver" / "format.json").read_text())
    )

    rng = np.random.default_rng(3)
    lens = rng.integers(m.min_steps(), 13, n)
    codes, gold = [], []
    seq_out = len(m.output_shape) == 2
    for t in lens:
        x = random_inputs(m, 1, int(rng.integers(1 << 30)))[:, :t]
        codes.append(prepare_input(m, x).codes[0])
        g = predict_codes(m, x)[0]
        gold.append(g if seq_out else g[None])
    words, last = fmt.pack(codes)
    beats = [len(g) for g in gold]
    np.savez(
        tmp_path / CASE_FILE,
        words=words,
        last=last,
        out_words=np.array([fmt.output_words(b) for b in beats]),
        words_per_step=fmt.words_per_step,
        min_steps=m.min_steps(),
        dma_bits=dma,
        seed=11,
    )
    rtl = pkg.out / "rtl"
    (tmp_path / "mem").mkdir()
    for f in (rtl / "mem").iterdir():
        (tmp_path / "mem" / f.name).write_bytes(f.read_bytes())
    params = json.loads((pkg.out / "package.json").read_text())["axi_parameters"]
    params["DIGEST"] = f"64'h{params['DIGEST']}"
    run_cocotb(
        "test_axi",
        "frnn_axi",
        parameters=params,
        extra_sources={
            "frnn_top.v": (rtl / "frnn_top.v").read_text(),
            "frnn_axi.v": (rtl / "frnn_axi.v").read_text(),
            "frnn_axi_regs.vh": (rtl / "frnn_axi_regs.vh").read_text(),
        },
        env={"AXI_CASE": tmp_path / CASE_FILE, "AXI_WORDS": pkg.out / "driver" / "frnn_words.py"},
        work=tmp_path,
    )
    r = json.loads((tmp_path / OUT_FILE).read_text())
    # the driver's unpacking of what the wrapper sent equals golden, bit for bit
    assert [len(o) for o in r["outputs"]] == r["nout"]
    outs = fmt.unpack(np.array([w for o in r["outputs"] for w in o], np.uint64), beats)
    bad = [i for i in range(n) if not np.array_equal(outs[i], gold[i])]
    assert not bad, f"{len(bad)}/{n} sequences differ; first {bad[0]}"
    assert r["magic"] == words_mod.MAGIC
    assert r["format"] & 0xFF == words_mod.FORMAT_VERSION and (r["format"] >> 8) & 0xFF == dma
    assert r["digest"] == int(pkg.digest, 16)
    assert r["in_shape"] == fmt.in_elements | fmt.in_width << 16
    assert r["out_shape"] == fmt.out_elements | fmt.out_width << 16 | int(fmt.out_signed) << 24
    assert r["sequences"] == n
    assert 0 < r["last_cycles"] < 10_000
    assert r["status_idle"] & words_mod.STATUS_BUSY == 0
    # soft reset: in reset when read back, the interrupted sequence gave nothing, the
    # counters restarted, and the next sequences are right again
    assert r["status_in_reset"] & words_mod.STATUS_IN_RESET
    assert r["frames_after_reset"] == 0 and r["sequences_after_reset"] == 0
    # the interrupted (longest) sequence's words sent before the reset: the start of
    # its right output (a vector may be cut after any word), none for a one-vector output
    li = int(np.argmax([len(c) for c in codes]))
    first = r["outputs_after_reset"][0]
    cut = len(first) - r["nout"][0]
    assert seq_out or cut == 0
    whole = cut // fmt.words_per_output
    if whole:
        head = fmt.unpack(np.array(first[: whole * fmt.words_per_output], np.uint64), [whole])
        assert np.array_equal(head[0], gold[li][:whole])
    r["outputs_after_reset"][0] = first[cut:]
    again = fmt.unpack(
        np.array([w for o in r["outputs_after_reset"] for w in o], np.uint64), beats[:10]
    )
    assert all(np.array_equal(a, g) for a, g in zip(again, gold[:10], strict=True))
    assert r["cycles_after_reset"] > 0
    if fmt.words_per_step > 1 and m.min_steps() == 1:
        assert r["status_partial"] & words_mod.STATUS_ERR_PARTIAL_STEP
        assert not r["status_cleared"] & words_mod.STATUS_ERR_PARTIAL_STEP
