"""The one text normaliser, shared by training and inference.

Social posts carry handles, links and repeated letters that say little about
sentiment or intent but explode the vocabulary: handles become ``@user``,
links ``http``, runs of one character are cut to three, HTML entities decoded.
"""

from __future__ import annotations

import html
import re

_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?(?:@[A-Za-z0-9.-]+)?")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_REPEATS = re.compile(r"(.)\1{3,}")
_SPACES = re.compile(r"\s+")


def preprocess(text: str) -> str:
    text = html.unescape(text)
    text = _URL.sub("http", text)
    text = _HANDLE.sub("@user", text)
    text = _REPEATS.sub(r"\1\1\1", text)
    return _SPACES.sub(" ", text).strip()
