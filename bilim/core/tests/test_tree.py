"""H1: the reference tree, org-unit services and their validation, the demo data."""

import pytest
from django.core.management import call_command

from bilim.core.demo import DEMO_USERS
from bilim.core.errors import DomainError
from bilim.core.models import AuditLog, Level, OrgUnit, Role, RoleGrant, User
from bilim.core.reference import regions_data
from bilim.core.services import orgunit_create, orgunit_update, role_grant


def test_reference_tree_is_loaded_by_migration(db):
    regions = OrgUnit.objects.filter(level=Level.REGION)
    assert regions.count() == 20
    assert regions.filter(region_kind="city").count() == 3
    assert set(regions.filter(region_kind="city").values_list("name_en", flat=True)) == {"Astana city", "Almaty city", "Shymkent city"}
    katos = list(regions.values_list("kato", flat=True))
    assert len(set(katos)) == 20 and all(len(k) == 9 and k.isdigit() for k in katos)
    for region in regions:
        assert region.name_kk.endswith(("облысы", "қаласы")) and region.name_ru and region.name_en
        assert region.parent.level == Level.REPUBLIC
    assert len(regions_data()["regions"]) == 20


def test_orgunit_create_sets_path_and_audits(demo):
    officer = demo.user("district.esil")
    unit = orgunit_create(parent=demo.esil, kind="school", name_kk="№ 99 мектеп", name_ru="Школа № 99", kato="711100001", by=officer)
    assert unit.path.startswith(demo.esil.path) and unit.level == Level.ORGANIZATION
    assert AuditLog.objects.filter(action="orgunit.create", object_id=str(unit.pk)).exists()


@pytest.mark.parametrize(
    "changes, fields",
    [
        ({"name_kk": ""}, {"name_kk"}),
        ({"name_ru": "  "}, {"name_ru"}),
        ({"kato": "12345"}, {"kato"}),
        ({"kato": "12345678X"}, {"kato"}),
        ({"kato": "²²²²²²²²²"}, {"kato"}),
        ({"bin": "١٢٣٤٥٦٧٨٩٠١٢"}, {"bin"}),
        ({"bin": "1"}, {"bin"}),
        ({"kind": "castle"}, {"kind"}),
        ({"kind": "region_authority"}, {"kind"}),
        ({"ownership": "mixed", "area_type": "space"}, {"ownership", "area_type"}),
    ],
)
def test_bad_org_unit_input_names_the_fields_and_saves_nothing(demo, changes, fields):
    school = demo.school_in(demo.esil)
    before = OrgUnit.objects.values().get(pk=school.pk)
    audit_count = AuditLog.objects.count()
    with pytest.raises(DomainError) as error:
        orgunit_update(unit=school, by=None, **changes)
    assert set(error.value.fields) == fields
    assert OrgUnit.objects.values().get(pk=school.pk) == before
    assert AuditLog.objects.count() == audit_count


def test_organizations_have_no_children(demo):
    with pytest.raises(DomainError) as error:
        orgunit_create(parent=demo.school_in(demo.esil), kind="school", name_kk="x", name_ru="x")
    assert "parent" in error.value.fields


def test_role_grants_respect_levels_and_the_granters_scope(demo):
    teacher = demo.user("teacher")
    with pytest.raises(DomainError) as error:
        role_grant(user=teacher, role=Role.DISTRICT_OFFICER, org_unit=demo.school_in(demo.esil))
    assert "org_unit" in error.value.fields
    with pytest.raises(DomainError) as error:
        role_grant(user=teacher, role=Role.TEACHER, org_unit=demo.school_in(demo.saryarka), by=demo.user("district.esil"))
    assert error.value.status == 404
    grant = role_grant(user=teacher, role=Role.TEACHER, org_unit=demo.school_in(demo.esil).parent.children.exclude(pk=demo.school_in(demo.esil).pk).first(), by=demo.user("district.esil"))
    assert grant.pk and AuditLog.objects.filter(action="role.grant").exists()


def test_demo_is_idempotent_and_has_every_role(demo, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "already loaded" in out and "district.esil" in out
    assert set(RoleGrant.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.filter(is_active=True).count() == len(DEMO_USERS)  # apps' demo stand-ins cannot log in
    assert OrgUnit.objects.filter(level=Level.DISTRICT).count() == 11
