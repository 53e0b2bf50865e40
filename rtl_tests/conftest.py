"""cocotb + Verilator tests of the RTL cores (one file per core)."""
