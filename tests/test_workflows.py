"""The GitHub workflows: linted offline, and every command they run is a Makefile target that
runs here for real, so a broken workflow fails `make test` instead of a pull request."""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import yaml
from site_helpers import copy_repository, page_file

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = ROOT / ".venv" / "bin"
# The targets the workflows may run; each has a test below that runs it through make.
EXERCISED = {"setup", "site-deps", "ci-check", "build", "site-links", "changes", "index-push", "review-issue", "links"}
RUN = re.compile(r'^make (?:-s )?(?P<targets>[a-z-]+(?: [a-z-]+)*)(?: [A-Z_]+=\S+)*(?: >> "\$GITHUB_STEP_SUMMARY")?$')


def make(*args: str, env: dict[str, str] | None = None, check: bool = False) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    environment.pop("MAKEFLAGS", None)
    return subprocess.run(["make", "-s", "-C", str(ROOT), *args], capture_output=True, text=True, env=environment,
                          timeout=600, check=check)


def _steps() -> list[dict]:
    return [step for path in WORKFLOWS for job in yaml.safe_load(path.read_text())["jobs"].values()
            for step in job.get("steps", [])]


def test_every_run_step_is_a_make_target_that_the_tests_exercise():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    defined = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    runs = [step["run"].strip() for step in _steps() if "run" in step]
    assert len(WORKFLOWS) == 3 and len(runs) >= 10
    used = set()
    for command in runs:
        match = RUN.match(command)
        assert match, f"not a plain make call: {command!r}"
        used.update(match["targets"].split())
    assert used <= defined, used - defined
    assert used <= EXERCISED, used - EXERCISED


def test_third_party_actions_are_pinned_by_commit():
    uses = [step["uses"] for step in _steps() if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses
    text = "".join(p.read_text() for p in WORKFLOWS)
    assert all(re.search(re.escape(u) + r" # v\d+\.\d+\.\d+", text) for u in uses)  # the version, for people


def test_workflows_pass_the_schema_and_zizmor():
    done = make("workflows")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_linters_catch_a_broken_workflow(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    text = (ROOT / ".github" / "workflows" / "pull-request.yml").read_text()
    unpinned = re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v4", text)
    (folder / "pr.yml").write_text(unpinned.replace("persist-credentials: false", "fetch-tags: true"))
    zizmor = subprocess.run([str(BIN / "zizmor"), "--offline", "--no-progress", str(folder)], capture_output=True,
                            text=True)
    assert zizmor.returncode != 0 and "unpinned-uses" in zizmor.stdout + zizmor.stderr
    (folder / "pr.yml").write_text(text.replace("runs-on:", "runs_on:"))
    schema = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                             str(folder / "pr.yml")], capture_output=True, text=True)
    assert schema.returncode != 0


def test_make_site_deps_provides_the_editor_bundle_the_publish_build_copies():
    assert make("site-deps").returncode == 0
    assert (ROOT / "node_modules" / "decap-cms" / "dist" / "decap-cms.js").is_file()
    publish = (ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8")
    assert publish.index("make site-deps") < publish.index("make -s build")


def test_make_ci_check_annotates_errors_for_github(tmp_path, sample_root):
    assert make("ci-check").returncode == 0
    root = copy_repository(sample_root, tmp_path / "repo")
    news = sorted((root / "content" / "nieuws").rglob("*.md"))[0]
    news.write_text(news.read_text(encoding="utf-8").replace("category: ", "category: onbekend-", 1), encoding="utf-8")
    broken = make("ci-check", env={"KENNISBANK_ROOT": str(root)})
    assert broken.returncode != 0
    assert f"::error file={news.relative_to(root).as_posix()},line=" in broken.stdout


def test_make_build_and_site_links(tmp_path):
    out = tmp_path / "out"
    assert make("build", f"OUT={out}", "FUTURE=1").returncode == 0
    assert make("site-links", f"OUT={out}").returncode == 0
    home = page_file(out / "site", "/")
    home.write_text(home.read_text(encoding="utf-8").replace("</main>", '<a href="/bestaat-niet/">x</a></main>', 1),
                    encoding="utf-8")
    broken = make("site-links", f"OUT={out}")
    assert broken.returncode != 0 and "/index.html: /bestaat-niet/ (no such file)" in broken.stdout


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   check=True, capture_output=True)


def test_make_changes_lists_added_changed_and_removed_items(tmp_path, sample_root):
    root = copy_repository(sample_root, tmp_path / "repo")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "start")
    news = sorted((root / "content" / "nieuws" / "2020").glob("*.md"))
    news[0].write_text(news[0].read_text(encoding="utf-8") + "\nEen extra zin.\n", encoding="utf-8")
    news[1].unlink()
    shutil.copy(news[2], news[2].with_name("een-nieuw-bericht.md"))
    church = sorted((root / "cases" / "kerken").glob("*.md"))[0]
    church.write_text(church.read_text(encoding="utf-8") + "\nNog een zin.\n", encoding="utf-8")
    done = make("changes", "BASE=main", env={"KENNISBANK_ROOT": str(root)})
    assert done.returncode == 0, done.stderr
    summary = done.stdout
    assert summary.startswith("## Inhoud gewijzigd ten opzichte van `main`\n")
    assert "| Nieuws | 1 | 1 | 1 |" in summary and "| Herbestemde kerken | 0 | 1 | 0 |" in summary
    assert f"`content/nieuws/2020/{news[1].name}`" in summary.split("### Verwijderd")[1]
    assert "`content/nieuws/2020/een-nieuw-bericht.md`" in summary.split("### Toegevoegd")[1].split("###")[0]
    bad = make("changes", "BASE=bestaat-niet", env={"KENNISBANK_ROOT": str(root)})
    assert bad.returncode != 0 and "git:" in bad.stderr and "Traceback" not in bad.stderr


def test_make_index_push_needs_the_meilisearch_secrets():
    env = {k: "" for k in ("MEILI_URL", "MEILI_MASTER_KEY")}
    done = make("index-push", env=env)
    assert done.returncode != 0 and "set MEILI_URL" in done.stderr


class _GitHub(http.server.BaseHTTPRequestHandler):
    """GitHub's issue endpoints, as far as the tracking-issue script uses them (list, create, update)."""

    issues: list[dict] = []
    auth: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, data: object) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_GET(self) -> None:
        self.auth.append(self.headers.get("Authorization", ""))
        assert self.path.startswith("/repos/centrum/kennisbank/issues?") and "labels=review-ronde" in self.path
        self._send(200, [i for i in self.issues if "review-ronde" in i["labels"]])

    def do_POST(self) -> None:
        data = self._json()
        self.issues.append({"number": len(self.issues) + 1, **data})
        self._send(201, self.issues[-1])

    def do_PATCH(self) -> None:
        number = int(self.path.rsplit("/", 1)[1])
        self.issues[number - 1].update(self._json())
        self._send(200, self.issues[number - 1])


def test_make_review_issue_keeps_one_tracking_issue_up_to_date(tmp_path):
    handler = type("GitHub", (_GitHub,), {"issues": [], "auth": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {"GITHUB_API_URL": f"http://127.0.0.1:{server.server_address[1]}", "GITHUB_REPOSITORY": "centrum/kennisbank",
           "GITHUB_TOKEN": "geheim-token"}
    try:
        first = make("review-issue", f"OUT={tmp_path}", env=env)
        assert first.returncode == 0, first.stderr
        second = make("review-issue", f"OUT={tmp_path}", env={**env, "SOURCE_DATE_EPOCH": "1600000000"})
        assert second.returncode == 0, second.stderr
    finally:
        server.shutdown()
        server.server_close()
    assert len(handler.issues) == 1  # updated in place, not a second issue
    issue = handler.issues[0]
    assert issue["title"] == "Review-ronde lokale woonbeleidsinstrumenten" and issue["labels"] == ["review-ronde"]
    assert "Er zijn geen fiches te herzien." in issue["body"]  # the second run's body (13 September 2020)
    assert handler.auth == ["Bearer geheim-token"] * 2
    assert "geheim-token" not in first.stdout + first.stderr + second.stdout + second.stderr
    missing = make("review-issue", f"OUT={tmp_path}", env={"GITHUB_TOKEN": "", "GITHUB_REPOSITORY": ""})
    assert missing.returncode != 0 and "set GITHUB_TOKEN and GITHUB_REPOSITORY" in missing.stderr


def test_make_links_reports_path_line_url_status(tmp_path):
    handler = type("Site", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    root = tmp_path / "repo"
    (root / "content" / "paginas").mkdir(parents=True)
    (root / "content" / "paginas" / "a.md").write_text(f"---\ntitle: A\n---\n\nZie {base}/bestaat-niet-{os.getpid()}\n",
                                                        encoding="utf-8")
    try:
        done = make("links", env={"KENNISBANK_ROOT": str(root)})
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode != 0
    assert f"content/paginas/a.md:5: {base}/bestaat-niet-{os.getpid()}: 404" in done.stdout
    assert (root / ".cache" / "kennisbank" / "links.json").is_file()


@pytest.mark.parametrize("config", [".pre-commit-config.yaml", ".pre-commit-hooks.yaml"])
def test_pre_commit_files_are_valid(config):
    kind = "validate-manifest" if config.endswith("hooks.yaml") else "validate-config"
    done = subprocess.run([str(BIN / "pre-commit"), kind, str(ROOT / config)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_pre_commit_hook_checks_the_changed_content_files(tmp_path, sample_root):
    root = copy_repository(sample_root, tmp_path / "repo")
    shutil.copy(ROOT / ".pre-commit-config.yaml", root)
    (root / ".venv").symlink_to(ROOT / ".venv")
    (root / ".gitignore").write_text(".venv\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "start")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    news = sorted((root / "content" / "nieuws" / "2020").glob("*.md"))[0]
    relative = news.relative_to(root).as_posix()
    news.write_text(news.read_text(encoding="utf-8").replace("\nsummary: ", "\nsamenvatting: ", 1), encoding="utf-8")
    _git(root, "add", relative)

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "pre-commit"), "run"], cwd=root, capture_output=True, text=True, env=env,
                              timeout=300)

    refused = run()
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"{relative}:3: samenvatting: unknown field 'samenvatting': did you mean 'summary'?" in refused.stdout
    fixed = news.read_text(encoding="utf-8").replace("\nsamenvatting: ", "\nsummary: ", 1)
    news.write_text(fixed + "\nEen zin erbij.\n", encoding="utf-8")
    _git(root, "add", relative)
    passed = run()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "kennisbank check" in passed.stdout and "Passed" in passed.stdout
