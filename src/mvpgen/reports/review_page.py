"""The review page: one self-contained HTML file a reviewer opens in any browser.

The reviewer picks a label for each case (or types the right number), may add a
comment, and downloads the filled CSV; no server, no network, nothing to install.
Answers are kept in the browser as they are given, so closing the tab loses nothing.
The cases travel inside the page as JSON and are put on the page as text, never as
markup, so a value in the data cannot run as code.
"""

from __future__ import annotations

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
        "classes": review.classes,
        "source": review.source,
        "created": created.isoformat(),
        "review_id": review_id,
        "file_name": f"review-filled-{created:%Y%m%d-%H%M}.csv",
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
            f"<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
            f"style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
            f"<title>{title}</title><style>{_CSS}</style></head><body>"
            f"<header><h1>{title}</h1><p id='intro'></p>"
            f"<div class='bar'><span id='progress'></span>"
            f"<button id='download' type='button'>Download filled CSV</button></div></header>"
            f"<main id='cases'></main>"
            f"<script type='application/json' id='review-data'>{payload}</script>"
            f"<script>{_SCRIPT}</script></body></html>\n")


_CSS = """
body{font:15px/1.5 system-ui,sans-serif;color:#222;background:#f6f6f6;margin:0}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:8px 24px;
  z-index:1}
h1{font-size:20px;margin:4px 0}#intro{margin:4px 0;color:#444;max-width:70em}
.bar{display:flex;gap:16px;align-items:center}
button{font:inherit;padding:6px 14px;border-radius:6px;border:1px solid #2f6db5;
  background:#2f6db5;color:#fff;cursor:pointer}
main{max-width:980px;margin:0 auto;padding:16px 24px}
.case{background:#fff;border:1px solid #ddd;border-left:6px solid #bbb;border-radius:6px;
  padding:10px 16px;margin:12px 0}
.case.done{border-left-color:#1b7f3b}
.case h2{font-size:16px;margin:0}.why{color:#8a6d00;margin:2px 0 8px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0 0 8px}
dt{color:#666}dd{margin:0;overflow-wrap:anywhere}
.model{margin:4px 0}.choices{display:flex;flex-wrap:wrap;gap:8px;margin:6px 0}
.choices label{border:1px solid #bbb;border-radius:16px;padding:2px 12px;cursor:pointer}
.choices input{margin-right:6px}
textarea{width:100%;box-sizing:border-box;font:inherit;min-height:2.2em}
input[type=number]{font:inherit;width:12em}
"""

# Plain JavaScript, no library: the page must work offline, years from now.
_SCRIPT = r"""
"use strict";
const data = JSON.parse(document.getElementById("review-data").textContent);
const meta = data.meta, columns = data.columns;
const at = name => columns.indexOf(name);
const storeKey = "mvp-review:" + meta.review_id;
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

function caseCard(row, index) {
  const id = row[at("row_id")];
  const card = el("section", undefined, "case");
  card.dataset.rowId = id;
  card.appendChild(el("h2", "Case " + (index + 1) + " \u00b7 " + id));
  if (row[at("why")]) card.appendChild(el("p", "Why this case: " + row[at("why")], "why"));
  const facts = el("dl");
  columns.forEach((name, i) => {
    if (meta.hidden.includes(name)) return;
    facts.appendChild(el("dt", name));
    facts.appendChild(el("dd", row[i] === "" ? "(empty)" : row[i]));
  });
  card.appendChild(facts);
  let model = "The model says: " + row[at("prediction")];
  if (at("score") >= 0 && row[at("score")] !== "") model += " (score " + row[at("score")] + ")";
  if (row[at("recorded")] !== "") model += " \u00b7 the data says: " + row[at("recorded")];
  card.appendChild(el("p", model, "model"));
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
    const choices = el("div", undefined, "choices");
    choices.setAttribute("role", "radiogroup");
    choices.appendChild(el("span", "Your answer for " + meta.target + ":"));
    for (const value of [...meta.classes, ""]) {
      const option = el("label");
      const radio = el("input");
      radio.type = "radio"; radio.name = "label-" + index; radio.value = value;
      radio.checked = mine.label === value && (value !== "" || mine.at !== "");
      radio.addEventListener("change", () => { mine.label = value; stamp(); });
      option.appendChild(radio);
      option.appendChild(document.createTextNode(value === "" ? "not sure" : value));
      choices.appendChild(option);
    }
    card.appendChild(choices);
  }
  const comment = el("textarea");
  comment.dataset.field = "comment";
  comment.placeholder = "Comment (optional): why, or what the model missed";
  comment.value = mine.comment;
  comment.addEventListener("input", () => { mine.comment = comment.value; save(); });
  card.appendChild(comment);
  mark();
  return card;
}

function csvField(value) {
  const text = String(value);
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

document.getElementById("download").addEventListener("click", () => {
  const blob = new Blob([filledCsv()], {type: "text/csv;charset=utf-8"});
  const link = el("a");
  link.href = URL.createObjectURL(blob);
  link.download = meta.file_name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});

document.getElementById("intro").textContent =
  (meta.reviewer ? meta.reviewer + ": " : "") + data.rows.length +
  " cases from " + meta.source + " where the model is least sure or a mistake costs most. " +
  "Give your answer for " + meta.target + " in each case you are sure of, " +
  "add a comment where it helps, then " +
  "download the filled CSV and pass it on (" + meta.feedback_command + "). " +
  "Your answers are kept in this browser until then.";
const list = document.getElementById("cases");
data.rows.forEach((row, index) => list.appendChild(caseCard(row, index)));
save();
"""
