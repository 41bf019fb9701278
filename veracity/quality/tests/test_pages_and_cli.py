import io

from django.core.management import call_command
from django.utils import timezone

from veracity.quality.models import QualityIssue
from veracity.quality.selectors import issue_list
from veracity.quality.services import issues


def test_a_rep_sees_only_own_issues_and_a_manager_sees_the_team(seeded, rep_li, rep_bob, manager_mei, api_client_for):
    issues.issue_scan()
    li = set(issue_list(user=rep_li).values_list("owner_id", flat=True))
    assert li == {rep_li.pk}
    assert set(issue_list(user=rep_bob).values_list("owner_id", flat=True)) == {rep_bob.pk}
    assert rep_bob.pk not in set(issue_list(user=manager_mei).values_list("owner_id", flat=True))
    body = api_client_for(rep_bob).get("/api/v1/quality/issues").json()
    assert [item["record_label"] for item in body["items"]] == ["坏电话公司"]


def test_pages_render_for_a_rep_and_a_manager(seeded, rep_li, manager_mei, admin, web_client_for):
    issues.issue_scan()
    for user, paths in ((rep_li, ["/quality/", "/quality/issues/", "/quality/scorecards/", "/quality/leaderboard/",
                                  "/quality/audits/", "/quality/home-panel/", "/notifications/"]),
                        (manager_mei, ["/quality/reviews/", "/quality/scorecards/"]),
                        (admin, ["/quality/rules/", "/quality/award-rules/"])):
        client = web_client_for(user)
        for path in paths:
            assert client.get(path).status_code == 200, (user, path)
    assert "Getting started" in web_client_for(rep_li).get("/quality/home-panel/").content.decode()


def test_cli_scan_and_scorecards_csv(seeded, rep_li, rep_bob):
    out = io.StringIO()
    call_command("quality", "scan", stdout=out, stderr=io.StringIO())
    assert "invalid_email: 1 found, 1 new, 0 resolved" in out.getvalue()
    assert QualityIssue.objects.filter(resolved_at__isnull=True).count() == 8
    out = io.StringIO()
    call_command("quality", "scorecards", "--period", f"{timezone.localdate():%Y-%m}", "--format", "csv", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("rank,rep,team,period,score")
    assert len(lines) == 3
