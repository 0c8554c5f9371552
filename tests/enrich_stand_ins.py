"""Stand-ins for the enrich stage's bookkeeping tests: a transparent keyword model and a five-post workspace."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from groundswell.enrich.base import Prediction
from groundswell.workspace import Workspace

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
[[campaigns]]
name = "Summer"
hashtags = ["#AcmeSummer"]
"""
POSTS = (
    "platform,post_id,author_id,author_handle,created_at,text,in_reply_to_post_id\n"
    "twitter,1,u1,ana,2026-06-01T10:00:00Z,@AcmeHelp my order never arrived and nobody answers,\n"
    "twitter,2,b1,AcmeHelp,2026-06-01T10:20:00Z,@ana so sorry Ana! DM us your order number,1\n"
    "twitter,3,u1,ana,2026-06-01T11:00:00Z,@AcmeHelp thank you it arrived!,2\n"
    "twitter,4,u2,bo,2026-06-02T09:00:00Z,Loved the #AcmeSummer ad,\n"
    "twitter,5,u3,cy,2026-06-02T09:30:00Z,@AcmeHelp do you open on Sundays?,\n"
)


class KeywordModel:
    """A transparent stand-in model for the stage's bookkeeping (real models are tested on real data)."""

    labels: tuple[str, ...]

    def __init__(self, task: str, version: str = "1"):
        self.task, self.name, self.version = task, f"keywords-{task}", version
        self.labels = ("negative", "neutral", "positive") if task == "sentiment" else ("not_complaint", "complaint")
        self.calls = 0

    def predict(self, texts: Sequence[str], *, batch_size: int = 1024) -> list[Prediction]:
        self.calls += len(texts)
        out = []
        for text in texts:
            bad = "never" in text or "nobody" in text
            good = "thank" in text.lower() or "loved" in text.lower()
            if self.task == "sentiment":
                label = "negative" if bad else "positive" if good else "neutral"
            else:
                label = "complaint" if bad else "not_complaint"
            out.append(
                Prediction(label, 0.9, {k: (0.9 if k == label else 0.1 / (len(self.labels) - 1)) for k in self.labels})
            )
        return out


def five_post_workspace(tmp_path: Path) -> Workspace:
    ws = Workspace.init(tmp_path / "ws", config_text=CONFIG)
    path = tmp_path / "posts.csv"
    path.write_text(POSTS, encoding="utf-8")
    ws.import_files([path])
    return ws
