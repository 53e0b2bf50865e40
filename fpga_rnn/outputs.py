"""Writing results safely: atomically, and never over existing results without force."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from fpga_rnn.errors import OutputError, OutputExistsError


def check_writable(path: Path, *, force: bool, kind: str = "any") -> None:
    """Refuse before any work: existing results without ``force``, the current folder or
    one of its parents, a file where a folder goes (``kind="dir"``) or the reverse
    (``kind="file"``), and a parent folder that cannot be written."""
    path = Path(path)
    real = path.resolve()
    if real == Path.cwd().resolve() or real in Path.cwd().resolve().parents:
        raise OutputError(f"{path} is the current folder or one of its parents; name a new folder")
    if kind == "dir" and path.exists() and not path.is_dir():
        raise OutputError(f"{path} is a file; --out needs a folder path")
    if kind == "file" and path.is_dir():
        raise OutputError(f"{path} is a folder; name a file")
    if path.exists() and not force:
        raise OutputExistsError(f"{path} already exists; pass --force to overwrite it")
    parent = _existing_parent(real)
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write into {parent}: not a writable folder")


def _existing_parent(p: Path) -> Path:
    p = p.parent
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


@contextlib.contextmanager
def atomic_dir(path: Path, *, force: bool) -> Iterator[Path]:
    """Yield a temporary sibling directory; on success it replaces ``path``.

    On any error the temporary directory is removed and ``path`` is untouched.
    Without ``force`` the commit refuses a ``path`` that appeared meanwhile (another
    run into the same folder): the later run fails instead of replacing the earlier.
    """
    path = Path(path)
    check_writable(path, force=force, kind="dir")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield tmp
        if path.exists() and force:
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, old / "x")
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            _commit_new(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _taken(path: Path) -> OutputExistsError:
    return OutputExistsError(
        f"{path} was created by another run meanwhile; pass --force to overwrite it"
    )


def _commit_new(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` only if nothing is there (no silent replacement)."""
    if path.exists():
        raise _taken(path)
    try:
        os.rename(tmp, path)  # fails on a non-empty folder that appeared since
    except OSError as e:
        if e.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            raise _taken(path) from None
        raise


@contextlib.contextmanager
def atomic_file(path: Path, *, force: bool) -> Iterator[Path]:
    """Yield a temporary file path in the same directory; renamed onto ``path`` on success
    (without ``force``, only if no file appeared there meanwhile)."""
    path = Path(path)
    check_writable(path, force=force, kind="file")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # atomic, and fails if the name exists
            except FileExistsError:
                raise _taken(path) from None
            tmp.unlink()
    finally:
        tmp.unlink(missing_ok=True)


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


def cache_dir() -> Path:
    """The build cache (simulators, HLS C-simulations): ``$FPGA_RNN_CACHE``, else
    ``$XDG_CACHE_HOME/fpga-rnn`` (``~/.cache/fpga-rnn``)."""
    base = os.environ.get("FPGA_RNN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "fpga-rnn"
    )
    return Path(base)
