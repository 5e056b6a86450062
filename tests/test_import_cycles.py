"""No import circles among papershelf's modules (issue 18 part 4).

The graph is read with ``ast`` from ``src/papershelf``: every ``import`` and ``from … import``
of a papershelf module, at module level AND inside functions (a lazy import that exists only to
dodge a circle is still one), counted; only imports under ``if TYPE_CHECKING:`` are left out,
as they never run. ``from package import name`` counts as importing the submodule when ``name``
is one, else the package. A circle found is printed as the path it takes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import papershelf

ROOT = Path(papershelf.__file__).parent


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if package else parts)] = (path, package)
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                skip.update(id(n) for n in ast.walk(sub))
    return skip


def import_graph(*, type_checking: bool = False) -> dict[str, set[str]]:
    """The graph; ``type_checking``: with the imports under ``if TYPE_CHECKING:`` too."""
    modules = _modules()

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, (path, package) in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = set() if type_checking else _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = name.split(".") if package else name.split(".")[:-1]
                    base = ".".join(here[:len(here) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                if target.split(".")[0] == "papershelf" and (module := known(target)) and module != name:
                    graph[name].add(module)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected set of more than one module (Tarjan), as a path around it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_imports_at_module_and_function_level():
    graph = import_graph()
    assert "papershelf.storage.db" in graph["papershelf.storage.opening"]  # module level
    assert "papershelf.storage.backups" in graph["papershelf.storage.opening"]  # inside migrate()
    assert "papershelf.services.library" not in graph["papershelf.services.check"]  # TYPE_CHECKING only
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles():
    found = cycles(import_graph())
    assert found == [], "import circles: " + "; ".join(" <-> ".join(c) for c in found)


# A circle only the type checker follows (``if TYPE_CHECKING:``) still ties the modules together:
# each needs the other to be understood. The services around ``library`` had one (library, door,
# merge, maintenance, bundled, autotag); what remains is ``attachments``, whose functions take the
# ``Library`` that hands them its calls (issue 18 part 4: to go when they take the door or the
# catalogue instead).
KNOWN_TYPE_CIRCLES: list[list[str]] = []


def test_no_import_circles_counting_type_checking_imports():
    graph = import_graph(type_checking=True)
    assert "papershelf.services.door" in graph["papershelf.services.merge"]  # a TYPE_CHECKING import
    found = [c for c in cycles(graph) if c not in KNOWN_TYPE_CIRCLES]
    assert found == [], "import circles (TYPE_CHECKING counted): " + "; ".join(" <-> ".join(c) for c in found)
