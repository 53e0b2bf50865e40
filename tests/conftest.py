"""Shared fixtures: TensorFlow/QKeras (imported once, with our shim) and model factories."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def tfq():
    """(tensorflow, qkeras) with the QKeras 0.9 / TF 2.14 shim applied."""
    from fpga_rnn.keras_import.importer import _tf

    return _tf()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
