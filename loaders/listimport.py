"""Importing a published list into a store's tables: the plan, and applying it.

``make_plan`` resolves every row of a ``PublishedList`` — and each row's operator (依托单位) —
against the store's organizations (``loaders.match``), and says for each what it would do:
``match`` an existing id, create a ``new`` one, or leave an ``ambiguous`` row to the user.
``write_plan``/``read_plan`` keep the plan as a CSV a user can edit in Excel, and ``apply_plan``
turns the plan into new ``Tables`` (validated by the same loaders as ``build``) that the caller
saves with ``graph.store.save_store``. Nothing here writes a store.

New ids are stable: the credit code when the list gives one, else a hash of the name's core
(``loaders.match.name_keys``), so importing the same list twice adds nothing the second time.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from graph import schema
from graph.errors import InputError, Problem
from graph.safe_write import write_text
from graph.tables import Tables

from . import normalize
from .cells import check_cells, check_value
from .match import _BRACKETED, AMBIGUOUS, MATCH, NEW, EntityIndex, Resolution, fold_name, name_keys
from .organizations import validate_organizations
from .published import PublishedList
from .read import ROW, RawTable, csv_rows, decode
from .relations import validate_relations
from .resolve import NameIndex, RegionIndex, _short

__all__ = ["PLAN_COLUMNS", "PlanLine", "Plan", "make_plan", "write_plan", "read_plan", "apply_plan", "new_id", "SKIP"]

#: the plan's columns, exactly (contract section 3)
PLAN_COLUMNS = ("row", "entity", "name", "action", "id", "candidates", "score", "note")
#: an action a user may write in an edited plan: leave the line out
SKIP = "skip"
_NOT_IN_FILE = "not in the plan file"
ACTIONS = (MATCH, NEW, AMBIGUOUS, SKIP)

_ID_PREFIX = {"platform": "PF", "enterprise": "EN", "university": "UN", "institute": "IN", "site": "ST",
              "park": "PK", "alliance": "AL", "agency": "AG", "financial": "FI"}
#: an operator's type from its name: first rule that fits (else enterprise)
_TYPE_FROM_NAME = (("university", ("大学", "学院")), ("institute", ("研究院", "研究所", "科学院", "实验室", "研究中心")),
                   ("park", ("园区", "产业园", "科技园", "开发区")), ("agency", ("委员会", "管理局", "人民政府", "厅", "局")),
                   ("enterprise", ("公司", "集团", "厂")))
#: what a name ends with says what it is before any word inside it does: 中关村科技园区管理委员会 is the
#: park's agency, not a park; 中国科学院大学 a university
_TYPE_FROM_ENDING = (("agency", ("管理委员会", "管委会", "委员会", "管理局", "人民政府", "办公室", "厅", "局")),
                     ("enterprise", ("有限公司", "有限责任公司", "股份公司", "公司", "集团", "厂")),
                     ("university", ("大学", "学院")), ("institute", ("研究院", "研究所", "科学院", "实验室")),
                     ("park", ("园区", "产业园", "科技园", "开发区", "高新区", "新区")))
_SPLIT_NAMES = re.compile(r"\s*[、;；]\s*")
_SPLIT_SECTORS = re.compile(r"\s*[、,，;；/|]\s*")


@dataclass
class PlanLine:
    """One line of the plan: a list row's entity (the platform itself, or one of its operators)."""

    row: int
    entity: str  # "platform" (the row itself; also for --as organizations) or "operator"
    name: str
    action: str
    id: str
    candidates: str = ""
    score: str = ""
    note: str = ""
    # what a new organization is made of (not written to the plan)
    org: dict = field(default_factory=dict, repr=False)

    def key(self) -> tuple[int, str, str]:
        return (self.row, self.entity, self.name)

    def as_row(self) -> list[str]:
        return [str(self.row), self.entity, self.name, self.action, self.id, self.candidates, self.score, self.note]


@dataclass
class Plan:
    """Every line, the rows that could not be placed in a province, the rows left out."""

    lines: list[PlanLine]
    unplaced: list[int]
    skipped: list[tuple[int, str]]  # (row, why)
    source: str  # the provenance prefix: the list's title or --source
    notes: list[str] = field(default_factory=list)  # what an edited plan says that looks wrong, but is applied
    file: str = ""  # the list, as messages name it (file[sheet])
    rows: int = 0  # the list's rows below the header

    def counts(self) -> dict[str, int]:
        out = {a: 0 for a in (MATCH, NEW, AMBIGUOUS)}
        for ln in self.lines:
            out[ln.action] = out.get(ln.action, 0) + 1
        return out


def new_id(line: PlanLine) -> str:
    """The id ``line`` gets when it is made a new organization (an ambiguous line decided "new")."""
    return line.id or _stable_id(line.org.get("type") or "enterprise", line.name, line.org.get("credit_code"))


def _stable_id(org_type: str, name: str, credit_code: str | None) -> str:
    prefix = _ID_PREFIX[org_type]
    if credit_code:
        return f"{prefix}_{credit_code}"
    core = name_keys(name)[1]
    return f"{prefix}_N{hashlib.sha1(core.encode('utf-8')).hexdigest()[:10].upper()}"


def _type_from_name(name: str) -> str:
    """The type a name says it has: by its ending first, then by a word inside it (else enterprise).

    >>> _type_from_name("中关村科技园区管理委员会"), _type_from_name("清华大学天津研究院")
    ('agency', 'institute')
    """
    core = fold_name(name)
    for t, words in _TYPE_FROM_ENDING:
        if core.endswith(words):
            return t
    for t, words in _TYPE_FROM_NAME:
        if any(w in name for w in words):
            return t
    return "enterprise"


class _Places:
    """Province (and city) of a district, city or address, from the store's region tree."""

    def __init__(self, regions: pd.DataFrame):
        self.by_key: dict[str, set[str]] = {}
        self.full: list[tuple[str, str]] = []  # (full name, region id), longest first
        self.province = dict(zip(regions["id"], regions["province"]))
        self.parent = dict(zip(regions["id"], regions["parent"]))
        self.level = dict(zip(regions["id"], regions["level"]))
        self.name = dict(zip(regions["id"], regions["name"]))
        for rid, name, aliases in zip(regions["id"], regions["name"], regions["aliases"]):
            keys = {name, _short(name), *(aliases if isinstance(aliases, list) else [])}
            for k in keys:
                self.by_key.setdefault(k, set()).add(rid)
            if len(name) >= 3:
                self.full.append((name, rid))
        self.full.sort(key=lambda x: -len(x[0]))

    def region_of(self, text: str) -> str | None:
        ids = self.by_key.get(text.strip())
        return next(iter(ids)) if ids and len(ids) == 1 else None

    def in_address(self, address: str) -> str | None:
        for name, rid in self.full:
            if name in address and self.level.get(rid) != "province":
                return rid
        prov = _province_from_name(address)
        if prov is None:
            return None
        return next((r for r, p in self.province.items() if p == prov and self.level[r] == "province"), None)

    def in_name(self, name: str) -> str | None:
        """The province a name places itself in: a region in brackets (样例平台（天津）, （滨海新区）), or a
        full region name it starts with (天津市…, 唐山市…); not a bare 北京 before another word, since
        北京大学天津研究院 is in Tianjin.
        """
        folded = fold_name(name)
        for inner in _BRACKETED.findall(folded):
            rid = self.region_of(inner) or self.region_of(inner.removesuffix("市"))
            if rid is not None:
                return self.province.get(rid)
        for full, rid in self.full:
            if folded.startswith(full):
                return self.province.get(rid)
        return None

    def city_of(self, rid: str) -> str | None:
        parent = self.parent.get(rid)
        if isinstance(parent, str) and self.level.get(parent) == "city":
            return self.name[parent]
        return None


def _province_from_name(name: str) -> str | None:
    return next((prov for prov in schema.PROVINCES if name.startswith(prov)), None)  # 北京市… starts with 北京


def _province_from_code(code: str | None) -> str | None:
    if not code:
        return None
    return next((p for p, c in schema.PROVINCE_CODES.items() if code[2:4] == c), None)


def _credit(value: str, notes: list[str]) -> str | None:
    if not value:
        return None
    msg = normalize.credit_code_error(value)
    if msg:
        notes.append(f"credit code not used: {msg}")
        return None
    return value.strip().upper()


def make_plan(lst: PublishedList, tables: Tables, *, as_: str = "platforms", province: str | None = None,
              source: str | None = None) -> Plan:
    """Resolve every row of ``lst`` (and its operators) against ``tables``; change nothing.

    Parameters
    ----------
    lst : PublishedList
        The list, as ``read_published`` returns it.
    tables : Tables
        The store's tables.
    as_ : ``"platforms"`` or ``"organizations"``
        What a row is: a platform (type ``platform``), or an organization whose type comes from a
        类型 column or, failing that, from its name.
    province : str, optional
        The province of every row (北京, 天津, 河北 …); otherwise taken from a 省份 column, the
        district, the address or the credit code.
    source : str, optional
        Provenance to record instead of the list's title.
    """
    if as_ not in ("platforms", "organizations"):
        raise InputError(Problem(lst.where, None, None, f"--as {as_!r}: expected platforms or organizations"))
    if province is not None:
        try:
            province = normalize.province(province)
        except ValueError as err:
            raise InputError(Problem("--province", None, None, str(err))) from None
    orgs = tables.organizations
    index = EntityIndex.from_columns(orgs["id"], orgs["name"], orgs["aliases"], orgs["credit_code"], orgs["type"])
    existing_ids = set(orgs["id"])
    types = dict(zip(orgs["id"], orgs["type"]))
    provinces = dict(zip(orgs["id"], orgs["province"]))
    sectors = NameIndex(tables.sectors, "sector", "the store's sectors")
    places = _Places(tables.regions)
    provenance = source or lst.title or ""
    lines: list[PlanLine] = []
    unplaced: list[int] = []
    skipped: list[tuple[int, str]] = []
    conflicts: list[Problem] = []
    columns = {f: h for h, f in lst.used.items()}
    for r, values in lst.rows:
        name = values.get("name", "")
        if not name:
            skipped.append((r, "no name"))
            continue
        notes: list[str] = []
        code = _credit(values.get("credit_code", ""), notes)
        if as_ == "platforms":
            otype = "platform"
        else:
            t = schema.org_type(values["type"]) if values.get("type") else None
            if values.get("type") and t is None:
                notes.append(f"type {values['type']!r} not known; taken from the name")
            otype = t.key if t else _type_from_name(name)
        prov, city, district, conflict = _place(values, province, code, places, notes, name)
        if conflict is not None:
            f, value, other = conflict
            conflicts.append(Problem(lst.where, r, columns.get(f, f),
                                     f"--province {province}, but {value!r} is in {other}: a row never takes "
                                     "--province against its own place; correct the row, or import without "
                                     "--province (each row is then placed by its own district, name or code)"))
            continue
        if prov is None and schema.ORG_TYPES[otype].province_required:
            unplaced.append(r)
        where = f"{lst.file}, sheet {lst.sheet}, row {r}" if lst.sheet else f"{lst.file}, row {r}"
        org = {"name": name, "type": otype, "province": prov or "", "city": city or "", "district": district or "",
               "credit_code": code or "", "source": f"{provenance} ({where})" if provenance else where}
        org["sectors"] = ";".join(_sectors(values.get("sectors", ""), sectors, notes))
        if values.get("level"):
            try:
                org["level"] = normalize.enum(values["level"], schema.LEVELS, "level")
            except ValueError:
                notes.append(f"level {values['level']!r} not known; left empty")
        res = _same_province(index.resolve(name, code, otype), prov, provinces, index, code)
        platform = _line(r, "platform", name, res, otype, code, existing_ids, org, notes, types)
        lines.append(platform)
        if prov is None and schema.ORG_TYPES[otype].province_required and res.action == NEW:
            lines[-1].note = "; ".join(filter(None, [lines[-1].note, "province unknown: pass --province"]))
        ops = _operators(values.get("operator", ""), index)
        for op in ops:
            op_notes: list[str] = []
            op_code = _credit(values.get("operator_credit_code", ""), op_notes) if len(ops) == 1 else None
            op_type = _type_from_name(op)
            op_prov = _province_from_code(op_code) or _province_from_name(op)
            own = {platform.id} if platform.id else set()
            res = index.resolve(op, op_code, exclude=own)  # never the row's own platform: no self-loop
            if own and index.resolve(op, op_code).id in own:
                op_notes.append(f"not the row's own platform {platform.id}")
            res = _same_province(res, op_prov, provinces, index, op_code)
            if op_prov is None and prov:
                op_prov = prov
                if res.action == NEW:
                    op_notes.append(f"province {prov} taken from the row")
            op_org = {"name": op, "type": op_type, "province": op_prov or "", "credit_code": op_code or "",
                      "source": org["source"]}
            line = _line(r, "operator", op, res, op_type, op_code, existing_ids, op_org, op_notes)
            if res.action == NEW:
                line.note = "; ".join(filter(None, [f"type {op_type} from the name", line.note]))
            lines.append(line)
    if conflicts:
        raise InputError(conflicts)
    return Plan(lines, unplaced, skipped, provenance, file=lst.where, rows=len(lst.rows))


def _operators(cell: str, index: EntityIndex) -> list[str]:
    """The operators a cell names: one name when the whole cell is a stored name (北京市科学技术委员会、中关村
    科技园区管理委员会 is one agency), else the names between 、 and ;."""
    cell = cell.strip()
    if not cell:
        return []
    if _SPLIT_NAMES.search(cell) and index.resolve(cell).action == MATCH:
        return [cell]
    return [o for o in _SPLIT_NAMES.split(cell) if o]


def _same_province(res: Resolution, prov: str | None, provinces: dict, index: EntityIndex,
                   code: str | None) -> Resolution:
    """A match in another province than the row's is ambiguous, unless the list's credit code names it.

    样例氢能中试平台（天津） in 滨海新区 is not the Beijing 样例氢能中试平台 because the names fold alike.
    """
    if res.action != MATCH or not prov:
        return res
    theirs = provinces.get(res.id)
    if not isinstance(theirs, str) or not theirs or theirs == prov:
        return res
    if code and res.id in index.credit.get(code.upper(), ()):
        return res
    return Resolution(AMBIGUOUS, None, res.candidates,
                      f"{res.id} is in {theirs}, this row in {prov}: the same organization, or another of that "
                      "name? (write match or new)")


def _line(row, entity, name, res: Resolution, otype, code, existing_ids, org, notes, types=None) -> PlanLine:
    if res.action == MATCH:
        oid = res.id
        if types is not None and types.get(oid) not in (None, otype) and entity == "platform":
            notes = [*notes, f"the store has it as {types[oid]}; kept so"]
    elif res.action == NEW:
        oid = _stable_id(otype, name, code)
        if oid in existing_ids:  # made by an earlier import of a spelling this index folds apart
            res = Resolution(MATCH, oid, [(oid, 1.0)])
    else:
        oid = ""
    note = "; ".join(filter(None, [res.note, *notes]))
    return PlanLine(row, entity, name, res.action, oid, res.candidates_text(),
                    f"{res.score:.2f}" if res.score is not None else "", note, org)


def _place(values, province, code, places: _Places, notes, name: str = ""
           ) -> tuple[str | None, str | None, str | None, tuple[str, str, str] | None]:
    """Province, city and district of a row, and what in the row contradicts ``province`` (--province).

    The contradiction is ``(field, value, its province)``: a 省份 column, a district, city or address
    in the region tree, or the name (a bracketed region, a full region name it starts with) that
    places the row in another province than the one given for every row.
    """
    district = values.get("district") or ""
    city = values.get("city") or ""
    rid = places.region_of(district) if district else None
    rid_field = "district" if rid is not None else None
    if rid is None and city:
        rid = places.region_of(city)
        rid_field = "city" if rid is not None else None
    if rid is None and values.get("address"):
        rid = places.in_address(values["address"])
        rid_field = "address" if rid is not None else None
        if rid is not None and not district and places.level.get(rid) == "district":
            district = places.name[rid]
    own: list[tuple[str, str, str]] = []  # (field, value, province) the row itself says
    if values.get("province"):
        try:
            own.append(("province", values["province"], normalize.province(values["province"])))
        except ValueError as err:
            notes.append(str(err))
    if rid is not None and places.province.get(rid):
        own.append((rid_field, values[rid_field], places.province[rid]))
    in_name = places.in_name(name) if name else None
    if in_name:
        own.append(("name", name, in_name))
    conflict = next((o for o in own if province is not None and o[2] != province), None)
    prov = province or (own[0][2] if own else None) or _province_from_code(code)
    if province is None and len({o[2] for o in own}) > 1:
        notes.append("the row names two provinces: " + ", ".join(f"{f} {v!r} → {p}" for f, v, p in own)
                     + f"; {prov} taken")
    if district and rid is None:
        notes.append(f"district {district!r} not in the region tree")
    if rid is not None and not city:
        city = places.city_of(rid) or ""
    return prov, city or None, district or None, conflict


#: a sector name shared by several sectors (生物医药: a chain and a cluster) is read as the first kind here
_KIND_ORDER = ("chain", "industry", "cluster")


def _sectors(cell: str, sectors: NameIndex, notes: list[str]) -> list[str]:
    out = []
    for item in (x for x in _SPLIT_SECTORS.split(cell.strip()) if x):
        try:
            sid = sectors.resolve(item)
        except ValueError as err:
            hits = sorted(set(sectors.by_name.get(sectors._key(item), [])),
                          key=lambda h: (_KIND_ORDER.index(sectors.kind.get(h)) if sectors.kind.get(h) in _KIND_ORDER
                                         else len(_KIND_ORDER), h))
            if not hits:
                notes.append(f"sector not set: {err}")
                continue
            sid = hits[0]
            notes.append(f"sector {item!r} read as {sid} ({sectors.kind.get(sid)}; also {', '.join(hits[1:])})")
        if sid not in out:
            out.append(sid)
    return out


# ----------------------------------------------------------------------------- the plan file


def write_plan(plan: Plan, path: str | Path) -> Path:
    """Write the plan as CSV (UTF-8 with BOM, so Excel opens it), exactly ``PLAN_COLUMNS``."""
    path = Path(path)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(PLAN_COLUMNS)
    for ln in plan.lines:
        w.writerow([_neutral(v) for v in ln.as_row()])
    return write_text(path, buf.getvalue(), encoding="utf-8-sig")


#: a cell starting with one of these is run as a formula by a spreadsheet (OWASP's list)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutral(v: str) -> str:
    """A cell that a spreadsheet would run as a formula gets a leading apostrophe (a number stays as it is)."""
    return "'" + v if v[:1] in _FORMULA_START and not v.lstrip("-").replace(".", "").isdigit() else v


def _unneutral(v: str) -> str:
    """A plan cell as written before ``_neutral``: its apostrophe off (only where ``_neutral`` put one)."""
    return v[1:] if v[:1] == "'" and v[1:2] in _FORMULA_START else v


def read_plan(path: str | Path, plan: Plan, tables: Tables | None = None) -> Plan:
    """Overlay a user-edited plan file on ``plan`` (made afresh from the same list).

    The user's ``action`` and ``id`` win; every line of the file must be a line of ``plan``, and a
    line deleted from the file is not applied. With ``tables`` (the store's), a ``new`` id the store
    has already is an error. Every error names the plan file's row and column; nothing is changed.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(str(path), None, None, "no such plan file: write one first with "
                                 "`jjjkg import FILE --plan PLAN.csv` (without --apply)"))
    text = decode(path.read_bytes(), path.name)
    reader = csv_rows(text, path.name)
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in ("row", "entity", "name", "action", "id") if c not in header]
    if missing:
        raise InputError(Problem(path.name, 1, ", ".join(missing), f"expected the plan's columns "
                                 f"{','.join(PLAN_COLUMNS)}; missing {', '.join(missing)}"))
    col = {c: header.index(c) for c in header}
    by_key = {ln.key(): ln for ln in plan.lines}
    existing = dict(zip(tables.organizations["id"], tables.organizations["name"])) if tables is not None else {}
    seen: dict[tuple[int, str, str], int] = {}
    problems = []
    notes: list[str] = []
    taken = _other_ids(tables) if tables is not None else {}
    for n, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        get = lambda c: _unneutral(cells[col[c]].strip())  # noqa: E731
        bad = [p for c in ("row", "entity", "name", "action", "id") for p in check_value(path.name, n, c, get(c))[0]]
        if bad:
            problems.extend(bad)
            continue
        try:
            key = (int(get("row")), get("entity"), get("name"))
        except ValueError:
            problems.append(Problem(path.name, n, "row", f"expected a row number, got {get('row')!r}"))
            continue
        line = by_key.get(key)
        if line is None:
            problems.append(Problem(path.name, n, "name", f"the list has no {key[1]} {key[2]!r} in row {key[0]}: "
                                    "was this plan made for another list?"))
            continue
        if key in seen:
            problems.append(Problem(path.name, n, "row", f"the same list row and name as line {seen[key]}; keep one"))
            continue
        action = get("action").lower()
        if action not in ACTIONS:
            problems.append(Problem(path.name, n, "action", f"expected {', '.join(ACTIONS)}; got {get('action')!r}"))
            continue
        oid = get("id")
        if action in (MATCH, NEW) and not oid:
            problems.append(Problem(path.name, n, "id", f"action {action} needs an id"))
            continue
        if action == NEW and oid in existing:
            problems.append(Problem(path.name, n, "id", f"new {oid!r}: the store has that id already, for "
                                    f"{existing[oid]!r}; write match to mean it, or another id"))
            continue
        if action == NEW and (why := _id_problem(oid, taken)):
            problems.append(Problem(path.name, n, "id", f"new {oid!r}: {why}"))
            continue
        if action == MATCH and oid in existing and oid != line.id and not _related(line.name, existing[oid]):
            notes.append(f"{path.name}, row {n}: match {oid!r} ({existing[oid]}) for the {line.entity} "
                         f"{line.name!r}: the names have nothing in common; applied as written")
        line.action, line.id = action, oid
        seen[key] = n
    if tables is not None:  # a match names an organization of the store, or one the plan creates
        created = {ln.id for ln in plan.lines if ln.action == NEW and ln.key() in seen}
        problems.extend(Problem(path.name, seen[ln.key()], "id", f"match {ln.id!r}: no organization has that id in "
                                "the store or in this plan; write an existing id, or new")
                        for ln in plan.lines if ln.key() in seen and ln.action == MATCH
                        and ln.id not in existing and ln.id not in created)
    for ln, other in _shared_new_ids([ln for ln in plan.lines if ln.key() in seen]):
        problems.append(Problem(path.name, seen[ln.key()], "id", f"new {ln.id!r} is also the id of line "
                                f"{seen[other.key()]} ({other.entity} {other.name!r}, list row {other.row}): one id "
                                "is one organization; give each its own id, or write match on one of them"))
    if problems:
        raise InputError(problems)
    plan.notes.extend(notes)
    for line in plan.lines:  # a line deleted from the file is not applied
        if line.key() not in seen:
            line.action, line.note = SKIP, _NOT_IN_FILE
    return plan


def _other_ids(tables: Tables) -> dict[str, str]:
    """The ids a new organization may not take: the store's sectors', services' and regions' (id → what)."""
    out: dict[str, str] = {}
    for what, df in (("region", tables.regions), ("service", tables.services), ("sector", tables.sectors)):
        for i, name in zip(df["id"], df["name"]):
            out[str(i)] = f"the {what} {name}"
    return out


#: character names of scripts whose letters look like Latin ones (А, Е, О, Р, С, Х; Α, Ο …)
_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE")


def _id_problem(oid: str, taken: dict[str, str]) -> str | None:
    """Why ``oid`` may not be a new id: another kind of node has it, or it does not read as it is written."""
    if oid in taken:
        return f"{taken[oid]} has that id; an organization needs an id of its own"
    for k, ch in enumerate(oid, start=1):
        if ch.isascii() and ch.isprintable():
            continue
        what = f"U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')}) at character {k}"
        if unicodedata.normalize("NFKC", ch) != ch:
            why = f"{what} is a full-width or compatibility form of {unicodedata.normalize('NFKC', ch)!r}"
        elif unicodedata.category(ch)[0] in "CZM":
            why = f"{what} is invisible"
        elif unicodedata.name(ch, "").startswith(_LOOKALIKE_SCRIPTS):
            why = f"{what} looks like a Latin letter"
        else:
            continue
        return why + ", so the id would look like another; write ids with ASCII letters, digits, _ and -"
    return None


def _related(a: str, b: str) -> bool:
    """Whether two names have something in common: a stretch of their cores alike."""
    from rapidfuzz import fuzz

    ca, cb = name_keys(a)[1], name_keys(b)[1]
    return fuzz.partial_ratio(ca, cb) >= 50


def _shared_new_ids(lines: list[PlanLine]) -> list[tuple[PlanLine, PlanLine]]:
    """``(line, earlier line)`` for each ``new`` id that names two organizations: lines of different names, or a
    platform and an operator (one name on several rows — an operator of two platforms, a platform listed once
    per operator — is one organization)."""
    first: dict[str, PlanLine] = {}
    out = []
    for ln in lines:
        if ln.action != NEW:
            continue
        other = first.setdefault(ln.id, ln)
        if other is ln:
            continue
        if not (ln.entity == other.entity and fold_name(ln.name) == fold_name(other.name)):
            out.append((ln, other))
    return out


# ----------------------------------------------------------------------------- applying


@dataclass
class Applied:
    """What applying a plan adds, and what it leaves out."""

    tables: Tables | None  # None when there is nothing to add
    organizations: list[str]
    relations: list[tuple[str, str, str]]
    left_out: list[str]  # plan lines not applied, said in words


def apply_plan(plan: Plan, tables: Tables, where: str) -> Applied:
    """The store's tables with the plan's new organizations and OPERATES relations added.

    Validated by the loaders ``build`` uses; raises ``InputError`` (naming plan rows) and adds
    nothing when a line cannot be applied.
    """
    orgs = tables.organizations
    existing = dict(zip(orgs["id"], orgs["type"]))
    problems: list[Problem] = [
        Problem(where, ln.row, ln.entity, f"new {ln.id!r} is also the id of row {other.row}'s {other.entity} "
                f"{other.name!r}: one id is one organization; give each its own id in the plan")
        for ln, other in _shared_new_ids([ln for ln in plan.lines if ln.action == NEW])]
    new_orgs: dict[str, dict] = {}
    left_out: list[str] = []
    ids_of_row: dict[tuple[int, str], str] = {}
    platform_rows = set()
    # platforms first: an operator's row whose platform is left out is left out too
    for ln in sorted(plan.lines, key=lambda x: x.entity != "platform"):
        if ln.action in (AMBIGUOUS, SKIP):
            why = ln.note if ln.note == _NOT_IN_FILE else ln.action
            left_out.append(f"row {ln.row} {ln.entity} {ln.name!r}: {why}"
                            + (f" (candidates {ln.candidates})" if ln.candidates and ln.action == AMBIGUOUS else ""))
            continue
        if ln.entity == "operator" and ln.row not in platform_rows:
            left_out.append(f"row {ln.row} operator {ln.name!r}: the row's platform is left out")
            continue
        if ln.action == MATCH:
            if ln.id not in existing and ln.id not in new_orgs:
                problems.append(Problem(where, ln.row, ln.entity, f"match {ln.id!r}: no organization has that id in "
                                        "the store; write an existing id, or new"))
                continue
        else:  # new
            if ln.id in existing:
                problems.append(Problem(where, ln.row, ln.entity, f"new {ln.id!r}: the store has that id already "
                                        f"({orgs.loc[orgs['id'] == ln.id, 'name'].iloc[0]}); write match"))
                continue
            if not ln.org.get("province") and schema.ORG_TYPES[ln.org["type"]].province_required:
                left_out.append(f"row {ln.row} {ln.entity} {ln.name!r}: no province (pass --province)")
                continue
            new_orgs.setdefault(ln.id, {**ln.org, "id": ln.id, ROW: ln.row})
        if ln.entity == "platform":
            platform_rows.add(ln.row)
            ids_of_row[(ln.row, ln.entity)] = ln.id
    if problems:
        raise InputError(problems)
    have = set(zip(tables.relations["from_id"], tables.relations["relation"], tables.relations["to_id"]))
    new_rels: list[dict] = []
    for ln in plan.lines:
        known = ln.id in existing or ln.id in new_orgs
        if ln.entity != "operator" or ln.action not in (MATCH, NEW) or not known:
            continue
        target = ids_of_row.get((ln.row, "platform"))
        if target is None:
            continue  # the row's platform is left out: so is its operator's relation
        if ln.id == target:  # an edited plan may say so: a self-loop is never what a list means
            problems.append(Problem(where, ln.row, ln.entity, f"{ln.id!r} is the row's platform itself: an "
                                    "organization does not operate itself; write the operator's own id, new, or skip"))
            continue
        key = (ln.id, "OPERATES", target)
        if key in have:
            continue
        have.add(key)
        new_rels.append({"from_id": ln.id, "relation": "OPERATES", "to_id": target, "year": "", "weight": "",
                         "source": ln.org.get("source", ""), ROW: ln.row})
    if problems:
        raise InputError(problems)
    if not new_orgs and not new_rels:
        return Applied(None, [], [], left_out)
    added = _validated_orgs(list(new_orgs.values()), tables, where)
    all_orgs = pd.concat([orgs, added], ignore_index=True)
    rels = tables.relations
    if new_rels:
        types = dict(zip(all_orgs["id"], all_orgs["type"]))
        raw = _raw("relations", new_rels, where)
        rels_added, warn = validate_relations(raw, types)
        rels = pd.concat([rels, rels_added], ignore_index=True)
    # the store remembers the list it took in: the briefing names the lists merged into its data
    merged = {"title": plan.source, "file": plan.file, "date": date.today().isoformat(), "rows": plan.rows,
              "added": len(new_orgs)}
    out = Tables(all_orgs, rels, tables.sectors, tables.services, tables.regions, warnings=[],
                 source=tables.source, imports=[*tables.imports, merged])
    return Applied(out, list(new_orgs), [(r["from_id"], r["relation"], r["to_id"]) for r in new_rels], left_out)


def _raw(table: str, rows: list[dict], where: str) -> RawTable:
    cols = schema.TABLES[table].names
    df = pd.DataFrame({c: [str(r.get(c, "") or "") for r in rows] for c in cols})
    df[ROW] = [r[ROW] for r in rows]
    return RawTable(table, where, df, {c: c for c in cols})


def _validated_orgs(rows: list[dict], tables: Tables, where: str) -> pd.DataFrame:
    raw = _raw("organizations", rows, where)
    problems, _ = check_cells(raw)  # ids from an edited plan: the rule every table's cells follow
    if problems:
        raise InputError(problems)
    df, _ = validate_organizations(raw, NameIndex(tables.sectors, "sector", "the store's sectors"),
                                   NameIndex(tables.services, "service", "the store's services"),
                                   RegionIndex(tables.regions))
    return df
