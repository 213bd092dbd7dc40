"""The national place categories (场所类别) and the sector departments that watch them (codes.md)."""

from django.db import migrations

PLACE_CATEGORIES = [
    # code, name, sector departments, public gathering place
    ("RESIDENTIAL", "住宅小区", ["HOUSING"], False),
    ("PUBLIC_HOUSING", "保障性住房", ["HOUSING", "FINANCE"], False),
    ("GOV_OFFICE", "机关事业单位办公场所", ["OFFICES"], False),
    ("HOSPITAL", "医院", ["HEALTH"], True),
    ("CDC", "疾控中心", ["HEALTH"], False),
    ("BUS_STATION", "汽车客运站", ["TRANSPORT"], True),
    ("DOCK", "码头", ["TRANSPORT"], True),
    ("HOTEL", "星级饭店", ["CULTURE"], True),
    ("MUSEUM", "博物馆", ["CULTURE"], True),
    ("CULTURE_CENTER", "文化馆", ["CULTURE"], True),
    ("ART_GALLERY", "艺术馆", ["CULTURE"], True),
    ("EXHIBITION", "展览馆", ["CULTURE"], True),
    ("LIBRARY", "图书馆", ["CULTURE"], True),
    ("SCENIC", "A级景区", ["CULTURE"], True),
    ("MALL", "商场超市", ["SAMR"], True),
    ("SCHOOL", "学校", ["SAMR"], True),
    ("OFFICE_BUILDING", "写字楼", ["SAMR"], False),
    ("FACTORY", "工厂", ["SAMR"], False),
    ("OTHER_PUBLIC", "其他公共场所", ["SAMR"], True),
]


def load(apps, schema_editor):
    PlaceCategory = apps.get_model("elevators", "PlaceCategory")
    PlaceCategorySector = apps.get_model("elevators", "PlaceCategorySector")
    for order, (code, name, departments, public) in enumerate(PLACE_CATEGORIES, start=1):
        category, _ = PlaceCategory.objects.update_or_create(
            code=code, defaults={"name": name, "is_public_gathering": public, "sort_order": order}
        )
        for department in departments:
            PlaceCategorySector.objects.get_or_create(place_category=category, department=department)


class Migration(migrations.Migration):
    dependencies = [("elevators", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
