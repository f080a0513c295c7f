"""Property-based API testing: the schemathesis CLI against the live API (uvicorn on loopback).

Every check runs (server errors, status codes and schemas as documented, content types, negative
data rejected, unsupported methods): any generated request, valid or not, gets a documented
response and never a 5xx.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from search_helpers import live_server

from kennisbank.config import load_settings
from kennisbank.search import build_search_index
from kennisbank.search.api import create_api

ST = Path(sys.executable).with_name("schemathesis")


@pytest.mark.slow
def test_api_conforms_and_never_fails(repo, sample_root, tmp_path):
    build_search_index(repo, tmp_path / "build")
    with live_server(create_api(tmp_path / "build", load_settings(sample_root))) as url:
        result = subprocess.run(
            [str(ST), "run", f"{url}/openapi.json", "--url", url, "--checks", "all", "--max-examples", "25",
             "--seed", "1", "--workers", "1", "--generation-deterministic", "--report-dir", str(tmp_path / "report"),
             "--continue-on-failure", "--request-timeout", "10"],
            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout.lower()
