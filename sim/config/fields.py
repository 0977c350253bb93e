"""Declaring a parameter: default, allowed range, plausible range, and where the number comes from.

Every number of the model is declared with :func:`param`.  The metadata drives
validation at the door (:mod:`sim.config.validate`), the parameter table of
docs/parameters.md (``python -m sim.config.table``) and the robust analysis
(``python -m experiments.robust``), which samples the plausible ranges.
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
    plausible: tuple | None = None,
    fixed: str | None = None,
) -> Any:
    """A dataclass field with its source, allowed values and, for assumptions, a plausible range.

    ``lo``/``hi`` are inclusive bounds, ``gt`` an exclusive lower bound,
    ``choices`` a closed set of values (for strings or list items).  A list
    keeps the length of its default unless ``free_length``.  ``plausible`` is
    ``(low, high, reason)``: the values a reader of the literature could defend
    for a number whose source is an assumption (the default lies inside); for a list
    of numbers it is a factor on every item (1 lies inside).  ``fixed`` says instead
    why an assumption is not varied (a definition, a calibration, a world's geography).
    """
    if plausible is not None and fixed is not None:
        raise ValueError("a parameter has a plausible range or a reason to stay fixed, not both")
    length = len(default) if isinstance(default, list) and default and not free_length else None
    meta = {"src": src, "lo": lo, "hi": hi, "gt": gt, "choices": choices, "unit": unit, "length": length}
    if plausible is not None:
        low, high, why = plausible
        meta["plausible"] = (float(low), float(high), str(why))
    if fixed is not None:
        meta["fixed"] = str(fixed)
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


def group(cls: type) -> Any:
    """A nested config section."""
    return field(default_factory=cls)
