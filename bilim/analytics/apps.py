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

    def seed_demo(self, scale: str) -> dict:
        """After the journal's demo: compute the roll-ups from it."""
        from .engine import rebuild
        from .models import Rollup

        if Rollup.objects.exists():
            return {"created": False}
        return {"keys": rebuild()}

    # The home page shows the dashboard card of officers and heads (see core.views.home).
    home_template = "analytics/_home.html"

    def home_widgets(self, request) -> dict:
        from .views import home_widgets

        return home_widgets(request)
