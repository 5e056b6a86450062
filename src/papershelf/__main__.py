"""``python -m papershelf``: the same program as the ``papershelf`` console script."""

from papershelf.cli import main

main()
