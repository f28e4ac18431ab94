"""How things look in the views: colours, shapes, sizes and legend text, keyed by schema label.

Everything here is read from ``graph.schema`` (colours and bilingual names of labels and relation
types) plus the few choices that are the views' own: which shape stands for which province, how
big a national platform is, what a gap mark looks like. There is no data logic here: the functions
take a node's or edge's attributes and return vis-network style dictionaries.

Readers: anyone changing how a label, a province or a relation is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph import schema

#: the page layouts of ``jjjkg viz``, and the size above which a page shows counts instead
VIEWS = ("network", "geo", "chain")
DEFAULT_MAX_NODES = 2000

__all__ = [
    "ProvinceStyle", "PROVINCE_STYLES", "NO_PROVINCE", "STAGES", "Stage", "GAP_STYLE", "PATH_COLOR",
    "label_color", "label_names", "relation_names", "node_style", "edge_style", "level_names",
    "gap_names", "DIM_COLOR",
]


@dataclass(frozen=True)
class ProvinceStyle:
    """The province cue of a node: its shape (in the page) and marker (in figures)."""

    key: str
    zh: str
    en: str
    shape: str  # vis-network shape
    marker: str  # matplotlib marker


#: each province has its own shape, so colour stays free for the organization type
PROVINCE_STYLES: dict[str, ProvinceStyle] = {
    schema.BEIJING: ProvinceStyle(schema.BEIJING, "北京", "Beijing", "dot", "o"),
    schema.TIANJIN: ProvinceStyle(schema.TIANJIN, "天津", "Tianjin", "square", "s"),
    schema.HEBEI: ProvinceStyle(schema.HEBEI, "河北", "Hebei", "diamond", "D"),
}
NO_PROVINCE = ProvinceStyle("", "未注明省份", "no province", "triangle", "^")


@dataclass(frozen=True)
class Stage:
    """A column of the chain view."""

    key: str
    zh: str
    en: str


#: the chain view's columns, left to right (北京研发中试、津冀量产放大)
STAGES = (Stage("rnd", "研发", "R&D"), Stage("pilot", "中试", "Pilot"), Stage("scaleup", "量产放大", "Scale-up"))

#: sizes by platform level; other organizations are sized by degree
_LEVEL_SIZE = {"national": 30, "municipal": 24, "district": 19, "none": 15}

PATH_COLOR = "#d62728"
DIM_COLOR = "rgba(200,200,200,0.35)"
#: the mark of an organization named by an alliance-gaps record
GAP_STYLE = {"border": "#ff0000", "borderWidth": 5, "dashes": [6, 4]}


def label_color(label: str) -> str:
    """Fill colour of a node label (``Platform`` …), from the schema."""
    return schema.NODE_LABELS[label].color


def label_names(label: str) -> tuple[str, str]:
    """(Chinese, English) display names of a node label."""
    nl = schema.NODE_LABELS[label]
    return nl.zh, nl.en


def relation_names(rel: str) -> tuple[str, str]:
    """(Chinese, English) display names of a relation type."""
    r = schema.RELATIONS[rel]
    return r.zh, r.en


def level_names(level: str) -> tuple[str, str]:
    """(Chinese, English) display names of a platform level."""
    return schema.LEVEL_ZH.get(level, level), level


def gap_names(gap: str) -> tuple[str, str]:
    """(Chinese, English) display names of an ``alliance-gaps`` gap kind."""
    from queries.alliance_gaps import GAP_ZH

    return GAP_ZH.get(gap, gap), gap.replace("_", " ").lower()


def province_style(province: str | None) -> ProvinceStyle:
    return PROVINCE_STYLES.get(province or "", NO_PROVINCE)


def node_size(attrs: dict) -> float:
    """Platforms by level; everyone else by degree (a hub is bigger), within 10–34."""
    level = attrs.get("level")
    if attrs.get("label") == "Platform" and level in _LEVEL_SIZE:
        return _LEVEL_SIZE[level]
    return min(34.0, 10.0 + 3.0 * float(attrs.get("degree", 0)) ** 0.5 * 2)


def node_style(attrs: dict) -> dict:
    """vis-network style keys for an organization (or sector/service/region) node."""
    label = attrs.get("label", schema.ORGANIZATION)
    fill = label_color(label)
    prov = province_style(attrs.get("province"))
    return {
        "shape": prov.shape,
        "size": round(node_size(attrs), 1),
        "color": {"background": fill, "border": "#333333",
                  "highlight": {"background": fill, "border": "#000000"},
                  "hover": {"background": fill, "border": "#000000"}},
        "borderWidth": 1.5,
    }


def edge_style(rel: str) -> dict:
    """vis-network style keys for an edge of relation type ``rel``, from the schema."""
    r = schema.RELATIONS[rel]
    style = {"color": {"color": r.color, "highlight": r.color, "hover": r.color, "opacity": 0.85},
             "width": 1.5,
             "arrows": {"to": {"enabled": r.directed, "scaleFactor": 0.6}}}
    if r.derived:
        style["dashes"] = True
    return style


def wrap_label(text: str, width: int = 24, lines: int = 2) -> str:
    r"""Break a node label into at most ``lines`` lines of about ``width`` terminal columns (CJK counts
    two), ending in … when cut, so neighbouring labels in a grid do not run into each other. A tail of
    two characters or less stays on its line rather than being orphaned.

    >>> wrap_label("北京亦庄合成生物产业链中试平台（义翘神州、衍微科技牵头，规划）")
    '北京亦庄合成生物产业链中\n试平台（义翘神州、衍微…'
    >>> wrap_label("北京亿华通科技股份有限公司")
    '北京亿华通科技股份有限公司'
    """
    import unicodedata

    def w(ch: str) -> int:
        return 2 if unicodedata.east_asian_width(ch) in "WF" else 1

    out, line, used = [], "", 0
    for i, ch in enumerate(text):
        if used + w(ch) > width and sum(map(w, text[i:])) > 4:
            out.append(line)
            line, used = "", 0
            if len(out) == lines:
                last = out[-1]
                while last and sum(map(w, last)) > width - 2:
                    last = last[:-1]
                out[-1] = last + "…"
                return "\n".join(out)
        line += ch
        used += w(ch)
    out.append(line)
    return "\n".join(out)
