"""What in a text could be an affected person's name, e-mail address, phone number or ID number,
in the form the people list stores it — for a notice that must name nobody (the internal brief:
counts only). The officer's own free texts (summary, remediation actions, advice) reach the brief
verbatim, and an officer pasting "张三丰 (13800138000) reported it" into the summary would send an
affected person's data to every responsible person under the line "no affected person is named".

Candidates are cheap to make and the people list is asked once for all of them (an exact match per
column, see storage.people.PeopleRepository.mentioned). Names: every 3- and 4-character run of
Chinese characters, every two-character run that starts with a common surname (张三, 王芳: about
a third of Chinese names have two characters; a run starting with any other character is an
ordinary word, never looked up), and every two or three consecutive Latin words (as written when
capitalised, and title-cased: ZHANG SAN, zhang san → Zhang San). Full-width characters are read as
their ASCII forms, and spaces between Chinese characters (张 三) are dropped first. An
ordinary word that is also somebody's name (高峰) is refused like a name: the message shows what
matched so the officer rewords it. Pure."""

from __future__ import annotations

import html
import re
import unicodedata
from itertools import pairwise

# A mainland mobile, optionally with +86/0086 and spaces or hyphens between the groups.
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)86[\s.-]?)?(1[3-9]\d)[\s.-]?(\d{4})[\s.-]?(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{16}[\dXx])(?![0-9A-Za-z])")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff·]{2,}")
# The commonest single-character surnames (they cover well over nine in ten people in China): a
# two-character candidate must start with one.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向"
    "汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌"
    "毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦"
    "麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩"
    "明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强"
    "帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓"
    "修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植"
    "衡富尧闭由")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")
# Spaces written between the characters of a Chinese name (张 三, 王　芳) are dropped first.
_CJK_SPACED = re.compile(r"(?<=[\u3400-\u4dbf\u4e00-\u9fff])[ \t\u3000](?=[\u3400-\u4dbf\u4e00-\u9fff])")
_TAG = re.compile(r"<[^>]+>")
# An e-mail address written in a text (the same shape as domain/mail/sending.py's, which the
# notices may not import).
_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def mention_candidates(text: str) -> dict[str, list[str]]:
    """Column -> values to look for in the people list (storage.people.MENTION_COLUMNS)."""
    # NFKC: full-width digits and letters (１３８…, ＺＨＡＮＧ) as the list stores them.
    plain = unicodedata.normalize("NFKC", html.unescape(_TAG.sub(" ", text)))
    plain = _CJK_SPACED.sub("", plain)
    emails = sorted({m.lower() for m in _ADDRESS.findall(plain)})
    phones = sorted({"+86" + "".join(m.groups()) for m in _MOBILE.finditer(plain)})
    ids = sorted({m.group(1).upper() for m in _ID_NUMBER.finditer(plain)})
    names: set[str] = set()
    for run in _CJK_RUN.findall(plain):
        names.update(run[i:i + 2] for i in range(len(run) - 1) if run[i] in SURNAMES)
        for size in (3, 4):
            names.update(run[i:i + size] for i in range(len(run) - size + 1))
    for line in plain.splitlines():
        words = [(m.group(0), m.start(), m.end()) for m in _LATIN_WORD.finditer(line)]
        for i in range(len(words)):
            for size in (2, 3):
                chunk = words[i:i + size]
                # consecutive words only: separated by one space
                if len(chunk) == size and all(line[a[2]:b[1]] == " " for a, b in pairwise(chunk)):
                    written = " ".join(w for w, _, _ in chunk)
                    # As written when capitalised, and as a list writes a name (ZHANG SAN, li si: Zhang San).
                    if all(w[0].isupper() for w, _, _ in chunk):
                        names.add(written)
                    names.add(written.title())
    found = {"email": emails, "guardian_email": emails, "phone": phones, "guardian_phone": phones,
             "id_number": ids, "name": sorted(names), "guardian_name": sorted(names)}
    return {k: v for k, v in found.items() if v}
