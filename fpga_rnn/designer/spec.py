"""The designer's document: a layer stack as a person composes it, checked field by field.

A design is plain JSON (what the page sends, what ``designer.json`` holds)::

    {"name": "mymodel",
     "input": {"features": 12, "timesteps": 29, "masked": true, "vocabulary": 0},
     "layers": [{"kind": "lstm", "units": 16, "bits": 8, "bidirectional": true},
                {"kind": "dense", "units": 9, "activation": "softmax", "bits": 8}],
     "sequence_output": false, "precision": "ap_fixed<16,6>"}

Every value is data from a browser: :func:`parse` checks types and ranges and returns
each problem with the index of the layer it is in, so the page shows it where it was
made. The same design builds the QKeras model (:func:`fpga_rnn.models.build_stack`),
and, with random weights in the chosen formats, the IR the cost is computed from
(:func:`to_ir`): no TensorFlow on the way to a cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fpga_rnn.errors import InputError
from fpga_rnn.escape import check_identifier
from fpga_rnn.fixed import FixedFormat
from fpga_rnn.ir import InputSpec, Model
from fpga_rnn.ir import precision as prec
from fpga_rnn.ir import random as rir
from fpga_rnn.ir.kinds import ACTIVATIONS
from fpga_rnn.models import EMBEDDING_DIM

RECURRENT = ("lstm", "gru", "simple_rnn")
# every kind the designer composes, with its fields: (name, type, default, low, high)
Field = tuple[str, type, Any, int | None, int | None]
CATALOGUE: dict[str, tuple[Field, ...]] = {
    "lstm": (
        ("units", int, 16, 1, 512),
        ("bits", int, 8, 2, 16),
        ("bidirectional", bool, False, None, None),
        ("projection", int, 0, 0, 512),  # output projector size (0: a plain LSTM)
    ),
    "gru": (
        ("units", int, 16, 1, 512),
        ("bits", int, 8, 2, 16),
        ("bidirectional", bool, False, None, None),
        ("reset_after", bool, True, None, None),
    ),
    "simple_rnn": (
        ("units", int, 16, 1, 512),
        ("bits", int, 8, 2, 16),
        ("bidirectional", bool, False, None, None),
    ),
    "dense": (
        ("units", int, 8, 1, 1024),
        ("bits", int, 8, 2, 16),
        ("activation", str, "linear", None, None),
    ),
    "conv1d": (
        ("units", int, 16, 1, 1024),  # filters
        ("bits", int, 8, 2, 16),
        ("kernel", int, 3, 1, 64),
    ),
    "pooling1d": (("pool", int, 2, 2, 64),),
}
MAX_LAYERS = 16
MAX_FEATURES = 4096
MAX_TIMESTEPS = 4096
MAX_VOCABULARY = 1 << 16


@dataclass(frozen=True)
class Problem:
    """Something wrong with a design: ``layer`` is its index (None: the design)."""

    layer: int | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"layer": self.layer, "message": self.message}


@dataclass(frozen=True)
class Design:
    name: str
    features: int
    timesteps: int
    masked: bool
    vocabulary: int
    layers: tuple[dict[str, Any], ...]
    sequence_output: bool
    precision: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "input": {
                "features": self.features,
                "timesteps": self.timesteps,
                "masked": self.masked,
                "vocabulary": self.vocabulary,
            },
            "layers": [dict(la) for la in self.layers],
            "sequence_output": self.sequence_output,
            "precision": self.precision,
        }

    def returns_sequences(self, i: int) -> bool:
        """A recurrent layer returns sequences when a recurrent layer follows it, or the
        model outputs one vector per step."""
        later = any(la["kind"] in RECURRENT for la in self.layers[i + 1 :])
        return later or self.sequence_output


def _int(v: Any, lo: int, hi: int, what: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise InputError(f"{what} must be a whole number from {lo} to {hi}, got {v!r:.20}")
    return v


def _layer(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InputError("a layer must be an object")
    kind = raw.get("kind")
    if kind not in CATALOGUE:
        raise InputError(f"unknown layer kind {kind!r:.30}; choose from {', '.join(CATALOGUE)}")
    out: dict[str, Any] = {"kind": kind}
    for name, typ, default, lo, hi in CATALOGUE[kind]:
        v = raw.get(name, default)
        if typ is int:
            assert lo is not None and hi is not None
            out[name] = _int(v, lo, hi, name)
        elif typ is bool:
            if not isinstance(v, bool):
                raise InputError(f"{name} must be true or false")
            out[name] = v
        else:
            if v not in ACTIVATIONS:
                raise InputError(f"activation {v!r:.20} unknown; choose from {ACTIVATIONS}")
            out[name] = v
    unknown = set(raw) - {"kind", *(f[0] for f in CATALOGUE[kind])}
    if unknown:
        raise InputError(f"unknown field(s) {', '.join(sorted(map(str, unknown)))[:60]}")
    return out


def parse(doc: Any) -> tuple[Design | None, list[Problem]]:
    """A checked design and the problems found (a design only when there are none)."""
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        return None, [Problem(None, "the design must be a JSON object")]
    inp = doc.get("input", {})
    try:
        name = doc.get("name", "designed")
        check_identifier(name, "model name")
        if not isinstance(inp, dict):
            raise InputError("input must be an object")
        features = _int(inp.get("features", 1), 1, MAX_FEATURES, "input features")
        timesteps = _int(inp.get("timesteps", 32), 1, MAX_TIMESTEPS, "input timesteps")
        vocabulary = _int(inp.get("vocabulary", 0), 0, MAX_VOCABULARY, "vocabulary")
        masked = inp.get("masked", False)
        if not isinstance(masked, bool):
            raise InputError("input masked must be true or false")
        seq = doc.get("sequence_output", False)
        if not isinstance(seq, bool):
            raise InputError("sequence_output must be true or false")
        precision = doc.get("precision", prec.DEFAULT_PRECISION)
        if not isinstance(precision, str) or len(precision) > 60:
            raise InputError("precision must be a format such as ap_fixed<16,6>")
        FixedFormat.parse(precision)
    except (InputError, ValueError) as e:
        return None, [Problem(None, str(e).splitlines()[0])]
    raw_layers = doc.get("layers", [])
    if raw_layers == []:
        return None, [Problem(None, "add a recurrent layer (LSTM, GRU or SimpleRNN)")]
    if not isinstance(raw_layers, list) or not 1 <= len(raw_layers) <= MAX_LAYERS:
        return None, [Problem(None, f"a design needs 1 to {MAX_LAYERS} layers")]
    layers = []
    for i, raw in enumerate(raw_layers):
        try:
            layers.append(_layer(raw))
        except InputError as e:
            problems.append(Problem(i, str(e)))
    if problems:
        return None, problems
    d = Design(name, features, timesteps, masked, vocabulary, tuple(layers), seq, precision)
    problems = _combinations(d)
    return (None if problems else d), problems


def _combinations(d: Design) -> list[Problem]:
    """What the layers cannot do together, each at the layer where it is made."""
    out = []
    seen_recurrent = False
    last = len(d.layers) - 1
    for i, la in enumerate(d.layers):
        k = la["kind"]
        if k in ("conv1d", "pooling1d"):
            if seen_recurrent:
                out.append(Problem(i, f"a {k} goes before the recurrent layers"))
            if d.masked or d.vocabulary:
                why = "text input" if d.vocabulary else "masked (padded) input"
                out.append(Problem(i, f"a {k} takes no mask: not with {why}"))
            if d.sequence_output:
                out.append(Problem(i, f"a {k} shortens the sequence: not with per-step output"))
        if k in RECURRENT:
            seen_recurrent = True
            if la.get("projection") and la["bidirectional"]:
                out.append(Problem(i, "a projected LSTM cannot be bidirectional"))
        if k == "dense" and la["activation"] == "softmax" and i != last:
            out.append(Problem(i, "softmax belongs to the last layer"))
    if not seen_recurrent:
        out.append(Problem(None, "add a recurrent layer (LSTM, GRU or SimpleRNN)"))
    return out


def dataset_input(ds: Any) -> dict[str, Any]:
    """The design input a dataset (:class:`fpga_rnn.datasets.Dataset`) asks for."""
    return {
        "features": ds.features,
        "timesteps": int(ds.x_train.shape[1]),
        "masked": ds.mask_value is not None and not ds.vocabulary,
        "vocabulary": ds.vocabulary or 0,
    }


def _ir_spec(d: Design, i: int, la: dict[str, Any]) -> dict[str, Any]:
    k = la["kind"]
    if k in RECURRENT:
        cell: dict[str, Any] = {
            "kind": k,
            "units": la["units"],
            "bits": la["bits"],
            "return_sequences": d.returns_sequences(i),
        }
        if k == "gru":
            cell["reset_after"] = la["reset_after"]
        if la.get("projection"):
            cell["projection"] = la["projection"]
        if la["bidirectional"]:
            return {"kind": "bidirectional", "forward": cell, "backward": dict(cell)}
        return cell
    if k == "dense":
        return {
            "kind": "dense",
            "units": la["units"],
            "activation": la["activation"],
            "bits": la["bits"],
        }
    if k == "conv1d":
        return {
            "kind": "conv1d",
            "units": la["units"],
            "kernel_size": la["kernel"],
            "padding": "causal",
            "bits": la["bits"],
        }
    return {"kind": "pooling1d", "op": "max", "pool": la["pool"]}


def to_ir(d: Design, seed: int = 0) -> Model:
    """The design as an IR with random weights in its formats (for its cost)."""
    specs = [_ir_spec(d, i, la) for i, la in enumerate(d.layers)]
    if d.vocabulary:
        specs.insert(0, {"kind": "embedding", "units": EMBEDDING_DIM})
    m = rir.model(
        specs,
        features=d.features,
        timesteps=d.timesteps,
        seed=seed,
        precision=d.precision,
        vocabulary=d.vocabulary or None,
        name=d.name,
    )
    if d.masked and not d.vocabulary:
        spec = InputSpec(
            features=d.features, timesteps=d.timesteps, fmt=m.input.fmt, mask_value=0.0
        )
        m = Model(name=m.name, input=spec, layers=m.layers)
    return m


def default_design() -> dict[str, Any]:
    """What the page opens with: the built-in JapaneseVowels shape and an LSTM."""
    return {
        "name": "designed",
        "input": {"features": 12, "timesteps": 29, "masked": True, "vocabulary": 0},
        "layers": [
            {"kind": "lstm", "units": 16, "bits": 8, "bidirectional": False, "projection": 0},
            {"kind": "dense", "units": 9, "activation": "softmax", "bits": 8},
        ],
        "sequence_output": False,
        "precision": prec.DEFAULT_PRECISION,
    }


def design_from_ir(m: Model) -> tuple[dict[str, Any], list[Problem]]:
    """A design document for an imported model, to edit in the designer; the layers the
    designer cannot compose are named as problems (and left out)."""
    from fpga_rnn.ir.conv import Conv1D, Pooling1D
    from fpga_rnn.ir.layers import GRU, LSTM, Bidirectional, Dense, Embedding, Recurrent

    problems: list[Problem] = []
    layers: list[dict[str, Any]] = []
    vocabulary = 0

    def cell(la: Recurrent, bidir: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": la.kind,
            "units": la.units,
            "bits": la.kernel.fmt.width,
            "bidirectional": bidir,
        }
        if isinstance(la, GRU):
            out["reset_after"] = la.reset_after
        if isinstance(la, LSTM):
            out["projection"] = la.projection.shape[1] if la.projection is not None else 0
        return out

    for la in m.layers:
        if isinstance(la, Embedding):
            vocabulary = la.table.shape[0]
        elif isinstance(la, Bidirectional):
            layers.append(cell(la.forward, True))
        elif isinstance(la, Recurrent):
            layers.append(cell(la, False))
        elif isinstance(la, Conv1D):
            layers.append(
                {
                    "kind": "conv1d",
                    "units": la.kernel.shape[2],
                    "bits": la.kernel.fmt.width,
                    "kernel": la.window.taps,
                }
            )
        elif isinstance(la, Pooling1D) and la.op == "max":
            layers.append({"kind": "pooling1d", "pool": la.pool})
        elif isinstance(la, Dense):
            layers.append(
                {
                    "kind": "dense",
                    "units": la.kernel.shape[1],
                    "bits": la.kernel.fmt.width,
                    "activation": la.activation,
                }
            )
        else:
            problems.append(Problem(None, f"layer {la.name} ({la.kind}) is left out"))
    last_rec = max(
        (i for i, la in enumerate(m.layers) if isinstance(la, Recurrent | Bidirectional)),
        default=-1,
    )
    seq = last_rec >= 0 and len(m.output_shape) == 2
    doc = {
        "name": m.name,
        "input": {
            "features": m.input.features,
            "timesteps": m.input.timesteps or 32,
            "masked": m.input.mask_value is not None and not vocabulary,
            "vocabulary": vocabulary,
        },
        "layers": layers,
        "sequence_output": seq,
        "precision": m.source.get("precision", prec.DEFAULT_PRECISION),
    }
    if m.input.mask_value not in (None, 0.0):
        problems.append(Problem(None, f"the model masks {m.input.mask_value}; designs mask 0"))
    return doc, problems
