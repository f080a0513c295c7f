"""One build context: what every stage of ``kennisbank build`` reads, built once and passed on.

Pelican's generators share one context; so do our stages. The settings and the repository are
read once by :func:`kennisbank.build.build`; what several stages derive from them (the feed
catalog: the feeds stage writes it, the site and the newsletter link to it) is built on first use
and then shared. Every file a stage writes goes through :attr:`BuildContext.files`
(:class:`~kennisbank.staging.StagedFiles`), which refuses a second write to the same path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kennisbank.config import Settings
from kennisbank.content import Repository
from kennisbank.staging import StagedFiles

if TYPE_CHECKING:
    from kennisbank.feeds.catalog import FeedCatalog


@dataclass
class BuildContext:
    """The repository, its settings and the build's output folder ``tmp``, for every stage."""

    repo: Repository
    settings: Settings
    tmp: Path
    files: StagedFiles = field(init=False)

    def __post_init__(self) -> None:
        self.files = StagedFiles(self.tmp)

    @cached_property
    def feeds(self) -> FeedCatalog:
        """Which feeds exist and what they hold: built once per build."""
        from kennisbank.feeds.catalog import FeedCatalog

        return FeedCatalog(self.repo, self.settings)
