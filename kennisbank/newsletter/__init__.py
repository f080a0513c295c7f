"""The monthly newsletter: select items per issue, render e-mail and web versions, send.

Public surface for other stages: :func:`published_issues` (the feeds list issues) and
:func:`stage_newsletter` (called by ``kennisbank build``).
"""

from kennisbank.newsletter.select import Issue, issue_for, published_issues

__all__ = ["Issue", "issue_for", "published_issues"]
