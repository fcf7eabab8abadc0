"""Chinese word segmentation with jieba, the same way for documents and for queries.

One `jieba.Tokenizer` per process, built on first use under a lock: building the prefix
dictionary takes about a second, which every management command would otherwise pay at start.
Its own tokenizer (not jieba's global one) so the domain dictionary changes nothing for other
users of jieba in the process.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jieba

from fazhi.core.search import conf

USER_DICT = Path(__file__).with_name("userdict.txt")

# jieba announces "Building prefix dict..." on stderr at DEBUG level; the platform's logs and
# the test output have no use for it.
jieba.setLogLevel(logging.WARNING)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None

# Control characters become spaces (they separate like spaces); zero-width and other format
# characters vanish (pasted text carries them inside words: "低\u200b保" is 低保); lone
# surrogates and private-use characters cannot be stored or matched reliably and vanish too.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_INVISIBLE = re.compile(
    r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
    r"\ud800-\udfff\ue000-\uf8ff]"
)
_STORED_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

# Words a query does without when it has others: nearly every document contains them.
_LOOKAHEAD = 16
_QUERY_STOPWORDS = frozenset("的 了 和 与 及 或 是 在 对 等 之 其 为 并 把 被".split())


def tokenizer() -> jieba.Tokenizer:
    """The process's tokenizer with the bundled and the deployment's dictionaries loaded."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                built = jieba.Tokenizer()
                built.initialize()
                built.load_userdict(str(USER_DICT))
                extra = conf.extra_dictionary()
                if extra:
                    built.load_userdict(extra)
                _tokenizer = built
    return _tokenizer


def clean_stored(text: str) -> str:
    """Text as it may be stored: no NUL (PostgreSQL refuses it), no lone surrogate."""
    return _STORED_BAD.sub("", text)


def normalize(text: str) -> str:
    """The form both sides are segmented in: NFKC (ＡＢＣ１２３ → ABC123), no control characters."""
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return _CONTROL.sub(" ", text)


def _is_word(token: str) -> bool:
    # Punctuation and spaces are not searchable; both engines would drop them anyway, but an
    # FTS5 phrase of nothing but punctuation matches nothing and would empty an AND.
    return any(ch.isalnum() for ch in token)


def segment(text: str) -> list[str]:
    """Search-mode tokens of a text: words, and the dictionary words inside longer words."""
    return [
        token.lower() for token in tokenizer().cut_for_search(normalize(text)) if _is_word(token)
    ]


def segment_document(title: str, body: str) -> str:
    """The `segmented` column: title then body, space-separated tokens."""
    return " ".join(segment(f"{title}\n{body}"))


@dataclass(frozen=True)
class ParsedQuery:
    """A query as matching conditions.

    `groups` are AND-ed; each group is a tuple of alternatives, any of which may match; each
    alternative is a tuple of tokens that must all be present. `terms` is every token, for
    highlighting.
    """

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    terms: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.groups)


def _uncovered(word: str, parts: list[str]) -> list[str]:
    """Characters of `word` that none of `parts` covers, in order."""
    covered = [False] * len(word)
    for part in parts:
        start = word.find(part)
        while start != -1:
            for i in range(start, start + len(part)):
                covered[i] = True
            start = word.find(part, start + 1)
    return [ch for ch, done in zip(word, covered, strict=True) if not done and ch.isalnum()]


def parse_query(query: str) -> ParsedQuery:
    """Segment a query into AND-ed word conditions; never raises, may be empty.

    A query word matches the same word in a document, or all the sub-words jieba finds in it:
    the surrounding text can make jieba cut a document differently ("城乡低保对象" as 城乡/低保/对象
    while the query "低保对象" is one dictionary word), and the sub-words bridge the two.
    """
    text = normalize(query or "")
    limit = conf.query_max_chars()
    if not text[:limit].strip():
        return ParsedQuery((), ())
    cut = tokenizer()
    # Words that end within the limit; segmenting a little beyond it tells whether the limit
    # falls inside a word (低保 → 低), whose fragment would otherwise be AND-ed.
    pieces = [
        word for word, _start, end in cut.tokenize(text[: limit + _LOOKAHEAD]) if end <= limit
    ]
    words: list[str] = []
    for word in pieces:
        word = word.lower()
        if _is_word(word) and word not in words:
            words.append(word)
    meaningful = [w for w in words if w not in _QUERY_STOPWORDS]
    words = (meaningful or words)[: conf.query_max_terms()]
    groups = []
    terms: list[str] = []
    for word in words:
        alternatives = [(word,)]
        parts = [p.lower() for p in cut.cut_for_search(word) if p.lower() != word and _is_word(p)]
        if parts:
            # Characters outside every sub-word stand alone where jieba cut the document
            # differently: 好差评 in a query, 好/差评 in a document.
            rest = _uncovered(word, parts)
            alternatives.append(tuple(dict.fromkeys([*parts, *rest])))
        groups.append(tuple(alternatives))
        for alternative in alternatives:
            terms.extend(t for t in alternative if t not in terms)
    return ParsedQuery(tuple(groups), tuple(terms))
