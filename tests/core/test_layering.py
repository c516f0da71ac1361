"""``core`` is the bottom layer: no module under vanguard/core imports a domain app.

Domain apps plug into core's registries instead (vanguard/core/registry.py); a core module that
imported one would bring the import circles back (core ↔ audit, core ↔ orgs, core ↔ plans).
"""

from __future__ import annotations

import ast
from pathlib import Path

import vanguard.core

CORE = Path(vanguard.core.__file__).parent


def imported_modules(source: str, module: str) -> set[str]:
    """Absolute names of every module ``source`` (the code of ``module``) imports, anywhere in it."""
    package = module.rsplit(".", 1)[0]
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            names.add(target)
            names |= {f"{target}.{alias.name}" for alias in node.names}
    return names


def foreign(names: set[str]) -> set[str]:
    """The project modules outside core among ``names`` (vanguard.<app>, the test apps)."""
    return {name for name in names
            if (name.startswith("vanguard.") and not (name == "vanguard.core" or name.startswith("vanguard.core.")))
            or name.startswith("tests.") or name == "tests"}


def core_modules():
    """(path, dotted name) of every module under vanguard/core (a package as ``<package>.__init__``)."""
    for path in sorted(CORE.rglob("*.py")):
        yield path, ".".join(path.relative_to(CORE.parent.parent).with_suffix("").parts)


def test_core_imports_no_domain_app():
    offenders = {}
    for path, module in core_modules():
        found = foreign(imported_modules(path.read_text(encoding="utf-8"), module))
        if found:
            offenders[str(path.relative_to(CORE))] = sorted(found)
    assert not offenders, f"core modules importing a domain app: {offenders}"


def test_every_core_module_is_read():
    modules = {module for _path, module in core_modules()}
    assert {"vanguard.core.policy", "vanguard.core.registry", "vanguard.core.templatetags.vanguard"} <= modules


def test_the_check_sees_imports_in_functions_and_relative_ones():
    source = (
        "from . import policy\n"
        "from ..orgs.models import Org\n"
        "def home():\n"
        "    from vanguard.campaigns.models import Campaign\n"
        "    import vanguard.audit.services\n"
    )
    assert foreign(imported_modules(source, "vanguard.core.views")) == {
        "vanguard.orgs.models", "vanguard.orgs.models.Org", "vanguard.campaigns.models",
        "vanguard.campaigns.models.Campaign", "vanguard.audit.services"}
    assert not foreign(imported_modules("from .registry import discover\n", "vanguard.core.jobs"))
    assert not foreign(imported_modules("from .. import registry\n", "vanguard.core.templatetags.vanguard"))
