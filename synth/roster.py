"""A roster shaped like Tianjin's, scaled to N reporting accounts.

Tree (who administers whom):
  市级部门 (top level) → 市属事业单位;  市教委 → 高等学校 and 市属中小学 (type 中小学, 所在区 市级)
  区科技局 (top level) → 区级部门, 区教育局 → 中小学
  科普基地, 其他机构: top level (send directly)
  科普场馆: own account, the owner's 统一社会信用代码, 所属单位账号 = owner,
            administrator = the owner's administrator (or the owner when the owner is top level)
"""

from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook

from registry.uscc import ALPHABET, make_code
from synth import names as N
from synth.units import Unit

# code kind -> (registration dept, org type)
CODE_KIND = {"gov": ("1", "1"), "pi": ("1", "2"), "grp": ("1", "3"), "ent": ("9", "1"), "npo": ("5", "2"),
             "soc": ("5", "1")}


class _Codes:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def make(self, kind: str, division: str) -> str:
        reg, typ = CODE_KIND[kind]
        while True:
            if kind == "ent":
                body = "MA" + "".join(self.rng.choice(ALPHABET[:31]) for _ in range(6))
            elif kind in ("gov", "grp"):
                body = f"{self.rng.choice(['0000', '4010', '7386', '6904'])}{self.rng.randint(0, 9999):04d}"
            else:
                body = f"{self.rng.choice(['4010', '4013', '7545', '6666', '0000'])}{self.rng.randint(0, 9999):04d}"
            code = make_code(reg, typ, division, body)
            if code not in self.used:
                self.used.add(code)
                return code


def _alloc(n: int) -> dict[str, int]:
    """How many units of each kind a world of n accounts has."""
    n_muni = min(30, max(3, round(n * 0.08)))
    n_dist = min(16, max(2, round(n * 0.06)))
    rest = max(0, n - n_muni - 2 * n_dist)
    shares = {"市属事业单位": 0.14, "区级部门": 0.20, "中小学": 0.40, "高等学校": 0.06, "科普基地": 0.08,
              "科普场馆": 0.07, "其他机构": 0.05}
    a = {k: int(rest * v) for k, v in shares.items()}
    # caps that keep names realistic; overflow goes to schools
    cap_dept = n_dist * (len(N.DISTRICT_DEPTS))
    if a["区级部门"] > cap_dept:
        a["中小学"] += a["区级部门"] - cap_dept
        a["区级部门"] = cap_dept
    cap_uni = len(N.UNIVERSITIES) + len(N.MUNI_SCHOOLS) + 30
    if a["高等学校"] > cap_uni:
        a["中小学"] += a["高等学校"] - cap_uni
        a["高等学校"] = cap_uni
    if a["科普基地"] > 400:
        a["市属事业单位"] += (a["科普基地"] - 400) // 2
        a["中小学"] += a["科普基地"] - 400 - (a["科普基地"] - 400) // 2
        a["科普基地"] = 400
    cap_other = len(N.OTHER_ORGS) * 3
    if a["其他机构"] > cap_other:
        a["科普基地"] += a["其他机构"] - cap_other
        a["其他机构"] = cap_other
    a["中小学"] += rest - sum(a.values())
    a["市级部门"], a["区科技局"] = n_muni, n_dist
    return a


MIN_UNITS = 50     # the smallest world the CLI offers: every unit kind present
SMALL_MIN_UNITS = 8  # tests' small worlds (synth.world.build_world(small=True)): fewer kinds of unit


def build_roster(n: int, rng: random.Random, minimum: int = MIN_UNITS) -> list[Unit]:
    if n < minimum:
        raise ValueError(f"--units 至少为 {minimum}")
    alloc = _alloc(n)
    codes = _Codes(rng)
    units: list[Unit] = []
    seq = [0]
    names: set[str] = set()

    def acct(division: str) -> str:
        seq[0] += 1
        return f"tj{division}{seq[0]:05d}"

    def unique(name: str) -> str:
        base, k = name, 2
        while name in names:
            name = f"{base}（{N.cn_number(k)}）" if not base.endswith(("学", "校", "园")) else base.replace("天津市", f"天津市第{N.cn_number(k)}", 1)
            k += 1
            if k > 50:
                name = f"{base}{k}"
        names.add(name)
        return name

    def add(name: str, typ: str, district: str, division: str, kind: str, admin: str | None,
            is_venue: bool = False, owner: Unit | None = None) -> Unit:
        gov = kind in ("gov", "grp") or typ in ("市级部门", "区科技局", "区级部门", "区教育局")
        contact = N.person(rng)
        u = Unit(account=acct(division), name=unique(name),
                 uscc=owner.uscc if owner else codes.make(kind, division), type=typ, district=district,
                 admin_account=admin, is_venue=is_venue, owner_account=owner.account if owner else None,
                 contact=contact, phone=N.phone(rng),
                 email=N.gov_email(rng) if gov and rng.random() < 0.8 else N.personal_email(rng),
                 division=division)
        units.append(u)
        return u

    # municipal departments
    munis: list[Unit] = []
    for short, full, kind in N.MUNICIPAL_DEPTS[: alloc["市级部门"]]:
        u = add(full, "市级部门", "市级", N.MUNICIPAL_DIVISION, kind, None)
        u.short = short  # type: ignore[attr-defined]
        munis.append(u)
    jw = next(u for u in munis if u.name == "天津市教育委员会")
    # district bureaus + education bureaus
    districts = N.DISTRICTS[: alloc["区科技局"]] if alloc["区科技局"] < 16 else N.DISTRICTS
    bureaus: dict[str, Unit] = {}
    edu: dict[str, Unit] = {}
    for d, div in districts:
        bureaus[d] = add(f"天津市{d}科学技术局", "区科技局", d, div, "gov", None)
    for d, div in districts:
        edu[d] = add(f"天津市{d}教育局", "区教育局", d, div, "gov", bureaus[d].account)
    # 直属事业单位, spread over departments (some have many, some none)
    subs: list[Unit] = []
    weights = [3.0 if getattr(m, "short", "") in N.SPECIAL_SUBS else 1.0 for m in munis]
    used_sub: dict[str, int] = {}
    for _ in range(alloc["市属事业单位"]):
        m = rng.choices(munis, weights)[0]
        short = getattr(m, "short", "")
        k = used_sub.get(m.account, 0)
        used_sub[m.account] = k + 1
        special = N.SPECIAL_SUBS.get(short, [])
        if k < len(special):
            name = special[k]
        else:
            field = N.DEPT_FIELD.get(short, "科技")
            name = f"天津市{field}{N.SUB_SUFFIXES[(k - len(special)) % len(N.SUB_SUFFIXES)]}"
        subs.append(add(name, "市属事业单位", "市级", N.MUNICIPAL_DIVISION, "pi", m.account))
    # district departments, round-robin over districts
    dd: list[Unit] = []
    dlist = list(districts)
    for i in range(alloc["区级部门"]):
        d, div = dlist[i % len(dlist)]
        pat, kind = N.DISTRICT_DEPTS[(i // len(dlist)) % len(N.DISTRICT_DEPTS)]
        dd.append(add(pat.format(d=d), "区级部门", d, div, kind, bureaus[d].account))
    # universities and municipal schools under 市教委
    for i in range(alloc["高等学校"]):
        if i < len(N.UNIVERSITIES):
            add(N.UNIVERSITIES[i], "高等学校", "市级", N.MUNICIPAL_DIVISION, "pi", jw.account)
        elif i - len(N.UNIVERSITIES) < len(N.MUNI_SCHOOLS):
            add(N.MUNI_SCHOOLS[i - len(N.UNIVERSITIES)], "中小学", "市级", N.MUNICIPAL_DIVISION, "pi", jw.account)
        else:
            t = rng.choice(N.TOPICS)
            add(f"天津{t}职业技术学院", "高等学校", "市级", N.MUNICIPAL_DIVISION, "pi", jw.account)
    # district schools (bigger districts get more)
    dweights = [3 if d in ("滨海新区", "武清区", "西青区", "南开区", "河西区", "北辰区") else 2 for d, _ in dlist]
    counters: dict[str, int] = {}
    for _ in range(alloc["中小学"]):
        d, div = rng.choices(dlist, dweights)[0]
        counters[d] = counters.get(d, 0) + 1
        r = rng.random()
        short = d.removesuffix("区") if d != "滨海新区" else "滨海新区"
        if r < 0.35:
            name = f"天津市{d}{rng.choice(N.STREETS)}小学"
        elif r < 0.6:
            name = f"天津市{short}区第{N.cn_number(rng.randint(1, 120))}中学" if d != "滨海新区" else f"天津市滨海新区{rng.choice(N.STREETS)}第{N.cn_number(rng.randint(1, 60))}中学"
        elif r < 0.8:
            name = f"天津市{d}{rng.choice(N.STREETS)}中学"
        elif r < 0.9:
            name = f"天津市{d}{rng.choice(['实验', '育才', '师范附属', '外国语', '朝阳', '阳光'])}{rng.choice(['小学', '中学', '学校'])}"
        else:
            name = f"天津市{d}{rng.choice(N.STREETS)}{rng.choice(['九年制学校', '职业中专', '幼儿园'])}"
        name = name.replace("区区", "区")
        add(name, "中小学", d, div, "pi", edu[d].account)
    # 市级科普基地
    bases: list[Unit] = []
    for _ in range(alloc["科普基地"]):
        t, o = rng.choice(N.TOPICS), rng.choice(N.BASE_ORGS)
        kind = "ent" if "公司" in o else rng.choice(["pi", "npo"])
        prefix = rng.choice(["天津", "天津市", "天津滨海"])
        bases.append(add(f"{prefix}{t}{o}", "科普基地", "市级", N.MUNICIPAL_DIVISION, kind, None))
    # other institutions
    for i in range(alloc["其他机构"]):
        nm = N.OTHER_ORGS[i % len(N.OTHER_ORGS)]
        if i >= len(N.OTHER_ORGS):
            nm = nm.replace("天津市", f"天津市{rng.choice(N.TOPICS)}")
        add(nm, "其他机构", "市级", N.MUNICIPAL_DIVISION, "soc", None)
    # venues: a separate account carrying the owner's code
    owners = bases + subs + dd + [u for u in units if u.type == "高等学校"]
    by_acc = {u.account: u for u in units}
    venue_owners: set[str] = set()
    for _ in range(alloc["科普场馆"]):
        pool = [o for o in owners if o.account not in venue_owners] or owners
        o = rng.choice(pool)
        venue_owners.add(o.account)
        label, vkind = rng.choice(N.VENUE_KINDS)
        base = o.name
        for suf in ("有限公司", "委员会", "管理局", "局", "中心", "研究院", "研究所"):
            if base.endswith(suf) and len(base) > len(suf) + 4:
                base = base[: -len(suf)]
                break
        admin = o.admin_account or o.account
        v = add(f"{base}{label}", "科普场馆", o.district, o.division, "pi", admin, is_venue=True, owner=o)
        v.venue_kind = vkind
        by_acc[v.account] = v
    return units


ROSTER_COLUMNS = ["账号", "单位名称", "统一社会信用代码", "单位类型", "所在区", "上级管理单位账号", "是否科普场馆",
                  "所属单位账号", "联系人", "联系电话", "电子邮箱"]


def write_roster(units: list[Unit], path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("单位名单")
    ws.append(ROSTER_COLUMNS)
    for u in units:
        ws.append([u.account, u.name, u.uscc, u.type, u.district, u.admin_account or "", "是" if u.is_venue else "否",
                   u.owner_account or "", u.contact, u.phone, u.email])
    wb.save(path)
