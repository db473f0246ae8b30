"""``passport/`` has no import cycle: a module never needs, even lazily, one that needs it.

Every ``import`` counts, at the top of a module or inside a function (a lazy import hides a
cycle, it does not remove it); only ``if TYPE_CHECKING:`` blocks are left out, since they
never run. A package's ``__init__`` importing its own modules counts too: put what they share
(a blueprint, a constant) in a module of its own. When this test fails, a third module is
missing: move what both need below both.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "passport"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the ``passport`` modules it imports (submodule when named, else package)."""
    files = {module_name(p, root): p for p in root.rglob("*.py")}

    def known(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _runtime_nodes(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                    for alias in node.names
                ]
            for target in targets:
                module = known(target)
                if module is not None and module != name:
                    graph[name].add(module)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


def test_passport_has_no_import_cycle():
    graph = import_graph()
    assert "passport.records.chain" in graph and graph["passport.records.services"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize(
    ("files", "cycle"),
    [
        ({"a.py": "import passport.b\n", "b.py": "def f():\n    from passport import a\n"}, True),
        ({"a.py": "from passport.b import x\n", "b.py": "x = 1\n"}, False),
        (
            {
                "a.py": "import typing\nif typing.TYPE_CHECKING:\n    import passport.b\n",
                "b.py": "import passport.a\n",
            },
            False,
        ),
        ({"__init__.py": "from passport import b\n", "b.py": "from passport import x\n"}, True),
        (
            {"p/__init__.py": "", "p/a.py": "from . import b\n", "p/b.py": "from .a import y\n"},
            True,
        ),
    ],
)
def test_the_graph_sees_cycles(tmp_path, files, cycle):
    """The checker itself: lazy and relative imports count, TYPE_CHECKING blocks do not."""
    root = tmp_path / "passport"
    for name, text in {"__init__.py": "", **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    assert (find_cycle(import_graph(root)) is not None) is cycle
