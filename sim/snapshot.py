"""Snapshots after the warm-up, and runs that branch from them.

The warm-up runs the baseline only, so every policy compared on one world, scale,
seed and baseline shares it.  After the warm-up the whole state of the model (every
array, queue, ledger and account; the random streams are counter-based and keyed by
the day, so they have no position to save) is written once and each policy's run
branches from it.  A branched run is bit-identical to the same run from scratch
(tests/test_snapshot.py).  The key of a snapshot is a hash of everything the warm-up
reads: the config without the policy, the run's length and output settings, and the
model's code version.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import tempfile
from collections import OrderedDict
from pathlib import Path

from sim.files import as_umask_allows
from sim.version import code_version

# Keys of the resolved config the warm-up never reads.
NOT_IN_WARMUP = ("policy", "days", "out", "progress", "hydra")
FORMAT = 1


def key(config: dict) -> str:
    """Key of the warm-up of a resolved config (a plain dict, as OmegaConf.to_container gives)."""
    warm = {k: v for k, v in config.items() if k not in NOT_IN_WARMUP}
    from sim.world.region import files_read

    data = {"config": warm, "code": code_version(), "format": FORMAT, **files_read(config.get("world"))}
    payload = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def dumps(state: dict) -> bytes:
    buf = io.BytesIO()
    pickle.dump(state, buf, protocol=pickle.HIGHEST_PROTOCOL)
    return buf.getvalue()


class MemorySnapshots:
    """Snapshots kept in this process (the most recent ``size``)."""

    def __init__(self, size: int = 32):
        self.size = size
        self._d: OrderedDict[str, bytes] = OrderedDict()

    def get(self, k: str) -> dict | None:
        if k not in self._d:
            return None
        self._d.move_to_end(k)
        return pickle.loads(self._d[k])

    def put(self, k: str, state: dict) -> None:
        self._d[k] = dumps(state)
        while len(self._d) > self.size:
            self._d.popitem(last=False)


class DirSnapshots:
    """Snapshots in a folder of the results store: ``<root>/<key>.pkl`` with ``<key>.json`` (size, sha256).

    A snapshot is written under a temporary name and renamed into place, its record last;
    one whose size or checksum does not match its record is damaged: it is never used
    (``get`` returns None, so the warm-up runs again and the snapshot is rewritten).
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _paths(self, k: str) -> tuple[Path, Path]:
        return self.root / f"{k}.pkl", self.root / f"{k}.json"

    def check(self, k: str) -> str:
        """"ok", "absent" or "damaged"."""
        data, meta = self._paths(k)
        if not meta.exists() and not data.exists():
            return "absent"
        try:
            rec = json.loads(meta.read_text())
            raw = data.read_bytes()
        except (OSError, ValueError):
            return "damaged"
        if not isinstance(rec, dict) or rec.get("size") != len(raw):
            return "damaged"
        if rec.get("sha256") != hashlib.sha256(raw).hexdigest():
            return "damaged"
        return "ok"

    def get(self, k: str) -> dict | None:
        if self.check(k) != "ok":
            return None
        try:
            return pickle.loads(self._paths(k)[0].read_bytes())
        except Exception:  # an unreadable pickle is a damaged snapshot: rebuild it
            return None

    def put(self, k: str, state: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        raw = dumps(state)
        data, meta = self._paths(k)
        record = {"size": len(raw), "sha256": hashlib.sha256(raw).hexdigest(), "format": FORMAT}
        for path, content in ((data, raw), (meta, json.dumps(record).encode())):
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=self.root)
            as_umask_allows(tmp)
            with os.fdopen(fd, "wb") as f:
                f.write(content)
            os.replace(tmp, path)


def warmed_model(cfg, config: dict, snapshots=None):
    """A model of ``cfg`` at the end of its warm-up: branched from a snapshot when one exists."""
    from sim.model import GovernanceModel

    if cfg.warmup == 0 or snapshots is None:
        return GovernanceModel(cfg).warm_up()
    k = key(config)
    state = snapshots.get(k)
    if state is not None:
        return GovernanceModel(cfg, state)
    model = GovernanceModel(cfg).warm_up()
    snapshots.put(k, model.snapshot())
    return model
