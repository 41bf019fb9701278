import datetime as dt

from ninja import Schema
from pydantic import Field

from veracity.feedback.models import SurveyKind, SurveyTrigger


class SurveyOut(Schema):
    id: int
    name: str
    kind: str
    trigger: str
    title_en: str
    title_zh: str
    intro_en: str
    intro_zh: str
    is_active: bool
    version: int
    created_at: dt.datetime


class SurveyIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: SurveyKind = SurveyKind.NPS
    trigger: SurveyTrigger = SurveyTrigger.MANUAL
    title_en: str = Field("", max_length=200)
    title_zh: str = Field("", max_length=200)
    intro_en: str = Field("", max_length=5000)
    intro_zh: str = Field("", max_length=5000)
    is_active: bool = True


class InvitationIn(Schema):
    customer_id: int | None = None


class InvitationOut(Schema):
    id: int
    url: str
    expires_at: dt.datetime


class ResponseOut(Schema):
    id: int
    survey_id: int
    customer_id: int | None
    order_id: int | None
    ticket_id: int | None
    rep_id: int | None
    nps_score: int | None
    csat_score: int | None
    nps_category: str
    comment: str
    sentiment: float | None
    follow_up_id: int | None
    submitted_at: dt.datetime


class BreakdownRow(Schema):
    key: str
    label: str
    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    csat: float | None
    csat_satisfied: float | None
