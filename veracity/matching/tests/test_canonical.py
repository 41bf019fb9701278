import pytest

from veracity.matching.canonical import company_name, person_name, phone_key
from veracity.matching.scoring import COMPANY, PERSON, MatchRecord, explain, match_probability, record_keys

SAME_COMPANY = [
    ("北京字节跳动科技有限公司", "字节跳动(北京)科技有限公司"),
    ("北京字节跳动科技有限公司", "字节跳动（北京）科技有限公司"),
    ("北京字节跳动科技有限公司", "北京字節跳動科技有限公司"),
    ("华为技术有限公司", "华为技术（深圳）有限公司"),
    ("上海市某某贸易有限公司", "某某贸易(上海)有限公司"),
    ("ACME Trading Co., Ltd.", "Acme Trading Limited"),
    ("ＡＣＭＥ　Ｌｔｄ", "Acme Ltd"),
]
DIFFERENT_COMPANY = [
    ("北京银行股份有限公司", "银行有限公司"),
    ("腾讯科技(深圳)有限公司", "腾讯科技(深圳)有限公司上海分公司"),
]


@pytest.mark.parametrize(("left", "right"), SAME_COMPANY)
def test_spellings_of_one_company_share_a_core(left, right):
    assert company_name(left).core == company_name(right).core


@pytest.mark.parametrize(("left", "right"), DIFFERENT_COMPANY)
def test_different_companies_or_branches_stay_apart(left, right):
    a, b = company_name(left), company_name(right)
    assert (a.core, a.branch) != (b.core, b.branch)


def test_legal_form_and_branch_are_read():
    name = company_name("腾讯科技(深圳)有限公司上海分公司")
    assert (name.core, name.legal_form, name.region, name.branch) == ("腾讯科技", "limited", "深圳", "上海")


@pytest.mark.parametrize(("left", "right"), [
    ("王芳", "王 芳"), ("王芳", "Wang Fang"), ("曾国藩", "Zeng Guofan"), ("John Smith", "Smith, John"),
    ("Bill Gates", "William Gates"),
])
def test_person_names_compare_by_sound_and_order(left, right):
    assert person_name(left).sorted_key.replace(" ", "") == person_name(right).sorted_key.replace(" ", "") \
        or person_name(left).pinyin == person_name(right).pinyin


@pytest.mark.parametrize("raw", ["138 0013 8000", "+86 138-0013-8000", "0086 13800138000", "１３８００１３８０００"])
def test_phone_formats_share_one_key(raw):
    assert phone_key(raw) == "+8613800138000"


def test_score_is_explained_field_by_field():
    a = record_keys(MatchRecord(1, COMPANY, "北京字节跳动科技有限公司", phones=("13800138000",)))
    b = record_keys(MatchRecord(2, COMPANY, "字节跳动(北京)科技有限公司", phones=("+86 138 0013 8000",)))
    score = explain(a, b)
    levels = {item.field: item.level for item in score.evidence}
    assert levels == {"name": "exact", "phone": "exact", "legal_form": "same"}
    assert score.probability > 0.99
    assert round(sum(item.weight for item in score.evidence) - 11.0, 6) == round(score.weight, 6)


def test_conflicting_latin_legal_forms_count_against_a_match():
    same = match_probability(MatchRecord(1, COMPANY, "Acme Ltd"), MatchRecord(2, COMPANY, "Acme Limited"))
    conflict = match_probability(MatchRecord(1, COMPANY, "Acme Ltd"), MatchRecord(2, COMPANY, "Acme Inc."))
    assert conflict < same


def test_a_shared_generic_mailbox_alone_is_not_a_match():
    a = MatchRecord(1, PERSON, "王芳", email="info@example.com", phones=("13800138000",))
    b = MatchRecord(2, PERSON, "李雷", email="info@example.com", phones=("13900139000",))
    assert match_probability(a, b) < 0.5


def test_the_generated_set_is_matched_with_f1_above_098():
    from veracity.matching.linkage import find_duplicates
    from veracity.matching.synthetic import generate_customers, true_pairs

    records = generate_customers(1500)
    keys = [record_keys(MatchRecord(i, r.kind, r.name, phones=(r.phone,) if r.phone else (), email=r.email,
                                    credit_code=r.credit_code, city=r.city, address=r.address))
            for i, r in enumerate(records)]
    found = {(min(p.left, p.right), max(p.left, p.right)) for c in find_duplicates(keys).clusters for p in c.pairs}
    truth = true_pairs(records)
    precision, recall = len(found & truth) / len(found), len(found & truth) / len(truth)
    assert 2 * precision * recall / (precision + recall) >= 0.98
