"""Compile and run a C++ harness against the ap_types headers that hls4ml ships.

The harness assigns exact source values to many destination ap_fixed types and
prints the resulting codes, so our :mod:`fpga_rnn.fixed` can be compared with
the real headers for every code, rounding mode and overflow mode.
"""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
from pathlib import Path

import numpy as np

from fpga_rnn.fixed import FixedFormat, Overflow, Rounding


def aptypes_include() -> Path:
    spec = importlib.util.find_spec("hls4ml")
    assert spec and spec.submodule_search_locations, "hls4ml is not installed"
    return Path(next(iter(spec.submodule_search_locations))) / "templates/vivado/ap_types"


def _cpp_type(f: FixedFormat) -> str:
    base = "ap_fixed" if f.signed else "ap_ufixed"
    return f"{base}<{f.width},{f.integer},{f.rounding.value},{f.overflow.value}>"


def build_cast_harness(formats: list[FixedFormat], workdir: Path) -> Path:
    """Binary that reads doubles on stdin-file argv[1] and writes int64 codes per format."""
    src = [
        "#include <cstdio>\n#include <cstdlib>\n#include <cmath>\n#include <vector>\n",
        '#include "ap_fixed.h"\n',
        "typedef ap_fixed<56,28> src_t;\n",
        "template <class T, int F> void run(const std::vector<double>& v, long long* out) {\n",
        "  for (size_t k = 0; k < v.size(); ++k) { src_t s = v[k]; T d = s;\n",
        "    out[k] = (long long)std::ldexp(d.to_double(), F); }\n}\n",
        "typedef void (*fn_t)(const std::vector<double>&, long long*);\n",
        "static fn_t FNS[] = {\n",
    ]
    src += [f"  &run<{_cpp_type(f)}, {f.frac}>,\n" for f in formats]
    src += [
        "};\nint main(int argc, char** argv) {\n",
        '  FILE* fi = std::fopen(argv[1], "rb"); std::vector<double> v;\n',
        "  double x; while (std::fread(&x, 8, 1, fi) == 1) v.push_back(x); std::fclose(fi);\n",
        '  FILE* fo = std::fopen(argv[2], "wb"); std::vector<long long> out(v.size());\n',
        "  for (auto fn : FNS) {\n",
        "    fn(v, out.data()); std::fwrite(out.data(), 8, out.size(), fo); }\n",
        "  std::fclose(fo); return 0;\n}\n",
    ]
    text = "".join(src)
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    exe = workdir / f"cast_harness_{key}"
    if not exe.exists():
        cpp = workdir / f"cast_harness_{key}.cpp"
        cpp.write_text(text)
        subprocess.run(
            ["g++", "-O0", "-std=c++14", "-I", str(aptypes_include()), str(cpp), "-o", str(exe)],
            check=True,
        )
    return exe


def run_cast_harness(exe: Path, values: np.ndarray, n_formats: int, workdir: Path) -> np.ndarray:
    fin, fout = workdir / "values.bin", workdir / "codes.bin"
    np.asarray(values, dtype="<f8").tofile(fin)
    subprocess.run([str(exe), str(fin), str(fout)], check=True)
    return np.fromfile(fout, dtype="<i8").reshape(n_formats, len(values))


def all_modes(width: int, integer: int, signed: bool) -> list[FixedFormat]:
    out = []
    for q in Rounding:
        for o in Overflow:
            if o is Overflow.SAT_SYM and signed and width < 2:
                continue
            out.append(FixedFormat(width, integer, signed, q, o))
    return out
