"""The output root (kennisbank.output): one lock, one atomic switch, recovery from any kill.

A "kill" is simulated by raising KeyboardInterrupt (a BaseException, like a signal) at every
file-system step of the switch in turn; after each, a reader must see the old build or the new
one, complete, and the next run must recover.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kennisbank import output
from kennisbank.output import OutputBusy, OutputUnwritable, lock, publish, recover


def write_build(tmp: Path, label: str, names=("site", "search")) -> None:
    for name in names:
        (tmp / name).mkdir()
        (tmp / name / "index.html").write_text(label, encoding="utf-8")


def visible(out: Path, names=("site", "search")) -> set[str]:
    """What a reader sees under <out>/<name>/index.html (all names must agree)."""
    return {(out / name / "index.html").read_text(encoding="utf-8") for name in names}


def test_a_build_swaps_every_folder_together_and_keeps_the_paths_readers_use(tmp_path):
    out = tmp_path / "build"
    with publish(out) as tmp:
        write_build(tmp, "one", names=("site", "search", "sites"))
    assert visible(out, ("site", "search", "sites")) == {"one"}
    assert (out / "current").is_symlink() and (out / "site").is_symlink()
    with publish(out) as tmp:
        write_build(tmp, "two", names=("site", "search"))
    assert visible(out) == {"two"}
    assert not os.path.lexists(out / "sites")  # a folder the new build lacks is not left dangling
    assert [p.name for p in out.iterdir() if p.name.startswith((".tmp-", ".build-"))] == [output.current(out).name]


def test_a_failing_build_changes_nothing(tmp_path):
    out = tmp_path / "build"
    with publish(out) as tmp:
        write_build(tmp, "old")
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(RuntimeError), publish(out) as tmp:
        write_build(tmp, "half")
        raise RuntimeError("stage failed")
    assert visible(out) == {"old"}
    assert sorted(p.name for p in out.iterdir()) == before


def test_a_second_build_into_the_same_folder_is_refused_and_the_first_one_completes(tmp_path):
    out = tmp_path / "build"
    with publish(out) as first:
        write_build(first, "first")
        with pytest.raises(OutputBusy, match=rf"process {os.getpid()}.*wait"), publish(out):
            pass  # pragma: no cover - never entered
        assert (first / "site" / "index.html").is_file()  # the second one deleted nothing
    assert visible(out) == {"first"}


def test_the_cli_build_reports_a_busy_output_folder_without_a_traceback(tmp_path, sample_root):
    from kennisbank.cli import cli

    out = tmp_path / "build"
    with lock(out):
        result = CliRunner().invoke(cli, ["--root", str(sample_root), "build", "--out", str(out)])
    assert result.exit_code == 1
    assert "being built by process" in result.output and "Traceback" not in result.output


def seen(out: Path) -> set[str] | None:
    try:
        return visible(out)
    except FileNotFoundError:
        return None


def _kill_at(monkeypatch, step: int) -> list[int]:
    """Make the ``step``-th rename/replace/symlink raise KeyboardInterrupt (a kill)."""
    calls = [0]

    def counting(real):
        def wrapper(*args, **kwargs):
            calls[0] += 1
            if calls[0] == step:
                raise KeyboardInterrupt
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(output.os, "replace", counting(os.replace))
    monkeypatch.setattr(Path, "rename", counting(Path.rename))
    monkeypatch.setattr(Path, "symlink_to", counting(Path.symlink_to))
    return calls


@pytest.mark.parametrize("legacy", [False, True], ids=["links", "old-layout"])
def test_a_kill_at_any_step_of_the_switch_leaves_a_complete_site_and_the_next_build_recovers(
        tmp_path, monkeypatch, legacy):
    steps = 1
    while True:
        out = tmp_path / f"build-{steps}"
        if legacy:  # a root written by the previous version: real folders, no `current`
            out.mkdir()
            write_build(out, "old")
        else:
            with publish(out) as tmp:
                write_build(tmp, "old")
        with monkeypatch.context() as patch:
            calls = _kill_at(patch, steps)
            try:
                with publish(out) as tmp:
                    write_build(tmp, "new")
            except KeyboardInterrupt:
                pass
        assert seen(out) in ({"old"}, {"new"}) or (legacy and seen(out) is None)  # migrating: once only
        with pytest.raises(RuntimeError), publish(out):  # a failing next build recovers, deletes nothing live
            raise RuntimeError
        assert visible(out) in ({"old"}, {"new"})
        with publish(out) as tmp:
            write_build(tmp, "next")
        assert visible(out) == {"next"}
        assert not [p for p in out.iterdir() if p.name.startswith((".tmp-", "current.new"))]
        if calls[0] < steps:  # the kill came after the last step: every step was tried
            break
        steps += 1
    assert steps > 3  # rename of the build, the new link, the switch (+ links when they change)


def test_recovery_removes_a_half_made_switch_and_restores_missing_links(tmp_path):
    out = tmp_path / "build"
    with publish(out) as tmp:
        write_build(tmp, "live")
    (out / "site").unlink()
    (out / "current.new").symlink_to(".build-gone")
    (out / ".tmp-dead").mkdir()
    with lock(out):
        recover(out)
    assert visible(out) == {"live"}
    assert not os.path.lexists(out / "current.new") and not (out / ".tmp-dead").exists()


def test_an_output_folder_that_cannot_be_written_is_an_error_message(tmp_path, sample_root):
    from kennisbank.cli import cli

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(sample_root), "build", "--out", str(blocker / "build")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "a-file" in result.output


def test_a_full_disk_during_a_build_is_an_error_message_and_keeps_the_site(tmp_path):
    out = tmp_path / "build"
    with publish(out) as tmp:
        write_build(tmp, "old")
    with pytest.raises(OutputUnwritable, match="disk is full"), publish(out) as tmp:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp / "site" / "big.html"))
    assert visible(out) == {"old"}
