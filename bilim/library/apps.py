from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "bilim.library"
    label = "library"
    verbose_name = _("Inter-university electronic library")

    def seed_demo(self, scale: str) -> dict:
        from .demo import seed

        return seed(scale)

    # The home page shows this widget (see core.views.home).
    home_template = "library/_home_library.html"

    def home_widgets(self, request) -> dict:
        from .views import home_widgets

        return home_widgets(request)
