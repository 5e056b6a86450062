"""Metadata sources papershelf talks to over the network.

Each source is the only place that imports its client library (``arxiv/`` imports ``arxiv``,
``requests`` and ``lxml``); nothing here is imported at startup. Sources import only
``papershelf.model``, ``papershelf.errors``, ``papershelf.__version__`` and each other.
"""
