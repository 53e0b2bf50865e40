"""Reading models and inputs: an IR directory, a Keras/QKeras file, an ``.npy``/``.npz``.

Nothing here imports TensorFlow until a Keras model is actually read.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.errors import FpgaRnnError, InputError
from fpga_rnn.ir import Model
from fpga_rnn.ir.precision import DEFAULT_PRECISION, DEFAULT_TABLE_SIZE

KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")


def is_ir_dir(path: str | Path) -> bool:
    return (Path(path) / "ir.json").is_file()


def import_model(
    model: Any,
    out: str | Path | None = None,
    *,
    precision: str = DEFAULT_PRECISION,
    table_size: int = DEFAULT_TABLE_SIZE,
    force: bool = False,
) -> Model:
    """Import a Keras/QKeras model (object or file) into the IR; save it to ``out``."""
    if out is not None and Path(out).exists() and not force:
        from fpga_rnn.outputs import check_writable

        check_writable(Path(out), force=False)  # fail before the slow import
    from fpga_rnn.keras_import import import_keras

    ir = import_keras(model, precision=precision, table_size=table_size)
    if out is not None:
        ir.save(out, force=force)
    return ir


def load_model(src: str | Path | Model, **import_options: Any) -> Model:
    """An IR from an IR directory, a ``.keras``/``.h5`` file, or an IR itself."""
    if isinstance(src, Model):
        return src
    p = Path(src)
    if is_ir_dir(p):
        return Model.load(p)
    if p.suffix in KERAS_SUFFIXES:
        return import_model(p, **import_options)
    if not p.exists():
        raise FpgaRnnError(f"{p} does not exist")
    raise FpgaRnnError(f"{p} is neither an IR directory (with ir.json) nor a .keras/.h5 model file")


def load_array(path: str | Path) -> np.ndarray:
    """Inputs from ``.npy``, or ``.npz`` (key ``x``, else the only array): real numbers only."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"input file {p} does not exist")
    try:
        data = np.load(p, allow_pickle=False)
        if isinstance(data, np.lib.npyio.NpzFile):
            with data:
                keys = data.files
                key = "x" if "x" in keys else keys[0] if len(keys) == 1 else None
                if key is None:
                    raise InputError(f"{p} holds {keys}; name the input array 'x'")
                data = data[key]  # read now: an object array fails here, as a ValueError
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(f"cannot read {p} as .npy/.npz ({why})") from None
    if data.dtype.kind not in "biuf":
        raise InputError(f"{p}: inputs must be real numbers, got dtype {data.dtype}")
    return data


def keras_source(model: Model | str | Path | Any):
    from fpga_rnn.keras_import import load_keras_model

    if isinstance(model, str | Path) and Path(model).suffix in KERAS_SUFFIXES:
        return load_keras_model(model)
    ir = load_model(model)
    f = ir.source.get("file")
    if not f or not Path(f).exists():
        raise FpgaRnnError(
            "the float target needs the Keras model: pass the .keras/.h5 file "
            "instead of the IR directory"
        )
    return load_keras_model(f)
