"""Decap's local backend (npm ``decap-server``) for trying the editor without GitHub.

``kennisbank serve --cms`` starts it in *git* mode against the local repository, so the
editorial workflow works as on GitHub: a save commits to a branch ``cms/<collection>/<slug>``,
publishing merges it into the configured branch. It listens on 127.0.0.1 only, on a free port,
and stops with the server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import httpx

from kennisbank.errors import KennisbankError

SCRIPT = Path("node_modules") / "decap-server" / "dist" / "index.js"
START_SECONDS = 30.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class DecapServer:
    """``with DecapServer(root, repository) as proxy: proxy.api_url`` — one running decap-server."""

    def __init__(self, root: Path, repository: Path, branch: str = "main", host: str = "127.0.0.1"):
        self.script = root / SCRIPT
        self.repository, self.branch, self.host = repository, branch, host
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api/v1"

    def __enter__(self) -> DecapServer:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        node = shutil.which("node")
        if node is None or not self.script.is_file():
            raise KennisbankError("the local editor needs Node.js and the npm package decap-server: "
                                  "run `npm install` in the repository (or `make edit`)")
        self._check_repository()
        self.port = free_port(self.host)
        env = {**os.environ, "PORT": str(self.port), "BIND_HOST": self.host, "MODE": "git",
               "GIT_REPO_DIRECTORY": str(self.repository), "LOG_LEVEL": "warn"}
        # cwd outside the repository: decap-server reads a .env file from its working folder
        self.process = subprocess.Popen([node, str(self.script)], env=env, cwd=self.script.parent,
                                        stdin=subprocess.DEVNULL)
        self._wait_until_ready()

    def _check_repository(self) -> None:
        result = subprocess.run(["git", "-C", str(self.repository), "rev-parse", "--verify", "--quiet",
                                 f"refs/heads/{self.branch}"], capture_output=True, check=False)
        if result.returncode != 0:
            raise KennisbankError(f"{self.repository} is not a git repository with a branch {self.branch!r}; "
                                  "the local editor commits there (set extra.kennisbank.cms_branch)")

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise KennisbankError(f"decap-server stopped at once (exit {self.process.returncode})")
            try:
                httpx.post(self.api_url, json={"action": "info"}, timeout=1.0).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise KennisbankError(f"decap-server did not answer on {self.api_url} within {START_SECONDS:.0f} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
