"""Test and demo data that several suites share: organisations, a programme like the Aalborg
rehabilitation centre's development course, participants with valid (made-up) CPR numbers,
and tokens."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

# The scenario's callers sign their requests with it; it lives in forlob_testkit.auth.
from forlob_testkit.auth import auth as auth

PROVIDER = "rca-aalborg"
JOBCENTRE = "jobcenter-aalborg"
OTHER_JOBCENTRE = "jobcenter-odense"

# Mon-Thu 07:30-14:30, Fri 07:30-14:00 (seed 002), intake every Monday, 13 weeks by default.
DEVELOPMENT_COURSE: dict[str, Any] = {
    "name": "Individual development course",
    "kind": "development_course",
    "capacity": 12,
    "intake_weekdays": [0],
    "default_weeks": 13,
    "min_weeks": 4,
    "max_weeks": 26,
    "opening_hours": [{"weekday": d, "start": "07:30", "end": "14:30" if d < 4 else "14:00"} for d in range(5)],
    "country": "DK",
    "rules": {
        "absence_grace_minutes": 15,
        "breach_unexcused_absences": 3,
        "breach_window_working_days": 10,
        "breach_consecutive_days": 3,
        "escalation_minutes": 30,
    },
}

_CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def cpr_number(rng: random.Random) -> str:
    """A CPR number with a valid date and modulus-11 check, born 1960-1999 (made up)."""
    while True:
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
        serial = f"{rng.randrange(0, 4)}{rng.randrange(0, 1000):03d}"  # 7th digit 0-3: the 1900s
        digits = f"{born:%d%m%y}{serial}"
        if sum(int(d) * w for d, w in zip(digits, _CPR_WEIGHTS, strict=True)) % 11 == 0:
            return digits


def participant(rng: random.Random) -> dict[str, str]:
    first = rng.choice(["Jens", "Mette", "Ali", "Sofie", "Lars", "Fatima", "Henrik", "Louise", "Omar", "Anne"])
    last = rng.choice(["Hansen", "Nielsen", "Jensen", "Pedersen", "Andersen", "Larsen", "Sørensen", "Rasmussen"])
    return {"name": f"{first} {last}", "identity_number": cpr_number(rng), "identity_scheme": "dk_cpr"}


def referral_body(rng: random.Random, programme_code: str = "RCA-UDV-13", **fields: Any) -> dict[str, Any]:
    return {
        "programme_code": programme_code,
        "provider_org": PROVIDER,
        "participant": participant(rng),
        "goals": [
            {"text": "Stable attendance", "sub_goals": ["Arrive by 08:00 four days a week"]},
            {"text": "Increase weekly hours"},
        ],
        "legal_basis": "LAB-32-1-2",
        "wished_weekly_hours": 16,
        **fields,
    }
