"""Surveys (NPS, CSAT and custom questions in English and Chinese), the invitations that carry a
personal link, the answers, and the bookkeeping of the public pages (send runs, rate limit)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from veracity.core.models import CrmRecord


class SurveyKind(models.TextChoices):
    NPS = "nps", _("NPS (0–10 recommendation)")
    CSAT = "csat", _("CSAT (1–5 satisfaction)")
    CUSTOM = "custom", _("Custom questions")


class SurveyTrigger(models.TextChoices):
    MANUAL = "manual", _("Sent by hand or shared as a link")
    ORDER_DELIVERED = "order_delivered", _("After an order is delivered")
    TICKET_CLOSED = "ticket_closed", _("After a ticket is closed")


class QuestionKind(models.TextChoices):
    NPS = "nps", _("NPS 0–10")
    CSAT = "csat", _("CSAT 1–5")
    CHOICE = "choice", _("Choice")
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Text")


def _in_language(english: str, chinese: str) -> str:
    return chinese if (get_language() or "").startswith("zh") and chinese else english or chinese


class Survey(CrmRecord):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=SurveyKind.choices, default=SurveyKind.NPS)
    trigger = models.CharField(_("sent"), max_length=32, choices=SurveyTrigger.choices, default=SurveyTrigger.MANUAL)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The embeddable form's token (hashed); empty until someone creates the embed code.
    embed_token_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    embed_expires_at = models.DateTimeField(_("embed code expires"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("feedback:survey_detail", args=[self.pk])

    @property
    def title(self) -> str:
        return _in_language(self.title_en, self.title_zh)

    @property
    def intro(self) -> str:
        return _in_language(self.intro_en, self.intro_zh)


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text_en = models.CharField(_("question (English)"), max_length=300)
    text_zh = models.CharField(_("question (Chinese)"), max_length=300, blank=True)
    # Choice questions: one option per line, the Chinese lines in the same order.
    choices_en = models.TextField(_("options (English)"), blank=True)
    choices_zh = models.TextField(_("options (Chinese)"), blank=True)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")),
                                              name="question_scale_ordered")]

    def __str__(self) -> str:
        return self.text_en

    @property
    def text(self) -> str:
        return _in_language(self.text_en, self.text_zh)

    def options(self) -> list[tuple[str, str]]:
        """[(stored value = the English option, label in the current language)]."""
        english = [line.strip() for line in self.choices_en.splitlines() if line.strip()]
        chinese = [line.strip() for line in self.choices_zh.splitlines() if line.strip()]
        labels = chinese if (get_language() or "").startswith("zh") and len(chinese) == len(english) else english
        return list(zip(english, labels, strict=False))

    def score_range(self) -> range:
        if self.kind == QuestionKind.NPS:
            return range(0, 11)
        if self.kind == QuestionKind.CSAT:
            return range(1, 6)
        return range(self.scale_min, self.scale_max + 1)


class InvitationSource(models.TextChoices):
    EMAIL = "email", _("E-mail")
    LINK = "link", _("Shared link")
    ORDER_DELIVERED = "order_delivered", _("Order delivered")
    TICKET_CLOSED = "ticket_closed", _("Ticket closed")


class SurveyInvitation(models.Model):
    """A personal, single-use link to a survey. Only the SHA-256 of its token is stored: the link
    itself exists in the e-mail (or on the screen, once) and nowhere else."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=32, choices=InvitationSource.choices)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    order = models.ForeignKey("sales.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ticket = models.ForeignKey("service.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    email = models.EmailField(_("e-mail"), blank=True)
    greeting_name = models.CharField(_("greeting name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            # The automatic sends are idempotent: one invitation per survey and order / ticket.
            models.UniqueConstraint(fields=["survey", "order"], condition=Q(order__isnull=False)
                                    & Q(source="order_delivered"), name="invitation_once_per_order"),
            models.UniqueConstraint(fields=["survey", "ticket"], condition=Q(ticket__isnull=False)
                                    & Q(source="ticket_closed"), name="invitation_once_per_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.greeting_name or self.email or self.pk}"


class SurveyResponse(models.Model):
    """One filled-in survey. It names the customer, order, ticket and rep it concerns (copied from
    the invitation, never from the form), and the follow-up task a low score raised."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    # OneToOne: the database itself refuses a second answer to one invitation.
    invitation = models.OneToOneField(SurveyInvitation, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="response")
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="survey_responses")
    order = models.ForeignKey("sales.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ticket = models.ForeignKey("service.Ticket", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="survey_responses")
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    nps_score = models.SmallIntegerField(_("NPS score"), null=True, blank=True)
    csat_score = models.SmallIntegerField(_("CSAT score"), null=True, blank=True)
    comment = models.TextField(_("comments"), blank=True)
    sentiment = models.FloatField(_("sentiment"), null=True, blank=True)
    language = models.CharField(max_length=8, blank=True)
    channel = models.CharField(_("channel"), max_length=16, default="link")
    follow_up = models.ForeignKey("activities.Activity", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(condition=Q(nps_score__isnull=True) | Q(nps_score__gte=0, nps_score__lte=10),
                                   name="response_nps_range"),
            models.CheckConstraint(condition=Q(csat_score__isnull=True) | Q(csat_score__gte=1, csat_score__lte=5),
                                   name="response_csat_range"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"

    @property
    def nps_category(self) -> str:
        return nps_category(self.nps_score)


def nps_category(score: int | None) -> str:
    if score is None:
        return ""
    if score >= 9:
        return "promoter"
    if score >= 7:
        return "passive"
    return "detractor"


class Answer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    sentiment = models.FloatField(null=True, blank=True)   # -1 … 1, text answers only
    keywords = models.JSONField(default=list, blank=True)
    themes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["response", "question__position", "id"]

    def __str__(self) -> str:
        return f"answer {self.pk} to {self.question_id}"


class SendRun(models.Model):
    """When each automatic send last looked for delivered orders / closed tickets."""

    name = models.CharField(max_length=32, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class PublicHit(models.Model):
    """One request to a public survey page, by a keyed hash of the client's address (never the
    address itself), for the rate limit. Old rows are pruned as new ones come in."""

    client_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.client_hash[:8]
