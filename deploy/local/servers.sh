#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ answer: start them if installed but stopped, else start them
# with Docker or install them (Debian/Ubuntu, root or sudo), else say what to install.
# Used by `make up` and by CI (a test that stopped a server must not fail the next run). The
# decisions are in servers.py (standard library only: this runs before `uv sync`).
set -euo pipefail
exec python3 "$(dirname "$0")/servers.py" "$@"
