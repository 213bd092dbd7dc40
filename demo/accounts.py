"""The Xiangyang demo: organisations of every kind, their contacts and one login each.

This is the accounts step of `manage.py seed_demo` (see that command for the order of steps).
Everything is deterministic: the tables below fix who exists; the step's `random.Random` fills in
what a real organisation would have and the plan does not care about (credit codes, contact
people, telephone numbers, street addresses). A re-run reuses what exists — found by credit code,
then by name — and never resets a password.

The eight departments are named exactly as in the plan (襄市监发〔2021〕29号) and `codes.md`; the
insurers are the Xiangyang branches of real companies; the property managers and maintenance
companies are invented for the demo. No credit code here belongs to a real organisation.
"""

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db.models import Q

from accounts.models import Contact, Department, District, Organisation, OrganisationKind, User
from accounts.roles import role_summary
from accounts.services import organisation_create, user_create
from accounts.validators import CREDIT_CODE_ALPHABET, credit_code_check_character

K = OrganisationKind

# One password for every demo login, printed by seed_demo. A demo database is not production.
DEMO_PASSWORD = "Tibao@2026"
SUPERUSER_USERNAME = "admin"
DISTRICTS_FIXTURE = "xiangyang"
# RFC 2606 reserves .example: notices "sent" to these addresses can never reach anyone.
EMAIL_DOMAIN = "xiangyang.example"

# GB 32100-2015 positions 1-2: registration authority + organisation type.
GOVERNMENT_BODY = "11"  # 机构编制 · 机关
PUBLIC_INSTITUTION = "12"  # 机构编制 · 事业单位 (public hospitals and schools)
ENTERPRISE = "91"  # 工商 · 企业


@dataclass(frozen=True)
class DemoOrganisation:
    """One organisation of the demo, before the random details are filled in."""

    key: str  # stable handle: the login's username (with "_") and the e-mail subdomain (with "-")
    kind: str
    name: str
    short_name: str = ""
    district_code: str | None = None
    department: str = ""
    registration: str = ENTERPRISE
    has_login: bool = True
    # Place categories (codes) a property manager keeps elevators in: a hint for the registry demo.
    places: tuple[str, ...] = ()

    @property
    def username(self) -> str | None:
        return self.key.replace("-", "_") if self.has_login else None


@dataclass(frozen=True)
class DemoDetails:
    """What the random generator decides for one organisation."""

    credit_code: str
    address: str
    phone: str
    contact_name: str


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    organisation: str


# department, kind, full name, short name, key (= username)
DEPARTMENTS = [
    (Department.SAMR, K.CITY_REGULATOR, "襄阳市市场监督管理局", "市市场监管局", "samr"),
    (Department.NFRA, K.INSURANCE_REGULATOR, "国家金融监督管理总局襄阳监管分局", "襄阳金融监管分局", "nfra"),
    (Department.FINANCE, K.FINANCE_BUREAU, "襄阳市财政局", "市财政局", "finance"),
    (Department.HOUSING, K.SECTOR_DEPARTMENT, "襄阳市住房和城乡建设局", "市住建局", "housing"),
    (Department.TRANSPORT, K.SECTOR_DEPARTMENT, "襄阳市交通运输局", "市交通运输局", "transport"),
    (Department.HEALTH, K.SECTOR_DEPARTMENT, "襄阳市卫生健康委员会", "市卫健委", "health"),
    (Department.CULTURE, K.SECTOR_DEPARTMENT, "襄阳市文化和旅游局", "市文旅局", "culture"),
    (Department.OFFICES, K.SECTOR_DEPARTMENT, "襄阳市机关事务服务中心", "市机关事务服务中心", "offices"),
]

# Short pinyin of each division, for the district regulators' usernames (district_fancheng).
DISTRICT_PINYIN = {
    "420602": "xiangcheng",
    "420606": "fancheng",
    "420607": "xiangzhou",
    "420624": "nanzhang",
    "420625": "gucheng",
    "420626": "baokang",
    "420682": "laohekou",
    "420683": "zaoyang",
    "420684": "yicheng",
    "420671": "gaoxin",
    "420672": "jingkai",
    "420673": "yuliangzhou",
}

# key, full name, short name
INSURERS = [
    ("insurer-picc", "中国人民财产保险股份有限公司襄阳市分公司", "人保财险襄阳分公司"),
    ("insurer-pingan", "中国平安财产保险股份有限公司襄阳中心支公司", "平安产险襄阳中支"),
    ("insurer-cpic", "中国太平洋财产保险股份有限公司襄阳中心支公司", "太保产险襄阳中支"),
    ("insurer-chinalife", "中国人寿财产保险股份有限公司襄阳市中心支公司", "国寿财险襄阳中支"),
    ("insurer-cic", "中华联合财产保险股份有限公司襄阳中心支公司", "中华财险襄阳中支"),
]

# Property managers and owners (使用单位/产权单位): full name, short name, district, registration,
# the place categories they keep. Between them they cover every place category; the first
# PROPERTY_MANAGER_LOGINS are of different sorts and get a login each.
PROPERTY_MANAGERS = [
    ("襄阳汉江物业服务有限公司", "汉江物业", "420606", ENTERPRISE, ("RESIDENTIAL",)),
    ("襄阳市安居住房保障服务有限公司", "安居住房", "420606", ENTERPRISE, ("PUBLIC_HOUSING", "RESIDENTIAL")),
    ("襄阳市汉水医院", "汉水医院", "420606", PUBLIC_INSTITUTION, ("HOSPITAL",)),
    ("襄阳市隆中实验学校", "隆中实验学校", "420602", PUBLIC_INSTITUTION, ("SCHOOL",)),
    (
        "襄阳春园商业管理有限公司",
        "春园商业",
        "420606",
        ENTERPRISE,
        ("MALL", "OFFICE_BUILDING", "OTHER_PUBLIC"),
    ),
    ("襄阳汉江客运站务有限公司", "汉江客运", "420606", ENTERPRISE, ("BUS_STATION", "DOCK")),
    ("襄阳檀溪物业管理有限公司", "檀溪物业", "420602", ENTERPRISE, ("RESIDENTIAL",)),
    ("襄阳鹿门置业房地产开发有限公司", "鹿门置业", "420607", ENTERPRISE, ("RESIDENTIAL",)),
    (
        "襄阳东津新城房地产开发有限公司",
        "东津新城地产",
        "420672",
        ENTERPRISE,
        ("RESIDENTIAL", "PUBLIC_HOUSING"),
    ),
    ("襄阳高新科创物业服务有限公司", "高新科创物业", "420671", ENTERPRISE, ("OFFICE_BUILDING", "FACTORY")),
    ("襄阳岘山酒店管理有限公司", "岘山酒店", "420602", ENTERPRISE, ("HOTEL",)),
    ("襄阳古城文化旅游发展有限公司", "古城文旅", "420602", ENTERPRISE, ("SCENIC", "OTHER_PUBLIC")),
    ("襄阳市政通物业服务有限公司", "政通物业", "420606", ENTERPRISE, ("GOV_OFFICE", "CDC")),
    (
        "襄阳市文化场馆服务中心",
        "文化场馆服务中心",
        "420606",
        PUBLIC_INSTITUTION,
        ("MUSEUM", "LIBRARY", "CULTURE_CENTER", "ART_GALLERY", "EXHIBITION"),
    ),
    ("枣阳市光武物业服务有限公司", "光武物业", "420683", ENTERPRISE, ("RESIDENTIAL",)),
    ("老河口市光化物业服务有限公司", "光化物业", "420682", ENTERPRISE, ("RESIDENTIAL",)),
    ("宜城市楚都房地产开发有限公司", "楚都地产", "420684", ENTERPRISE, ("RESIDENTIAL",)),
    ("南漳县荆山医院", "荆山医院", "420624", PUBLIC_INSTITUTION, ("HOSPITAL",)),
    ("谷城县南河物业服务有限公司", "南河物业", "420625", ENTERPRISE, ("RESIDENTIAL",)),
    ("保康县紫薇物业管理有限公司", "紫薇物业", "420626", ENTERPRISE, ("RESIDENTIAL",)),
    ("襄阳鱼梁洲文旅开发有限公司", "鱼梁洲文旅", "420673", ENTERPRISE, ("SCENIC", "HOTEL")),
]
PROPERTY_MANAGER_LOGINS = 6

# Maintenance companies (维保单位): full name, short name, district.
MAINTENANCE_COMPANIES = [
    ("襄阳汉江电梯工程有限公司", "汉江电梯", "420606"),
    ("襄阳隆中电梯安装维修有限公司", "隆中电梯", "420602"),
    ("湖北襄通电梯工程有限公司", "襄通电梯", "420607"),
    ("襄阳万通电梯安装维修有限公司", "万通电梯", "420671"),
    ("襄阳鑫达电梯工程有限公司", "鑫达电梯", "420672"),
    ("枣阳市安达电梯安装维修有限公司", "安达电梯", "420683"),
    ("老河口市恒力电梯工程有限公司", "恒力电梯", "420682"),
    ("宜城市顺捷电梯安装维修有限公司", "顺捷电梯", "420684"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN_NAMES = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "华", "平", "刚", "辉", "鹏", "秀英", "桂英", "建国", "志强", "海燕", "晓燕", "文博", "子涵",
]  # fmt: skip
STREETS = [
    "长虹路", "人民路", "春园路", "檀溪路", "襄阳大道", "航空路", "邓城大道", "长征路", "解放路",
    "建设路", "丹江路", "前进路", "中原路", "胜利街", "汉江北路", "环城东路",
]  # fmt: skip


# --- credit codes ---------------------------------------------------------------------------

# GB 11714-1997: the organisation code's 8 body characters are weighted, the 9th checks them.
ORGANISATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def organisation_code_check_digit(body: str) -> str:
    """The 9th character of a GB 11714 organisation code from its first 8 (digits = 0-9, A-Z = 10-35)."""
    total = sum(int(c, 36) * w for c, w in zip(body, ORGANISATION_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code_generate(*, rng: random.Random, registration: str, region: str) -> str:
    """A valid Unified Social Credit Code that looks like one of its registration type.

    Government bodies get an organisation code starting 0, public institutions 4; enterprises
    either an older numeric code or one of the MA4... codes issued in Hubei since 2015. Position
    17 checks the organisation code (GB 11714), position 18 the whole code (GB 32100).
    """
    digits = "0123456789"
    if registration == GOVERNMENT_BODY:
        body = "0" + "".join(rng.choices(digits, k=7))
    elif registration == PUBLIC_INSTITUTION:
        body = "4" + "".join(rng.choices(digits, k=7))
    elif rng.random() < 0.5:
        body = "MA4" + "".join(rng.choices(CREDIT_CODE_ALPHABET, k=5))
    else:
        body = rng.choice("567") + "".join(rng.choices(digits, k=7))
    first17 = registration + region + body + organisation_code_check_digit(body)
    return first17 + credit_code_check_character(first17)


# --- the plan -------------------------------------------------------------------------------


def districts_load() -> dict[str, District]:
    """Load (or refresh) the city's divisions from the fixture; return them by code."""
    call_command("loaddata", DISTRICTS_FIXTURE, verbosity=0)
    return {d.code: d for d in District.objects.all()}


def district_regulator_name(district: District) -> tuple[str, str]:
    """Full and short name of a division's market regulator; a zone's is a branch of the city's."""
    if district.kind == District.Kind.ZONE:
        label = district.short_name or district.name
        return f"{district.city_name}市场监督管理局{label}分局", f"{label}市场监管分局"
    if district.kind == District.Kind.DISTRICT:
        return f"{district.city_name}{district.name}市场监督管理局", f"{district.name}市场监管局"
    return f"{district.name}市场监督管理局", f"{district.name}市场监管局"


def organisation_plan(*, districts: dict[str, District]) -> list[DemoOrganisation]:
    """Every demo organisation in a fixed order: departments, district regulators, insurers,
    property managers, maintenance companies. Uses no randomness, so logins can be listed any time."""
    plan = [
        DemoOrganisation(
            key=key,
            kind=kind,
            name=name,
            short_name=short,
            department=department,
            registration=GOVERNMENT_BODY,
        )
        for department, kind, name, short, key in DEPARTMENTS
    ]
    for district in sorted(districts.values(), key=lambda d: (d.sort_order, d.code)):
        name, short = district_regulator_name(district)
        plan.append(
            DemoOrganisation(
                key=f"district-{DISTRICT_PINYIN.get(district.code, district.code)}",
                kind=K.DISTRICT_REGULATOR,
                name=name,
                short_name=short,
                district_code=district.code,
                registration=GOVERNMENT_BODY,
            )
        )
    plan += [
        DemoOrganisation(key=key, kind=K.INSURER, name=name, short_name=short)
        for key, name, short in INSURERS
    ]
    plan += [
        DemoOrganisation(
            key=f"pm-{n}",
            kind=K.PROPERTY_MANAGER,
            name=name,
            short_name=short,
            district_code=code,
            registration=registration,
            has_login=n <= PROPERTY_MANAGER_LOGINS,
            places=places,
        )
        for n, (name, short, code, registration, places) in enumerate(PROPERTY_MANAGERS, start=1)
    ]
    plan += [
        DemoOrganisation(
            key=f"maint-{n}", kind=K.MAINTENANCE_COMPANY, name=name, short_name=short, district_code=code
        )
        for n, (name, short, code) in enumerate(MAINTENANCE_COMPANIES, start=1)
    ]
    return plan


def organisation_details(
    *, rng: random.Random, plan: list[DemoOrganisation], districts: dict[str, District]
) -> dict[str, DemoDetails]:
    """Credit code, address, telephone and contact person of each planned organisation, by key.

    The credit code's region is the organisation's division, or the city for city-level bodies
    and for the development zones (their codes are this system's own, not national ones).
    """
    city = next(iter(districts.values()))
    city_seats = [d for d in districts.values() if d.kind == District.Kind.DISTRICT] or [city]
    details: dict[str, DemoDetails] = {}
    taken: set[str] = set()
    for spec in plan:
        district = districts.get(spec.district_code) if spec.district_code else None
        region = district.code if district and district.kind != District.Kind.ZONE else city.city_code
        code = credit_code_generate(rng=rng, registration=spec.registration, region=region)
        while code in taken:
            code = credit_code_generate(rng=rng, registration=spec.registration, region=region)
        taken.add(code)
        seat = district or rng.choice(city_seats)
        place = seat.short_name if seat.kind == District.Kind.ZONE and seat.short_name else seat.name
        details[spec.key] = DemoDetails(
            credit_code=code,
            address=f"{seat.city_name}{place}{rng.choice(STREETS)}{rng.randint(1, 399)}号",
            phone=f"0710-{rng.choice('2345')}{rng.randint(0, 999999):06d}",
            contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
        )
    return details


def demo_email(spec: DemoOrganisation, local: str = "notice") -> str:
    return f"{local}@{spec.key}.{EMAIL_DOMAIN}"


# --- building -------------------------------------------------------------------------------


def organisations_ensure(
    *, plan: list[DemoOrganisation], details: dict[str, DemoDetails], districts: dict[str, District]
) -> tuple[dict[str, Organisation], int]:
    """Get or create each planned organisation and its notice contact. Returns them by key, and
    how many were created. An existing one (same credit code, name or department) is left as is."""
    organisations: dict[str, Organisation] = {}
    created = 0
    for spec in plan:
        detail = details[spec.key]
        match = Q(credit_code=detail.credit_code) | Q(name=spec.name)
        if spec.department:
            match |= Q(department=spec.department)
        organisation = Organisation.objects.filter(match).order_by("pk").first()
        if organisation is None:
            organisation = organisation_create(
                kind=spec.kind,
                name=spec.name,
                credit_code=detail.credit_code,
                short_name=spec.short_name,
                district=districts[spec.district_code] if spec.district_code else None,
                department=spec.department,
                address=detail.address,
                phone=detail.phone,
            )
            created += 1
        if not organisation.contacts.exists():
            Contact.objects.create(
                organisation=organisation,
                name=detail.contact_name,
                email=demo_email(spec),
                phone=detail.phone,
            )
        organisations[spec.key] = organisation
    return organisations, created


def users_ensure(
    *,
    plan: list[DemoOrganisation],
    details: dict[str, DemoDetails],
    organisations: dict[str, Organisation],
    password: str = DEMO_PASSWORD,
) -> int:
    """Create the back-office superuser and one organisation admin per login of the plan, unless
    the username exists (its password is then left alone). Returns how many were created."""
    created = 0
    # Every demo login has the same password, and a full-strength hash costs about a second of
    # CPU: it is hashed once (the configured hasher, as strong as any) and handed to each login.
    password_hash = make_password(password)
    if not User.objects.filter(username=SUPERUSER_USERNAME).exists():
        User.objects.create_superuser(
            username=SUPERUSER_USERNAME, email=f"{SUPERUSER_USERNAME}@{EMAIL_DOMAIN}", password=password
        )
        created += 1
    for spec in plan:
        if spec.username is None or User.objects.filter(username=spec.username).exists():
            continue
        user_create(
            organisation=organisations[spec.key],
            username=spec.username,
            password=password,
            password_hash=password_hash,
            first_name=details[spec.key].contact_name,
            email=demo_email(spec, local=spec.username),
            is_org_admin=True,
        )
        created += 1
    return created


def demo_logins() -> list[DemoLogin]:
    """The demo logins that exist now, superuser first, in the plan's order."""
    districts = {d.code: d for d in District.objects.all()}
    usernames = [SUPERUSER_USERNAME] + [
        s.username for s in organisation_plan(districts=districts) if s.username
    ]
    users = User.objects.select_related("organisation").in_bulk(usernames, field_name="username")
    return [
        DemoLogin(
            username=username,
            role=str(role_summary(users[username])["label"]),
            organisation=users[username].organisation.name if users[username].organisation_id else "—",
        )
        for username in usernames
        if username in users
    ]


def build(*, rng: random.Random, options: dict, stdout) -> None:
    """The accounts step of seed_demo: divisions, organisations with contacts, demo users."""
    districts = districts_load()
    plan = organisation_plan(districts=districts)
    details = organisation_details(rng=rng, plan=plan, districts=districts)
    organisations, organisations_created = organisations_ensure(
        plan=plan, details=details, districts=districts
    )
    users_created = users_ensure(plan=plan, details=details, organisations=organisations)
    stdout.write(
        f"  区县 {len(districts)} 个；机构 {len(plan)} 个（新建 {organisations_created}）；"
        f"演示账号新建 {users_created} 个"
    )
