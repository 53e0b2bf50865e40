"""The HLS C++ kernels (frnn_*.h), shipped in the wheel as ``fpga_rnn.hls_kernels``."""
