"""Reference-case builders, one module per family; see tools/make_reference.py."""
