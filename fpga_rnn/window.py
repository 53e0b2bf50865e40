"""The geometry of a window over time (Conv1D, pooling): padding, output steps and the
shortest input. Dependency-free: the Zynq package's driver ships this file verbatim
to size its replies, so it and fpga-rnn read one rule."""

from __future__ import annotations

from dataclasses import dataclass

PADDINGS = ("valid", "causal", "same")


@dataclass(frozen=True)
class Window:
    """``taps`` steps ``dilation`` apart, one window every ``strides`` input steps.

    Zero steps pad the sequence: ``causal`` puts ``span - 1`` before it, ``same``
    splits them (the smaller half first, as Keras), ``valid`` none. A stream knows
    its length only at ``tlast``, so ``same`` with strides > 1 (whose padding depends
    on the length) is refused by the layers.
    """

    taps: int
    strides: int = 1
    dilation: int = 1
    padding: str = "valid"

    @property
    def span(self) -> int:
        """Input steps one window covers."""
        return (self.taps - 1) * self.dilation + 1

    @property
    def pad_left(self) -> int:
        return {"valid": 0, "causal": self.span - 1, "same": (self.span - 1) // 2}[self.padding]

    @property
    def pad_right(self) -> int:
        return self.span - 1 - self.pad_left if self.padding == "same" else 0

    def steps(self, t: int) -> int:
        """Output steps for ``t`` input steps (0: too short for one window)."""
        padded = t + self.pad_left + self.pad_right
        return max(0, (padded - self.span) // self.strides + 1)

    def min_steps(self, outputs: int = 1) -> int:
        """The shortest input that gives ``outputs`` output steps."""
        return max(1, (outputs - 1) * self.strides + self.span - self.pad_left - self.pad_right)


def steps_through(windows: list[Window], t: int) -> int:
    """Output steps of ``t`` input steps through ``windows`` in turn."""
    for w in windows:
        t = w.steps(t)
    return t
