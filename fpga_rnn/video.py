"""A synthetic video set and a per-frame feature extractor, so the RNN flow can be
shown on video: the RNN sees one feature vector per frame, as it would from a CNN.

``moving-shapes``: 16x16 grey frames, 16 per clip, one shape (square, cross or
ring) entering at a random place and moving up, down, left or right at 1-2 px per
frame over a noisy, slowly flickering background; the label is shape x direction
(12 classes). One frame tells the shape but not the direction; the motion needs
the sequence.

Per-frame features (``frame_features``): the frame's row and column intensity
profiles pooled to 8 + 8 values and its centre of mass (2) -- a fixed projection, no
training. Your own per-frame features (e.g. a CNN's pooled activations) go in
through an ``.npz`` with ``x_train, y_train, x_test, y_test`` and x of shape
(N, T, F): ``fpga-rnn train --dataset my_features.npz``.
"""

from __future__ import annotations

import numpy as np

SIZE = 16
FRAMES = 16
SHAPES = ("square", "cross", "ring")
DIRECTIONS = ("up", "down", "left", "right")
_STEP = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}


def _sprite(shape: str) -> np.ndarray:
    s = np.zeros((5, 5))
    if shape == "square":
        s[:, :] = 1
    elif shape == "cross":
        s[2, :] = s[:, 2] = 1
    else:  # ring
        s[0, :] = s[-1, :] = s[:, 0] = s[:, -1] = 1
    return s


def render(shape: str, direction: str, rng: np.random.Generator) -> np.ndarray:
    """One clip: (FRAMES, SIZE, SIZE) floats in about [0, 1]."""
    dy, dx = _STEP[direction]
    speed = rng.uniform(0.6, 1.4)
    # start so that most of the path stays in the frame
    span = FRAMES * speed
    y0 = rng.uniform(2, SIZE - 3) if dy == 0 else (SIZE - 3 if dy < 0 else 2) + rng.uniform(-2, 2)
    x0 = rng.uniform(2, SIZE - 3) if dx == 0 else (SIZE - 3 if dx < 0 else 2) + rng.uniform(-2, 2)
    y0 -= dy * max(0.0, span - SIZE) / 2
    x0 -= dx * max(0.0, span - SIZE) / 2
    sprite = _sprite(shape) * rng.uniform(0.7, 1.0)
    clip = np.empty((FRAMES, SIZE, SIZE))
    flicker = 0.05 * np.sin(np.arange(FRAMES) * rng.uniform(0.2, 0.8) + rng.uniform(0, 6))
    for t in range(FRAMES):
        frame = rng.normal(0.1 + flicker[t], 0.08, (SIZE, SIZE))
        cy, cx = round(y0 + dy * speed * t), round(x0 + dx * speed * t)
        for (i, j), v in np.ndenumerate(sprite):
            yy, xx = cy - 2 + i, cx - 2 + j
            if v and 0 <= yy < SIZE and 0 <= xx < SIZE:
                frame[yy, xx] += v
        clip[t] = frame
    return clip


def frame_features(clips: np.ndarray) -> np.ndarray:
    """(N, T, H, W) frames -> (N, T, 18) features: row and column profiles pooled to
    8 each, and the intensity-weighted centre (row, column) scaled to [-1, 1]."""
    n, t, h, w = clips.shape
    rows = clips.sum(axis=3).reshape(n, t, 8, h // 8).mean(-1)
    cols = clips.sum(axis=2).reshape(n, t, 8, w // 8).mean(-1)
    wts = np.clip(clips - np.median(clips, axis=(2, 3), keepdims=True), 0, None) + 1e-6
    cy = (wts.sum(3) * np.arange(h)).sum(-1) / wts.sum((2, 3))
    cx = (wts.sum(2) * np.arange(w)).sum(-1) / wts.sum((2, 3))
    centre = np.stack([cy / (h - 1), cx / (w - 1)], -1) * 2 - 1
    return np.concatenate([rows, cols, centre], axis=-1).astype(np.float32)


def make_clips(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n clips and their labels (shape index * 4 + direction index)."""
    y = rng.integers(0, len(SHAPES) * len(DIRECTIONS), n)
    clips = np.stack([render(SHAPES[c // 4], DIRECTIONS[c % 4], rng) for c in y])
    return clips, y


def classes() -> list[str]:
    return [f"{s}-{d}" for s in SHAPES for d in DIRECTIONS]
