"""Figures that describe the code, computed when the site is built (mkdocs hook): a page writes
``{{ figure:url_patterns }}`` and the build puts the number in. Nothing here is typed by hand, so the docs
cannot drift from the code; an unknown figure fails the build.

Django is set up with the project's own settings (the demo's DEBUG defaults), no database is touched."""

import ast
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURE = re.compile(r"\{\{ figure:(\w+) \}\}")
_figures: dict[str, str] = {}


def _url_patterns(patterns, prefix=""):
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def _literal(path: Path, name: str):
    """A module-level constant of a test module, read without importing it (e.g. the permission matrix's roles)."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"{name} not found in {path}")


def compute() -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucmsc_crf.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.urls import get_resolver

    from patients.casebook.choices import Role
    from patients.casebook.registry import registry

    routes = [r for r in _url_patterns(get_resolver().url_patterns) if not r.startswith("static/")]
    matrix_roles = _literal(ROOT / "tests" / "test_permission_matrix.py", "ROLES")
    ward_forms = [crf for crf in registry.all() if crf.url_name("new")]
    tests = sum(
        1
        for path in (ROOT / "tests").rglob("test_*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
    )
    return {
        "url_patterns": f"{len(routes):,}",
        "matrix_roles": str(len(matrix_roles)),
        "matrix_role_names": ", ".join(matrix_roles),
        "roles": str(len(Role)),
        "role_names": ", ".join(Role.values),
        "forms": str(len(registry.all())),
        "ward_forms": str(len(ward_forms)),
        "fuzzed_forms": str(len(ward_forms) + 1),  # every ward form, and the signature form
        "test_functions": f"{tests:,}",
    }


def on_config(config, **kwargs):
    _figures.update(compute())
    return config


def on_page_markdown(markdown, page, **kwargs):
    def figure(match):
        name = match.group(1)
        if name not in _figures:
            raise KeyError(f"{page.file.src_path}: no figure {name!r} (docs/hooks/figures.py knows {sorted(_figures)})")
        return _figures[name]

    return FIGURE.sub(figure, markdown)
