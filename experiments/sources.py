"""Where a comparison's runs live: one store new runs go into, and stores it may only read.

A run's key depends only on its config and the code version, so a run found in any of
the stores is the same run.  A sweep's folder (``results/NAME`` with ``sweeps/``) is read,
never written, unless asked: a comparison's extra runs would otherwise mix into the
sweep's table.  Paths are written relative to the folder that records them, so a
comparison and its store can be moved together.
"""

from __future__ import annotations

import os
from pathlib import Path

from experiments.store import Store

DEFAULT_STORE = "results/store"


def is_sweep(root: str | os.PathLike) -> bool:
    """A sweep's folder: it has the sweeps' manifests."""
    return (Path(root) / "sweeps").is_dir()


class Runs:
    """Stores to read runs from, the first of them the one new runs are written to."""

    def __init__(self, write: Store, read: tuple[Store, ...] = ()):
        self.write = write
        self.stores = (write, *[s for s in read if s.root != write.root])
        self._where: dict[str, Store] = {}  # completed runs found (checking a folder hashes its files)

    @classmethod
    def at(cls, store: str | os.PathLike = DEFAULT_STORE, add_to_sweep: bool = False) -> Runs:
        """``store``; if it is a sweep's folder, read it and write new runs to the default store instead."""
        if is_sweep(store) and not add_to_sweep:
            return cls(Store(DEFAULT_STORE), (Store(store),))
        return cls(Store(store))

    @property
    def root(self) -> Path:
        return self.write.root

    def find(self, key: str) -> Store | None:
        """The store holding the completed, intact run ``key``, or None."""
        if key not in self._where:
            found = next((s for s in self.stores if s.is_done(key)), None)
            if found is None:
                return None
            self._where[key] = found
        return self._where[key]

    def forget(self, key: str) -> None:
        """Look for ``key`` again next time (it was just made)."""
        self._where.pop(key, None)

    def holder(self, key: str) -> Store:
        return self.find(key) or self.write

    def is_done(self, key: str) -> bool:
        return self.find(key) is not None

    def path(self, key: str) -> Path:
        return self.holder(key).path(key)

    def summary(self, key: str) -> dict:
        return self.holder(key).summary(key)

    def table(self, key: str, name: str):
        return self.holder(key).table(key, name)

    def meta(self, key: str) -> dict | None:
        return self.holder(key).meta(key)

    # -- recording where they are -------------------------------------------------------------
    def describe(self, base: str | os.PathLike) -> dict:
        """The stores as paths relative to ``base`` (the folder that records them)."""
        return {"store": relative(self.write.root, base), "read": [relative(s.root, base) for s in self.stores[1:]]}

    @classmethod
    def from_description(cls, meta: dict, base: str | os.PathLike) -> Runs:
        """The inverse of :meth:`describe` (an absolute path of an older record is taken as it is)."""
        base = Path(base)
        read = meta.get("read") or []
        return cls(Store(base / meta["store"]), tuple(Store(base / r) for r in read))


def relative(path: str | os.PathLike, base: str | os.PathLike) -> str:
    """``path`` relative to ``base`` (POSIX separators)."""
    return Path(os.path.relpath(Path(path).resolve(), Path(base).resolve())).as_posix()
