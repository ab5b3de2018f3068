"""The OIDs of an ODM file, built from codes that never change (a form's registry key, a field's name, a
visit's code, a site's code, a username), never from database ids: the same thing has the same OID in every
export, so a sponsor's system can load increments onto an earlier file.

    ST.<design code>                    the study          LOC.<site code>         a site
    MDV.<design code>                   its metadata       USR.<username>          a user
    SE.<visit code> / SE.CASEBOOK       an event           SD.<meaning>            a signature's meaning
    F.<form key>, IG.<form key>         a form, its group  CL.<form key>.<field>   a field's code list
    IT.<form key>.<field>               an item            MU.<unit>               a unit
    MT.<name>                           how a derived item is computed
"""

import re

_NOT_OID = re.compile(r"[^A-Z0-9_.]+")


def part(text: str) -> str:
    """A code as an OID part: upper case, anything but letters, digits and dots as one underscore."""
    return _NOT_OID.sub("_", str(text).upper()).strip("_") or "_"


def oid(kind: str, *parts: str) -> str:
    return ".".join([kind, *(part(p) for p in parts)])


# Units have no code of their own: their symbol, spelled out where it is not a letter or digit.
_UNIT_WORDS = {"%": "PCT", "°": "DEG", "/": "PER", "^": "POW", "·": "X"}


def unit_oid(symbol: str) -> str:
    spelled = "".join(_UNIT_WORDS.get(c, c) for c in symbol)
    return oid("MU", spelled)
