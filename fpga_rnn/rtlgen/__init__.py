"""Verilog generation: the plan (parallelism, cycles), the emitters per layer kind, ROM images,
the design writer and the Verilator driver."""
