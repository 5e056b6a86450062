"""Metadata sources papershelf talks to over the network.

Each source module is the only place that imports its client library (``arxiv.py`` imports
``arxiv`` and ``requests``); nothing here is imported at startup.
"""
