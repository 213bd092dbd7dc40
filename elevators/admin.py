from django.contrib import admin

from .models import PlaceCategory, PlaceCategorySector


class PlaceCategorySectorInline(admin.TabularInline):
    model = PlaceCategorySector
    extra = 0


@admin.register(PlaceCategory)
class PlaceCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_public_gathering"]
    inlines = [PlaceCategorySectorInline]
