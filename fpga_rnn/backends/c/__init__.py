"""C backend: the embedded C export (``writer``), its gcc/QEMU builds and runs
(``toolchain``), the runtime in ``src/``; entry points in ``target``."""
