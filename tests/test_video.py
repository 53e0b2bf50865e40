"""The video example: synthetic clips, per-frame features, an RNN trained on them
(QAT) and carried bit-exact through golden, RTL, HLS C-sim and the C export."""

from __future__ import annotations

import numpy as np
import pytest
from models import assert_bit_exact_everywhere

import fpga_rnn
from fpga_rnn import video
from fpga_rnn.datasets import load_dataset


def test_clips_move_in_the_labelled_direction():
    clips, y = video.make_clips(120, np.random.default_rng(1))
    assert clips.shape == (120, video.FRAMES, video.SIZE, video.SIZE)
    centre = video.frame_features(clips)[..., -2:]  # (row, column) centre of mass
    motion = centre[:, -4:].mean(1) - centre[:, :4].mean(1)
    for d, (axis, sign) in enumerate([(0, -1), (0, 1), (1, -1), (1, 1)]):  # up down left right
        sel = y % 4 == d
        assert sel.any() and np.all(np.sign(motion[sel, axis]) == sign), video.DIRECTIONS[d]


def test_dataset_shapes_and_classes():
    ds = load_dataset("moving-shapes")
    assert ds.x_train.shape == (2400, 16, 18) and ds.x_test.shape == (600, 16, 18)
    assert ds.outputs == 12 and len(set(ds.y_train.tolist())) == 12
    assert np.isfinite(ds.x_train).all()


@pytest.mark.slow
def test_video_rnn_trains_and_is_bit_exact_everywhere(tmp_path, tfq):
    out = tmp_path / "train"
    m = fpga_rnn.train_model("moving-shapes", out, arch="gru", units=12, epochs=25, seed=0)
    acc_f, acc_g = m["float"]["accuracy"], m["golden"]["accuracy"]
    print(f"moving-shapes QGRU(12): float {acc_f:.4f}, golden {acc_g:.4f}")
    assert acc_f > 0.6  # chance is 1/12
    assert abs(acc_f - acc_g) <= 0.01
    r = assert_bit_exact_everywhere(out / "ir", np.load(out / "x_test.npy"))
    assert r["samples"] == 600
