"""The developer gate: ruff and mypy configured in pyproject.toml, the same hooks for pre-commit,
and plain `pytest` working from the repository root."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_ruff_rules_are_selected_explicitly_and_mypy_is_strict():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    assert {"E", "F", "W", "I", "B", "UP", "SIM", "RUF"} <= set(config["ruff"]["lint"]["select"])
    assert config["mypy"]["strict"] is True and config["mypy"]["packages"] == ["kennisbank"]


def test_pre_commit_runs_the_lint_gate_tools_offline(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"]
    assert [repo["repo"] for repo in hooks] == ["local"]
    assert {hook["id"]: hook["language"] for hook in hooks[0]["hooks"]} == {"kennisbank-check": "system", "ruff": "system",
                                                                              "mypy": "system"}
    result = subprocess.run([str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml"], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_reports_a_planted_problem_with_its_line(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\n\ndef f():\n    return undefined_name\n", encoding="utf-8")
    result = subprocess.run([str(BIN / "ruff"), "check", "--output-format", "concise", "--config", str(ROOT / "pyproject.toml"),
                             str(bad)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "bad.py:1:8: F401" in result.stdout and "bad.py:5:12: F821" in result.stdout


def test_plain_pytest_from_the_root_collects_every_test_module():
    """Plain ``pytest`` (not ``python -m pytest``, which puts the current folder on sys.path)
    collects every module: test modules import their helpers (``site_helpers``...) one way only,
    as top-level modules of the tests folder, so no helper is imported twice under two names."""
    result = subprocess.run([str(BIN / "pytest"), "--collect-only", "-q", "-p", "no:cacheprovider"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    summary = result.stdout.strip().splitlines()[-1]  # "654 tests collected in 5.3s" (no "N errors")
    assert result.returncode == 0 and "error" not in summary, result.stdout[-2000:] + result.stderr
    assert int(summary.split()[0]) > 600
    helpers = sorted(p.stem for p in (ROOT / "tests").glob("*_helpers.py"))
    for test in (ROOT / "tests").glob("test_*.py"):
        text = test.read_text(encoding="utf-8")
        assert not any(f"tests.{h}" in text for h in helpers), f"{test.name} imports a helper as tests.*"
