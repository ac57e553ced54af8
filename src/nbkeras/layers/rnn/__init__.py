"""Recurrent layers (``keras.layers.RNN``, ``LSTM``, ``GRU``, ...), one module each."""
