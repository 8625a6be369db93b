"""A reporting unit of the synthetic world, and a demo unit/values for quick experiments."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from decimal import Decimal

UNIT_TYPES = ("市级部门", "市属事业单位", "区科技局", "区级部门", "区教育局", "中小学", "高等学校",
              "科普基地", "科普场馆", "其他机构", "管理员")


@dataclass
class Unit:
    account: str
    name: str
    uscc: str
    type: str = "市级部门"
    district: str = "市级"               # "市级" or a district name
    admin_account: str | None = None     # 上级管理单位账号; None = reports straight to the institute
    is_venue: bool = False
    owner_account: str | None = None     # 所属单位账号 (venues)
    contact: str = ""
    phone: str = ""
    email: str = ""
    division: str = "120000"             # 行政区划代码 used in the code
    venue_kind: str | None = None        # venues: 科技馆 | 博物馆 | 青少年 (which 科普场地 rows it fills)

    def to_dict(self) -> dict:
        return asdict(self)


def demo_unit() -> Unit:
    """A fixed, valid unit for experiments and tests (和平区科学技术局)."""
    from registry.uscc import make_code
    return Unit(account="tj120101kjj", name="天津市和平区科学技术局",
                uscc=make_code("1", "1", "120101", "00001234"), type="区科技局", district="和平区",
                admin_account=None, contact="王丽", phone="022-27301234", email="hpkjj@tj.gov.cn",
                division="120101")


def demo_values(unit: Unit, rng: random.Random) -> dict[str, Decimal | None]:
    """Plausible figures for the unit's type that satisfy the template rules."""
    from synth.values import generate_values
    return generate_values(unit.type, rng)
