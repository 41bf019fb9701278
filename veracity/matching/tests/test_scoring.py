"""Scores that must hold whatever data a scan trains on: colleagues are not duplicates, unseen levels do
not become near-certain evidence, and EM cannot make weak evidence strong."""

from veracity.matching.scoring import (
    COMPANY,
    CONTACT,
    DEFAULT_THRESHOLD,
    LEVELS,
    PERSON,
    MatchRecord,
    estimate_parameters,
    explain,
    record_keys,
)

SWITCHBOARD = "+86 10 6255 1234"


def _contact(pk, name, email="", phone=SWITCHBOARD, company="北京字节跳动科技有限公司"):
    return record_keys(MatchRecord(pk, CONTACT, name, phones=(phone,), email=email, company=company))


def test_colleagues_sharing_a_switchboard_and_an_employer_are_not_duplicates():
    score = explain(_contact(1, "Laura Anderson", "laura@redwood.example"),
                    _contact(2, "Emma Walker", "emma@redwood.example"))
    assert score.probability < 0.01
    assert {item.field for item in score.evidence} >= {"name", "email"}
    assert "phone" not in {item.field for item in score.evidence}   # the workplace's, not the person's


def test_colleagues_with_the_same_surname_are_not_duplicates_either():
    assert explain(_contact(1, "Linda Taylor"), _contact(2, "James Taylor")).probability < DEFAULT_THRESHOLD


def test_one_contact_entered_twice_at_the_same_company_is_still_a_duplicate():
    score = explain(_contact(1, "王小明", "xiaoming@bytedance.example"), _contact(2, "王小明", "wxm@bytedance.example"))
    assert score.probability >= DEFAULT_THRESHOLD
    assert "phone" in {item.field for item in score.evidence}


def _word(number: int) -> str:
    return "".join(chr(97 + (number // 26 ** place) % 26) for place in range(3)).capitalize()


def test_a_level_never_seen_among_random_pairs_keeps_its_default_u():
    # Sixty people with sixty different names: no random pair shares an exact name, so the sample says
    # nothing about how rare an exact name is.
    records = [record_keys(MatchRecord(i, PERSON, f"{_word(i)} {_word(i + 100)}", phones=(f"+861380013{i:04d}",)))
               for i in range(60)]
    learnt = estimate_parameters(records, [(0, 1), (2, 3)], sample=2000, iterations=2)
    assert learnt.levels["name"]["exact"][1] == LEVELS["name"]["exact"][1]


def test_em_cannot_make_a_shared_generic_mailbox_weigh_much():
    # Pairs of different firms sharing info@ of one group: EM would learn that duplicates share it.
    records = [record_keys(MatchRecord(i, COMPANY, f"{_word(i)}{_word(i + 500)} Trading Ltd", email=f"info@group{i // 2}.example"))
               for i in range(120)]
    learnt = estimate_parameters(records, [(i, i + 1) for i in range(0, 120, 2)], sample=3000)
    assert learnt.levels["email"]["generic"] == LEVELS["email"]["generic"]


def test_em_cannot_teach_that_duplicates_usually_have_different_names():
    # Sixty pairs sharing a phone, a mailbox and a city but not a name (a family, a shared office line):
    # every blocked pair disagrees on the name, and EM would learn that duplicates do; it may not raise
    # m("different name") above its default.
    records = [record_keys(MatchRecord(i, PERSON, f"{_word(i)} {_word(i + 300)}", phones=(f"+8613800{i // 2:06d}",),
                                       email=f"home{i // 2}@family.example", city="成都"))
               for i in range(120)]
    learnt = estimate_parameters(records, [(i, i + 1) for i in range(0, 120, 2)], sample=3000)
    assert learnt.levels["name"]["different"][0] <= LEVELS["name"]["different"][0] + 1e-12
    assert abs(sum(m for m, _u in learnt.levels["name"].values()) - 1) < 1e-9
