"""The training loop (``trainer.py``), compile-time resolution (``compile_utils.py``), and the
data adapters that turn arrays, generators and PyDatasets into batches."""
