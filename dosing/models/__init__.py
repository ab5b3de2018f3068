"""Dosing: the regimen (data), each participant's planned schedule, infusion records and the protocol
deviations they carry."""

from dosing.models.deviations import ProtocolDeviation  # noqa: F401
from dosing.models.infusions import INFUSION_ENTRY_FIELDS, Infusion  # noqa: F401
from dosing.models.preparations import RELEASE_CHECKS, Preparation  # noqa: F401
from dosing.models.regimens import PERCENT, ArmRegimen, Regimen, regimen_for  # noqa: F401
from dosing.models.schedule import PlannedInfusion  # noqa: F401
