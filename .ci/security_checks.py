"""Security checks for CI: bandit on the code and pip-audit on the pinned requirements. A finding fails
unless .ci/security-ignore.txt lists it with a reason.

pip-audit asks the PyPI advisory service about each pinned version. Where the package index reachable from
the machine does not know a pinned version (a private mirror), that package cannot be audited: the check
says so, by name, instead of passing it silently; set CI_REQUIRE_AUDIT=1 to make that a failure.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
CODE = ["patients", "dosing", "outcomes", "ucmsc_crf", "bench"]


def accepted() -> set[tuple[str, str, str]]:
    found = set()
    for number, line in enumerate((ROOT / ".ci" / "security-ignore.txt").read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        entry, _, reason = line.partition(" -- ")
        parts = entry.split()
        if len(parts) != 3 or not reason.strip():
            sys.exit(f"security-ignore.txt line {number}: expected '<tool> <where> <id> -- <reason>'")
        found.add(tuple(parts))
    return found


def run_bandit(ignored) -> list[str]:
    result = subprocess.run(
        [VENV_BIN / "bandit", "-q", "-r", *CODE, "-x", "*/migrations/*", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout)
    problems = []
    for issue in report["results"]:
        where = os.path.relpath(issue["filename"], ROOT)
        if ("bandit", where, issue["test_id"]) not in ignored:
            problems.append(f"bandit {where}:{issue['line_number']} {issue['test_id']} {issue['issue_text']}")
    print(f"bandit: {len(report['results'])} findings, {len(problems)} not accepted")
    return problems


def run_pip_audit(ignored) -> list[str]:
    result = subprocess.run(
        [VENV_BIN / "pip-audit", "-r", "requirements.txt", "-f", "json", "--progress-spinner", "off"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return [f"pip-audit did not run: {result.stderr.strip()[-300:]}"]
    problems, unaudited = [], []
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            unaudited.append(f"{dependency['name']} {dependency.get('version', '')}".strip())
        for vulnerability in dependency.get("vulns", []):
            if ("pip-audit", dependency["name"], vulnerability["id"]) not in ignored:
                problems.append(f"pip-audit {dependency['name']} {dependency['version']}: {vulnerability['id']}")
    print(f"pip-audit: {len(report.get('dependencies', []))} packages, {len(problems)} findings not accepted")
    if unaudited:
        message = f"pip-audit could not audit {len(unaudited)} packages (unknown to the advisory service): "
        print("WARNING: " + message + ", ".join(unaudited))
        if os.environ.get("CI_REQUIRE_AUDIT") == "1":
            problems.append(message.rstrip(": "))
    return problems


def main():
    ignored = accepted()
    problems = run_bandit(ignored) + run_pip_audit(ignored)
    for problem in problems:
        print("FAIL", problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
