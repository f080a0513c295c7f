"""Shared fixtures: the repository's own sample content is the test fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def sample_root() -> Path:
    """The repository root, whose content/ and cases/ hold the sample content."""
    return ROOT


@pytest.fixture(scope="session")
def repo(sample_root):
    """The sample content, loaded and validated once per test session."""
    from kennisbank.content import load_repository

    return load_repository(sample_root)


@pytest.fixture(scope="session")
def settings(sample_root):
    """The sample repository's settings (mkdocs.yml)."""
    from kennisbank.config import load_settings

    return load_settings(sample_root)
