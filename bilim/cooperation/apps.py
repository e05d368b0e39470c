from importlib.util import find_spec

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _office_required(p: dict) -> str:
    from django.utils.translation import gettext

    return gettext("%(unit)s must have an international cooperation service (rules §4): %(foreigners)s foreigners, "
                   "%(abroad)s citizens abroad on its referral, %(agreements)s active agreements — and no service is "
                   "recorded. Record the service and the head's order.") % p


class CooperationConfig(AppConfig):
    name = "bilim.cooperation"
    label = "cooperation"
    verbose_name = _("International cooperation")

    def ready(self) -> None:
        # the notification of C1 is rendered in each reader's language (core.notifications)
        from bilim.core import notifications

        notifications.TEMPLATES.setdefault("cooperation.office_required", _office_required)

    def seed_demo(self, scale: str) -> dict:
        """The office and the foreigners of ENU and KazNU first (``demo.seed``: ENU's service is
        recorded, as it was in 2023), then the mobility and agreements (``demo_mobility.seed``, when it
        exists) — so the agreements entering into force do not warn ENU's head of a missing service (C1)."""
        from .demo import seed

        result: dict = dict(seed(scale))
        if find_spec("bilim.cooperation.demo_mobility") is not None:
            from . import demo_mobility

            result["mobility"] = demo_mobility.seed(scale)
        return result

    # The home page shows these widgets (see core.views.home).
    home_template = "cooperation/_home.html"

    def home_widgets(self, request) -> dict:
        """The C1 status of the office for its officer and the head (a warning when a service is
        mandatory and none is recorded). Part B may add its own by a module ``mobility_home`` with
        ``home_widgets(request) -> dict`` whose ``cooperation_mobility_template`` key names the
        template to include."""
        from .views import home_widgets

        context = home_widgets(request)
        if find_spec("bilim.cooperation.mobility_home") is not None:
            from . import mobility_home

            context.update(mobility_home.home_widgets(request))
        return context
