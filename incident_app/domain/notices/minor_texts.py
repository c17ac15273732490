"""Wording for notices about minors, per group of data types (resources/catalog.json ``group``):
what the leak can mean for a child and what a parent or guardian can do on the child's behalf, and
plain advice for a teenager. The catalog's own harm and advice texts speak to an adult about
themselves ("scammers who can call you by your name"), so guardian and teenager notices never
use them. Each entry is (zh-CN, en)."""

from __future__ import annotations

from collections.abc import Iterable

Pair = tuple[str, str]

GUARDIAN_HARMS: dict[str, Pair] = {
    "account": ("有人可能用孩子的手机号码、邮箱或账号冒充老师、同学、游戏客服或您本人联系孩子，"
                "诱导孩子转账、充值或说出验证码。",
                "Someone may use your child's phone number, e-mail or account to pose as a teacher, classmate, "
                "game support or you, and push your child to pay, top up or read out a verification code."),
    "social_login": ("孩子的社交账号资料可能被用来假装成孩子认识的人，骗取孩子的信任。",
                     "Your child's social-media profile may be used to pose as someone your child knows and win "
                     "their trust."),
    "device": ("孩子设备的标识、网络信息或位置可能被用于追踪孩子的上网活动或大致行踪。",
               "Your child's device identifiers, network details or location may be used to follow their "
               "online activity or rough whereabouts."),
    "activity": ("孩子的浏览、搜索等记录可能暴露孩子的兴趣和习惯，被用于有针对性地诱导孩子。",
                 "Your child's browsing and search history may reveal their interests and habits and be used "
                 "to lure them with targeted offers."),
    "commerce": ("孩子的订单和收货地址可能被用于冒充快递或商家联系孩子，或得知孩子的住址。",
                 "Your child's orders and delivery address may be used to pose as a courier or shop, or to "
                 "learn where your child lives."),
    "payment": ("与孩子有关的支付和交易记录可能被用于冒充“退款”“客服”骗取钱款。",
                "Payment and transaction records linked to your child may be used in fake refund or "
                "customer-service scams."),
    "identity": ("孩子的姓名、身份证号码可能被用于冒用孩子的身份注册账号或办理业务。",
                 "Your child's name and ID number may be used to open accounts or apply for services in your "
                 "child's name."),
    "e_signing": ("与孩子有关的人脸、合同或银行卡信息可能被用于冒用身份或盗刷。",
                  "Face, contract or bank card details linked to your child may be used for identity misuse or "
                  "unauthorised payments."),
    "customer_service": ("孩子与客服沟通的记录可能被用于冒充我方客服联系孩子。",
                         "Your child's customer-service conversations may be used to pose as our support staff."),
    "cookies": ("孩子的浏览器标识可能被用于跟踪孩子在不同网站上的活动。",
                "Your child's browser identifiers may be used to follow their activity across websites."),
    "sensitive": ("孩子的敏感个人信息（如健康、行踪或生物识别信息）一旦泄露，可能使孩子受到歧视、欺凌或人身安全威胁。",
                  "Sensitive information about your child (such as health, whereabouts or biometrics) may expose "
                  "them to discrimination, bullying or threats to their safety."),
}

GUARDIAN_ADVICE: dict[str, Pair] = {
    "account": ("代孩子修改账号密码，必要时开启登录提醒；告诉孩子任何人索要验证码都不要给。",
                "Change your child's account password with them and turn on login alerts; tell your child never "
                "to give anyone a verification code."),
    "social_login": ("检查孩子的社交账号隐私设置，只让熟人看到孩子的资料。",
                     "Check the privacy settings of your child's social accounts so only people they know see "
                     "their profile."),
    "device": ("检查孩子设备上的定位和应用权限，关闭不需要的权限。",
               "Check location and app permissions on your child's device and switch off those not needed."),
    "activity": ("和孩子一起清理浏览、搜索记录，提醒孩子不要点击陌生推荐和链接。",
                 "Clear browsing and search history with your child, and remind them not to open unknown links."),
    "commerce": ("提醒孩子，自称快递或商家要求付款、扫码的，都先问家长。",
                 "Tell your child to ask you first whenever a 'courier' or 'shop' asks them to pay or scan a "
                 "code."),
    "payment": ("检查与孩子有关的支付记录和免密支付设置，发现异常及时联系支付机构。",
                "Check payments and password-free payment settings linked to your child, and contact the "
                "payment provider about anything unusual."),
    "identity": ("留意是否有人以孩子的名义注册账号或办理业务，如有发现及时联系我们或报警。",
                 "Watch for accounts or services opened in your child's name; tell us or the police if you find "
                 "any."),
    "e_signing": ("检查与孩子有关的银行卡交易，必要时联系银行挂失或更换。",
                  "Check bank card transactions linked to your child and ask the bank to block or replace the "
                  "card if needed."),
    "customer_service": ("告诉孩子，我们的客服不会索要密码、验证码，也不会要求转账。",
                         "Tell your child that our support staff never ask for passwords, codes or money."),
    "cookies": ("在孩子的浏览器中清除 Cookie。", "Clear the cookies in your child's browser."),
    "sensitive": ("多关注孩子的情绪和安全，如孩子受到骚扰或威胁，及时联系学校、我们或报警。",
                  "Keep an eye on how your child is doing; if they are harassed or threatened, contact the school, "
                  "us or the police."),
}

# Always in a guardian's notice, after the per-type advice.
GUARDIAN_COMMON: Pair = (
    "与孩子聊聊此次事件：陌生人以“退款”“中奖”“账号异常”“游戏装备”等理由发来的电话、短信或链接都不要相信，遇到这类情况先告诉您。",
    "Talk to your child about the incident: calls, texts or links from strangers about refunds, prizes, account "
    "problems or game items are not to be trusted, and they should tell you first.",
)

# Short and plain, for a teenager aged 14-17.
TEEN_ADVICE: dict[str, Pair] = {
    "account": ("改一下账号密码。谁向你要验证码都不要给。",
                "Change your password. Never give anyone a verification code."),
    "social_login": ("把社交账号资料设成只有熟人能看。", "Set your social profile so only people you know can see it."),
    "device": ("关掉手机里不需要的定位和权限。", "Switch off location and permissions your apps do not need."),
    "activity": ("别点陌生人发来的链接。", "Do not open links from people you do not know."),
    "commerce": ("有人自称快递或商家让你付钱、扫码，先问家长。",
                 "If a 'courier' or 'shop' asks you to pay or scan a code, ask your parents first."),
    "payment": ("有人说要给你“退款”，不要转账，先告诉家长。",
                "If someone offers you a 'refund', do not send money; tell your parents first."),
    "identity": ("有人用你的名字办事或注册账号，马上告诉家长或我们。",
                 "If someone uses your name to sign up for something, tell your parents or us at once."),
    "e_signing": ("不要把银行卡号和密码告诉任何人。", "Never tell anyone your card number or PIN."),
    "customer_service": ("我们的客服不会向你要密码、验证码或钱。",
                         "Our support staff never ask you for passwords, codes or money."),
    "cookies": ("可以在浏览器里清除 Cookie。", "You can clear the cookies in your browser."),
    "sensitive": ("如果有人骚扰或威胁你，马上告诉家长、老师，或打电话报警。",
                  "If anyone harasses or threatens you, tell your parents or a teacher, or call the police."),
}


def _side(pair: Pair, lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _by_groups(table: dict[str, Pair], groups: Iterable[str], lang: str) -> list[str]:
    seen = dict.fromkeys(g for g in groups if g in table)
    return [_side(table[g], lang) for g in seen]


def guardian_harms(groups: Iterable[str], lang: str) -> list[str]:
    """What the leak of these groups can mean for the child, said to the guardian."""
    return _by_groups(GUARDIAN_HARMS, groups, lang)


def guardian_advice(groups: Iterable[str], lang: str) -> list[str]:
    """What the guardian can do on the child's behalf, ending with talking to the child."""
    return [*_by_groups(GUARDIAN_ADVICE, groups, lang), _side(GUARDIAN_COMMON, lang)]


def teen_advice(groups: Iterable[str], lang: str) -> list[str]:
    """Plain steps for a teenager."""
    return _by_groups(TEEN_ADVICE, groups, lang)
