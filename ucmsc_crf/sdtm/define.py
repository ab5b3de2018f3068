"""Define-XML 2.1 of the package (``define.xml``): every dataset, its variables (SDTMIG's role, the type and
length of what was written, the label, the origin: collected on which form and field, derived by which
method, assigned by whom), the code lists the values come from (with their NCI codes), the MedDRA version, the
methods and comments. Validated against the Define-XML 2.1 schema in the tests (shipped inside odmlib).

There is no annotated CRF: each collected variable's origin names its form and field in words instead (the
app's printed blank forms are not annotated with SDTM names)."""

from django.utils import timezone
from lxml import etree

from ucmsc_crf.sdtm.terminology import codelist_for
from ucmsc_crf.sdtm.variables import METHODS, ORIGINS, Dataset, Variable

ODM = "http://www.cdisc.org/ns/odm/v1.3"
DEF = "http://www.cdisc.org/ns/def/v2.1"
XLINK = "http://www.w3.org/1999/xlink"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SDTMIG = "STD.SDTMIG.3.4"
CT = "STD.CT.SDTM"
CT_VERSION = "2025-09-26"  # the CDISC SDTM terminology package the code lists are checked against
CLASSES = {"Special-Purpose": "SPECIAL PURPOSE", "Events": "EVENTS", "Interventions": "INTERVENTIONS",
           "Findings": "FINDINGS", "Trial Design": "TRIAL DESIGN"}  # fmt: skip
# Date-times written to the minute, or a date where only the date is known: ISO 8601, truncated from the right.
DATE_ONLY = {"BRTHDTC", "DTHDTC", "RFENDTC", "RFPENDTC"}
DAY_COMMENT = "COM.STUDY_DAY"


def _o(name):
    return f"{{{ODM}}}{name}"


def _d(name):
    return f"{{{DEF}}}{name}"


def _text(parent, tag, text):
    element = etree.SubElement(parent, tag)
    etree.SubElement(element, _o("TranslatedText"), {XML_LANG: "en"}).text = text
    return element


def data_type(variable: Variable) -> str:
    if variable.type == "Num":
        return "integer"
    if variable.name.endswith("DTC"):
        return "date" if variable.name in DATE_ONLY else "partialDatetime"
    return "text"


def define_xml(datasets: tuple[Dataset, ...], lengths: dict, used: dict, *, design, blinded: bool) -> bytes:
    """``lengths``: per dataset, the written width of each text variable; ``used``: per dataset, the values
    each coded variable holds (a code list lists the values the data uses, nothing the package does not)."""
    now = timezone.now()
    studyid = design.code.upper()
    root = etree.Element(
        _o("ODM"),
        {
            "ODMVersion": "1.3.2",
            "FileType": "Snapshot",
            "FileOID": f"DEFINE.{studyid}.{now:%Y%m%dT%H%M%S}",
            "CreationDateTime": timezone.localtime(now).isoformat(timespec="seconds"),
            "Originator": "ucmsc-crf",
            "SourceSystem": "ucmsc-crf",
            _d("Context"): "Submission",
        },
        nsmap={None: ODM, "def": DEF, "xlink": XLINK},
    )
    study = etree.SubElement(root, _o("Study"), {"OID": f"ST.{studyid}"})
    variables = etree.SubElement(study, _o("GlobalVariables"))
    etree.SubElement(variables, _o("StudyName")).text = studyid
    etree.SubElement(variables, _o("StudyDescription")).text = design.title
    etree.SubElement(variables, _o("ProtocolName")).text = studyid
    mdv = etree.SubElement(
        study,
        _o("MetaDataVersion"),
        {
            "OID": f"MDV.{studyid}.SDTMIG.3.4",
            "Name": f"{studyid} SDTM tabulation data",
            "Description": "Blinded dry run: the arm variables are empty" if blinded else "Submission package",
            _d("DefineVersion"): "2.1.0",
        },
    )
    standards = etree.SubElement(mdv, _d("Standards"))
    etree.SubElement(standards, _d("Standard"), {"OID": SDTMIG, "Name": "SDTMIG", "Type": "IG", "Version": "3.4",
                                                  "Status": "Final"})  # fmt: skip
    etree.SubElement(standards, _d("Standard"), {"OID": CT, "Name": "CDISC/NCI", "Type": "CT",
                                                  "PublishingSet": "SDTM", "Version": CT_VERSION,
                                                  "Status": "Final"})  # fmt: skip
    used_codelists, used_methods = {}, set()
    value_items = _value_lists(mdv, datasets, used)
    listed = {f"VL.{where[0]}.{variable}" for _oid, variable, where in value_items}
    for dataset in datasets:
        _dataset(mdv, dataset)
    for dataset in datasets:
        for variable in dataset.variables:
            widths, values = lengths.get(dataset.name, {}), used.get(dataset.name, {}).get(variable.name, set())
            _item(mdv, dataset, variable, widths, values, used_codelists, used_methods, design.meddra_version, listed)
    for oid, variable, where in value_items:
        item = etree.SubElement(mdv, _o("ItemDef"), {"OID": oid, "Name": variable, "DataType": "text",
                                                      "Length": str(lengths.get(where[0], {}).get(variable, 1)),
                                                      "SASFieldName": variable})  # fmt: skip
        _text(item, _o("Description"), f"{variable} where {where[1]} = {where[2]}")
        etree.SubElement(item, _d("Origin"), {"Type": "Collected", "Source": "Investigator"})
    for key, (codelist, values) in sorted(used_codelists.items()):
        _codelist(mdv, key, codelist, values)
    if design.meddra_version and any(d.name == "AE" for d in datasets):
        _meddra(mdv, design.meddra_version)
    for key in sorted(used_methods):
        method = etree.SubElement(mdv, _o("MethodDef"), {"OID": f"MT.{key}", "Name": key, "Type": "Computation"})
        _text(method, _o("Description"), METHODS[key])
    comment = etree.SubElement(mdv, _d("CommentDef"), {"OID": DAY_COMMENT})
    _text(comment, _o("Description"), METHODS["DY"])
    for dataset in datasets:
        leaf = etree.SubElement(mdv, _d("leaf"), {"ID": f"LF.{dataset.name}", _xlink("href"): _file(dataset)})
        etree.SubElement(leaf, _d("title")).text = _file(dataset)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _value_lists(mdv, datasets, used: dict) -> list[tuple[str, str, tuple[str, str, str]]]:
    """Value-level metadata: for a variable whose meaning depends on its test code (VSORRES by VSTESTCD),
    a ValueListDef with one item per test the data holds, each selected by a WhereClauseDef. Returns the
    value-level ItemDefs to write (OID, variable, (dataset, test variable, test))."""
    items, clauses = [], []
    for dataset in datasets:
        for variable, key in dataset.value_lists:
            tests = sorted(used.get(dataset.name, {}).get(key, ()))
            if not tests:
                continue
            values = etree.SubElement(mdv, _d("ValueListDef"), {"OID": f"VL.{dataset.name}.{variable}"})
            for order, test in enumerate(tests, 1):
                oid = f"IT.{dataset.name}.{variable}.{test}"
                where = f"WC.{dataset.name}.{key}.{test}"
                ref = etree.SubElement(values, _o("ItemRef"), {"ItemOID": oid, "OrderNumber": str(order),
                                                               "Mandatory": "No"})  # fmt: skip
                etree.SubElement(ref, _d("WhereClauseRef"), {"WhereClauseOID": where})
                items.append((oid, variable, (dataset.name, key, test)))
                if where not in clauses:
                    clauses.append(where)
    for where in clauses:
        _, dataset, key, test = where.split(".", 3)
        clause = etree.SubElement(mdv, _d("WhereClauseDef"), {"OID": where})
        check = etree.SubElement(clause, _o("RangeCheck"), {"Comparator": "EQ", "SoftHard": "Soft",
                                                             _d("ItemOID"): f"IT.{dataset}.{key}"})  # fmt: skip
        etree.SubElement(check, _o("CheckValue")).text = test
    return items


def _xlink(name):
    return f"{{{XLINK}}}{name}"


def _file(dataset: Dataset) -> str:
    return f"{dataset.name.lower()}.xpt"


def _dataset(mdv, dataset: Dataset) -> None:
    group = etree.SubElement(
        mdv,
        _o("ItemGroupDef"),
        {
            "OID": f"IG.{dataset.name}",
            "Name": dataset.name,
            "Repeating": "No" if dataset.name == "DM" else "Yes",
            "IsReferenceData": "No",
            "SASDatasetName": dataset.name,
            "Domain": dataset.name,
            "Purpose": "Tabulation",
            _d("Structure"): dataset.structure,
            _d("StandardOID"): SDTMIG,
            _d("ArchiveLocationID"): f"LF.{dataset.name}",
        },
    )
    _text(group, _o("Description"), dataset.label)
    for order, variable in enumerate(dataset.variables, 1):
        attributes = {
            "ItemOID": f"IT.{dataset.name}.{variable.name}",
            "OrderNumber": str(order),
            "Mandatory": "Yes" if variable.core == "Req" else "No",
            "Role": variable.role.upper(),
        }
        if variable.name in dataset.keys:
            attributes["KeySequence"] = str(dataset.keys.index(variable.name) + 1)
        origin = ORIGINS.get((dataset.name, variable.name))
        if origin and origin.method:
            attributes["MethodOID"] = f"MT.{origin.method}"
        etree.SubElement(group, _o("ItemRef"), attributes)
    etree.SubElement(group, _d("Class"), {"Name": CLASSES[dataset.observation_class]})


def _item(mdv, dataset, variable: Variable, widths, values, codelists, methods, meddra: str, listed: set) -> None:
    kind = data_type(variable)
    attributes = {"OID": f"IT.{dataset.name}.{variable.name}", "Name": variable.name, "DataType": kind,
                  "SASFieldName": variable.name}  # fmt: skip
    if kind == "text":
        attributes["Length"] = str(widths.get(variable.name, 1))
    elif kind == "integer":
        attributes["Length"] = "8"
    if variable.name.endswith("DY"):
        attributes[_d("CommentOID")] = DAY_COMMENT
    item = etree.SubElement(mdv, _o("ItemDef"), attributes)
    _text(item, _o("Description"), variable.label)

    codelist = codelist_for(variable)
    if codelist is not None and values:
        key = variable.codelist or variable.name
        codelists.setdefault(key, (codelist, set()))[1].update(values & codelist.values)
        etree.SubElement(item, _o("CodeListRef"), {"CodeListOID": f"CL.{key}"})
    elif variable.name == "AEDECOD" and meddra:
        etree.SubElement(item, _o("CodeListRef"), {"CodeListOID": "CL.MEDDRA"})
    origin = ORIGINS.get((dataset.name, variable.name))
    if origin is not None:
        attributes = {"Type": origin.type, **({"Source": origin.source} if origin.source else {})}
        element = etree.SubElement(item, _d("Origin"), attributes)
        if origin.text:
            _text(element, _o("Description"), origin.text)
        if origin.method:
            methods.add(origin.method)
    if f"VL.{dataset.name}.{variable.name}" in listed:
        etree.SubElement(item, _d("ValueListRef"), {"ValueListOID": f"VL.{dataset.name}.{variable.name}"})


def _codelist(mdv, key: str, codelist, values: set) -> None:
    attributes = {"OID": f"CL.{key}", "Name": codelist.name, "DataType": "text"}
    if codelist.code:
        attributes[_d("StandardOID")] = CT
    element = etree.SubElement(mdv, _o("CodeList"), attributes)
    for value in sorted(values):
        item = etree.SubElement(element, _o("EnumeratedItem"), {"CodedValue": value})
        if codelist.terms[value]:
            etree.SubElement(item, _o("Alias"), {"Context": "nci:ExtCodeID", "Name": codelist.terms[value]})
    if codelist.code:
        etree.SubElement(element, _o("Alias"), {"Context": "nci:ExtCodeID", "Name": codelist.code})


def _meddra(mdv, version: str) -> None:
    element = etree.SubElement(mdv, _o("CodeList"), {"OID": "CL.MEDDRA", "Name": "MedDRA", "DataType": "text"})
    etree.SubElement(element, _o("ExternalCodeList"), {"Dictionary": "MEDDRA", "Version": version})
