"""Strata: which stratum a participant falls in, and every stratum a design has (each site, times each level
the design enrols of each stratification factor). A stratum's key is stable text, e.g.
``site=01|severity=severe``: it seeds the stratum's sequence and names the stratum in an imported file."""

import itertools
from dataclasses import dataclass, field

from patients.casebook.choices import FACTOR_LEVELS, StratificationFactor
from patients.casebook.design import TrialDesign
from patients.casebook.sites import Site

UNSTRATIFIED = "all"


@dataclass(frozen=True)
class StratumSpec:
    key: str
    label: str
    site: Site | None = None
    levels: dict = field(default_factory=dict, hash=False, compare=False)


def stratum_key(site_code: str | None, levels: dict[str, str]) -> str:
    parts = [f"site={site_code}"] if site_code is not None else []
    parts += [f"{factor}={levels[factor]}" for factor in StratificationFactor.values if factor in levels]
    return "|".join(parts) or UNSTRATIFIED


def design_strata(design: TrialDesign, sites) -> list[StratumSpec]:
    """Every stratum of the design, over ``sites`` (when stratified by site), in key order."""
    stratifiers = design.stratifiers()
    factors = [f for f in stratifiers if f != "site"]
    site_options = list(sites) if "site" in stratifiers else [None]
    # Only the levels the protocol enrols (issue 29, 2: sites x all four severities made strata that could
    # never be used, and slot counts that misled).
    level_options = [[level for level in FACTOR_LEVELS[f] if design.enrols_level(f, level.value)] for f in factors]
    specs = []
    for site in site_options:
        for combination in itertools.product(*level_options):
            levels = {f: level.value for f, level in zip(factors, combination, strict=True)}
            label_parts = ([f"Site {site.code} ({site.name})"] if site else []) + [c.label for c in combination]
            specs.append(
                StratumSpec(
                    key=stratum_key(site.code if site else None, levels),
                    label=" / ".join(label_parts) or "All participants",
                    site=site,
                    levels=levels,
                )
            )
    return sorted(specs, key=lambda s: s.key)


def participant_stratum_key(design: TrialDesign, participant) -> str:
    """The key of the stratum ``participant`` is allocated from, from their site and screening data."""
    stratifiers = design.stratifiers()
    levels = {f: getattr(participant, f) for f in stratifiers if f != "site"}
    return stratum_key(participant.site.code if "site" in stratifiers else None, levels)
