"""Pooling layers: local windows (``base_pooling.py``) and global (``base_global_pooling.py``)."""
