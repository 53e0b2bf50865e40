"""Quantization-aware training of a QKeras sequence model, then import and the
golden fixed-point model's score on the same test set.

``train(...)`` writes, atomically, a run directory: ``model.keras``, ``ir/``,
``history.json``, ``metrics.json`` and PNG plots (training curves; confusion
matrices for classifiers; predicted-vs-true for regression/forecast).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn import plots
from fpga_rnn.datasets import Dataset, load_dataset
from fpga_rnn.errors import InputError
from fpga_rnn.ir.precision import DEFAULT_PRECISION
from fpga_rnn.limits import check_float, check_int
from fpga_rnn.models import ModelSpec, build, build_stack
from fpga_rnn.outputs import atomic_dir, check_writable


@dataclass(frozen=True)
class TrainConfig:
    dataset: str = "japanese-vowels"
    model: ModelSpec = field(default_factory=ModelSpec)
    epochs: int = 100
    seed: int = 0
    batch_size: int = 32
    learning_rate: float = 3e-3
    patience: int = 20
    validation: float = 0.15
    precision: str = DEFAULT_PRECISION  # inputs, state and activations in hardware
    # a designer document (fpga_rnn.designer.spec): built with build_stack instead of
    # ``model`` (whose arch options are then unused)
    design: dict | None = None

    def __post_init__(self) -> None:
        check_int(self.epochs, "epochs", 1, 100_000)
        check_int(self.batch_size, "batch_size", 1, 1 << 20)
        check_int(self.patience, "patience", 0, 100_000)
        check_int(self.seed, "seed", 0, 2**32 - 1)
        check_float(self.learning_rate, "learning_rate", 0.0, 10.0, open_lo=True)
        check_float(self.validation, "validation", 0.0, 0.9, open_lo=True)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _check_design_input(design: dict, ds: Dataset) -> None:
    """A design trains on a dataset of its input's shape: say which field differs."""
    from fpga_rnn.designer.spec import dataset_input

    inp = design.get("input", {}) if isinstance(design, dict) else {}
    for k, v in dataset_input(ds).items():
        if inp.get(k) != v:
            raise InputError(
                f"the design's input {k} is {inp.get(k)!r:.20} but {ds.name} has {v!r}: "
                "set the design's input to the dataset's"
            )
    if ds.mask_value not in (None, 0.0) and not ds.vocabulary:
        raise InputError(f"{ds.name} pads with {ds.mask_value}; a design masks zeros only")
    if bool(design.get("sequence_output")) != ds.sequence_output:
        raise InputError(f"set the design's sequence_output to {ds.sequence_output} for {ds.name}")


def read_design(path: str | Path) -> dict:
    """A ``designer.json`` file (fpga-rnn designer's export), read as data."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text())
    except (OSError, ValueError) as e:
        raise InputError(f"cannot read design {p}: {str(e).splitlines()[0][:80]}") from None
    if not isinstance(doc, dict):
        raise InputError(f"design {p} must hold a JSON object")
    return doc


def _floats(logs: dict | None) -> dict[str, float]:
    return {k: float(v) for k, v in (logs or {}).items()}


def _split(n: int, frac: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    idx = rng.permutation(n)
    k = max(1, round(n * frac))
    return idx[k:], idx[:k]


def _scores(ds: Dataset, y: np.ndarray) -> dict[str, float]:
    if ds.task == "classification":
        return {"accuracy": float(np.mean(y.argmax(-1) == ds.y_test))}
    err = y - ds.y_test
    return {"rmse": float(np.sqrt(np.mean(err**2))), "mae": float(np.mean(np.abs(err)))}


class _Progress:
    """A Keras callback reporting one line per epoch through ``say``."""

    def __init__(self, say: Callable[[str], None], epochs: int) -> None:
        self.say, self.epochs, self.t0 = say, epochs, time.perf_counter()

    def __call__(self, epoch: int, logs: dict) -> None:
        parts = " ".join(f"{k} {v:.4f}" for k, v in logs.items())
        self.say(
            f"epoch {epoch + 1}/{self.epochs}  {parts}  ({time.perf_counter() - self.t0:.0f} s)"
        )


def train(
    cfg: TrainConfig,
    out: str | Path,
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
) -> dict[str, Any]:
    """Train, import, score float vs golden on the test set; returns metrics.json.
    ``on_epoch(epoch, logs)`` gets each epoch's numbers (the designer's live curves)."""
    out = Path(out)
    check_writable(out, force=force)
    say = progress or (lambda _m: None)
    ds = load_dataset(cfg.dataset)
    from fpga_rnn.golden import predict as golden_predict
    from fpga_rnn.keras_import.importer import _tf
    from fpga_rnn.loading import import_model

    tf, _ = _tf()
    tf.keras.utils.set_random_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    tr, va = _split(len(ds.x_train), cfg.validation, rng)
    if cfg.design is not None:
        _check_design_input(cfg.design, ds)
        model = build_stack(cfg.design, outputs=ds.outputs, task=ds.task)
    else:
        model = build(
            cfg.model,
            ds.x_train.shape[1],
            ds.features,
            ds.outputs,
            task=ds.task,
            mask_value=ds.mask_value,
            sequence_output=ds.sequence_output,
            vocabulary=ds.vocabulary,
        )
    cls = ds.task == "classification"
    model.compile(
        optimizer=tf.keras.optimizers.Adam(cfg.learning_rate),
        loss="sparse_categorical_crossentropy" if cls else "mse",
        metrics=["accuracy"] if cls else [tf.keras.metrics.RootMeanSquaredError(name="rmse")],
    )
    cb = _Progress(say, cfg.epochs)
    say(f"training {model.name} on {ds.name}: {len(tr)} train / {len(va)} validation sequences")
    t0 = time.perf_counter()
    hist = model.fit(
        ds.x_train[tr],
        ds.y_train[tr],
        validation_data=(ds.x_train[va], ds.y_train[va]),
        epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        verbose=0,
        shuffle=True,
        callbacks=[
            tf.keras.callbacks.EarlyStopping(patience=cfg.patience, restore_best_weights=True),
            tf.keras.callbacks.LambdaCallback(on_epoch_end=cb),
            tf.keras.callbacks.LambdaCallback(
                on_epoch_end=lambda e, logs: on_epoch and on_epoch(e + 1, _floats(logs))
            ),
        ],
    )
    train_seconds = time.perf_counter() - t0
    history = {k: [float(v) for v in vs] for k, vs in hist.history.items()}

    with atomic_dir(out, force=force) as tmp:
        model.save(tmp / "model.keras")
        ir = import_model(model, precision=cfg.precision)
        ir = dataclasses.replace(ir, source=ir.source | {"file": str(out / "model.keras")})
        ir.save(tmp / "ir")
        say("scoring the float model and the golden fixed-point model on the test set")
        yf = model.predict(ds.x_test, verbose=0)
        t1 = time.perf_counter()
        yg = golden_predict(ir, ds.x_test, saturate=True)  # as the board would
        golden_seconds = time.perf_counter() - t1
        sf, sg = _scores(ds, yf), _scores(ds, yg)
        key = "accuracy" if cls else "rmse"
        metrics: dict[str, Any] = {
            "dataset": ds.summary(),
            "config": cfg.to_dict(),
            "model": model.name,
            "parameters": int(model.count_params()),
            "epochs_run": len(history["loss"]),
            "best_epoch": int(np.argmin(history["val_loss"])) + 1,
            "train_seconds": train_seconds,
            "golden_seconds": golden_seconds,
            "float": sf,
            "golden": sg,
            f"{key}_difference": sg[key] - sf[key],
            "max_abs_output_difference": float(np.max(np.abs(yg - yf))),
        }
        if cls:
            metrics["argmax_agreement"] = float(np.mean(yg.argmax(-1) == yf.argmax(-1)))
        (tmp / "history.json").write_text(json.dumps(history, indent=1) + "\n")
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        np.save(tmp / "x_test.npy", ds.x_test)
        np.save(tmp / "y_test.npy", ds.y_test)
        plots.training_curves(
            history, tmp / "training.png", f"{model.name} on {ds.name} ({cfg.model.bits}-bit QAT)"
        )
        if cls:
            plots.confusion(
                ds.y_test,
                {"float": yf.argmax(-1), "fixed point": yg.argmax(-1)},
                ds.classes or [],
                tmp / "confusion.png",
            )
        else:
            plots.predicted_vs_true(
                ds.y_test, {"float": yf, "fixed point": yg}, tmp / "predictions.png"
            )
        plots.error_histogram(
            {"|golden - float|": np.abs(yg - yf)}, tmp / "error_hist.png", "output difference"
        )
    return metrics


def train_model(
    dataset: str,
    out: str | Path,
    *,
    arch: str = "lstm",
    units: int = 32,
    layers: int = 1,
    bits: int = 8,
    int_bits: int = 0,
    state_bits: int = 0,
    epochs: int = 100,
    seed: int = 0,
    float_baseline: bool = False,
    conv_filters: int = 16,
    conv_kernel: int = 3,
    pool: int = 2,
    projection: tuple[int, int] | None = None,
    design: dict | str | Path | None = None,
    force: bool = False,
    progress: Any = None,
    **options: Any,
) -> dict[str, Any]:
    """QAT-train a QKeras model on ``dataset`` (a built-in name or a ``.npz``), import it,
    and score float vs golden on the test set; writes ``out/`` and returns metrics.json.

    ``conv_filters``, ``conv_kernel``, ``pool``: the front-end of ``conv-lstm`` and
    ``conv-gru`` (a causal Conv1D with ReLU, then MaxPooling1D; pool 1: none).
    ``projection`` (input, output projector sizes): ``lstm``/``conv-lstm`` as a projected
    LSTM (:class:`fpga_rnn.models.QLSTMProjected`; input 0: no input projector).
    ``design``: a designer document (or its ``designer.json`` file) to build instead of
    ``arch`` (:func:`fpga_rnn.models.build_stack`).
    ``options``: batch_size, learning_rate, patience, validation, precision
    (see :class:`fpga_rnn.train.TrainConfig`).
    """
    spec = ModelSpec(
        arch=arch,
        units=units,
        layers=layers,
        bits=bits,
        int_bits=int_bits,
        state_bits=state_bits,
        float_baseline=float_baseline,
        conv_filters=conv_filters,
        conv_kernel=conv_kernel,
        pool=pool,
        projection=projection,
    )
    if isinstance(design, str | Path):
        design = read_design(design)
    cfg = TrainConfig(
        dataset=dataset, model=spec, epochs=epochs, seed=seed, design=design, **options
    )
    return train(cfg, out, force=force, progress=progress)
