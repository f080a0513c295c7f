"""One output root, swapped as a whole: every build's folders appear together or not at all.

Layout of an output root ``<out>`` (``build/`` by default)::

    <out>/.lock                 held (flock) by the one build writing into <out>; holds its pid
    <out>/.tmp-<id>/            a build in progress (or the remains of a killed one)
    <out>/.build-<id>/          a finished build: site/, docs/, newsletter/, search/, sites/ ...
    <out>/current -> .build-<id>   the live build: replaced by ONE rename(2), the atomic switch
    <out>/site -> current/site  one fixed link per top-level folder a build writes, so readers
                                keep using <out>/site, <out>/search, <out>/sites/<name> ...

API (for `kennisbank build` and any command that writes a whole output root)::

    from kennisbank.output import publish

    with publish(out) as tmp:          # lock, recover, fresh <out>/.tmp-<id>/
        write_everything_into(tmp)     # e.g. tmp/"site", tmp/"sites"/name, tmp/"search"
    # on a clean exit: tmp becomes <out>/.build-<id>, `current` points at it (one rename),
    # <out>/<name> links exist for every folder in it, and older builds are deleted.
    # On any exception: tmp is deleted; the live build, its links and its folders are untouched.

Guarantees:

* **All or nothing.** A reader resolving ``<out>/site/...`` or ``<out>/sites/a/...`` at any moment
  sees one complete build: the switch is a single rename of a symlink. The previous build's folder
  is kept until the next successful build, so a kill at any instant leaves a working root.
* **One writer.** :func:`publish` takes an exclusive lock on ``<out>/.lock`` and fails at once
  with :class:`OutputBusy` (naming the other process) instead of letting two builds delete each
  other's work. Leftovers (``.tmp-*``, unreferenced ``.build-*``) are removed only while holding
  the lock, i.e. only when the build that made them is gone.
* **Recovery.** :func:`recover` (run by :func:`publish`) removes a half-made ``current.new`` link,
  restores missing links, and migrates an old root whose ``site/`` etc. were real folders.
* **Clear errors.** A read-only, missing or full output folder is a :class:`OutputUnwritable`
  (a :class:`~kennisbank.errors.KennisbankError`, exit 1), never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from kennisbank.errors import KennisbankError

CURRENT = "current"
LOCK = ".lock"
TMP_PREFIX = ".tmp-"
BUILD_PREFIX = ".build-"
LEGACY_BUILD = f"{BUILD_PREFIX}legacy"  # the folders of a root written before this layout
_RESERVED = {CURRENT, f"{CURRENT}.new", LOCK}


class OutputBusy(KennisbankError):
    """Another process is writing into the same output root."""


class OutputUnwritable(KennisbankError):
    """The output root cannot be written (read-only, full, permissions)."""


def unwritable(out: Path, exc: OSError) -> OutputUnwritable:
    where = exc.filename or out
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason += " (the disk is full)"
    return OutputUnwritable(f"{where}: {reason}; the previous output in {out} is unchanged")


@contextlib.contextmanager
def lock(out: Path) -> Iterator[None]:
    """Hold the exclusive build lock of ``out``; :class:`OutputBusy` when another process has it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise unwritable(out, exc) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "another process"
            raise OutputBusy(f"{out} is being built by process {holder}; wait until it has finished "
                             "and run the command again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def current(out: Path) -> Path | None:
    """The folder of the live build, or None before the first build."""
    link = out / CURRENT
    return (out / os.readlink(link)) if link.is_symlink() else None


def recover(out: Path) -> None:
    """Bring a root left by a killed build or an older layout back to a consistent state.

    Call only while holding :func:`lock`: it deletes every build folder the live one is not.
    """
    with contextlib.suppress(FileNotFoundError):
        (out / f"{CURRENT}.new").unlink()
    live = current(out)
    if live is not None and not live.is_dir():  # the link points at nothing: forget it
        (out / CURRENT).unlink()
        live = None
    if live is None:
        live = _migrate_legacy(out)
    for entry in out.iterdir():
        stale = entry.name.startswith(TMP_PREFIX) or (entry.name.startswith(BUILD_PREFIX) and entry != live)
        if stale and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
    if live is not None:
        _link_outputs(out, live)


def _migrate_legacy(out: Path) -> Path | None:
    """An old root has real ``site/``, ``search/`` ... folders: adopt them as the live build.

    Resumable: a migration killed half-way is completed by the next run (same folder name)."""
    build = out / LEGACY_BUILD
    legacy = [e for e in out.iterdir() if e.is_dir() and not e.is_symlink() and e.name not in _RESERVED
              and not e.name.startswith(".")]
    if not legacy and not build.is_dir():
        return None
    build.mkdir(exist_ok=True)
    for entry in legacy:
        entry.rename(build / entry.name)  # the link replacing it follows in _link_outputs
    _switch(out, build)
    return build


def _switch(out: Path, build: Path) -> None:
    """Point ``current`` at ``build`` with one rename (atomic on POSIX)."""
    staged = out / f"{CURRENT}.new"
    with contextlib.suppress(FileNotFoundError):
        staged.unlink()
    staged.symlink_to(build.name)
    os.replace(staged, out / CURRENT)
    _fsync_dir(out)


def _link_outputs(out: Path, build: Path) -> None:
    """``<out>/<name> -> current/<name>`` for every folder or file of the build; drop links whose
    target the live build no longer has."""
    names = {e.name for e in build.iterdir()}
    for name in sorted(names):
        link = out / name
        if link.is_symlink() or not link.exists():
            if not (link.is_symlink() and os.readlink(link) == f"{CURRENT}/{name}"):
                staged = out / f".{name}.link-{secrets.token_hex(4)}"
                staged.symlink_to(f"{CURRENT}/{name}")
                os.replace(staged, link)
        elif link.is_dir():  # a real folder left by an older layout or another tool
            aside = out / f"{TMP_PREFIX}{secrets.token_hex(4)}"
            link.rename(aside)
            link.symlink_to(f"{CURRENT}/{name}")
            shutil.rmtree(aside, ignore_errors=True)
    for entry in out.iterdir():
        if entry.is_symlink() and os.readlink(entry).startswith(f"{CURRENT}/") and entry.name not in names:
            entry.unlink()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def publish(out: Path) -> Iterator[Path]:
    """Lock ``out``, recover it, yield a fresh folder to build into, and switch to it on success.

    Raises :class:`OutputBusy` when another build holds the lock and :class:`OutputUnwritable`
    when the root cannot be written; any exception inside the block leaves the live build as it was.
    """
    with lock(out):
        token = secrets.token_hex(4)
        tmp = out / f"{TMP_PREFIX}{token}"
        try:
            recover(out)
            tmp.mkdir()
        except OSError as exc:
            raise unwritable(out, exc) from None
        try:
            yield tmp
            build = out / f"{BUILD_PREFIX}{token}"
            previous = current(out)
            tmp.rename(build)
            _switch(out, build)
            _link_outputs(out, build)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise unwritable(out, exc) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if previous is not None and previous != build:
            shutil.rmtree(previous, ignore_errors=True)
