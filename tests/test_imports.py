"""The package's import graph (read from the source, every import statement, wherever it is): no cycle
between modules; no module of the package imported inside a function (a hidden cycle) but the build's
deferred imports of the report, named below; and the stages in order: a stage leans on earlier stages
and the shared modules, never on a later stage or the build."""
import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "techtrade"
ORDER = ["ingest", "clean", "analysis", "report", "build"]


def _modules() -> dict[str, Path]:
    out = {}
    for p in ROOT.rglob("*.py"):
        parts = p.relative_to(ROOT.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, bool]]:
    """(imported module of the package, at the top level?) for each import statement in ``path``."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        out += [(t, id(node) in top) for t in targets if t.startswith("techtrade") and t != name]
    return out


@functools.cache
def graph() -> dict[str, list[tuple[str, bool]]]:
    """Each module's imports (_imports), read the first time a test asks (not when the tests are collected)."""
    return {name: _imports(name, path) for name, path in MODULES.items()}


def test_the_graph_is_read():
    assert ("techtrade.clean.evidence", True) in graph()["techtrade.analysis.claims"]
    assert len(MODULES) > 25


#: The only imports inside a function: the job that writes a report's data files imports the report's
#: modules (and with them pandas) when it runs, so that a no-op rebuild, which runs no job, stays fast.
DEFERRED = {("techtrade.build.render", "techtrade.report.package"),
            ("techtrade.build.render", "techtrade.report.story")}


def test_no_module_of_the_package_is_imported_inside_a_function_but_the_builds_deferred_ones():
    hidden = {(m, t) for m, deps in graph().items() for t, top in deps if not top}
    assert hidden == DEFERRED


def test_no_import_cycle():
    edges = {m: {t for t, _ in deps} for m, deps in graph().items()}
    done, cycles = set(), []

    def visit(m, path):
        for t in sorted(edges.get(m, ())):
            if t in path:
                cycles.append(path[path.index(t):] + [t])
            elif t not in done:
                visit(t, path + [t])
        done.add(m)

    for m in sorted(edges):
        visit(m, [m])
    assert not cycles


def test_each_stage_leans_only_on_earlier_stages_and_the_shared_modules():
    def stage(module):
        parts = module.split(".")
        return parts[1] if len(parts) > 2 and parts[1] in ORDER else None

    backwards = [(m, t) for m, deps in graph().items() for t, _ in deps
                 if stage(m) and stage(t) and ORDER.index(stage(t)) > ORDER.index(stage(m))]
    assert not backwards
    shared = [m for m in MODULES if m.count(".") == 1 and not stage(m)]
    assert not [(m, t) for m in shared for t, _ in graph()[m] if stage(t)]
