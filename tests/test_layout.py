"""The code's shape: packages import only downwards, and tab modules keep no long functions (UI only)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Each top-level package or module, by layer: a module may import its own layer's package and lower layers only.
LAYERS = [
    {"settings"},
    {"storage", "models"},
    {"safety"},  # guards; the red-flag detector loads the embedder, and generation takes the loop guard as a hook
    {"reports"},
    {"rag"},
    {"knowledge"},  # shares HealyChat's tokenizer and rank fusion
    {"assistant"},
    {"skin"},
    {"engine", "training"},
    {"tabs"},
    {"app"},
]
LEVEL = {name: level for level, names in enumerate(LAYERS) for name in names}
MAX_TAB_FUNCTION_LINES = 60


def _modules(top: str) -> list[Path]:
    path = ROOT / top
    return sorted(path.rglob("*.py")) if path.is_dir() else [ROOT / f"{top}.py"]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(LEVEL)


def test_every_package_imports_only_its_own_layer_or_below():
    upward = []
    for top, level in LEVEL.items():
        for path in _modules(top):
            for imported in _imports(path):
                if LEVEL[imported] > level or (LEVEL[imported] == level and imported != top):
                    upward.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert not upward, "\n".join(upward)


def test_no_import_cycle_between_packages():
    graph = {top: set() for top in LEVEL}
    for top in LEVEL:
        for path in _modules(top):
            graph[top] |= _imports(path) - {top}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in graph[start])

    assert [top for top in graph if reaches(top, top, {top})] == []


def test_the_layer_table_knows_every_top_level_package():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests"}
    assert packages <= set(LEVEL), packages - set(LEVEL)


def test_tab_functions_stay_short():
    long_ones = []
    for path in sorted((ROOT / "tabs").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > MAX_TAB_FUNCTION_LINES:
                long_ones.append(f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not long_ones, long_ones
