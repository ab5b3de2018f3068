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

# What tells a subject's arm: empty in a blinded dry run (the blinding policy decides).
ALLOCATION_VARIABLES = ("ARMCD", "ARM", "ACTARMCD", "ACTARM")
