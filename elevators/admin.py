from django.contrib import admin

from accounts.models import District

from .models import PlaceCategory, PlaceCategorySector


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "city_name"]
    search_fields = ["code", "name", "short_name"]


class PlaceCategorySectorInline(admin.TabularInline):
    model = PlaceCategorySector
    extra = 0


@admin.register(PlaceCategory)
class PlaceCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_public_gathering"]
    inlines = [PlaceCategorySectorInline]
