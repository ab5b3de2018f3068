"""Permuted blocks, as pure functions: generate a stratum's sequence from a seed, and check a list (generated
or imported) against the allocation ratio.

No maintained library does stratified permuted blocks with random block sizes, so this is written small
and tested by properties (tests/patients/test_randomisation_blocks.py). Reproducibility rests on Python's
``random.Random`` seeded with a string: its seeding (version 2, SHA-512 of the string) and ``choice`` /
``shuffle`` have been stable since Python 3.2, and the list records the Python version it was made with.
"""

import random
from collections import Counter
from dataclasses import dataclass

# Stored with every generated list and printed on its report; bump when the output for a seed changes.
ALGORITHM = "stratified permuted blocks, random block sizes (ucmsc-crf v1)"

# Treatment codes: no 0/O, 1/I, so a code read aloud or off a label is not misread.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


@dataclass(frozen=True)
class PlannedSlot:
    """One position of a stratum's sequence: the block it belongs to and the arm it allocates."""

    block: int
    block_size: int
    arm: str


def ratio_sum(weights: dict[str, int]) -> int:
    return sum(weights.values())


def block_sizes(weights: dict[str, int], multiples: list[int]) -> list[int]:
    """The block sizes a list draws from: each multiple of the ratio's sum (2:1 with multiples 1, 2 gives 3, 6)."""
    return sorted({ratio_sum(weights) * m for m in multiples})


def stratum_rng(seed: int, stratum_key: str) -> random.Random:
    """One generator per stratum, from the list's seed and the stratum's key: a stratum's sequence depends on
    nothing else (not the order strata are generated in, nor how many there are)."""
    return random.Random(f"{seed}:{stratum_key}")


def permuted_blocks(
    *, seed: int, stratum_key: str, weights: dict[str, int], multiples: list[int], min_slots: int
) -> list[PlannedSlot]:
    """Complete blocks, sizes drawn at random from ``block_sizes``, until at least ``min_slots`` positions.

    Each block holds every arm ``weight x (size / ratio sum)`` times, in a random order. The list always
    ends with a complete block, so the ratio is exact in every block and over the whole stratum.
    """
    if min_slots < 1:
        raise ValueError("A stratum needs at least one slot.")
    if not weights or any(w < 1 for w in weights.values()):
        raise ValueError("Every arm needs a ratio weight of at least 1.")
    if not multiples or any(m < 1 for m in multiples):
        raise ValueError("Block size multiples are positive whole numbers.")
    rng = stratum_rng(seed, stratum_key)
    sizes = block_sizes(weights, multiples)
    arms = sorted(weights)  # a fixed order before shuffling, whatever order the caller's dict has
    slots: list[PlannedSlot] = []
    block = 0
    while len(slots) < min_slots:
        block += 1
        size = rng.choice(sizes)
        per_unit = size // ratio_sum(weights)
        contents = [arm for arm in arms for _ in range(weights[arm] * per_unit)]
        rng.shuffle(contents)
        slots.extend(PlannedSlot(block=block, block_size=size, arm=arm) for arm in contents)
    return slots


def treatment_codes(seed: int, count: int, taken: set[str] = frozenset()) -> list[str]:
    """``count`` distinct opaque codes (none in ``taken``), reproducible from the seed. A code says nothing
    about the arm: active and placebo kits are labelled alike."""
    rng = random.Random(f"{seed}:treatment-codes")
    seen = set(taken)
    codes = []
    while len(codes) < count:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def block_problems(blocks: dict[tuple[str, int], list[str]], weights: dict[str, int]) -> list[str]:
    """What is wrong with the blocks of a list, keyed (stratum label, block number) -> arms in order: each
    block's size is a multiple of the ratio's sum and it holds each arm in exactly the ratio."""
    total = ratio_sum(weights)
    problems = []
    for (stratum, block), arms in sorted(blocks.items()):
        size = len(arms)
        if size % total:
            problems.append(f"{stratum}, block {block}: {size} rows is not a complete block (a multiple of {total}).")
            continue
        expected = {arm: weight * size // total for arm, weight in weights.items()}
        counts = Counter(arms)
        if counts != Counter({arm: n for arm, n in expected.items() if n}):
            have = ", ".join(f"{arm} {counts.get(arm, 0)}" for arm in sorted(weights))
            want = ", ".join(f"{arm} {expected[arm]}" for arm in sorted(weights))
            problems.append(f"{stratum}, block {block}: {have}; the ratio needs {want}.")
    return problems
