"""Pages of the international office, /<lang>/cooperation/…: the office and foreigners
(`urls_foreigners`), outgoing mobility, agreements and the annual report (`urls_mobility`)."""

from .urls_foreigners import urlpatterns as _foreigners
from .urls_mobility import urlpatterns as _mobility

app_name = "cooperation"

urlpatterns = _foreigners + _mobility
