"""HLS backend: hls4ml projects built from the IR with our kernels (``hls/``)."""
