"""Imports flow one way: cli -> exchange/reserves/research -> engine -> circuits, and verifier -> circuits; no
module imports, even inside a function, a module that imports it back. Read from the source (every `import`
statement anywhere in a file), so a lazy import cannot hide a cycle."""
import ast

from paths import REPO

PACKAGES = ("circuits", "verifier", "prover")
# For a module under the key: the packages it must not import.
FORBIDDEN = {
    "circuits": ("verifier", "prover"),
    "verifier": ("prover",),
    "prover.engine": ("prover.exchange", "prover.reserves", "prover.research", "prover.cli", "prover.recursion"),
    "prover.exchange": ("prover.cli",),
    "prover.reserves": ("prover.cli",),
}


def _modules() -> dict[str, set[str]]:
    names = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in names.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    imported.add(full if full in names else node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
        graph[name] = {m for m in imported if m in names and m != name}
    return graph


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_no_module_imports_a_layer_above_its_own():
    wrong = [(m, d) for m, deps in _modules().items() for d in deps
             for layer, above in FORBIDDEN.items() if _within(m, layer) and any(_within(d, a) for a in above)]
    assert wrong == []


def test_no_import_cycle():
    graph = _modules()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for dep in sorted(graph[module]):
            if state.get(dep) == 1:
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in state:
                visit(dep, path + [dep])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
