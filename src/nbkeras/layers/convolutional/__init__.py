"""Convolution layers: Conv1D/2D/3D share ``base_conv.py`` and differ only in rank."""
