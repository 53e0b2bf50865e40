"""Writing results safely: atomically, and never over existing results without force."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.errors import OutputExistsError


def check_writable(path: Path, *, force: bool) -> None:
    if path.exists() and not force:
        raise OutputExistsError(f"{path} already exists; pass --force to overwrite it")


@contextlib.contextmanager
def atomic_dir(path: Path, *, force: bool) -> Iterator[Path]:
    """Yield a temporary sibling directory; on success it replaces ``path``.

    On any error the temporary directory is removed and ``path`` is untouched.
    """
    check_writable(path, force=force)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield tmp
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, old / "x")
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def atomic_file(path: Path, *, force: bool) -> Iterator[Path]:
    """Yield a temporary file path in the same directory; renamed onto ``path`` on success."""
    check_writable(path, force=force)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any, *, force: bool = True) -> Path:
    with atomic_file(path, force=force) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=_json_default) + "\n")
    return path


def read_json(path: Path) -> dict[str, Any]:
    """A result file written by :func:`write_json`, or {} if it is missing or unreadable
    (a stage that has not run, or was interrupted)."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def save_npy(path: Path, array: np.ndarray, *, force: bool) -> Path:
    with atomic_file(path, force=force) as tmp, open(tmp, "wb") as fh:
        np.save(fh, array)
    return path


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)
