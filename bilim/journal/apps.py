from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "bilim.journal"
    label = "journal"
    verbose_name = _("School journal")

    def seed_demo(self, scale: str) -> dict:
        from .demo import seed

        return seed(scale)

    # The home page shows these widgets (see core.views.home).
    home_template = "journal/_home_journal.html"

    def home_widgets(self, request) -> dict:
        from .views import home_widgets

        return home_widgets(request)
