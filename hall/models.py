"""People, departments and the service catalogue."""

from typing import NamedTuple

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language, gettext, pgettext
from django.utils.translation import gettext_lazy as _


def reading_english() -> bool:
    return (get_language() or "zh-hans").startswith("en")


class Localized(NamedTuple):
    """A text for the reader: in their language, or in the other one when only that was written.

    ``lang`` is set only in the second case, so a page can mark the text as the other language.
    """

    text: str
    lang: str = ""

    def __str__(self) -> str:
        return self.text

    @property
    def note(self) -> str:
        if not self.lang:
            return ""
        if self.lang == "en":
            return gettext("Available in English only")
        return gettext("Available in Chinese only")


def localized_marked(obj, field: str) -> Localized:
    """``obj``'s ``field`` for the reader. The Chinese form is ``<field>_zh``, or plain
    ``<field>`` for the texts that were Chinese-only before they had an English twin."""
    zh = getattr(obj, f"{field}_zh", None)
    if zh is None:
        zh = getattr(obj, field)
    en = getattr(obj, f"{field}_en")
    if reading_english():
        return Localized(en) if en or not zh else Localized(zh, "zh-hans")
    return Localized(zh) if zh or not en else Localized(en, "en")


class Bilingual:
    """Picks the Chinese or English form of a field by the active language."""

    def localized(self, field: str) -> str:
        return localized_marked(self, field).text

    def localized_marked(self, field: str) -> Localized:
        return localized_marked(self, field)

    @property
    def name(self) -> str:
        return self.localized("name")


class Identity(models.TextChoices):
    STAFF = "staff", _("Faculty / staff")
    UNDERGRADUATE = "undergraduate", _("Undergraduate")
    GRADUATE = "graduate", _("Graduate student")
    EXTERNAL = "external", _("External")


class Department(Bilingual, models.Model):
    class Kind(models.TextChoices):
        FUNCTIONAL = "functional", _("Functional department")
        UNIT = "unit", _("Second-level unit (college, centre)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FUNCTIONAL)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    heads = models.ManyToManyField(
        "User", verbose_name=_("heads"), blank=True, related_name="headed_departments"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person of the institution, with what the forms fill in by themselves."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True, db_index=True)
    # The name's pinyin and its initials, kept by save(), so the people picker finds 张三 by
    # "zhangsan" or "zs" with an index (hall.people.search).
    pinyin = models.CharField(max_length=200, blank=True, default="", db_index=True, editable=False)
    pinyin_initials = models.CharField(
        max_length=60, blank=True, default="", db_index=True, editable=False
    )
    number = models.CharField(
        _("staff / student number"), max_length=30, unique=True, null=True, blank=True
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    identity = models.CharField(
        _("identity"), max_length=20, choices=Identity.choices, default=Identity.STAFF
    )
    title = models.CharField(_("title or position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    office = models.CharField(_("office"), max_length=100, blank=True)
    language = models.CharField(
        _("language of messages"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )
    notify_by_email = models.BooleanField(_("messages by e-mail"), default=True)
    notify_by_webhook = models.BooleanField(_("messages to the enterprise chat"), default=False)
    # The person's UserID in the enterprise WeChat (企业微信) when it is not their number.
    wecom_id = models.CharField(
        _("enterprise WeChat user ID"), max_length=64, unique=True, null=True, blank=True
    )
    notify_by_wecom = models.BooleanField(_("messages in the enterprise WeChat app"), default=True)
    # Bumped by "sign out everywhere": part of the session hash, so every session made before
    # it stops being valid at its next request, wherever it is.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.get_username()

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.get_username()

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        # The name as read, so that save() rewrites the picker's keys only when it changed.
        user._keyed_name = user.__dict__.get("full_name")
        return user

    def save(self, *args, **kwargs):
        from hall.search import pinyin_of

        self.pinyin, self.pinyin_initials = pinyin_of(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "pinyin", "pinyin_initials"}
        adding = self._state.adding
        super().save(*args, **kwargs)
        named = update_fields is None or "full_name" in update_fields
        if named and getattr(self, "_keyed_name", None) != self.full_name:
            PersonKey.write(self, fresh=adding)
            self._keyed_name = self.full_name

    def get_session_auth_hash(self) -> str:
        base = super().get_session_auth_hash()
        if not self.session_generation:
            # Unchanged for everyone who never signed out everywhere: no one is signed out
            # by the upgrade that brought the field.
            return base
        return salted_hmac(
            "hall.User.session_generation", f"{base}:{self.session_generation}"
        ).hexdigest()

    @property
    def wecom_user_id(self) -> str:
        """Who this person is in the enterprise WeChat: a stored ID, else their number."""
        return self.wecom_id or self.number or ""


class PersonKey(models.Model):
    """One key the people picker finds a person by: their name from each character on, its
    pinyin and initials from each syllable on (``hall.search.name_keys``), kept by
    ``User.save``. ``key LIKE 'q%'`` on the index finds a query anywhere in a name."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField(max_length=100, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="person_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return self.key

    @classmethod
    def write(cls, user: User, *, fresh: bool = False) -> None:
        from hall.search import name_keys

        if not fresh:
            cls.objects.filter(user=user).delete()
        keys = name_keys(user.full_name)
        if keys:
            cls.objects.bulk_create([cls(user=user, key=k) for k in keys])


class Role(Bilingual, models.Model):
    """A named role in a department ("research secretary"), held by one or more users."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="roles"
    )
    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    holders = models.ManyToManyField(
        User, verbose_name=_("holders"), blank=True, related_name="roles"
    )

    class Meta:
        ordering = ["department__order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "code"], name="role_unique_per_department"
            )
        ]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return f"{self.department.name} · {self.name}"


class Area(Bilingual, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    description_zh = models.CharField(_("description (Chinese)"), max_length=200, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return self.localized("description")


class Audience(models.TextChoices):
    STAFF = "staff", _("Faculty / staff")
    UNDERGRADUATE = "undergraduate", _("Undergraduates")
    GRADUATE = "graduate", _("Graduate students")


AUDIENCE_FIELDS = {
    Audience.STAFF: "for_staff",
    Audience.UNDERGRADUATE: "for_undergraduates",
    Audience.GRADUATE: "for_graduates",
}


class Service(Bilingual, models.Model):
    """One affair of the catalogue: its guide, its online form and its approval chain."""

    code = models.SlugField(
        _("code"), max_length=60, unique=True, help_text=_("Stable: used in links and imports.")
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="services"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department in charge"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    for_staff = models.BooleanField(_("for faculty / staff"), default=True)
    for_undergraduates = models.BooleanField(_("for undergraduates"), default=False)
    for_graduates = models.BooleanField(_("for graduate students"), default=False)
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("only for members of these departments"),
        blank=True,
        related_name="restricted_services",
        help_text=_(
            "Leave empty for people of every department. Units under a chosen department count "
            "as part of it."
        ),
    )
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Separated by commas.")
    )
    synonyms = models.CharField(
        _("synonyms"),
        max_length=500,
        blank=True,
        help_text=_("Other words people search for, separated by commas."),
    )
    letter = models.CharField(
        _("A–Z letter"),
        max_length=1,
        db_index=True,
        editable=False,
        help_text=_("Pinyin initial of the Chinese name, set on save."),
    )
    sort_key = models.CharField(max_length=300, editable=False, default="", db_index=True)
    search_text = models.TextField(editable=False, default="")
    applicant_range = models.TextField(_("who may apply (Chinese)"), blank=True)
    applicant_range_en = models.TextField(_("who may apply (English)"), blank=True)
    materials = models.TextField(_("required materials (Chinese)"), blank=True)
    materials_en = models.TextField(_("required materials (English)"), blank=True)
    procedure = models.TextField(_("procedure (Chinese)"), blank=True)
    procedure_en = models.TextField(_("procedure (English)"), blank=True)
    fees = models.CharField(_("fees (Chinese)"), max_length=200, blank=True)
    fees_en = models.CharField(_("fees (English)"), max_length=300, blank=True)
    faq = models.TextField(_("frequently asked questions (Chinese)"), blank=True)
    faq_en = models.TextField(_("frequently asked questions (English)"), blank=True)
    time_limit_days = models.PositiveSmallIntegerField(
        _("promised time limit (working days)"), default=5
    )
    is_online = models.BooleanField(
        _("can be applied for online"),
        default=True,
        help_text=_("Off: the guide tells people where to go in person."),
    )
    is_published = models.BooleanField(_("published"), default=False, db_index=True)
    popularity = models.PositiveIntegerField(_("popularity"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["sort_key", "code"]
        indexes = [
            models.Index(fields=["is_published", "-popularity"], name="service_hot_idx"),
            models.Index(fields=["is_published", "area"], name="service_area_idx"),
            models.Index(fields=["is_published", "department"], name="service_dept_idx"),
            models.Index(fields=["is_published", "letter"], name="service_letter_idx"),
        ]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from hall.search import letter_of, search_text_of, sort_key_of

        self.letter = letter_of(self.name_zh or self.name_en)
        self.sort_key = sort_key_of(self.name_zh or self.name_en)
        self.search_text = search_text_of(
            self.code, self.name_zh, self.name_en, self.keywords, self.synonyms
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "letter", "sort_key", "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("hall:service-detail", args=[self.code])

    @property
    def audiences(self) -> list[str]:
        return [aud for aud, field in AUDIENCE_FIELDS.items() if getattr(self, field)]

    def get_audiences_display(self) -> list[str]:
        return [Audience(aud).label for aud in self.audiences]

    GUIDE_TEXTS = ("applicant_range", "materials", "procedure", "fees", "faq")

    @property
    def guide(self) -> dict[str, Localized]:
        """The guide's texts in the reader's language, marked where only the other exists."""
        return {field: self.localized_marked(field) for field in self.GUIDE_TEXTS}

    def may_apply(self, user) -> bool:
        """Whether the person is one this service is for: of one of its audiences and, where an
        admin limited it to some departments, a member of one of them or of a unit under one.
        The guide page, the apply page and the engine's submit all ask this one question."""
        if not user.is_authenticated or user.identity not in self.audiences:
            return False
        allowed = {d.pk for d in self.departments.all()}
        if not allowed:
            return True
        department, seen = user.department, set()
        while department is not None and department.pk not in seen:
            if department.pk in allowed:
                return True
            seen.add(department.pk)
            department = department.parent
        return False

    def who_may_apply(self) -> str:
        """The sentence that tells people who may apply, in the active language."""
        separator = pgettext("between the items of a list", ", ")
        who = separator.join(str(label) for label in self.get_audiences_display())
        if not who:
            return gettext("Nobody can apply for this service online at present.")
        departments = separator.join(d.name for d in self.departments.all())
        if departments:
            return gettext("Who may apply for this service: %(who)s of %(departments)s.") % {
                "who": who,
                "departments": departments,
            }
        return gettext("Who may apply for this service: %(who)s.") % {"who": who}


class ServiceContact(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("staff in charge"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    office = models.CharField(_("office (Chinese)"), max_length=100, blank=True)
    office_en = models.CharField(_("office (English)"), max_length=150, blank=True)
    hours = models.CharField(_("office hours (Chinese)"), max_length=100, blank=True)
    hours_en = models.CharField(_("office hours (English)"), max_length=150, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name

    @property
    def office_localized(self) -> str:
        return localized_marked(self, "office").text

    @property
    def hours_localized(self) -> str:
        return localized_marked(self, "hours").text


class ServiceField(models.Model):
    """One field of a service's online form."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        MONEY = "money", _("Amount of money")
        DATE = "date", _("Date")
        DATE_RANGE = "date_range", _("Date range")
        CHOICE = "choice", _("Choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")
        FILE = "file", _("File")
        PERSON = "person", _("Person picker")
        DEPARTMENT = "department", _("Department picker")
        # Filled by the research funds mirror (workflows/research registers their choices).
        PROJECT = "project", _("Research project picker")
        INVOICE = "invoice", _("Open pre-borrowed invoice picker")

    class Prefill(models.TextChoices):
        NONE = "", _("— none —")
        FULL_NAME = "full_name", _("Full name")
        NUMBER = "number", _("Staff / student number")
        DEPARTMENT = "department", _("Department")
        IDENTITY = "identity", _("Identity")
        TITLE = "title", _("Title or position")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        OFFICE = "office", _("Office")

    CHOICE_TYPES = {Type.CHOICE, Type.MULTI_CHOICE}

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="fields")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    key = models.SlugField(_("key"), max_length=40)
    label_zh = models.CharField(_("label (Chinese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=150, blank=True)
    field_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    required = models.BooleanField(_("required"), default=True)
    help_text = models.CharField(_("help (Chinese)"), max_length=300, blank=True)
    help_text_en = models.CharField(_("help (English)"), max_length=400, blank=True)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_('For choices: a list such as ["本人", "家属"] or [["code", "标签", "Label"]].'),
    )
    validation = models.JSONField(
        _("validation"),
        default=dict,
        blank=True,
        help_text=_('Optional limits, e.g. {"min": 0, "max": 100000, "max_length": 200}.'),
    )
    prefill = models.CharField(
        _("filled from the profile"), max_length=20, choices=Prefill.choices, blank=True
    )

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "key"], name="field_key_unique_per_service")
        ]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")

    def __str__(self) -> str:
        return f"{self.key} ({self.get_field_type_display()})"

    def clean(self) -> None:
        if not isinstance(self.options, list):
            raise ValidationError({"options": _("Options must be a list.")})
        if self.field_type in self.CHOICE_TYPES and not self.options:
            raise ValidationError({"options": _("A choice field needs at least one option.")})
        if not isinstance(self.validation, dict):
            raise ValidationError({"validation": _("Validation must be an object.")})

    @property
    def label(self) -> str:
        return localized_marked(self, "label").text

    @property
    def help(self) -> str:
        return localized_marked(self, "help_text").text

    def choice_list(self) -> list[tuple[str, str]]:
        """Options as (value, label) pairs in the active language."""
        english = reading_english()
        pairs = []
        for option in self.options or []:
            if isinstance(option, list | tuple):
                value = str(option[0])
                zh = str(option[1]) if len(option) > 1 else value
                en = str(option[2]) if len(option) > 2 else zh
                pairs.append((value, en if english else zh))
            else:
                pairs.append((str(option), str(option)))
        return pairs


class ServiceStep(Bilingual, models.Model):
    """One step of a service's approval-chain template."""

    class Rule(models.TextChoices):
        USER = "user", _("A named user")
        DEPARTMENT_ROLE = "department_role", _("A role in a named department")
        APPLICANT_HEAD = "applicant_head", _("Head of the applicant's department")
        APPLICANT_ROLE = "applicant_role", _("A role in the applicant's department")
        FORM_FIELD = "form_field", _("The person picked in a form field")

    class Mode(models.TextChoices):
        SINGLE = "single", _("Single approver")
        ALL = "all", _("Countersign: all must approve")
        ANY = "any", _("Any one of them")
        N_OF_M = "n_of_m", _("N of M must approve")

    class Operator(models.TextChoices):
        EQ = "eq", "="
        NE = "ne", "≠"
        GT = "gt", ">"
        GTE = "gte", "≥"
        LT = "lt", "<"
        LTE = "lte", "≤"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    rule = models.CharField(_("approver rule"), max_length=20, choices=Rule.choices)
    approver = models.ForeignKey(
        User,
        verbose_name=_("named approver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("named department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role_code = models.SlugField(_("role code"), max_length=40, blank=True)
    field_key = models.SlugField(_("form field with the person"), max_length=40, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.SINGLE)
    quorum = models.PositiveSmallIntegerField(_("N (for N of M)"), null=True, blank=True)
    condition_field = models.SlugField(_("only if field"), max_length=40, blank=True)
    condition_operator = models.CharField(
        _("operator"), max_length=3, choices=Operator.choices, blank=True
    )
    condition_value = models.CharField(_("value"), max_length=100, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), default=2)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.rule == self.Rule.USER and not self.approver_id:
            errors["approver"] = _("Choose the approver for this rule.")
        if self.rule == self.Rule.DEPARTMENT_ROLE and not self.department_id:
            errors["department"] = _("Choose the department for this rule.")
        role_rules = (self.Rule.DEPARTMENT_ROLE, self.Rule.APPLICANT_ROLE)
        if self.rule in role_rules and not self.role_code:
            errors["role_code"] = _("Give the role code for this rule.")
        if self.rule == self.Rule.FORM_FIELD and not self.field_key:
            errors["field_key"] = _("Give the key of the person-picker field.")
        if self.mode == self.Mode.N_OF_M and not self.quorum:
            errors["quorum"] = _("Give N for an N-of-M step.")
        if self.mode != self.Mode.N_OF_M and self.quorum:
            errors["quorum"] = _("N is only used by N-of-M steps.")
        condition = [self.condition_field, self.condition_operator, self.condition_value]
        if any(condition) and not all(condition):
            errors["condition_field"] = _("A condition needs a field, an operator and a value.")
        if errors:
            raise ValidationError(errors)

    @property
    def condition_display(self) -> str:
        """The condition as its reader reads it: the form field's label in the active language
        (never its internal key) and, for a choice, the option's label. Reads the service's
        fields through ``service.fields.all()``, so a page that prefetches them pays nothing."""
        if not self.condition_field:
            return ""
        field = next((f for f in self.service.fields.all() if f.key == self.condition_field), None)
        operator = self.get_condition_operator_display()
        if field is None:  # a key no field has any more: say what the admin wrote
            decided = DECIDED_CONDITIONS.get((self.condition_field, self.condition_value))
            if decided is not None:  # a value the hall writes at submission, in words
                return str(decided)
            return f"{self.condition_field} {operator} {self.condition_value}"
        value = self.condition_value
        if field.field_type in ServiceField.CHOICE_TYPES:
            value = dict(field.choice_list()).get(value, value)
        return f"{field.label} {operator} {value}"


class Favourite(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="favourites")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="favourited_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "service"], name="favourite_once")]
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")

    def __str__(self) -> str:
        return f"{self.user} ♥ {self.service}"


class SearchMiss(models.Model):
    """A catalogue search that found nothing: admins read these to add keywords or services."""

    query = models.CharField(_("query"), max_length=200, unique=True)
    count = models.PositiveIntegerField(_("times searched"), default=1)
    first_seen = models.DateTimeField(_("first searched"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last searched"), auto_now=True)

    class Meta:
        ordering = ["-count", "-last_seen"]
        verbose_name = _("search without results")
        verbose_name_plural = _("searches without results")

    def __str__(self) -> str:
        return self.query


class CalendarDay(models.Model):
    """The institution's own calendar: a closure on a working day, or an extra working day.
    It wins over the official holiday calendar."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.date} {'✓' if self.is_workday else '✗'} {self.note}"


class Notification(models.Model):
    """One message to one person about one event; the in-app bell lists these."""

    class Kind(models.TextChoices):
        TASK_ARRIVED = "task_arrived", _("A task arrived")
        RETURNED = "returned", _("Returned for revision")
        # Older messages only said "finished"; every new one says how it ended.
        FINISHED = "request_finished", _("Request finished")
        APPROVED = "request_approved", _("Request approved")
        REJECTED = "request_rejected", _("Request rejected")
        WITHDRAWN = "request_withdrawn", _("Request withdrawn")
        REMINDER = "reminder", _("Deadline approaching")
        URGENT = "urgent", _("Urgent reminder")
        OVERDUE = "overdue", _("Overdue")
        ESCALATION = "escalation", _("Escalation")
        NUDGE = "nudge", _("Applicant's reminder")
        COMMENT = "comment", _("Comment")
        CC = "cc", _("Copied to you")
        ARCHIVES = "archives", _("Archives alert")

    REASON_KINDS = (Kind.RETURNED, Kind.REJECTED, Kind.WITHDRAWN)

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    subject_en = models.CharField(_("subject (English)"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=models.Q(read_at__isnull=True),
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("hall:notification-open", args=[self.pk])

    @property
    def localized_subject(self) -> str:
        if (get_language() or "").startswith("en"):
            return self.subject_en or self.subject
        return self.subject

    @property
    def localized_body(self) -> str:
        """The text under the title: for a return, a rejection or a withdrawal it is the reason
        someone gave, introduced as such in the reader's language."""
        if self.body and self.kind in self.REASON_KINDS:
            return gettext("Reason: %(reason)s") % {"reason": self.body}
        return self.body


class Delivery(models.Model):
    """A notification's trip through one outside channel: an outbox row written in the same
    transaction as the event, sent by Celery, sent at most once by its unique key."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Enterprise chat")
        WECOM = "wecom", _("Enterprise WeChat app")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    key = models.CharField(max_length=80, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="delivery_pending_idx",
                condition=models.Q(status="pending"),
            )
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return self.key


class SignInEvent(models.Model):
    """The audit log of sign-ins through the campus identity system and the enterprise WeChat:
    every success and every refusal, with why. (Local password logins are django-axes'.)"""

    class Method(models.TextChoices):
        CAS = "cas", _("Campus identity system (CAS)")
        OIDC = "oidc", _("Campus identity system (OpenID Connect)")
        WECOM = "wecom", _("Enterprise WeChat")

    class Outcome(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in")
        CREATED = "created", _("Signed in, account created")
        REFUSED = "refused", _("Refused")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    method = models.CharField(_("through"), max_length=10, choices=Method.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sign_ins",
    )
    identifier = models.CharField(_("identified as"), max_length=150, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="signin_user_idx")]
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.method} {self.outcome} {self.identifier}"


# Conditions on a value an app writes into the form at submission (no form field of that key):
# (key, value) → how the guide page reads it; registered from the owning app's ready().
DECIDED_CONDITIONS: dict[tuple[str, str], str] = {}
