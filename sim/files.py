"""What a run writes is as readable as the user's umask allows.

Files and folders are written under temporary names and renamed into place, so that
each is whole or absent; ``tempfile`` makes those private (0600, 0700), which would
keep a store on a shared file system from the user's collaborators.
"""

from __future__ import annotations

import os


def umask() -> int:
    """The process's umask: read from /proc where Linux shows it (setting it to read it, as elsewhere, would
    for an instant give files that other threads make no protection at all)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0)  # put back at once
    os.umask(mask)
    return mask


def as_umask_allows(path, folder: bool = False) -> None:
    """Give ``path`` the permissions a file (or folder) made with ``open`` (``mkdir``) would have now."""
    os.chmod(path, (0o777 if folder else 0o666) & ~umask())


def write_text(path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: under a temporary name beside it, then renamed."""
    path = os.fspath(path)
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".{name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
