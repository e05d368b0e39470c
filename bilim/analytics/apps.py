from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "bilim.analytics"
    label = "analytics"
    verbose_name = _("Analytics of the journal")

    def ready(self) -> None:
        from bilim.journal.signals import lesson_saved

        from .engine import on_lesson_saved

        lesson_saved.connect(on_lesson_saved, dispatch_uid="analytics.enqueue")
