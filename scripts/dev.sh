#!/usr/bin/env bash
# One entry point for newcomers and CI:  bash scripts/dev.sh demo | test
# Installs what fpga-rnn needs (Debian packages, a venv with the pinned Python
# packages), then runs the built-in example (demo) or the whole test suite (test).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
# g++ (HLS C-simulation, ap_types checks); the Cortex-M4 cross compiler, newlib and
# QEMU verify the embedded C export under emulation; openFPGALoader programs boards;
# Chromium runs the designer's browser test (Playwright drives it headless).
APT_PACKAGES=(g++ make git python3 python3-venv python3-dev
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm openfpgaloader chromium)

need_apt=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 && continue
  # pyenv/other Pythons already have venv and headers without the Debian packages
  case "$p" in python3*) python3 -m venv --help >/dev/null 2>&1 && continue ;; esac
  need_apt+=("$p")
done
if ((${#need_apt[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "[setup] apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# pip in the venv, quiet; a failure stops the set-up with pip's own output
pipq() {
  local log
  log=$(mktemp)
  if ! "$VENV/bin/python" -m pip "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "[setup] pip $* failed" >&2
    exit 1
  fi
  rm -f "$log"
}

stamp="$VENV/.fpga-rnn-installed"
want="$(cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] creating $VENV with the pinned packages (requirements.txt)"
  python3 -m venv "$VENV"
  pipq install -q --upgrade pip==24.3.1
  pipq install -q -r requirements.txt
  pipq install -q --no-deps -e .
  "$VENV/bin/python" -m pip check
  echo "$want" > "$stamp"
fi

export PATH="$PWD/$VENV/bin:$PATH"
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-3}

case "${1:-}" in
  demo)
    # the main job: train a QAT LSTM on JapaneseVowels, fit it to the PYNQ-Z2,
    # synthesize (yosys), verify the RTL bit-exact (Verilator), write report.html
    out=${OUT:-runs/flow}
    fpga-rnn flow --out "$out"
    echo "[demo] open $out/report.html (stage results: $out/flow.json, train/, fit/, verify.json)"
    ;;
  test)
    ruff check .
    ruff format --check .
    lint-imports --no-cache >/dev/null || lint-imports --no-cache  # architecture contracts
    NO_MKDOCS_2_WARNING=1 mkdocs build --strict --quiet  # docs/ builds without a warning
    python -m pytest "${@:2}"
    ;;
  wheel)
    # the built wheel, installed in a fresh venv, works outside the checkout
    bash scripts/wheel_check.sh
    ;;
  *)
    echo "usage: bash scripts/dev.sh demo|test [pytest args]|wheel" >&2
    exit 2
    ;;
esac
