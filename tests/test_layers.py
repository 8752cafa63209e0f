"""The layers of blocs: each part imports only the parts below it (project issue 9, item 5).

Every ``import`` and ``from ... import`` of every module under ``src/blocs`` is read with
`ast` (module level and inside functions alike: an import deferred for speed is still a
dependency), and each import of blocs is checked against `LAYERS`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "blocs"

#: The parts of blocs, lowest first: a part may import itself and the parts before it, never
#: one after it.  ``blocs`` is the package's own ``__init__`` (``__version__``; its lazy
#: attributes name the other parts as strings and import them on first use only).  The case
#: files (``scenario``) sit on the reference data (``limits``: the bounds every model accepts;
#: ``reference``: countries and land borders) and below every model, so that validating a case
#: imports no model.
LAYERS = [
    "blocs",
    "text",
    "textfile",
    "progress",
    "limits",
    "reference",
    "scenario",
    "geography",
    "influence",
    "bargaining",
    "dynamics",
    "ensemble",
    "results",
    "analysis",
    "report",
    "commands",
    "cli",
]


def _part(module: str) -> str:
    """The part of blocs a module name belongs to: ``blocs.scenario.load`` -> ``scenario``."""
    parts = module.split(".")
    assert parts[0] == "blocs", module
    return parts[1] if len(parts) > 1 else "blocs"


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _is_submodule(package: str, name: str) -> bool:
    folder = SRC.parent.joinpath(*package.split("."))
    return (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()


def _imports(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module) of every import of blocs in ``source``, the text of ``module``;
    relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from blocs import progress`` imports the module blocs.progress.
            for alias in node.names:
                name = f"{base}.{alias.name}"
                out.append((node.lineno, name if _is_submodule(base, alias.name) else base))
    return sorted({(line, name) for line, name in out if name.split(".")[0] == "blocs"})


def _file_imports(path: Path) -> list[tuple[int, str]]:
    return _imports(path.read_text(encoding="utf-8"), _module_name(path),
                    path.name == "__init__.py")


MODULES = sorted(SRC.rglob("*.py"))


def test_every_part_has_a_layer():
    parts = {_part(_module_name(p)) for p in MODULES}
    assert parts <= set(LAYERS), f"put {sorted(parts - set(LAYERS))} in LAYERS"
    assert len(set(LAYERS)) == len(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC.parent)))
def test_imports_go_down_the_layers(path: Path):
    own = _part(_module_name(path))
    level = LAYERS.index(own)
    upward = [
        f"{path.relative_to(SRC.parent)}:{line}: imports {name} ({_part(name)} is above {own})"
        for line, name in _file_imports(path)
        if LAYERS.index(_part(name)) > level
    ]
    assert not upward, "\n".join(upward)


def test_the_checker_sees_deferred_relative_and_submodule_imports():
    source = (
        "import json\n"
        "def f():\n"
        "    from blocs.geography import reach\n"
        "from . import load\n"
        "from .. import text\n"
        "from blocs import __version__, progress\n"
    )
    assert _imports(source, "blocs.scenario.validate") == [
        (3, "blocs.geography.reach"),
        (4, "blocs.scenario.load"),
        (5, "blocs.text"),
        (6, "blocs"),
        (6, "blocs.progress"),
    ]


def test_loading_a_case_imports_no_model():
    # At run time too: reading and validating a case loads the reference data, not the
    # geography, influence or bargaining models.
    code = (
        "import sys\n"
        "from blocs.scenario import load_case\n"
        "load_case('serbia-2024')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[:2] in (\n"
        "    ['blocs', 'geography'], ['blocs', 'influence'], ['blocs', 'bargaining'],\n"
        "    ['blocs', 'analysis'], ['blocs', 'commands'], ['blocs', 'report']))\n"
        "print(bad)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]", done.stdout
