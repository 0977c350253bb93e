"""Missing runs, computed into the store by one background thread, so that no page waits for them.

One worker per server: runs are done one at a time (the machine is shared), each through the
model's door and :meth:`experiments.store.Store.ensure_config`, so they land in the same resumable
store as a sweep's and survive a stopped server.  A page holds a :class:`Ticket` and reads its
progress; two pages asking for the same run get it computed once.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field

from experiments.sources import Runs
from experiments.store import run_key
from sim.config.load import load


@dataclass
class Ticket:
    """Progress of one request: how many of its runs are done, which failed, and whether it is finished."""

    total: int
    done: int = 0
    failed: list = field(default_factory=list)  # (overrides, error)
    finished: threading.Event = field(default_factory=threading.Event)

    def progress(self) -> tuple[int, int]:
        return self.done, self.total


class Worker:
    """A queue of runs and the thread that does them (started on the first request)."""

    def __init__(self, runs: Runs):
        self.runs = runs
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, jobs: list[list[str]]) -> Ticket:
        """Queue ``jobs`` (lists of overrides); returns at once."""
        ticket = Ticket(len(jobs))
        if not jobs:
            ticket.finished.set()
            return ticket
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="explore-runs", daemon=True)
                self._thread.start()
        for job in jobs:
            self._queue.put((list(job), ticket))
        return ticket

    def _loop(self) -> None:
        while True:
            job, ticket = self._queue.get()
            try:
                self._one(job, ticket)
            finally:
                ticket.done += 1
                if ticket.done >= ticket.total:
                    ticket.finished.set()

    def _one(self, job: list[str], ticket: Ticket) -> None:
        try:
            _, dcfg = load(job)
            if self.runs.is_done(run_key(dcfg)):
                return
            out = self.runs.write.ensure_config(dcfg, job)
        except Exception as e:  # a bad job is reported on the page, never stops the worker
            ticket.failed.append((job, f"{type(e).__name__}: {e}"))
            return
        if out.status == "failed":
            ticket.failed.append((job, out.error))
