"""The load test's verdict (bench/load.py): what the database, the answers and the logs must show after the
run, and the latency table."""

import statistics
from collections import Counter, defaultdict
from pathlib import Path

from load_clients import Ledger
from load_world import Fixture


def check(fixture: Fixture, samples: list, ledger: Ledger, logs: Path) -> list[tuple[str, bool, str]]:
    from dosing.models import Infusion
    from outcomes.models import DailyObservation
    from patients.access_log import AccessEvent

    participant_pks = [pk for _, pk, _, _ in fixture.clinicians] + [fixture.shared[0]]
    rows = Counter(
        (pk, day.isoformat())
        for pk, day in DailyObservation.objects.filter(participant_id__in=participant_pks).values_list(
            "participant_id", "observation_date"
        )
    )
    baseline = {(fixture.shared[0], fixture.shared[2].isoformat())}
    accepted = Counter(ledger.created)
    history = DailyObservation.history.filter(participant_id__in=participant_pks)
    shared = DailyObservation.objects.get(pk=fixture.shared[3])
    bad = [s for s in samples if s.status >= 500 or s.status == 0]
    tracebacks = sum(path.read_text().count("Traceback") for path in logs.glob("gunicorn-*.log"))
    logins = AccessEvent.objects.filter(kind="login").count()
    clients = len(fixture.clinicians) + len(fixture.editors) + len(fixture.infusion_editors)
    infusions = Infusion.objects.filter(participant_id=fixture.infusion[0])
    voided, active = infusions.filter(voided=True).count(), infusions.filter(voided=False).count()
    return [
        ("no 5xx and no failed connection", not bad, f"{len(bad)} of {len(samples)} requests"),
        (
            "every accepted observation in the database exactly once",
            all(rows[key] == 1 for key in accepted) and max(accepted.values(), default=1) == 1,
            f"{len(accepted)} accepted, {sum(1 for key in accepted if rows[key] == 1)} found once",
        ),
        (
            "nothing in the database that was not accepted",
            set(rows) == set(accepted) | baseline,
            f"{sum(rows.values())} rows = {len(accepted)} accepted + {len(baseline)} set up",
        ),
        (
            "no refused value stored",
            not DailyObservation.objects.filter(participant_id__in=participant_pks, diastolic_bp=120).exists(),
            "no row with the deliberately wrong blood pressure",
        ),
        (
            "every refusal carried its code (validation or conflict)",
            not ledger.unexplained,
            f"{sum(ledger.refused.values())} refused: "
            + ", ".join(f"{why} {n}" for why, n in sorted(ledger.refused.items()))
            + (f"; unexplained: {ledger.unexplained[:5]}" if ledger.unexplained else ""),
        ),
        (
            "audit rows equal accepted writes",
            history.filter(history_type="+").count() == len(accepted) + len(baseline)
            and history.filter(history_type="~").count() == ledger.edits,
            f"{history.filter(history_type='+').count()} created rows, {history.filter(history_type='~').count()} "
            f"changed rows; {len(accepted) + len(baseline)} creates and {ledger.edits} edits accepted",
        ),
        (
            "every audit row names its user",
            not history.filter(history_user=None).exists(),
            f"{history.count()} history rows",
        ),
        (
            "the shared record's version is 1 + accepted edits",
            shared.version == 1 + ledger.edits,
            f"version {shared.version}, {ledger.edits} edits accepted",
        ),
        (
            "voids racing edits of one infusion: each accepted void and re-entry in the database, one active",
            voided == ledger.voids and active == 1 + ledger.reentries - ledger.voids and active in (0, 1),
            f"{ledger.voids} voids, {ledger.reentries} re-entries, {ledger.infusion_edits} edits accepted; "
            f"{voided} voided and {active} active infusion rows",
        ),
        ("every client's login logged", logins == clients, f"{logins} login events for {clients} clients"),
        ("no traceback in the servers' logs", tracebacks == 0, f"{tracebacks} tracebacks"),
    ]


def report(samples: list, seconds: float, checks, args) -> bool:
    by_kind = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample.seconds * 1000)
    print(
        f"\n{args.servers} gunicorn servers x {args.workers} workers x {args.threads} threads, one PostgreSQL; "
        f"{args.clinicians} clinicians + {args.editors} editors + 2 anchor clients, {seconds:.0f} s\n"
    )
    print(f"{'request':34} {'count':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, times in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        cuts = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
        print(f"{kind:34} {len(times):7d} {len(times) / seconds:8.1f} {cuts[9]:8.1f} {cuts[18]:8.1f}")
    print(f"{'all':34} {len(samples):7d} {len(samples) / seconds:8.1f}")
    saves, anchor_times = by_kind.get("observation save", []), by_kind.get("trivial view (login page)", [])
    if saves and anchor_times:
        print(
            f"\nobservation save / trivial view: p50 x{statistics.median(saves) / statistics.median(anchor_times):.1f}"
        )
    print()
    for name, passed, detail in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {detail}")
    passed = all(passed for _, passed, _ in checks)
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'}")
    return passed
