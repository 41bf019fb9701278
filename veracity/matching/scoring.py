"""Fellegi–Sunter scores with explanations.

Each field of a pair of records falls into a comparison level (exact, same pinyin, swapped, similar, …,
different, or missing). Each level has m (how often true duplicates land there) and u (how often
unrelated records do); the level's weight is log2(m/u). A pair's weight is the prior weight plus the
sum of its field weights, and its match probability is 2^w / (1 + 2^w). A missing value weighs 0.

The m and u values below were set from the generated Chinese/Latin customer set and FEBRL
(bench/dedup_accuracy.py) and are the same for every entry path, so a score means the same thing in a
scan, at entry time and in an import's dry run. `explain` returns every field's level and weight."""

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz.distance import JaroWinkler, Levenshtein

from veracity.matching.canonical import (
    address_key,
    company_name,
    credit_code_key,
    email_is_generic,
    email_key,
    fold,
    person_name,
    phone_key,
)

COMPANY, PERSON, CONTACT = "company", "person", "contact"
MISSING = "missing"

# The weight a pair starts from: about 1 in 2,000 pairs that share a blocking key is a duplicate.
PRIOR_WEIGHT = -11.0
# Pairs at or above this probability are duplicates (scans, entry-time warnings).
DEFAULT_THRESHOLD = 0.9

# field -> level -> (m, u)
LEVELS: dict[str, dict[str, tuple[float, float]]] = {
    "name": {
        "exact": (0.78, 0.0005), "pinyin": (0.06, 0.0004), "swapped": (0.03, 0.0002),
        "brand": (0.03, 0.002), "similar": (0.05, 0.002), "initial": (0.02, 0.002),
        "weak": (0.02, 0.03), "surname": (0.005, 0.01), "different": (0.005, 0.953),
    },
    "legal_form": {"same": (0.93, 0.6), "conflict": (0.07, 0.4)},
    "branch": {"same": (0.97, 0.9), "different": (0.03, 0.1)},
    "phone": {"exact": (0.7, 0.0001), "similar": (0.05, 0.002), "different": (0.25, 0.9979)},
    "email": {
        "exact": (0.7, 0.0001), "generic": (0.3, 0.01), "local": (0.05, 0.001), "different": (0.25, 0.9889),
    },
    "credit_code": {"exact": (0.97, 0.00001), "different": (0.03, 0.99999)},
    "company": {"exact": (0.9, 0.005), "similar": (0.05, 0.005), "different": (0.05, 0.99)},
    "city": {"exact": (0.9, 0.1), "different": (0.1, 0.9)},
    "address": {"exact": (0.6, 0.0005), "similar": (0.3, 0.005), "different": (0.1, 0.9945)},
    "postal_code": {"exact": (0.85, 0.005), "similar": (0.1, 0.05), "different": (0.05, 0.945)},
    "birth_date": {"exact": (0.85, 0.0003), "similar": (0.12, 0.003), "different": (0.03, 0.9967)},
}
FIELDS = tuple(LEVELS)


@dataclass(frozen=True)
class Parameters:
    """m and u per field level and the prior: the defaults above, or what `estimate_parameters` learnt
    from a scan's own data (stored with the scan, so its explanations stay reproducible)."""
    levels: dict
    prior_weight: float = PRIOR_WEIGHT

    def weight(self, name: str, level: str) -> float:
        if level == MISSING:
            return 0.0
        m, u = self.levels[name][level]
        return math.log2(max(m, 1e-9) / max(u, 1e-9))

    def as_dict(self) -> dict:
        return {"prior_weight": self.prior_weight,
                "levels": {name: {level: list(mu) for level, mu in levels.items()} for name, levels in self.levels.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> "Parameters":
        return cls({name: {level: tuple(mu) for level, mu in levels.items()} for name, levels in data["levels"].items()},
                   data["prior_weight"])


DEFAULT_PARAMETERS = Parameters(LEVELS, PRIOR_WEIGHT)


def level_weight(name: str, level: str) -> float:
    return DEFAULT_PARAMETERS.weight(name, level)


@dataclass(frozen=True)
class MatchRecord:
    """What the matcher needs of a record. `kind` decides how the name is read: company names are
    canonicalised as companies, individual customers and contacts as people."""
    id: object
    kind: str
    name: str
    phones: tuple[str, ...] = ()
    email: str = ""
    credit_code: str = ""
    company: str = ""        # contacts: the company they work for
    city: str = ""
    address: str = ""
    postal_code: str = ""
    birth_date: str = ""     # ISO date when known (not a CRM field today; FEBRL has it)
    country: str = "CN"
    stored_keys: tuple[str, str] | None = None  # companies: (match_name, match_name_pinyin) kept at entry


@dataclass(frozen=True)
class MatchKeys:
    id: object
    kind: str
    name: str             # company core or folded person name
    name_pinyin: str      # company core's pinyin / person's pinyin
    name_sorted: str      # person tokens sorted (swapped names); company brand
    initials: str
    legal_form: str
    branch: str
    phones: tuple[str, ...]
    email: str
    credit_code: str
    company: str
    city: str
    address: str
    postal_code: str
    birth_date: str
    tokens: tuple[str, ...] = field(default=())


_DIGITS = re.compile(r"\d+")


def record_keys(record: MatchRecord) -> MatchKeys:
    """The canonical keys of one record: computed once, compared many times."""
    phones = tuple(sorted({key for key in (phone_key(raw, record.country) for raw in record.phones) if key}))
    if record.kind == COMPANY:
        parts = company_name(record.name, known=record.stored_keys)
        name, pinyin, second, initials = parts.core, parts.pinyin, parts.brand, ""
        legal_form, branch, tokens = parts.legal_form, parts.branch, tuple(parts.core.split())
    else:
        parts = person_name(record.name)
        name, pinyin, second, initials = parts.text, parts.pinyin, parts.sorted_key, parts.initials
        legal_form, branch, tokens = "", "", parts.tokens
    return MatchKeys(
        id=record.id, kind=record.kind, name=name, name_pinyin=pinyin, name_sorted=second, initials=initials,
        legal_form=legal_form, branch=branch, phones=phones, email=email_key(record.email),
        credit_code=credit_code_key(record.credit_code),
        company=company_name(record.company).core if record.company else "",
        city=fold(record.city).removesuffix("市"), address=address_key(record.address),
        postal_code=fold(record.postal_code).replace(" ", ""), birth_date=(record.birth_date or "").strip(),
        tokens=tokens,
    )


# ---------------------------------------------------------------------------------------------
# Comparisons: each returns a level name of LEVELS[field] or MISSING

def _similarity(left: str, right: str) -> float:
    return JaroWinkler.normalized_similarity(left, right)


def compare_name(a: MatchKeys, b: MatchKeys) -> str:
    if not a.name or not b.name:
        return MISSING
    if a.name == b.name:
        return "exact"
    if a.name_pinyin and a.name_pinyin == b.name_pinyin:
        return "pinyin"  # homophones, traditional characters, 王 芳 vs 王芳
    if a.kind == COMPANY:
        if a.name_sorted and a.name_sorted == b.name_sorted:
            return "brand"
        similarity = max(_similarity(a.name, b.name), _similarity(a.name_pinyin, b.name_pinyin))
    else:
        if a.name_sorted == b.name_sorted:
            return "swapped"
        similarity = max(_similarity(a.name, b.name), _similarity(a.name_sorted, b.name_sorted),
                         _similarity(a.name_pinyin, b.name_pinyin))
        if similarity < 0.92 and _initial_match(a.tokens, b.tokens):
            return "initial"
    if similarity >= 0.92:
        return "similar"
    if similarity >= 0.8:
        return "weak"
    if a.kind != COMPANY and _same_surname(a, b):
        return "surname"
    return "different"


def _same_surname(a: MatchKeys, b: MatchKeys) -> bool:
    if not a.name.isascii() and not b.name.isascii():
        return a.name[:1] == b.name[:1]
    return bool(a.tokens and b.tokens) and a.tokens[-1] == b.tokens[-1]


def _initial_match(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """J Smith vs John Smith: same last token, first tokens agree on their initial, one is an initial."""
    if len(left) < 2 or len(right) < 2 or left[-1] != right[-1]:
        return False
    first_left, first_right = left[0], right[0]
    return (len(first_left) == 1 or len(first_right) == 1) and first_left[0] == first_right[0]


def compare_legal_form(a: MatchKeys, b: MatchKeys) -> str:
    if a.kind != COMPANY or not a.legal_form or not b.legal_form:
        return MISSING
    loose = {"company", "group"}  # "Co." or 集团 says little about the legal form
    if a.legal_form == b.legal_form or a.legal_form in loose or b.legal_form in loose:
        return "same"
    if {a.legal_form, b.legal_form} <= {"limited", "joint_stock"} and not a.name.isascii():
        return "same"  # Chinese companies change between 有限公司 and 股份有限公司 when they list
    return "conflict"


def compare_branch(a: MatchKeys, b: MatchKeys) -> str:
    if a.kind != COMPANY or (not a.branch and not b.branch):
        return MISSING
    return "same" if a.branch == b.branch else "different"


def compare_phone(a: MatchKeys, b: MatchKeys) -> str:
    if not a.phones or not b.phones:
        return MISSING
    if set(a.phones) & set(b.phones):
        return "exact"
    if any(Levenshtein.distance(x, y) == 1 or x[-8:] == y[-8:] for x in a.phones for y in b.phones):
        return "similar"
    return "different"


def compare_email(a: MatchKeys, b: MatchKeys) -> str:
    if not a.email or not b.email:
        return MISSING
    if a.email == b.email:
        return "generic" if email_is_generic(a.email) else "exact"
    local_a, local_b = a.email.partition("@")[0], b.email.partition("@")[0]
    if local_a == local_b and not email_is_generic(a.email):
        return "local"
    return "different"


def _exact_or_different(left: str, right: str) -> str:
    if not left or not right:
        return MISSING
    return "exact" if left == right else "different"


def compare_credit_code(a: MatchKeys, b: MatchKeys) -> str:
    return _exact_or_different(a.credit_code, b.credit_code)


def compare_company(a: MatchKeys, b: MatchKeys) -> str:
    if not a.company or not b.company:
        return MISSING
    if a.company == b.company:
        return "exact"
    return "similar" if _similarity(a.company, b.company) >= 0.9 else "different"


def compare_city(a: MatchKeys, b: MatchKeys) -> str:
    if not a.city or not b.city:
        return MISSING
    if a.city == b.city or _similarity(a.city, b.city) >= 0.93:
        return "exact"
    return "different"


def compare_address(a: MatchKeys, b: MatchKeys) -> str:
    if not a.address or not b.address:
        return MISSING
    if a.address == b.address:
        return "exact"
    numbers_a, numbers_b = _DIGITS.findall(a.address), _DIGITS.findall(b.address)
    if numbers_a and numbers_b and numbers_a != numbers_b and _similarity(a.address, b.address) < 0.97:
        return "different" if set(numbers_a).isdisjoint(numbers_b) else "similar"
    return "similar" if _similarity(a.address, b.address) >= 0.85 else "different"


def compare_postal_code(a: MatchKeys, b: MatchKeys) -> str:
    if not a.postal_code or not b.postal_code:
        return MISSING
    if a.postal_code == b.postal_code:
        return "exact"
    return "similar" if Levenshtein.distance(a.postal_code, b.postal_code) == 1 else "different"


def compare_birth_date(a: MatchKeys, b: MatchKeys) -> str:
    if not a.birth_date or not b.birth_date:
        return MISSING
    if a.birth_date == b.birth_date:
        return "exact"
    left, right = a.birth_date.replace("-", ""), b.birth_date.replace("-", "")
    if Levenshtein.distance(left, right) <= 1 or (len(left) == len(right) == 8 and left[:4] == right[:4]
                                                   and left[4:6] == right[6:8] and left[6:8] == right[4:6]):
        return "similar"  # one digit wrong, or day and month swapped
    return "different"


COMPARISONS = {
    "name": compare_name, "legal_form": compare_legal_form, "branch": compare_branch,
    "phone": compare_phone, "email": compare_email, "credit_code": compare_credit_code,
    "company": compare_company, "city": compare_city, "address": compare_address,
    "postal_code": compare_postal_code, "birth_date": compare_birth_date,
}
assert tuple(COMPARISONS) == FIELDS, "pair_levels lists the comparisons in COMPARISONS order"
_WEIGHT_TABLES: dict[int, dict] = {}


def _weights(parameters: Parameters) -> dict[tuple[str, str], float]:
    table = _WEIGHT_TABLES.get(id(parameters))
    if table is None:
        table = {(name, level): parameters.weight(name, level)
                 for name, levels in parameters.levels.items() for level in levels}
        _WEIGHT_TABLES[id(parameters)] = table
    return table


# ---------------------------------------------------------------------------------------------
# Scores

@dataclass(frozen=True)
class FieldEvidence:
    field: str
    level: str
    weight: float      # log2(m/u); positive says "same record", negative "different records"
    m: float | None
    u: float | None


@dataclass(frozen=True)
class PairScore:
    left: object
    right: object
    weight: float
    probability: float
    evidence: tuple[FieldEvidence, ...]

    def as_dict(self) -> dict:
        return {
            "weight": round(self.weight, 3), "probability": round(self.probability, 6),
            "fields": [
                {"field": item.field, "level": item.level, "weight": round(item.weight, 3),
                 "m": item.m, "u": item.u}
                for item in self.evidence
            ],
        }


def probability_from_weight(weight: float) -> float:
    if weight > 60:
        return 1.0
    odds = 2.0 ** weight
    return odds / (1.0 + odds)


# Name levels of two different people (a shared surname or a faint likeness is not the same name).
COLLEAGUE_NAME_LEVELS = DISAGREEING_NAME_LEVELS = frozenset({"different", "surname", "weak"})


def pair_levels(a: MatchKeys, b: MatchKeys) -> tuple[str, ...]:
    """The comparison level of every field, in COMPARISONS order (written out: a scan calls this for
    every candidate pair, and a generator over COMPARISONS cost a third of the time)."""
    name, phone, email, company = compare_name(a, b), compare_phone(a, b), compare_email(a, b), compare_company(a, b)
    if a.kind == CONTACT and name in COLLEAGUE_NAME_LEVELS:
        # Two contacts whose names disagree and who share a switchboard number, a generic mailbox and an
        # employer are colleagues: what they share describes the workplace, not the person, so it says
        # nothing here (counted as missing) instead of outweighing the names.
        phone = MISSING if phone != "different" else phone
        email = MISSING if email == "generic" else email
        company = MISSING if company != "different" else company
    return (name, compare_legal_form(a, b), compare_branch(a, b), phone, email, compare_credit_code(a, b), company,
            compare_city(a, b), compare_address(a, b), compare_postal_code(a, b), compare_birth_date(a, b))


def levels_weight(levels: tuple[str, ...], parameters: Parameters = DEFAULT_PARAMETERS) -> float:
    """The total weight of a pair whose `pair_levels` are known (scans cache it per pattern)."""
    weights = _weights(parameters)
    return parameters.prior_weight + sum(weights[(name, level)] for name, level in zip(COMPARISONS, levels, strict=True)
                                         if level != MISSING)


def explain(a: MatchKeys, b: MatchKeys, parameters: Parameters = DEFAULT_PARAMETERS,
            levels: tuple[str, ...] | None = None) -> PairScore:
    """The score of a pair with every field's level and weight: what agreed, what disagreed, how much
    each counted. `levels` (from `pair_levels`) saves comparing again."""
    weights = _weights(parameters)
    evidence = []
    total = parameters.prior_weight
    if levels is None:
        levels = pair_levels(a, b)
    for name, level in zip(COMPARISONS, levels, strict=True):
        if level == MISSING:
            continue
        m, u = parameters.levels[name][level]
        weight = weights[(name, level)]
        total += weight
        evidence.append(FieldEvidence(name, level, weight, m, u))
    evidence.sort(key=lambda item: -abs(item.weight))
    return PairScore(a.id, b.id, total, probability_from_weight(total), tuple(evidence))


def match_probability(a: MatchRecord, b: MatchRecord) -> float:
    return explain(record_keys(a), record_keys(b)).probability


# Fewer sightings than this among the random pairs say nothing about how rare a level is.
U_MIN_SIGHTINGS = 5


def _u_estimate(seen: int, total: int, default_u: float) -> float:
    """u of one level from `seen` of `total` random pairs. A level seen fewer than U_MIN_SIGHTINGS times
    keeps its default: "never seen in 30,000 random pairs" once turned u for an exact name into 3e-8
    (a weight of 24), so two different Mary Millers at different companies scored 0.999 on the demo data."""
    if not total or seen < U_MIN_SIGHTINGS:
        return default_u
    return seen / total


# What EM may not learn from a scan's own data. Levels in CAPPED_M keep at most their default m (EM may
# learn that duplicates show them less often, never more); levels in FIXED keep their default m and u.
# On the demo data, unguarded EM took colleagues sharing a switchboard (m of "different name" 0.29),
# companies sharing a brand word (西安宏星教育 / 西安宏星建筑: m of "brand" 0.18) and a shared info@ mailbox
# (weight 11.8, though a generic mailbox is meant to weigh little) for duplicates.
CAPPED_M = {"name": DISAGREEING_NAME_LEVELS | {"brand"}}
FIXED = {"email": frozenset({"generic"})}


def _guarded(name: str, levels: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """One field's learnt levels with CAPPED_M and FIXED applied; the other levels share what is left of
    m in their learnt proportions."""
    held = {level: LEVELS[name][level] for level in FIXED.get(name, ()) if level in levels}
    held.update({level: (min(levels[level][0], LEVELS[name][level][0]), levels[level][1])
                 for level in CAPPED_M.get(name, ()) if level in levels})
    if all(held[level] == levels[level] for level in held):
        return levels
    rest = sum(m for level, (m, _u) in levels.items() if level not in held)
    scale = (1 - sum(m for m, _u in held.values())) / rest if rest else 0.0
    return {level: held.get(level, (m * scale, u)) for level, (m, u) in levels.items()}


def estimate_parameters(records: list[MatchKeys], pairs: list[tuple[int, int]], *, sample: int = 50000,
                        iterations: int = 15, seed: int = 7) -> Parameters:
    """Fellegi–Sunter parameters learnt from the data itself, without labels: u from random record
    pairs (almost all non-matches), m and the prior by expectation–maximisation over the blocked
    candidate pairs, starting from the defaults. Levels never seen keep their default m."""
    import random

    rng = random.Random(seed)
    names = list(COMPARISONS)
    u_counts = {name: {} for name in names}
    count = len(records)
    if count > 1:
        for _draw in range(min(sample, count * (count - 1) // 2)):
            i, j = rng.randrange(count), rng.randrange(count)
            if i == j or records[i].kind != records[j].kind:
                continue
            for name, level in zip(names, pair_levels(records[i], records[j]), strict=True):
                if level != MISSING:
                    u_counts[name][level] = u_counts[name].get(level, 0) + 1
    levels = {}
    for name in names:
        total = sum(u_counts[name].values())
        levels[name] = {
            level: (m, _u_estimate(u_counts[name].get(level, 0), total, u)) for level, (m, u) in LEVELS[name].items()
        }
    parameters = Parameters(levels, PRIOR_WEIGHT)
    # EM runs over the distinct level patterns with their counts: a few hundred patterns stand for
    # tens of thousands of pairs, with the same sums.
    patterns = Counter(pair_levels(records[i], records[j]) for i, j in pairs)
    observed_count = sum(patterns.values())
    if not observed_count:
        return parameters
    prior = probability_from_weight(PRIOR_WEIGHT + math.log2(max(count * (count - 1) / 2, 1) / observed_count))
    for _round in range(iterations):
        weights = _weights(parameters)
        odds_prior = math.log2(prior / (1 - prior))
        m_sums = {name: {} for name in names}
        total_p = 0.0
        for row, times in patterns.items():
            weight = odds_prior + sum(weights[(name, level)] for name, level in zip(names, row, strict=True)
                                      if level != MISSING)
            p = probability_from_weight(weight) * times
            total_p += p
            for name, level in zip(names, row, strict=True):
                if level != MISSING:
                    m_sums[name][level] = m_sums[name].get(level, 0.0) + p
        prior = min(max(total_p / observed_count, 1e-6), 1 - 1e-6)
        new_levels = {}
        for name in names:
            seen = sum(m_sums[name].values())
            new_levels[name] = {
                level: (((m_sums[name].get(level, 0.0) + m) / (seen + 1)) if seen else m, u)
                for level, (m, u) in parameters.levels[name].items()
            }
        new_levels = {name: _guarded(name, levels) for name, levels in new_levels.items()}
        parameters = Parameters(new_levels, math.log2(prior / (1 - prior)))
    # The prior over all pairs, not just blocked ones: matches among blocked pairs over all pairs.
    all_pairs = max(count * (count - 1) / 2, 1)
    overall = min(max(prior * observed_count / all_pairs, 1e-12), 0.5)
    return Parameters(parameters.levels, math.log2(overall / (1 - overall)))
