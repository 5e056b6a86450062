"""Metadata sources papershelf talks to over the network.

Every request goes through ``http`` (the one module that imports ``requests`` and ``urllib3``):
a total deadline per request, a size cap on the decompressed body, redirects only within the
endpoint's origin, retries with backoff. Each source is the only place that imports its own
client library (``arxiv/`` imports ``arxiv`` and ``lxml``); nothing here is imported at startup.
Sources import only ``papershelf.model``, ``papershelf.errors``, ``papershelf.__version__`` and
each other.
"""
