"""The review page: one self-contained HTML file a reviewer opens in any browser.

The reviewer picks a label for each case (or types the right number), may add a
comment, and downloads the filled CSV; no server, no network, nothing to install.
Answers are kept in the browser as they are given, so closing the tab loses nothing.
The keyboard does it all (j/k to move, a digit to answer), and what the data recorded
stays hidden unless asked for, so it does not sway the reviewer. The cases travel
inside the page as JSON and are put on the page as text, never as markup, so a value in
the data cannot run as code; the downloaded CSV is spreadsheet-safe.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
from typing import TYPE_CHECKING

from mvpgen.steps.review import SYSTEM_COLUMNS

if TYPE_CHECKING:
    from mvpgen.mapping import Mapping
    from mvpgen.steps.review import ReviewSet


def render_review_page(review: ReviewSet, mapping: Mapping, created: dt.datetime) -> str:
    """Return the review page for ``review``."""
    table = review.table
    columns = [str(c) for c in table.columns]
    rows = [[str(v) for v in row] for row in table.itertuples(index=False, name=None)]
    ids = "\n".join(str(v) for v in table["row_id"])
    review_id = hashlib.sha256(f"{created.isoformat()}\n{ids}".encode()).hexdigest()[:12]
    meta = {
        "project": mapping.project.name,
        "reviewer": (mapping.humans.reviewer if mapping.humans else None) or "",
        "task": review.task,
        "target": review.target,
        "contender": review.contender,
        "classes": review.classes,
        "source": review.source,
        "created": created.isoformat(),
        "review_id": review_id,
        "feedback_command": "mvpgen feedback FILLED.csv",
        "hidden": ["row_id", *SYSTEM_COLUMNS],
    }
    payload = json.dumps({"meta": meta, "columns": columns, "rows": rows},
                         ensure_ascii=False)
    # Inside <script>, "</script>" or "<!--" in a value would end the script early.
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    title = html.escape(f"{mapping.project.name}: review")
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{_policy()}\">"
            f"<title>{title}</title><style>{_CSS}</style></head><body class='hide-recorded'>"
            f"<header><h1>{title}</h1><p id='intro'></p>"
            f"<div class='bar'><span id='progress'></span>"
            f"<button id='download' type='button'>Download filled CSV</button>"
            f"<label><input type='checkbox' id='show-recorded'> show what the data recorded"
            f"</label></div><p id='keys'></p></header>"
            f"<main id='cases'></main>"
            f"<script type='application/json' id='review-data'>{payload}</script>"
            f"<script>{_SCRIPT}</script></body></html>\n")


def _policy() -> str:
    """Return the page's Content-Security-Policy: its own script runs, nothing else does.

    The script is allowed by its hash, so markup a value might smuggle into the page
    could not run as code even if it were parsed, and nothing is fetched from anywhere.
    """
    digest = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode()
    return (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'")


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;color:#222;background:#f6f6f6;margin:0}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:6px 24px;
  z-index:1}
h1{font-size:19px;margin:2px 0}#intro{margin:2px 0;color:#444;max-width:70em}
#keys{margin:2px 0;color:#666;font-size:13px}
kbd{border:1px solid #bbb;border-bottom-width:2px;border-radius:4px;padding:0 4px;
  font:12px ui-monospace,monospace;background:#fafafa}
.bar{display:flex;gap:16px;align-items:center;flex-wrap:wrap}
button{font:inherit;padding:4px 14px;border-radius:6px;border:1px solid #2f6db5;
  background:#2f6db5;color:#fff;cursor:pointer}
main{max-width:1100px;margin:0 auto;padding:8px 24px}
.case{background:#fff;border:1px solid #ddd;border-left:6px solid #bbb;border-radius:6px;
  padding:6px 14px;margin:8px 0;outline:none}
.case.done{border-left-color:#1b7f3b}
.case.current{box-shadow:0 0 0 3px #2f6db5}
.case h2{font-size:15px;margin:0}.why{color:#8a6d00;margin:0 0 4px}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(15em,1fr));gap:0 16px;
  margin:0 0 4px;font-size:14px}
.fact{overflow-wrap:anywhere}.fact b{font-weight:normal;color:#666;margin-right:6px}
.model{margin:2px 0}.hide-recorded .recorded{display:none}
.choices{display:flex;flex-wrap:wrap;gap:8px;margin:4px 0;align-items:center}
.choices label{border:1px solid #bbb;border-radius:16px;padding:1px 12px;cursor:pointer}
.choices input{margin-right:6px}.choices small{color:#888}
textarea{width:100%;box-sizing:border-box;font:inherit;height:2em;resize:vertical}
textarea:focus{height:4.5em}
input[type=number]{font:inherit;width:12em}
"""

# Plain JavaScript, no library: the page must work offline, years from now.
_SCRIPT = r"""
"use strict";
const data = JSON.parse(document.getElementById("review-data").textContent);
const meta = data.meta, columns = data.columns;
const at = name => columns.indexOf(name);
const storeKey = "mvp-review:" + meta.review_id;
const choices = meta.task === "regression" ? [] : [...meta.classes, ""];
let answers = {};
try { answers = JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { answers = {}; }

function save() {
  try { localStorage.setItem(storeKey, JSON.stringify(answers)); } catch (e) { /* private mode */ }
  const done = data.rows.filter(r => (answers[r[at("row_id")]] || {}).label).length;
  document.getElementById("progress").textContent =
    done + " of " + data.rows.length + " cases labelled";
}

function answer(id) {
  if (!answers[id]) answers[id] = {label: "", comment: "", at: ""};
  return answers[id];
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function capital(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function caseCard(row, index) {
  const id = row[at("row_id")];
  const card = el("section", undefined, "case");
  card.dataset.rowId = id;
  card.tabIndex = -1;
  card.appendChild(el("h2", "Case " + (index + 1) + " \u00b7 " + id));
  if (row[at("why")]) card.appendChild(el("p", "Why this case: " + row[at("why")], "why"));
  const facts = el("div", undefined, "facts");
  columns.forEach((name, i) => {
    if (meta.hidden.includes(name)) return;
    const fact = el("div", undefined, "fact");
    fact.appendChild(el("b", name));
    fact.appendChild(document.createTextNode(row[i] === "" ? "(empty)" : row[i]));
    facts.appendChild(fact);
  });
  card.appendChild(facts);
  const model = el("p", capital(meta.contender) + " says: " + row[at("prediction")],
                     "model");
  if (at("score") >= 0 && row[at("score")] !== "") {
    model.appendChild(document.createTextNode(" (score " + row[at("score")] + ")"));
  }
  if (row[at("recorded")] !== "") {
    model.appendChild(el("span", " \u00b7 the data recorded: " + row[at("recorded")],
                         "recorded"));
  }
  card.appendChild(model);
  const mine = answer(id);
  const mark = () => card.classList.toggle("done", mine.label !== "");
  const stamp = () => { mine.at = new Date().toISOString(); mark(); save(); };
  if (meta.task === "regression") {
    const input = el("input");
    input.type = "number"; input.step = "any"; input.dataset.field = "label";
    input.setAttribute("aria-label", "your answer for " + meta.target);
    input.value = mine.label;
    input.addEventListener("input", () => { mine.label = input.value.trim(); stamp(); });
    const line = el("label", "Your answer for " + meta.target + ": ");
    line.appendChild(input);
    card.appendChild(line);
  } else {
    const group = el("div", undefined, "choices");
    group.setAttribute("role", "radiogroup");
    group.appendChild(el("span", "Your answer for " + meta.target + ":"));
    choices.forEach((value, i) => {
      const option = el("label");
      const radio = el("input");
      radio.type = "radio"; radio.name = "label-" + index; radio.value = value;
      radio.checked = mine.label === value && (value !== "" || mine.at !== "");
      radio.addEventListener("change", () => { mine.label = value; stamp(); });
      option.appendChild(radio);
      option.appendChild(document.createTextNode(value === "" ? "not sure" : value));
      const key = value === "" ? "0" : (i < 9 ? String(i + 1) : "");
      if (key) option.appendChild(el("small", " " + key));
      group.appendChild(option);
    });
    card.appendChild(group);
  }
  const comment = el("textarea");
  comment.dataset.field = "comment";
  comment.placeholder = "Comment (optional): why, or what " + meta.contender + " missed";
  comment.value = mine.comment;
  comment.addEventListener("input", () => { mine.comment = comment.value; save(); });
  card.appendChild(comment);
  card.addEventListener("focusin", () => setCurrent(index, false));
  mark();
  return card;
}

// --- the keyboard: one case is current; keys act on it -------------------------------
let current = 0;
const cards = () => document.querySelectorAll("section.case");

function setCurrent(index, focus) {
  const all = cards();
  if (!all.length) return;
  current = Math.max(0, Math.min(all.length - 1, index));
  all.forEach((card, i) => card.classList.toggle("current", i === current));
  if (focus) {
    all[current].focus({preventScroll: true});
    all[current].scrollIntoView({block: "nearest"});
  }
}

function choose(value) {
  const radio = cards()[current].querySelector("input[type=radio][value='" +
    CSS.escape(value) + "']");
  if (!radio) return;
  radio.checked = true;
  radio.dispatchEvent(new Event("change"));
  setCurrent(current + 1, true);  // answered: on to the next case
}

document.addEventListener("keydown", event => {
  const typing = /^(TEXTAREA|INPUT)$/.test(event.target.tagName) &&
    event.target.type !== "radio" && event.target.type !== "checkbox";
  if (event.key === "Escape") { if (typing) setCurrent(current, true); return; }
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const card = cards()[current];
  if (event.key === "j" || event.key === "ArrowDown") setCurrent(current + 1, true);
  else if (event.key === "k" || event.key === "ArrowUp") setCurrent(current - 1, true);
  else if (event.key === "c") card.querySelector("textarea").focus();
  else if (event.key === "d") document.getElementById("download").click();
  else if (event.key === "Enter" && meta.task === "regression") {
    card.querySelector("input[type=number]").focus();
  } else if (/^[0-9]$/.test(event.key) && meta.task !== "regression") {
    const n = Number(event.key);
    if (n === 0) choose("");
    else if (n <= choices.length - 1) choose(choices[n - 1]);
    else return;
  } else return;
  event.preventDefault();
});

// --- the download: spreadsheet-safe, named when it is made ---------------------------
const RISKY = /^[=+\-@\t\r]/, NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function csvField(value) {
  let text = String(value);
  // A cell starting like a formula runs in a spreadsheet; a leading ' shows it as text.
  if (RISKY.test(text) && !NUMBER.test(text)) text = "'" + text;
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

function filledCsv() {
  const header = [...columns, "labelled_at"];
  const lines = [header.map(csvField).join(",")];
  for (const row of data.rows) {
    const mine = answers[row[at("row_id")]] || {label: "", comment: "", at: ""};
    const out = row.slice();
    out[at("human_label")] = mine.label;
    out[at("comment")] = mine.comment;
    out.push(mine.label ? mine.at : "");
    lines.push(out.map(csvField).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

function stampNow() {
  const now = new Date(), two = n => String(n).padStart(2, "0");
  return now.getFullYear() + two(now.getMonth() + 1) + two(now.getDate()) + "-" +
    two(now.getHours()) + two(now.getMinutes());
}

document.getElementById("download").addEventListener("click", () => {
  const blob = new Blob([filledCsv()], {type: "text/csv;charset=utf-8"});
  const link = el("a");
  link.href = URL.createObjectURL(blob);
  link.download = "review-filled-" + stampNow() + ".csv";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});

// --- what the data recorded: hidden unless asked for, so it does not sway anyone -----
const showKey = storeKey + ":show-recorded";
const show = document.getElementById("show-recorded");
try { show.checked = localStorage.getItem(showKey) === "1"; } catch (e) { /* private mode */ }
const applyShow = () => {
  document.body.classList.toggle("hide-recorded", !show.checked);
  try { localStorage.setItem(showKey, show.checked ? "1" : "0"); } catch (e) { /* private */ }
};
show.addEventListener("change", applyShow);
applyShow();

document.getElementById("intro").textContent =
  (meta.reviewer ? meta.reviewer + ": " : "") + data.rows.length +
  " cases from " + meta.source + " where " + meta.contender +
  " is least sure or a mistake costs most. " +
  "Give your answer for " + meta.target + " in each case you are sure of, " +
  "add a comment where it helps, then " +
  "download the filled CSV and pass it on (" + meta.feedback_command + "). " +
  "Your answers are kept in this browser until then.";
const keys = document.getElementById("keys");
const keyHelp = [["j", "k"], "next / previous case",
  meta.task === "regression" ? ["Enter"] : ["1", "\u2026"],
  meta.task === "regression" ? "type the answer" : "answer (0: not sure)",
  ["c"], "comment", ["Esc"], "back to the case", ["d"], "download"];
keys.appendChild(document.createTextNode("Keys: "));
for (let i = 0; i < keyHelp.length; i += 2) {
  keyHelp[i].forEach(k => { keys.appendChild(el("kbd", k)); keys.append(" "); });
  keys.append(keyHelp[i + 1] + (i + 2 < keyHelp.length ? " \u00b7 " : ""));
}
const list = document.getElementById("cases");
data.rows.forEach((row, index) => list.appendChild(caseCard(row, index)));
setCurrent(0, false);
save();
"""
