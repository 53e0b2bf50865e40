"""What a sweep covers: the grid (architecture × units × bits × integer bits × layers ×
seeds) on one dataset, the boards each trained model is fitted to, and training options.

A spec comes from the command line or a YAML file (``--spec sweep.yaml``, the same
keys); it is validated before anything runs. Each point of the grid is a trial with a
stable id (a digest of its configuration), which is how ``--resume`` knows what ran.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from fpga_rnn.errors import InputError
from fpga_rnn.limits import check_int

MAX_TRIALS = 10_000
LIST_KEYS = ("arch", "units", "bits", "int_bits", "state_bits", "layers", "boards")


@dataclass(frozen=True)
class SweepSpec:
    dataset: str
    arch: list[str]
    units: list[int]
    bits: list[int]
    int_bits: list[int] = field(default_factory=lambda: [0])
    state_bits: list[int] = field(default_factory=lambda: [0])  # 0: state not quantized
    layers: list[int] = field(default_factory=lambda: [1])
    seeds: int = 1
    boards: list[str] = field(default_factory=lambda: ["pynq-z2"])
    epochs: int = 100

    def validate(self) -> SweepSpec:
        """Check every value (datasets, boards and architectures by name) and return self."""
        from fpga_rnn.boards import load_board
        from fpga_rnn.datasets import DATASETS
        from fpga_rnn.models import ARCHS

        if not isinstance(self.dataset, str) or not self.dataset:
            raise InputError("sweep: --dataset is required")
        if not self.dataset.endswith(".npz") and self.dataset not in DATASETS:
            raise InputError(
                f"sweep: unknown dataset {self.dataset!r}; built-in: {', '.join(DATASETS)}"
                " (or an .npz file)"
            )
        if self.dataset.endswith(".npz") and not Path(self.dataset).is_file():
            raise InputError(f"sweep: dataset file {self.dataset} does not exist")
        for name in ("arch", "units", "bits", "int_bits", "state_bits", "layers", "boards"):
            values = getattr(self, name)
            if not isinstance(values, list) or not values:
                raise InputError(f"sweep: --{name.replace('_', '-')} is empty: give at least one")
        for a in self.arch:
            if a not in ARCHS:
                raise InputError(
                    f"sweep: unknown architecture {a!r}; choose from {', '.join(ARCHS)}"
                )
        for u in self.units:
            check_int(u, "--units", 1, 4096)
        for b in self.bits:
            check_int(b, "--bits", 2, 32)
        for i in self.int_bits:
            check_int(i, "--int-bits", 0, 31)
        for sb in self.state_bits:
            if check_int(sb, "--state-bits", 0, 32) == 1:
                raise InputError("sweep: --state-bits must be 0 (off) or 2..32")
        for la in self.layers:
            check_int(la, "--layers", 1, 8)
        check_int(self.seeds, "--seeds", 1, 100)
        check_int(self.epochs, "--epochs", 1, 100_000)
        for b in self.boards:
            load_board(b)  # an unknown board is a one-line error naming the known ones
        n = len(self.grid())
        if n > MAX_TRIALS:
            raise InputError(f"sweep: {n} trials is more than {MAX_TRIALS}; narrow the grid")
        return self

    def grid(self) -> list[dict[str, Any]]:
        """Every trial's configuration, in a stable order."""
        points = itertools.product(
            self.arch, self.units, self.bits, self.int_bits, self.state_bits, self.layers,
            range(self.seeds),
        )  # fmt: skip
        out = []
        for arch, units, bits, ib, sb, layers, seed in points:
            cfg = {"arch": arch, "units": units, "bits": bits, "int_bits": ib, "layers": layers}
            if sb:  # absent when off: the ids of sweeps without it stay as they were
                cfg["state_bits"] = sb
            cfg |= {"seed": seed, "dataset": self.dataset, "epochs": self.epochs}
            out.append({**cfg, "id": trial_id(cfg)})
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def trial_id(cfg: dict[str, Any]) -> str:
    """A short, stable name for one configuration (seed included)."""
    key = json.dumps({k: v for k, v in cfg.items() if k != "id"}, sort_keys=True)
    return f"{config_key(cfg)}-s{cfg['seed']}-{hashlib.sha256(key.encode()).hexdigest()[:6]}"


def config_key(cfg: dict[str, Any]) -> str:
    """The configuration without its seed: what seeds are aggregated over."""
    key = f"{cfg['arch']}{cfg['units']}x{cfg['layers']}-b{cfg['bits']}i{cfg['int_bits']}"
    return key + (f"h{cfg['state_bits']}" if cfg.get("state_bits") else "")


def parse_list(text: str, kind: type, what: str) -> list[Any]:
    """``"8,16,32"`` -> [8, 16, 32]; a one-line error for a bad item."""
    items = [t.strip() for t in str(text).split(",") if t.strip()]
    try:
        return [kind(t) for t in items]
    except ValueError:
        raise InputError(f"sweep: --{what} must be a comma-separated list, got {text!r}") from None


def load_spec(path: Path) -> dict[str, Any]:
    """The keys of a YAML sweep file (validated by SweepSpec)."""
    try:
        data = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"sweep spec {path}: {str(e).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise InputError(f"sweep spec {path}: must be a mapping of keys to values")
    known = {f.name for f in fields(SweepSpec)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"sweep spec {path}: unknown key {unknown[0]!r}; allowed: {sorted(known)}")
    for k, v in data.items():  # a single value for a list key is a one-item list
        if k in ("arch", "units", "bits", "int_bits", "layers", "boards") and not isinstance(
            v, list
        ):
            data[k] = [v]
    return data
