"""Running a sweep's trials on Ray Tune: a local Ray instance by default, a cluster
with ``address``. Trials that already have a result in ``out/trials/ID/result.json``
are not run again (``resume``); each finished trial's result is written there as it
arrives, so an interrupted sweep loses only the trials that were running.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fpga_rnn.errors import InputError, ToolError
from fpga_rnn.outputs import write_json

Progress = Callable[[str], None]
CONNECT_TIMEOUT = 5.0  # seconds to reach a Ray cluster's address before giving up


def result_file(out: Path, trial: str) -> Path:
    return out / "trials" / trial / "result.json"


def finished(out: Path, trials: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Results of trials that already ran (a result file that parses)."""
    done = {}
    for t in trials:
        f = result_file(out, t["id"])
        try:
            done[t["id"]] = json.loads(f.read_text())
        except (OSError, ValueError):
            continue
    return done


def check_address(address: str) -> None:
    """A one-line error now, rather than Ray's retries, for an address nothing answers."""
    if address in ("auto", "local"):
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise InputError(f"sweep: --address must be HOST:PORT (a Ray head), got {address!r}")
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as e:
        raise InputError(
            f"sweep: cannot reach a Ray cluster at {address} ({e.strerror or e}); start one "
            "with `ray start --head` there, or leave out --address for a local Ray"
        ) from None


def start_ray(address: str | None) -> int:
    """Join the cluster at ``address`` (checked by the caller, :func:`check_address`,
    before anything runs), or start a local Ray; its CPUs."""
    import ray

    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    # Tune's newer console output ignores verbose=0; our own progress lines say enough
    os.environ["RAY_AIR_NEW_OUTPUT"] = "0"
    try:
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=False,
            ignore_reinit_error=True,
            configure_logging=False,
        )
    except (ConnectionError, RuntimeError, ValueError) as e:
        raise ToolError(f"sweep: Ray did not start: {' '.join(str(e).split())[:300]}") from None
    return int(ray.cluster_resources().get("CPU", 1))


def run_tasks(
    fn: Callable[..., dict[str, Any]],
    calls: list[tuple[Any, ...]],
    *,
    address: str | None,
    progress: Progress | None,
    what: str,
) -> list[dict[str, Any]]:
    """``fn(*args)`` for each of ``calls`` as Ray tasks (one CPU each), in order."""
    import ray

    say = progress or (lambda _m: None)
    cpus = start_ray(address)
    try:
        task = ray.remote(num_cpus=1)(fn)
        refs = [task.remote(*args) for args in calls]
        say(f"sweep: {len(refs)} {what} on Ray ({cpus} CPUs)")
        pending, results = list(refs), {}
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            results[ready[0]] = ray.get(ready[0])
            say(f"sweep: {len(results)}/{len(refs)} {what} done")
        return [results[r] for r in refs]
    finally:
        ray.shutdown()


def run(
    out: Path,
    todo: list[dict[str, Any]],
    boards: list[str],
    *,
    address: str | None,
    max_concurrent: int | None,
    on_result: Callable[[dict[str, Any]], None],
    progress: Progress | None,
) -> None:
    """Run ``todo`` trials as Ray Tune trials; ``on_result`` gets each result."""
    import ray
    from ray import tune

    from fpga_rnn.sweep.trial import run_trial

    say = progress or (lambda _m: None)
    cpus = start_ray(address)
    limit = max(1, min(max_concurrent or cpus, cpus, len(todo)))
    say(f"sweep: {len(todo)} trials on Ray ({cpus} CPUs, {limit} at a time)")
    trials_dir = str((out / "trials").resolve())

    def trainable(config: dict[str, Any]) -> None:
        cfg = config["trial"]
        res = run_trial(cfg, boards, os.path.join(trials_dir, cfg["id"]))
        tune.report({"result_json": json.dumps(res)})

    class Progress(tune.Callback):  # type: ignore[misc]
        def on_trial_result(self, iteration: int, trials: list, trial: Any, result: dict, **info):
            running = sum(t.status == "RUNNING" for t in trials) - 1  # this one has finished
            on_result(json.loads(result["result_json"]) | {"_running": max(running, 0)})

    tuner = tune.Tuner(
        tune.with_resources(trainable, {"cpu": 1}),
        param_space={"trial": tune.grid_search(todo)},
        tune_config=tune.TuneConfig(max_concurrent_trials=limit, reuse_actors=False),
        run_config=tune.RunConfig(
            storage_path=str((out / "ray").resolve()),
            name="tune",
            verbose=0,
            callbacks=[Progress()],
        ),
    )
    try:  # stdout is for results (--json): Tune's own lines go to stderr
        with contextlib.redirect_stdout(sys.stderr):
            grid = tuner.fit()
    finally:
        ray.shutdown()
    for r in grid:  # a trial Ray itself lost (a dead worker) is recorded too
        if r.error is not None:
            cfg = r.config["trial"]
            res = {"id": cfg["id"], "config": cfg, "status": "failed"}
            res["error"] = " ".join(str(r.error).split())[:500]
            if not result_file(out, cfg["id"]).exists():
                on_result(res)


def save_result(out: Path, res: dict[str, Any]) -> None:
    write_json(result_file(out, res["id"]), res, force=True)
