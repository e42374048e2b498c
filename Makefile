# Forløb: `make up` runs it on this machine, `make test` tests it. Each target stays thin.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: up reset demo uv sync images test lint typecheck pytest test-fast test-unit test-reliability test-faults bench events openapi prometheus-rule roles-table compose-check clean-test-databases browser axe screenshots

up: sync  ## start the four services, their relays, the web pages and a mail sink (foreground; Ctrl-C stops)
	bash deploy/local/prepare.sh
	FORLOB_LOG_JSON=$${FORLOB_LOG_JSON:-false} $(UV) run --no-sync honcho -f deploy/local/Procfile -d . start

reset: sync  ## stop `make up` first: drop the local development databases, queues, exchanges, broker users and var/ (says what first)
	bash deploy/local/servers.sh
	$(UV) run --no-sync python deploy/local/reset.py

demo:  ## with `make up` running in another terminal: seed a provider and play a morning with alerts
	$(UV) run --no-sync python deploy/local/demo.py

uv:  ## install uv if it is missing
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

# Bytecode compiled once here: where PYTHONDONTWRITEBYTECODE is set (as on these machines) every
# process would otherwise compile every module it imports, about 5 CPU-seconds per service start.
sync: uv
	$(UV) sync --frozen --compile-bytecode
	$(UV) run --no-sync python -m compileall -q -j 0 shared/src services/*/src testing/src >/dev/null

# Each service's image tagged with its release: the version git gives it (`forlob-<s> --version`),
# with '+' (not allowed in an image tag) as '-'. docs/operations.md, "Releases".
images: sync  ## build the five images, each tagged forlob/<service>:<its version> (needs a Docker engine)
	for s in referral attendance notifications reporting web; do \
	  v=$$($(UV) run --no-sync forlob-$$s --version | cut -d' ' -f2); \
	  docker build -f services/$$s/Dockerfile --build-arg VERSION=$$v -t forlob/$$s:$${v//+/-} . || exit 1; \
	done

test: sync lint typecheck pytest  ## lint, type-check and run every test (the README's test command)

browser:  ## install Debian's Chromium for the web's browser tests (services/web/tests), if it is missing
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

axe: testing/axe/node_modules/axe-core/axe.min.js  ## install axe-core (pinned in testing/axe/package-lock.json) for the browser tests' accessibility checks

testing/axe/node_modules/axe-core/axe.min.js: testing/axe/package-lock.json
	if command -v npm >/dev/null; then cd testing/axe && npm ci --no-audit --no-fund --ignore-scripts && touch node_modules/axe-core/axe.min.js; \
	else echo "npm is missing: the browser tests skip axe (and fail under FORLOB_REQUIRE_BROWSER)"; fi

screenshots: sync axe  ## regenerate docs/screenshots/ (the README's journeys) from the browser walk
	FORLOB_DOC_SCREENSHOTS=1 $(UV) run --no-sync pytest services/web/tests/test_walks_in_a_browser.py -q

lint:
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .

typecheck:
	$(UV) run --no-sync mypy shared/src services/*/src testing/src

pytest: axe  ## every test but the fault suite under load (`make test-reliability`; CI runs it as its own step)
	$(UV) run --no-sync pytest --ignore=tests/reliability

test-fast: axe  ## everything but the slow fault-injection tests
	$(UV) run --no-sync pytest -m "not slow"

test-unit:  ## the fast tier: every server-free test, with the broker and database pointed at a closed port
	UV="$(UV)" bash .ci/test-unit

test-reliability: sync test-faults  ## faults under a course load (private broker and database) and the hostile-caller tests
	$(UV) run --no-sync pytest tests/security

test-faults: sync  ## the fault suite alone: broker, database, SIGKILL, replicas, poison, redelivery (about 6 min)
	$(UV) run --no-sync pytest tests/reliability -s

bench: sync  ## benchmarks: each prints a ratio against a ceiling measured in the same run
	$(UV) run --no-sync python bench/relay.py
	$(UV) run --no-sync python bench/sweep.py
	$(UV) run --no-sync python bench/alert_latency.py
	$(UV) run --no-sync python bench/referral.py
	$(UV) run --no-sync python bench/rebuild.py
	$(UV) run --no-sync python bench/pipeline.py
	$(UV) run --no-sync python bench/morning.py

events:  ## regenerate docs/events/ (JSON Schema per event, the partner contract's in partner/) and docs/asyncapi/ (one document per service, and partners.json)
	$(UV) run --no-sync forlob events export --out docs/events
	$(UV) run --no-sync forlob events partner-asyncapi --out docs/asyncapi/partners.json
	for s in referral attendance notifications reporting; do $(UV) run --no-sync forlob-$$s asyncapi --out docs/asyncapi/$$s.json; done

openapi:  ## regenerate docs/openapi/ (one OpenAPI document per service, and partners.json: the partner API)
	for s in referral attendance notifications reporting; do $(UV) run --no-sync forlob-$$s openapi --out docs/openapi/$$s.json; done
	$(UV) run --no-sync forlob-notifications openapi --tag partners --out docs/openapi/partners.json

prometheus-rule:  ## rewrite deploy/k8s/monitoring/prometheusrule.yaml from deploy/prometheus/alerts.yml
	$(UV) run --no-sync python deploy/prometheus/prometheusrule.py

roles-table:  ## regenerate docs/security.md's table of who may call each route, from the services' OpenAPI
	$(UV) run --no-sync python tests/security/roles_table.py

compose-check:  ## `docker compose config` where the compose CLI exists, and the offline checks
	$(UV) run --no-sync pytest tests/deploy -q
