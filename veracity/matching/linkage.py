"""Blocking, pairwise scoring and clustering over a whole set of records.

Blocking sets the cost (DATA-QUALITY.md): a pair is compared only when the two records share a
blocking key — the same canonical name, name pinyin, brand, phone, e-mail, credit code, or a name
token together with a postal code or city. Blocks larger than `max_block` (a shared switchboard
number) are skipped, since a key that many records share tells nothing.

Block sizes grow with the base: a name shared by 5 records in 100,000 customers is shared by 50 in
1,000,000, and its pairs grow with the square. So a name block (canonical name, pinyin, brand) larger
than `refine_over` records is split by place (postal code, city, or a contact's company), and the
token-and-place blocks, which already carry the place, are capped at `refine_over` too: a common
surname in one city (王伟 in 北京, "Apex Summit" in 上海) says little, and the duplicates among such
records share a phone, e-mail or credit code, whose blocks stay. Measured in bench/dedup_speed.py
--blocking (docs/benchmarks.md)."""

import multiprocessing
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from veracity.matching.scoring import (
    COMPANY,
    DEFAULT_PARAMETERS,
    DEFAULT_THRESHOLD,
    MatchKeys,
    PairScore,
    Parameters,
    explain,
    levels_weight,
    pair_levels,
    probability_from_weight,
)

DEFAULT_MAX_BLOCK = 50
DEFAULT_REFINE_OVER = 10
# Rules whose blocks are split by place when large, and rules that already carry a place (or a year).
NAME_RULES = frozenset({"n", "y", "s"})
PLACED_RULES = frozenset({"tp", "yp", "td"})


def blocking_keys(keys: MatchKeys) -> set[str]:
    """The keys a record is filed under; two records are compared when they share one. The kind is
    part of every key, so a company is never compared with a person."""
    kind = keys.kind
    found: set[str] = set()
    if keys.name:
        found.add(f"{kind}|n|{keys.name}")
    if keys.name_pinyin:
        found.add(f"{kind}|y|{keys.name_pinyin}")
    if keys.name_sorted:
        found.add(f"{kind}|s|{keys.name_sorted}")
    for phone in keys.phones:
        found.add(f"{kind}|p|{phone}")
    if keys.email:
        found.add(f"{kind}|e|{keys.email}")
    if keys.credit_code:
        found.add(f"{kind}|c|{keys.credit_code}")
    place = keys.postal_code or keys.city or keys.company
    if keys.birth_date:
        found.add(f"{kind}|d|{keys.birth_date}")
    for token in keys.tokens:
        if len(token) >= 3:
            if place:
                found.add(f"{kind}|tp|{token}|{place}")
            if keys.birth_date:
                found.add(f"{kind}|td|{token[:3]}|{keys.birth_date[:4]}")
    if kind != COMPANY and keys.name_pinyin and place:
        found.add(f"{kind}|yp|{keys.name_pinyin[:4]}|{place}")
    if keys.address and keys.postal_code:
        found.add(f"{kind}|a|{keys.postal_code}|{keys.address[:6]}")
    return found


def _place(keys: MatchKeys) -> str:
    return keys.postal_code or keys.city or keys.company


def candidate_blocks(records: list[MatchKeys], *, max_block: int = DEFAULT_MAX_BLOCK,
                     refine_over: int = DEFAULT_REFINE_OVER) -> Iterable[tuple[str, list[int]]]:
    """(rule, member indexes) of every block that is compared: name blocks larger than `refine_over`
    split by place, token-and-place blocks larger than `refine_over` and any block larger than
    `max_block` left out."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, keys in enumerate(records):
        for key in blocking_keys(keys):
            blocks[key].append(index)
    for key, members in blocks.items():
        size = len(members)
        if size < 2:
            continue
        rule = key.split("|", 2)[1]
        if size > refine_over and rule in NAME_RULES:
            by_place: dict[str, list[int]] = defaultdict(list)
            for index in members:
                by_place[_place(records[index])].append(index)
            for part in by_place.values():
                if 2 <= len(part) <= refine_over:
                    yield rule, part
        elif size > max_block or (size > refine_over and rule in PLACED_RULES):
            continue
        else:
            yield rule, members


def _block_pairs(blocks: Iterable[list[int]]) -> np.ndarray:
    """Every pair within every block as int64 codes `low * 2**32 + high`, distinct and sorted. Blocks
    of one size are stacked into a matrix and paired with its upper-triangle indexes, so the work is
    vectorised rather than a Python loop per pair."""
    by_size: dict[int, list[list[int]]] = defaultdict(list)
    for members in blocks:
        by_size[len(members)].append(members)
    chunks = []
    for size, group in by_size.items():
        matrix = np.asarray(group, dtype=np.int64)
        first, second = np.triu_indices(size, k=1)
        left, right = matrix[:, first].ravel(), matrix[:, second].ravel()
        chunks.append(np.minimum(left, right) * (1 << 32) + np.maximum(left, right))
    if not chunks:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(chunks))


def candidate_pair_array(records: list[MatchKeys], *, max_block: int = DEFAULT_MAX_BLOCK,
                         refine_over: int = DEFAULT_REFINE_OVER) -> np.ndarray:
    """The candidate pairs as an (n, 2) array of record indexes, i < j, each pair once."""
    codes = _block_pairs(members for _rule, members in candidate_blocks(records, max_block=max_block,
                                                                        refine_over=refine_over))
    return np.stack([codes >> 32, codes & 0xFFFFFFFF], axis=1)


def candidate_pairs(records: list[MatchKeys], *, max_block: int = DEFAULT_MAX_BLOCK,
                    refine_over: int = DEFAULT_REFINE_OVER) -> set[tuple[int, int]]:
    """Index pairs (i < j) into `records` that share at least one blocking key."""
    array = candidate_pair_array(records, max_block=max_block, refine_over=refine_over)
    return set(zip(array[:, 0].tolist(), array[:, 1].tolist(), strict=True))


def blocking_rule_counts(records: list[MatchKeys], *, truth: set[tuple[int, int]] | None = None,
                         max_block: int = DEFAULT_MAX_BLOCK, refine_over: int = DEFAULT_REFINE_OVER) -> dict:
    """Where the candidate pairs come from, per blocking rule: pairs (before de-duplication across
    rules), blocks compared, the largest block, and with `truth` (index pairs known to match) the true
    pairs each rule finds and those no other rule finds. For the speed bench."""
    rules: dict[str, dict] = defaultdict(lambda: {"pairs": 0, "blocks": 0, "largest": 0, "true": 0, "only_here": 0})
    codes_by_rule: dict[str, list[list[int]]] = defaultdict(list)
    for rule, members in candidate_blocks(records, max_block=max_block, refine_over=refine_over):
        row = rules[rule]
        row["pairs"] += len(members) * (len(members) - 1) // 2
        row["blocks"] += 1
        row["largest"] = max(row["largest"], len(members))
        codes_by_rule[rule].append(members)
    unique_by_rule = {rule: _block_pairs(blocks) for rule, blocks in codes_by_rule.items()}
    everything = np.unique(np.concatenate(list(unique_by_rule.values()))) if unique_by_rule else np.empty(0)
    report = {"pairs": len(everything), "rules": dict(rules), "true_covered": None}
    if truth is not None:
        true_codes = np.asarray(sorted(i * (1 << 32) + j for i, j in truth), dtype=np.int64)
        report["true_covered"] = int(np.isin(true_codes, everything).sum())
        found = {rule: codes[np.isin(codes, true_codes)] for rule, codes in unique_by_rule.items()}
        rules_per_pair = Counter(code for codes in found.values() for code in codes.tolist())
        for rule, codes in found.items():
            rules[rule]["true"] = len(codes)
            rules[rule]["only_here"] = sum(1 for code in codes.tolist() if rules_per_pair[code] == 1)
    return report


@dataclass(frozen=True)
class Cluster:
    members: tuple[object, ...]      # record ids, sorted
    pairs: tuple[PairScore, ...]     # the scored pairs that tie it together, best first

    @property
    def score(self) -> float:
        return max(pair.probability for pair in self.pairs)


def connected_components(edges: Iterable[tuple[object, object]]) -> list[list[object]]:
    """Groups of ids joined by edges (union–find with path halving)."""
    parent: dict[object, object] = {}

    def root(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for left, right in edges:
        a, b = root(left), root(right)
        if a != b:
            parent[max(a, b, key=str)] = min(a, b, key=str)
    groups: dict[object, list[object]] = defaultdict(list)
    for node in parent:
        groups[root(node)].append(node)
    return [sorted(group, key=lambda item: (str(type(item)), item)) for group in groups.values()]


def _pair_key(left, right) -> tuple:
    return (left, right) if (str(left), left) <= (str(right), right) else (right, left)


# Scoring a large set of candidate pairs is spread over a pool of forked processes (one per core): each
# scores a slice of the pairs and sends back only those that pass, with their levels.
POOL_MIN_PAIRS = 200_000
_POOL_SLICE = 100_000
_pool_job: tuple = ()


def _passing_levels(records: list[MatchKeys], lefts: list[int], rights: list[int], parameters: Parameters,
                    threshold: float) -> list[tuple[int, int, tuple[str, ...]]]:
    """(i, j, levels) of the pairs at or above `threshold`. Pairs fall on a few thousand level patterns
    at most: each pattern's verdict is worked out once."""
    passes: dict[tuple[str, ...], bool] = {}
    found = []
    for i, j in zip(lefts, rights, strict=True):
        levels = pair_levels(records[i], records[j])
        verdict = passes.get(levels)
        if verdict is None:
            verdict = passes[levels] = probability_from_weight(levels_weight(levels, parameters)) >= threshold
        if verdict:
            found.append((i, j, levels))
    return found


def _pool_slice(start: int) -> list[tuple[int, int, tuple[str, ...]]]:
    records, pairs, parameters, threshold = _pool_job
    part = pairs[start:start + _POOL_SLICE]
    return _passing_levels(records, part[:, 0].tolist(), part[:, 1].tolist(), parameters, threshold)


def _passing_pairs(records, pairs: np.ndarray, parameters: Parameters, threshold: float,
                   progress: Callable[[int, int], None] | None, pool_min: int):
    global _pool_job
    total = len(pairs)
    workers = min(os.cpu_count() or 1, 4)
    if total >= pool_min and workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        _pool_job = (records, pairs, parameters, threshold)
        try:
            # Forked workers only compute (they inherit the records instead of receiving them).
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                for position, found in enumerate(pool.map(_pool_slice, range(0, total, _POOL_SLICE)), 1):
                    yield from found
                    if progress is not None:
                        progress(min(position * _POOL_SLICE, total), total)
        finally:
            _pool_job = ()
        return
    for start in range(0, total, 20000):
        part = pairs[start:start + 20000]
        yield from _passing_levels(records, part[:, 0].tolist(), part[:, 1].tolist(), parameters, threshold)
        if progress is not None:
            progress(min(start + 20000, total), total)


def scored_pairs(
    records: list[MatchKeys], *, threshold: float = DEFAULT_THRESHOLD, exclude: set[tuple] | frozenset = frozenset(),
    max_block: int = DEFAULT_MAX_BLOCK, progress: Callable[[int, int], None] | None = None,
    parameters: Parameters = DEFAULT_PARAMETERS, pairs: "set[tuple[int, int]] | np.ndarray | None" = None,
    pool_min: int = POOL_MIN_PAIRS,
) -> list[PairScore]:
    """Every candidate pair scoring at least `threshold`, explained. Pairs in `exclude` (id pairs a
    reviewer dismissed, in either order) are never returned. `pairs`: index pairs, a set or an (n, 2)
    array (`candidate_pair_array`); from `pool_min` pairs on, scoring runs in a process pool."""
    if pairs is None:
        pairs = candidate_pair_array(records, max_block=max_block)
    if not isinstance(pairs, np.ndarray):
        pairs = np.asarray(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    found = []
    for i, j, levels in _passing_pairs(records, pairs, parameters, threshold, progress, pool_min):
        a, b = records[i], records[j]
        if _pair_key(a.id, b.id) not in exclude:
            found.append(explain(a, b, parameters, levels))
    if progress is not None:
        progress(len(pairs), len(pairs))
    return found


def clusters_from_pairs(pairs: list[PairScore]) -> list[Cluster]:
    """Connected components over the matching pairs, best-scoring cluster first."""
    by_member: dict[object, list[PairScore]] = defaultdict(list)
    for pair in pairs:
        by_member[pair.left].append(pair)
    result = []
    for members in connected_components((pair.left, pair.right) for pair in pairs):
        member_pairs = sorted({id(p): p for m in members for p in by_member.get(m, ())}.values(),
                              key=lambda p: -p.probability)
        result.append(Cluster(tuple(members), tuple(member_pairs)))
    result.sort(key=lambda cluster: -cluster.score)
    return result


@dataclass(frozen=True)
class LinkageResult:
    clusters: list[Cluster]
    parameters: Parameters
    compared: int          # candidate pairs scored


def find_duplicates(records: list[MatchKeys], *, threshold: float = DEFAULT_THRESHOLD,
                    exclude: set[tuple] | frozenset = frozenset(), max_block: int = DEFAULT_MAX_BLOCK,
                    refine_over: int = DEFAULT_REFINE_OVER, train: bool = True,
                    progress: Callable[[int, int], None] | None = None) -> LinkageResult:
    """Blocking, (unsupervised) training, scoring and clustering in one call: the duplicate clusters
    among `records`. With `train`, m/u and the prior are estimated from these records by EM
    (`estimate_parameters`, within the guards of `scoring.CAPPED_M` and `scoring.FIXED`); otherwise the
    defaults are used."""
    pairs = candidate_pair_array(records, max_block=max_block, refine_over=refine_over)
    parameters = DEFAULT_PARAMETERS
    if train and len(records) >= 50:
        from veracity.matching.scoring import estimate_parameters

        # A sample of the candidate pairs trains as well as all of them, at a fraction of the cost.
        rows = np.random.default_rng(7).permutation(len(pairs))[:30000] if len(pairs) > 30000 else slice(None)
        sample = pairs[rows]
        parameters = estimate_parameters(records, list(zip(sample[:, 0].tolist(), sample[:, 1].tolist(), strict=True)),
                                         sample=30000, iterations=10)
    found = scored_pairs(records, threshold=threshold, exclude=exclude, progress=progress,
                         parameters=parameters, pairs=pairs)
    return LinkageResult(clusters_from_pairs(found), parameters, len(pairs))


def best_matches(candidate: MatchKeys, existing: Iterable[MatchKeys], *, threshold: float = DEFAULT_THRESHOLD,
                 limit: int = 5) -> list[PairScore]:
    """The existing records that `candidate` (a record being entered) probably duplicates, best first."""
    scores = [explain(candidate, other) for other in existing if other.id != candidate.id]
    scores = [score for score in scores if score.probability >= threshold]
    scores.sort(key=lambda score: -score.probability)
    return scores[:limit]
