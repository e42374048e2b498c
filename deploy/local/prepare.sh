#!/usr/bin/env bash
# Everything `make up` does before it starts the processes: servers, the broker's users,
# databases, migrations.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/servers.sh
# The vhost `forlob` and one least-privilege user per service, as deploy/rabbitmq defines them;
# the only step that acts as the broker's administrator (deploy/local/broker.py).
uv run --no-sync python deploy/local/broker.py
# A fresh start runs on the real clock; `make demo` moves it again when it plays a morning.
rm -f var/clock-offset var/webhooks/secret
mkdir -p var/sms  # the fake SMS gateway writes one JSON line per message there
mkdir -p var/mail/tmp var/mail/new var/mail/cur  # a Maildir: the sink writes into tmp/ and moves to new/
for service in referral attendance notifications reporting; do
  uv run --no-sync "forlob-$service" migrate --create-database >"var/migrate-$service.log" 2>&1 \
    || { cat "var/migrate-$service.log" >&2; exit 1; } &
done
wait
echo "prepare: databases created and migrated (logs in var/migrate-*.log)"
