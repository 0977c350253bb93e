"""The model's code version: a hash of its source and of the numeric packages it runs on.

Unlike the git commit it sees uncommitted edits and is the same on every clone.  A
results store keys runs and snapshots by it, so a changed model never reuses old
results; a sweep fixes it once in the launching process (``SIM_CODE_VERSION``) so
all its jobs share one version.
"""

from __future__ import annotations

import hashlib
import os
from importlib import metadata
from pathlib import Path

ENV_CODE_VERSION = "SIM_CODE_VERSION"
KEY_PACKAGES = ("mesa", "numpy", "scipy", "numba")  # numba: its copies of numpy's random algorithms draw the needs
PACKAGE_ROOT = Path(__file__).resolve().parent
_CODE_VERSION: str | None = None


def code_version() -> str:
    """Hash of sim/**/*.py and the mesa/numpy/scipy/numba versions (or ``$SIM_CODE_VERSION`` if set)."""
    global _CODE_VERSION
    if os.environ.get(ENV_CODE_VERSION):
        return os.environ[ENV_CODE_VERSION]
    if _CODE_VERSION is None:
        h = hashlib.sha256()
        for p in sorted(PACKAGE_ROOT.rglob("*.py")):
            h.update(("sim/" + p.relative_to(PACKAGE_ROOT).as_posix()).encode())
            h.update(p.read_bytes())
        for pkg in KEY_PACKAGES:
            try:
                h.update(f"{pkg}={metadata.version(pkg)}".encode())
            except metadata.PackageNotFoundError:
                pass
        _CODE_VERSION = h.hexdigest()[:16]
    return _CODE_VERSION
