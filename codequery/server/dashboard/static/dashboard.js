// The codequery dashboard: fills the page from /api/*, follows /api/events/stream, and
// sends retry and cancel with the page's anti-forgery token. Plain JavaScript, no
// libraries. Every value goes into the page as text (textContent), never as HTML.
"use strict";

(function () {
  const STATES = ["pending", "processing", "completed", "dead", "cancelled"];
  const PRIORITIES = ["high", "normal", "low"];
  const MAX_EVENTS = 200;
  // what the backlog waits for, as status's queue.waiting_for says: no estimate holds then
  const WAITING = {disk: "waiting: the disk holding the index is full",
                   "read-only": "waiting: the index's database cannot be written",
                   approval: "waiting: this machine has not approved the documenter's settings",
                   blocked: "waiting: the documenter is blocked",
                   breaker: "waiting: the circuit breaker stopped the calls",
                   worker: "waiting for a worker",
                   consumers: "waiting: no consumer of the remote queue can take its tasks",
                   redis: "waiting: Redis does not answer"};
  const SVG = "http://www.w3.org/2000/svg";
  const csrf = meta("codequery-csrf");
  let lastEvent = Number(meta("codequery-last-event")) || 0;
  let openJob = null;
  const pending = {};  // name -> timer of a refresh asked for and not yet run

  function meta(name) {
    const found = document.querySelector(`meta[name="${name}"]`);
    return found ? found.getAttribute("content") : "";
  }

  function $(id) { return document.getElementById(id); }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const s = Math.round(seconds);
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
    return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  }

  function brief(text) {
    return text.length > 160 ? `${text.slice(0, 157)}…` : text;
  }

  function clock(iso) {
    return iso ? new Date(iso).toLocaleTimeString() : "–";
  }

  function notice(text, bad) {
    const box = $("notice");
    box.textContent = text;
    box.className = bad ? "bad" : "good";
    box.hidden = false;
  }

  async function api(path, options) {
    const response = await fetch(path, Object.assign({ credentials: "same-origin" }, options));
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      throw new Error((body && body.error) || `${response.status} ${response.statusText}`);
    }
    return body;
  }

  // Run `fn` once, `ms` after the first ask of a burst: a burst of events (a commit of
  // many files) makes one request, not hundreds.
  function soon(name, fn, ms) {
    if (pending[name]) return;
    pending[name] = setTimeout(() => { pending[name] = null; fn(); }, ms);
  }

  // --- summary: worker, queue, index, LLM, chart ---------------------------------------

  let settingsSaid = null;  // the config trouble the notice shows, if it shows one

  async function loadSummary() {
    let data;
    try { data = await api("/api/summary"); } catch (e) { notice(e.message, true); return; }
    const s = data.status;
    drawQueue(data.queue);
    drawChart(data.throughput);
    queueCounts = data.queue;
    sayHowManyJobs();
    if (s.error) {  // the settings cannot be read: the queue shows, the rest says why not
      notice(s.error, true);
      return;
    }
    // read from the last good copy: said while it lasts, and no longer once mended
    if (s.settings_trouble) {
      notice(s.settings_trouble, true);
      settingsSaid = s.settings_trouble;
    } else if (settingsSaid) {
      if ($("notice").textContent === settingsSaid) $("notice").hidden = true;
      settingsSaid = null;
    }
    const w = s.worker;
    $("w-state").textContent = w.running ? "running" : "not running (codequery worker start)";
    $("w-state").className = w.running ? "ok" : "bad";
    $("w-pid").textContent = w.pid ?? "–";
    $("w-uptime").textContent = duration(w.uptime_s);
    $("w-threads").textContent = w.consumers
      ? `${w.consumers} taking jobs (${w.threads} in the process)` : "–";
    $("w-cpu").textContent = w.cpu_percent === null || w.cpu_percent === undefined
      ? "–" : `${w.cpu_percent.toFixed(1)} %`;
    $("w-memory").textContent = w.memory_mb ? `${w.memory_mb} MiB` : "–";
    $("q-eta").textContent = !s.queue.pending ? "none pending"
      : WAITING[s.queue.waiting_for]
        || (s.queue.eta_s === null ? "unknown yet" : `about ${duration(s.queue.eta_s)}`);
    $("q-oldest").textContent = s.queue.oldest_pending_age_s === null
      ? "none" : `${duration(s.queue.oldest_pending_age_s)} old`;

    for (const key of ["documented", "stale", "missing", "outdated", "skipped", "tracked"]) {
      $(`ix-${key}`).textContent = s.index[key];
    }
    const llm = s.llm;
    $("llm-calls").textContent = `${llm.calls} (${llm.failed} failed)`;
    $("llm-tokens").textContent = `${llm.input_tokens} in, ${llm.output_tokens} out`;
    $("llm-cost").textContent = !llm.calls || llm.priced_calls
      ? `$${Number(llm.cost_usd).toFixed(4)}` : "unknown (the documenter reports none)";
    $("llm-breaker").textContent = llm.breaker
      ? llm.breaker.state + (llm.blocked ? ` (blocked: ${llm.blocked.reason})` : "")
      : `closed (${s.documenter} needs none)`;
  }

  function drawQueue(queue) {
    const body = $("queue-table").tBodies[0];
    body.replaceChildren();
    for (const state of STATES) {
      const row = el("tr");
      row.dataset.state = state;
      row.append(el("th", state, `st-${state}`));
      let total = 0;
      for (const p of PRIORITIES) {
        const n = (queue[state] || {})[p] || 0;
        total += n;
        row.append(el("td", n));
      }
      row.append(el("td", total, "total"));
      body.append(row);
    }
  }

  function drawChart(minutes) {
    const svg = $("chart");
    svg.replaceChildren();
    const width = 600, height = 120, top = 4;
    const most = Math.max(1, ...minutes.map((m) => m.completed));
    const step = width / minutes.length;
    let total = 0;
    minutes.forEach((m, i) => {
      total += m.completed;
      const bar = document.createElementNS(SVG, "rect");
      const h = (m.completed / most) * (height - top);
      bar.setAttribute("x", String(i * step + 1));
      bar.setAttribute("y", String(height - h));
      bar.setAttribute("width", String(Math.max(step - 2, 1)));
      bar.setAttribute("height", String(h));
      bar.setAttribute("class", "bar");
      const tip = document.createElementNS(SVG, "title");
      tip.textContent = `${clock(m.minute)}: ${m.completed} completed`;
      bar.append(tip);
      svg.append(bar);
    });
    $("chart-total").textContent = `(${total} in the hour, at most ${most} a minute)`;
  }

  // --- jobs -----------------------------------------------------------------------------

  function jobRow(job) {
    const row = el("tr");
    row.dataset.job = job.id;
    const open = el("button", job.id, "link");
    open.type = "button";
    open.addEventListener("click", () => showJob(job.id));
    const idCell = el("td");
    idCell.append(open);
    row.append(idCell, el("td", shownPath(job.path), "path"), el("td", "", "status"),
      el("td", "", "priority"), el("td", "", "attempts"), el("td", "", "updated"),
      el("td", "", "error"), el("td", null, "actions"));
    fillJobRow(row, job);
    return row;
  }

  // A row's cells as the job stands; its buttons are kept while its status is the same,
  // so that a pointer on one is still on it after the listing comes again.
  function fillJobRow(row, job) {
    const cell = (name) => row.querySelector(`.${name}`);
    const status = cell("status");
    const changed = row.dataset.status !== job.status;
    row.dataset.status = job.status;
    status.textContent = job.status;
    status.className = `status st-${job.status}`;
    cell("priority").textContent = job.priority ?? "";
    cell("attempts").textContent = job.attempts ?? "";
    cell("updated").textContent = clock(job.updated_at);
    cell("error").textContent = job.error || "";
    if (!changed) return;
    const actions = cell("actions");
    actions.replaceChildren();
    if (job.status === "dead" || job.status === "cancelled") {
      actions.append(actionButton("retry", job.id));
    } else if (job.status === "pending") {
      actions.append(actionButton("cancel", job.id));
    }
  }

  // A path as the command line shows it (printable.shown_path): one holding a character
  // Python does not call printable (a control or format character, a line or paragraph
  // separator, a space other than the plain one), a quote or a backslash, quoted and
  // escaped, so that it reads as one path.
  const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}"\\]|(?! )\p{Zs}/u;
  function escaped(ch) {
    const named = { "\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\" };
    if (named[ch]) return named[ch];
    const code = ch.codePointAt(0);
    const [mark, width] = code < 0x100 ? ["x", 2] : code < 0x10000 ? ["u", 4] : ["U", 8];
    return `\\${mark}${code.toString(16).padStart(width, "0")}`;
  }
  function shownPath(path) {
    if (!UNPRINTABLE.test(path)) return path;
    return `"${Array.from(path, (ch) => (UNPRINTABLE.test(ch) ? escaped(ch) : ch)).join("")}"`;
  }

  function actionButton(action, id) {
    const button = el("button", action, action);
    button.type = "button";
    button.addEventListener("click", () => act(action, id, button));
    return button;
  }

  let jobsAsked = 0;  // only the newest listing is shown (a filter change may overtake one)
  const JOBS_LIMIT = 200;  // the newest jobs /api/jobs sends at most (operations.MAX_LIMIT)
  let jobsListed = 0;  // rows the last listing brought
  let pointerOnJobs = false;  // the pointer is over the jobs table
  let heldSince = 0;  // when a listing first waited for the pointer to leave
  const HOLD_MS = 5000;
  let queueCounts = null;  // state -> priority -> jobs, from the last summary

  // A listing cut at the server's limit says so, with the total and where to see the rest.
  function sayHowManyJobs() {
    const note = $("jobs-more");
    const state = $("job-filter").value;
    if (!queueCounts) return;
    let total = 0;
    for (const s of state ? [state] : STATES) {
      for (const n of Object.values(queueCounts[s] || {})) total += n;
    }
    note.hidden = jobsListed < JOBS_LIMIT || total <= jobsListed;
    note.textContent = `showing the newest ${jobsListed.toLocaleString("en")} of `
      + `${total.toLocaleString("en")} jobs; for all of them: codequery queue list`
      + (state ? ` --status ${state}` : "") + ` --limit ${total}`;
  }

  async function loadJobs(now = false) {  // now: what the user just did, shown at once
    const asked = ++jobsAsked;
    const state = $("job-filter").value;
    const query = state ? `?status=${encodeURIComponent(state)}` : "";
    let jobs;
    try { jobs = await api(`/api/jobs${query}`); } catch (e) { notice(e.message, true); return; }
    if (asked !== jobsAsked) return;
    // rows do not move under a pointer about to click one, for a few seconds at most
    if (pointerOnJobs && !now && Date.now() - (heldSince ||= Date.now()) < HOLD_MS) {
      soon("jobs", loadJobs, 700);
      return;
    }
    heldSince = 0;
    const body = $("jobs-body");
    const rows = new Map(Array.from(body.children, (row) => [row.dataset.job, row]));
    const listed = jobs.reverse().map((job) => {  // newest first
      const row = rows.get(job.id);
      if (!row) return jobRow(job);
      fillJobRow(row, job);
      return row;
    });
    const kept = new Set(listed);
    for (const row of Array.from(body.children)) if (!kept.has(row)) row.remove();
    listed.forEach((row, at) => {  // in order, each row moved only if it is out of place
      if (body.children[at] !== row) body.insertBefore(row, body.children[at] || null);
    });
    jobsListed = jobs.length;
    sayHowManyJobs();
  }

  // An event changes its job's row at once; the full row follows from the next listing.
  function applyToJobs(event) {
    const filter = $("job-filter").value;
    const row = $("jobs-body").querySelector(`tr[data-job="${CSS.escape(event.job)}"]`);
    if (row) {
      if (filter && filter !== event.to) {
        if (!pointerOnJobs) { row.remove(); return; }
        // under the pointer: dimmed and its buttons off, gone with the next listing
        row.classList.add("leaving");
        row.querySelectorAll(".actions button").forEach((b) => { b.disabled = true; });
        soon("jobs", loadJobs, 700);
        return;
      }
      const cell = row.querySelector(".status");
      cell.textContent = event.to;
      cell.className = `status st-${event.to}`;
      row.querySelector(".updated").textContent = clock(event.at);
      row.querySelector(".actions").replaceChildren();
      row.dataset.status = "";  // its buttons come with the listing that follows
    }
    // a job new to the table waits for the listing, which brings all of its row (its
    // priority, attempts and error), rather than a row of blanks
    soon("jobs", loadJobs, 700);
  }

  async function act(action, id, button) {
    button.disabled = true;
    try {
      await api(`/api/jobs/${encodeURIComponent(id)}/${action}`, {
        method: "POST", headers: { "X-CodeQuery-CSRF": csrf } });
      notice(action === "retry" ? `${id} is queued again` : `${id} is cancelled`);
    } catch (e) {
      notice(`${id}: ${e.message}`, true);
    }
    await Promise.all([loadJobs(true), loadSummary()]);
    if (openJob === id) showJob(id);
  }

  async function showJob(id) {
    let job;
    try { job = await api(`/api/jobs/${encodeURIComponent(id)}`); } catch (e) {
      notice(e.message, true);
      return;
    }
    openJob = id;
    $("detail-title").textContent = `${job.id} ${shownPath(job.path)} (${job.status})`;
    $("detail-events").replaceChildren(...job.events.map((e) => {
      const row = el("tr");
      row.append(el("td", clock(e.at)), el("td", e.from || "–"), el("td", e.to, `st-${e.to}`),
        el("td", e.worker || ""), el("td", e.detail || ""));
      return row;
    }));
    $("job-detail").hidden = false;
  }

  // --- events ---------------------------------------------------------------------------

  function addEvent(event) {
    const list = $("event-list");
    if (list.querySelector(`li[data-event="${event.id}"]`)) return;
    const item = el("li");
    item.dataset.event = event.id;
    item.dataset.job = event.job;
    item.append(el("span", clock(event.at), "muted"), " ", el("span", event.job, "job"), " ",
      el("span", `${event.from || "–"} → ${event.to}`, `st-${event.to}`), " ",
      el("span", shownPath(event.path || ""), "path"), " ",
      el("span", event.detail || "", "muted"));
    // Newest on top, by id: the first listing may answer after the stream's first news.
    const older = Array.from(list.children).find((li) => Number(li.dataset.event) < event.id);
    list.insertBefore(item, older || null);
    while (list.children.length > MAX_EVENTS) list.lastChild.remove();
  }

  async function loadEvents() {
    try {
      const events = await api("/api/events?limit=50");
      events.filter((e) => e.id <= lastEvent).forEach(addEvent);
    } catch (e) { notice(e.message, true); }
  }

  function follow() {
    const stream = new EventSource(`/api/events/stream?after=${lastEvent}`);
    stream.addEventListener("open", () => {
      $("live").textContent = "live";
      $("live").className = "pill on";
    });
    stream.addEventListener("error", () => {
      $("live").textContent = "reconnecting";
      $("live").className = "pill off";
    });
    stream.addEventListener("job", (message) => {
      const event = JSON.parse(message.data);
      lastEvent = Math.max(lastEvent, event.id);
      addEvent(event);
      applyToJobs(event);
      if (openJob === event.job) soon("detail", () => showJob(event.job), 300);
      soon("summary", loadSummary, 1000);
    });
  }

  // --- search ---------------------------------------------------------------------------

  async function search(submit) {
    submit.preventDefault();
    const words = $("search-q").value.trim();
    const list = $("search-results");
    if (!words) return;
    let results;
    try {
      results = await api(`/api/search?q=${encodeURIComponent(words)}`);
    } catch (e) {
      list.replaceChildren(el("li", e.message, "bad"));
      return;
    }
    if (!results.length) { list.replaceChildren(el("li", "no match", "muted")); return; }
    list.replaceChildren(...results.map((r) => {
      const item = el("li");
      const link = el("a", shownPath(r.path));
      link.href = `/file?path=${encodeURIComponent(r.path)}`;
      item.append(link);
      if (r.stale) item.append(" ", el("span", "stale", "pill off"));
      item.append(" ", el("span", brief(r.overview || ""), "muted"));
      if (r.copies && r.copies.length) {
        item.append(" ", el("span", `also at ${r.copies.join(", ")}`, "muted"));
      }
      return item;
    }));
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("job-filter").addEventListener("change", () => loadJobs(true));
    $("jobs-table").addEventListener("mouseenter", () => { pointerOnJobs = true; });
    $("jobs-table").addEventListener("mouseleave", () => { pointerOnJobs = false; });
    $("detail-close").addEventListener("click", () => { $("job-detail").hidden = true;
      openJob = null; });
    $("search-form").addEventListener("submit", search);
    follow();
    loadSummary();
    loadJobs();
    loadEvents();
    setInterval(loadSummary, 5000);
  });
})();
