"""Foreigners who came to the organization to study, work or do research (C5) and their questionnaire
of Appendix 1 (C6), with the admission order, arrival, accommodation, medical check-up, expected end
and departure.

The questionnaire's items (numbers of Appendix 1):

1 surname, name, patronymic (as in the passport in Latin letters; in Cyrillic where applicable) ·
2 sex · 3 citizenship (one country) · 4 place of birth (country, city, administrative unit) ·
5 nationality* · 6 religion* · 7 membership of political and public organizations* · 8 permanent
address and phones · 9 marital status · 10 relatives* (relation, full name, birth year, citizenship,
occupation, permanent address) · 11 education before arrival (organization, programme, years, type of
organization: state / private / religious / secular / military, document) · 12 languages and level
(spoken, reading, writing) · 13 activity in the last five years · 14 reasons for coming, ranked ·
15 specialty, purpose of work, research topic · 16 other information, wishes · 17 acknowledgement of
the laws and rules, date and signature.

\\* special categories of personal data: encrypted at rest (``core.fieldcrypt``), shown only to the
organization's international office, every view audited. The lists of items 11–13 are JSON lists
whose shape ``services`` checks; item 10 is an encrypted JSON list."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bilim.core.fieldcrypt import EncryptedJSONField, EncryptedTextField
from bilim.core.models import OrgUnit

__all__ = [
    "Sex", "MaritalStatus", "Relation", "EducationType", "LanguageLevel", "ActivityKind", "Reason", "Category", "StayPurpose",
    "Basis", "Accommodation", "DepartureReason", "Foreigner", "SPECIAL_FIELDS",
]

# The special categories of personal data of the questionnaire (items 5, 6, 7, 10).
SPECIAL_FIELDS = ("nationality", "religion", "memberships", "relatives")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")


class Relation(models.TextChoices):
    """The rows of item 10, in the questionnaire's order."""

    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    BROTHER = "brother", _("Brother")
    SISTER = "sister", _("Sister")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    OTHER = "other", _("Other close relative")


class EducationType(models.TextChoices):
    """Item 11's types of education organization (*): state, private, religious, secular, military."""

    STATE = "state", _("State")
    PRIVATE = "private", _("Private")
    RELIGIOUS = "religious", _("Religious")
    SECULAR = "secular", _("Secular")
    MILITARY = "military", _("Military")


class LanguageLevel(models.TextChoices):
    NATIVE = "native", _("Native")
    FLUENT = "fluent", _("Fluent")
    GOOD = "good", _("Good")
    BASIC = "basic", _("Basic")
    NONE = "none", _("None")


class ActivityKind(models.TextChoices):
    """Item 13: study, work, military service, public service, other activity."""

    STUDY = "study", _("Study")
    WORK = "work", _("Work")
    MILITARY = "military", _("Military service")
    PUBLIC = "public", _("Public service")
    OTHER = "other", _("Other activity")


class Reason(models.TextChoices):
    """Item 14's reasons for coming, in the questionnaire's order; the foreigner ranks the chosen ones."""

    SENT_BY_STATE = "sent_by_state", _("Sent by the state")
    RELATIVES = "relatives", _("Advice of relatives")
    OTHER_PERSONS = "other_persons", _("Advice of other persons")
    LOW_FEES = "low_fees", _("Inexpensive tuition")
    QUALITY = "quality", _("High level of education")
    KNOW_COUNTRY = "know_country", _("Wish to get to know our country")
    CONTRACT = "contract", _("Contract obligations")
    OTHER = "other", _("Other reasons")


class StayPurpose(models.TextChoices):
    """Why the foreigner is at the organization (Appendix 2 §3: study, work, research)."""

    STUDY = "study", _("Study")
    WORK = "work", _("Work")
    RESEARCH = "research", _("Research")


class Category(models.TextChoices):
    """Who the foreigner is at the organization (§4.1: students of the main and preparatory faculties,
    doctoral students, teachers, researchers)."""

    PREPARATORY = "preparatory", _("Student of the preparatory faculty")
    BACHELOR = "bachelor", _("Bachelor's student")
    MASTER = "master", _("Master's student")
    DOCTORAL = "doctoral", _("Doctoral student")
    EXCHANGE = "exchange", _("Exchange or visiting student")
    TEACHER = "teacher", _("Teacher")
    RESEARCHER = "researcher", _("Researcher")

    @classmethod
    def purpose_of(cls, category: str) -> str:
        return {cls.TEACHER: StayPurpose.WORK, cls.RESEARCHER: StayPurpose.RESEARCH}.get(category, StayPurpose.STUDY)


class Basis(models.TextChoices):
    """On what the stay rests (Appendix 2 §3's "direction")."""

    STATE_GRANT = "state_grant", _("Grant of the Republic of Kazakhstan")
    TREATY = "treaty", _("International treaty (quota)")
    AGREEMENT = "agreement", _("Agreement with a partner (exchange)")
    PAID = "paid", _("Paid contract")
    INVITATION = "invitation", _("Invitation of the organization")
    OTHER = "other", _("Other")


class Accommodation(models.TextChoices):
    DORMITORY = "dormitory", _("Dormitory of the organization")
    RENTED = "rented", _("Rented housing")
    RELATIVES = "relatives", _("With relatives")
    OWN = "own", _("Own housing")
    OTHER = "other", _("Other")


class DepartureReason(models.TextChoices):
    COMPLETED = "completed", _("Completed the programme or the work")
    TRANSFERRED = "transferred", _("Transferred to another organization")
    EXPELLED = "expelled", _("Expelled")
    OWN_WISH = "own_wish", _("Left at own wish")
    OTHER = "other", _("Other")


def photo_path(instance: "Foreigner", filename: str) -> str:
    """``cooperation/photos/<organization>/<random>.jpg`` under MEDIA_ROOT: never served directly."""
    return f"cooperation/photos/{instance.org_unit_id}/{uuid.uuid4().hex}.jpg"


class Foreigner(models.Model):
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    photo = models.FileField(_("photo"), upload_to=photo_path, max_length=200, blank=True)

    # 1 — names: as in the passport (Latin letters) and in Cyrillic where applicable
    surname_latin = models.CharField(_("surname (as in the passport)"), max_length=100)
    given_names_latin = models.CharField(_("given names (as in the passport)"), max_length=150)
    last_name = models.CharField(_("surname in Cyrillic"), max_length=100, blank=True)
    first_name = models.CharField(_("name in Cyrillic"), max_length=100, blank=True)
    patronymic = models.CharField(_("patronymic in Cyrillic"), max_length=100, blank=True)
    # 2–4
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    citizenship = models.CharField(_("citizenship"), max_length=2)
    is_cis = models.BooleanField(_("citizen of a CIS country"), default=False, editable=False)
    birth_date = models.DateField(_("date of birth"))
    birth_country = models.CharField(_("country of birth"), max_length=2)
    birth_place = models.CharField(_("place of birth (city, administrative unit)"), max_length=200)
    # passport
    passport_number = models.CharField(_("passport number"), max_length=20)
    passport_issued_on = models.DateField(_("passport issued on"))
    passport_expires_on = models.DateField(_("passport valid until"))
    passport_issued_by = models.CharField(_("passport issued by"), max_length=200, blank=True)
    # 5–7, 10 — special categories, encrypted at rest
    nationality = EncryptedTextField(_("nationality"), blank=True, default="")
    religion = EncryptedTextField(_("religion"), blank=True, default="")
    memberships = EncryptedTextField(_("membership of political and public organizations"), blank=True, default="")
    relatives = EncryptedJSONField(_("relatives"), default=list, blank=True)
    # 8–9
    permanent_address = models.CharField(_("permanent address"), max_length=500)
    phones = models.CharField(_("contact phones"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    marital_status = models.CharField(_("marital status"), max_length=10, choices=MaritalStatus.choices)
    # 11–13: lists checked by services
    education = models.JSONField(_("education before arrival"), default=list, blank=True)
    languages = models.JSONField(_("languages and level"), default=list, blank=True)
    activities = models.JSONField(_("activity in the last five years"), default=list, blank=True)
    # 14: the chosen reasons' codes in rank order (first = rank 1)
    reasons = models.JSONField(_("reasons for coming, ranked"), default=list)
    reason_other = models.CharField(_("other reason"), max_length=300, blank=True)
    # 15–16
    study_purpose = models.TextField(_("specialty of study, purpose of work or research topic"), max_length=2000)
    about = models.TextField(_("other information, wishes, suggestions"), max_length=4000, blank=True)
    # the stay
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    basis = models.CharField(_("basis of the stay"), max_length=12, choices=Basis.choices)
    specialty = models.CharField(_("specialty or department"), max_length=200, blank=True)
    course = models.PositiveSmallIntegerField(_("year of study"), null=True, blank=True)
    is_diaspora = models.BooleanField(_("member of the Kazakh diaspora abroad"), default=False)
    is_kandas = models.BooleanField(_("kandas (ethnic Kazakh with kandas status)"), default=False)
    admission_order_number = models.CharField(_("number of the admission order"), max_length=50, blank=True)
    admission_order_date = models.DateField(_("date of the admission order"), null=True, blank=True)
    arrival_date = models.DateField(_("date of arrival"))
    accommodation = models.CharField(_("accommodation"), max_length=10, choices=Accommodation.choices)
    accommodation_address = models.CharField(_("address of accommodation"), max_length=300, blank=True)
    medical_checkup_on = models.DateField(_("medical check-up passed on"), null=True, blank=True)
    expected_end_date = models.DateField(_("expected end of the stay"))
    departure_date = models.DateField(_("date of departure"), null=True, blank=True)
    departure_reason = models.CharField(_("reason of departure"), max_length=12, choices=DepartureReason.choices, blank=True)
    departure_note = models.CharField(_("note on the departure"), max_length=300, blank=True)
    # 17 and consent
    acknowledged = models.BooleanField(_("acquainted with the laws and rules (item 17)"), default=False)
    acknowledged_on = models.DateField(_("date of the acknowledgement"))
    signed = models.BooleanField(_("the questionnaire is signed by the foreigner"), default=False)
    consent_version = models.CharField(_("version of the consent text"), max_length=20)
    consent_at = models.DateTimeField(_("consent to the processing of personal data recorded at"))
    consent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("foreigner")
        verbose_name_plural = _("foreigners")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "citizenship", "passport_number"], name="coop_foreigner_passport_unique"),
        ]
        indexes = [
            models.Index(fields=["org_unit", "departure_date", "arrival_date"], name="coop_foreigner_present"),
            models.Index(fields=["org_unit", "surname_latin"], name="coop_foreigner_name"),
        ]

    def __str__(self) -> str:
        return self.name_latin

    @property
    def name_latin(self) -> str:
        return f"{self.surname_latin} {self.given_names_latin}".strip()

    @property
    def name_cyrillic(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    @property
    def purpose(self) -> str:
        return Category.purpose_of(self.category)

    def get_purpose_display(self) -> str:
        return StayPurpose(self.purpose).label

    def status(self, on=None) -> str:
        """``expected`` (not arrived yet), ``present`` or ``departed`` on the day ``on`` (today)."""
        on = on or timezone.localdate()
        if self.departure_date is not None and self.departure_date <= on:
            return "departed"
        if self.arrival_date > on:
            return "expected"
        return "present"
