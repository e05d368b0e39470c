"""H2: a user sees only their subtree; anything outside is 404 — in selectors, pages and the API."""

import pytest
from django.http import Http404

from bilim.core import paths, selectors
from bilim.core.models import Level, OrgUnit, Role
from bilim.core.scope import Scope, in_scope
from bilim.core.services import role_grant


def test_paths_range_is_exactly_the_subtree():
    p = paths.segment(12)
    child = paths.child_path(p, 130)
    sibling = paths.segment(13)
    assert p <= child < paths.upper(p)
    assert not (p <= sibling < paths.upper(p))
    assert paths.upper(p) == sibling
    assert paths.ids(child) == [12, 130]


def test_segment_rejects_ids_that_do_not_fit():
    with pytest.raises(ValueError):
        paths.segment(0)
    with pytest.raises(ValueError):
        paths.segment(10**paths.SEGMENT_WIDTH)


def test_district_officer_sees_own_district_only(demo):
    officer = demo.user("district.esil")
    visible = selectors.orgunits_visible(officer)
    assert visible.filter(level=Level.ORGANIZATION).count() == OrgUnit.objects.filter(parent=demo.esil).count()
    assert not visible.filter(pk=demo.school_in(demo.saryarka).pk).exists()
    assert not visible.filter(pk=demo.republic.pk).exists()
    with pytest.raises(Http404):
        selectors.orgunit_get(officer, demo.school_in(demo.saryarka).pk)
    assert selectors.orgunit_get(officer, demo.school_in(demo.esil).pk).parent_id == demo.esil.pk


def test_region_officer_sees_every_district_of_the_region(demo):
    officer = demo.user("region.astana")
    districts = selectors.orgunits_visible(officer).filter(level=Level.DISTRICT)
    assert set(districts.values_list("name_kk", flat=True)) >= {"Есіл ауданы", "Сарыарқа ауданы"}
    assert not selectors.orgunits_visible(officer).filter(kato="750000000").exists()


def test_ministry_sees_everything(demo):
    assert selectors.orgunits_visible(demo.user("ministry")).count() == OrgUnit.objects.count()


def test_scope_is_the_union_of_grants_without_overlap(demo):
    officer = demo.user("district.esil")
    role_grant(user=officer, role=Role.DISTRICT_OFFICER, org_unit=demo.saryarka)
    scope = Scope.of(officer)
    assert len(scope.roots) == 2
    assert selectors.orgunits_visible(officer).filter(pk=demo.school_in(demo.saryarka).pk).exists()
    role_grant(user=officer, role=Role.REGION_OFFICER, org_unit=demo.esil.parent)
    assert Scope.of(officer).roots == (demo.esil.parent.path,)


def test_anonymous_and_inactive_users_see_nothing(demo):
    from django.contrib.auth.models import AnonymousUser

    assert in_scope(OrgUnit.objects.all(), AnonymousUser()).count() == 0
    officer = demo.user("district.esil")
    officer.is_active = False
    assert in_scope(OrgUnit.objects.all(), officer).count() == 0


def test_scope_filter_is_one_query(demo, django_assert_num_queries):
    officer = demo.user("district.esil")
    Scope.of(officer)  # the grants are read once per request and cached on the user
    with django_assert_num_queries(1):
        list(selectors.orgunits_visible(officer))


@pytest.mark.parametrize("digits, expected", [("3120", "3121"), ("39", "40"), ("0", "1"), ("999", None), ("710000000", "710000001")])
def test_next_prefix(digits, expected):
    assert paths.next_prefix(digits) == expected


def test_scope_within_a_subtree(demo):
    ministry = Scope.of(demo.user("ministry"))
    assert ministry.within(demo.esil.path).roots == (demo.esil.path,)
    district = Scope.of(demo.user("district.esil"))
    assert district.within(demo.republic.path).roots == (demo.esil.path,)  # only the part inside
    assert district.within(demo.saryarka.path).roots == ()
    assert list(selectors.orgunit_subtree(demo.user("district.esil"), demo.republic)) == list(
        selectors.orgunit_subtree(demo.user("district.esil"), demo.esil)
    )
