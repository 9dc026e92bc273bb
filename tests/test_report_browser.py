"""The report of the five samples as a person sees it, in headless Chromium (Debian's ``chromium``; skipped,
with the reason, when it is not installed): the tasks tables hold the store's tasks, sorting and a filter
work, no JavaScript error, no request of any kind, and the page fits a desktop (1366×768) and a phone
(390×844). One browser launch a test.

To click and read back, the test loads a copy of the page with two scripts of its own added (and named by
hash in the page's policy): one first, collecting errors and policy violations; one last, which sorts a
table, sets a filter and writes what it saw into the page as JSON, read from ``--dump-dom``."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_report import report_of, sample_reader, stored_records

from cchc_cli.vietnamese import sort_key

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"),
              pytest.mark.slow]  # a browser launch a test: in the long checks (`python -m pytest -m slow`)

EARLY = """window.__errors = []; window.__blocked = [];
window.addEventListener("error", function (e) { window.__errors.push(String(e.message)); });
document.addEventListener("securitypolicyviolation", function (e) {
  window.__blocked.push(e.violatedDirective + " " + e.blockedURI);
});"""

LATE = """(function () {
  var out = {errors: window.__errors, blocked: window.__blocked};
  out.rows = document.querySelectorAll("table.tasks tbody tr").length;
  out.ready = document.querySelector("table.sortable thead th").tabIndex === 0;
  var table = document.getElementById("t-d6");
  var lead = table.tHead.rows[0].cells[3];
  lead.click();
  out.sorted = Array.prototype.map.call(table.tBodies[0].rows, function (r) { return r.cells[3].textContent; });
  out.sort_state = lead.getAttribute("aria-sort");
  var box = document.querySelector('.filters[data-for="t-d6"]');
  var area = box.querySelector("[data-f=a]");
  area.value = "the_che";
  area.dispatchEvent(new Event("input", {bubbles: true}));
  out.visible = Array.prototype.filter.call(table.tBodies[0].rows, function (r) { return !r.hidden; })
    .map(function (r) { return r.cells[1].textContent; });
  out.shown = box.querySelector("output").textContent;
  var word = document.querySelector("pre.tx i");
  word.click();
  out.tip = document.getElementById("tip").textContent;
  out.tip_hidden = document.getElementById("tip").hidden;
  out.resources = performance.getEntriesByType("resource").length;
  out.width = document.documentElement.scrollWidth;
  out.viewport = window.innerWidth;
  var pre = document.createElement("pre");
  pre.id = "test-results";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();"""


@pytest.fixture(scope="module")
def samples_page(sample_store: Path, repaired_samples) -> str:
    return report_of(sample_store, read_sources=sample_reader(repaired_samples))


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def with_test_scripts(page: str) -> str:
    """The page with the test's two scripts added and allowed by the page's own policy."""
    page = page.replace("script-src ", f"script-src {_hash(EARLY)} {_hash(LATE)} ", 1)
    page = page.replace("<style>", f"<script>{EARLY}</script>\n<style>", 1)
    return page.replace("</body>", f"<script>{LATE}</script>\n</body>", 1)


def chromium(tmp_path: Path, url: str, *args: str) -> str:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000", *args, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def results(tmp_path: Path, page: str, size: str) -> dict:
    path = tmp_path / "report.html"
    path.write_text(with_test_scripts(page), "utf-8")
    dom = chromium(tmp_path, path.as_uri(), f"--window-size={size}", "--dump-dom")
    found = re.search(r'<pre id="test-results">(.*?)</pre>', dom, re.S)
    assert found, "the test script did not run (policy or JavaScript error)"
    return json.loads(html.unescape(found.group(1)))


def test_sorting_and_filtering_in_a_desktop_browser(tmp_path: Path, samples_page: str, sample_store) -> None:
    records = stored_records(sample_store)
    seen = results(tmp_path, samples_page, "1366,768")
    assert seen["errors"] == [] and seen["blocked"] == [] and seen["resources"] == 0
    assert seen["ready"]  # the page's own script ran (the policy let it)
    assert seen["rows"] == sum(len(r["tasks"]) for r in records) == 180
    # 004's 67 tasks sorted by lead unit in Vietnamese order (tasks without one first), then by area
    leads = [t["lead_units"] for t in records[5]["tasks"]]
    assert seen["sort_state"] == "ascending"
    assert seen["sorted"] == sorted(("; ".join(u) for u in leads), key=sort_key)
    expected = sum(t["area"] == "the_che" for t in records[5]["tasks"])
    assert seen["visible"] == ["Cải cách thể chế"] * expected and expected > 0
    assert seen["shown"] == f"Đang hiện {expected}/67 nhiệm vụ"
    # a click on a repaired word shows what the OCR read and the confidence
    assert not seen["tip_hidden"] and seen["tip"].startswith("Bản OCR: ") and "độ tin cậy: " in seen["tip"]
    assert seen["width"] <= seen["viewport"]


class DevTools:
    """Chromium driven over its DevTools pipe (``--remote-debugging-pipe``: JSON messages ending in NUL on
    file descriptors 3 and 4), with the standard library only: for a phone's viewport, which the command-line
    modes cannot give (they lay a page out at least 500 pixels wide)."""

    def __init__(self, tmp_path: Path) -> None:
        import os

        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def pipes() -> None:  # in the child: the commands on fd 3, the replies on fd 4
            os.dup2(commands_read, 3)
            os.dup2(replies_write, 4)

        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-pipe",
             f"--user-data-dir={tmp_path / 'profile'}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(commands_read, replies_write, 3, 4),
            preexec_fn=pipes)  # (3 and 4 kept open after pipes() made them)
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._id = 0
        self.events: list[dict] = []

    def send(self, method: str, session: str | None = None, **params: object) -> dict:
        import os

        self._id += 1
        message = {"id": self._id, "method": method, "params": params, **({"sessionId": session} if session else {})}
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._next()
            if reply.get("id") == self._id:
                assert "error" not in reply, reply
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._next())
        return next(e for e in self.events if e.get("method") == method)

    def _next(self) -> dict:
        import os

        while b"\0" not in self._buffer:
            block = os.read(self._replies, 1 << 16)
            assert block, "chromium closed its DevTools pipe"
            self._buffer += block
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        import os

        try:
            self.send("Browser.close")
        except AssertionError:  # it closed the pipe before replying
            pass
        finally:
            os.close(self._commands)
            os.close(self._replies)
            self.process.wait(timeout=30)


def test_the_page_fits_a_phone(tmp_path: Path, samples_page: str) -> None:
    path = tmp_path / "report.html"
    path.write_text(with_test_scripts(samples_page), "utf-8")
    browser = DevTools(tmp_path)
    try:
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        browser.send("Emulation.setDeviceMetricsOverride", session, width=390, height=844, deviceScaleFactor=1,
                     mobile=True)
        browser.send("Page.enable", session)
        browser.send("Page.navigate", session, url=path.as_uri())
        browser.wait_for("Page.loadEventFired")
        found = browser.send("Runtime.evaluate", session, returnByValue=True,
                             expression="document.getElementById('test-results').textContent")
        shot = browser.send("Page.captureScreenshot", session, format="png")["data"]
    finally:
        browser.close()
    seen = json.loads(found["result"]["value"])
    assert seen["errors"] == [] and seen["blocked"] == [] and seen["resources"] == 0
    assert seen["viewport"] == 390 and seen["width"] <= 390  # nothing wider than the screen: tables scroll
    (tmp_path / "phone.png").write_bytes(base64.b64decode(shot))
    assert base64.b64decode(shot)[16:24] == (390).to_bytes(4, "big") + (844).to_bytes(4, "big")


def test_a_desktop_screenshot(tmp_path: Path, samples_page: str) -> None:
    size = "1366,768"
    from PIL import Image

    path = tmp_path / "report.html"
    path.write_text(samples_page, "utf-8")
    shot = tmp_path / f"report-{size.replace(',', 'x')}.png"
    chromium(tmp_path, path.as_uri(), f"--window-size={size}", f"--screenshot={shot}")
    with Image.open(shot) as image:
        assert image.size == tuple(int(n) for n in size.split(","))
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 50  # text and charts, not a blank page
