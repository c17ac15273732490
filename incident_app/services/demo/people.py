"""A generated list of affected people for the demo incident (never real personal data): names
made from common characters, example.com/example.cn addresses, 138-0000-xxxx style numbers,
children under 14 with guardians (some with an e-mail of their own, which is never used),
teenagers aged 14-17 with their own contact and a guardian (some known only by a resident ID
number, from which the birth date is read), some people with no contact at all, and a few typical mistakes
(a broken email, a landline, a duplicate row) so the import report has something to show."""

from __future__ import annotations

import csv
import random
import tempfile
from pathlib import Path

from incident_app.services.container import Services
from incident_app.services.people import ImportResult

DEMO_PEOPLE = 200
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚子轩欣怡梓涵一诺宇航思远雨桐"
_PLACES = ("上海市浦东新区碧波路", "北京市海淀区中关村大街", "广东省深圳市南山区科技园路", "浙江省杭州市西湖区文三路")
HEADER = ("用户ID", "姓名", "邮箱", "手机号", "地址", "出生日期", "监护人", "监护人邮箱", "监护人手机号",
          "涉及信息", "语言", "身份证号")


def demo_people_rows(seed: int = 118) -> list[tuple[str, ...]]:
    """The demo rows, reproducible."""
    rnd = random.Random(seed)
    rows = [_person(i, rnd) for i in range(1, DEMO_PEOPLE + 1)]
    rows[40] = (*rows[40][:2], "wang.wei@@example.com", *rows[40][3:])  # a typing mistake in an email
    rows[77] = (*rows[77][:3], "021-38760448", *rows[77][4:])  # a landline: kept, but no SMS
    rows.append(rows[12])  # the same person exported twice
    return rows


def _person(i: int, rnd: random.Random) -> tuple[str, ...]:
    name = rnd.choice(_SURNAMES) + "".join(rnd.choice(_GIVEN) for _ in range(rnd.choice((1, 2))))
    kind = "minor" if i % 25 == 0 else "teen" if i % 25 == 12 else "unreachable" if i % 40 == 7 else "adult"
    if kind == "unreachable":
        return (f"D{i:06d}", name, "", "", "", "", "", "", "", "phone_number;device_identifiers", "", "")
    email = f"user{i:04d}@example.com" if rnd.random() < 0.7 else ""
    phone = f"138{rnd.randrange(10**8):08d}"
    address = f"{rnd.choice(_PLACES)}{rnd.randrange(1, 900)}号" if rnd.random() < 0.3 else ""
    birth = f"{rnd.randint(1960, 2004)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
    guardian, id_number = ("", "", ""), ""
    if kind in ("minor", "teen"):
        years = (2013, 2018) if kind == "minor" else (2010, 2011)  # under 14 / 15-16 at the incident
        birth = f"{rnd.randint(*years)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        guardian = (rnd.choice(_SURNAMES) + rnd.choice(_GIVEN), f"parent{i:04d}@example.cn",
                    f"139{rnd.randrange(10**8):08d}")
        # Half the children have an e-mail of their own (never written to); teenagers are told directly.
        email = f"kid{i:04d}@example.com" if kind == "teen" or i % 50 == 0 else ""
        if kind == "teen" and i % 2:  # known only by a resident ID number: the birth date comes from it
            id_number, birth = _resident_id(birth), ""
    types = "手机号码、设备标识符（IMEI/OAID/IDFA/MAC 等）、IP 地址" if i % 3 else "phone_number;ip_address"
    return (f"D{i:06d}", name, email, phone, address, birth, *guardian, types, "en" if i % 17 == 0 else "zh-CN",
            id_number)


def _resident_id(birth: str) -> str:
    """A made-up resident ID number (Beijing Dongcheng) for a birth date, with a valid check digit."""
    from stdnum.cn import ric

    body = "110101" + birth.replace("-", "") + "019"
    return body + ric.calc_check_digit(body + "0")


def import_demo_people(services: Services, incident_id: int) -> ImportResult:
    """Write the demo list to a temporary CSV (UTF-8 with BOM, as Excel saves it) and import it
    through the same path an officer's file takes."""
    with tempfile.TemporaryDirectory(prefix="breach-desk-demo-") as folder:
        path = Path(folder) / "demo-affected-people.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(demo_people_rows())
        return services.people.import_file(incident_id, path)
