"""The administrators' screens. Writes that must be audited go through services (moved days, role
grants); the audit log is read-only here as everywhere."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from . import services
from .models import AuditLog, CalendarOverride, OrgUnit, RoleGrant, User


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name_kk", "name_ru", "level", "kind", "kato", "ownership", "area_type", "is_active")
    list_filter = ("level", "kind", "ownership", "area_type", "is_active")
    search_fields = ("name_kk", "name_ru", "name_en", "kato", "bin")
    readonly_fields = ("parent", "path", "level", "created_at")
    ordering = ("path",)

    def has_add_permission(self, request):
        return False  # units are created through the services (paths, audit) or imports

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in services.ORG_FIELDS}
        unit = OrgUnit.objects.get(pk=obj.pk)
        services.orgunit_update(unit=unit, by=request.user, request=request, **changes)


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    raw_id_fields = ("org_unit",)
    readonly_fields = ("granted_by", "granted_at")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + ((None, {"fields": ("patronymic", "iin", "preferred_language")}),)
    inlines = [RoleGrantInline]
    list_display = ("username", "last_name", "first_name", "is_active", "is_staff")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "reason", "created_by")
    list_filter = ("kind",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        services.calendar_override_set(day=obj.date, kind=obj.kind, reason=obj.reason, by=request.user, request=request)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("id", "at", "actor_name", "action", "object_type", "object_id", "source_ip")
    list_filter = ("action",)
    search_fields = ("actor_name", "action", "object_type", "object_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
