"""Text helpers of the catalogue search: the A–Z letter and the searchable text of a service.

A service is found by its Chinese and English names, its keywords and synonyms, and the full
pinyin and the pinyin initials of every Chinese term among them, so "keyan", "ky" and "科研"
find the same research services.
"""

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u3400-\u9fff]")
_SEPARATORS = re.compile(r"[,，;；、/\n]+")
MAX_QUERY_LENGTH = 100


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def letter_of(name: str) -> str:
    """The A–Z index letter: the pinyin initial of the first character, '#' when none."""
    name = normalize(name)
    if not name:
        return "#"
    initial = lazy_pinyin(name[0], style=Style.FIRST_LETTER, errors="default")[0][:1].upper()
    return initial if "A" <= initial <= "Z" else "#"


def sort_key_of(name: str) -> str:
    """Full pinyin of the name, so that an A–Z list reads in the order people expect."""
    return " ".join(lazy_pinyin(normalize(name), errors="default"))[:300]


def pinyin_of(name: str) -> tuple[str, str]:
    """A name's full pinyin and its initials, lower case, no spaces ("zhangsan", "zs")."""
    name = normalize(name)
    full = "".join(lazy_pinyin(name, errors="ignore")).replace(" ", "")
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore"))
    return full[:200], initials.replace(" ", "")[:60]


def name_keys(name: str) -> list[str]:
    """What the people picker finds a name by, each key matched by its start: the name from
    each of its characters on (张三, 三; 王小明, 小明, 明), a Latin name from each word on, and
    the pinyin and the initials from each syllable on (wangxiaoming, xiaoming, ming; wxm, xm).
    So 三 finds 张三 and 小明 finds 王小明 with an index on the keys (hall.people.search)."""
    words = normalize(name).split()
    keys: list[str] = []
    for n, word in enumerate(words):
        rest = "".join(words[n:])
        keys.append(rest)
        keys.extend(rest[i:] for i in range(1, len(word)) if _HAN.match(word[i]))
    syllables = [s.replace(" ", "") for s in lazy_pinyin(normalize(name), errors="ignore")]
    syllables = [s for s in syllables if s]
    initials = [s[0] for s in syllables]
    for i in range(len(syllables)):
        keys.append("".join(syllables[i:]))
        if len(initials) - i >= 2:
            keys.append("".join(initials[i:]))
    return list(dict.fromkeys(k[:100] for k in keys if k))[:40]


def _terms(*texts: str) -> list[str]:
    return [t.strip() for text in texts for t in _SEPARATORS.split(text or "") if t.strip()]


def search_text_of(code: str, name_zh: str, name_en: str, keywords: str, synonyms: str) -> str:
    terms = _terms(name_zh, name_en, keywords, synonyms)
    parts = [normalize(code), *(normalize(t) for t in terms)]
    for term in terms:
        if _HAN.search(term):
            parts.append("".join(lazy_pinyin(term, errors="ignore")))
            parts.append("".join(lazy_pinyin(term, style=Style.FIRST_LETTER, errors="ignore")))
    return " | ".join(p for p in parts if p)


def query_terms(query: str) -> tuple[str, list[str]]:
    """The normalized query and the words each of which a result must contain."""
    query = normalize(query)[:MAX_QUERY_LENGTH]
    return query, query.split()
