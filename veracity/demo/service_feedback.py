"""Demo tickets and customer feedback: called by `veracity demo` after customers and orders exist, so
the service home, ticket lists, survey analysis and the managers' follow-up list show real data.

Records go through the owning apps' services (ticket numbers, SLA promises, timeline entries, text
analysis, follow-up tasks), then their timestamps are moved back to when the demo says it happened."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from veracity.activities.models import Activity
from veracity.customers.models import Customer, LifecycleStatus
from veracity.feedback import services as feedback_services
from veracity.feedback.models import (
    InvitationSource,
    QuestionKind,
    SendRun,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
    SurveyTrigger,
)
from veracity.sales.models import Order, OrderLine, OrderStatus
from veracity.service import services as service_services
from veracity.service.models import (
    MessageKind,
    Ticket,
    TicketMessage,
    TicketPriority,
    TicketStatus,
    TicketType,
)

TICKET_SUBJECTS = {
    TicketType.QUESTION: ["咨询产品保修期限", "如何开具增值税专用发票", "Question about bulk pricing",
                          "询问配件供货时间"],
    TicketType.PROBLEM: ["设备无法开机", "门锁指纹识别失灵", "Printer keeps jamming", "系统登录报错",
                         "网络设备频繁掉线"],
    TicketType.COMPLAINT: ["送货延误一周", "安装师傅迟到且态度差", "Wrong items delivered", "发票金额有误"],
    TicketType.RETURN: ["申请退货：包装破损", "Return request: defective unit", "型号发错，申请换货"],
    TicketType.REQUEST: ["预约上门安装", "申请年度保养", "Request on-site training", "预约设备调试"],
}
NOTES = ["已联系仓库核实库存", "客户此前有过类似问题，见上一张工单", "已转交技术支持二线处理",
         "Checked the serial number: still under warranty"]
REPLIES = ["您好，我们已收到您的反馈，技术人员将在24小时内与您联系。", "已为您安排上门服务，请保持电话畅通。",
           "Thanks for reaching out — a replacement is on its way.", "问题已处理完毕，如有其他疑问请随时联系我们。"]

# (score band, language) -> comments; the themes come from feedback.textanalysis.
COMMENTS = {
    ("low", "zh"): ["送货太慢了，安装师傅态度也不好", "物流太慢，等了两个星期才到货", "价格太贵，性价比不高",
                    "质量有问题，用了一个月就坏了", "客服回复很慢，问题一直没有解决", "安装调试花了三天，很麻烦"],
    ("low", "en"): ["Delivery was late and the courier was rude.", "Too expensive for the quality you get.",
                    "The unit arrived broken and support took a week to respond."],
    ("mid", "zh"): ["产品还可以，就是发货有点慢", "价格偏高，但质量不错", "服务一般，希望改进"],
    ("mid", "en"): ["Product is fine, shipping could be faster.", "Decent quality, price is a bit high."],
    ("high", "zh"): ["产品质量很好，安装师傅很专业", "客服态度热情，回复及时", "送货很快，产品好用",
                     "性价比高，会推荐给朋友"],
    ("high", "en"): ["Great product, easy to install and the staff were helpful.",
                     "Fast delivery and friendly service.", "Excellent quality, good value."],
}


def _band(score: int, kind: str) -> str:
    if kind == QuestionKind.NPS:
        return "low" if score <= 6 else "mid" if score <= 8 else "high"
    return "low" if score <= 2 else "mid" if score == 3 else "high"


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, rng.randint(9, 18), rng.randrange(60),
                       tzinfo=timezone.get_current_timezone())


def _tickets_load(rng: random.Random, users: dict, count: int) -> list[Ticket]:
    """Tickets from the last half year: the old ones mostly resolved or closed with a note and a reply,
    the recent ones new, open or pending, a few past their SLA targets."""
    service_user, now, today = users["service"], timezone.now(), timezone.localdate()
    buyers = list(Customer.objects.filter(lifecycle_status=LifecycleStatus.CUSTOMER,
                                          orders__isnull=False).distinct().order_by("pk"))
    if not buyers:
        return []
    tickets = []
    for index in range(count):
        customer = rng.choice(buyers)
        age_days = rng.choice([0, 1, 1, 2, 3, 5]) if index % 3 == 0 else rng.randint(6, 180)
        created = min(now - dt.timedelta(hours=2), _at(rng, today - dt.timedelta(days=age_days)))
        order = (Order.objects.filter(customer=customer, order_date__lte=created.date())
                 .order_by("-order_date").first())
        line = OrderLine.objects.filter(order=order).order_by("line_no").first() if order else None
        kind = rng.choice(list(TICKET_SUBJECTS))
        priority = rng.choices(TicketPriority.values, weights=[2, 5, 3, 1])[0]
        ticket = service_services.ticket_create(actor=service_user, created_at=created, values={
            "subject": rng.choice(TICKET_SUBJECTS[kind]), "type": kind, "priority": priority,
            "customer": customer.pk, "order": order.pk if order else None,
            "product": line.product_id if line else None, "assignee": service_user.pk,
            "description": "客户来电反映，详见备注。" if rng.random() < 0.7 else "Reported by e-mail.",
        })
        old = age_days > 10
        answered = old or rng.random() < 0.4
        moments = sorted(created + dt.timedelta(minutes=rng.randint(20, 60 * 30)) for _ in range(3))
        moments = [min(moment, now - dt.timedelta(minutes=5)) for moment in moments]
        if rng.random() < 0.6:
            _message(ticket, service_user, MessageKind.NOTE, rng.choice(NOTES), moments[0])
        if answered:
            _message(ticket, service_user, MessageKind.REPLY, rng.choice(REPLIES), moments[1])
        ticket.refresh_from_db()
        if old:
            status = rng.choices([TicketStatus.CLOSED, TicketStatus.RESOLVED, TicketStatus.PENDING],
                                 weights=[6, 2, 1])[0]
        else:
            status = rng.choice([TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING]) if answered \
                else TicketStatus.NEW
        if status == TicketStatus.NEW and ticket.status != TicketStatus.NEW:
            status = TicketStatus.OPEN
        for step in ([TicketStatus.RESOLVED, TicketStatus.CLOSED] if status == TicketStatus.CLOSED else [status]):
            ticket = service_services.ticket_status_change(actor=service_user, ticket=ticket, status=step)
        done_at = moments[2]
        Ticket.objects.filter(pk=ticket.pk).update(
            resolved_at=done_at if ticket.resolved_at else None,
            closed_at=done_at if ticket.closed_at else None, updated_at=max(moments))
        tickets.append(ticket)
    service_services.ticket_sla_check(now=now)
    return tickets


def _message(ticket: Ticket, author, kind: str, body: str, when: dt.datetime) -> None:
    message = service_services.ticket_message_add(actor=author, ticket=ticket, kind=kind, body=body)
    TicketMessage.objects.filter(pk=message.pk).update(created_at=when)
    Activity.objects.filter(pk=message.activity_id).update(occurred_at=when, created_at=when, updated_at=when)
    if kind == MessageKind.REPLY:
        Ticket.objects.filter(pk=ticket.pk, first_responded_at__isnull=False).update(first_responded_at=when)


def _answer(rng: random.Random, survey, invitation: SurveyInvitation, score: int, submitted: dt.datetime) -> None:
    questions = list(survey.questions.order_by("position"))
    score_question = next(question for question in questions if question.kind in (QuestionKind.NPS,
                                                                                   QuestionKind.CSAT))
    text_question = next((question for question in questions if question.kind == QuestionKind.TEXT), None)
    language = "en" if invitation.language == "en" else "zh"
    raw = {f"q{score_question.pk}": str(score)}
    if text_question is not None and rng.random() < 0.8:
        raw[f"q{text_question.pk}"] = rng.choice(COMMENTS[(_band(score, score_question.kind), language)])
    response = feedback_services.response_submit(survey=survey, raw_answers=raw, invitation=invitation,
                                                 language=invitation.language, submitted_at=submitted)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(created_at=submitted - dt.timedelta(days=1),
                                                              sent_at=submitted - dt.timedelta(days=1))
    if response.follow_up_id:
        # Older follow-ups were mostly dealt with; the last few weeks' are still open.
        resolved = submitted < timezone.now() - dt.timedelta(days=21) and rng.random() < 0.8
        Activity.objects.filter(pk=response.follow_up_id).update(
            occurred_at=submitted, created_at=submitted, updated_at=submitted, done=resolved,
            done_at=submitted + dt.timedelta(days=rng.randint(1, 4)) if resolved else None)


def _score(rng: random.Random, kind: str, month_index: int) -> int:
    """Scores that improve a little month by month, so NPS over time has a shape."""
    if kind == QuestionKind.NPS:
        return rng.choices(range(11), weights=[1, 1, 1, 2, 2, 3, 4, 8, 12, 14 + month_index,
                                               10 + month_index])[0]
    return rng.choices(range(1, 6), weights=[2, 3, 6, 14 + month_index, 12 + month_index])[0]


def _surveys_load(rng: random.Random, users: dict, tickets: list[Ticket], responses: int) -> dict[str, int]:
    marketing = users.get("marketing") or users["admin"]
    nps = feedback_services.survey_create(actor=marketing, values={
        "name": "订单交付 NPS · Order delivered NPS", "kind": SurveyKind.NPS, "trigger": SurveyTrigger.ORDER_DELIVERED,
        "title_en": "How did we do?", "title_zh": "您对我们满意吗？",
        "intro_en": "Two quick questions about your recent order.", "intro_zh": "关于您最近的订单，两个简单的问题。"})
    csat = feedback_services.survey_create(actor=marketing, values={
        "name": "工单满意度 CSAT · Ticket CSAT", "kind": SurveyKind.CSAT, "trigger": SurveyTrigger.TICKET_CLOSED,
        "title_en": "How was our service?", "title_zh": "您对本次服务满意吗？"})
    now = timezone.now()
    # The scheduled send starts from now: the demo's past deliveries get no real e-mails.
    for name in ("order_delivered", "ticket_closed"):
        SendRun.objects.update_or_create(name=name, defaults={"last_run_at": now})
    counts = {"surveys": 2, "survey_responses": 0}
    start = timezone.localdate() - dt.timedelta(days=300)
    orders = list(Order.objects.filter(status=OrderStatus.DELIVERED, order_date__gte=start,
                                       customer__lifecycle_status=LifecycleStatus.CUSTOMER)
                  .select_related("customer").order_by("pk"))
    for order in rng.sample(orders, k=min(len(orders), responses)):
        submitted = min(now - dt.timedelta(hours=1), _at(rng, order.order_date + dt.timedelta(days=rng.randint(5, 12))))
        invitation, _raw = feedback_services.invitation_create(
            actor=None, survey=nps, source=InvitationSource.ORDER_DELIVERED, customer=order.customer, order=order,
            rep=order.salesperson)
        month_index = max(0, (submitted.date() - start).days // 30)
        _answer(rng, nps, invitation, _score(rng, QuestionKind.NPS, month_index), submitted)
        counts["survey_responses"] += 1
    for ticket in tickets:
        ticket.refresh_from_db()
        if ticket.status != TicketStatus.CLOSED or rng.random() < 0.3:
            continue
        invitation, _raw = feedback_services.invitation_create(
            actor=None, survey=csat, source=InvitationSource.TICKET_CLOSED, customer=ticket.customer, ticket=ticket,
            order=ticket.order, rep=ticket.assignee)
        submitted = min(now - dt.timedelta(hours=1), ticket.closed_at + dt.timedelta(hours=rng.randint(2, 48)))
        _answer(rng, csat, invitation, _score(rng, QuestionKind.CSAT, 6), submitted)
        counts["survey_responses"] += 1
    return counts


@transaction.atomic  # one commit, not one per ticket, message and answer
def demo_service_feedback_load(*, users: dict, seed: int = 42) -> dict[str, int]:
    """Tickets in every state (some past their SLA, with notes and replies), an NPS and a CSAT survey
    with answers in Chinese and English over ten months, and the detractors' follow-up tasks (older
    ones resolved, recent ones open). Sized from the number of customers."""
    rng = random.Random(seed)
    customers = Customer.objects.count()
    tickets = _tickets_load(rng, users, count=min(120, max(8, customers // 16)))
    counts = _surveys_load(rng, users, tickets, responses=min(260, max(12, customers // 8)))
    counts["tickets"] = len(tickets)
    counts["follow_ups"] = SurveyResponse.objects.filter(follow_up__isnull=False).count()
    return counts
