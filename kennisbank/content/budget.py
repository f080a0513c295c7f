"""Render heavy bodies in a separate process with a time budget per body.

The worker is an ordinary process (spawned, so it is safe from threaded callers such as
`serve`) that renders bodies exactly as the site does (:func:`kennisbank.sanitize.body_html`) and
answers once per body. When a body takes longer than the budget, the worker is killed (a thread
inside Python-Markdown cannot be interrupted) and a fresh one takes the next body. The worker is
started only when there is a heavy body, and always stopped at the end: nothing is orphaned.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection

RENDER_SECONDS = 10.0  # per body; normal bodies render in milliseconds


STARTUP_SECONDS = 60.0  # a spawned worker imports Markdown and nh3 before it says it is ready


def _serve(conn: Connection) -> None:
    from kennisbank.sanitize import body_html

    conn.send("ready")
    while True:
        try:
            path, body = conn.recv()
        except EOFError:
            return
        try:
            body_html(body, path)
            conn.send(None)
        except RecursionError:
            conn.send("nested too deeply to render")
        except Exception as exc:
            conn.send(f"cannot be rendered ({type(exc).__name__})")


class _Worker:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(STARTUP_SECONDS):
            self.stop()
            raise RuntimeError("the render worker did not start")
        self.conn.recv()

    def stop(self) -> None:
        self.conn.close()
        self.process.kill()
        self.process.join()


def over_budget(bodies: Iterable[tuple[str, str]], seconds: float = RENDER_SECONDS) -> Iterator[tuple[str, str]]:
    """(path, problem) for every (path, body) that fails to render or runs over ``seconds``."""
    worker: _Worker | None = None
    try:
        for path, body in bodies:
            worker = worker or _Worker()
            worker.conn.send((path, body))
            if worker.conn.poll(seconds):
                problem = worker.conn.recv()
                if problem:
                    yield path, problem
                continue
            worker.stop()
            worker = None
            yield path, f"takes longer than {seconds:g} s to render; split it or remove repeated characters"
    finally:
        if worker is not None:
            worker.stop()

