"""The ontology of the jjjkg graph, defined once.

Every node label, relation type, property, enumerated value and bilingual display name lives here.
Loaders validate against it, the stores create indexes and load statements from it, the analyses
and views read their labels and colours from it. Nothing else spells a label or a relation type.

Readers: anyone adding a column, a relation type or an organization type starts here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ORGANIZATION", "SECTOR", "SERVICE", "REGION",
    "NodeLabel", "OrgType", "Relation", "Column", "Table",
    "ORG_TYPES", "NODE_LABELS", "RELATIONS", "INPUT_RELATIONS", "DERIVED_RELATIONS",
    "PROVINCES", "BEIJING", "TIANJIN", "HEBEI", "SCALEUP_PROVINCES",
    "LEVELS", "PLATFORM_KINDS", "SECTOR_KINDS", "REGION_LEVELS", "BOOLEANS",
    "JJJ_BOX", "TABLES", "ORGANIZATIONS", "RELATIONS_TABLE", "SECTORS", "SERVICES", "REGIONS",
    "RND_LABELS", "ORPHAN_RND_LABELS", "org_type", "org_label", "relation", "all_labels",
    "property_keys",
]

# ----------------------------------------------------------------------------- node labels

ORGANIZATION = "Organization"
SECTOR = "Sector"
SERVICE = "Service"
REGION = "Region"


@dataclass(frozen=True)
class NodeLabel:
    """A Cypher node label with its display names and colour."""

    name: str
    zh: str
    en: str
    color: str


@dataclass(frozen=True)
class OrgType:
    """An organization type: the ``type`` column value, its Cypher label and display."""

    key: str  # value of the `type` column and property
    label: str  # Cypher label beside `Organization`
    zh: str
    en: str
    color: str
    aliases: tuple[str, ...] = ()  # other spellings accepted in the `type` column
    province_required: bool = True


ORG_TYPES: dict[str, OrgType] = {
    t.key: t
    for t in [
        OrgType("platform", "Platform", "中试平台", "Pilot platform", "#d62728",
                ("中试平台", "平台", "中试基地", "中试产线", "中试服务平台", "中试载体")),
        OrgType("enterprise", "Enterprise", "企业", "Enterprise", "#1f77b4", ("企业", "公司", "企业单位")),
        OrgType("university", "University", "高校", "University", "#9467bd", ("高校", "大学", "高等院校", "院校")),
        OrgType("institute", "Institute", "科研院所", "Research institute", "#8c564b",
                ("科研院所", "研究院", "研究所", "科研机构", "研究机构", "新型研发机构", "实验室")),
        OrgType("site", "Site", "生产基地", "Production site", "#2ca02c",
                ("生产基地", "量产基地", "基地", "工厂", "厂区", "产业化基地")),
        OrgType("park", "Park", "园区", "Industrial park", "#17becf", ("园区", "产业园", "产业园区", "科技园", "开发区")),
        OrgType("alliance", "Alliance", "联盟", "Alliance", "#e377c2", ("联盟", "产业联盟", "创新联合体", "协会"),
                province_required=False),
        OrgType("agency", "Agency", "政府部门", "Government agency", "#7f7f7f",
                ("政府部门", "政府", "主管部门", "政府机构", "部门"), province_required=False),
        OrgType("financial", "Financial", "金融机构", "Financial institution", "#bcbd22",
                ("金融机构", "金融", "银行", "投资机构", "基金", "保险机构")),
    ]
}

NODE_LABELS: dict[str, NodeLabel] = {
    ORGANIZATION: NodeLabel(ORGANIZATION, "机构", "Organization", "#888888"),
    **{t.label: NodeLabel(t.label, t.zh, t.en, t.color) for t in ORG_TYPES.values()},
    SECTOR: NodeLabel(SECTOR, "产业领域", "Sector", "#ff7f0e"),
    SERVICE: NodeLabel(SERVICE, "中试服务", "Pilot service", "#aec7e8"),
    REGION: NodeLabel(REGION, "行政区", "Region", "#c7c7c7"),
}

#: the labels of the R&D side of a path (contract section 4)
RND_LABELS = ("University", "Institute", "Enterprise")
#: the labels whose lack of TRANSFERS_TO is an ORPHAN_RND gap
ORPHAN_RND_LABELS = ("University", "Institute")


def org_type(value: str) -> OrgType | None:
    """The organization type for a ``type`` cell (English key, label or Chinese alias), else None."""
    v = value.strip()
    low = v.lower()
    for t in ORG_TYPES.values():
        if low in (t.key, t.label.lower(), t.en.lower()) or v == t.zh or v in t.aliases:
            return t
    return None


def org_label(key: str) -> str:
    """Cypher label of an organization type key: ``org_label('platform') == 'Platform'``."""
    return ORG_TYPES[key].label


def all_labels() -> list[str]:
    """Every node label, in schema order."""
    return list(NODE_LABELS)


# ----------------------------------------------------------------------------- relations


@dataclass(frozen=True)
class Relation:
    """A relation type: its endpoints, display names and style."""

    name: str
    zh: str
    en: str
    sources: tuple[str, ...]  # allowed labels at the start
    targets: tuple[str, ...]  # allowed labels at the end
    color: str
    directed: bool = True
    derived: bool = False  # made by the graph builder, not written in relations.csv
    aliases: tuple[str, ...] = ()


_ANY_ORG = (ORGANIZATION,)

RELATIONS: dict[str, Relation] = {
    r.name: r
    for r in [
        Relation("TRANSFERS_TO", "研发转中试", "transfers to pilot", ("University", "Institute", "Enterprise"),
                 ("Platform",), "#d62728", aliases=("研发转化", "转化", "中试转化", "研发→中试", "成果转化")),
        Relation("SCALES_UP_AT", "量产放大", "scales up at", ("Platform", "Enterprise"),
                 ("Site", "Park", "Enterprise"), "#2ca02c", aliases=("量产", "放大", "量产放大于", "产业化")),
        Relation("OPERATES", "建设运营", "operates", _ANY_ORG, ("Platform",), "#1f77b4",
                 aliases=("运营", "建设", "建设运营", "运行")),
        Relation("MEMBER_OF", "联盟成员", "member of", _ANY_ORG, ("Alliance",), "#e377c2",
                 aliases=("成员", "加入", "会员")),
        Relation("PARTNERS_WITH", "合作", "partners with", _ANY_ORG, _ANY_ORG, "#7f7f7f", directed=False,
                 aliases=("合作", "合作伙伴", "共建")),
        Relation("SUPPORTS", "支持", "supports", ("Agency", "Financial"), _ANY_ORG, "#bcbd22",
                 aliases=("支持", "资助", "扶持", "贷款")),
        # derived from columns of organizations.csv and the region tree
        Relation("IN_SECTOR", "所属领域", "in sector", _ANY_ORG, (SECTOR,), "#ff7f0e", derived=True),
        Relation("OFFERS", "提供服务", "offers", ("Platform",), (SERVICE,), "#aec7e8", derived=True),
        Relation("NEEDS", "服务需求", "needs", ("Enterprise",), (SERVICE,), "#ffbb78", derived=True),
        Relation("LOCATED_IN", "位于", "located in", _ANY_ORG, (REGION,), "#c7c7c7", derived=True),
        Relation("PART_OF", "隶属", "part of", (REGION,), (REGION,), "#dddddd", derived=True),
    ]
}
INPUT_RELATIONS = tuple(n for n, r in RELATIONS.items() if not r.derived)
DERIVED_RELATIONS = tuple(n for n, r in RELATIONS.items() if r.derived)


def relation(value: str) -> Relation | None:
    """The input relation type for a ``relation`` cell (name in any case, or a Chinese alias), else None."""
    v = value.strip()
    up = v.upper().replace(" ", "_").replace("-", "_")
    for name in INPUT_RELATIONS:
        r = RELATIONS[name]
        if up == name or v == r.zh or v in r.aliases or v.lower() == r.en:
            return r
    return None


# ----------------------------------------------------------------------------- enumerations

BEIJING, TIANJIN, HEBEI = "北京", "天津", "河北"
PROVINCES: dict[str, tuple[str, ...]] = {
    BEIJING: ("北京", "北京市", "beijing", "bj", "京"),
    TIANJIN: ("天津", "天津市", "tianjin", "tj", "津"),
    HEBEI: ("河北", "河北省", "hebei", "hb", "冀"),
}
#: where the contract's scale-up sites are
SCALEUP_PROVINCES = (TIANJIN, HEBEI)
#: GB/T 2260 province codes, for the region digits of a credit code
PROVINCE_CODES = {BEIJING: "11", TIANJIN: "12", HEBEI: "13"}

LEVELS: dict[str, tuple[str, ...]] = {
    "national": ("national", "国家级", "国家", "部级"),
    "municipal": ("municipal", "市级", "省级", "省部级", "省市级", "provincial"),
    "district": ("district", "区级", "县级", "区县级", "市区级"),
    "none": ("none", "无", "其他", "未认定", "-"),
}
LEVEL_ZH = {"national": "国家级", "municipal": "市级", "district": "区级", "none": "无"}

PLATFORM_KINDS: dict[str, tuple[str, ...]] = {
    "pilot_platform": ("pilot_platform", "中试平台"),
    "pilot_line": ("pilot_line", "中试产线", "中试线"),
    "pilot_base": ("pilot_base", "中试基地"),
    "zero_factory": ("zero_factory", "中试零号工厂", "零号工厂"),
    "public_service": ("public_service", "综合性中试公共服务机构", "中试公共服务机构", "公共服务机构", "公共服务平台"),
    "transformation_base": ("transformation_base", "中试转化基地", "产业中试转化基地", "转化基地"),
}
PLATFORM_KIND_ZH = {k: v[1] for k, v in PLATFORM_KINDS.items()}

SECTOR_KINDS: dict[str, tuple[str, ...]] = {
    "chain": ("chain", "产业链", "链", "重点产业链"),
    "cluster": ("cluster", "集群", "产业集群", "群"),
    "industry": ("industry", "产业", "行业", "领域", "重点产业"),
}
SECTOR_KIND_ZH = {"chain": "产业链", "cluster": "集群", "industry": "产业"}

REGION_LEVELS = ("province", "city", "district")

BOOLEANS: dict[bool, tuple[str, ...]] = {
    True: ("true", "yes", "y", "1", "是", "t", "对", "✓"),
    False: ("false", "no", "n", "0", "否", "f", "不是", "✗"),
}

#: the Jing-Jin-Ji bounding box, WGS84 degrees (Hebei's extremes with a small margin)
JJJ_BOX = {"lat": (36.0, 42.7), "lon": (113.4, 119.9)}

# ----------------------------------------------------------------------------- tables and properties


@dataclass(frozen=True)
class Column:
    """A column of an input table and the property it becomes.

    ``kind`` is the stored type: ``str``, ``list`` (of str, ``;``-separated in a cell), ``bool``,
    ``int`` or ``float``. ``aliases`` are other headers accepted for it (Chinese first). ``as_given``:
    the value is stored and shown exactly as written (names, sources) — only trimmed; the other
    columns are folded to half-width (``ＰＦ－１`` → ``PF-1``) because they are ids and codes.
    """

    name: str
    zh: str
    kind: str = "str"
    required: bool = False
    aliases: tuple[str, ...] = ()
    en: str = ""
    as_given: bool = False


@dataclass(frozen=True)
class Table:
    """An input table: file stem, sheet names and its columns."""

    name: str
    zh: str
    required: bool
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def filename(self) -> str:
        return self.name + ".csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


ORGANIZATIONS = Table("organizations", "机构", True, (
    Column("id", "编号", required=True, aliases=("ID", "标识", "机构编号", "代码")),
    Column("name", "名称", required=True, aliases=("机构名称", "单位名称", "name_zh", "中文名称", "企业名称"),
           as_given=True),
    Column("name_en", "英文名称", aliases=("英文名", "name (en)"), as_given=True),
    Column("type", "类型", required=True, aliases=("机构类型", "单位类型", "类别")),
    Column("province", "省份", aliases=("省", "省市", "所在省份", "省/直辖市")),
    Column("city", "城市", aliases=("市", "地市", "所在城市")),
    Column("district", "区县", aliases=("区", "县", "区/县", "所在区县")),
    Column("sectors", "行业/领域", "list", aliases=("行业", "领域", "产业", "产业领域", "所属领域", "sector_ids", "sector")),
    Column("level", "级别", aliases=("平台级别", "认定级别")),
    Column("platform_kind", "平台类型", aliases=("载体类型", "中试类型", "平台形式")),
    Column("independent_legal_entity", "独立法人", "bool", aliases=("是否独立法人", "独立法人主体")),
    Column("services", "服务", "list", aliases=("中试服务", "服务内容", "提供服务")),
    Column("needs", "需求", "list", aliases=("中试需求", "服务需求")),
    Column("credit_code", "统一社会信用代码", aliases=("信用代码", "社会信用代码")),
    Column("lat", "纬度", "float", aliases=("latitude",)),
    Column("lon", "经度", "float", aliases=("longitude", "lng")),
    Column("source", "来源", aliases=("数据来源", "出处", "信息来源"), as_given=True),
    # other names (short names, former names), used to resolve the names of an imported list
    Column("aliases", "别名", "list", aliases=("简称", "曾用名", "其他名称"), as_given=True),
    # extensions for the policy analyses (subsidy-estimate, supply-list); optional
    Column("investment", "总投资（万元）", "float", aliases=("总投资", "项目总投资", "投资额", "投资（万元）", "investment_wan")),
    Column("open_to_public", "对外开放", "bool", aliases=("是否对外开放", "开放共享", "对外服务")),
))

RELATIONS_TABLE = Table("relations", "关系", False, (
    Column("from_id", "起点", required=True, aliases=("起点编号", "起点id", "起始机构", "起始方", "发起方", "主体",
                                                      "源", "from", "source_id", "start_id", "from id")),
    Column("relation", "关系", required=True, aliases=("关系类型", "类型", "type", "relationship")),
    Column("to_id", "终点", required=True, aliases=("终点编号", "终点id", "目标", "目标机构", "承接方", "客体",
                                                  "to", "target_id", "end_id", "to id")),
    Column("year", "年份", "int", aliases=("年",)),
    Column("weight", "权重", "float", aliases=("强度",)),
    Column("source", "来源", aliases=("数据来源", "出处", "信息来源"), as_given=True),
))

SECTORS = Table("sectors", "产业领域", False, (
    Column("id", "编号", required=True, aliases=("ID", "代码")),
    Column("name", "名称", required=True, aliases=("name_zh", "中文名称", "领域名称"), as_given=True),
    Column("name_en", "英文名称", aliases=("英文名",), as_given=True),
    Column("kind", "类别", aliases=("类型", "种类")),
    Column("parent", "上级", aliases=("上级领域", "父级")),
    # extension: measure 1's tier for industries (国际引领, 固本强安, 未来产业, 能级提升)
    Column("tier", "梯度", aliases=("产业梯度", "层级")),
    Column("source", "来源", aliases=("数据来源", "出处"), as_given=True),
))

SERVICES = Table("services", "中试服务", False, (
    Column("id", "编号", required=True, aliases=("ID", "代码")),
    Column("name", "名称", required=True, aliases=("name_zh", "服务名称", "中文名称"), as_given=True),
    Column("name_en", "英文名称", aliases=("英文名",), as_given=True),
    Column("measure", "政策条款", aliases=("条款", "措施")),
    Column("source", "来源", aliases=("数据来源", "出处"), as_given=True),
))

REGIONS = Table("regions", "行政区", False, (
    Column("id", "编号", required=True, aliases=("代码", "行政区划代码")),
    Column("name", "名称", required=True),
    Column("name_en", "英文名称"),
    Column("level", "级别", required=True),
    Column("parent", "上级"),
    Column("province", "省份"),
    Column("aliases", "别名", "list"),
    Column("lat", "纬度", "float"),
    Column("lon", "经度", "float"),
    Column("source", "来源"),
))

TABLES: dict[str, Table] = {t.name: t for t in (ORGANIZATIONS, RELATIONS_TABLE, SECTORS, SERVICES, REGIONS)}

#: node properties as Cypher sees them, per label family (contract section 2); the stores read this
NODE_PROPERTIES: dict[str, tuple[str, ...]] = {
    # map_lat/map_lon: where it stands on a map (its lat/lon, else its district's or city's centroid) and
    # coord_precision how precise that is (exact, district, city); see graph.positions
    ORGANIZATION: tuple(c.name for c in ORGANIZATIONS.columns) + ("degree", "map_lat", "map_lon", "coord_precision"),
    SECTOR: ("id", "name", "name_en", "kind", "parent", "tier"),
    SERVICE: ("id", "name", "name_en"),
    REGION: ("id", "name", "name_en", "level", "lat", "lon"),
}
#: relationship properties of the input relations
RELATION_PROPERTIES = ("year", "weight", "source")


def property_keys() -> list[str]:
    """Every property key any node or relationship may carry."""
    keys: list[str] = []
    for props in (*NODE_PROPERTIES.values(), RELATION_PROPERTIES):
        keys += [k for k in props if k not in keys]
    return keys
