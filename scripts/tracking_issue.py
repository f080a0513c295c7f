"""Keep one open GitHub issue per subject up to date: its body is replaced on every run.

Used by the nightly workflow (`make review-issue`) to post the review round as the body of one
tracking issue instead of opening a new issue every night. Finds the open issue with ``--label``
and ``--title``; updates its body, or creates it. Needs GITHUB_TOKEN and GITHUB_REPOSITORY
(owner/name); GITHUB_API_URL is set by GitHub Actions (default https://api.github.com). The
token is never printed. Exit 0 on success, 1 when GitHub refuses, 2 on missing settings.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import httpx

BODY_LIMIT = 65_000  # GitHub refuses issue bodies over 65,536 characters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--title", required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--body-file", type=Path, required=True)
    args = parser.parse_args(argv)
    token, repo = os.environ.get("GITHUB_TOKEN", ""), os.environ.get("GITHUB_REPOSITORY", "")
    if not token or "/" not in repo:
        print("Error: set GITHUB_TOKEN and GITHUB_REPOSITORY (owner/name)", file=sys.stderr)
        return 2
    body = args.body_file.read_text(encoding="utf-8")
    if len(body) > BODY_LIMIT:
        body = body[:BODY_LIMIT] + "\n\n… (ingekort: de volledige lijst staat in `kennisbank review`)\n"
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
               "X-GitHub-Api-Version": "2022-11-28"}
    try:
        with httpx.Client(base_url=f"{api}/repos/{repo}", headers=headers, timeout=30) as client:
            number = upsert(client, args.title, args.label, body)
    except httpx.HTTPStatusError as exc:
        print(f"Error: GitHub answered {exc.response.status_code} to {exc.request.method} "
              f"{exc.request.url.path}", file=sys.stderr)
        return 1
    except httpx.TransportError as exc:
        print(f"Error: GitHub could not be reached: {type(exc).__name__}", file=sys.stderr)
        return 1
    print(f"issue #{number}: {args.title}")
    return 0


def upsert(client: httpx.Client, title: str, label: str, body: str) -> int:
    """Update the open issue titled ``title`` with ``label``, or open it; return its number."""
    found = client.get("/issues", params={"state": "open", "labels": label, "per_page": 100})
    found.raise_for_status()
    for issue in found.json():
        if issue.get("title") == title and "pull_request" not in issue:
            client.patch(f"/issues/{issue['number']}", json={"body": body}).raise_for_status()
            return int(issue["number"])
    created = client.post("/issues", json={"title": title, "body": body, "labels": [label]})
    created.raise_for_status()
    return int(created.json()["number"])


if __name__ == "__main__":
    sys.exit(main())
