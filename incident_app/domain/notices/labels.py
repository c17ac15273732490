"""Wording for facts as notices print them, zh-CN first and English second. Facts are stored as
stable codes; these tables turn them into the words a reader sees."""

from __future__ import annotations

Label = tuple[str, str]  # (zh-CN, en)

BREACH_TYPES: dict[str, Label] = {
    "leak": ("泄露", "leaked"),
    "tamper": ("篡改", "tampered with"),
    "loss": ("丢失", "lost"),
}
LIKELIHOOD: dict[str, Label] = {
    "actual": ("已经确认", "has been confirmed"),
    "suspected": ("尚未确认，正在核实", "has not been confirmed and is being verified"),
}
# How a notice states the finding itself: a suspected incident is a possibility, never a fact
# ("我们发现…可能发生…" / "…may have been leaked"), in every notice kind.
FINDING: dict[str, Label] = {
    "actual": ("发生", "was"),
    "suspected": ("可能发生", "may have been"),
}
# What the incident is called, by breach type: a tamper- or loss-only incident is never a "leak".
INCIDENT_NOUNS: dict[str, Label] = {
    "leak": ("泄露", "leak"),
    "tamper": ("篡改", "tampering"),
    "loss": ("丢失", "loss"),
}
CAUSES: dict[str, Label] = {
    "attack": ("外部网络攻击", "an external attack on our systems"),
    "malware": ("恶意程序感染", "malware"),
    "insider": ("内部人员违规操作", "misconduct by someone inside the company"),
    "misdelivery": ("信息误发送", "information sent to the wrong recipient"),
    "lost_device": ("存储设备或介质丢失", "a lost device or storage medium"),
    "third_party": ("第三方合作方（供应商或SDK提供方）的安全缺陷",
                    "a security flaw at a third-party partner (a supplier or SDK provider)"),
    "misconfiguration": ("系统配置错误", "a misconfigured system"),
    "other": ("其他原因", "another cause"),
}
RECIPIENTS: dict[str, Label] = {
    "none_known": ("目前没有发现信息被他人获取的证据",
                   "we have found no evidence that anyone obtained the information"),
    "known_limited": ("信息被少数已知的对象获取", "a small number of known recipients obtained the information"),
    "unknown": ("获取信息的对象和数量目前尚无法确定",
                "we cannot yet tell who obtained the information, or how many did"),
    "public": ("信息已被公开", "the information was made public"),
}
# "Who obtained it is not known" fits a leak; for tampering or loss the open question differs.
RECIPIENTS_UNKNOWN: dict[str, Label] = {
    "tamper": ("篡改信息的人员目前尚无法确定", "we cannot yet tell who altered the information"),
    "loss": ("丢失的信息是否已被他人获取目前尚无法确定",
             "we cannot yet tell whether anyone has obtained the lost information"),
    "tamper+loss": ("篡改信息的人员，以及丢失的信息是否已被他人获取，目前尚无法确定",
                    "we cannot yet tell who altered the information, or whether anyone has obtained the lost "
                    "information"),
}
ACTION_STATUS: dict[str, Label] = {
    "done": ("已完成", "done"),
    "in_progress": ("进行中", "in progress"),
    "planned": ("计划中", "planned"),
}
GRADES: dict[str, Label] = {
    "一般": ("一般", "general"),
    "较大": ("较大", "relatively major"),
    "重大": ("重大", "major"),
    "特别重大": ("特别重大", "particularly major"),
}
GRADE_PENDING: Label = ("待评估", "to be assessed")
# Appended to the grade of a suspected incident: the grade is a preliminary call.
GRADE_PRELIMINARY: Label = ("（初步判定）", " (preliminary)")
OPERATOR_TYPES: dict[str, Label] = {
    "ordinary": ("一般网络运营者", "network operator"),
    "critical_infrastructure": ("关键信息基础设施运营者", "critical information infrastructure operator"),
    "state_organ": ("中央和国家机关单位", "central or state organ"),
}
# CAC Reporting Measures Art. 4: whom the initial report is addressed to, by operator type
# ({province} is the profile's province). CII operators report to the protection department and,
# at the same time, to the police; central and state organs through their own cyberspace unit.
REPORT_ADDRESSEES: dict[str, Label] = {
    "ordinary": ("{province}互联网信息办公室（{province}网信办）",
                 "the Cyberspace Administration of {province_en} (provincial cyberspace office)"),
    "critical_infrastructure": ("关键信息基础设施保护工作部门，并同时报{province}公安机关",
                                "the critical information infrastructure protection department and, at the "
                                "same time, the public security organ (police) of {province_en}"),
    "state_organ": ("本单位网信工作机构", "our own cyberspace work unit (the organ's reporting channel)"),
}
RANSOM_LABELS: dict[str, Label] = {
    "amount": ("要求支付的赎金金额", "Ransom demanded"),
    "method": ("要求的支付方式", "Payment method demanded"),
    "date": ("要求支付的日期", "Payment date demanded"),
}
# Labels of snapshot paths, for "what changed" lists.
CHANGE_LABELS: dict[str, Label] = {
    "facts.title": ("事件名称", "Incident title"),
    "facts.summary": ("事件概述", "Summary"),
    "facts.occurred_at": ("发生时间", "Occurred at"),
    "facts.occurred_until": ("持续至", "Occurred until"),
    "facts.discovered_at": ("发现时间", "Discovered at"),
    "facts.aware_at": ("知悉时间", "Became aware at"),
    "facts.discovered_by": ("发现人", "Discovered by"),
    "facts.location": ("发生地点", "Location"),
    "facts.systems": ("涉及系统", "Systems"),
    "facts.breach_types": ("事件类型", "Breach type"),
    "facts.likelihood": ("是否已发生", "Actual or suspected"),
    "facts.cause": ("原因", "Cause"),
    "facts.malicious": ("是否恶意", "Malicious"),
    "facts.recipients": ("信息获取方", "Who obtained the data"),
    "facts.data_types": ("涉及信息种类", "Data types"),
    "facts.affected_people": ("受影响人数", "People affected"),
    "facts.affected_records": ("受影响记录数", "Records affected"),
    "facts.affected_minors": ("其中未成年人（未满十八周岁）", "Of whom minors (under 18)"),
    "facts.affected_minors_under_14": ("其中不满十四周岁", "Of whom children under 14"),
    "facts.affected_minors_14_17": ("其中十四至十七周岁", "Of whom aged 14-17"),
    "people.total": ("受影响人数", "People affected"),
    "people.minors": ("其中未成年人（未满十八周岁）", "Of whom minors (under 18)"),
    "people.children": ("其中不满十四周岁", "Of whom children under 14"),
    "people.teens": ("其中十四至十七周岁", "Of whom aged 14-17"),
    "people.records": ("受影响记录数", "Records affected"),
    "people.imported": ("按导入的受影响人员名单计数", "Counted from the imported list of people"),
    "facts.unintelligible": ("数据是否已加密不可读", "Data unintelligible (encrypted)"),
    "facts.eu_subjects": ("欧盟数据主体人数", "EU data subjects"),
    "facts.economic_loss_cny": ("直接经济损失（元）", "Direct economic loss (CNY)"),
    "facts.police_notified": ("是否已报案", "Police notified"),
    "facts.ransom": ("勒索情况", "Ransom demand"),
    "facts.drill": ("演练", "Drill"),
    "grade": ("事件级别", "Incident grade"),
    "data_types": ("涉及信息种类的说明", "Data type descriptions"),
    "actions": ("处置措施", "Measures"),
    "advice": ("防范建议", "Advice"),
    "remedies": ("补救措施", "Remedies"),
    "texts": ("通知内容", "Notice wording"),
    "decisions": ("决定", "Decisions"),
    "handling_closed_at": ("处置结束时间", "Handling closed at"),
}


def pick(label: Label, lang: str) -> str:
    """The zh-CN or English side of a label."""
    return label[1] if lang == "en" else label[0]


def change_label(path: str, lang: str) -> str:
    """A reader's name for a snapshot path (profile fields fall back to 'Contact details')."""
    if path in CHANGE_LABELS:
        return pick(CHANGE_LABELS[path], lang)
    if path.startswith("profile."):
        return pick(("联系方式与公司信息", "Contact and company details"), lang)
    if path.startswith("texts."):
        return pick(CHANGE_LABELS["texts"], lang)
    return path
