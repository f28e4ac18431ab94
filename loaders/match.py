"""Entity resolution: which organization of the store a name (and credit code) from a list means.

Names in published lists are spelled their own way: full- or half-width brackets, stray spaces,
legal suffixes (有限公司, 股份有限公司 …), a city in brackets (百济神州（北京）…), a short name in
brackets (北京汽车集团有限公司（北汽集团）). ``name_keys`` folds a name into the keys it is known
by; ``EntityIndex`` holds those keys for every organization of a store (names, ``aliases`` and
credit codes) and scores a name against them:

====================================================  =====
evidence                                              score
====================================================  =====
same credit code                                      1.00
same name once folded (NFKC, brackets, spaces, case)  1.00
same core (legal suffix, bracketed city removed)      0.95
same as an alias or a bracketed short name            0.95
one core extends the other by a generic word (科技 …)  0.90
the same core once a parent's prefix (中国科学院 …) is off  0.85
one or two characters apart (中式/中试, 中试线/中试产线)    0.80
one core extends the other by anything else           0.70
====================================================  =====

``resolve`` turns the scores into an action: ``match`` when exactly one candidate reaches 0.9 and
no other comes within 0.05 of it, ``ambiguous`` when candidates exist but none is clearly the one,
``new`` when there are none. An ambiguous name is never merged: the user decides in the plan. The
near spellings (a parent's prefix dropped, a character mistyped, added or left out) are only ever
candidates: a list that spells a known organization almost as the store does must not add a second
copy of it, nor may a guess merge two organizations.

Traditional characters are folded to simplified ones for comparing (OpenCC's ``t2s``, the reference
converter, phrase by phrase): 中國科學院 is 中国科学院. Folding is for comparing only; the names the
store keeps are never changed.

Cost: building the index is linear in the store; resolving a name is a few dictionary lookups
plus a bisection into the sorted cores, so a list of m names against n organizations costs
O(m · (log n + k)) with k the candidates found. A name with no good candidate is also compared by
edit distance with every stored core (rapidfuzz, bit-parallel C++: about 15 ms per name against
100,000 organizations).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict

from graph.build import no_gc
from dataclasses import dataclass, field

__all__ = ["name_keys", "fold_name", "core_name", "EntityIndex", "Resolution", "MATCH", "NEW", "AMBIGUOUS"]

MATCH, NEW, AMBIGUOUS = "match", "new", "ambiguous"

#: scores of the evidence (see the module docstring)
EXACT, CORE, ALIAS, EXTENDS_GENERIC, EXTENDS = 1.0, 0.95, 0.95, 0.9, 0.7
PARENT, NEAR = 0.85, 0.8
#: a match needs this score, and this lead over the next candidate
MATCH_AT, LEAD = 0.9, 0.05
#: cores shorter than this are not matched by extension (北京 would extend to every 北京… name);
#: at most MAX_SCAN stored cores are read per name, and MAX_CANDIDATES shown
MIN_EXTEND, MAX_SCAN, MAX_CANDIDATES = 3, 200, 5
#: near spellings: cores of at least NEAR_MIN characters within one edit, of NEAR_TWO or more within two
#: (shorter names one character apart are other organizations: 甲公司, 乙公司)
NEAR_MIN, NEAR_TWO = 4, 9
#: parent organizations whose name a list often drops or adds in front (中国科学院化学研究所 / 化学研究所)
PARENT_PREFIXES = ("中国科学院", "中科院", "中国工程物理研究院", "中国医学科学院", "中国农业科学院", "中国中医科学院",
                   "中国航天科技集团", "中国航天科工集团", "中国电子科技集团", "中国船舶集团", "中国兵器工业集团",
                   "中国石油化工", "中国石化", "中国石油", "中国中化", "中国建材", "国家电网", "中国电子信息产业集团")
#: a numeral set against another is a different organization (一期/二期, 1号/2号), not a typo
_NUMERALS = set("0123456789零一二三四五六七八九十百")

#: legal forms, longest first, removed from the end of a name (repeatedly: 集团有限公司)
LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司")
#: words that, added to a name, rarely make it another organization (百济神州 → 百济神州生物科技)
GENERIC_WORDS = ("生物科技", "生物医药", "生物技术", "科技发展", "科技", "技术", "生物", "医药", "制药", "药业",
                 "发展", "实业", "控股", "投资", "信息", "电子", "智能", "新材料", "材料", "能源", "环保",
                 "工程", "中国", "国际")
#: places that appear in brackets inside names: （北京）, (天津), （中国）
_PLACE_WORDS = ("中国", "北京", "天津", "河北", "上海", "深圳", "广州", "石家庄", "唐山", "秦皇岛", "邯郸", "邢台",
                "保定", "张家口", "承德", "沧州", "廊坊", "衡水", "雄安", "雄安新区", "亦庄", "北京亦庄")

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")",
                           "「": "", "」": "", "“": "", "”": "", '"': "", "《": "", "》": ""})
_SPACES = re.compile(r"[\s\u3000·•・]+")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_TRANSLATED = re.compile("[" + re.escape("".join(chr(c) for c in _BRACKETS)) + "]")


_T2S = None


def _traditional():
    """``(converter, pattern of the characters it changes)``: OpenCC's t2s, set up on first use."""
    global _T2S
    if _T2S is None:
        import opencc

        convert = opencc.OpenCC("t2s").convert
        block = "".join(map(chr, range(0x3400, 0xA000)))  # CJK extension A and the unified ideographs
        changed = "".join(a for a, b in zip(block, convert(block)) if a != b)
        _T2S = (convert, re.compile("[" + re.escape(changed) + "]"))
    return _T2S


def fold_name(name: str) -> str:
    """NFKC, simplified characters, one kind of bracket, no spaces or middle dots, lower case.

    >>> fold_name("北方集成电路技术创新中心（北京） 有限公司")
    '北方集成电路技术创新中心(北京)有限公司'
    >>> fold_name("中國科學院 過程工程研究所")
    '中国科学院过程工程研究所'
    """
    s = unicodedata.normalize("NFKC", str(name))
    if _TRANSLATED.search(s):  # most names have none of these: no translation pass for them
        s = s.translate(_BRACKETS)
    if not s.isascii():
        convert, traditional = _traditional()
        if traditional.search(s):
            s = convert(s)
    return _SPACES.sub("", s).lower()


def _is_place(word: str) -> bool:
    w = word.removesuffix("市").removesuffix("省")
    return w in _PLACE_WORDS


#: the legal suffixes at the end of a name, stripped in one pass (the same pattern column-wise and per name)
_SUFFIX_RUN = re.compile("(?:" + "|".join(LEGAL_SUFFIXES) + ")+$")


def _strip_suffixes(s: str) -> str:
    stripped = _SUFFIX_RUN.sub("", s)
    if len(stripped) >= 2:
        return stripped
    # a name that is little more than a legal form: strip one suffix at a time while two characters remain
    changed = True
    while changed:
        changed = False
        for suf in LEGAL_SUFFIXES:
            if s.endswith(suf) and len(s) > len(suf) + 1:
                s = s[: -len(suf)]
                changed = True
                break
    return s


def name_keys(name: str) -> tuple[str, str, list[str]]:
    """``(folded, core, short names)`` of a name.

    ``core`` drops bracketed places and short names and the legal suffixes; the short names are
    the other bracketed parts, each folded to its own core.

    >>> name_keys("北京汽车集团有限公司（北汽集团）")
    ('北京汽车集团有限公司(北汽集团)', '北京汽车', ['北汽'])
    >>> name_keys("百济神州（北京）生物科技有限公司")[1]
    '百济神州生物科技'
    """
    folded = fold_name(name)
    shorts: list[str] = []

    def drop(m: re.Match) -> str:
        inner = m.group(1)
        if inner and not _is_place(inner):
            shorts.append(inner)
        return ""

    base = folded
    if "(" in base or ")" in base:
        for _ in range(3):  # nested brackets, innermost first
            new = _BRACKETED.sub(drop, base)
            if new == base:
                break
            base = new
        base = base.replace("(", "").replace(")", "")
    core = _strip_suffixes(base) or base
    if not shorts:
        return folded, core, shorts
    short_cores = [c for c in (_strip_suffixes(s) or s for s in shorts) if len(c) >= 2 and c != core]
    return folded, core, short_cores


def _extends_generic(longer: str, shorter: str) -> bool:
    """``longer`` is ``shorter`` followed only by generic words (科技, 生物医药 …)."""
    rest = longer[len(shorter):]
    while rest:
        for w in GENERIC_WORDS:
            if rest.startswith(w):
                rest = rest[len(w):]
                break
        else:
            return False
    return True


_PARENT_RUN = re.compile("^(?:" + "|".join(PARENT_PREFIXES) + ")")


def _drop_parent(core: str) -> str:
    """``core`` without a parent organization's name in front: 中国科学院化学研究所 → 化学研究所."""
    return _PARENT_RUN.sub("", core, count=1)


def _numerals_differ(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by a numeral put for another (一期/二期): two organizations."""
    from rapidfuzz.distance import Levenshtein

    return any(op == "replace" and a[i] in _NUMERALS and b[j] in _NUMERALS
               for op, i, j in Levenshtein.editops(a, b))


@dataclass
class Resolution:
    """What a name resolved to: the action, the id (for a match), the candidates with scores."""

    action: str
    id: str | None = None
    candidates: list[tuple[str, float]] = field(default_factory=list)
    note: str = ""

    @property
    def score(self) -> float | None:
        return self.candidates[0][1] if self.candidates else None

    def candidates_text(self) -> str:
        return "; ".join(f"{i} {s:.2f}" for i, s in self.candidates)


class EntityIndex:
    """The names, aliases and credit codes of a set of organizations, for resolving list names.

    Parameters
    ----------
    rows : iterable of (id, name, aliases, credit_code[, type])
        ``aliases`` a list of other names (or None).

    Examples
    --------
    >>> ix = EntityIndex([("EN_BAIC", "北京汽车集团有限公司（北汽集团）", [], None),
    ...                   ("EN_BAIC_MFG", "北京汽车制造厂有限公司", [], None)])
    >>> r = ix.resolve("北汽集团")
    >>> r.action, r.id
    ('match', 'EN_BAIC')
    >>> ix.resolve("北京汽车集团 有限公司").candidates
    [('EN_BAIC', 0.95), ('EN_BAIC_MFG', 0.7)]
    """

    def __init__(self, rows=()):
        self.folded: dict[str, set[str]] = defaultdict(set)
        self.core: dict[str, set[str]] = defaultdict(set)
        self.alias: dict[str, set[str]] = defaultdict(set)
        self.credit: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, str] = {}
        self.types: dict[str, str | None] = {}
        self._sorted: list[str] | None = None
        self._longest: int | None = None
        self._parented: dict[str, set[str]] | None = None
        for row in rows:
            self.add(*row)

    def add(self, oid: str, name: str, aliases=None, credit_code: str | None = None,
            org_type: str | None = None) -> None:
        """Index one organization."""
        folded, core, shorts = name_keys(name)
        self.names[oid] = name
        self.types[oid] = org_type
        self.folded[folded].add(oid)
        self.core[core].add(oid)
        for a in shorts:
            self.alias[a].add(oid)
        self._add_other_names(oid, aliases, credit_code)
        self._sorted = self._longest = self._parented = None

    def _add_other_names(self, oid: str, aliases, credit_code) -> None:
        """The ``aliases`` (a list, an array or None) and the credit code of one organization."""
        if aliases is not None and len(aliases):
            for x in aliases:
                if x:
                    self.alias[name_keys(x)[1]].add(oid)
        if credit_code:
            self.credit[str(credit_code).upper()].add(oid)

    @classmethod
    def from_columns(cls, ids, names, aliases=None, credit_codes=None, types=None) -> EntityIndex:
        """The index of whole columns: names without brackets are folded column-wise (pandas string
        methods, the same patterns as ``name_keys``), the rest one by one.
        """
        with no_gc():  # hundreds of thousands of small sets: no collector passes over the heap meanwhile
            return cls._from_columns(ids, names, aliases, credit_codes, types)

    @classmethod
    def _from_columns(cls, ids, names, aliases, credit_codes, types) -> EntityIndex:
        import pandas as pd

        ids = list(ids)
        n = len(ids)
        s = pd.Series(list(names), dtype=object).astype(str).str.normalize("NFKC")
        plain = ~s.str.contains(_TRANSLATED.pattern + "|[()]|" + _traditional()[1].pattern, regex=True)
        folded = s.str.replace(_SPACES.pattern, "", regex=True).str.lower()
        core = folded.str.replace(_SUFFIX_RUN.pattern, "", regex=True)
        plain &= core.str.len() >= 2
        ix = cls()
        ix.names = dict(zip(ids, names if isinstance(names, list) else list(names)))
        ix.types = dict(zip(ids, types if types is not None else [None] * n))
        frame = pd.DataFrame({"id": ids, "folded": folded, "core": core})[plain.to_numpy()]
        for key, col in (("folded", ix.folded), ("core", ix.core)):
            for k, oid in zip(frame[key].tolist(), frame["id"].tolist()):
                col[k].add(oid)
        alias_list = list(aliases) if aliases is not None else [None] * n
        code_list = list(credit_codes) if credit_codes is not None else [None] * n
        for i in (~plain).to_numpy().nonzero()[0]:
            ix.add(ids[i], ix.names[ids[i]], None, None, ix.types[ids[i]])
        for oid, al, code in zip(ids, alias_list, code_list):
            ix._add_other_names(oid, al, code)
        return ix

    def _longest_core(self) -> int:
        if self._longest is None:
            self._longest = max(map(len, self.core), default=0)
        return self._longest

    def _cores_sorted(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.core)
        return self._sorted

    def _without_parents(self) -> dict[str, set[str]]:
        """Stored cores that start with a parent's name (中国科学院…), by the rest of the core."""
        if self._parented is None:
            self._parented = defaultdict(set)
            for core, ids in self.core.items():
                rest = _drop_parent(core)
                if rest != core:
                    self._parented[rest] |= ids
        return self._parented

    def _near(self, core: str) -> dict[str, float]:
        """Stored organizations whose core is one or two characters from ``core`` (not by numerals)."""
        if len(core) < NEAR_MIN:
            return {}
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        out: dict[str, float] = {}
        most = 2 if len(core) >= NEAR_TWO else 1
        for other, dist, _ in process.extract(core, self._cores_sorted(), scorer=Levenshtein.distance,
                                              score_cutoff=most, limit=MAX_CANDIDATES * 4):
            if dist == 0 or len(other) < NEAR_MIN or _numerals_differ(core, other):
                continue
            for i in self.core[other]:
                out[i] = NEAR
        return out

    def scores(self, name: str, credit_code: str | None = None) -> dict[str, float]:
        """Every candidate id with its best score."""
        out: dict[str, float] = {}

        def put(ids, score):
            for i in ids:
                if score > out.get(i, 0.0):
                    out[i] = score

        if credit_code:
            put(self.credit.get(credit_code.upper(), ()), EXACT)
        folded, core, shorts = name_keys(name)
        put(self.folded.get(folded, ()), EXACT)
        put(self.core.get(core, ()), CORE)
        for key in (core, *shorts):
            put(self.alias.get(key, ()), ALIAS)
            put(self.core.get(key, ()), ALIAS)
        if len(core) >= MIN_EXTEND:
            # stored cores that extend this core: a bisection into the sorted cores, at most MAX_SCAN
            cores = self._cores_sorted()
            i = bisect_left(cores, core)
            end = min(len(cores), i + MAX_SCAN)
            while i < end and cores[i].startswith(core):
                other = cores[i]
                if other != core:
                    put(self.core[other], EXTENDS_GENERIC if _extends_generic(other, core) else EXTENDS)
                i += 1
            # stored cores this core extends: its prefixes no longer than the longest stored core, looked up
            # (so a hostile name of a million characters costs one pass, not one per character)
            for n in range(min(len(core) - 1, self._longest_core()), MIN_EXTEND - 1, -1):
                prefix = core[:n]
                if prefix in self.core:
                    put(self.core[prefix], EXTENDS_GENERIC if _extends_generic(core, prefix) else EXTENDS)
        if max(out.values(), default=0.0) < MATCH_AT:
            # no good candidate: a parent's prefix dropped or added, or a character mistyped (near spellings)
            rest = _drop_parent(core)
            parented = self._without_parents()
            for key in {core, rest}:
                if len(key) >= MIN_EXTEND:
                    put(parented.get(key, ()), PARENT)
            if rest != core and len(rest) >= MIN_EXTEND:
                put(self.core.get(rest, ()), PARENT)
            for i, score in self._near(core).items():
                put((i,), score)
        return out

    def resolve(self, name: str, credit_code: str | None = None, org_type: str | None = None,
                exclude: frozenset[str] | set[str] = frozenset()) -> Resolution:
        """``match`` (one clear candidate), ``ambiguous`` (candidates, none clear) or ``new``.

        With ``org_type``, a candidate of another type found only by a longer or shorter name is
        dropped: 百济神州生物药中试平台 (a platform) is not the enterprise 百济神州. The ids in
        ``exclude`` are never candidates (an operator is not the platform it operates).
        """
        scored = [(i, s) for i, s in self.scores(name, credit_code).items()
                  if (s >= MATCH_AT or org_type is None or self.types.get(i) in (None, org_type)) and i not in exclude]
        scored = sorted(scored, key=lambda kv: (-kv[1], kv[0]))[:MAX_CANDIDATES]
        if not scored:
            return Resolution(NEW)
        best_id, best = scored[0]
        runner_up = scored[1][1] if len(scored) > 1 else 0.0
        if best >= MATCH_AT and best - runner_up >= LEAD:
            return Resolution(MATCH, best_id, scored)
        if best >= MATCH_AT:
            note = f"{sum(1 for _, s in scored if s >= best - LEAD)} organizations fit equally well"
        elif best == PARENT:
            note = f"the same name but for a parent organization's name in front: is it {self.names[best_id]!r}?"
        elif best == NEAR:
            note = f"spelled almost as {self.names[best_id]!r} (a character apart): the same, or another?"
        else:
            note = "similar names only"
        return Resolution(AMBIGUOUS, None, scored, note)
