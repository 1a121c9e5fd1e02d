"""Spanish syllables counted by vowel nuclei, the way Spanish grammar divides words.

Every syllable has exactly one nucleus: a vowel, or a diphthong or triphthong. Two vowels in a
row share a nucleus (a diphthong) when one of them is an unstressed weak vowel (i, u, ü, or a
final y: "ciudad", "hay"); two strong vowels (a, e, o) or a strong vowel beside a stressed weak
one (í, ú) are in hiatus, two syllables ("le-er", "dí-a"). The u of "que", "qui", "gue" and "gui"
is silent. Hyphenation patterns (what textstat uses through Pyphen) are not syllable counts: they
never leave one letter alone at a word's edge ("abier-to"), so they undercount.
"""

from __future__ import annotations

import re

_STRONG = frozenset("aeoáéóíú")  # stressed í and ú behave as strong vowels (hiatus)
_VOWELS = frozenset("aeiouáéíóúü")
_SILENT_U = re.compile(r"(?<=[qg])u(?=[eéií])")
_WORD = re.compile(r"[^\W\d_]+")


def syllables(word: str) -> int:
    """The number of syllables in one Spanish word (at least 1 for any word with a letter)."""
    word = _SILENT_U.sub("", word.lower())
    if word.endswith("y") and len(word) > 1 and word[-2] in _VOWELS:
        word = word[:-1] + "i"  # "hay", "muy", "Paraguay": y closes a diphthong
    count, previous = 0, ""
    for letter in word:
        if letter not in _VOWELS and letter != "y":
            previous = ""
            continue
        if letter == "y":  # a consonant before a vowel ("yo", "ayer"); alone, the word "y"
            previous = ""
            if len(word) == 1:
                count += 1
            continue
        if not previous or (previous in _STRONG and letter in _STRONG) or previous == letter:
            count += 1  # a new nucleus: the first vowel, or a hiatus
        previous = letter
    return max(count, 1) if any(c.isalpha() for c in word) else 0


def count(text: str) -> tuple[int, int]:
    """(words, syllables) in a Spanish text."""
    words = _WORD.findall(text)
    return len(words), sum(syllables(w) for w in words)
