"""The catalogue is maintained by administrators here (R1); forms, campaigns and submissions are
created and changed through the services (pages and API) so that every step is audited."""

from django.contrib import admin

from .models import Breakdown, BreakdownItem, Campaign, Form, Indicator, Submission


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_kk", "name_ru", "value_type", "aggregation", "owner")
    list_filter = ("value_type", "aggregation")
    search_fields = ("code", "name_kk", "name_ru", "name_en")
    raw_id_fields = ("owner", "weight")


class BreakdownItemInline(admin.TabularInline):
    model = BreakdownItem
    extra = 0


@admin.register(Breakdown)
class BreakdownAdmin(admin.ModelAdmin):
    list_display = ("code", "name_kk", "name_ru")
    inlines = [BreakdownItemInline]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Form)
class FormAdmin(ReadOnly):
    list_display = ("code", "year", "version", "name_ru", "status", "order_number", "order_date")
    list_filter = ("status", "year")


@admin.register(Campaign)
class CampaignAdmin(ReadOnly):
    list_display = ("name_ru", "kind", "period", "status", "deadline_organization")
    list_filter = ("kind", "status")


@admin.register(Submission)
class SubmissionAdmin(ReadOnly):
    list_display = ("assignment", "number", "status", "submitted_at", "is_late", "digest")
    list_filter = ("status", "is_late")
