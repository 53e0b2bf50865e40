"""Background work of the designer: training and synthesis, each in a child process
that prints one JSON object per line (progress, then the result), and can be cancelled.

A job is a folder under the designer's work folder plus the process writing into it;
the server only reads its lines. Cancelling stops the process group (the training's
TensorFlow threads, yosys) and marks the job cancelled.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_LINES = 20_000  # a job's kept progress lines (a long training's epochs)


@dataclass
class Job:
    id: str
    kind: str  # train | synth
    folder: Path
    proc: subprocess.Popen
    started: float = field(default_factory=time.time)
    events: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None
    error: str | None = None
    state: str = "running"  # running | done | failed | cancelled
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to_json(self, since: int = 0) -> dict[str, Any]:
        with self.lock:
            return {
                "id": self.id,
                "kind": self.kind,
                "state": self.state,
                "seconds": round(time.time() - self.started, 1),
                "events": self.events[since:],
                "next": len(self.events),
                "result": self.result,
                "error": self.error,
            }


class Jobs:
    """The designer's jobs, by id."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.jobs: dict[str, Job] = {}

    def start(self, kind: str, args: list[str]) -> Job:
        """Run ``python -m fpga_rnn.designer.worker KIND ARGS...`` in its own session."""
        jid = uuid.uuid4().hex[:12]
        folder = self.root / f"{kind}-{jid}"
        folder.mkdir(parents=True)
        proc = subprocess.Popen(
            [sys.executable, "-m", "fpga_rnn.designer.worker", kind, str(folder), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: cancel stops all of it
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        job = Job(jid, kind, folder, proc)
        self.jobs[jid] = job
        threading.Thread(target=self._read, args=(job,), daemon=True).start()
        return job

    def _read(self, job: Job) -> None:
        assert job.proc.stdout is not None and job.proc.stderr is not None
        for line in job.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue  # a library's stray print
            if not isinstance(ev, dict):
                continue
            with job.lock:
                if "result" in ev:
                    job.result = ev["result"]
                elif "error" in ev:
                    job.error = str(ev["error"])
                elif len(job.events) < MAX_LINES:
                    job.events.append(ev)
        err = job.proc.stderr.read()
        code = job.proc.wait()
        with job.lock:
            if job.state == "cancelled":
                return
            if code == 0 and job.result is not None:
                job.state = "done"
            else:
                job.state = "failed"
                tail = [ln for ln in err.splitlines() if ln.strip()][-1:] or [f"exit {code}"]
                job.error = job.error or tail[0][:300]

    def get(self, jid: str) -> Job | None:
        return self.jobs.get(jid)

    def cancel(self, jid: str) -> Job | None:
        job = self.jobs.get(jid)
        if job is None:
            return None
        with job.lock:
            if job.state != "running":
                return job
            job.state = "cancelled"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(job.proc.pid, signal.SIGTERM)
        return job

    def stop_all(self) -> None:
        for jid in list(self.jobs):
            self.cancel(jid)
