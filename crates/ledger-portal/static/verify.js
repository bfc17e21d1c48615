// /verify: reads the statement file chosen on this phone (it is never sent anywhere), checks it
// with verify-lib.js against the verifier key built into the page, and says what it found in the
// reader's language. A link from a printed statement (/verify#WORKER) names the worker the file
// must be of.
import {
  STATEMENT_FILE_LEN_MAX,
  VerifyError,
  contributions,
  parseKey,
  verifyStatement,
} from "/static/verify-lib.js";

const root = document.getElementById("verify");
const input = document.getElementById("statement-file");
const result = document.getElementById("verify-result");
const texts = JSON.parse(root.dataset.messages);
const lang = document.documentElement.lang;
const expected = /^#(W[0-9A-HJKMNP-TV-Z]{16})$/.exec(window.location.hash)?.[1] ?? null;

/** A message with its `{name}` placeholders filled in. */
function say(key, values = {}) {
  return texts[key].replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

const integer = new Intl.NumberFormat(lang, { useGrouping: false });
const grouped = new Intl.NumberFormat(lang);

function money(currency, minor) {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    // An unknown code keeps two digits, as most currencies have.
  }
  const text = minor.toString().padStart(digits + 1, "0");
  const decimal = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  const number = new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${currency}\u00a0${number.format(decimal)}`;
}

function month({ year, month }) {
  return say("monthYear", { month: texts.months[month - 1], year: integer.format(year) });
}

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** An id kept left to right inside text of either direction. */
function isolated(text) {
  return `\u2068${text}\u2069`;
}

function showRefusal(error) {
  const reason =
    error instanceof VerifyError && error.code in texts
      ? say(error.code, { seq: grouped.format(error.seq ?? 0), found: isolated(error.found ?? ""), expected: isolated(expected ?? "") })
      : say("file");
  const box = element("div", undefined, { class: "refused" });
  box.append(element("p", say("failed"), { class: "verdict" }), element("p", reason));
  box.append(element("p", error.message, { class: "meta", lang: "en", dir: "ltr" }));
  result.replaceChildren(box);
}

function showVerified(verified, cosignerCount) {
  const box = element("div", undefined, { class: "verified" });
  box.append(
    element(
      "p",
      say("ok", {
        worker: isolated(verified.workerId),
        count: grouped.format(verified.records.length),
        size: grouped.format(verified.checkpoint.size),
      }),
      { class: "verdict" },
    ),
  );
  if (cosignerCount > 0) {
    box.append(element("p", say("cosigned", { count: grouped.format(verified.checkpoint.cosignedBy.length), total: grouped.format(cosignerCount) })));
  }
  const rows = contributions(verified.records);
  if (rows.length > 0) {
    const table = element("table");
    table.append(element("caption", say("contributions")));
    const head = element("tr");
    for (const column of texts.columns.split("|")) head.append(element("th", column.trim(), { scope: "col" }));
    const thead = element("thead");
    thead.append(head);
    table.append(thead);
    const body = element("tbody");
    for (const row of rows) {
      const line = element("tr", undefined, row.reversed ? { class: "reversed" } : {});
      line.append(element("td", month(row.month)));
      line.append(element("td", texts.countries[row.jurisdiction] ?? row.jurisdiction));
      const wage = money(row.currency, row.insuredWage);
      line.append(element("td", row.reversed ? `${wage} (${say("reversed")})` : wage, { class: "amount" }));
      body.append(line);
    }
    table.append(body);
    box.append(table);
  }
  result.replaceChildren(box);
}

async function check(file) {
  result.replaceChildren(element("p", say("working")));
  if (file.size > STATEMENT_FILE_LEN_MAX) {
    showRefusal(new VerifyError("large", `larger than ${STATEMENT_FILE_LEN_MAX} bytes`));
    return;
  }
  let verified;
  let cosignerCount;
  try {
    const log = await parseKey(root.dataset.logKey, 0x01);
    const cosignerKeys = root.dataset.cosigners.split(" ").filter(Boolean);
    const cosigners = await Promise.all(cosignerKeys.map((key) => parseKey(key, 0x04)));
    cosignerCount = cosigners.length;
    verified = await verifyStatement(await file.text(), log, cosigners);
    if (expected !== null && verified.workerId !== expected) {
      const error = new VerifyError("worker", `the statement is of ${verified.workerId}, not ${expected}`);
      error.found = verified.workerId;
      throw error;
    }
  } catch (error) {
    showRefusal(error);
    return;
  }
  // Shown only once every check passed: nothing of a refused file is displayed.
  showVerified(verified, cosignerCount);
}

if (expected !== null) {
  const line = document.getElementById("verify-expected");
  line.textContent = say("expected", { worker: isolated(expected) });
  line.hidden = false;
}
input.addEventListener("change", () => {
  if (input.files.length === 1) check(input.files[0]);
});
root.hidden = false;
