"""Pieces recognizer patterns are built from: bounded words of any script, and word lists as prefix trees."""

from __future__ import annotations

import re

# Letters of any script: upper-case, any.
UP = r"[^\W\d_a-zà-ÿ]"
LETTER = r"[^\W\d_]"
MAX_WORD = 40


def word(first: str, rest: str) -> str:
    r"""A pattern for one word of at most MAX_WORD characters: `first`, then `rest` (a class) up to the word's end.

    Bounded and possessive, and it fails on a longer run: an unbounded `[A-Z][\w.-]*` is
    retried from every capital of a run, which is quadratic (8 s on 40,000 capitals).
    """
    return rf"{first}{rest}{{0,{MAX_WORD - 1}}}+(?!{rest})"


def word_trie(alternatives: str) -> str:
    """The words of "a|ab|b" ("[ ]" for a space) as one prefix tree, "(?:a(?:b)?|b)": the regex engine
    then tries a branch per letter rather than per word (a cue scan over 80 words runs twice as fast)."""
    words = sorted({w.replace("[ ]", " ") for w in alternatives.split("|")})

    def build(group: list[str]) -> str:
        ends = "" in group
        heads: dict[str, list[str]] = {}
        for w in group:
            if w:
                heads.setdefault(w[0], []).append(w[1:])
        branches = [re.escape(c) + build(rest) for c, rest in sorted(heads.items())]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + "?" if ends else body

    return build(words)
