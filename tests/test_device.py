"""The board link end to end on the simulated board: pyserial -> pty -> Verilator
(UART pins, frnn_link, the core) -> back; the frame format; faults on the link."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest
import serial
from runcli import cli

import fpga_rnn
from fpga_rnn.backends.batch import prepare, random_inputs
from fpga_rnn.backends.rtl.mem import pack
from fpga_rnn.device import protocol as p
from fpga_rnn.device.design import load_design
from fpga_rnn.device.runtime import Device, DeviceError
from fpga_rnn.device.top import board_dir
from fpga_rnn.errors import InputError
from fpga_rnn.ir import random as rir

SMALL = [{"kind": "simple_rnn", "units": 8}, {"kind": "dense", "units": 2}]
MAXT = 16


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small model and its icebreaker board design (no synthesis)."""
    d = tmp_path_factory.mktemp("dev")
    m = rir.model(SMALL, features=2, seed=3, precision="ap_fixed<8,3>")
    m.save(d / "model")
    fpga_rnn.build_bitstream(
        m, "icebreaker", d / "design", design_only=True, max_timesteps=MAXT, max_utilisation=1.0
    )
    return m, d


@pytest.fixture(scope="module")
def board(small):
    """One simulated board for the fault tests (raw frames through pyserial)."""
    bd = load_design(small[1] / "design")
    with bd.simulate() as b:
        yield bd, b


def test_link_header_is_generated_from_the_protocol_module() -> None:
    assert (board_dir() / "frnn_link.vh").read_text() == p.verilog_header()


def test_frames_round_trip_and_the_crc_catches_a_flipped_bit() -> None:
    frame = p.response(p.Status.OK, p.Command.INFER, bytes(range(10)), cycles=1234)
    head, rest = frame[2:6], frame[6:]
    r = p.check_response(head, rest)
    assert (r.status, r.payload, r.cycles) == (p.Status.OK, bytes(range(10)), 1234)
    for bit in (0, 13, 8 * len(rest) - 1):
        bad = bytearray(rest)
        bad[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(p.FrameError):
            p.check_response(head, bytes(bad))
    info = p.Info(1, 48, 16, 29, 1, 50000, 50, "0123456789abcdef")
    assert p.Info.from_bytes(info.to_bytes()) == info


def test_simulated_board_is_bit_exact_and_measures_the_cores_latency(small) -> None:
    """Many sequences through the UART, bit-exact with golden; the cycles the board
    counts equal the core-level simulation's latency of the same sequences."""
    from fpga_rnn.backends.rtl.sim import simulate

    m, d = small
    x = random_inputs(m, 200, 5)[:, :MAXT]
    with Device.simulated(d / "design", m) as dev:
        assert dev.info.digest == m.digest() and dev.info.max_steps == MAXT
        pr = dev.predict(x)
    assert pr.mismatches() == 0 and len(pr.codes) == 200
    assert np.array_equal(pr.y, fpga_rnn.predict(m, x))
    k = 16
    bd = load_design(d / "design")
    batch = prepare(m, x[:k])
    core = simulate(bd.design, batch.codes, [len(g) for g in batch.golden])
    assert np.array_equal(pr.cycles[:k], core.last_out - core.first_in)
    s = pr.to_dict()
    assert s["bytes_sent"] == 200 * (2 + 4 + MAXT * 2 + 2)  # one 16-bit beat per step
    assert s["sequences_per_second"] > 0


def _infer_frame(bd, steps: int) -> tuple[bytes, np.ndarray]:
    x = random_inputs(bd.model, 1, steps)[:, :steps]
    batch = prepare(bd.model, x)
    words = [pack(r, 8) for r in batch.codes[0]]
    return p.infer_request(words, bd.design.in_width), batch.golden[0]


def _answer(ser: serial.Serial, timeout: float = 10.0) -> p.Response:
    deadline = time.monotonic() + timeout
    buf = b""
    while p.SYNC not in buf or len(buf) < buf.index(p.SYNC) + 6:
        assert time.monotonic() < deadline, f"no answer (got {buf.hex()})"
        buf += ser.read(64)
    i = buf.index(p.SYNC) + 2
    _, _, length = p.parse_response_header(buf[i : i + 4])
    while len(buf) < i + 4 + length + 6:
        assert time.monotonic() < deadline
        buf += ser.read(64)
    return p.check_response(buf[i : i + 4], buf[i + 4 : i + 4 + length + 6])


def _good_frame_works(ser: serial.Serial, bd) -> None:
    frame, golden = _infer_frame(bd, 9)
    ser.write(frame)
    r = _answer(ser)
    assert r.status == p.Status.OK
    assert int.from_bytes(r.payload, "little") == pack(golden[-1], 8)


@pytest.mark.parametrize(
    "fault",
    ["bit_flip", "truncated", "zero_length", "too_long", "bad_command", "garbage"],
)
def test_link_faults_get_an_error_frame_and_the_next_frame_works(board, fault) -> None:
    bd, b = board
    frame, _ = _infer_frame(bd, 7)
    expect = {
        "bit_flip": p.Status.BAD_CRC,
        "truncated": p.Status.TRUNCATED,
        "zero_length": p.Status.BAD_LENGTH,
        "too_long": p.Status.BAD_LENGTH,
        "bad_command": p.Status.BAD_COMMAND,
    }
    with serial.Serial(b.port, timeout=0.05) as ser:
        ser.reset_input_buffer()
        if fault == "bit_flip":
            bad = bytearray(frame)
            bad[10] ^= 0x10
            ser.write(bytes(bad))
        elif fault == "truncated":
            ser.write(frame[: len(frame) // 2])
        elif fault == "zero_length":
            ser.write(p.request(p.Command.INFER, 0))
        elif fault == "too_long":  # a header claiming more steps than the design buffers
            ser.write(p.request(p.Command.INFER, MAXT + 1, bytes(2 * (MAXT + 1))))
        elif fault == "bad_command":
            ser.write(p.request(0x7E, 3, bytes(6)))  # type: ignore[arg-type]
        else:  # garbage without a sync byte: skipped silently
            rng = np.random.default_rng(1)
            junk = bytes(v for v in rng.integers(0, 256, 300).tolist() if v != 0xA5)
            ser.write(junk)
        if fault in expect:
            r = _answer(ser)
            assert r.status == expect[fault] and r.payload == b""
        _good_frame_works(ser, bd)


def test_a_host_that_disconnects_mid_frame_leaves_a_working_board(board, small) -> None:
    bd, b = board
    frame, _ = _infer_frame(bd, 12)
    with serial.Serial(b.port) as ser:
        ser.write(frame[:9])  # the host goes away mid-frame
    # a new connection: the runtime's INFO call is answered once the board has given
    # up on the old frame (an error frame it drops, then a retry)
    with Device(b.port, bd.model, design_info=bd.design.info) as dev:
        codes = prepare(bd.model, random_inputs(bd.model, 1, 3)[:, :5]).codes[0]
        out, cycles = dev.infer_codes(codes)
    assert cycles > 0 and out.shape == (1, 2)


def test_garbage_holding_a_sync_word_costs_one_retry_not_a_wrong_answer(board) -> None:
    bd, b = board
    with Device(b.port, bd.model, design_info=bd.design.info) as dev:
        dev._ser.write(b"\x00\xa5\x5a\x01\x05")  # looks like the start of a frame
        x = random_inputs(bd.model, 4, 9)[:, :MAXT]
        pr = dev.predict(x)
    assert pr.mismatches() == 0


def test_a_silent_port_times_out_with_a_clear_message() -> None:
    master, slave = os.openpty()  # a terminal with nothing behind it
    try:
        with pytest.raises(DeviceError, match="no answer from the board"):
            Device(os.ttyname(slave), timeout=0.3)
    finally:
        os.close(master)
        os.close(slave)


def test_run_cli_on_the_simulated_board_and_its_refusals(small, tmp_path) -> None:
    m, d = small
    x = random_inputs(m, 12, 8)[:, :MAXT]
    np.save(tmp_path / "x.npy", x)
    args = ["run", str(d / "model"), "--port", "sim", "--design", str(d / "design")]
    r = cli(
        *args, "-i", str(tmp_path / "x.npy"), "-o", str(tmp_path / "y.npy"), "--check", "--json"
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["mismatches"] == 0 and len(json.loads(r.stdout)["cycles"]) == 12
    assert np.array_equal(np.load(tmp_path / "y.npy"), fpga_rnn.predict(m, x))
    # another model against this design: the board's digest is not the model's
    other = rir.model(SMALL, features=2, seed=4, precision="ap_fixed<8,3>")
    other.save(tmp_path / "other")
    args[1] = str(tmp_path / "other")
    r = cli(*args, "-i", str(tmp_path / "x.npy"), "-o", str(tmp_path / "z.npy"))
    assert r.returncode == 1 and "runs model digest" in r.stderr and len(r.stderr.splitlines()) == 1
    r = cli(
        "run",
        str(d / "model"),
        "--port",
        "/dev/does-not-exist",
        "-i",
        str(tmp_path / "x.npy"),
        "-o",
        str(tmp_path / "z.npy"),
    )
    assert (
        r.returncode == 1
        and "cannot open serial port" in r.stderr
        and len(r.stderr.splitlines()) == 1
    )
    r = cli(
        "run",
        str(d / "model"),
        "--port",
        "sim",
        "-i",
        str(tmp_path / "x.npy"),
        "-o",
        str(tmp_path / "z.npy"),
    )
    assert r.returncode == 1 and "--design" in r.stderr


def test_a_tampered_design_directory_is_refused(small, tmp_path) -> None:
    import shutil

    _, d = small
    copy = tmp_path / "design"
    shutil.copytree(d / "design", copy)
    top = copy / "rtl" / "frnn_top.v"
    top.write_text(
        top.read_text().replace("endmodule", 'initial $system("touch pwned");\nendmodule')
    )
    with pytest.raises(InputError, match="does not match"):
        load_design(copy)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("top", ["frnn_uart_rx", "frnn_uart_tx", "frnn_link", "board"])
def test_board_verilog_is_lint_clean(small, tmp_path, top) -> None:
    """Verilator -Wall on the link's modules, and on the simulated board's top (the
    generated parameters and core included)."""
    import subprocess

    from fpga_rnn.backends.rtl.build import core_files, include_dir
    from fpga_rnn.backends.rtl.sim import find_verilator
    from fpga_rnn.device.top import SIM_TOP, board_sources, sim_top

    files = [str(f) for f in board_sources()]
    if top == "board":
        bd = load_design(small[1] / "design")
        (tmp_path / "frnn_top.v").write_text(bd.design.top)
        (tmp_path / f"{SIM_TOP}.v").write_text(sim_top(bd.link.simulated()))
        files += [*map(str, core_files()), str(tmp_path / "frnn_top.v")]
        files.append(str(tmp_path / f"{SIM_TOP}.v"))
        top = SIM_TOP
    r = subprocess.run(
        [str(find_verilator()), "--lint-only", "-Wall", f"-I{include_dir()}",
         f"-I{board_dir()}", "--top-module", top, *files],
        capture_output=True, text=True,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
