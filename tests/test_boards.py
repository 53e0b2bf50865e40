"""Board profiles: every built-in one loads; bad profiles fail naming file and key."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from fpga_rnn.boards import BoardError, available_boards, load_board

EXPECTED = {
    "pynq-z2",
    "arty-a7-100t",
    "zcu104",
    "kv260",
    "alveo-u250",
    "vcu118",
    "icebreaker",
    "ulx3s-85f",
}


def test_builtin_boards_load():
    assert set(available_boards()) >= EXPECTED
    b = load_board("pynq-z2")
    assert b.part == "xc7z020clg400-1" and b.clock_mhz == 100.0
    assert b.resources == {"lut": 53200, "ff": 106400, "dsp": 220, "bram": 140}
    assert load_board("icebreaker").resources["dsp"] == 8
    assert load_board("ulx3s-85f").pnr.startswith("nextpnr-ecp5")
    with pytest.raises(AttributeError):
        b.clock_mhz = 5  # frozen


def _write(tmp_path, **changes):
    data = yaml.safe_load(available_boards()["pynq-z2"].read_text())
    for k, v in changes.items():
        if v is None and k.startswith("del_"):
            data.pop(k[4:])
        else:
            data[k] = v
    p = tmp_path / "my.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"del_part": None}, "missing key 'part'"),
        ({"clock_mhz": "fast"}, "key 'clock_mhz' must be int or float"),
        ({"resources": {"lut": 10, "ff": 10, "dsp": 1}}, "missing resources.bram"),
        ({"resources": {"lut": 10, "ff": 10, "dsp": 1, "bram": 1, "gpu": 2}}, "unknown resource"),
        ({"vendor": "acme"}, "vendor 'acme' unknown"),
    ],
)
def test_invalid_profiles(tmp_path, changes, message):
    p = _write(tmp_path, **changes)
    with pytest.raises(BoardError, match=message) as e:
        load_board(p)
    assert str(p) in str(e.value)


def _io(**changes):
    io = yaml.safe_load(available_boards()["ulx3s-85f"].read_text())["io"]
    return {**io, **changes}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"io": _io(uart_tx='L4" ; LOCATE COMP "x')}, "not a pin name"),  # reaches the LPF
        ({"io": _io(leds=[])}, "io.leds must be a list of 1 to 8"),
        ({"io": _io(programmer="ulx3s; rm -rf")}, "io.programmer must be a word"),
        ({"io": _io(reset_active_low="yes")}, "io.reset_active_low must be true or false"),
        ({"io": _io(colour="red")}, "unknown key io.colour"),
        ({"io": {k: v for k, v in _io().items() if k != "uart_rx"}}, "missing key io.uart_rx"),
        ({"io": _io(source="a\nb")}, "io.source must be one line"),
    ],
)
def test_invalid_pin_maps(tmp_path, changes, message):
    p = _write(tmp_path, **changes)
    with pytest.raises(BoardError, match=message) as e:
        load_board(p)
    assert str(p) in str(e.value)


def test_user_profile_and_unknown_name(tmp_path):
    p = _write(tmp_path, name="mine", clock_mhz=150)
    assert load_board(p).clock_mhz == 150.0
    with pytest.raises(BoardError, match=r"unknown board 'pynq'; known boards: .*pynq-z2"):
        load_board("pynq")
    (tmp_path / "bad.yaml").write_text("name: [unclosed\n")
    with pytest.raises(BoardError, match="malformed YAML"):
        load_board(tmp_path / "bad.yaml")


def test_cli_boards_json():
    import json

    r = subprocess.run(
        [sys.executable, "-m", "fpga_rnn.cli", "boards", "--json"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    names = {b["name"] for b in json.loads(r.stdout)["boards"]}
    assert names >= EXPECTED
