"""Which column of an affected-people file holds which field: English or Chinese headers in any
order (README: Affected people), with the aliases spreadsheets commonly use, and the officer's corrections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from incident_app.domain.errors import FieldProblem, ValidationError

FIELDS: tuple[str, ...] = (
    "user_id", "name", "email", "phone", "address", "birth_date", "age", "id_number", "guardian_name",
    "guardian_email", "guardian_phone", "data_types", "language",
)

# Canonical English and Chinese headers first, then common variants. Matching ignores case,
# spaces, underscores, hyphens and a trailing colon.
ALIASES: dict[str, tuple[str, ...]] = {
    "user_id": ("user_id", "用户ID", "userid", "uid", "account_id", "账号ID", "用户编号", "账号", "会员ID"),
    "name": ("name", "姓名", "full_name", "名字", "真实姓名", "联系人"),
    "email": ("email", "邮箱", "e-mail", "mail", "email_address", "电子邮箱", "电子邮件", "邮件地址", "邮箱地址"),
    "phone": ("phone", "手机号", "mobile", "phone_number", "mobile_phone", "tel", "telephone", "cell",
              "手机", "手机号码", "电话", "联系电话", "电话号码"),
    "address": ("address", "地址", "postal_address", "mailing_address", "联系地址", "通讯地址", "邮寄地址",
                "住址", "收货地址"),
    "birth_date": ("birth_date", "出生日期", "birthday", "date_of_birth", "dob", "birthdate", "生日", "出生年月日"),
    "age": ("age", "年龄"),
    "id_number": ("id_number", "身份证号", "身份证号码", "居民身份证号码", "身份证", "id_card", "resident_id",
                  "national_id", "证件号码"),
    "guardian_name": ("guardian_name", "监护人", "guardian", "监护人姓名", "parent_name"),
    "guardian_email": ("guardian_email", "监护人邮箱", "parent_email", "监护人电子邮箱", "监护人电子邮件"),
    "guardian_phone": ("guardian_phone", "监护人手机号", "parent_phone", "guardian_mobile", "监护人手机",
                       "监护人电话", "监护人手机号码", "监护人联系电话"),
    "data_types": ("data_types", "涉及信息", "data_type", "affected_data", "涉及数据", "泄露信息", "信息类型",
                   "数据类型"),
    "language": ("language", "语言", "lang", "locale", "通知语言"),
}


def header_key(text: str) -> str:
    """The comparable form of a header cell."""
    cleaned = text.strip().lstrip("\ufeff").rstrip(":：").lower()
    return "".join(ch for ch in cleaned if ch not in " _-\u3000")


_LOOKUP: dict[str, str] = {header_key(alias): name for name, aliases in ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class ColumnMapping:
    """For each column of the file (by position), the field it feeds, or None to ignore it."""

    headers: tuple[str, ...]
    fields: tuple[str | None, ...]

    def index_of(self, field: str) -> int | None:
        """Column position of ``field``, or None when no column feeds it."""
        try:
            return self.fields.index(field)
        except ValueError:
            return None

    def ignored_headers(self) -> tuple[str, ...]:
        return tuple(h for h, f in zip(self.headers, self.fields, strict=True) if f is None and h.strip())

    def as_dict(self) -> dict[str, str | None]:
        """Header text -> field (what a preview shows and a correction sends back)."""
        return dict(zip(self.headers, self.fields, strict=True))


def suggest_mapping(headers: Sequence[str]) -> ColumnMapping:
    """Recognise each header by alias. A field two columns claim (两个手机号列, both 用户ID and
    user_id) stays on both: :func:`check_usable` then refuses the mapping, naming the columns,
    until the officer re-maps or ignores one — silently keeping one would drop the other's data."""
    return ColumnMapping(tuple(headers), tuple(_LOOKUP.get(header_key(header)) for header in headers))


def apply_corrections(base: ColumnMapping, corrections: Mapping[str, str | None]) -> ColumnMapping:
    """The officer's corrections (header -> field, or None/'' to ignore) over the suggestion.

    Raises ValidationError naming an unknown header or field, or a field given two columns."""
    problems: list[FieldProblem] = []
    fields = list(base.fields)
    for header, field in corrections.items():
        if header not in base.headers:
            problems.append(FieldProblem(header, "no such column in the file; columns are: " + shown_headers(base)))
            continue
        if field and field not in FIELDS:
            problems.append(FieldProblem(header, f"unknown field '{field}'; choose one of: " + ", ".join(FIELDS)))
            continue
        fields[base.headers.index(header)] = field or None
    mapping = ColumnMapping(base.headers, tuple(fields))
    problems += _repeated_headers(mapping) or _duplicates(mapping)
    if problems:
        raise ValidationError(problems)
    return mapping


def _duplicates(mapping: ColumnMapping) -> list[FieldProblem]:
    """One problem per field fed by more than one column, naming the columns and the fix."""
    problems: list[FieldProblem] = []
    for field in dict.fromkeys(f for f in mapping.fields if f):
        columns = [i for i, f in enumerate(mapping.fields) if f == field]
        if len(columns) < 2:
            continue
        named = " and ".join(f"'{mapping.headers[i]}' (column {i + 1})" for i in columns)
        later = mapping.headers[columns[-1]]
        other = _other_field(field)
        remap = f" or give it another field, e.g. --map '{later}={other}'" if other else ""
        problems.append(FieldProblem(field, (
            f"columns {named} both hold {field}; nothing was imported. Keep one: ignore the other with "
            f"--map '{later}='{remap} (in the import window: choose 'ignore' or another field for one of them)"),
            row=1))
    return problems


def _other_field(field: str) -> str:
    """A plausible second home for a repeated column (a second phone is often the guardian's)."""
    return {"phone": "guardian_phone", "email": "guardian_email", "name": "guardian_name"}.get(field, "")


def _repeated_headers(mapping: ColumnMapping) -> list[FieldProblem]:
    """Two recognised columns with the same header text cannot be told apart by a correction."""
    problems: list[FieldProblem] = []
    for header in dict.fromkeys(h for h, f in zip(mapping.headers, mapping.fields, strict=True) if f):
        columns = [i + 1 for i, h in enumerate(mapping.headers) if h == header]
        if len(columns) > 1:
            problems.append(FieldProblem("(header)", (
                f"columns {', '.join(map(str, columns))} are all called '{header}'; rename all but one in the "
                "file (a correction cannot tell them apart), then import again"), row=1))
    return problems


def shown_headers(mapping: ColumnMapping) -> str:
    """The first row for an error message. Unrecognised cells are masked: a file without a
    header row has a person's name, e-mail and phone there, and messages reach terminals and logs."""
    return ", ".join(h if f else _mask_cell(h) for h, f in zip(mapping.headers, mapping.fields, strict=True))


def _mask_cell(value: str) -> str:
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * min(len(value) - 2, 8) + value[-1]


def check_usable(mapping: ColumnMapping) -> None:
    """Every mapped column feeds its own field, and the file says who people are (a user id
    or a name column). Raises ValidationError naming the columns at fault and the fix."""
    problems = _repeated_headers(mapping) or _duplicates(mapping)
    if problems:
        raise ValidationError(problems)
    if mapping.index_of("user_id") is None and mapping.index_of("name") is None:
        raise ValidationError.single(
            "(header)",
            "no column recognised as user_id/用户ID or name/姓名 (first row: " + shown_headers(mapping)
            + "); if the file has no header row, add one; otherwise rename the header or map the column",
            row=1,
        )
