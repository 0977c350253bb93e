"""Declaring a parameter: default, allowed range, and where the number comes from.

Every number of the model is declared with :func:`param`.  The metadata drives
validation at the door (:mod:`sim.config.validate`) and the parameter table of
docs/ODD.md (``python -m sim.config.table``).
"""

from __future__ import annotations

from dataclasses import field
from typing import Any


def param(
    default: Any,
    src: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    gt: float | None = None,
    choices: tuple | None = None,
    unit: str = "",
    free_length: bool = False,
) -> Any:
    """A dataclass field with its source and allowed values.

    ``lo``/``hi`` are inclusive bounds, ``gt`` an exclusive lower bound,
    ``choices`` a closed set of values (for strings or list items).  A list
    keeps the length of its default unless ``free_length``.
    """
    length = len(default) if isinstance(default, list) and default and not free_length else None
    meta = {"src": src, "lo": lo, "hi": hi, "gt": gt, "choices": choices, "unit": unit, "length": length}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


def group(cls: type) -> Any:
    """A nested config section."""
    return field(default_factory=cls)
