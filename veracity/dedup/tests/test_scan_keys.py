from veracity.dedup.services.scan import _keys
from veracity.matching.scoring import COMPANY, PERSON, MatchRecord
from veracity.matching.synthetic import generate_customers


def test_keys_from_the_process_pool_equal_keys_computed_in_process():
    records = [MatchRecord(index, COMPANY if r.kind == "company" else PERSON, r.name,
                           phones=(r.phone,) if r.phone else (), email=r.email, credit_code=r.credit_code,
                           city=r.city, address=r.address)
               for index, r in enumerate(generate_customers(300, seed=3))]
    serial = _keys(iter(records), None, "keys", pool_min=10**9)
    pooled = _keys(iter(records), None, "keys", pool_min=1)
    assert pooled == serial and len(pooled) == 300
