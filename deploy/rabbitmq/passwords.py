"""RabbitMQ password hashes for deploy/rabbitmq/definitions.json.

RabbitMQ's ``rabbit_password_hashing_sha256``: a random 4-byte salt, then
``base64(salt + sha256(salt + utf8(password)))``. Standard library only, so it runs anywhere
(``rabbitmqctl hash_password`` does the same, but only from RabbitMQ 3.11 and on a broker host).

    # one hash, the password read from stdin (never from the command line, which `ps` shows):
    python3 deploy/rabbitmq/passwords.py hash < password.txt

    # the definitions with every user's hash replaced, passwords from the environment
    # (FORLOB_RABBITMQ_<USER>_PASSWORD, e.g. FORLOB_RABBITMQ_REFERRAL_PASSWORD); all are required:
    python3 deploy/rabbitmq/passwords.py render > /secure/place/definitions.json

    # the committed development file again (each password is the user's name):
    python3 deploy/rabbitmq/passwords.py render --dev > deploy/rabbitmq/definitions.json
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

ALGORITHM = "rabbit_password_hashing_sha256"
DEFINITIONS = Path(__file__).resolve().parent / "definitions.json"


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = secrets.token_bytes(4) if salt is None else salt
    if len(salt) != 4:
        raise ValueError("RabbitMQ's salt is 4 bytes")
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode("utf-8")).digest()).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    raw = base64.b64decode(password_hash)
    return secrets.compare_digest(hash_password(password, raw[:4]), password_hash)


def password_variable(user: str) -> str:
    return "FORLOB_RABBITMQ_" + user.upper().replace("-", "_") + "_PASSWORD"


def render(definitions: dict[str, Any], passwords: dict[str, str]) -> dict[str, Any]:
    """The definitions with every user's password hash made from ``passwords`` (all required)."""
    missing = [user["name"] for user in definitions.get("users", []) if user["name"] not in passwords]
    if missing:
        raise KeyError("no password for " + ", ".join(missing))
    rendered = json.loads(json.dumps(definitions))
    for user in rendered.get("users", []):
        user["password_hash"] = hash_password(passwords[user["name"]])
        user["hashing_algorithm"] = ALGORITHM
    return rendered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("hash", help="hash the password read from stdin")
    render_parser = commands.add_parser("render", help="print the definitions with new password hashes")
    render_parser.add_argument("--definitions", type=Path, default=DEFINITIONS)
    render_parser.add_argument("--dev", action="store_true", help="development passwords: each user's own name")
    args = parser.parse_args(argv)

    if args.command == "hash":
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            parser.error("no password on stdin")
        print(hash_password(password))
        return 0

    definitions = json.loads(args.definitions.read_text(encoding="utf-8"))
    names = [user["name"] for user in definitions.get("users", [])]
    if args.dev:
        passwords = {name: name for name in names}
    else:
        passwords = {
            name: os.environ[password_variable(name)] for name in names if os.environ.get(password_variable(name))
        }
    try:
        rendered = render(definitions, passwords)
    except KeyError as exc:
        variables = ", ".join(password_variable(name) for name in names if name not in passwords)
        parser.error(f"{exc.args[0]}: set {variables}")
    print(json.dumps(rendered, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
