#!/usr/bin/env bash
# The installed wheel works outside the checkout: build it, install it into a fresh venv
# (the pinned dependencies, then the wheel without them), and from an empty folder run
# import, predict, rtl, hls, c, verify and the simulated board on a small Keras model.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
work=$(mktemp -d /tmp/frnn-wheel.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "[wheel] building"
.venv/bin/python -m build --wheel --no-isolation --outdir "$work/dist" . >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log"; exit 1; }
echo "[wheel] installing into a fresh venv"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip==24.3.1 2>&1 | grep -v "is ignored" || true
"$work/venv/bin/python" -m pip install -q -r requirements.txt >"$work/pip.log" 2>&1 \
  || { tail -30 "$work/pip.log"; exit 1; }
"$work/venv/bin/python" -m pip install -q --no-deps "$work"/dist/*.whl >"$work/pip2.log" 2>&1 \
  || { tail -30 "$work/pip2.log"; exit 1; }
mkdir "$work/run"
cd "$work/run"
export PATH="$work/venv/bin:$PATH" TF_CPP_MIN_LOG_LEVEL=3 FPGA_RNN_CACHE="$work/cache"
python - <<'PY'
import fpga_rnn, pathlib, sys
here = pathlib.Path.cwd()
assert pathlib.Path(fpga_rnn.__file__).is_relative_to(sys.prefix), fpga_rnn.__file__
import numpy as np
import tensorflow as tf
L = tf.keras.layers
inp = L.Input((6, 3))
tf.keras.Model(inp, L.Dense(2, activation="softmax")(L.GRU(4)(inp)), name="tiny").save("m.keras")
np.save("x.npy", np.random.default_rng(0).uniform(-1, 1, (20, 6, 3)))
PY
set -x
fpga-rnn import m.keras --out ir
fpga-rnn predict ir --input x.npy --out y.npy
fpga-rnn rtl ir --out rtl
fpga-rnn hls ir --out hls
fpga-rnn c ir --out c
fpga-rnn verify ir --input x.npy --targets golden,rtl,hls,c --out verify.json
# the board link (UART, frames, core) on the simulated board, through pyserial and a pty
fpga-rnn bitstream ir --board icebreaker --out board --design-only --max-timesteps 6 \
  --max-utilisation 1
fpga-rnn run ir --port sim --design board --input x.npy --out yb.npy --check
# the Zynq package: the AXI wrapper and the driver's shipped modules come from the wheel
fpga-rnn package ir --board pynq-z2 --out pynq
test -f pynq/rtl/frnn_axi.v -a -f pynq/rtl/frnn_axi_regs.vh -a -f pynq/driver/frnn_words.py
# the HLS route: the C++ AXI top and its testbench come from the wheel's kernels
fpga-rnn package ir --board pynq-z2 --out pynq-hls --route hls
test -f pynq-hls/hls/firmware/frnn_axi.cpp -a -f pynq-hls/hls/frnn_axi_tb.cpp -a -f pynq-hls/hls_ip.tcl
# the designer: its page and assets come from the wheel, and it answers with the token only
fpga-rnn designer --no-browser > designer.log 2>&1 &
designer=$!
for _ in $(seq 60); do [ -s designer.log ] && break; sleep 0.5; done
url=$(head -1 designer.log)
python - "$url" <<'PY'
import sys, urllib.request, urllib.error
url = sys.argv[1]
page = urllib.request.urlopen(url).read().decode()
assert "fpga-rnn designer" in page, page[:200]
base, token = url.split("?token=")
js = urllib.request.urlopen(f"{base}static/designer.js?token={token}").read()
assert b"refreshCost" in js
try:
    urllib.request.urlopen(base)
    raise SystemExit("the designer answered without the token")
except urllib.error.HTTPError as e:
    assert e.code == 403
print("[wheel] designer: page and assets from the wheel; no token, no answer")
PY
kill $designer
set +x
python -c "import json; r = json.load(open('verify.json')); assert r['bit_exact'], r; print('[wheel] installed wheel: bit-exact on', r['samples'], 'sequences')"
case "$(python -c 'import fpga_rnn; print(fpga_rnn.__file__)')" in "$ROOT"*) echo "[wheel] ran the checkout, not the wheel" >&2; exit 1 ;; esac
