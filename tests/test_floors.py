"""The floors (issue 30, 4): imports only go down. The casebook framework and the trial's set-up
(``patients/casebook/``: records, saving, review, queries, signatures, locks, registry, design, sites,
schedule, blinding, exports) stand below enrolment and import nothing of the ``patients`` app around them;
``patients`` imports neither ``dosing`` nor ``outcomes``; ``dosing`` does not import ``outcomes``; no app
imports the project package (``ucmsc_crf``) above them. Read from the source, every import statement,
deferred ones inside functions included."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package -> the first-party modules it may import (its own always allowed)
FLOORS = {
    "patients/casebook": ("patients.casebook",),
    "patients": ("patients",),
    "dosing": ("patients", "dosing"),
    "outcomes": ("patients", "dosing", "outcomes"),
}
FIRST_PARTY = ("patients", "dosing", "outcomes", "ucmsc_crf")


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", FLOORS)
def test_imports_only_go_down(package):
    allowed = FLOORS[package]
    upward = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts or (package == "patients" and "casebook" in path.parts):
            continue
        for line, module in imports_of(path):
            first_party = module.split(".")[0] in FIRST_PARTY
            if first_party and not any(module == a or module.startswith(f"{a}.") for a in allowed):
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert upward == []
