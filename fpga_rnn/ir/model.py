"""The model IR: an input spec and a chain of layers, saved as ``ir.json`` + ``weights.npz``."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import typing
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.errors import InputError, IRError
from fpga_rnn.escape import check_identifier
from fpga_rnn.fixed import FixedFormat
from fpga_rnn.ir.layers import LAYER_KINDS, Layer, QArray, Shape, TableSpec
from fpga_rnn.outputs import atomic_dir
from fpga_rnn.window import Window, steps_through

SCHEMA_VERSION = 1


@dataclass(frozen=True, kw_only=True)
class InputSpec:
    """What the model reads at each time step.

    ``fmt`` is the fixed-point format of feature inputs; token inputs (for an
    Embedding) have ``tokens=True`` and ``fmt=None``. ``mask_value``: time steps
    whose features all equal it are skipped (Keras Masking / mask_zero): the state
    holds, exactly as in Keras.
    """

    features: int
    timesteps: int | None = None
    fmt: FixedFormat | None = None
    tokens: bool = False
    mask_value: float | None = None

    def __post_init__(self) -> None:
        if self.tokens == (self.fmt is not None):
            raise IRError("input: give a format for feature inputs, none for token inputs")
        if self.features < 1 or (self.timesteps is not None and self.timesteps < 1):
            raise IRError(f"input: bad shape ({self.timesteps}, {self.features})")

    @property
    def shape(self) -> Shape:
        return (self.timesteps, self.features)

    @property
    def mask_code(self) -> int | None:
        """The mask value as an input code (a token id, or quantized to ``fmt``): the
        hardware, which sees codes, treats a step whose codes all equal it as padding."""
        if self.mask_value is None:
            return None
        if self.tokens:
            return int(self.mask_value)
        assert self.fmt is not None
        return int(self.fmt.quantize(np.array([self.mask_value]))[0])


@dataclass(frozen=True, kw_only=True, eq=False)
class Model:
    """A sequence model: ``input`` then ``layers`` applied in order."""

    name: str
    input: InputSpec
    layers: tuple[Layer, ...]
    source: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        if not self.layers:
            raise IRError("a model needs at least one layer")
        # names reach generated C, C++, Verilog and HTML: identifiers only
        try:
            check_identifier(self.name, "model name")
            for la in _walk_layers(self.layers):
                check_identifier(la.name, "layer name")
        except InputError as e:
            raise IRError(str(e)) from None
        names = [la.name for la in self.layers]
        if len(set(names)) != len(names):
            raise IRError(f"layer names must be unique, got {names}")
        self.shapes()  # validates every layer against its input
        if self.input.mask_value is not None:
            for la in self.layers:
                if not la.keeps_time:
                    raise IRError(
                        f"layer {la.name!r} ({la.kind}) cannot follow masked input: Keras "
                        "passes no mask through it; drop the Masking (shorter sequences "
                        "end at tlast in hardware)"
                    )

    def shapes(self) -> list[Shape]:
        """Output shape after each layer (validating as it goes)."""
        out, s = [], self.input.shape
        for la in self.layers:
            s = la.output_shape(s)
            out.append(s)
        return out

    @property
    def output_shape(self) -> Shape:
        return self.shapes()[-1]

    def steps(self, t: int) -> int:
        """Output steps of a sequence output for ``t`` input steps."""
        return steps_through(self.windows(), t)

    def windows(self) -> list[Window]:
        """The window layers' windows, in order."""
        return [la.window for la in self.layers if la.window is not None]

    def min_steps(self) -> int:
        """The shortest input that gives an output (window layers need whole windows):
        one output step, traced back through the layers (no search: a hostile IR's
        stack of windows cannot make this slow)."""
        t = 1
        for w in reversed(self.windows()):
            t = w.min_steps(t)
        return t

    def formats(self) -> list[FixedFormat | None]:
        """Format of each layer's input (index i) -- the previous result."""
        fmts, f = [], self.input.fmt
        for la in self.layers:
            fmts.append(f)
            f = la.result_format(f)
        return fmts

    @property
    def output_format(self) -> FixedFormat:
        return self.layers[-1].result_format(self.formats()[-1])

    def summary(self) -> list[dict[str, Any]]:
        rows = []
        for la, s in zip(self.layers, self.shapes(), strict=True):
            params = sum(v.codes.size for v in _walk_qarrays(la))
            rows.append({"name": la.name, "kind": la.kind, "output_shape": s, "params": params})
        return rows

    # --- persistence ----------------------------------------------------------
    def save(self, path: str | Path, *, force: bool = False) -> Path:
        """Write ``ir.json`` and ``weights.npz`` into directory ``path`` atomically."""
        arrays: dict[str, np.ndarray] = {}
        doc = {
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "source": self.source,
            "input": _encode(self.input, "input", arrays),
            "layers": [_encode(la, la.name, arrays) for la in self.layers],
        }
        with atomic_dir(Path(path), force=force) as tmp:
            (tmp / "ir.json").write_text(json.dumps(doc, indent=2) + "\n")
            np.savez_compressed(tmp / "weights.npz", **arrays)
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> Model:
        p = Path(path)
        jf, wf = p / "ir.json", p / "weights.npz"
        if not jf.is_file() or not wf.is_file():
            raise IRError(f"{p} is not an IR directory (needs ir.json and weights.npz)")
        try:
            doc = json.loads(jf.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise IRError(f"{jf} is corrupt ({e}); re-create it with 'fpga-rnn import'") from None
        version = doc.get("schema_version") if isinstance(doc, dict) else None
        if not isinstance(version, int):
            raise IRError(f"{jf} has no schema_version; re-create it with 'fpga-rnn import'")
        if version > SCHEMA_VERSION:
            raise IRError(
                f"{jf} has schema version {version}, newer than this fpga-rnn "
                f"({SCHEMA_VERSION}); upgrade fpga-rnn"
            )
        try:
            with np.load(wf, allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
            raise IRError(f"{wf} is corrupt ({e}); re-create it with 'fpga-rnn import'") from None
        if not isinstance(doc.get("layers"), list) or not isinstance(doc.get("input"), dict):
            raise IRError(f"{jf}: 'input' must be an object and 'layers' a list of objects")
        try:
            return cls(
                name=doc["name"],
                input=_decode(InputSpec, doc["input"], arrays),
                layers=tuple(_decode_layer(d, arrays) for d in doc["layers"]),
                source=doc.get("source", {}),
            )
        except IRError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise IRError(f"{jf} is corrupt or inconsistent ({type(e).__name__}: {e})") from None

    def _content(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Structure and formats (JSON-able), and the code arrays by key."""
        arrays: dict[str, np.ndarray] = {}
        doc = {
            "i": _encode(self.input, "i", arrays),
            "l": [_encode(x, x.name, arrays) for x in self.layers],
        }
        return doc, arrays

    def equals(self, other: Model) -> bool:
        """Exact equality of structure, formats and every code."""
        da, a = self._content()
        db, b = other._content()
        return (
            da == db
            and a.keys() == b.keys()
            and all(np.array_equal(a[k], b[k]) and a[k].dtype == b[k].dtype for k in a)
        )

    def digest(self) -> str:
        """Hash of what ``equals`` compares (for caches keyed by model content)."""
        doc, arrays = self._content()
        h = hashlib.sha256(json.dumps(doc, sort_keys=True).encode())
        for k in sorted(arrays):
            a = np.ascontiguousarray(arrays[k])
            h.update(f"{k}:{a.dtype}:{a.shape}".encode())
            h.update(a.tobytes())
        return h.hexdigest()[:16]


def _walk_layers(layers: tuple[Layer, ...]):
    """Every layer, including those nested in a wrapper (Bidirectional)."""
    for la in layers:
        yield la
        yield from _walk_layers(
            tuple(
                getattr(la, f.name)
                for f in dataclasses.fields(la)
                if isinstance(getattr(la, f.name), Layer)
            )
        )


def _walk_qarrays(obj: Any):
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, QArray):
            yield v
        elif isinstance(v, Layer):
            yield from _walk_qarrays(v)


def _encode(obj: Any, prefix: str, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(obj, Layer):
        out["kind"] = obj.kind
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        key = f"{prefix}.{f.name}"
        if isinstance(v, QArray):
            arrays[key] = v.codes
            out[f.name] = {"array": key, "format": str(v.fmt)}
        elif isinstance(v, FixedFormat):
            out[f.name] = str(v)
        elif isinstance(v, TableSpec):
            out[f.name] = {"size": v.size, "format": str(v.fmt)}
        elif isinstance(v, Layer):
            out[f.name] = _encode(v, key, arrays)
        else:
            out[f.name] = v
    return out


# plain fields of the IR: ints are sizes, so bounded (a 2^40 table is a typo or an attack)
MAX_SIZE = 1 << 24


def _plain(name: str, v: Any, hint: str) -> Any:
    """A plain JSON value checked against its field's type hint."""
    base = hint.replace(" | None", "").removeprefix("<class '").removesuffix("'>")
    if base == "bool":
        ok = isinstance(v, bool)
    elif base == "int":
        ok = isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_SIZE
    elif base == "float":
        ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    elif base == "str":
        ok = isinstance(v, str)  # names and enums are checked by the model and layers
    else:
        ok = True
    if not ok:
        raise IRError(f"IR field {name!r}: {v!r:.60} is not a valid {base}")
    return v


def _decode_layer(d: dict[str, Any], arrays: dict[str, np.ndarray]) -> Layer:
    if not isinstance(d, dict):
        raise IRError(f"IR layer {d!r:.60} is not an object")
    kind = d.get("kind")
    if kind not in LAYER_KINDS:
        raise IRError(f"unknown layer kind {kind!r} in IR; known: {sorted(LAYER_KINDS)}")
    return _decode(LAYER_KINDS[kind], d, arrays)


def _decode(cls: type, d: dict[str, Any], arrays: dict[str, np.ndarray]) -> Any:
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in d:
            continue
        v, hint = d[f.name], str(hints[f.name])
        if v is None:
            kwargs[f.name] = None
        elif "QArray" in hint:
            if v["array"] not in arrays:
                raise IRError(f"weights.npz lacks array {v['array']!r}")
            kwargs[f.name] = QArray(codes=arrays[v["array"]], fmt=FixedFormat.parse(v["format"]))
        elif "FixedFormat" in hint:
            kwargs[f.name] = FixedFormat.parse(v)
        elif "TableSpec" in hint:
            kwargs[f.name] = TableSpec(size=v["size"], fmt=FixedFormat.parse(v["format"]))
        elif "Recurrent" in hint or "Layer" in hint:
            kwargs[f.name] = _decode_layer(v, arrays)
        else:
            kwargs[f.name] = _plain(f.name, v, hint)
    return cls(**kwargs)
