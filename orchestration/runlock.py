"""One `lifecycle run` at a time per warehouse: an exclusive inter-process lock.

The lock is ``fcntl.flock`` on ``<warehouse>.lock`` (next to the DuckDB file). The
kernel releases it when the holder exits, however it exits (SIGKILL included), so
a crashed run never leaves a stale lock behind; the file itself stays and holds
the pid and start time of the last holder, for the message a second run prints.

A second run either fails at once (the default) or waits up to
``LIFECYCLE_LOCK_TIMEOUT`` seconds for the first to finish.

The lock is re-entrant within a process: `lifecycle run` takes it, and the Dagster
run it executes in process takes it again through the warehouse resource (which
is how runs launched from the UI, the schedule or a sensor take it too).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

LOCK_TIMEOUT_VARIABLE = "LIFECYCLE_LOCK_TIMEOUT"
POLL_SECONDS = 0.2


class RunLockBusy(RuntimeError):
    """Another run holds the lock (and did not release it within the timeout)."""


def lock_path_for(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def lock_timeout_from_env() -> float:
    """LIFECYCLE_LOCK_TIMEOUT in seconds (default 0: do not wait)."""
    value = os.environ.get(LOCK_TIMEOUT_VARIABLE, "").strip()
    if not value:
        return 0.0
    try:
        timeout = float(value)
    except ValueError:
        raise ValueError(
            f"{LOCK_TIMEOUT_VARIABLE} must be a number of seconds, not {value!r}"
        ) from None
    return max(timeout, 0.0)


# Lock file -> [file descriptor, holders] for the locks this process holds.
_HELD: dict[Path, list[int]] = {}


class RunLock:
    """An acquired lock; release it with ``release()`` or by leaving a ``with`` block."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is None:
            return
        held = _HELD.get(self.path)
        if held is not None:
            held[1] -= 1
            if held[1] > 0:
                self._fd = None
                return
            del _HELD[self.path]
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f" ({text})" if text else ""


def acquire_run_lock(
    warehouse: Path,
    *,
    timeout: float | None = None,
    progress: Callable[[str], None] = print,
) -> RunLock:
    """Take the run lock of a warehouse, waiting up to timeout seconds (None: from the env).

    Raises RunLockBusy with a message naming the lock file and its holder when another
    process keeps it.
    """
    if timeout is None:
        timeout = lock_timeout_from_env()
    path = lock_path_for(warehouse).resolve()
    if path in _HELD:  # this process holds it already
        _HELD[path][1] += 1
        return RunLock(path, _HELD[path][0])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            holder = _holder(path)
            if timeout <= 0:
                raise RunLockBusy(
                    f"another run holds {path}{holder}: not started. Wait for it to finish,"
                    f" or set {LOCK_TIMEOUT_VARIABLE}=<seconds> to wait for it"
                )
            progress(f"waiting for the run that holds {path}{holder}, up to {timeout:g}s")
            deadline = time.monotonic() + timeout
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise RunLockBusy(
                        f"gave up after {timeout:g}s waiting for the run that holds"
                        f" {path}{_holder(path)}: not started"
                    )
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
    except BaseException:
        os.close(fd)
        raise
    _HELD[path] = [fd, 1]
    return RunLock(path, fd)
