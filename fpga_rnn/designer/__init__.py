"""The interactive designer (`fpga-rnn designer`): compose a model in the browser, see its cost."""
