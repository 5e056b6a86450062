"""papershelf: a command-line bibliography manager over a local SQLite catalogue."""

__version__ = "0.1.0"
