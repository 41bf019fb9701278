from veracity.matching.linkage import (
    blocking_rule_counts,
    candidate_pair_array,
    candidate_pairs,
    find_duplicates,
)
from veracity.matching.scoring import COMPANY, PERSON, MatchRecord, record_keys


def _people(names_and_cities, phone_of=None):
    phone_of = phone_of or {}
    return [record_keys(MatchRecord(index, PERSON, name, city=city, phones=tuple(phone_of.get(index, ()))))
            for index, (name, city) in enumerate(names_and_cities)]


def test_a_large_name_block_is_split_by_place():
    records = _people([("王伟", "北京")] * 6 + [("王伟", "上海")] * 6)
    pairs = candidate_pairs(records, refine_over=10)
    assert (0, 5) in pairs and (6, 11) in pairs
    assert (0, 6) not in pairs  # same common name, different city: not compared on the name alone


def test_a_small_name_block_is_compared_whole():
    records = _people([("王伟", "北京")] * 3 + [("王伟", "上海")] * 3)
    assert (0, 5) in candidate_pairs(records, refine_over=10)


def test_records_of_a_split_block_still_meet_on_a_shared_phone():
    records = _people([("王伟", "北京")] * 6 + [("王伟", "上海")] * 6, phone_of={0: ["13800138000"], 6: ["13800138000"]})
    assert (0, 6) in candidate_pairs(records, refine_over=10)


def test_pair_array_lists_each_pair_once_in_order():
    records = _people([("李娜", "北京")] * 4, phone_of={0: ["13800138000"], 1: ["13800138000"]})
    array = candidate_pair_array(records)
    assert array.tolist() == [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]


def test_rule_counts_say_which_rule_finds_a_true_pair_alone():
    records = [record_keys(MatchRecord(0, COMPANY, "北京字节跳动科技有限公司", phones=("13800138000",))),
               record_keys(MatchRecord(1, COMPANY, "字节跳动(北京)科技有限公司")),
               record_keys(MatchRecord(2, COMPANY, "Apex Trading Ltd", phones=("13800138000",)))]
    report = blocking_rule_counts(records, truth={(0, 1)})
    assert report["pairs"] == 2 and report["true_covered"] == 1
    assert report["rules"]["n"]["true"] == 1 and report["rules"]["p"]["only_here"] == 0


def test_find_duplicates_clusters_spellings_of_one_company():
    records = [record_keys(MatchRecord(10, COMPANY, "北京字节跳动科技有限公司", phones=("13800138000",))),
               record_keys(MatchRecord(11, COMPANY, "字节跳动(北京)科技有限公司", phones=("+86 138 0013 8000",))),
               record_keys(MatchRecord(12, COMPANY, "华为技术有限公司"))]
    result = find_duplicates(records, train=False)
    assert [cluster.members for cluster in result.clusters] == [(10, 11)]


def test_scoring_in_the_process_pool_finds_the_same_pairs():
    from veracity.matching.linkage import scored_pairs
    from veracity.matching.synthetic import generate_customers

    records = [record_keys(MatchRecord(index, r.kind, r.name, phones=(r.phone,) if r.phone else (), email=r.email,
                                       credit_code=r.credit_code, city=r.city, address=r.address))
               for index, r in enumerate(generate_customers(600, seed=5))]
    pairs = candidate_pair_array(records)
    serial = scored_pairs(records, pairs=pairs, pool_min=10**9)
    pooled = scored_pairs(records, pairs=pairs, pool_min=1)
    assert serial and [p.as_dict() for p in pooled] == [p.as_dict() for p in serial]
