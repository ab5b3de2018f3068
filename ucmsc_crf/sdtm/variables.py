"""The SDTM datasets the package holds and their variables, as SDTMIG v3.4 defines them: name, label, type,
role, core (Req / Exp / Perm) and the CDISC code list a variable draws its values from. Names and labels are
SDTMIG's own (from CDISC's published v3.4 metadata), never paraphrased; only the variables the app can fill
are listed, in SDTMIG's order."""

from dataclasses import dataclass

CHAR, NUM = "Char", "Num"


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    type: str  # Char or Num
    role: str
    core: str  # Req, Exp or Perm
    codelist: str = ""  # the CDISC code list's NCI code; "" for none (or a sponsor-defined list)


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    observation_class: str
    structure: str
    keys: tuple[str, ...]
    variables: tuple[Variable, ...]
    # (variable, the test code variable its meaning depends on): Define-XML's value-level metadata.
    value_lists: tuple[tuple[str, str], ...] = ()

    def variable(self, name: str) -> Variable:
        return next(v for v in self.variables if v.name == name)


V = Variable

DM = Dataset(
    "DM",
    "Demographics",
    "Special-Purpose",
    "One record per subject",
    ("STUDYID", "USUBJID"),
    (
        V("STUDYID", "Study Identifier", CHAR, "Identifier", "Req"),
        V("DOMAIN", "Domain Abbreviation", CHAR, "Identifier", "Req"),
        V("USUBJID", "Unique Subject Identifier", CHAR, "Identifier", "Req"),
        V("SUBJID", "Subject Identifier for the Study", CHAR, "Topic", "Req"),
        V("RFSTDTC", "Subject Reference Start Date/Time", CHAR, "Record Qualifier", "Exp"),
        V("RFENDTC", "Subject Reference End Date/Time", CHAR, "Record Qualifier", "Exp"),
        V("RFXSTDTC", "Date/Time of First Study Treatment", CHAR, "Record Qualifier", "Exp"),
        V("RFXENDTC", "Date/Time of Last Study Treatment", CHAR, "Record Qualifier", "Exp"),
        V("RFICDTC", "Date/Time of Informed Consent", CHAR, "Record Qualifier", "Exp"),
        V("RFPENDTC", "Date/Time of End of Participation", CHAR, "Record Qualifier", "Exp"),
        V("DTHDTC", "Date/Time of Death", CHAR, "Record Qualifier", "Exp"),
        V("DTHFL", "Subject Death Flag", CHAR, "Record Qualifier", "Exp", "C66742"),
        V("SITEID", "Study Site Identifier", CHAR, "Record Qualifier", "Req"),
        V("BRTHDTC", "Date/Time of Birth", CHAR, "Record Qualifier", "Perm"),
        V("AGE", "Age", NUM, "Record Qualifier", "Exp"),
        V("AGEU", "Age Units", CHAR, "Variable Qualifier", "Exp", "C66781"),
        V("SEX", "Sex", CHAR, "Record Qualifier", "Req", "C66731"),
        V("ARMCD", "Planned Arm Code", CHAR, "Record Qualifier", "Exp"),
        V("ARM", "Description of Planned Arm", CHAR, "Synonym Qualifier", "Exp"),
        V("ACTARMCD", "Actual Arm Code", CHAR, "Record Qualifier", "Exp"),
        V("ACTARM", "Description of Actual Arm", CHAR, "Synonym Qualifier", "Exp"),
        V("COUNTRY", "Country", CHAR, "Record Qualifier", "Req"),
    ),
)

AE = Dataset(
    "AE",
    "Adverse Events",
    "Events",
    "One record per adverse event per subject",
    ("STUDYID", "USUBJID", "AEDECOD", "AESTDTC"),
    (
        V("STUDYID", "Study Identifier", CHAR, "Identifier", "Req"),
        V("DOMAIN", "Domain Abbreviation", CHAR, "Identifier", "Req"),
        V("USUBJID", "Unique Subject Identifier", CHAR, "Identifier", "Req"),
        V("AESEQ", "Sequence Number", NUM, "Identifier", "Req"),
        V("AESPID", "Sponsor-Defined Identifier", CHAR, "Identifier", "Perm"),
        V("AETERM", "Reported Term for the Adverse Event", CHAR, "Topic", "Req"),
        V("AEDECOD", "Dictionary-Derived Term", CHAR, "Synonym Qualifier", "Req"),
        V("AEPTCD", "Preferred Term Code", NUM, "Variable Qualifier", "Exp"),
        V("AESER", "Serious Event", CHAR, "Record Qualifier", "Exp", "C66742"),
        V("AEACN", "Action Taken with Study Treatment", CHAR, "Record Qualifier", "Exp", "C66767"),
        V("AEREL", "Causality", CHAR, "Record Qualifier", "Exp"),
        V("AEOUT", "Outcome of Adverse Event", CHAR, "Record Qualifier", "Perm", "C66768"),
        V("AESCONG", "Congenital Anomaly or Birth Defect", CHAR, "Record Qualifier", "Perm", "C66742"),
        V("AESDISAB", "Persist or Signif Disability/Incapacity", CHAR, "Record Qualifier", "Perm", "C66742"),
        V("AESDTH", "Results in Death", CHAR, "Record Qualifier", "Perm", "C66742"),
        V("AESHOSP", "Requires or Prolongs Hospitalization", CHAR, "Record Qualifier", "Perm", "C66742"),
        V("AESLIFE", "Is Life Threatening", CHAR, "Record Qualifier", "Perm", "C66742"),
        V("AESMIE", "Other Medically Important Serious Event", CHAR, "Record Qualifier", "Perm", "C66742"),
        V("AETOXGR", "Standard Toxicity Grade", CHAR, "Record Qualifier", "Perm"),
        V("AESTDTC", "Start Date/Time of Adverse Event", CHAR, "Timing", "Exp"),
        V("AEENDTC", "End Date/Time of Adverse Event", CHAR, "Timing", "Exp"),
        V("AESTDY", "Study Day of Start of Adverse Event", NUM, "Timing", "Perm"),
        V("AEENDY", "Study Day of End of Adverse Event", NUM, "Timing", "Perm"),
    ),
)

EX = Dataset(
    "EX",
    "Exposure",
    "Interventions",
    "One record per constant dosing interval per subject",
    ("STUDYID", "USUBJID", "EXTRT", "EXSTDTC"),
    (
        V("STUDYID", "Study Identifier", CHAR, "Identifier", "Req"),
        V("DOMAIN", "Domain Abbreviation", CHAR, "Identifier", "Req"),
        V("USUBJID", "Unique Subject Identifier", CHAR, "Identifier", "Req"),
        V("EXSEQ", "Sequence Number", NUM, "Identifier", "Req"),
        V("EXSPID", "Sponsor-Defined Identifier", CHAR, "Identifier", "Perm"),
        V("EXTRT", "Name of Treatment", CHAR, "Topic", "Req"),
        V("EXDOSE", "Dose", NUM, "Record Qualifier", "Exp"),
        V("EXDOSU", "Dose Units", CHAR, "Variable Qualifier", "Exp", "C71620"),
        V("EXDOSFRM", "Dose Form", CHAR, "Variable Qualifier", "Exp", "C66726"),
        V("EXROUTE", "Route of Administration", CHAR, "Variable Qualifier", "Perm", "C66729"),
        V("EXLOT", "Lot Number", CHAR, "Record Qualifier", "Perm"),
        V("EXSTDTC", "Start Date/Time of Treatment", CHAR, "Timing", "Exp"),
        V("EXENDTC", "End Date/Time of Treatment", CHAR, "Timing", "Exp"),
        V("EXSTDY", "Study Day of Start of Treatment", NUM, "Timing", "Perm"),
        V("EXENDY", "Study Day of End of Treatment", NUM, "Timing", "Perm"),
    ),
)

VS = Dataset(
    "VS",
    "Vital Signs",
    "Findings",
    "One record per vital sign measurement per time point per visit per subject",
    ("STUDYID", "USUBJID", "VSTESTCD", "VSDTC", "VSTPTNUM"),
    (
        V("STUDYID", "Study Identifier", CHAR, "Identifier", "Req"),
        V("DOMAIN", "Domain Abbreviation", CHAR, "Identifier", "Req"),
        V("USUBJID", "Unique Subject Identifier", CHAR, "Identifier", "Req"),
        V("VSSEQ", "Sequence Number", NUM, "Identifier", "Req"),
        V("VSTESTCD", "Vital Signs Test Short Name", CHAR, "Topic", "Req", "C66741"),
        V("VSTEST", "Vital Signs Test Name", CHAR, "Synonym Qualifier", "Req", "C67153"),
        V("VSCAT", "Category for Vital Signs", CHAR, "Grouping Qualifier", "Perm"),
        V("VSORRES", "Result or Finding in Original Units", CHAR, "Result Qualifier", "Exp"),
        V("VSORRESU", "Original Units", CHAR, "Variable Qualifier", "Exp", "C66770"),
        V("VSSTRESC", "Character Result/Finding in Std Format", CHAR, "Result Qualifier", "Exp"),
        V("VSSTRESN", "Numeric Result/Finding in Standard Units", NUM, "Result Qualifier", "Exp"),
        V("VSSTRESU", "Standard Units", CHAR, "Variable Qualifier", "Exp", "C66770"),
        V("VSLOBXFL", "Last Observation Before Exposure Flag", CHAR, "Record Qualifier", "Exp", "C66742"),
        V("VISITNUM", "Visit Number", NUM, "Timing", "Exp"),
        V("VSDTC", "Date/Time of Measurements", CHAR, "Timing", "Exp"),
        V("VSTPT", "Planned Time Point Name", CHAR, "Timing", "Perm"),
        V("VSTPTREF", "Time Point Reference", CHAR, "Timing", "Perm"),
        V("VSDY", "Study Day of Vital Signs", NUM, "Timing", "Perm"),
        V("VSTPTNUM", "Planned Time Point Number", NUM, "Timing", "Perm"),
    ),
    value_lists=(("VSORRES", "VSTESTCD"), ("VSORRESU", "VSTESTCD")),
)

# What tells a subject's arm: empty in a blinded dry run (the blinding policy decides).
ALLOCATION_VARIABLES = ("ARMCD", "ARM", "ACTARMCD", "ACTARM")
# In EX, what tells it: the treatment's name, and what a kit held (the cells and their lot; a placebo kit
# holds none). Masked in a blinded dry run.
EXPOSURE_ALLOCATION_VARIABLES = ("EXDOSE", "EXDOSU", "EXLOT")


@dataclass(frozen=True)
class Origin:
    """Where a variable's values come from, as Define-XML 2.1 says it (def:Origin): Collected on a form (the
    form and field named), Derived by a method, Assigned by the sponsor or the app."""

    type: str  # Collected, Derived, Assigned, Protocol
    source: str = ""  # Investigator, Subject, Sponsor, Vendor (for Collected and Assigned)
    text: str = ""  # the form and field it was collected on, or what assigned it
    method: str = ""  # the MethodDef of a Derived variable


COLLECTED, DERIVED, ASSIGNED = "Collected", "Derived", "Assigned"

# What each method computes (Define-XML MethodDef), by its key.
METHODS = {
    "USUBJID": "STUDYID, a hyphen, then the subject's study ID (which begins with the site's code).",
    "SEQ": "1, 2, ... per subject, in the order of the records' start (onset) date-times.",
    "DY": "SDTM study day: the date minus the date of DM.RFSTDTC, plus 1 on or after it (there is no day 0). "
    "The app's own study day counts the first infusion's day as day 0 and is not this one.",
    "RFSTDTC": "The start of the first infusion given; for a subject never infused (a control), the date of "
    "study day 0 (enrolment).",
    "RFXSTDTC": "The start of the first infusion given (none: null).",
    "RFXENDTC": "The end of the last infusion given (none: null).",
    "RFICDTC": "The earliest informed consent recorded for the subject.",
    "RFENDTC": "The latest of the end-of-study date (discharge, death, transfer, completion) and withdrawal date.",
    "AGE": "Whole years from the date of birth to study day 0 (enrolment).",
    "DTHFL": "Y when an end-of-study record gives death as the reason; null otherwise.",
    "LOBXFL": "Y on the subject's last non-missing result of each test before the first infusion (a result "
    "dated the day of the first infusion without a time is not known to be before it; the vital signs taken "
    "before the first infusion are); null for a subject never infused.",
    "VSSTRES": "The result as collected: the app records vital signs in their standard units.",
}

ORIGINS = {
    ("DM", "STUDYID"): Origin(ASSIGNED, "Sponsor", "The trial design's code"),
    ("DM", "DOMAIN"): Origin(ASSIGNED, "Sponsor"),
    ("DM", "USUBJID"): Origin(DERIVED, method="USUBJID"),
    ("DM", "SUBJID"): Origin(ASSIGNED, "Sponsor", "Study ID, issued by the app at screening"),
    ("DM", "RFSTDTC"): Origin(DERIVED, method="RFSTDTC"),
    ("DM", "RFENDTC"): Origin(DERIVED, method="RFENDTC"),
    ("DM", "RFXSTDTC"): Origin(DERIVED, method="RFXSTDTC"),
    ("DM", "RFXENDTC"): Origin(DERIVED, method="RFXENDTC"),
    ("DM", "RFICDTC"): Origin(DERIVED, method="RFICDTC"),
    ("DM", "RFPENDTC"): Origin(DERIVED, method="RFENDTC"),
    ("DM", "DTHDTC"): Origin(COLLECTED, "Investigator", "End of study form: date of death"),
    ("DM", "DTHFL"): Origin(DERIVED, method="DTHFL"),
    ("DM", "SITEID"): Origin(ASSIGNED, "Sponsor", "The site's code"),
    ("DM", "BRTHDTC"): Origin(COLLECTED, "Investigator", "Screening form: date of birth"),
    ("DM", "AGE"): Origin(DERIVED, method="AGE"),
    ("DM", "AGEU"): Origin(ASSIGNED, "Sponsor"),
    ("DM", "SEX"): Origin(COLLECTED, "Investigator", "Screening form: sex"),
    ("DM", "ARMCD"): Origin(ASSIGNED, "Sponsor", "Allocation (randomisation list or, open label, the investigator)"),
    ("DM", "ARM"): Origin(ASSIGNED, "Sponsor", "Allocation (randomisation list or, open label, the investigator)"),
    ("DM", "ACTARMCD"): Origin(ASSIGNED, "Sponsor", "The arm allocated (treated as allocated)"),
    ("DM", "ACTARM"): Origin(ASSIGNED, "Sponsor", "The arm allocated (treated as allocated)"),
    ("DM", "COUNTRY"): Origin(ASSIGNED, "Sponsor", "The site's country"),
    ("EX", "STUDYID"): Origin(ASSIGNED, "Sponsor", "The trial design's code"),
    ("EX", "DOMAIN"): Origin(ASSIGNED, "Sponsor"),
    ("EX", "USUBJID"): Origin(DERIVED, method="USUBJID"),
    ("EX", "EXSEQ"): Origin(DERIVED, method="SEQ"),
    ("EX", "EXSPID"): Origin(ASSIGNED, "Sponsor", "The infusion's number in the regimen (1, 2, 3)"),
    ("EX", "EXTRT"): Origin(ASSIGNED, "Sponsor", "What the subject's arm receives: the product or placebo"),
    ("EX", "EXDOSE"): Origin(COLLECTED, "Investigator", "Infusion form: cells administered (x 10^6)"),
    ("EX", "EXDOSU"): Origin(ASSIGNED, "Sponsor"),
    ("EX", "EXDOSFRM"): Origin(ASSIGNED, "Sponsor"),
    ("EX", "EXROUTE"): Origin(COLLECTED, "Investigator", "Infusion form: route"),
    ("EX", "EXLOT"): Origin(COLLECTED, "Investigator", "Infusion form: product lot / batch number"),
    ("EX", "EXSTDTC"): Origin(COLLECTED, "Investigator", "Infusion form: start"),
    ("EX", "EXENDTC"): Origin(COLLECTED, "Investigator", "Infusion form: end"),
    ("EX", "EXSTDY"): Origin(DERIVED, method="DY"),
    ("EX", "EXENDY"): Origin(DERIVED, method="DY"),
    ("VS", "STUDYID"): Origin(ASSIGNED, "Sponsor", "The trial design's code"),
    ("VS", "DOMAIN"): Origin(ASSIGNED, "Sponsor"),
    ("VS", "USUBJID"): Origin(DERIVED, method="USUBJID"),
    ("VS", "VSSEQ"): Origin(DERIVED, method="SEQ"),
    ("VS", "VSTESTCD"): Origin(ASSIGNED, "Sponsor", "The field measured"),
    ("VS", "VSTEST"): Origin(ASSIGNED, "Sponsor", "The field measured"),
    ("VS", "VSCAT"): Origin(ASSIGNED, "Sponsor", "The form: daily observation, infusion, or screening"),
    ("VS", "VSORRES"): Origin(
        COLLECTED, "Investigator", "Daily observation form, infusion form (before and after), screening form"
    ),
    ("VS", "VSORRESU"): Origin(ASSIGNED, "Sponsor", "The unit the form asks in"),
    ("VS", "VSSTRESC"): Origin(DERIVED, method="VSSTRES"),
    ("VS", "VSSTRESN"): Origin(DERIVED, method="VSSTRES"),
    ("VS", "VSSTRESU"): Origin(ASSIGNED, "Sponsor", "The unit the form asks in"),
    ("VS", "VSLOBXFL"): Origin(DERIVED, method="LOBXFL"),
    ("VS", "VISITNUM"): Origin(ASSIGNED, "Sponsor", "Null: vital signs are recorded daily, not at a visit"),
    ("VS", "VSDTC"): Origin(COLLECTED, "Investigator", "The observation's date; the infusion's start or end"),
    ("VS", "VSTPT"): Origin(ASSIGNED, "Sponsor", "Infusion form: before or after the infusion"),
    ("VS", "VSTPTREF"): Origin(ASSIGNED, "Sponsor", "The infusion measured around"),
    ("VS", "VSDY"): Origin(DERIVED, method="DY"),
    ("VS", "VSTPTNUM"): Origin(ASSIGNED, "Sponsor", "1 before the infusion, 2 after"),
    ("AE", "STUDYID"): Origin(ASSIGNED, "Sponsor", "The trial design's code"),
    ("AE", "DOMAIN"): Origin(ASSIGNED, "Sponsor"),
    ("AE", "USUBJID"): Origin(DERIVED, method="USUBJID"),
    ("AE", "AESEQ"): Origin(DERIVED, method="SEQ"),
    ("AE", "AESPID"): Origin(ASSIGNED, "Sponsor", "The adverse event's record number in the app"),
    ("AE", "AETERM"): Origin(COLLECTED, "Investigator", "Adverse event form: adverse event (verbatim)"),
    ("AE", "AEDECOD"): Origin(ASSIGNED, "Sponsor", "MedDRA coding: preferred term"),
    ("AE", "AEPTCD"): Origin(ASSIGNED, "Sponsor", "MedDRA coding: preferred term code"),
    ("AE", "AESER"): Origin(COLLECTED, "Investigator", "Adverse event form: serious"),
    ("AE", "AEACN"): Origin(COLLECTED, "Investigator", "Adverse event form: action taken with the product"),
    ("AE", "AEREL"): Origin(COLLECTED, "Investigator", "Adverse event form: relation to the study product"),
    ("AE", "AEOUT"): Origin(COLLECTED, "Investigator", "Adverse event form: outcome"),
    ("AE", "AESCONG"): Origin(COLLECTED, "Investigator", "Adverse event form: congenital anomaly"),
    ("AE", "AESDISAB"): Origin(COLLECTED, "Investigator", "Adverse event form: persistent or significant disability"),
    ("AE", "AESDTH"): Origin(COLLECTED, "Investigator", "Adverse event form: results in death"),
    ("AE", "AESHOSP"): Origin(COLLECTED, "Investigator", "Adverse event form: requires or prolongs hospitalisation"),
    ("AE", "AESLIFE"): Origin(COLLECTED, "Investigator", "Adverse event form: life-threatening"),
    ("AE", "AESMIE"): Origin(COLLECTED, "Investigator", "Adverse event form: important medical event"),
    ("AE", "AETOXGR"): Origin(COLLECTED, "Investigator", "Adverse event form: CTCAE grade"),
    ("AE", "AESTDTC"): Origin(COLLECTED, "Investigator", "Adverse event form: onset"),
    ("AE", "AEENDTC"): Origin(COLLECTED, "Investigator", "Adverse event form: resolution"),
    ("AE", "AESTDY"): Origin(DERIVED, method="DY"),
    ("AE", "AEENDY"): Origin(DERIVED, method="DY"),
}
