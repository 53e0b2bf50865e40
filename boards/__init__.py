"""Built-in board profiles (*.yaml), shipped in the wheel as ``fpga_rnn.board_profiles``."""
