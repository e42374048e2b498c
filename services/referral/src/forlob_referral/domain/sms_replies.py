"""A participant's reply read as a code: the digits 1-4 (in any script a phone writes them:
Arabic-Indic ``١٢٣٤``, Persian ``۱۲۳۴``, Ethiopic ``፩፪፫፬``), the answers' words and STOP in
every catalogue's language, and the small slips of a thumb ("1.", " 1 ", "(2)", "stpo", "one").
Anything else is UNKNOWN: a person should call. The text itself is never kept."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from forlob_referral.domain.sms_catalogue import every_catalogue
from forlob_shared.events.sms import SmsReplyCode

NUMBERED = (SmsReplyCode.SICK, SmsReplyCode.ON_MY_WAY, SmsReplyCode.DOCTOR, SmsReplyCode.OTHER_CALL_ME)
# Punctuation and symbols around an answer ("1.", "(2)", "3!", "«stop»"), in any script.
_EDGE = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_SPACES = re.compile(r"\s+")


def _ascii_digits(text: str) -> str:
    out = []
    for ch in text:
        value = unicodedata.digit(ch, None) if not ch.isascii() else None
        out.append(str(value) if value is not None else ch)
    return "".join(out)


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\u0640", "")  # Arabic tatweel, a stretch mark
    text = _ascii_digits(text)
    return _SPACES.sub(" ", _EDGE.sub("", text.strip())).strip()


@cache
def _vocabulary() -> tuple[dict[str, SmsReplyCode], dict[str, SmsReplyCode]]:
    """(whole-reply words, first-word keywords) over every language's catalogue."""
    whole: dict[str, SmsReplyCode] = {}
    for cat in every_catalogue():
        for code, words in cat.answers.items():
            for word in words:
                whole[_normal(word)] = code
        for code, word in zip(NUMBERED, cat.number_words, strict=True):
            whole.setdefault(_normal(word), code)
    return whole, {w: c for w, c in whole.items() if " " not in w}


def _one_slip(a: str, b: str) -> bool:
    """Whether ``a`` is ``b`` with one letter wrong, missing, extra or two swapped (OSA distance 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def parse_reply(text: str) -> SmsReplyCode:
    """The code a reply means; UNKNOWN when it is none of the answers."""
    reply = _normal(text)
    if not reply:
        return SmsReplyCode.UNKNOWN
    # A digit first: "1", "1 jeg er syg", "2." (but "12" or "5" is no answer).
    match = re.match(r"^(\d+)(?!\d)", reply)
    if match:
        number = int(match.group(1))
        return NUMBERED[number - 1] if 1 <= number <= 4 else SmsReplyCode.UNKNOWN
    whole, first_words = _vocabulary()
    if reply in whole:
        return whole[reply]
    first = reply.split(" ", 1)[0]
    # STOP only as the whole reply (or its first word): "stop" yes, "I can't stop coughing" no.
    code = first_words.get(first)
    if code is not None and (code is not SmsReplyCode.STOP or first == reply):
        return code
    # One slip in a word of four letters or more: "stpo", "stoop", "sjuk" for "sjuk" typed "sjk" no.
    if len(reply) >= 4 and " " not in reply:
        slips = {c for w, c in whole.items() if len(w) >= 4 and " " not in w and _one_slip(reply, w)}
        if len(slips) == 1:
            return slips.pop()
    return SmsReplyCode.UNKNOWN
