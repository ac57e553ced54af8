"""Attention layers (``keras.layers.MultiHeadAttention``, ``Attention``, ...)."""
