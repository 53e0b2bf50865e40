"""Figures for training and verification reports (matplotlib, Agg backend, PNG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _finish(plt, fig, ax, path: Path, xlabel: str, ylabel: str) -> Path:
    """Labels, grid and legend of a one-panel figure; saved as PNG and closed."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def training_curves(history: dict[str, list[float]], path: Path, title: str) -> Path:
    """Loss and the task metric per epoch, training vs validation (MATLAB's
    training-progress view), with the restored best epoch marked."""
    plt = _plt()
    metric = next(
        (k for k in history if k not in ("loss", "lr") and not k.startswith("val_")), None
    )
    panels = [("loss", "loss")] + ([(metric, metric)] if metric else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.6))
    axes = np.atleast_1d(axes)
    epochs = np.arange(1, len(history["loss"]) + 1)
    best = int(np.argmin(history.get("val_loss", history["loss"]))) + 1
    for ax, (key, label) in zip(axes, panels, strict=True):
        ax.plot(epochs, history[key], label="training", color="#1f77b4", lw=1.8)
        if f"val_{key}" in history:
            ax.plot(
                epochs, history[f"val_{key}"], label="validation", color="#ff7f0e", lw=1.8, ls="--"
            )
        ax.axvline(best, color="grey", lw=0.8, ls=":", label=f"best epoch {best}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=8)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def confusion(
    y_true: np.ndarray, preds: dict[str, np.ndarray], classes: list[str], path: Path
) -> Path:
    """Confusion matrices side by side (e.g. float and fixed-point), accuracy in titles."""
    plt = _plt()
    n = len(classes)
    fig, axes = plt.subplots(1, len(preds), figsize=(4.4 * len(preds) + 0.6, 4.2))
    axes = np.atleast_1d(axes)
    for ax, (name, p) in zip(axes, preds.items(), strict=True):
        cm = np.zeros((n, n), int)
        np.add.at(cm, (y_true, p), 1)
        ax.imshow(cm, cmap="Blues")
        for i in range(n):
            for j in range(n):
                if cm[i, j]:
                    ax.text(
                        j,
                        i,
                        str(cm[i, j]),
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if cm[i, j] > cm.max() / 2 else "black",
                    )
        ax.set_xticks(range(n), classes, rotation=45 if n > 6 else 0, fontsize=8)
        ax.set_yticks(range(n), classes, fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(f"{name}: accuracy {np.mean(p == y_true):.3f}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def predicted_vs_true(y_true: np.ndarray, preds: dict[str, np.ndarray], path: Path) -> Path:
    """Scatter of predictions against targets (all outputs/steps), with RMSE."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.8, 4.4))
    t = y_true.ravel()
    for (name, p), m in zip(preds.items(), ("o", "x"), strict=False):
        rmse = float(np.sqrt(np.mean((p.ravel() - t) ** 2)))
        ax.scatter(t, p.ravel(), s=9, marker=m, alpha=0.5, label=f"{name} (RMSE {rmse:.4f})")
    lo, hi = float(t.min()), float(t.max())
    ax.plot([lo, hi], [lo, hi], color="grey", lw=0.8)
    return _finish(plt, fig, ax, path, "true", "predicted")


def error_histogram(errors: dict[str, np.ndarray], path: Path, xlabel: str) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    for name, e in errors.items():
        ax.hist(np.ravel(e), bins=60, alpha=0.6, label=name)
    ax.set_yscale("log")
    return _finish(plt, fig, ax, path, xlabel, "count")


def utilisation(used: dict[str, float], limits: dict[str, int], path: Path, title: str) -> Path:
    """Horizontal bars: each resource's share of the board, 80 % guide line."""
    plt = _plt()
    keys = [k for k in used if limits.get(k)]
    frac = [100 * used[k] / limits[k] for k in keys]
    fig, ax = plt.subplots(figsize=(6.4, 0.5 + 0.55 * len(keys)))
    colors = ["#c0392b" if f > 100 else "#e67e22" if f > 80 else "#2e86c1" for f in frac]
    ax.barh([k.upper() for k in keys], frac, color=colors)
    for i, (k, f) in enumerate(zip(keys, frac, strict=True)):
        ax.text(f + 1, i, f"{used[k]:g} / {limits[k]}  ({f:.1f} %)", va="center", fontsize=8)
    ax.axvline(80, color="grey", ls="--", lw=1, label="80 %")
    ax.set_xlim(0, max(110, max(frac, default=0) * 1.35))
    ax.invert_yaxis()
    ax.set_title(title, fontsize=10)
    return _finish(plt, fig, ax, path, "% of the board", "")
