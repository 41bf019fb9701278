from veracity.audit.models import AuditEvent
from veracity.customers.models import Customer
from veracity.quality.models import QualityIssue, Resolution
from veracity.quality.services import issues


def test_preview_changes_nothing_until_applied(seeded, rep_li):
    issues.issue_scan()
    issue_ids = list(QualityIssue.objects.filter(owner=rep_li, has_fix=True).values_list("pk", flat=True))
    before = list(Customer.objects.order_by("pk").values_list("phone", "email", "version"))
    events = AuditEvent.objects.count()
    previews = issues.issue_fix_preview(actor=rep_li, issue_ids=issue_ids)
    assert sorted((p.current, p.new) for p in previews) == [("138 0013 8001", "+8613800138001"),
                                                           ("Sales@Example.COM", "sales@example.com")]
    assert list(Customer.objects.order_by("pk").values_list("phone", "email", "version")) == before
    assert AuditEvent.objects.count() == events
    result = issues.issue_fix_apply(actor=rep_li, issue_ids=issue_ids)
    assert sorted(result["fixed"]) == sorted(issue_ids) and result["failed"] == {}
    seeded.bad_phone.refresh_from_db()
    assert seeded.bad_phone.phone == "+8613800138001" and seeded.bad_phone.version == 2
    assert AuditEvent.objects.filter(object_type="customers.customer", object_id=str(seeded.bad_phone.pk)).exists()
    assert QualityIssue.objects.get(pk=issue_ids[0]).resolution == Resolution.FIXED


def test_a_rep_cannot_fix_another_reps_issues(seeded, rep_bob):
    issues.issue_scan()
    li_issue = QualityIssue.objects.get(rule="invalid_email")
    assert issues.issue_fix_preview(actor=rep_bob, issue_ids=[li_issue.pk]) == []
    assert issues.issue_fix_apply(actor=rep_bob, issue_ids=[li_issue.pk]) == {"fixed": [], "failed": {}}
    seeded.upper_email.refresh_from_db()
    assert seeded.upper_email.email == "Sales@Example.COM"


def test_dismissed_problem_stays_dismissed_while_the_value_is_unchanged(seeded, rep_li):
    issues.issue_scan()
    issue = QualityIssue.objects.get(rule="invalid_email")
    issues.issue_dismiss(actor=rep_li, issue_id=issue.pk)
    issues.issue_scan()
    assert not QualityIssue.objects.filter(rule="invalid_email", resolved_at__isnull=True).exists()


def test_fix_page_previews_then_applies(seeded, rep_li, web_client_for):
    issues.issue_scan()
    issue = QualityIssue.objects.get(rule="invalid_email")
    client = web_client_for(rep_li)
    page = client.post("/quality/issues/fix-preview/", {"issue": [issue.pk]})
    assert "sales@example.com" in page.content.decode()
    seeded.upper_email.refresh_from_db()
    assert seeded.upper_email.email == "Sales@Example.COM"
    client.post("/quality/issues/fix/", {"issue": [issue.pk]})
    seeded.upper_email.refresh_from_db()
    assert seeded.upper_email.email == "sales@example.com"
