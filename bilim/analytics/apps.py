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
        keys = rebuild()
        return {"keys": keys, "ratings": self._publish_demo_ratings()}

    @staticmethod
    def _publish_demo_ratings() -> int:
        """The ministry has published the rating of every finished term that has data."""
        from django.utils import timezone

        from bilim.core.errors import DomainError
        from bilim.core.models import User
        from bilim.journal.models import StudyPeriod

        from .services import rating_publish

        ministry = User.objects.filter(username="ministry").first()
        published = 0
        for period in StudyPeriod.objects.filter(kind=StudyPeriod.Kind.TERM, ends__lt=timezone.localdate()).order_by("starts"):
            try:
                rating_publish(period=period, by=ministry)
                published += 1
            except DomainError:
                continue  # no data in that term
        return published

    # The home page shows the dashboard card of officers and heads (see core.views.home).
    home_template = "analytics/_home.html"

    def home_widgets(self, request) -> dict:
        from .views import home_widgets

        return home_widgets(request)
