"""HLS backend: hls4ml projects built from the IR with our kernels (the top-level ``hls/``,
shipped as ``fpga_rnn.hls_kernels``); entry points in ``target``."""
