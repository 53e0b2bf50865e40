"""The resource model: hierarchical roll-up of yosys counts per core instance,
one feature function per core the emitter can instantiate, and predictions that
follow the design's size."""

from __future__ import annotations

import pytest

from fpga_rnn import resources
from fpga_rnn.backends.rtl.build import design
from fpga_rnn.ir import random as rir
from fpga_rnn.synth import classify

STAT = {
    "modules": {
        "\\frnn_top": {
            "num_cells_by_type": {"$paramod$a\\core": 1, "$paramod$b\\core": 1, "LUT2": 3}
        },
        "$paramod$a\\core": {"num_cells_by_type": {"$paramod$c\\leaf": 3, "LUT6": 10, "FDRE": 4}},
        "$paramod$b\\core": {"num_cells_by_type": {"RAMB18E1": 1, "FDRE": 2}},
        "$paramod$c\\leaf": {"num_cells_by_type": {"LUT4": 2, "DSP48E1": 1, "FDRE": 5}},
    }
}
TOP = {
    "modules": {
        "frnn_top": {
            "cells": {
                "u_a": {"type": "$paramod$a\\core"},
                "u_b": {"type": "$paramod$b\\core"},
                "glue": {"type": "LUT2"},
            }
        }
    }
}


def test_instances_roll_up_their_submodules() -> None:
    got = resources.measured_instances(STAT, TOP, "\\frnn_top", lambda c: classify(c, "xilinx"))
    assert got == {
        "u_a": {"lut": 16, "ff": 19, "dsp": 3, "bram": 0},
        "u_b": {"lut": 0, "ff": 2, "dsp": 0, "bram": 0.5},
    }


def _all_instances() -> list[dict]:
    layers = [
        {
            "kind": "bidirectional",
            "merge": "sum",
            "forward": {"kind": "gru", "units": 3, "return_sequences": True},
            "backward": {"kind": "lstm", "units": 3, "return_sequences": True},
        },
        {"kind": "gru", "units": 3, "reset_after": False, "return_sequences": True},
        {"kind": "simple_rnn", "units": 3, "go_backwards": True},
        {"kind": "dense", "units": 4, "activation": "relu"},
        {"kind": "dense", "units": 3, "activation": "softmax"},
    ]
    return design(rir.model(layers, features=3, seed=1), 4, max_timesteps=8).info["instances"]


def test_every_emitted_core_has_features() -> None:
    insts = _all_instances()
    assert {i["module"] for i in insts} >= {"frnn_recurrent", "frnn_dense", "frnn_bidir"}
    for inst in insts:
        f = resources.FEATURES[inst["module"]](inst["params"])
        assert any(v > 0 for v in f.values()), inst["name"]
        assert all(v >= 0 for v in f.values()), inst["name"]


@pytest.mark.skipif(not resources.coefficients(), reason="no fitted resource model")
def test_predictions_grow_with_the_layer() -> None:
    def total(units: int, reuse: int) -> dict:
        m = rir.model([{"kind": "lstm", "units": units}], features=12, seed=1)
        pred = resources.predict("xilinx", design(m, reuse).info["instances"])
        assert pred is not None
        return pred["total"]

    small, big = total(8, 16), total(24, 16)
    assert big["lut"] > small["lut"] and big["ff"] > small["ff"]
    assert (
        resources.predict(
            "ice40",
            design(rir.model([{"kind": "lstm", "units": 4}], features=3, seed=1), 4).info[
                "instances"
            ],
        )
        is None
    )


def test_rom_columns_count_the_logic_a_rom_needs() -> None:
    from fpga_rnn.backends.rtl.mem import hex_words, rom_columns

    # columns (word 0, 1, 2): bit0 110, bit1 101, bit2 011, bit3 constant,
    # bit4 = not bit0, bit5 = bit1: three distinct functions of the address
    words = [0b101011, 0b100101, 0b010110]
    assert rom_columns(hex_words(words, 6)) == 3
    assert rom_columns(hex_words([0b1010], 4)) == 0  # one word: all constant


def test_small_weights_make_a_smaller_rom_than_its_width() -> None:
    # 16-bit weights of magnitude < 1 (ap_fixed<16,6>): the top bits copy the sign
    for inst in _all_instances():
        p = inst["params"]
        if inst["module"] == "frnn_dense":
            assert 0 < p["rom_cols"] < p["PR"] * p["PK"] * p["WW"]
