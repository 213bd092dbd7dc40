"""The facts the registry demo draws from: shares, sizes, names, roads, manufacturers.

Everything here is data (STYLE 13). Shares are of elevators, not of sites; the generator turns
them into site weights. Place names mix a few landmarks of Xiangyang with names composed from
local words; every company and credit code is invented, the manufacturers are real brands with
made-up licence numbers, and no address is meant to be a real one.
"""

from dataclasses import dataclass, field

from demo.accounts import ENTERPRISE, PUBLIC_INSTITUTION

# --- where elevators stand ------------------------------------------------------------------

# Share of the city's elevators (%) by division: the two old urban districts first, the zones
# and counties after, 鱼梁洲 (an island in the Han river) last.
DISTRICT_SHARES: dict[str, float] = {
    "420606": 25.0,  # 樊城区
    "420602": 18.0,  # 襄城区
    "420607": 12.0,  # 襄州区
    "420671": 11.0,  # 高新区
    "420672": 8.0,  # 经开区 / 东津新区
    "420683": 7.0,  # 枣阳市
    "420682": 4.0,  # 老河口市
    "420684": 4.0,  # 宜城市
    "420625": 4.0,  # 谷城县
    "420624": 3.5,  # 南漳县
    "420626": 2.0,  # 保康县
    "420673": 1.5,  # 鱼梁洲
}

# What a division is called inside a site name (樊城万达, 东津客运站) and in an address.
AREA_NAMES: dict[str, str] = {
    "420606": "樊城",
    "420602": "襄城",
    "420607": "襄州",
    "420671": "高新",
    "420672": "东津",
    "420683": "枣阳",
    "420682": "老河口",
    "420684": "宜城",
    "420625": "谷城",
    "420624": "南漳",
    "420626": "保康",
    "420673": "鱼梁洲",
}

ROADS: dict[str, tuple[str, ...]] = {
    "420606": ("长虹路", "人民路", "春园路", "长征路", "七里河路", "解放路", "前进路", "建设路",
               "中原路", "胜利街", "汉江北路", "沿江大道", "新华路", "大庆路", "米公路"),
    "420602": ("檀溪路", "荆州街", "南街", "北街", "环城南路", "环城东路", "隆中路", "真武山路",
               "卧龙大道", "襄阳大道", "鼓楼巷"),
    "420607": ("航空路", "邓城大道", "襄州大道", "民主路", "东风路", "长新路", "襄阳大道"),
    "420671": ("长虹北路", "追日路", "团山路", "春园西路", "高新大道", "邓城大道", "襄阳大道"),
    "420672": ("东津大道", "新区大道", "东站大道", "汉江大道", "东津路"),
    "420683": ("光武大道", "人民路", "书院街", "新华路", "中兴大道", "前进路"),
    "420682": ("光化大道", "胜利路", "中山路", "酂阳路", "西环路"),
    "420684": ("鄢城大道", "楚都大道", "襄沙大道", "燕京大道"),
    "420625": ("县府街", "江滨路", "东环路", "银城大道", "谷伯路"),
    "420624": ("水镜路", "金港路", "城关大道", "蛮河路"),
    "420626": ("光千路", "清溪路", "紫薇路", "迎宾路"),
    "420673": ("环岛路", "鱼梁洲大道", "洲中路"),
}  # fmt: skip

# Words that Xiangyang names its compounds, hotels and malls after.
WORDS = (
    "汉江", "襄水", "岘山", "隆中", "檀溪", "鹿门", "米公", "卧龙", "昭明", "荆山", "汉水", "诸葛",
    "仲宣", "唐城", "清河", "月亮湾", "长虹", "春园", "滨江", "凤凰", "紫薇", "光武", "楚都", "南河",
    "水镜", "金源", "东津", "鱼梁", "习家池", "真武山", "襄王", "古城", "锦绣", "御景", "阳光", "幸福",
    "和谐", "民发", "泰跃", "中天", "清华", "香榭", "水岸", "天元", "左岸", "绿地",
)  # fmt: skip
RESIDENTIAL_SUFFIXES = (
    "花园", "小区", "家园", "名苑", "华府", "公馆", "新城", "佳苑", "雅居", "丽景", "嘉园", "一品",
    "世家", "壹号院", "尚城", "名邸", "城市花园", "山庄", "御府", "庭院",
)  # fmt: skip
# Later phases of a compound that already has a name in the division.
PHASES = ("二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期")
BUILDINGS = {
    "HOSPITAL": ("门诊楼", "住院部", "医技楼", "外科大楼", "内科大楼", "急诊楼", "综合楼", "妇儿大楼"),
    "SCHOOL": ("教学楼", "图书馆", "实验楼", "综合楼", "行政楼", "学生公寓"),
}
BUREAUS = (
    "市场监督管理局", "自然资源和规划局", "人力资源和社会保障局", "税务局", "生态环境局", "城市管理执法局",
    "教育局", "公安局", "民政局", "审计局", "统计局", "水利局",
)  # fmt: skip

# Site-name templates by place category. {word}: a local word; {area}: the division's short
# name; {gov}: the division as a government names itself (襄城区, 枣阳市, 襄阳高新区); {bureau}:
# a government department. HOSPITAL and SCHOOL sites are named after their user unit and a building;
# their templates serve only a site that has no user unit on record.
SITE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "HOSPITAL": ("{gov}人民医院", "{gov}中医医院"),
    "SCHOOL": ("{gov}第一中学", "{gov}实验小学"),
    "RESIDENTIAL": ("{word}{suffix}",),
    "PUBLIC_HOUSING": ("{word}公租房小区", "{word}保障房小区", "{area}{word}安置小区", "{word}廉租房小区"),
    "GOV_OFFICE": ("{gov}{bureau}办公楼", "{gov}政务服务中心", "{gov}行政中心", "{gov}机关综合楼"),
    "CDC": ("{gov}疾病预防控制中心",),
    "BUS_STATION": ("{area}汽车客运站", "{area}客运中心站", "{area}{word}汽车站"),
    "DOCK": ("{area}港客运码头", "{word}码头"),
    "HOTEL": ("{word}大酒店", "{word}国际酒店", "{word}宾馆", "{area}{word}酒店"),
    "MUSEUM": ("{gov}博物馆", "{word}纪念馆"),
    "CULTURE_CENTER": ("{gov}文化馆", "{gov}群众艺术馆"),
    "ART_GALLERY": ("{gov}美术馆", "{word}艺术馆"),
    "EXHIBITION": ("{gov}规划展览馆", "{word}会展中心"),
    "LIBRARY": ("{gov}图书馆", "{word}书院"),
    "SCENIC": ("{word}景区游客中心", "{word}风景区观光电梯"),
    "MALL": ("{word}购物广场", "{area}{word}商业中心", "{word}天街", "{word}百货大楼", "{area}{word}超市"),
    "OFFICE_BUILDING": ("{word}大厦", "{word}国际中心", "{word}金融中心", "{area}{word}写字楼"),
    "FACTORY": ("{word}机械厂", "{area}{word}汽车零部件厂", "{word}食品厂", "{word}物流园仓库"),
    "OTHER_PUBLIC": ("{gov}体育中心", "{gov}市民中心", "{word}影城", "{word}会议中心"),
}  # fmt: skip
NAMED_AFTER_USER_UNIT = {"HOSPITAL": "院区", "SCHOOL": "校区"}  # a campus outside its seat: 东津院区


@dataclass(frozen=True)
class Place:
    """How a place category's elevators come: share, site size and the categories inside."""

    share: float  # % of the city's elevators
    size: tuple[int, int, int]  # elevators per site: low, high, most common
    categories: dict[str, float]  # category code -> weight
    districts: tuple[str, ...] = ()  # only these divisions (empty: any)


RIVER_DIVISIONS = ("420606", "420602", "420673", "420682", "420684")

PLACES: dict[str, Place] = {
    "RESIDENTIAL": Place(65.0, (2, 36, 8), {"3110": 97.5, "3430": 1.5, "3420": 1.0}),
    "PUBLIC_HOUSING": Place(6.0, (4, 30, 10), {"3110": 99.0, "3430": 1.0}),
    "GOV_OFFICE": Place(4.0, (1, 6, 2), {"3110": 92.0, "3120": 4.0, "3430": 4.0}),
    "HOSPITAL": Place(4.0, (2, 24, 6), {"3110": 80.0, "3120": 14.0, "3430": 4.0, "3310": 2.0}),
    "CDC": Place(0.3, (1, 3, 1), {"3110": 85.0, "3120": 15.0}),
    "BUS_STATION": Place(0.6, (2, 16, 6), {"3110": 35.0, "3310": 55.0, "3320": 10.0}),
    "DOCK": Place(0.1, (1, 4, 2), {"3110": 50.0, "3310": 40.0, "3120": 10.0}, RIVER_DIVISIONS),
    "HOTEL": Place(3.0, (2, 10, 4), {"3110": 82.0, "3120": 8.0, "3430": 10.0}),
    "MUSEUM": Place(0.2, (1, 6, 2), {"3110": 70.0, "3310": 25.0, "3120": 5.0}),
    "CULTURE_CENTER": Place(0.2, (1, 6, 2), {"3110": 75.0, "3310": 20.0, "3120": 5.0}),
    "ART_GALLERY": Place(0.1, (1, 4, 2), {"3110": 80.0, "3310": 20.0}),
    "EXHIBITION": Place(0.2, (1, 6, 2), {"3110": 60.0, "3310": 30.0, "3320": 10.0}),
    "LIBRARY": Place(0.2, (1, 6, 2), {"3110": 75.0, "3310": 25.0}),
    "SCENIC": Place(0.3, (1, 6, 2), {"3110": 50.0, "3310": 45.0, "3320": 5.0}),
    "MALL": Place(5.0, (4, 36, 14), {"3110": 30.0, "3310": 52.0, "3320": 12.0, "3120": 6.0}),
    "SCHOOL": Place(3.0, (1, 6, 2), {"3110": 90.0, "3120": 5.0, "3430": 5.0}),
    "OFFICE_BUILDING": Place(5.0, (2, 16, 6), {"3110": 92.0, "3120": 4.0, "3310": 4.0}),
    "FACTORY": Place(1.5, (1, 6, 2), {"3120": 55.0, "3130": 25.0, "3110": 12.0, "3220": 5.0, "3410": 3.0}),
    "OTHER_PUBLIC": Place(1.3, (1, 8, 2), {"3110": 60.0, "3310": 30.0, "3320": 5.0, "3210": 5.0}),
}

# Years since installation: installations grew with the city until about 2020 (the national
# count rose from 1.6 to 7.9 million elevators between 2010 and 2020), so some 20-25 % are "old".
YEARS_AGO_WEIGHTS: dict[int, float] = {
    **{k: 5.0 for k in range(1, 6)},
    **{k: 6.5 - (k - 6) * 4.0 / 12 for k in range(6, 19)},
    **{k: 1.8 - (k - 19) * 0.15 for k in range(19, 29)},
}

# --- who makes them -------------------------------------------------------------------------


@dataclass(frozen=True)
class Manufacturer:
    """An elevator maker: its licence-derived code (2-digit region + 3-digit sequence) and models."""

    name: str
    code: str
    serial_prefix: str
    share: float
    models: dict[str, tuple[str, ...]] = field(default_factory=dict)  # category code -> models


# Passenger models also serve 3210 (hydraulic), 3410 (explosion-proof) and 3420 (firefighter)
# where a maker lists no model of its own; see MODEL_FALLBACK.
MANUFACTURERS: tuple[Manufacturer, ...] = (
    Manufacturer("通力电梯有限公司", "32006", "KN", 14, {
        "3110": ("MonoSpace 500", "MiniSpace", "3000 S MonoSpace"), "3120": ("TranSys",),
        "3310": ("TravelMaster 110",), "3320": ("TravelMaster 145",), "3420": ("MonoSpace FF",),
    }),
    Manufacturer("奥的斯电梯（中国）有限公司", "12002", "OT", 11, {
        "3110": ("GeN2", "GeN2-MRL", "SkyRise"), "3120": ("GeN2-Cargo",),
        "3310": ("506NCE",), "3320": ("606NCT",),
    }),
    Manufacturer("日立电梯（中国）有限公司", "44003", "HT", 16, {
        "3110": ("HGP", "MCA", "HGE"), "3120": ("HF",), "3310": ("EX",), "3320": ("MW",),
        "3430": ("HDW",),
    }),
    Manufacturer("三菱电机上海机电电梯有限公司", "31004", "SM", 14, {
        "3110": ("ELENESSA", "LEHY-III", "NexWay-S"), "3120": ("LEHY-F",), "3310": ("J-1000",),
        "3320": ("J-W",),
    }),
    Manufacturer("迅达（中国）电梯有限公司", "31012", "SC", 8, {
        "3110": ("Schindler 3300", "Schindler 5500", "Schindler 7000"), "3120": ("Schindler 3300F",),
        "3310": ("Schindler 9300",), "3320": ("Schindler 9500",),
    }),
    Manufacturer("广州广日电梯工业有限公司", "44008", "GR", 10, {
        "3110": ("GRPS20", "GRPS30", "GRPS-K"), "3120": ("GRF",), "3310": ("GRE",), "3430": ("GRZ",),
    }),
    Manufacturer("康力电梯股份有限公司", "32021", "KL", 10, {
        "3110": ("KLK2", "KLK1"), "3120": ("KLH",), "3130": ("KLQ",), "3210": ("KLY",),
        "3220": ("KLYH",), "3310": ("KLXF",), "3320": ("KLRW",), "3430": ("KLZ",),
    }),
    Manufacturer("蒂森克虏伯电梯（上海）有限公司", "31009", "TK", 8, {
        "3110": ("evolution", "synergy"), "3120": ("TE-F",), "3310": ("velino",), "3320": ("iwalk",),
    }),
    Manufacturer("西子奥的斯电梯有限公司", "33005", "XO", 6, {
        "3110": ("XO-GeN2", "XO-21"), "3120": ("XO-F",), "3310": ("XO-508",), "3320": ("XO-608",),
    }),
    Manufacturer("沈阳博林特电梯集团股份有限公司", "21011", "BL", 4, {
        "3110": ("BLT-KMK",), "3120": ("BLT-H",), "3130": ("BLT-QZ",), "3220": ("BLT-YH",),
        "3310": ("BLT-FT",), "3410": ("BLT-FB",), "3430": ("BLT-ZW",),
    }),
)  # fmt: skip
MODEL_FALLBACK = {"3210": "3110", "3410": "3110", "3420": "3110"}

# The inspection body, before and after the provincial institute took over the city's office.
INSPECTION_BODIES = ((2017, "襄阳市特种设备监督检验所"), (9999, "湖北省特种设备检验检测研究院襄阳分院"))
# Legacy 20-digit codes name the registering office; the zones' elevators were registered by the city.
LEGACY_CODES_UNTIL = 2016  # registered before this year: mostly a legacy 20-digit code
LEGACY_CODE_SHARE = 0.92
REGISTRATION_PROVINCE = "鄂"
REGISTRATION_CITY_LETTER = "F"

# --- the registry's state -------------------------------------------------------------------

# About 93 % in use, 4 % suspended, 2 % scrapped, 1 % cancelled: only an elevator of 10 years or
# more is scrapped (a younger one drawn as scrapped is suspended), about 45 % of them are that old.
STATUS_WEIGHTS = {"in_use": 93.0, "suspended": 1.6, "scrapped": 4.4, "cancelled": 1.0}
SCRAPPED_MIN_YEARS = 10
RESULT_WEIGHTS = {"pass": 90.0, "pass_rectified": 5.0, "fail": 5.0}
ACCEPTANCE_RESULT_WEIGHTS = {"pass": 95.0, "pass_rectified": 5.0}
HISTORY_RESULT_WEIGHTS = {"pass": 93.0, "pass_rectified": 5.0, "fail": 2.0}  # a fail is re-inspected
OVERDUE_SHARE = 0.08  # of in-use elevators: next inspection due date already past
# Of random sites (landmarks have everything on record): about 3 % of elevators are "三无".
THREE_NO_SHARE = 0.03
THREE_NO_KINDS = {"no_user_unit": 3.0, "no_maintenance": 3.0, "no_repair_funds": 4.0}
HISTORY_YEARS = (3, 6)  # yearly inspections kept on the platform, at most
OLD_REWORK_SHARE = 0.15  # of elevators 12+ years old: a modification or major repair notice
REWORKS = {
    "modification_notice": ("更换控制柜并加装能量回馈装置", "更换曳引机与控制系统", "加装IC卡与远程监测装置"),
    "major_repair_notice": ("更换曳引钢丝绳及导靴", "更换门机系统与层门装置", "更换梯级链及驱动主机"),
}

# --- who uses and maintains them ------------------------------------------------------------

# More property managers and owners (使用单位/产权单位) than the accounts step creates, so that each
# division has its own residential managers, its hospitals and schools, its malls. Same columns as
# accounts.demo.PROPERTY_MANAGERS: full name, short name, division, registration, place categories.
EXTRA_PROPERTY_MANAGERS = [
    ("襄阳米公物业服务有限公司", "米公物业", "420606", ENTERPRISE, ("RESIDENTIAL",)),
    ("襄阳昭明物业管理有限公司", "昭明物业", "420602", ENTERPRISE, ("RESIDENTIAL",)),
    ("襄阳伙牌物业服务有限公司", "伙牌物业", "420607", ENTERPRISE, ("RESIDENTIAL", "PUBLIC_HOUSING")),
    ("襄阳卧龙物业服务有限公司", "卧龙物业", "420671", ENTERPRISE, ("RESIDENTIAL", "PUBLIC_HOUSING")),
    ("襄阳东津物业服务有限公司", "东津物业", "420672", ENTERPRISE, ("RESIDENTIAL",)),
    ("襄阳鱼梁洲物业服务有限公司", "鱼梁洲物业", "420673", ENTERPRISE, ("RESIDENTIAL",)),
    ("南漳县水镜物业服务有限公司", "水镜物业", "420624", ENTERPRISE, ("RESIDENTIAL", "PUBLIC_HOUSING")),
    ("枣阳市中兴物业服务有限公司", "中兴物业", "420683", ENTERPRISE, ("RESIDENTIAL", "PUBLIC_HOUSING")),
    ("襄阳市中心医院", "市中心医院", "420602", PUBLIC_INSTITUTION, ("HOSPITAL",)),
    ("襄阳市第一人民医院", "市一医院", "420606", PUBLIC_INSTITUTION, ("HOSPITAL",)),
    ("襄阳市中医医院", "市中医医院", "420606", PUBLIC_INSTITUTION, ("HOSPITAL",)),
    ("襄阳市襄州区人民医院", "襄州区人民医院", "420607", PUBLIC_INSTITUTION, ("HOSPITAL",)),
    ("枣阳市第一人民医院", "枣阳市一医院", "420683", PUBLIC_INSTITUTION, ("HOSPITAL",)),
    ("老河口市第一医院", "老河口市一医院", "420682", PUBLIC_INSTITUTION, ("HOSPITAL",)),
    ("宜城市人民医院", "宜城市人民医院", "420684", PUBLIC_INSTITUTION, ("HOSPITAL",)),
    ("谷城县人民医院", "谷城县人民医院", "420625", PUBLIC_INSTITUTION, ("HOSPITAL",)),
    ("保康县人民医院", "保康县人民医院", "420626", PUBLIC_INSTITUTION, ("HOSPITAL",)),
    ("襄阳市樊城区实验中学", "樊城实验中学", "420606", PUBLIC_INSTITUTION, ("SCHOOL",)),
    ("襄阳市襄州区第一中学", "襄州一中", "420607", PUBLIC_INSTITUTION, ("SCHOOL",)),
    ("襄阳高新区实验学校", "高新实验学校", "420671", PUBLIC_INSTITUTION, ("SCHOOL",)),
    ("枣阳市实验中学", "枣阳实验中学", "420683", PUBLIC_INSTITUTION, ("SCHOOL",)),
    ("老河口市第一中学", "老河口一中", "420682", PUBLIC_INSTITUTION, ("SCHOOL",)),
    ("宜城市第一中学", "宜城一中", "420684", PUBLIC_INSTITUTION, ("SCHOOL",)),
    ("南漳县第一中学", "南漳一中", "420624", PUBLIC_INSTITUTION, ("SCHOOL",)),
    ("谷城县第一中学", "谷城一中", "420625", PUBLIC_INSTITUTION, ("SCHOOL",)),
    ("保康县第一中学", "保康一中", "420626", PUBLIC_INSTITUTION, ("SCHOOL",)),
    ("枣阳市机关事务服务中心", "枣阳机关事务", "420683", PUBLIC_INSTITUTION, ("GOV_OFFICE",)),
    ("襄州区机关事务服务中心", "襄州机关事务", "420607", PUBLIC_INSTITUTION, ("GOV_OFFICE",)),
    ("襄阳万达广场商业管理有限公司", "万达商管", "420606", ENTERPRISE, ("MALL",)),
    ("襄阳襄城商业广场管理有限公司", "襄城商业", "420602", ENTERPRISE, ("MALL", "OFFICE_BUILDING")),
    ("襄阳东津新城商业运营有限公司", "东津商业", "420672", ENTERPRISE, ("MALL", "OFFICE_BUILDING")),
    ("枣阳市光武商业管理有限公司", "光武商业", "420683", ENTERPRISE, ("MALL", "OTHER_PUBLIC")),
    ("襄阳汉江国际酒店管理有限公司", "汉江酒店", "420606", ENTERPRISE, ("HOTEL",)),
    ("襄阳高新汽车产业园运营管理有限公司", "汽车产业园", "420671", ENTERPRISE, ("FACTORY",)),
    ("枣阳市汽车零部件产业园管理有限公司", "枣阳产业园", "420683", ENTERPRISE, ("FACTORY",)),
    ("襄阳市体育运动中心", "市体育中心", "420672", PUBLIC_INSTITUTION, ("OTHER_PUBLIC",)),
]

# More maintenance companies: full name, short name, division (the city's companies serve the rest).
EXTRA_MAINTENANCE_COMPANIES = [
    ("南漳县漳河电梯安装维修有限公司", "漳河电梯", "420624"),
    ("谷城县薤山电梯工程有限公司", "薤山电梯", "420625"),
]

# A site's user unit is one of its own division this often, when there is one (hospitals and schools
# always); otherwise a company of the city proper (districts and zones) has taken it on.
SAME_DIVISION_SHARE = 0.85
SAME_DIVISION_MAINTAINER_SHARE = 0.7
# The accounts step's property managers (the ones with logins among them) weigh more.
ACCOUNTS_MANAGER_WEIGHT = 3.0


@dataclass(frozen=True)
class Landmark:
    """A site every demo shows first: the first ones cover all twelve divisions."""

    district: str
    place: str
    name: str
    road: str
    number: int
    user_unit: str  # organisation name
    categories: dict[str, int]  # category code -> how many
    years_ago: int


LANDMARKS: tuple[Landmark, ...] = (
    Landmark("420606", "RESIDENTIAL", "华洋堤", "沿江大道", 66, "襄阳汉江物业服务有限公司", {"3110": 16}, 19),
    Landmark("420606", "MALL", "襄阳万达广场", "长虹北路", 1, "襄阳万达广场商业管理有限公司",
             {"3110": 8, "3310": 14, "3320": 2}, 13),
    Landmark("420602", "HOSPITAL", "襄阳市中心医院", "荆州街", 136, "襄阳市中心医院",
             {"3110": 10, "3120": 3, "3430": 1}, 16),
    Landmark("420602", "RESIDENTIAL", "檀溪名苑", "檀溪路", 219, "襄阳檀溪物业管理有限公司", {"3110": 12}, 11),
    Landmark("420607", "RESIDENTIAL", "鹿门华府", "航空路", 88, "襄阳鹿门置业房地产开发有限公司",
             {"3110": 10, "3430": 1}, 8),
    Landmark("420671", "OFFICE_BUILDING", "襄阳高新科技城", "追日路", 18, "襄阳高新科创物业服务有限公司",
             {"3110": 8, "3120": 1}, 7),
    Landmark("420672", "BUS_STATION", "襄阳东站综合客运枢纽", "东站大道", 1, "襄阳汉江客运站务有限公司",
             {"3110": 6, "3310": 10}, 7),
    Landmark("420683", "RESIDENTIAL", "光武花园", "光武大道", 56, "枣阳市光武物业服务有限公司", {"3110": 8}, 12),
    Landmark("420682", "RESIDENTIAL", "光化新城", "光化大道", 120, "老河口市光化物业服务有限公司", {"3110": 6}, 10),
    Landmark("420684", "RESIDENTIAL", "楚都名苑", "鄢城大道", 35, "宜城市楚都房地产开发有限公司", {"3110": 6}, 9),
    Landmark("420625", "RESIDENTIAL", "南河滨江花园", "江滨路", 16, "谷城县南河物业服务有限公司", {"3110": 6}, 14),
    Landmark("420624", "HOSPITAL", "南漳县荆山医院", "水镜路", 45, "南漳县荆山医院", {"3110": 4, "3120": 1}, 17),
    Landmark("420626", "RESIDENTIAL", "紫薇清溪苑", "清溪路", 8, "保康县紫薇物业管理有限公司", {"3110": 4}, 6),
    Landmark("420673", "HOTEL", "鱼梁洲汉江湾度假酒店", "环岛路", 9, "襄阳鱼梁洲文旅开发有限公司",
             {"3110": 3, "3430": 1}, 5),
    Landmark("420606", "HOSPITAL", "襄阳市第一人民医院", "解放路", 15, "襄阳市第一人民医院",
             {"3110": 9, "3120": 2}, 18),
    Landmark("420602", "SCENIC", "古隆中景区游客中心", "隆中路", 1, "襄阳古城文化旅游发展有限公司", {"3110": 2}, 9),
    Landmark("420602", "MUSEUM", "襄阳博物馆", "北街", 1, "襄阳市文化场馆服务中心", {"3110": 2}, 12),
    Landmark("420606", "LIBRARY", "襄阳市图书馆", "长征路", 62, "襄阳市文化场馆服务中心", {"3110": 3, "3310": 2}, 9),
    Landmark("420606", "PUBLIC_HOUSING", "紫贞公租房小区", "春园路", 300, "襄阳市安居住房保障服务有限公司",
             {"3110": 12}, 10),
    Landmark("420672", "GOV_OFFICE", "襄阳市政务服务中心", "东津大道", 1, "襄阳市政通物业服务有限公司", {"3110": 6}, 6),
    Landmark("420602", "SCHOOL", "襄阳市隆中实验学校", "隆中路", 27, "襄阳市隆中实验学校", {"3110": 2}, 8),
    Landmark("420606", "MALL", "春园广场", "春园路", 45, "襄阳春园商业管理有限公司", {"3110": 4, "3310": 8}, 12),
)  # fmt: skip
