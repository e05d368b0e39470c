"""The library's demo data: collections of ENU and KazNU, about fifty records in Kazakh (both
scripts), Russian and English, real files with their text extracted, KazNU's subscription, some
usage; found by search; a second run changes nothing."""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from bilim.library import selectors
from bilim.library.models import Collection, Resource, ResourceFile, Subscription, UsageCount

pytestmark = pytest.mark.django_db


def test_seed_demo(demo, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    config = apps.get_app_config("library")
    result = config.seed_demo("small")
    assert result["created"] and result["records"] == 50
    assert Collection.objects.count() == 5
    languages = set(Resource.objects.values_list("language", flat=True))
    assert languages == {"kk", "ru", "en"}
    assert Resource.objects.filter(language="kk", title__regex=r"[a-z]").exists()  # Latin-script Kazakh
    assert set(Resource.objects.values_list("access", flat=True)) == {"open", "subscribers", "university"}
    assert Resource.objects.filter(embargo_until__isnull=False).exists()
    assert ResourceFile.objects.count() == 6 and set(ResourceFile.objects.values_list("status", flat=True)) == {"done"}
    assert Subscription.objects.get().institution.kato.startswith("75")
    assert UsageCount.objects.exists()
    found = selectors.search(AnonymousUser(), "Абай", per_page=5)
    assert found.total >= 1
    assert config.seed_demo("small") == {"created": False}
    assert Resource.objects.count() == 50
