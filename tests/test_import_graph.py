"""The import graph runs one way: read from the code itself (every import statement, those
inside functions too), not grepped, so an aliased or lazy import counts like any other.

- the library (`aidetl`) never imports Prefect, nor the flows package; the one exception is
  the CLI, which reaches the flows through their single entry module (`api`);
- the stages stay apart: extraction is pure text → facts; parsing knows nothing of fetching
  or the warehouse; the warehouse knows nothing of the stages that feed it; the pipeline's
  steps know nothing of the sequencer that orders them, and nothing imports the CLI;
- what a worker process imports (the library's `workers` module) never reaches Prefect, nor
  fetching, discovery or the warehouse (its imports are its start-up time).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = "aidetl"
FLOWS_DIR = ROOT / "flows"
PREFECT = ("prefect", "prefect_dask")
FLOWS_ENTRY = "api"

# module (or package prefix) → module prefixes it must not import
LAYERS: dict[str, tuple[str, ...]] = {
    "aidetl.extract": ("aidetl.fetch", "aidetl.parse", "aidetl.warehouse", "aidetl.pipeline",
                       "aidetl.sequencer", "aidetl.discover", "aidetl.config"),
    "aidetl.parse": ("aidetl.fetch", "aidetl.warehouse", "aidetl.pipeline", "aidetl.extract"),
    "aidetl.pagetype": ("aidetl.fetch", "aidetl.warehouse", "aidetl.pipeline"),
    "aidetl.fetch": ("aidetl.parse", "aidetl.extract", "aidetl.warehouse", "aidetl.pipeline"),
    # fetching's parts know nothing of the Fetcher that orders them, nor of each other's jobs
    "aidetl.fetch_transport": ("aidetl.fetch", "aidetl.fetch_retry", "aidetl.robots",
                               "aidetl.archive", "aidetl.pipeline", "aidetl.warehouse"),
    "aidetl.fetch_retry": ("aidetl.fetch", "aidetl.fetch_transport", "aidetl.robots",
                           "aidetl.archive"),
    "aidetl.fetch_settings": ("aidetl.fetch", "aidetl.fetch_transport", "aidetl.fetch_retry",
                              "aidetl.config"),
    "aidetl.robots": ("aidetl.fetch", "aidetl.fetch_transport", "aidetl.fetch_retry",
                      "aidetl.archive"),
    "aidetl.archive": ("aidetl.fetch", "aidetl.fetch_transport", "aidetl.fetch_retry",
                       "aidetl.robots"),
    "aidetl.discover": ("aidetl.parse", "aidetl.extract", "aidetl.warehouse", "aidetl.pipeline"),
    "aidetl.warehouse": ("aidetl.fetch", "aidetl.parse", "aidetl.extract", "aidetl.pipeline",
                         "aidetl.sequencer", "aidetl.discover"),
    "aidetl.pipeline": ("aidetl.sequencer",),
    "aidetl.report": ("aidetl.pipeline", "aidetl.sequencer", "aidetl.fetch"),
    "aidetl.summary": ("aidetl.pipeline", "aidetl.sequencer", "aidetl.fetch"),
}  # fmt: skip


def module_files() -> dict[str, Path]:
    files = {}
    for path in (ROOT / "src" / LIBRARY).rglob("*.py"):
        files[module_name(path, ROOT / "src")] = path
    for path in FLOWS_DIR.rglob("*.py"):
        files[module_name(path, FLOWS_DIR)] = path
    return files


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def flows_package(files: dict[str, Path]) -> str:
    """The flows' package name (the package whose modules live under flows/)."""
    names = {name.split(".")[0] for name, path in files.items() if FLOWS_DIR in path.parents}
    assert len(names) == 1, names
    return names.pop()


def imports_of(name: str, path: Path, files: dict[str, Path]) -> set[str]:
    """Every module `name` imports, absolute, with `from package import module` resolved."""
    found: set[str] = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in files)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    files = module_files()
    return {name: imports_of(name, path, files) for name, path in files.items()}


def under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module `start` imports, directly or through our own modules."""
    seen, todo = set(), [start]
    while todo:
        for dep in graph.get(todo.pop(), ()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def test_the_graph_is_read(graph) -> None:
    assert "aidetl.pipeline" in graph["aidetl.sequencer"]
    assert any(under(d, "prefect") for d in graph[f"{flows_package(module_files())}.ingest"])


def test_the_library_never_imports_prefect(graph) -> None:
    offenders = {
        name: sorted(d for d in deps if any(under(d, p) for p in PREFECT))
        for name, deps in graph.items()
        if under(name, LIBRARY)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_cli_reaches_the_flows_and_only_through_their_entry(graph) -> None:
    flows = flows_package(module_files())
    assert flows != "flows", "the flows must not install as a generic top-level `flows` package"
    for name, deps in graph.items():
        if not under(name, LIBRARY):
            continue
        reached = sorted(d for d in deps if under(d, flows))
        if name == f"{LIBRARY}.cli":
            assert set(reached) <= {flows, f"{flows}.{FLOWS_ENTRY}"}, reached
        else:
            assert reached == [], (name, reached)


def test_nothing_imports_the_cli(graph) -> None:
    importers = sorted(n for n, deps in graph.items() if f"{LIBRARY}.cli" in deps)
    assert set(importers) <= {f"{LIBRARY}.__main__"}, importers


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_the_stages_stay_apart(graph, layer: str) -> None:
    for name in (n for n in graph if under(n, layer)):
        bad = sorted(d for d in graph[name] if any(under(d, f) for f in LAYERS[layer]))
        assert bad == [], (name, bad)


def test_a_worker_process_imports_only_what_processing_needs(graph) -> None:
    for workers in (f"{LIBRARY}.workers", f"{flows_package(module_files())}.workers"):
        reached = reachable(graph, workers)
        assert not [d for d in reached if any(under(d, p) for p in PREFECT)]
        heavy = ("aidetl.fetch", "aidetl.discover", "aidetl.warehouse", "aidetl.pipeline")
        assert not [d for d in reached if any(under(d, h) for h in heavy)], workers
