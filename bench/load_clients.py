"""The load test's clients (bench/load.py): a cookie-keeping HTTP client per user, what each kind of user
does, and the ledger of what was accepted and refused (a refusal is recognised by its code)."""

import datetime
import http.cookiejar
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field

from load_world import Fixture

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="loaded_version" value="(\d+)"')

# What a refused save must be refused for: the codes of the model's errors, which the ward's form page
# carries (data-error-codes; patients.forms.ClinicalFormMixin.error_codes), never their wording.
ERROR_CODES = re.compile(r'data-error-codes="([^"]*)"')
INVALID_BP = "diastolic_not_below"
ALREADY = "duplicate"
CONFLICT = "record_changed"


def refused_for(text: str, code: str) -> bool:
    """Whether the page is the form again, refused with an error of ``code``."""
    found = ERROR_CODES.search(text)
    return found is not None and code in found.group(1).split()


@dataclass
class Sample:
    kind: str
    status: int  # 0: no answer (connection refused, reset or timed out)
    seconds: float


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 after a save is the answer being measured, not a page to fetch


class Browser:
    """One user's browser: its own cookies, each request to the next server in turn."""

    def __init__(self, ports, samples: list, start: int):
        self.ports, self.samples, self.turn = ports, samples, start
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )

    def request(self, kind: str, path: str, data: dict | None = None) -> tuple[int, str]:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        began = time.perf_counter()
        try:
            with self.opener.open(f"http://127.0.0.1:{port}{path}", data=body, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            status, text = error.code, error.read().decode(errors="replace")
        except OSError:
            status, text = 0, ""
        self.samples.append(Sample(kind, status, time.perf_counter() - began))
        return status, text

    def form(self, kind: str, path: str) -> tuple[str, str]:
        status, text = self.request(kind, path)
        token = CSRF.search(text)
        if status != 200 or token is None:
            raise ClientFailed(f"{path}: {status}")
        return token.group(1), text

    def log_in(self, username: str, password: str) -> None:
        token, _ = self.form("login page", "/accounts/login/")
        status, _ = self.request(
            "log in", "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        if status != 302:
            raise ClientFailed(f"{username} could not log in: {status}")


class ClientFailed(Exception):
    pass


@dataclass
class Ledger:
    """What the clients were told, to check against the database afterwards."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    created: list = field(default_factory=list)  # (participant pk, date) of every save answered 302
    edits: int = 0
    refused: Counter = field(default_factory=Counter)  # why
    unexplained: list = field(default_factory=list)  # a refusal without an expected message, or worse
    shared_next_day: int = 1
    voids: int = 0  # infusion 1 voided
    reentries: int = 0  # ... and recorded again
    infusion_edits: int = 0


def observation_post(day0: datetime.date, day: int, *, invalid=False, **extra) -> dict:
    from tests.factories import observation_values

    values = observation_values(None, on=day0 + datetime.timedelta(days=day))
    values.update(heart_rate=random.randint(60, 110), **extra)
    if invalid:
        values.update(systolic_bp=95, diastolic_bp=120)
    return {name: "" if value is None else str(value) for name, value in values.items()}


def clinician(browser: Browser, password, username, study_id, day0, participant_pk, ledger: Ledger, stop):
    browser.log_in(username, password)
    path = f"/participants/{study_id}/observations/new/"
    day, saves = 1, 0
    while not stop.is_set():
        token, _ = browser.form("observation form", path)
        saves += 1
        invalid = saves % 10 == 0
        data = {**observation_post(day0, day, invalid=invalid), "csrfmiddlewaretoken": token}
        status, text = browser.request("observation save", path, data)
        with ledger.lock:
            if status == 302 and not invalid:
                ledger.created.append((participant_pk, data["observation_date"]))
                day += 1
            elif status == 200 and invalid and refused_for(text, INVALID_BP):
                ledger.refused["invalid value"] += 1
            else:
                ledger.unexplained.append((username, "save", data["observation_date"], status))


def editor(browser: Browser, password, username, study_id, day0, participant_pk, observation_pk, ledger, stop):
    browser.log_in(username, password)
    edit_path = f"/participants/{study_id}/observations/{observation_pk}/edit/"
    new_path = f"/participants/{study_id}/observations/new/"
    turn = 0
    while not stop.is_set():
        turn += 1
        if turn % 2:
            token, text = browser.form("observation edit form", edit_path)
            version = VERSION.search(text).group(1)
            data = {
                **observation_post(day0, 0),
                "loaded_version": version,
                "change_reason": f"Load test: {username} corrects the heart rate",
                "csrfmiddlewaretoken": token,
            }
            status, text = browser.request("observation edit save", edit_path, data)
            with ledger.lock:
                if status == 302:
                    ledger.edits += 1
                elif status == 200 and refused_for(text, CONFLICT):
                    ledger.refused["edit conflict"] += 1
                else:
                    ledger.unexplained.append((username, "edit", version, status))
        else:
            token, _ = browser.form("observation form", new_path)
            with ledger.lock:
                day = ledger.shared_next_day  # both editors aim at the first day nobody has recorded
            data = {**observation_post(day0, day), "csrfmiddlewaretoken": token}
            status, text = browser.request("observation save", new_path, data)
            with ledger.lock:
                if status == 302:
                    ledger.created.append((participant_pk, data["observation_date"]))
                    ledger.shared_next_day = max(ledger.shared_next_day, day + 1)
                elif status == 200 and refused_for(text, ALREADY):
                    ledger.refused["same day already recorded"] += 1
                    ledger.shared_next_day = max(ledger.shared_next_day, day + 1)
                else:
                    ledger.unexplained.append((username, "save", data["observation_date"], status))


INFUSION_EDIT = re.compile(r"/infusions/(\d+)/edit/")
# An edit that lost the race against a void: the version moved (record_changed) or the record is gone (404).
RACE_LOST = ("record_changed", "already_voided")


def current_infusion(browser: Browser, study_id: str) -> str | None:
    _, text = browser.request("participant page", f"/participants/{study_id}/")
    found = INFUSION_EDIT.search(text)
    return found.group(1) if found else None


def infusion_voider(browser: Browser, password, username, study_id, post: dict, ledger: Ledger, stop):
    """Voids infusion 1 (entered in error) and records it again, over and over, while others edit it."""
    browser.log_in(username, password)
    while not stop.is_set():
        pk = current_infusion(browser, study_id)
        if pk is None:
            token, _ = browser.form("infusion form", f"/participants/{study_id}/infusions/new/")
            status, text = browser.request(
                "infusion save", f"/participants/{study_id}/infusions/new/", {**post, "csrfmiddlewaretoken": token}
            )
            with ledger.lock:
                if status == 302:
                    ledger.reentries += 1
                else:
                    ledger.unexplained.append((username, "infusion again", status))
            continue
        path = f"/participants/{study_id}/infusions/{pk}/void/"
        token, _ = browser.form("infusion void form", path)
        data = {"reason": f"Load test: {username} voids it", "csrfmiddlewaretoken": token}
        status, text = browser.request("infusion void", path, data)
        with ledger.lock:
            if status == 302:
                ledger.voids += 1
            else:
                ledger.unexplained.append((username, "void", pk, status))


def infusion_editor(browser: Browser, password, username, study_id, ledger: Ledger, stop):
    """Corrects infusion 1's premedication, racing the voider and the other editor."""
    browser.log_in(username, password)
    turn = 0
    while not stop.is_set():
        pk = current_infusion(browser, study_id)
        if pk is None:
            continue
        turn += 1
        path = f"/participants/{study_id}/infusions/{pk}/edit/"
        status, text = browser.request("infusion edit form", path)
        if status == 404:
            with ledger.lock:
                ledger.refused["infusion voided before the edit opened"] += 1
            continue
        token, version = CSRF.search(text), VERSION.search(text)
        if status != 200 or token is None or version is None:
            with ledger.lock:
                ledger.unexplained.append((username, "infusion edit form", pk, status))
            continue
        data = _form_fields(text)
        data.update(
            premedication=f"Paracetamol ({username}, {turn})",
            change_reason=f"Load test: {username} corrects the premedication",
            csrfmiddlewaretoken=token.group(1),
            loaded_version=version.group(1),
        )
        status, text = browser.request("infusion edit save", path, data)
        with ledger.lock:
            if status == 302:
                ledger.infusion_edits += 1
            elif status == 404 or (status == 200 and any(refused_for(text, code) for code in RACE_LOST)):
                ledger.refused["infusion edit lost to a void or an edit"] += 1
            else:
                ledger.unexplained.append((username, "infusion edit", pk, status))


def _form_fields(page: str) -> dict:
    """The values an edit form shows (inputs, checked boxes, selected options, text areas): what a browser
    would post back unchanged."""
    import html.parser

    class Fields(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.values, self.select, self.textarea = {}, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "input" and name:
                kind = attrs.get("type", "text")
                if kind in ("checkbox", "radio"):
                    if "checked" in attrs:
                        self.values[name] = attrs.get("value", "on")
                elif kind not in ("submit", "button"):
                    self.values[name] = attrs.get("value", "")
            elif tag == "select" and name:
                self.select = name
            elif tag == "option" and self.select and "selected" in attrs:
                self.values[self.select] = attrs.get("value", "")
            elif tag == "textarea" and name:
                self.textarea = name
                self.values[name] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, data):
            if self.textarea:
                self.values[self.textarea] += data

    parser = Fields()
    parser.feed(page)
    return parser.values


def anchor(browser: Browser, stop):
    while not stop.is_set():
        browser.request("trivial view (login page)", "/accounts/login/")


def run_clients(args, fixture: Fixture, ports) -> tuple[list, Ledger, float]:
    samples, ledger, stop = [], Ledger(), threading.Event()
    jobs = []
    for n, (username, pk, study_id, day0) in enumerate(fixture.clinicians):
        browser = Browser(ports, samples, n)
        jobs.append((clinician, (browser, fixture.password, username, study_id, day0, pk, ledger, stop)))
    shared_pk, shared_id, shared_day0, observation_pk = fixture.shared
    for n, username in enumerate(fixture.editors):
        browser = Browser(ports, samples, n)
        jobs.append(
            (
                editor,
                (browser, fixture.password, username, shared_id, shared_day0, shared_pk, observation_pk, ledger, stop),
            )
        )
    dosed_pk, dosed_id, post = fixture.infusion
    voider, *infusion_editors = fixture.infusion_editors
    jobs.append((infusion_voider, (Browser(ports, samples, 0), fixture.password, voider, dosed_id, post, ledger, stop)))
    for n, username in enumerate(infusion_editors):
        browser = Browser(ports, samples, n)
        jobs.append((infusion_editor, (browser, fixture.password, username, dosed_id, ledger, stop)))
    for n in range(2):
        jobs.append((anchor, (Browser(ports, samples, n), stop)))

    def guarded(target, job_args):
        try:
            target(*job_args)
        except ClientFailed as failure:
            with ledger.lock:
                ledger.unexplained.append((target.__name__, str(failure)))

    threads = [threading.Thread(target=guarded, args=job) for job in jobs]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(args.duration)
    stop.set()
    for thread in threads:
        thread.join(120)
    return samples, ledger, time.monotonic() - began


# --- the checks -----------------------------------------------------------------------------------------
