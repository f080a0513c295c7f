# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
OUT ?= build
BASE ?= origin/main
FORMAT ?= text
WORKFLOWS := $(wildcard .github/workflows/*.yml)

.PHONY: setup test-deps test lint run check build serve edit bench audit schema clean site-deps
.PHONY: ci-check site-links changes index-push review review-issue links workflows

setup: $(STAMP)  ## venv with the package (editable) and its dev extras; idempotent

$(STAMP): pyproject.toml kennisbank/search/_bits.c kennisbank/search/_snippet.c  # the C parts are compiled by the editable install
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

site-deps:  ## npm packages the built site serves (Decap CMS at /admin/, Leaflet); again only when package.json changes
	bash scripts/install-test-deps.sh --npm-only

test-deps: setup  ## Debian chromium and the npm checkers (axe-core, vnu-jar) for the quality tests
	bash scripts/install-test-deps.sh

# Temporary files go to this clone's own folder: pytest's default (/tmp/pytest-of-<user>/) keeps only
# the last three runs of *any* checkout, so concurrent runs on one machine deleted each other's files.
PYTEST_TMP := $(CURDIR)/.pytest-tmp

test: setup test-deps workflows lint  ## the lint and type gate, then the whole test suite (tests/test_workflows.py runs the workflow targets)
	$(BIN)/python -m pytest -n 2 -q --basetemp=$(PYTEST_TMP)

lint: setup  ## ruff (rules in pyproject.toml) and mypy --strict on the package: both must be clean
	$(BIN)/ruff check kennisbank scripts tests
	$(BIN)/mypy


run: setup  ## build the sample site and serve it with search on the embedded engine
	$(BIN)/kennisbank build
	$(BIN)/kennisbank serve --host $(HOST) --port $(PORT)

check: setup
	$(BIN)/kennisbank check

build: setup  ## every site into OUT/sites/<name>/ (OUT/site: the portal); FUTURE=1 also publishes scheduled items (previews)
	$(BIN)/kennisbank build --out $(OUT) $(if $(FUTURE),--future)

# ---- the commands the GitHub workflows run (.github/workflows/); each is exercised by `make test`

ci-check: setup  ## the content check with GitHub annotations
	$(BIN)/kennisbank check --format github

site-links: setup  ## internal links and anchors of every built site in OUT/sites/
	$(BIN)/kennisbank site-links --out $(OUT)

changes: setup  ## Markdown summary of the items changed since BASE (the pull request's job summary)
	$(BIN)/kennisbank changes --base $(BASE)

index-push: setup  ## push the search index to Meilisearch (MEILI_URL, MEILI_MASTER_KEY)
	$(BIN)/kennisbank index push

review: setup  ## housing-policy instruments due for review (FORMAT=text|markdown|json)
	$(BIN)/kennisbank review --format $(FORMAT)

review-issue: setup  ## the review round as the body of one tracking issue (GITHUB_TOKEN, GITHUB_REPOSITORY)
	mkdir -p $(OUT)
	$(BIN)/kennisbank review --format markdown > $(OUT)/review.md
	$(BIN)/python scripts/tracking_issue.py --title "Review-ronde lokale woonbeleidsinstrumenten" \
		--label review-ronde --body-file $(OUT)/review.md

links: setup  ## every external link in the content (cached in .cache/kennisbank)
	$(BIN)/kennisbank links

workflows: setup  ## lint the workflow files: GitHub's schema and zizmor, both offline
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows $(WORKFLOWS)
	$(BIN)/zizmor --offline --no-progress --min-severity low .github/workflows

serve: setup
	$(BIN)/kennisbank serve --host $(HOST) --port $(PORT)

edit: setup test-deps  ## the site with the web editor at /admin/, saving into this repository (decap-server, git mode)
	$(BIN)/kennisbank build
	$(BIN)/kennisbank serve --cms --host $(HOST) --port $(PORT)

schema: setup
	$(BIN)/kennisbank schema

bench: setup  ## every benchmark (long: the search one indexes 100,000 items); tables kept in docs/benchmarks.md
	bash scripts/install-test-deps.sh --bench
	$(BIN)/python scripts/bench_check.py
	$(BIN)/python scripts/bench_build.py
	$(BIN)/python scripts/bench_feeds_newsletter.py
	$(BIN)/python scripts/bench_search.py
	$(BIN)/python scripts/bench_searchpage.py

audit: setup test-deps  ## Lighthouse on the sample site (not part of `make test`)
	$(BIN)/python scripts/audit.py

clean:
	rm -rf build .pytest_cache
