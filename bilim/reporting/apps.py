from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "bilim.reporting"
    label = "reporting"
    verbose_name = _("Reporting: the unified education information system")

    def seed_demo(self, scale: str) -> dict:
        from .demo import seed

        return seed(scale)

    # The home page shows these widgets (see core.views.home).
    home_template = "reporting/_home_reports.html"

    def home_widgets(self, request) -> dict:
        from .views import home_widgets

        return home_widgets(request)

    def forget_caches(self) -> None:
        from .specs import forget_all

        forget_all()
