"""How ``papershelf.sources.arxiv`` is put together: its public names, the old import path, what
its modules may import (HTTP only through ``sources.http``), and that only ``_compat`` touches the
``arxiv`` package's private parts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import papershelf

SRC = Path(papershelf.__file__).resolve().parent
SOURCES = SRC / "sources"
ARXIV = SOURCES / "arxiv"
PUBLIC = ["DEFAULT_URL", "ArxivClient", "ArxivRejected", "Event", "FetchResult", "Settings", "to_entry"]


def imports(path: Path) -> list[tuple[str, str | None]]:
    """``(module, name)`` for each import in ``path`` (``name`` is None for ``import module``)."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            found += [(node.module or "", alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("name", PUBLIC)
def test_the_package_exports_the_public_names(name):
    import papershelf.sources.arxiv as package
    import papershelf.sources.arxiv.client as client

    assert name in package.__all__
    assert getattr(package, name) is getattr(client, name)  # the old path still works


@pytest.mark.parametrize("path", sorted(SOURCES.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_sources_import_only_model_errors_and_each_other(path):
    for module, name in imports(path):
        if module == "papershelf":  # config: the settings, one layer below model (ARCHITECTURE.md)
            assert name in ("__version__", "config"), f"{path.name} imports papershelf.{name}"
        elif module.startswith("papershelf."):
            assert module.startswith(("papershelf.model", "papershelf.errors", "papershelf.sources",
                                      "papershelf.config")), (
                f"{path.name} imports {module}: sources may use only model, config, errors and other sources")


def test_only_sources_arxiv_imports_arxiv_and_lxml_and_only_sources_http_requests():
    for path in sorted(SRC.rglob("*.py")):
        allowed = set()
        if ARXIV in path.parents:
            allowed = {"arxiv", "lxml"}
        elif path == SOURCES / "http.py":
            allowed = {"requests", "urllib3"}  # the one HTTP layer every source goes through
        for module, _name in imports(path):
            top = module.split(".")[0]
            if top in ("arxiv", "requests", "urllib3", "lxml"):
                assert top in allowed, f"{path.relative_to(SRC)} imports {module}"


def test_only_compat_touches_the_arxiv_internals():
    private = {"_feed", "_format_url", "_parse_feed", "_results", "_session", "_url_args",
               "_last_request_dt", "_try_parse_feed"}
    for path in sorted(ARXIV.glob("*.py")):
        if path.name == "_compat.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        used |= {name or "" for module, name in imports(path) if module.startswith("arxiv")}
        assert not used & private, f"{path.name} uses {sorted(used & private)}: move that into _compat.py"
