"""The dashboard of `codequery serve --http`, in a real headless Chromium (Debian's
`chromium` and `chromium-driver`, driven by Selenium) against the installed console
script, real git repositories and a real worker. Each browser test leaves a screenshot,
dashboard.png, in its temporary directory."""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from codequery import ledger, operations
from codequery.workspace import Workspace
from tests.helpers import (
    CODEQUERY_BIN,
    cli_run,
    commit_all,
    damage_table,
    dead_job,
    free_port,
    http_server,
    request,
    run_installed,
    wait_for,
    write,
)

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# Without the networking flags Chromium keeps calling home, which floods a closed network.
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=1280,1100")
LIVE_WITHIN = 2.0  # seconds from `git commit` to the page showing the finished job
CSRF_HEADER = "X-CodeQuery-CSRF"


# --- fixtures and helpers ---------------------------------------------------------------

@pytest.fixture
def browser(tmp_path: Path) -> Iterator:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(f"needs Debian's chromium and chromium-driver ({', '.join(missing)} "
                    "missing; `apt-get install chromium chromium-driver`, as .ci/run does)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (dev extra)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        try:
            driver.save_screenshot(str(tmp_path / "dashboard.png"))
        finally:
            driver.quit()


def severe(driver) -> list[dict]:
    """The browser console's errors since the last look."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def until(driver, condition, timeout: float = 10.0):
    """Wait for `condition`. The page redraws the jobs table when events arrive, so an
    element found a moment ago may be gone by the time it is read: that is "not yet"."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05,
                         ignored_exceptions=(StaleElementReferenceException,)
                         ).until(lambda _: condition())


def text_of(driver, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id).text


def job_row(driver, job_id: str):
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, f'#jobs-body tr[data-job="{job_id}"]')
    return found[0] if found else None


def row_status(driver, job_id: str) -> str | None:
    """A job row's status (read inside `until`, which waits out a redrawn table)."""
    from selenium.webdriver.common.by import By

    row = job_row(driver, job_id)
    return None if row is None else row.find_element(By.CSS_SELECTOR, ".status").text


def in_row(driver, job_id: str, selector: str, act=lambda element: element.click()):
    """Act on an element of a job's row, looking again while the table is redrawn (see
    until)."""
    from selenium.webdriver.common.by import By

    def attempt():
        row = job_row(driver, job_id)
        return row is not None and (act(row.find_element(By.CSS_SELECTOR, selector)) or True)

    until(driver, attempt)


def open_dashboard(driver, port: int) -> None:
    driver.get(f"http://127.0.0.1:{port}/")
    until(driver, lambda: text_of(driver, "w-state") not in ("", "…"))
    until(driver, lambda: text_of(driver, "live") == "live")


def page_token(port: int) -> str:
    status, _, html = request(port, "GET", "/")
    assert status == 200
    marker = '<meta name="codequery-csrf" content="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


# --- the page ---------------------------------------------------------------------------

def test_the_page_loads_without_console_errors_and_shows_the_repository(
        initialized_repo: Path, tmp_path: Path, browser):
    with http_server(initialized_repo, tmp_path / "serve.log") as port:
        open_dashboard(browser, port)
        from selenium.webdriver.common.by import By

        until(browser, lambda: text_of(browser, "ix-documented") == "3")
        assert text_of(browser, "w-state").startswith("not running")
        assert text_of(browser, "ix-skipped") == "0" and text_of(browser, "q-eta") == \
            "none pending"
        assert text_of(browser, "dataset") == initialized_repo.name
        states = [row.get_attribute("data-state") for row in
                  browser.find_elements(By.CSS_SELECTOR, "#queue-table tbody tr")]
        assert states == list(ledger.STATUSES)
        completed = browser.find_element(By.CSS_SELECTOR,
                                          '#queue-table tr[data-state="completed"] .total')
        assert completed.text == "3"
        assert len(browser.find_elements(By.CSS_SELECTOR, "#chart rect")) == 60
        assert text_of(browser, "chart-total").startswith("(3 in the hour, at most ")
        until(browser, lambda: len(browser.find_elements(By.CSS_SELECTOR, "#jobs-body tr")) == 3)
        assert text_of(browser, "llm-calls") == "0 (0 failed)"
        browser.save_screenshot(str(tmp_path / "dashboard-start.png"))
        assert severe(browser) == []

        # The search box: results link to each file's record.
        browser.find_element(By.ID, "search-q").send_keys("parse_invoice")
        browser.find_element(By.CSS_SELECTOR, "#search-form button").click()
        link = until(browser, lambda: browser.find_elements(By.CSS_SELECTOR,
                                                            "#search-results a"))[0]
        assert link.text == "src/invoices.py"
        link.click()
        until(browser, lambda: "/file?path=" in browser.current_url)
        record = text_of(browser, "record")
        assert "def parse_invoice(text: str) -> dict" in record
        assert "Read one invoice from JSON text." in record and "InvoiceTotaler" in record
        assert severe(browser) == []


def test_a_search_result_says_where_its_copies_are(repo: Path, tmp_path: Path, browser):
    code = "".join(f"def step_{i}(invoice):\n    return invoice['total{i}']\n\n"
                   for i in range(12))
    write(repo, {"src/totals.py": code, "unity/Assets/Scripts/totals.py": code})
    commit_all(repo, "copies")
    assert cli_run(repo, "init").exit_code == 0
    with http_server(repo, tmp_path / "serve.log") as port:
        open_dashboard(browser, port)
        from selenium.webdriver.common.by import By

        browser.find_element(By.ID, "search-q").send_keys("invoice totals steps")
        browser.find_element(By.CSS_SELECTOR, "#search-form button").click()
        items = until(browser, lambda: browser.find_elements(By.CSS_SELECTOR,
                                                             "#search-results li"))
        shown = [item.text for item in items if "totals.py" in item.text]
        assert len(shown) == 1 and "also at unity/Assets/Scripts/totals.py" in shown[0]
        assert severe(browser) == []


def test_a_jobs_list_cut_at_its_limit_says_how_many_there_are_and_how_to_see_them(
        initialized_repo: Path, tmp_path: Path, browser):
    ws = Workspace(initialized_repo)
    ledger.enqueue(ws.store.conn, ws.config.dataset,
                   [(f"gone/f{n}.py", ledger.DOCUMENT, None) for n in range(250)])
    with http_server(initialized_repo, tmp_path / "serve.log") as port:
        open_dashboard(browser, port)
        until(browser, lambda: text_of(browser, "jobs-more") != "")
        said = text_of(browser, "jobs-more")
        assert said == ("showing the newest 200 of 253 jobs; for all of them: "
                        "codequery queue list --limit 253")
        from selenium.webdriver.support.ui import Select

        Select(browser.find_element("id", "job-filter")).select_by_visible_text("completed")
        until(browser, lambda: not browser.find_element("id", "jobs-more").is_displayed())
        assert severe(browser) == []


def test_a_commit_shows_up_in_the_event_stream_and_the_jobs_table_without_a_reload(
        initialized_repo: Path, tmp_path: Path, browser):
    from selenium.webdriver.common.by import By

    repo = initialized_repo
    started = run_installed(repo, "worker", "start")
    assert started.returncode == 0, started.stderr
    with http_server(repo, tmp_path / "serve.log") as port:
        open_dashboard(browser, port)
        until(browser, lambda: text_of(browser, "w-state") == "running")
        browser.execute_script("window.notReloaded = true;")

        write(repo, {"src/ledger_report.py": '"""Monthly ledger report."""\n\n\n'
                                              "def monthly_ledger_report() -> str:\n"
                                              "    return ''\n"})
        commit_all(repo, "a report")  # the post-commit hook wakes the worker
        committed = time.monotonic()

        def shown() -> bool:
            events = [item.text for item in
                      browser.find_elements(By.CSS_SELECTOR, "#event-list li")]
            done = any("src/ledger_report.py" in e and "→ completed" in e for e in events)
            rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR,
                                                              "#jobs-body tr")]
            return done and any("src/ledger_report.py" in r and "completed" in r
                                for r in rows)

        until(browser, shown, timeout=LIVE_WITHIN)
        elapsed = time.monotonic() - committed
        browser.save_screenshot(str(tmp_path / "dashboard-live.png"))
        assert elapsed <= LIVE_WITHIN
        assert browser.execute_script("return window.notReloaded === true;")
        pending_seen = [item.text for item in
                        browser.find_elements(By.CSS_SELECTOR, "#event-list li")
                        if "src/ledger_report.py" in item.text and "– → pending" in item.text]
        assert pending_seen  # the job appeared, then completed
        ids = [int(item.get_attribute("data-event")) for item in
               browser.find_elements(By.CSS_SELECTOR, "#event-list li")]
        assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))  # newest on top
        assert severe(browser) == []


def test_rows_stay_put_as_jobs_come_and_a_path_with_a_line_break_is_quoted(
        initialized_repo: Path, tmp_path: Path, browser):
    # the table had been drawn anew at each listing: a row found (or aimed at) a moment
    # ago was gone, and a live job's row had blank priority and attempts
    from selenium.webdriver.common.by import By

    repo = initialized_repo
    assert run_installed(repo, "worker", "start").returncode == 0
    with http_server(repo, tmp_path / "serve.log") as port:
        open_dashboard(browser, port)
        until(browser, lambda: len(browser.find_elements(By.CSS_SELECTOR, "#jobs-body tr")) == 3)
        kept = browser.find_elements(By.CSS_SELECTOR, "#jobs-body tr")[-1]
        kept_text = kept.text
        write(repo, {"odd/new\nline.py": "def odd_name():\n    pass\n"})
        commit_all(repo, "a path with a line break")

        def the_new_row():
            rows = browser.find_elements(By.CSS_SELECTOR, "#jobs-body tr")
            found = [row for row in rows if '"odd/new\\nline.py"' in row.text
                     and "completed" in row.text]
            return found[0] if found else None

        row = until(browser, the_new_row, timeout=LIVE_WITHIN)
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        assert cells[3] in ("high", "normal", "low") and cells[4] != ""  # priority, attempts
        assert kept.text == kept_text  # the same element, still in the table
        # in a narrow window a path keeps a readable width (the card scrolls instead)
        browser.set_window_size(500, 900)
        path_cell = row.find_element(By.CSS_SELECTOR, "td.path")
        until(browser, lambda: path_cell.size["width"] >= 150)
        assert severe(browser) == []


def test_retry_and_cancel_work_from_the_page(initialized_repo: Path, tmp_path: Path, browser):
    from selenium.webdriver.common.by import By

    repo = initialized_repo
    dead = dead_job(Workspace(repo), "src/invoices.py")
    write(repo, {"web/app.js": "// Front end\nexport function drawLedgerChart() {}\n"})
    queued = cli_run(repo, "document", "--queue", "web/app.js")  # no worker: it waits
    assert queued.exit_code == 0, queued.output
    waiting = queued.stdout.split("\t")[0].strip()
    ws = Workspace(repo)
    texts: list[str] = []

    with http_server(repo, tmp_path / "serve.log") as port:
        open_dashboard(browser, port)
        until(browser, lambda: row_status(browser, dead) == "dead")
        in_row(browser, dead, ".error", lambda cell: texts.append(cell.text))
        assert texts == ["the documenter broke"]

        in_row(browser, dead, "button.retry")
        until(browser, lambda: row_status(browser, dead) == "pending")
        assert "queued again" in text_of(browser, "notice")
        assert operations.job(ws, dead)["status"] == "pending"
        assert operations.job(ws, dead)["events"][-1]["worker"] == "dashboard"

        until(browser, lambda: row_status(browser, waiting) == "pending")
        in_row(browser, waiting, "button.cancel")
        until(browser, lambda: row_status(browser, waiting) == "cancelled")
        assert operations.job(ws, waiting)["status"] == "cancelled"

        # A job's events open in the page.
        in_row(browser, dead, "button.link")
        until(browser, lambda: browser.find_element(By.ID, "job-detail").is_displayed())
        steps = [row.text for row in browser.find_elements(By.CSS_SELECTOR,
                                                           "#detail-events tr")]
        assert any("dead" in s and "pending" in s and "retry requested" in s for s in steps)
        assert any("the documenter broke" in s for s in steps)

        # Filtering by state.
        from selenium.webdriver.support.ui import Select

        Select(browser.find_element(By.ID, "job-filter")).select_by_visible_text("cancelled")
        until(browser, lambda: [r.get_attribute("data-job") for r in browser.find_elements(
            By.CSS_SELECTOR, "#jobs-body tr")] == [waiting])
        browser.save_screenshot(str(tmp_path / "dashboard-actions.png"))
        assert severe(browser) == []


# --- safety -----------------------------------------------------------------------------

@pytest.fixture
def foreign_site(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """Another origin on this machine (another port): a page that would like to act."""
    root = tmp_path / "foreign"
    root.mkdir()
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], root
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_from_another_origin_gets_403_and_changes_nothing(
        initialized_repo: Path, tmp_path: Path, browser, foreign_site):
    repo = initialized_repo
    dead = dead_job(Workspace(repo), "src/invoices.py")
    foreign_port, foreign_root = foreign_site
    with http_server(repo, tmp_path / "serve.log") as port:
        target = f"http://127.0.0.1:{port}/api/jobs/{dead}/retry"
        # The classic cross-site request: a form that posts itself on load.
        (foreign_root / "attack.html").write_text(
            f'<form id="f" method="post" action="{target}"></form>'
            '<script>document.getElementById("f").submit();</script>', encoding="utf-8")
        browser.get(f"http://127.0.0.1:{foreign_port}/attack.html")
        until(browser, lambda: browser.current_url == target)
        body = browser.find_element("tag name", "body").text
        assert f"requests from origin http://127.0.0.1:{foreign_port} are not allowed" in body
        assert operations.job(Workspace(repo), dead)["status"] == "dead"

        # Without a browser: a foreign Origin or Host gets 403 on every dashboard route.
        evil = {"Origin": "http://evil.example"}
        for method, path in (("GET", "/"), ("GET", "/api/summary"), ("GET", "/api/jobs"),
                             ("GET", "/api/events/stream"), ("POST", f"/api/jobs/{dead}/retry")):
            status, _, text = request(port, method, path, evil)
            assert status == 403 and "evil.example" in text, (method, path, status, text)
            assert request(port, method, path, {"Host": f"evil.example:{port}"})[0] == 403
        # No Origin, but the browser says another site asked (an <img> or <script> there,
        # another port's page included): 403; that site may only link to the dashboard.
        for site in ("cross-site", "same-site"):
            embedded = {"Sec-Fetch-Site": site, "Sec-Fetch-Mode": "no-cors"}
            assert request(port, "GET", "/api/summary", embedded)[0] == 403
            assert request(port, "GET", "/", {"Sec-Fetch-Site": site,
                                              "Sec-Fetch-Mode": "navigate"})[0] == 200
        # Our own origin without the page's token, or with a wrong one: 403 as well.
        own = {"Origin": f"http://127.0.0.1:{port}"}
        no_token = request(port, "POST", f"/api/jobs/{dead}/retry", own)
        assert no_token[0] == 403 and "token" in no_token[2], no_token
        wrong = request(port, "POST", f"/api/jobs/{dead}/retry", {**own, CSRF_HEADER: "nope"})
        assert wrong[0] == 403
        assert operations.job(Workspace(repo), dead)["status"] == "dead"
        # With it, the action goes through (what the page does).
        done = request(port, "POST", f"/api/jobs/{dead}/retry",
                       {**own, CSRF_HEADER: page_token(port)})
        assert done[0] == 200, done
        assert operations.job(Workspace(repo), dead)["status"] == "pending"


def test_with_a_token_the_browser_signs_in_once_and_the_token_leaves_the_address(
        initialized_repo: Path, tmp_path: Path, browser):
    with http_server(initialized_repo, tmp_path / "serve.log", "--token", "s3cret") as port:
        assert request(port, "GET", "/")[0] == 401
        wrong = request(port, "GET", "/?token=wrong")
        assert wrong[0] == 401 and "the token in ?token= is wrong" in wrong[2]  # not "needed"
        assert request(port, "GET", "/api/summary?token=s3cret")[0] == 401  # the page only
        browser.get(f"http://127.0.0.1:{port}/?token=s3cret")
        until(browser, lambda: browser.current_url == f"http://127.0.0.1:{port}/")
        until(browser, lambda: text_of(browser, "ix-documented") == "3")
        until(browser, lambda: text_of(browser, "live") == "live")
        cookie = browser.get_cookie(f"codequery_token_{port}")
        assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
        assert severe(browser) == []
        signed_in = {"Cookie": f"codequery_token_{port}=s3cret"}
        assert request(port, "GET", "/api/summary", signed_in)[0] == 200
        assert request(port, "GET", "/api/summary",
                       {"Cookie": f"codequery_token_{port}=wrong"})[0] == 401
        again = request(port, "GET", "/?token=s3cret", signed_in)  # the token leaves the URL
        assert again[0] == 303 and again[1]["location"] == "/"


def test_the_record_page_and_static_files_serve_only_what_they_should(
        initialized_repo: Path, tmp_path: Path):
    with http_server(initialized_repo, tmp_path / "serve.log") as port:
        status, headers, html = request(port, "GET", "/file?path=src/invoices.py")
        assert status == 200 and "parse_invoice" in html
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        outside = request(port, "GET", "/file?path=../../etc/passwd")
        assert outside[0] == 404 and "outside the repository" in outside[2]
        assert "root:" not in outside[2]
        for nothing in ("/file", "/file?path=", "/file?path=%20"):
            unnamed = request(port, "GET", nothing)
            assert unnamed[0] == 400 and "needs ?path=PATH" in unnamed[2], nothing
        assert request(port, "GET", "/static/dashboard.js")[0] == 200
        for name in ("routes.py", "..%2F__init__.py", "missing.js", "templates"):
            assert request(port, "GET", f"/static/{name}")[0] == 404, name
        bad = request(port, "GET", "/api/jobs?status=finished")
        assert bad[0] == 400 and "status must be one of" in bad[2]


def test_an_unknown_job_is_404_and_a_malformed_job_id_400(initialized_repo: Path,
                                                          tmp_path: Path):
    with http_server(initialized_repo, tmp_path / "serve.log") as port:
        unknown = request(port, "GET", "/api/jobs/Q-00000000")
        assert unknown[0] == 404 and "no job 'Q-00000000'" in unknown[2]
        assert request(port, "POST", "/api/jobs/Q-00000000/retry",
                       {CSRF_HEADER: page_token(port)})[0] == 404
        malformed = request(port, "GET", "/api/jobs/UNKNOWN")
        assert malformed[0] == 400 and "not a job id" in malformed[2]


def test_a_limit_that_is_not_a_whole_number_in_range_is_400(initialized_repo: Path,
                                                            tmp_path: Path):
    with http_server(initialized_repo, tmp_path / "serve.log") as port:
        for path in ("/api/search?q=invoice&limit=abc", "/api/search?q=invoice&limit=0",
                     "/api/search?q=invoice&limit=201", "/api/jobs?limit=-1",
                     "/api/events?limit=1e3"):
            status, _, body = request(port, "GET", path)
            assert status == 400 and "limit must be a whole number" in body, path
        found = request(port, "GET", "/api/search?q=invoice&limit=1")
        assert found[0] == 200 and len(json.loads(found[2])) == 1
        # as many as the command line and the MCP server give
        assert request(port, "GET", "/api/search?q=invoice&limit=200")[0] == 200


def test_a_config_left_half_edited_keeps_the_page_and_the_metrics_up(initialized_repo: Path,
                                                                      tmp_path: Path):
    # the server had read the settings; then config.json stops being JSON: the page and
    # a Prometheus scrape go on from the last good copy (both had been a bare 500)
    with http_server(initialized_repo, tmp_path / "serve.log") as port:
        assert request(port, "GET", "/")[0] == 200
        settings = initialized_repo / ".code-query" / "config.json"
        settings.write_text('{"version": 1, "dataset": "repo", ', encoding="utf-8")
        status, _, page = request(port, "GET", "/")
        assert status == 200 and "config.json is unreadable" in page
        status, _, text = request(port, "GET", "/metrics")
        assert status == 200
        assert 'codequery_config_ok{dataset="repo"} 0.0' in text
        assert 'codequery_jobs{dataset="repo"' in text
        # the cards' data: the queue, jobs and events answer; status reads on from the
        # last good copy and says why
        status, _, body = request(port, "GET", "/api/summary")
        summary = json.loads(body)
        assert status == 200 and "not valid JSON" in summary["status"]["settings_trouble"]
        assert summary["status"]["documenter"] == "builtin"
        assert sum(summary["queue"]["completed"].values()) == 3
        assert request(port, "GET", "/api/jobs")[0] == 200
        assert request(port, "GET", "/api/events")[0] == 200


def test_a_broken_config_is_said_on_the_page_while_it_lasts(initialized_repo: Path,
                                                            tmp_path: Path, browser):
    # a review: the notice of a broken config.json stayed after it was mended
    settings = initialized_repo / ".code-query" / "config.json"
    good = settings.read_text(encoding="utf-8")
    with http_server(initialized_repo, tmp_path / "serve.log") as port:
        open_dashboard(browser, port)
        settings.write_text(json.dumps({**json.loads(good), "documenter": {"name": "bogus"}}),
                            encoding="utf-8")
        until(browser, lambda: "invalid config" in text_of(browser, "notice")
              and browser.find_element("id", "notice").is_displayed(), timeout=15)
        settings.write_text(good, encoding="utf-8")
        until(browser, lambda: not browser.find_element("id", "notice").is_displayed(),
              timeout=15)
        assert severe(browser) == []


def test_a_damaged_database_is_reported_with_what_to_do(damaged_repo: Path, tmp_path: Path):
    damage_table(damaged_repo / ".code-query" / "code_data.db", "job_events")  # the page reads it
    with http_server(damaged_repo, tmp_path / "serve.log") as port:
        summary = request(port, "GET", "/api/summary")
        page = request(port, "GET", "/")
    assert summary[0] == 500
    assert json.loads(summary[2])["error"].startswith("cannot use database ")
    assert "move it aside and run `codequery document`" in summary[2]
    assert page[0] == 500 and "move it aside and run" in page[2]


# --- the server -------------------------------------------------------------------------

def test_an_open_event_stream_does_not_hold_the_server_up(initialized_repo: Path,
                                                          tmp_path: Path):
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen([str(CODEQUERY_BIN), "-C", str(initialized_repo), "serve",
                                 "--http", "--port", str(port)],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    stream = None
    try:
        def answers() -> bool:
            try:
                return request(port, "GET", "/api/jobs")[0] == 200
            except OSError:
                return False

        wait_for(answers, timeout=30)
        stream = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        stream.request("GET", "/api/events/stream?after=0")
        response = stream.getresponse()
        assert response.status == 200
        assert response.getheader("content-type").startswith("text/event-stream")
        received = ""
        while '"to": "completed"' not in received:  # init's jobs, from event 0 on
            chunk = response.read1(65536).decode()
            assert chunk, received
            received += chunk
        assert received.startswith("retry: ") and "\nevent: job\ndata: {" in received
        stopping = time.monotonic()
        proc.terminate()
        proc.wait(timeout=6)
        # Well before uvicorn's own 3 s cap on a graceful shutdown: the stream ended itself.
        assert time.monotonic() - stopping < 2.0
    finally:
        if stream is not None:
            stream.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)



def test_the_record_page_says_what_each_type_is_and_escapes_it():
    from codequery.server.dashboard import pages
    html = pages.record({"path": "src/opts.ts", "language": "typescript", "overview": "",
                         "classes": [{"name": "Mode", "kind": "enum", "line": 3},
                                     {"name": "Old", "line": 5},
                                     {"name": "X", "kind": "<b>type</b>"}]})
    assert "<li>enum <code>Mode</code>" in html
    assert "<li><code>Old</code>" in html  # no kind said: the name alone
    assert "&lt;b&gt;type&lt;/b&gt; <code>X</code>" in html and "<b>type</b>" not in html
