"""Things that are not regular files, made on demand for the hostile-input tests: a named pipe,
a socket, a directory, symlinks (a loop, a cycle, to a device, to a FIFO, to a directory), or a
device path itself (``/dev/zero``)."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def make_node(kind: str, path: Path) -> Path:
    """Create ``kind`` at ``path`` (a ``/dev/…`` kind is that device; nothing is made); its path."""
    if kind.startswith("/"):
        return Path(kind)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))
        s.close()
    elif kind == "directory":
        path.mkdir()
    elif kind == "symlink-loop":
        path.symlink_to(path)
    elif kind == "symlink-cycle":
        other = path.with_name(path.name + "-other")
        path.symlink_to(other)
        other.symlink_to(path)
    elif kind.startswith("symlink-to-"):
        what = kind[len("symlink-to-"):]
        target = Path("/dev") / what if what in ("zero", "null", "full") else \
            make_node(what, path.with_name(path.name + "-target"))
        path.symlink_to(target)
    else:
        raise ValueError(kind)
    return path
