"""Writes of the randomisation list: generate it, import it, sign its report off, and take a slot at
enrolment. Each is atomic and audited (simple-history: who and why)."""

import csv
import hashlib
import io
import platform
import secrets

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from patients.casebook.access import reauthenticate
from patients.casebook.choices import INFUSED_TREATMENTS
from patients.casebook.design import Arm, TrialDesign
from patients.casebook.rules import refusal
from patients.casebook.saving import record_save
from patients.casebook.sites import Site
from patients.choices import ListSource
from patients.randomisation import blocks
from patients.randomisation.models import RandomisationList, RandomisationSlot, Stratum
from patients.randomisation.strata import design_strata, participant_stratum_key, stratum_key

# The largest list the app makes or reads: a multi-centre phase 3 is thousands, never millions.
MAX_SLOTS = 100_000
# How many problems of an imported file are listed before "and N more".
MAX_LISTED_PROBLEMS = 20
NUMBER_WIDTH = 5


def software_version() -> str:
    return f"{blocks.ALGORITHM}; Python {platform.python_version()}"


def _check_can_make_list(design: TrialDesign) -> dict[str, int]:
    """Refuse unless the design allocates by list and has a stratum without one (all of them before the first
    list; a new site's after it); return the arms' weights."""
    if not design.randomised:
        raise refusal(
            NON_FIELD_ERRORS,
            "This trial's design allocates by investigator: set its allocation to the randomisation list first.",
            "not_randomised",
        )
    if RandomisationList.objects.exists() and not strata_to_add(design):
        raise refusal(
            NON_FIELD_ERRORS,
            "Every stratum of the design is in the randomisation list, which is read-only once made. A centre "
            "joining the trial is added as a site first; then its strata are added here.",
            "list_exists",
        )
    weights = dict(Arm.objects.values_list("code", "ratio_weight"))
    if len(weights) < 2:
        raise refusal(NON_FIELD_ERRORS, "A randomised trial needs at least two arms.", "too_few_arms")
    if "site" in design.stratifiers() and not Site.objects.exists():
        raise refusal(NON_FIELD_ERRORS, "The list is stratified by site and there is no site yet.", "no_sites")
    return weights


def strata_to_add(design: TrialDesign) -> list:
    """The design's strata that no list holds yet: every one before the first list; after it, those of a site
    that joined the trial since (issue 29, 6). What is in a list already is never made again."""
    held = set(Stratum.objects.values_list("key", flat=True))
    return [spec for spec in design_strata(design, Site.objects.order_by("code")) if spec.key not in held]


def _first_list() -> RandomisationList | None:
    return RandomisationList.objects.filter(extends__isnull=True).order_by("pk").first()


def _last_number() -> int:
    """The highest randomisation number given so far (R00042 -> 42): an extension's numbers follow on."""
    numbers = RandomisationSlot.objects.values_list("number", flat=True)
    return max((int(n[1:]) for n in numbers if n[:1] == "R" and n[1:].isdigit()), default=0)


def _snapshot(design: TrialDesign, weights: dict[str, int]) -> dict:
    return {"design": design.code, "stratifiers": design.stratifiers(), "ratio": weights}


def _save_list(*, randomisation_list, user, reason, strata_rows) -> RandomisationList:
    """Save the list, its strata and slots. ``strata_rows`` is [(StratumSpec, [slot dicts])]."""
    record_save(randomisation_list, user=user, reason=reason)
    arms = {arm.code: arm for arm in Arm.objects.all()}
    slots = []
    for spec, rows in strata_rows:
        stratum = record_save(
            Stratum(
                randomisation_list=randomisation_list,
                key=spec.key,
                label=spec.label,
                site=spec.site,
                levels=spec.levels,
                size=len(rows),
            ),
            user=user,
            reason=reason,
        )
        slots += [
            RandomisationSlot(
                stratum=stratum,
                sequence=sequence,
                number=row["number"],
                block=row["block"],
                block_size=row["block_size"],
                arm=arms[row["arm"]],
                treatment_code=row["treatment_code"],
            )
            for sequence, row in enumerate(rows, start=1)
        ]
    bulk_create_with_history(slots, RandomisationSlot, batch_size=1000, default_user=user, default_change_reason=reason)
    return randomisation_list


@transaction.atomic
def list_generate(*, user, slots_per_stratum: int, block_multiples: list[int], seed: int | None = None):
    """Generate the list in the app from a seed (drawn when not given, and stored either way)."""
    design = TrialDesign.current()
    weights = _check_can_make_list(design)
    if not block_multiples or any(m < 1 or m > 10 for m in block_multiples):
        raise refusal("block_multiples", "Block size multiples are whole numbers from 1 to 10.", "bad_multiples")
    specs = strata_to_add(design)
    if slots_per_stratum < 1 or slots_per_stratum * len(specs) > MAX_SLOTS:
        raise refusal(
            "slots_per_stratum",
            f"Between 1 and {MAX_SLOTS // len(specs)} slots per stratum ({len(specs)} strata).",
            "bad_slot_count",
        )
    seed = secrets.randbits(62) if seed is None else seed
    infused = set(Arm.objects.filter(treatment__in=INFUSED_TREATMENTS).values_list("code", flat=True))
    planned = [
        (
            spec,
            blocks.permuted_blocks(
                seed=seed, stratum_key=spec.key, weights=weights, multiples=block_multiples, min_slots=slots_per_stratum
            ),
        )
        for spec in specs
    ]
    taken = set(RandomisationSlot.objects.exclude(treatment_code="").values_list("treatment_code", flat=True))
    wanted = sum(1 for _, plan in planned for slot in plan if slot.arm in infused)
    codes = iter(blocks.treatment_codes(seed, wanted, taken))
    number = _last_number()
    strata_rows = []
    for spec, plan in planned:
        rows = []
        for slot in plan:
            number += 1
            rows.append(
                {
                    "number": f"R{number:0{NUMBER_WIDTH}d}",
                    "block": slot.block,
                    "block_size": slot.block_size,
                    "arm": slot.arm,
                    "treatment_code": next(codes) if slot.arm in infused else "",
                }
            )
        strata_rows.append((spec, rows))
    randomisation_list = RandomisationList(
        extends=_first_list(),
        source=ListSource.GENERATED,
        seed=seed,
        block_multiples=sorted(set(block_multiples)),
        slots_per_stratum=slots_per_stratum,
        algorithm=blocks.ALGORITHM,
        software_version=software_version(),
        design_snapshot=_snapshot(design, weights),
        created_by=user,
    )
    return _save_list(randomisation_list=randomisation_list, user=user, reason="Generated", strata_rows=strata_rows)


@transaction.atomic
def list_import(*, user, file_name: str, content: bytes):
    """Import the statistician's CSV, checked once, all or nothing.

    Columns: ``randomisation_number``, one per stratifier (``site`` holds the site code, a factor its level
    code, e.g. ``severity`` = ``severe``), ``block`` (the block's number within its stratum), ``arm`` (the arm
    code) and ``treatment_code`` (for arms that receive infusions). Rows of a stratum are allocated in file
    order. The file is refused, with every problem found, unless: each block is complete with the exact
    ratio, no number or treatment code repeats, every stratum of the design has rows and nothing names a
    stratum, site, level or arm the design does not have.
    """
    design = TrialDesign.current()
    weights = _check_can_make_list(design)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refusal("file", "The file is not UTF-8 text (save it as CSV UTF-8).", "not_utf8") from None
    reader = csv.DictReader(io.StringIO(text))
    stratifiers = design.stratifiers()
    required = ["randomisation_number", *stratifiers, "block", "arm", "treatment_code"]
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise refusal("file", f"Columns missing: {', '.join(missing)}. Expected: {', '.join(required)}.", "columns")
    specs = {spec.key: spec for spec in strata_to_add(design)}
    held = set(Stratum.objects.values_list("key", flat=True))
    infused = set(Arm.objects.filter(treatment__in=INFUSED_TREATMENTS).values_list("code", flat=True))
    taken_numbers = set(RandomisationSlot.objects.values_list("number", flat=True))
    taken_codes = set(RandomisationSlot.objects.exclude(treatment_code="").values_list("treatment_code", flat=True))
    problems: list[str] = []
    rows_by_stratum: dict[str, list[dict]] = {key: [] for key in specs}
    block_arms: dict[tuple[str, int], list[str]] = {}
    numbers: set[str] = set()
    codes: set[str] = set()
    for line, row in enumerate(reader, start=2):
        if line - 1 > MAX_SLOTS:
            raise refusal("file", f"More than {MAX_SLOTS} rows.", "too_many_rows")
        row = {k: (v or "").strip() for k, v in row.items() if k}
        where = f"Row {line}"
        key = _row_stratum_key(row, stratifiers)
        number, arm, code = row["randomisation_number"], row["arm"], row["treatment_code"]
        if key in held:
            problems.append(f"{where}: stratum {key!r} is in the list already; this file adds new sites' strata only.")
            continue
        if key not in specs:
            problems.append(f"{where}: no stratum {key!r} in this design (check the site and level codes).")
            continue
        if not number:
            problems.append(f"{where}: no randomisation number.")
        elif number in numbers or number in taken_numbers:
            problems.append(f"{where}: randomisation number {number} appears twice.")
        numbers.add(number)
        if arm not in weights:
            problems.append(f"{where}: no arm {arm!r} (arms: {', '.join(sorted(weights))}).")
            continue
        if arm in infused and not code:
            problems.append(f"{where}: a treatment code is needed for arm {arm}.")
        elif arm not in infused and code:
            problems.append(f"{where}: arm {arm} receives nothing, so no treatment code.")
        elif code and (code in codes or code in taken_codes):
            problems.append(f"{where}: treatment code {code} appears twice.")
        codes.add(code)
        try:
            block = int(row["block"])
        except ValueError:
            problems.append(f"{where}: block {row['block']!r} is not a whole number.")
            continue
        rows_by_stratum[key].append({"number": number, "block": block, "arm": arm, "treatment_code": code})
        block_arms.setdefault((specs[key].label, block), []).append(arm)
    problems += [f"Stratum {specs[key].label}: no rows." for key, rows in rows_by_stratum.items() if not rows]
    problems += blocks.block_problems(block_arms, weights)
    if problems:
        listed = problems[:MAX_LISTED_PROBLEMS]
        more = len(problems) - len(listed)
        raise ValidationError(
            {"file": [ValidationError(p, code="list_problem") for p in listed]}
            | ({NON_FIELD_ERRORS: [ValidationError(f"And {more} more problems.", code="list_problem")]} if more else {})
        )
    strata_rows = []
    for key, rows in rows_by_stratum.items():
        sizes = {}
        for row in rows:
            sizes[row["block"]] = sizes.get(row["block"], 0) + 1
        strata_rows.append((specs[key], [row | {"block_size": sizes[row["block"]]} for row in rows]))
    randomisation_list = RandomisationList(
        extends=_first_list(),
        source=ListSource.IMPORTED,
        software_version=software_version(),
        design_snapshot=_snapshot(design, weights),
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(content).hexdigest(),
        created_by=user,
    )
    return _save_list(randomisation_list=randomisation_list, user=user, reason="Imported", strata_rows=strata_rows)


def _row_stratum_key(row: dict, stratifiers: list[str]) -> str:
    levels = {f: row.get(f, "") for f in stratifiers if f != "site"}
    return stratum_key(row.get("site", "") if "site" in stratifiers else None, levels)


@transaction.atomic
def list_sign_off(*, randomisation_list: RandomisationList, user, password: str, request=None):
    """The statistician signs the list's report off, confirming with their password."""
    if randomisation_list.signed_off_by_id:
        raise refusal(NON_FIELD_ERRORS, "The list's report is signed off already.", "already_signed_off")
    if not reauthenticate(user, password, request=request, purpose="randomisation list sign-off"):
        raise refusal("password", "The password is not right.", "wrong_password")
    randomisation_list.signed_off_by = user
    randomisation_list.signed_off_datetime = timezone.now()
    return record_save(randomisation_list, user=user, reason="Report signed off")


def slot_allocate(*, participant, user, when) -> RandomisationSlot:
    """Take the next unused slot of the participant's stratum, inside the caller's (enrolment) transaction.

    The stratum's row is locked first (SELECT ... FOR UPDATE on PostgreSQL), so concurrent enrolments into
    one stratum queue on it and take consecutive slots; locking the slot row instead would let a waiting
    transaction find its slot taken and skip ahead. ``used`` counts the slots taken, so the next is
    ``used + 1``: in order, without gaps."""
    design = TrialDesign.current()
    if not RandomisationList.objects.exists():
        raise refusal(
            NON_FIELD_ERRORS,
            "The trial has no randomisation list yet: the unblinded statistician makes it before anyone is enrolled.",
            "no_list",
        )
    key = participant_stratum_key(design, participant)
    # The stratum in whichever list holds it: the first, or the extension that added a new site's strata.
    stratum = Stratum.objects.select_for_update().filter(key=key).select_related("randomisation_list").first()
    randomisation_list = stratum.randomisation_list if stratum is not None else None
    if randomisation_list is not None and randomisation_list.signed_off_by_id is None:
        # A list nobody has checked may be the wrong one (ratio, strata, a test list): it allocates nobody.
        raise refusal(
            NON_FIELD_ERRORS,
            "The randomisation list's report is not signed off yet: the unblinded statistician checks and signs "
            "it off before anyone is randomised.",
            "list_not_signed_off",
        )
    if stratum is None:
        raise refusal(
            NON_FIELD_ERRORS,
            f"The randomisation list has no stratum for this participant ({key}); the unblinded statistician "
            "extends the list for a new site.",
            "no_stratum",
        )
    if stratum.used >= stratum.size:
        raise refusal(
            NON_FIELD_ERRORS,
            f"The randomisation list is used up for {stratum.label} (all {stratum.size} slots). Nobody more can be "
            "enrolled in this stratum until the unblinded statistician extends the list.",
            "stratum_full",
        )
    slot = RandomisationSlot.objects.select_for_update().get(stratum=stratum, sequence=stratum.used + 1)
    if slot.participant_id is not None:
        # Cannot happen while the stratum's lock orders allocations; if it ever does, refuse rather than
        # give one slot twice.
        raise refusal(NON_FIELD_ERRORS, "The randomisation slot is taken; try again.", "slot_taken")
    slot.participant = participant
    slot.allocated_datetime = when
    slot.allocated_by = user
    record_save(slot, user=user, reason=f"Allocated to {participant.study_id}")
    stratum.used += 1
    record_save(stratum, user=user, reason=f"Slot {slot.sequence} allocated")
    return slot
