from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "bilim.reporting"
    label = "reporting"
    verbose_name = _("Reporting: the unified education information system")

    def seed_demo(self, scale: str) -> dict:
        from .demo import seed

        return seed(scale)
