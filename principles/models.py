"""The catalogue: the twelve Hiroshima principles, lifecycle roles, questions, weights.

Every model has a natural key, so the YAML fixtures carry no database ids and an
edited fixture updates rows in place.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .translations import (
    PRINCIPLE_FIELDS,
    QUESTION_FIELDS,
    ROLE_FIELDS,
    translation_problems,
)

NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]

# A question code is its principle's numeral, a dot and a number: "VII.2".
QUESTION_CODE = re.compile(r"(?P<numeral>[IVX]{1,4})\.(?P<number>[1-9][0-9]{0,2})")


# The rules for numerals and codes, used by the models (so the admin refuses bad
# values) and by load_framework alike. Numerals and codes end up in URLs, file
# names, CSV cells and the score chart: they are data and must look like data.


def shown(value, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages about bad values."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def translations_field() -> models.JSONField:
    return models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("translations"),
        help_text=_(
            'Translated wording by language code, e.g. {"ja": {"text": "..."}}; a field left '
            "out shows the English text."
        ),
    )


def check_translations(obj, fields: tuple[str, ...]) -> None:
    """Refuse a bad ``translations`` value, as ``load_framework`` does (for the admin)."""
    problems = translation_problems(obj.translations, fields=fields)
    if problems:
        raise ValidationError({"translations": problems})


def validate_numeral(value: str) -> None:
    if not isinstance(value, str) or value not in NUMERALS:
        raise ValidationError(
            "%(value)s is not a principle numeral: use one of I to XII.",
            code="numeral",
            params={"value": shown(value)},
        )


def validate_question_code(value: str, *, numeral: str | None = None) -> None:
    """A code like VII.2; with ``numeral``, it must also start with that numeral."""
    match = QUESTION_CODE.fullmatch(value) if isinstance(value, str) else None
    if match is None or match["numeral"] not in NUMERALS:
        raise ValidationError(
            "%(value)s is not a question code: write the principle's numeral, a dot and "
            "a number from 1 to 999, e.g. VII.2.",
            code="question_code",
            params={"value": shown(value)},
        )
    if numeral is not None and match["numeral"] != numeral:
        raise ValidationError(
            "The code %(value)s must start with its principle's numeral %(numeral)s "
            "(e.g. %(numeral)s.1).",
            code="question_code_principle",
            params={"value": value, "numeral": numeral},
        )


class PrincipleSource(models.TextChoices):
    ORGANIZATIONS = (
        "organizations",
        "Guiding Principles for Organizations Developing Advanced AI Systems "
        "(also applied to all AI actors)",
    )
    ALL_ACTORS = "all_actors", "Guiding Principles for All AI Actors"


class PrincipleManager(models.Manager):
    def get_by_natural_key(self, numeral):
        return self.get(numeral=numeral)


class Principle(models.Model):
    numeral = models.CharField(max_length=5, unique=True, validators=[validate_numeral])
    order = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=120, help_text="Short title used in navigation.")
    text = models.TextField(help_text="The official wording, word for word.")
    commentary = models.TextField(
        blank=True, help_text="Official explanatory text that follows the principle, if any."
    )
    source = models.CharField(max_length=20, choices=PrincipleSource.choices)
    wording_version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Rises each time the official text changes."
    )
    translations = translations_field()
    history = HistoricalRecords()

    objects = PrincipleManager()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(numeral__in=NUMERALS), name="principle_numeral_i_to_xii"
            ),
        ]

    def __str__(self):
        return f"{self.numeral}. {self.title}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = Principle.objects.filter(pk=self.pk).values_list("text", flat=True).first()
            if stored is not None and stored != self.text:
                self.wording_version += 1
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        check_translations(self, PRINCIPLE_FIELDS)

    def natural_key(self):
        return (self.numeral,)


class LifecycleRoleManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class LifecycleRole(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    order = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=60)
    description = models.TextField(help_text="Who holds this role, in plain language.")
    translations = translations_field()
    history = HistoricalRecords()

    objects = LifecycleRoleManager()

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        check_translations(self, ROLE_FIELDS)

    def natural_key(self):
        return (self.code,)


class QuestionManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Question(models.Model):
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="questions")
    code = models.CharField(
        max_length=12,
        unique=True,
        validators=[validate_question_code],
        help_text="Stable code: the principle's numeral, a dot and a number, e.g. VII.2.",
    )
    order = models.PositiveSmallIntegerField()
    text = models.TextField()
    guidance = models.TextField(blank=True, help_text="Help for the person answering.")
    evidence_expected = models.TextField(
        blank=True, help_text="The kind of evidence an auditor would expect."
    )
    translations = translations_field()
    history = HistoricalRecords()

    objects = QuestionManager()

    class Meta:
        ordering = ["principle__order", "order"]

    def __str__(self):
        return self.code

    def clean(self):
        super().clean()
        check_translations(self, QUESTION_FIELDS)
        # The code's numeral names the principle's page (links use it): they must agree.
        match = QUESTION_CODE.fullmatch(self.code or "")
        if self.principle_id is not None and match and match["numeral"] in NUMERALS:
            try:
                validate_question_code(self.code, numeral=self.principle.numeral)
            except ValidationError as error:
                raise ValidationError({"code": error}) from None

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["principles.principle"]


class QuestionWeightManager(models.Manager):
    def get_by_natural_key(self, question_code, role_code):
        return self.get(question__code=question_code, role__code=role_code)


class QuestionWeight(models.Model):
    """How much a question counts for one lifecycle role: 0 (does not apply) to 3."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="weights")
    role = models.ForeignKey(LifecycleRole, on_delete=models.PROTECT, related_name="weights")
    weight = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(3)],
        help_text="0: does not apply to this role; 3: central to it.",
    )
    history = HistoricalRecords()

    objects = QuestionWeightManager()

    class Meta:
        ordering = ["question", "role__order"]
        constraints = [
            models.UniqueConstraint(fields=["question", "role"], name="unique_question_role"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0, weight__lte=3), name="weight_0_to_3"
            ),
        ]

    def __str__(self):
        return f"{self.question.code} / {self.role.code}: {self.weight}"

    def natural_key(self):
        return self.question.natural_key() + self.role.natural_key()

    natural_key.dependencies = ["principles.question", "principles.lifecyclerole"]


# --- the OECD HAIP reporting framework (principles/haip.py loads it) -----------------


class HaipSectionManager(models.Manager):
    def get_by_natural_key(self, number):
        return self.get(number=number)


class HaipSection(models.Model):
    """A numbered section of the OECD HAIP reporting framework."""

    number = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    title = models.CharField(_("title"), max_length=200)
    history = HistoricalRecords()

    objects = HaipSectionManager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("OECD HAIP reporting section")

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return (self.number,)


class HaipItemManager(models.Manager):
    def get_by_natural_key(self, number, letter):
        return self.get(section__number=number, letter=letter)


class HaipItem(models.Model):
    """A lettered item of a section (1.a, 1.b, ...), fed by some of our questions."""

    section = models.ForeignKey(HaipSection, on_delete=models.CASCADE, related_name="items")
    letter = models.CharField(max_length=2, validators=[RegexValidator(r"^[a-z]{1,2}$")])
    order = models.PositiveSmallIntegerField()
    title = models.CharField(
        _("title"), max_length=200, help_text=_("A short paraphrase in our own words.")
    )
    questions = models.ManyToManyField(
        Question, related_name="haip_items", blank=True, verbose_name=_("feeding questions")
    )
    history = HistoricalRecords(m2m_fields=[questions])

    objects = HaipItemManager()

    class Meta:
        ordering = ["section__number", "order"]
        verbose_name = _("OECD HAIP reporting item")
        constraints = [
            models.UniqueConstraint(fields=["section", "letter"], name="unique_haip_item"),
        ]

    def __str__(self):
        return f"{self.identifier} {self.title}"

    @property
    def identifier(self) -> str:
        return f"{self.section.number}.{self.letter}"

    def natural_key(self):
        return self.section.natural_key() + (self.letter,)


# --- crosswalks to other frameworks (principles/crosswalks.py loads them) -------------


class Relationship(models.TextChoices):
    """How a question relates to a target requirement, in NIST OLIR's vocabulary."""

    EQUAL = "equal", _("equals")
    SUBSET = "subset", _("is a subset of")
    SUPERSET = "superset", _("is a superset of")
    INTERSECT = "intersect", _("intersects with")


class TargetFramework(models.Model):
    """Another framework our questions map to (NIST AI RMF, ISO/IEC 42001, ...)."""

    code = models.SlugField(max_length=40, unique=True)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60)
    version = models.CharField(_("version"), max_length=60)
    url = models.URLField(max_length=500, blank=True)
    scope_note = models.TextField(_("scope note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]
        verbose_name = _("target framework")

    def __str__(self):
        return self.short_name


class TargetRequirement(models.Model):
    """One requirement of a target framework, by its published identifier."""

    framework = models.ForeignKey(
        TargetFramework, on_delete=models.CASCADE, related_name="requirements"
    )
    identifier = models.CharField(max_length=40)
    order = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["framework__order", "order"]
        verbose_name = _("target requirement")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "identifier"], name="unique_target_requirement"
            ),
        ]

    def __str__(self):
        return f"{self.framework.short_name} {self.identifier}"


class CrosswalkMapping(models.Model):
    """That one of our questions supports a target requirement, and how."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="crosswalk_mappings"
    )
    requirement = models.ForeignKey(
        TargetRequirement, on_delete=models.CASCADE, related_name="mappings"
    )
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    rationale = models.CharField(_("rationale"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        ordering = ["requirement__framework__order", "requirement__order", "question"]
        verbose_name = _("crosswalk mapping")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "requirement"], name="unique_crosswalk_mapping"
            ),
        ]

    def __str__(self):
        return f"{self.question.code} {self.relationship} {self.requirement}"


class CatalogueStamp(models.Model):
    """One row whose token changes with every change to the catalogue.

    Every process keeps the catalogue it built last (``catalogue.live_catalogue``)
    under the token it read; a new token, written in the same transaction as the
    change (``stamps.py``), makes every process build it again. A random token
    rather than a counter: after a rolled-back change the old token comes back,
    and with it content that the old token still describes.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("catalogue stamp")

    def __str__(self):
        return self.token
