"""Verilog backend: the plan (parallelism, cycles), the emitters per layer kind, ROM images,
the design writer and the Verilator driver; the cores in ``verilog/``; entry points in
``target``."""
