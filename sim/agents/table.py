"""A population stored as named numpy arrays: one array per attribute, id = row."""

from __future__ import annotations

import numpy as np
import pandas as pd


class ArrayPopulation:
    """Base for populations too large for one Python object each.

    Subclasses list their attributes in ``fields`` (name -> dtype).  Rows can be
    appended (recruits); nothing is ever deleted, so ids stay stable.
    """

    fields: dict[str, type] = {}

    def __init__(self, n: int = 0, capacity: int | None = None):
        self.n = n
        cap = max(capacity or n, 1)
        for name, dtype in self.fields.items():
            setattr(self, "_" + name, np.zeros(cap, dtype=dtype))

    def __len__(self) -> int:
        return self.n

    def __getattr__(self, name: str):
        if name in type(self).fields:
            return self.__dict__["_" + name][: self.n]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name: str, value) -> None:
        if name in type(self).fields:
            buf = self.__dict__["_" + name]
            # ``pop.x += y`` hands back the view it already changed in place: nothing to copy
            if isinstance(value, np.ndarray) and value.base is buf and value.shape == (self.n,) \
                    and value.strides == buf.strides and value.ctypes.data == buf.ctypes.data:
                return
            buf[: self.n] = value
        else:
            super().__setattr__(name, value)

    def append(self, **values) -> np.ndarray:
        """Add rows; returns their ids.  Attributes not given are zero."""
        k = len(next(iter(values.values())))
        cap = len(self.__dict__["_" + next(iter(self.fields))])
        if self.n + k > cap:
            new_cap = max(2 * cap, self.n + k)
            for name in self.fields:
                old = self.__dict__["_" + name]
                arr = np.zeros(new_cap, dtype=old.dtype)
                arr[: self.n] = old[: self.n]
                self.__dict__["_" + name] = arr
        ids = np.arange(self.n, self.n + k)
        for name in self.fields:
            self.__dict__["_" + name][self.n : self.n + k] = values.get(name, 0)
        self.n += k
        return ids

    def to_frame(self) -> pd.DataFrame:
        """The population's state, one row per agent (index = id)."""
        df = pd.DataFrame({name: getattr(self, name).copy() for name in self.fields})
        df.index.name = "id"
        return df
