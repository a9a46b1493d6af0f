"""The layering in docs/architecture.md holds: no module imports a package its row there does not
list, and no modules of jomso/ import each other in a cycle (lazy imports inside functions count;
imports only for type checkers do not)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "jomso"
DOC = ROOT / "docs" / "architecture.md"
ROUTE_MODULE = re.compile(r"^(views|\w+_views|cli)$")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST, module: str, is_package: bool, modules: set[str]) -> set[str]:
    """The jomso modules ``module`` imports, at the top or inside functions, except under
    ``if TYPE_CHECKING:``. ``from a import b`` counts as importing ``a.b`` when that is a
    module, else ``a``."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: None if is_package else -1]
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            for alias in node.names:
                child = f"{source}.{alias.name}"
                found.add(child if child in modules else source)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in modules and name != module}


def import_graph() -> dict[str, set[str]]:
    """Module -> the jomso modules it imports, leaving out a module's import of its own
    package's ``__init__`` (the blueprint idiom the document allows)."""
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        imported = _imports(tree, module, path.name == "__init__.py", set(files))
        graph[module] = {name for name in imported if not module.startswith(name + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round about (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while (member := stack.pop()) != node:
                group.append(member)
            group.append(node)
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def documented_rules(text: str) -> dict[str, set[str]]:
    """The table of docs/architecture.md: package (or registry module) -> what it may import."""
    section = text.split("## Packages and what they may import", 1)[1].split("\n## ", 1)[0]
    rules = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rules[cells[0].strip("`")] = set(re.findall(r"`([\w.]+)`", cells[2]))
    return rules


def _package(module: str) -> str | None:
    """``jomso.orders.placing`` -> ``orders``; a core module (``jomso.mail``) -> None."""
    parts = module.split(".")
    if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir():
        return parts[1]
    return None


def forbidden_imports(graph: dict[str, set[str]], rules: dict[str, set[str]]) -> list[str]:
    registries = {name for name in rules if "." in name}
    problems = []
    for module, imported in sorted(graph.items()):
        if module == "jomso":  # create_app assembles everything
            continue
        own = _package(module)
        key = module.removeprefix("jomso.")
        for target in sorted(imported):
            theirs = _package(target)
            if theirs is None:  # core is open to all
                continue
            if own is None:
                problems.append(f"{module} (core) imports {target}")
                continue
            if key in registries:
                allowed = {"jomso." + name for name in rules[key]}
                if not any(target == a or target.startswith(a + ".") for a in allowed):
                    problems.append(f"{module} (a registry) imports {target}")
                continue
            if theirs == own or ROUTE_MODULE.match(module.rsplit(".", 1)[-1]):
                continue
            if target.removeprefix("jomso.") in registries:
                continue
            if theirs not in rules.get(own, set()):
                problems.append(f"{module} imports {target}: {own} may not import {theirs}")
    return problems


def test_every_package_has_a_row_and_every_row_a_package():
    rules = documented_rules(DOC.read_text(encoding="utf-8"))
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    documented = {name.split(".")[0] for name in rules}
    assert packages == documented
    for name in rules:
        assert (PACKAGE / (name.replace(".", "/") + ".py")).exists() or name in packages, name
    for allowed in rules.values():
        assert allowed <= set(rules), allowed - set(rules)


def test_no_module_imports_what_the_architecture_forbids():
    rules = documented_rules(DOC.read_text(encoding="utf-8"))
    assert forbidden_imports(import_graph(), rules) == []


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_the_checks_catch_what_they_are_for():
    rules = {"privacy.registry": set(), "accounts": set(), "orders": {"accounts"}}
    graph = {
        "jomso.accounts.services": {"jomso.orders.placing", "jomso.privacy.registry"},
        "jomso.accounts.views": {"jomso.orders.queries"},
        "jomso.orders.placing": {"jomso.accounts.models", "jomso.mail"},
        "jomso.privacy.registry": {"jomso.accounts.models"},
        "jomso.mail": {"jomso.orders.placing"},
    }
    assert forbidden_imports(graph, rules) == [
        "jomso.accounts.services imports jomso.orders.placing: accounts may not import orders",
        "jomso.mail (core) imports jomso.orders.placing",
        "jomso.privacy.registry (a registry) imports jomso.accounts.models",
    ]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
