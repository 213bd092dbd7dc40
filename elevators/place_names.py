"""The names of the national place categories (elevators/migrations/0002_place_categories.py) as
translatable text. The rows hold the Chinese names; pages show them through gettext
(`PlaceCategory.__str__`, insurance.rating.factor_input_shown), so these keep them in the catalogue."""

from django.utils.translation import gettext_noop

PLACE_CATEGORY_NAMES = [
    gettext_noop("住宅小区"),
    gettext_noop("保障性住房"),
    gettext_noop("机关事业单位办公场所"),
    gettext_noop("医院"),
    gettext_noop("疾控中心"),
    gettext_noop("汽车客运站"),
    gettext_noop("码头"),
    gettext_noop("星级饭店"),
    gettext_noop("博物馆"),
    gettext_noop("文化馆"),
    gettext_noop("艺术馆"),
    gettext_noop("展览馆"),
    gettext_noop("图书馆"),
    gettext_noop("A级景区"),
    gettext_noop("商场超市"),
    gettext_noop("学校"),
    gettext_noop("写字楼"),
    gettext_noop("工厂"),
    gettext_noop("其他公共场所"),
]
