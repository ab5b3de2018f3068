"""The ward round benchmark (issue 18): a clinician enters 20 participants' daily observations for today in
headless Chromium, as on the ward, and the script counts what it cost.

    .venv/bin/python bench/ward_round.py [--participants 20] [--keep]

It builds a scratch SQLite database (a temporary directory: nothing of the demo's is touched), with one ward
site, a clinician, and ``--participants`` participants in hospital on study day 3, each with yesterday's
daily observation entered; starts the app (``manage.py runserver``, DEBUG on for static files) and drives
Debian's chromium through Playwright, twice: on a PC (1280 x 800, keyboard) and on a 390 px phone (touch).

The clinician's round, for each participant: from the participant list (the first time only, from the
login), open the participant, open today's daily observation, enter it and save, and get to the next one the
way the app offers (back to the list today). Values that change day to day are typed: temperature, heart
rate, respiratory rate, blood pressure, SpO2 (the vital signs); the rest (oxygen support, FiO2, WHO score,
the eight symptoms) are answered as they were yesterday, by whatever the form offers.

What is counted, per device:

- page loads: every navigation of the main frame (Playwright's ``load`` events);
- PC keystrokes: the characters typed, plus one key per field reached (Tab), plus one key per drop-down
  answered by typing (a letter selects an option), plus Enter where a form is submitted from the keyboard;
  PC clicks: links and buttons clicked;
- phone taps: one per field focused, two per drop-down (open, choose), one per radio or button; the typed
  characters are reported apart (the issue's "beyond typing the changed numbers"); and the widest the page
  ever was (``document.documentElement.scrollWidth``), which must not exceed 390.

- keyboard only (a third round, issue 28, 9): every key really pressed in the browser, Tab until the focus is
  where the next value goes (the focus is read back from the page, not assumed), the characters typed, Enter
  on the carried values' check (which checks it and saves); the first form reached from the list by Tab and
  Enter;
- phone swipes: before each tap or typed field, whether the element can be touched where it is (inside the
  screen and not under a sticky bar: ``elementFromPoint`` at its centre); if not, the page is scrolled to it
  and the distance counted, one swipe per 600 px begun (a thumb's flick moves about two thirds of an 844 px
  screen).

Targets (issue 28, 9): at most 400 keys for a keyboard-only round of 20, at most 2 swipes per participant.

It also times the PC round and, in the same run, the login page loaded once per participant (the anchor):
the round's time is reported as a ratio to it, not in seconds.
"""

import argparse
import datetime
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ports import free_port

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CRF_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "ward-round-bench-1"
# The vital signs a nurse measures each day: typed. (name, value)
TYPED = (
    ("temperature_c", "37.2"),
    ("heart_rate", "88"),
    ("respiratory_rate", "20"),
    ("systolic_bp", "124"),
    ("diastolic_bp", "78"),
    ("spo2_percent", "95"),
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database directory")
    return parser.parse_args()


# --- the scratch world ------------------------------------------------------------------------------------


def set_up(count: int) -> list[str]:
    """One ward, a clinician and ``count`` participants on day 3 with yesterday observed; their study IDs."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from outcomes.models import DailyObservation
    from patients import services
    from patients.casebook.saving import record_save
    from patients.choices import ConsentGiver
    from patients.demo import screen_demo_person
    from patients.models import Arm, Site, SiteMembership

    call_command("migrate", verbosity=0)
    import random

    rng = random.Random(18)
    site = Site.objects.create(code="07", name="Ward 7")
    user = get_user_model().objects.create_user("nurse", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Clinician"))
    SiteMembership.objects.create(user=user, site=site)
    coordinator = get_user_model().objects.create_user("coordinator", password=PASSWORD)
    coordinator.groups.add(Group.objects.get(name="Coordinator"))
    SiteMembership.objects.create(user=coordinator, site=site)
    arms = list(Arm.objects.order_by("code"))
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    ids = []
    for number in range(count):
        day0 = today - datetime.timedelta(days=3)
        enrolment = datetime.datetime.combine(day0, datetime.time(9, 0), tzinfo=tz)
        person = screen_demo_person(
            site=site,
            user=coordinator,
            rng=rng,
            admission=day0 - datetime.timedelta(days=1),
            severe=number % 2 == 1,
            screening_datetime=enrolment - datetime.timedelta(hours=3),
        )
        services.consent_record(
            participant=person,
            user=coordinator,
            consent_datetime=enrolment - datetime.timedelta(hours=2),
            form_version="2.0",
            given_by=ConsentGiver.PARTICIPANT,
        )
        person = services.participant_enrol(
            participant=person, user=coordinator, requested_arm=arms[number % 2], enrolment_datetime=enrolment
        )
        for day in range(3):
            record_save(
                DailyObservation(
                    participant=person,
                    observation_date=day0 + datetime.timedelta(days=day),
                    temperature_c=Decimal("37.6"),
                    heart_rate=92,
                    respiratory_rate=22,
                    systolic_bp=120,
                    diastolic_bp=76,
                    spo2_percent=94,
                    fio2_percent=29,
                    oxygen_support="low_flow",
                    oxygen_flow_l_min=Decimal("2.0"),
                    who_score=5,
                    fever="present",
                    cough="present",
                    fatigue="present",
                    shortness_of_breath="present",
                    chest_tightness="absent",
                    myalgia="absent",
                    diarrhoea="absent",
                    other_symptoms="absent",
                ),
                user=user,
                validate=True,
            )
        ids.append(person.study_id)
    return ids


def start_server(env, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            import urllib.request

            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError("the app did not start")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- the round ----------------------------------------------------------------------------------------------


@dataclass
class Cost:
    loads: int = 0
    keys: int = 0  # PC: keystrokes including the characters typed
    clicks: int = 0  # PC clicks, phone taps
    typed: int = 0  # characters of the changing values
    widest: int = 0
    widest_content: int = 0
    swipes: int = 0  # phone: one per SWIPE_PX of scrolling begun, to reach what is tapped next
    scrolled: int = 0  # phone: pixels scrolled to reach it


SWIPE_PX = 600
# Whether an element can be touched where it is: its centre inside the screen and the element itself there
# (not under a sticky bar or the header). [reachable, centre's distance from 40% of the screen's height]
REACH = """el => {
  const r = el.getBoundingClientRect();
  const x = Math.min(Math.max(r.left + r.width / 2, 0), window.innerWidth - 1);
  const y = r.top + r.height / 2;
  const inside = y >= 0 && y < window.innerHeight;
  const hit = inside ? document.elementFromPoint(x, y) : null;
  const own = !!hit && (el.contains(hit) || hit.contains(el)
    || (el.labels && [...el.labels].some(l => l.contains(hit))));
  return [own, Math.round(y - window.innerHeight * 0.4)];
}"""


class Clinician:
    """Drives the page and counts each action as a person would make it on ``device`` ("pc" or "phone")."""

    def __init__(self, page, device: str):
        self.page, self.device, self.cost = page, device, Cost()
        page.on("load", self._loaded)

    def _loaded(self, _page):
        self.cost.loads += 1
        self.cost.widest = max(self.cost.widest, self.page.evaluate("document.documentElement.scrollWidth"))
        # Content wider than the screen that the page hides or scrolls inside a box (a clipped chart, a
        # table scrolling sideways) counts too: the widest right edge of any element.
        self.cost.widest_content = max(self.cost.widest_content, self.page.evaluate(WIDEST_CONTENT))

    def reach(self, locator):
        """On a phone, scroll to what is touched next unless it can be touched where it is; count the swipes."""
        if self.device != "phone":
            return
        element = locator.first
        own, distance = element.evaluate(REACH)
        if own:
            return
        if abs(distance) < 1:  # in the right place but covered: the screen must move a little
            distance = 100
        self.page.evaluate(f"window.scrollBy(0, {distance})")
        self.cost.scrolled += abs(distance)
        self.cost.swipes += math.ceil(abs(distance) / SWIPE_PX)

    def click(self, locator):
        self.reach(locator)
        locator.first.click()
        self.cost.clicks += 1
        self.page.wait_for_load_state()

    def type(self, selector: str, text: str):
        field_ = self.page.locator(selector)
        self.reach(field_)
        focused = field_.evaluate("el => el === document.activeElement")  # the page's autofocus
        field_.fill("")
        field_.press_sequentially(text)
        self.cost.typed += len(text)
        if self.device == "pc":
            self.cost.keys += len(text) + (0 if focused else 1)  # the characters, and Tab to reach the field
        else:
            self.cost.clicks += 1  # tap the field; the characters are counted apart

    def answer(self, name: str, value: str):
        """Give yesterday's answer to a question, however the form asks it: a drop-down (Tab and a letter on a
        PC; open and choose on a phone), a group of radio buttons (one click or tap), or a number field (typed
        like a changing value). Nothing when the form already holds it (carried forward, or a default)."""
        radios = self.page.locator(f'input[type=radio][name="{name}"]')
        if radios.count():
            option = self.page.locator(f'input[type=radio][name="{name}"][value="{value}"]')
            if not option.is_checked():
                self.reach(option)
                option.check()
                self.cost.clicks += 1
            return
        element = self.page.locator(f"#id_{name}")
        if element.evaluate("el => el.tagName") == "SELECT":
            if element.input_value() != value:
                element.select_option(value)
                if self.device == "pc":
                    self.cost.keys += 2
                else:
                    self.cost.clicks += 2
        elif element.input_value() != value:
            self.type(f"#id_{name}", value)


WIDEST_CONTENT = (
    "Math.ceil(Math.max(0, ...Array.from(document.querySelectorAll('body *'), e => e.getBoundingClientRect().right)))"
)
YESTERDAY = {
    "oxygen_support": "low_flow",
    "oxygen_flow_l_min": "2.0",
    "fio2_percent": "29",
    "who_score": "5",
    "fever": "present",
    "cough": "present",
    "fatigue": "present",
    "shortness_of_breath": "present",
    "chest_tightness": "absent",
    "myalgia": "absent",
    "diarrhoea": "absent",
    "other_symptoms": "absent",
}


def on_the_list(browser, base: str, **context_options):
    """A new browser context logged in as the nurse, on the participant list (not counted: the round's start)."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "nurse")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/participants/")
    return context, page


def round_of(browser, base: str, ids: list[str], device: str) -> Cost:
    viewport = {"width": 1280, "height": 800} if device == "pc" else {"width": 390, "height": 844}
    phone = device == "phone"
    context, page = on_the_list(browser, base, viewport=viewport, is_mobile=phone, has_touch=phone)
    who = Clinician(page, device)
    for study_id in ids:
        open_form(page, who, study_id)
        for name, value in TYPED:
            who.type(f"#id_{name}", value)
        for name, value in YESTERDAY.items():
            who.answer(name, value)
        confirm = page.locator("#id_confirm_carried")
        if confirm.count():  # one confirmation for the values carried from yesterday
            who.reach(confirm)
            confirm.check()
            who.cost.clicks += 1
        save_next = page.locator("input[name=save_next]")
        who.click(save_next if save_next.count() else page.locator("input[type=submit]:not([name=save_draft])"))
        if "daily observation submitted" not in page.locator("body").inner_text().lower():
            raise RuntimeError(f"{study_id}: the observation was not saved ({page.url})")
    context.close()
    return who.cost


class Keyboard:
    """Presses real keys and counts them: Tab until the focus is on what comes next (read back from the page),
    the characters of a value, Space, Enter."""

    def __init__(self, page):
        self.page, self.keys, self.typed, self.loads = page, 0, 0, 0
        page.on("load", lambda _page: self._loaded())

    def _loaded(self):
        self.loads += 1

    def tab_to(self, selector: str, limit: int = 400):
        for _ in range(limit):
            if self.page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
                return
            self.page.keyboard.press("Tab")
            self.keys += 1
        raise RuntimeError(f"{limit} Tab stops did not reach {selector} ({self.page.url})")

    def type(self, text: str):
        self.page.keyboard.type(text)
        self.keys += len(text)
        self.typed += len(text)

    def press(self, key: str):
        self.page.keyboard.press(key)
        self.keys += 1


def keyboard_round(browser, base: str, ids: list[str]) -> Keyboard:
    """The round with the keyboard only: the first form from the list's badge by Tab and Enter, then for each
    participant the changing values typed in the order the form has them, yesterday's answers left as carried,
    Tab to the carried values' check and Enter there (checks it and saves, and on to the next)."""
    context, page = on_the_list(browser, base, viewport={"width": 1280, "height": 800})
    keyboard = Keyboard(page)
    for study_id in ids:
        form_path = f"/participants/{study_id}/observations/new/"
        if not page.url.split("?")[0].endswith(form_path):
            keyboard.tab_to(f'a[href$="{form_path}"]')
            with page.expect_navigation():
                keyboard.press("Enter")
        order = page.evaluate(
            "names => names.filter(n => document.getElementById('id_' + n)).sort((a, b) => "
            "document.getElementById('id_' + a).compareDocumentPosition(document.getElementById('id_' + b)) & "
            "Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1)",
            [name for name, _ in TYPED],
        )
        values = dict(TYPED)
        for name in order:
            keyboard.tab_to(f"#id_{name}")
            keyboard.type(values[name])
        for name, value in YESTERDAY.items():
            checked = page.locator(f'input[type=radio][name="{name}"]:checked')
            found = checked.input_value() if checked.count() else page.locator(f"#id_{name}").input_value()
            if found != value:
                raise RuntimeError(f"{study_id}: {name} was not carried from yesterday ({found!r})")
        # Enter on the carried values' check checks it and saves (static/js/crf.js): Tab, Enter.
        keyboard.tab_to("#id_confirm_carried")
        with page.expect_navigation():
            keyboard.press("Enter")
        if "daily observation submitted" not in page.locator("body").inner_text().lower():
            raise RuntimeError(f"{study_id}: the observation was not saved ({page.url})")
    context.close()
    return keyboard


def open_form(page, who, study_id: str) -> None:
    """Get to the participant's new daily observation the shortest way the app offers: already there (after
    "Save and next"), a badge on the list that links to it, or the participant's page and its button."""
    form_path = f"/participants/{study_id}/observations/new/"
    if page.url.split("?")[0].endswith(form_path):
        return
    if not page.url.split("?")[0].endswith("/participants/"):
        link = page.locator("nav a", has_text="Participants")
        if not link.first.is_visible():  # a phone's collapsed menu: open it first
            page.locator(".navbar-toggler").click()
            who.cost.clicks += 1
            link.first.wait_for(state="visible")
        who.click(link)  # back to the list
    badge = page.locator(f'a[href$="{form_path}"]')
    if badge.count():
        who.click(badge)
        return
    who.click(page.get_by_role("link", name=study_id, exact=True))
    who.click(page.get_by_role("link", name="Daily observation"))


def anchor(browser, base: str, times: int) -> float:
    page = browser.new_page()
    started = time.perf_counter()
    for _ in range(times):
        page.goto(f"{base}/accounts/login/")
    elapsed = time.perf_counter() - started
    page.close()
    return elapsed


def main() -> int:
    args = parse_args()
    scratch = tempfile.mkdtemp(prefix="ward-round-")
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{scratch}/ward.sqlite3",
        DJANGO_DEBUG="1",
        DJANGO_SETTINGS_MODULE="ucmsc_crf.settings",
        # Playwright's sync API keeps an event loop on this thread; this script's ORM calls are synchronous.
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    # Playwright first: without it, nothing is started (a server started before a failed import was left
    # running, holding its port).
    from playwright.sync_api import sync_playwright

    ids = set_up(args.participants)
    port = free_port()
    server = None
    try:
        server = start_server(env, port)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            base = f"http://127.0.0.1:{port}"
            started = time.perf_counter()
            pc = round_of(browser, base, ids, "pc")
            pc_seconds = time.perf_counter() - started
            # The phone and the keyboard do the same round on the same day's records: move each round's aside.
            _void_today(ids)
            phone = round_of(browser, base, ids, "phone")
            _void_today(ids)
            keyboard = keyboard_round(browser, base, ids)
            login = anchor(browser, base, len(ids))
            browser.close()
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep:
            import shutil

            shutil.rmtree(scratch, ignore_errors=True)
    n = len(ids)
    print(f"Ward round of {n} participants' daily observations")
    print(
        "| device | page loads | keystrokes | clicks / taps | typed characters | per participant "
        "| widest page | widest content |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| PC 1280 px | {pc.loads} | {pc.keys} | {pc.clicks} | {pc.typed} | "
        f"{pc.loads / n:.1f} loads, {pc.keys / n:.1f} keys, {pc.clicks / n:.1f} clicks | {pc.widest} px "
        f"| {pc.widest_content} px |"
    )
    print(
        f"| phone 390 px | {phone.loads} | - | {phone.clicks} | {phone.typed} | "
        f"{phone.clicks / n:.1f} taps beyond typing | {phone.widest} px | {phone.widest_content} px |"
    )
    print(
        f"| keyboard only 1280 px | {keyboard.loads} | {keyboard.keys} | 0 | {keyboard.typed} | "
        f"{keyboard.loads / n:.1f} loads, {keyboard.keys / n:.1f} keys (target <= 400 in all) | - | - |"
    )
    print(
        f"Phone scrolling: {phone.swipes} swipes, {phone.scrolled} px in all; {phone.swipes / n:.1f} swipes, "
        f"{phone.scrolled / n:.0f} px per participant (target <= 2 swipes per participant)"
    )
    print(f"PC round time / {n} login-page loads (anchor, same run): {pc_seconds / login:.1f}x")
    return 0


def _void_today(ids):
    """Void the PC round's records (entered in error, as far as the benchmark goes) so the phone enters the
    same day again through the same rules."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from outcomes.models import DailyObservation

    user = get_user_model().objects.get(username="coordinator")
    for record in DailyObservation.objects.active().filter(
        participant__study_id__in=ids, observation_date=timezone.localdate()
    ):
        record.void(reason="Benchmark: the phone round enters the same day", user=user)


if __name__ == "__main__":
    sys.exit(main())
