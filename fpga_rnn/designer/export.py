"""What the designer exports: a runnable QKeras training script and the flow command.

The script builds the design with :func:`fpga_rnn.models.build_stack` (the same builder
`fpga-rnn train --design` uses), trains it with quantization-aware training, imports it
into the IR and scores the float and the fixed-point (golden) model on the test set.
The design is embedded as JSON data, never as code: names were checked to be
identifiers, and the JSON is written with ``json.dumps`` into a raw string whose only
possible terminator, a triple quote, JSON cannot contain unescaped.
"""

from __future__ import annotations

import json
import shlex

from fpga_rnn.designer.spec import Design

SCRIPT = '''"""QKeras training script exported by fpga-rnn designer: model {name} on {dataset}.

Run it from anywhere fpga-rnn is installed:

    python {name}_train.py --out runs/{name} [--epochs 100] [--seed 0]

It builds the design below (fpga_rnn.models.build_stack), trains it with
quantization-aware training, imports it into the fpga-rnn IR (OUT/ir) and prints the
float and the fixed-point (golden) test scores as JSON. Then, for example:

    fpga-rnn fit OUT/ir --board {board} --out OUT/fit
"""

import argparse
import json
from pathlib import Path

import numpy as np

import fpga_rnn
from fpga_rnn.datasets import load_dataset
from fpga_rnn.models import build_stack

DATASET = {dataset_repr}
DESIGN = json.loads(r"""{design}""")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="folder for model.keras, ir/ and metrics.json")
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    ds = load_dataset(DATASET)
    model = build_stack(DESIGN, outputs=ds.outputs, task=ds.task)  # imports TensorFlow
    import tensorflow as tf

    tf.keras.utils.set_random_seed(args.seed)
    classify = ds.task == "classification"
    model.compile(
        optimizer=tf.keras.optimizers.Adam(3e-3),
        loss="sparse_categorical_crossentropy" if classify else "mse",
        metrics=["accuracy"] if classify else [],
    )
    model.summary()
    model.fit(
        ds.x_train,
        ds.y_train,
        validation_split=0.15,
        epochs=args.epochs,
        batch_size=32,
        verbose=2,
        callbacks=[tf.keras.callbacks.EarlyStopping(patience=20, restore_best_weights=True)],
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "model.keras")
    ir = fpga_rnn.import_model(model, out / "ir", force=True)
    y_float = model.predict(ds.x_test, verbose=0)
    y_fixed = fpga_rnn.predict(ir, ds.x_test, saturate=True)
    if classify:
        scores = {{
            "float_accuracy": float(np.mean(y_float.argmax(-1) == ds.y_test)),
            "fixed_point_accuracy": float(np.mean(y_fixed.argmax(-1) == ds.y_test)),
        }}
    else:
        scores = {{
            "float_rmse": float(np.sqrt(np.mean((y_float - ds.y_test) ** 2))),
            "fixed_point_rmse": float(np.sqrt(np.mean((y_fixed - ds.y_test) ** 2))),
        }}
    (out / "metrics.json").write_text(json.dumps(scores, indent=2) + "\\n")
    print(json.dumps(scores))


if __name__ == "__main__":
    main()
'''


def training_script(d: Design, dataset: str) -> str:
    """The runnable training script of design ``d`` on ``dataset`` (a built-in name)."""
    design = json.dumps(d.to_json(), indent=1)
    assert '"""' not in design  # JSON escapes every quote inside strings
    return SCRIPT.format(
        name=d.name,
        dataset=dataset,
        dataset_repr=repr(dataset),
        board="pynq-z2",
        design=design,
    )


def flow_command(dataset: str, board: str, name: str = "designed") -> str:
    """The `fpga-rnn flow` command that reproduces the design (saved as designer.json)."""
    q = shlex.quote
    return (
        f"fpga-rnn flow --design designer.json --dataset {q(dataset)} --board {q(board)} "
        f"--out {q('runs/' + name)}"
    )
