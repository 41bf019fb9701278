"""Reads for surveys, responses and the feedback analysis, limited to what the user may see.

Every figure of the analysis is computed from `response_list(user=…)`, the same scoped queryset
as the responses list, so a rep's NPS counts only the answers about their own customers."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from veracity.accounts.access import access_require, scoped
from veracity.accounts.models import Action, Resource
from veracity.core.errors import NotFound
from veracity.feedback.models import Answer, Question, Survey, SurveyResponse, nps_category
from veracity.feedback.textanalysis import THEME_LABELS
from veracity.sales.models import OrderLine

CATEGORIES = ("promoter", "passive", "detractor")
DIMENSIONS = ("month", "segment", "product", "team", "rep")


@dataclass(frozen=True)
class SurveyFilters:
    q: str = ""
    kind: str = ""


@dataclass(frozen=True)
class ResponseFilters:
    survey: int | None = None
    customer: int | None = None
    category: str = ""          # promoter | passive | detractor | low_csat
    theme: str = ""
    keyword: str = ""
    follow_up: str = ""         # open | done
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def survey_list(*, user, filters: SurveyFilters = SurveyFilters(), action: str = Action.VIEW) -> QuerySet[Survey]:
    queryset = scoped(Survey.objects.all(), user=user, resource=Resource.SURVEY, action=action)
    if filters.q.strip():
        term = filters.q.strip()
        queryset = queryset.filter(Q(name__icontains=term) | Q(title_en__icontains=term) | Q(title_zh__icontains=term))
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    return queryset.order_by("-created_at", "-id")


def survey_get(*, user, pk: int, action: str = Action.VIEW) -> Survey:
    survey = survey_list(user=user, action=action).filter(pk=pk).first()
    if survey is None:
        raise NotFound()
    return survey


def question_get(*, user, survey: Survey, pk: int) -> Question:
    access_require(user, Resource.SURVEY, Action.EDIT)
    question = survey.questions.filter(pk=pk).first()
    if question is None:
        raise NotFound()
    return question


def survey_stats(*, user, survey: Survey) -> dict:
    responses = response_list(user=user, filters=ResponseFilters(survey=survey.pk))
    return {"invitations": survey.invitations.count(), "responses": responses.count(),
            "nps": nps_summary(responses)}


def response_list(*, user, filters: ResponseFilters = ResponseFilters(), action: str = Action.VIEW
                  ) -> QuerySet[SurveyResponse]:
    queryset = scoped(
        SurveyResponse.objects.select_related("survey", "customer", "customer__owner", "rep", "order", "ticket",
                                              "follow_up"),
        user=user, resource=Resource.SURVEY_RESPONSE, action=action,
    )
    if filters.survey:
        queryset = queryset.filter(survey_id=filters.survey)
    if filters.customer:
        queryset = queryset.filter(customer_id=filters.customer)
    if filters.category == "promoter":
        queryset = queryset.filter(nps_score__gte=9)
    elif filters.category == "passive":
        queryset = queryset.filter(nps_score__in=(7, 8))
    elif filters.category == "detractor":
        queryset = queryset.filter(nps_score__lte=6)
    elif filters.category == "low_csat":
        queryset = queryset.filter(csat_score__lte=2)
    if filters.theme:
        queryset = queryset.filter(pk__in=Answer.objects.filter(themes__icontains=f'"{filters.theme}"')
                                   .values("response_id"))
    if filters.keyword:
        queryset = queryset.filter(pk__in=Answer.objects.filter(keywords__icontains=f'"{filters.keyword}"')
                                   .values("response_id"))
    if filters.follow_up == "open":
        queryset = queryset.filter(follow_up__isnull=False, follow_up__done=False)
    elif filters.follow_up == "done":
        queryset = queryset.filter(follow_up__done=True)
    if filters.date_from:
        queryset = queryset.filter(submitted_at__date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(submitted_at__date__lte=filters.date_to)
    return queryset.order_by("-submitted_at", "-id")


def response_get(*, user, pk: int) -> SurveyResponse:
    response = response_list(user=user).filter(pk=pk).first()
    if response is None:
        raise NotFound()
    return response


def response_answers(response: SurveyResponse) -> QuerySet[Answer]:
    return response.answers.select_related("question").order_by("question__position", "id")


def open_follow_ups(*, user, limit: int = 20) -> list[SurveyResponse]:
    """Detractors and low scores whose follow-up task is not done yet (the manager's dashboard)."""
    return list(response_list(user=user, filters=ResponseFilters(follow_up="open"))[:limit])


# ---------------------------------------------------------------------------------------------
# Analysis

def nps_summary(responses) -> dict:
    """{responses, promoters, passives, detractors, nps (−100…100 or None), csat (mean or None),
    csat_satisfied (% of 4–5 or None)} over an iterable of responses or a queryset."""
    rows = list(responses.values_list("nps_score", "csat_score")) if isinstance(responses, QuerySet) else [
        (row.nps_score, row.csat_score) for row in responses]
    counts = Counter(nps_category(nps) for nps, _csat in rows if nps is not None)
    rated = sum(counts.values())
    csat = [value for _nps, value in rows if value is not None]
    return {
        "responses": len(rows),
        "promoters": counts["promoter"], "passives": counts["passive"], "detractors": counts["detractor"],
        "nps": round((counts["promoter"] - counts["detractor"]) * 100 / rated, 1) if rated else None,
        "csat": round(sum(csat) / len(csat), 2) if csat else None,
        "csat_satisfied": round(sum(1 for value in csat if value >= 4) * 100 / len(csat), 1) if csat else None,
    }


def _product_names(responses: list[SurveyResponse]) -> dict[int, list[str]]:
    """Response id -> products it concerns: the ticket's product, else the order's products."""
    order_ids = {response.order_id for response in responses if response.order_id}
    by_order: dict[int, list[str]] = defaultdict(list)
    for order_id, name in OrderLine.objects.filter(order_id__in=order_ids).values_list("order_id", "product__name"):
        if name not in by_order[order_id]:
            by_order[order_id].append(name)
    result = {}
    for response in responses:
        if response.ticket_id and response.ticket.product_id:
            result[response.pk] = [response.ticket.product.name]
        else:
            result[response.pk] = by_order.get(response.order_id, [])
    return result


def nps_breakdown(*, user, dimension: str, filters: ResponseFilters = ResponseFilters()) -> list[dict]:
    """NPS and CSAT grouped by month, customer segment (industry), product, team or rep: a list of
    {key, label, …nps_summary} in a stable order."""
    if dimension not in DIMENSIONS:
        raise NotFound(f"No breakdown by {dimension!r}.")
    responses = list(response_list(user=user, filters=filters).select_related("rep__team", "ticket__product"))
    groups: dict[str, list[SurveyResponse]] = defaultdict(list)
    labels: dict[str, str] = {}
    products = _product_names(responses) if dimension == "product" else {}
    for response in responses:
        if dimension == "month":
            keys = [response.submitted_at.strftime("%Y-%m")]
        elif dimension == "segment":
            industry = response.customer.get_industry_display() if response.customer else ""
            keys = [industry or "—"]
        elif dimension == "product":
            keys = products.get(response.pk) or ["—"]
        elif dimension == "team":
            keys = [response.rep.team.name if response.rep and response.rep.team else "—"]
        else:
            keys = [str(response.rep) if response.rep else "—"]
        for key in keys:
            groups[key].append(response)
            labels.setdefault(key, key)
    ordered = sorted(groups) if dimension == "month" else sorted(groups, key=lambda key: (-len(groups[key]), key))
    return [{"key": key, "label": labels[key], **nps_summary(groups[key])} for key in ordered]


def text_themes(*, user, filters: ResponseFilters = ResponseFilters(), top_keywords: int = 30) -> dict:
    """Themes and keywords of the text answers: counts, average sentiment, for the analysis page.
    {"themes": [{theme, label_en, label_zh, count, sentiment}], "keywords": [{keyword, count}]}"""
    responses = response_list(user=user, filters=filters).values("pk")
    answers = Answer.objects.filter(response__in=responses).exclude(text="").values_list("themes", "keywords",
                                                                                         "sentiment")
    theme_count: Counter = Counter()
    theme_sentiment: dict[str, list[float]] = defaultdict(list)
    keyword_count: Counter = Counter()
    for themes, keywords, sentiment in answers:
        for theme in themes or []:
            theme_count[theme] += 1
            if sentiment is not None:
                theme_sentiment[theme].append(sentiment)
        keyword_count.update(keywords or [])
    themes = [
        {"theme": theme, "label_en": THEME_LABELS.get(theme, (theme, theme))[0],
         "label_zh": THEME_LABELS.get(theme, (theme, theme))[1], "count": count,
         "sentiment": round(sum(theme_sentiment[theme]) / len(theme_sentiment[theme]), 2)
         if theme_sentiment[theme] else None}
        for theme, count in theme_count.most_common()
    ]
    return {"themes": themes,
            "keywords": [{"keyword": word, "count": count} for word, count in keyword_count.most_common(top_keywords)]}


def customer_satisfaction(customer_ids) -> dict[int, dict]:
    """For the marketing segment builder: per customer id, the latest NPS score and its category
    (promoter / passive / detractor) and the latest CSAT score. Customers without answers are
    absent. The caller has already limited `customer_ids` to what its user may see."""
    result: dict[int, dict] = {}
    rows = (SurveyResponse.objects.filter(customer_id__in=list(customer_ids))
            .filter(Q(nps_score__isnull=False) | Q(csat_score__isnull=False))
            .order_by("customer_id", "-submitted_at", "-id")
            .values_list("customer_id", "nps_score", "csat_score", "submitted_at"))
    for customer_id, nps, csat, submitted_at in rows:
        entry = result.setdefault(customer_id, {"nps": None, "nps_category": "", "csat": None,
                                                "nps_at": None, "csat_at": None})
        if nps is not None and entry["nps"] is None:
            entry.update(nps=nps, nps_category=nps_category(nps), nps_at=submitted_at)
        if csat is not None and entry["csat"] is None:
            entry.update(csat=csat, csat_at=submitted_at)
    return result
