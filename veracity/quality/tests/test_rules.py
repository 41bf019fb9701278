import pytest

from veracity.audit.models import AuditEvent
from veracity.core.errors import PermissionDenied, ValidationFailed
from veracity.customers.models import Customer
from veracity.quality.models import QualityIssue, Resolution
from veracity.quality.rules.definitions import order_line_outliers
from veracity.quality.services import issues, settings
from veracity.standards.services import field_rule_update


def _found(rule):
    return sorted((issue.record_label, issue.field) for issue in QualityIssue.objects.filter(
        rule=rule, resolved_at__isnull=True))


def test_rules_find_exactly_the_seeded_bad_records(seeded):
    issues.issue_scan()
    assert _found("invalid_phone") == [("坏电话公司", "phone"), ("电话格式公司", "phone")]
    assert _found("invalid_email") == [("邮箱公司", "email")]
    assert _found("impossible_date") == [("SO-FUTURE", "order_date")]
    assert _found("absurd_amount") == [("SO-ABSURD", "lines")]
    assert _found("order_without_lines") == [("SO-EMPTY", "lines")]
    assert _found("contact_without_company") == [("李四", "customer")]
    assert _found("stale_record") == [("老客户", "")]
    assert _found("required_field_empty") == []


def test_required_fields_follow_the_current_entry_rules(seeded, admin):
    field_rule_update(actor=admin, entity="customer", field="industry", values={"required": True})
    issues.issue_scan(rules=["required_field_empty"])
    assert len(_found("required_field_empty")) == Customer.objects.count()


def test_issue_owner_is_the_record_owner_and_fix_is_suggested(seeded, rep_li, rep_bob):
    issues.issue_scan()
    formatted = QualityIssue.objects.get(rule="invalid_phone", object_id=seeded.bad_phone.pk)
    assert formatted.owner == rep_li and formatted.has_fix and formatted.suggested_value == "+8613800138001"
    invalid = QualityIssue.objects.get(rule="invalid_phone", object_id=seeded.invalid_phone.pk)
    assert invalid.owner == rep_bob and not invalid.has_fix


def test_rescan_keeps_open_issues_and_resolves_what_is_gone(seeded):
    issues.issue_scan()
    first = QualityIssue.objects.get(rule="invalid_email")
    issues.issue_scan()
    assert QualityIssue.objects.filter(rule="invalid_email").count() == 1
    Customer.objects.filter(pk=seeded.upper_email.pk).update(email="sales@example.com")
    issues.issue_scan()
    first.refresh_from_db()
    assert first.resolution == Resolution.GONE and first.resolved_at is not None


def test_disabled_rule_finds_nothing_and_threshold_changes_are_audited(seeded, admin):
    settings.rule_setting_update(actor=admin, rule="stale_record", values={"enabled": False})
    settings.rule_setting_update(actor=admin, rule="impossible_date", values={"threshold": 500})
    issues.issue_scan()
    assert _found("stale_record") == [] and _found("impossible_date") == []
    assert AuditEvent.objects.filter(object_type="quality.rulesetting").count() == 2


def test_reps_cannot_change_rules_and_bad_thresholds_are_refused(rep_li, admin):
    with pytest.raises(PermissionDenied):
        settings.rule_setting_update(actor=rep_li, rule="stale_record", values={"enabled": False})
    with pytest.raises(ValidationFailed):
        settings.rule_setting_update(actor=admin, rule="stale_record", values={"threshold": 0})
    with pytest.raises(ValidationFailed):
        settings.rule_setting_update(actor=admin, rule="nope", values={"enabled": False})


def test_outlier_step_on_a_tiny_frame():
    import polars as pl
    frame = pl.DataFrame({"order_id": [1, 2, 3, 4], "product_id": [7, 7, 7, 8],
                          "unit_price": [10.0, 12.0, 20000.0, -1.0]})
    assert sorted(order_line_outliers(frame, 1000)["order_id"].to_list()) == [3, 4]
