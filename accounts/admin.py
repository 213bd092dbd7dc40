from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin

from .models import Contact, District, Notice, Organisation, OrganisationApiKey, User


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "city_name"]
    search_fields = ["code", "name", "short_name"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "credit_code", "district", "department", "is_active"]
    list_filter = ["kind", "district", "department", "is_active"]
    search_fields = ["name", "short_name", "credit_code"]
    inlines = [ContactInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "organisation", "is_org_admin", "is_active", "is_staff"]
    list_filter = ["organisation__kind", "is_org_admin", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("机构"), {"fields": ["organisation", "phone", "is_org_admin"]}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("机构"), {"fields": ["organisation"]}),)


@admin.register(OrganisationApiKey)
class OrganisationApiKeyAdmin(APIKeyModelAdmin):
    list_display = [*APIKeyModelAdmin.list_display, "organisation", "last_used_at"]
    list_filter = [*APIKeyModelAdmin.list_filter, "organisation__kind"]
    search_fields = [*APIKeyModelAdmin.search_fields, "organisation__name"]
    autocomplete_fields = ["organisation"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "recipient_organisation",
        "recipient_user",
        "created_at",
        "read_at",
        "emailed_at",
    ]
    list_filter = ["recipient_organisation__kind"]
    search_fields = ["subject", "recipient_organisation__name"]
    raw_id_fields = ["recipient_organisation", "recipient_user"]
