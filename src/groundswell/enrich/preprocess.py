"""The one text normaliser, shared by training and inference.

Social posts carry handles, links and repeated letters that say little about
sentiment or intent but explode the vocabulary: handles become ``@user``,
links ``http``, runs of one character are cut to three, HTML entities and
literal ``\\uXXXX`` escapes (as in the SemEval/TweetEval releases) decoded.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?(?:@[A-Za-z0-9.-]+)?")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_REPEATS = re.compile(r"(.)\1{3,}")
_SPACES = re.compile(r"\s+")
_ESCAPE = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")


def _unescape(match: re.Match[str]) -> str:
    high, low, single = match.groups()
    if single is not None:
        code = int(single, 16)
        return "" if 0xD800 <= code <= 0xDFFF else chr(code)  # a lone surrogate cannot be text
    return chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00))


# The enrich stage's featurizer and its rules both normalise each post of a batch (at most 4,096): once is enough.
@lru_cache(maxsize=8192)
def preprocess(text: str) -> str:
    if "\\u" in text:
        text = _ESCAPE.sub(_unescape, text)
    text = html.unescape(text)
    text = _URL.sub("http", text)
    text = _HANDLE.sub("@user", text)
    text = _REPEATS.sub(r"\1\1\1", text)
    return _SPACES.sub(" ", text).strip()
