"""The boundary contracts bite: a forbidden cross-context import breaks the build."""

import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROJECT = Path(settings.BASE_DIR)
PACKAGES = ["ecommerce", "catalog", "cart", "orders", "inventory", "recommendations", "notifications"]


def _copy_project(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(PROJECT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint_imports), "--config", "pyproject.toml", "--no-cache"],
        cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
        timeout=120, check=False,
    )


def test_cart_importing_catalog_models_breaks_the_contract(tmp_path):
    """A module in cart that imports catalog.models makes import-linter fail and name the import."""
    root = _copy_project(tmp_path)
    (root / "cart" / "sneaky_prices.py").write_text("import catalog.models\n")

    result = _lint_imports(root)

    assert result.returncode == 1
    assert "Outside catalog, only catalog.interface is imported BROKEN" in result.stdout
    assert "cart.sneaky_prices -> catalog.models" in result.stdout


def test_event_kernel_importing_a_context_breaks_the_contract(tmp_path):
    """The shared kernel may not depend on any context."""
    root = _copy_project(tmp_path)
    (root / "ecommerce" / "events" / "shortcut.py").write_text("import orders.interface\n")

    result = _lint_imports(root)

    assert result.returncode == 1
    assert "Contexts are layered; the event kernel imports none of them BROKEN" in result.stdout
