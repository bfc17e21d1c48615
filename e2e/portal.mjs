// The workers' portal as people use it, in Debian's Chromium driven by playwright-core: started
// by tests/browser.rs against the real ledger and portal, with the set-up it wrote (two enrolled
// workers and their activation codes). It activates from a slip's link, signs in and is locked
// out, visits every page in English, Arabic, Nepali and Thai on a 360x640 phone (a screenshot of
// each under target/browser/, axe-core at WCAG 2 AA on each), checks the Arabic layout by
// geometry, files a report with JavaScript off and with it on, downloads the statement and
// checks it on /verify as an institution would, genuine and with one month edited. It writes what
// it saw to results.json, which the Rust test checks too, and fails at the first broken promise.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const setup = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = setup.out;
mkdirSync(out, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PHONE = { width: 360, height: 640 };
const LANGUAGES = ["en", "ar", "ne", "th"];
/** Budgets per page, in bytes (the issue's): HTML and CSS together, and script. */
const MARKUP_BYTES_MAX = 100 * 1024;
const SCRIPT_BYTES_MAX = 100 * 1024;
const results = { pages: [], checks: [] };
const check = (name) => {
  results.checks.push(name);
  console.log(`ok: ${name}`);
};

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  // This machine has no network beyond loopback: Chromium's own background connections are off.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

async function phone(locale, options = {}) {
  const context = await browser.newContext({ viewport: PHONE, locale, acceptDownloads: true, ...options });
  const page = await context.newPage();
  return { context, page };
}

const url = (path) => `${setup.portal}${path}`;

/** Sets her PIN from the slip's link, and lands on her record. */
async function activate(page, worker, code, pin) {
  await page.goto(url(`/activate#${worker}.${code.replaceAll("-", "")}`));
  // The page's script filled in both from the link, and took the code out of the address bar.
  assert.equal(await page.inputValue("#worker_id"), worker);
  assert.equal(await page.inputValue("#code"), code);
  assert.ok(!page.url().includes(code.replaceAll("-", "")), "the code leaves the address bar");
  await page.fill("#pin", pin);
  await page.fill("#pin_again", pin);
  await Promise.all([page.waitForURL(url("/me")), page.click("main button[type=submit]")]);
}

async function signIn(page, worker, pin) {
  await page.goto(url("/sign-in"));
  await page.fill("#worker_id", worker);
  await page.fill("#pin", pin);
  await page.click("main button[type=submit]");
  await page.waitForLoadState();
}

/** Every byte a page loads, by kind, from the responses of its navigation. */
function weigh(page) {
  const sizes = { markup: 0, script: 0 };
  const listener = async (response) => {
    const type = response.headers()["content-type"] ?? "";
    const body = await response.body().catch(() => Buffer.alloc(0));
    if (type.startsWith("text/html") || type.startsWith("text/css")) sizes.markup += body.length;
    else if (type.startsWith("text/javascript")) sizes.script += body.length;
  };
  page.on("response", listener);
  return () => {
    page.off("response", listener);
    return sizes;
  };
}

/** axe-core's WCAG 2 A and AA rules on the page as it is now; the violations' ids and nodes. */
async function audit(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern: the page keeps
  // its real policy, with no inline script allowed.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await globalThis.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
    return {
      passes: result.passes.length,
      violations: result.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        nodes: violation.nodes.map((node) => node.target.join(" ")),
      })),
    };
  });
}

/** Visits `path` (or stays, when null), screenshots it and audits it; returns the page's record. */
async function visit(page, lang, name, path) {
  const weighed = weigh(page);
  if (path !== null) await page.goto(url(path));
  await page.waitForLoadState("networkidle");
  const sizes = weighed();
  const screenshot = join(out, `${lang}-${name}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  const { passes, violations } = await audit(page);
  const layout = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    dir: document.documentElement.dir,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  }));
  const record = { lang, name, url: page.url(), screenshot, passes, violations, ...sizes, ...layout };
  results.pages.push(record);
  assert.equal(layout.lang, lang, `${lang} ${name}: the page is in ${layout.lang}`);
  assert.ok(layout.overflow <= 0, `${lang} ${name}: ${layout.overflow} px wider than the phone`);
  assert.deepEqual(violations, [], `${lang} ${name}: axe-core violations`);
  if (path !== null) {
    assert.ok(sizes.markup > 0 && sizes.markup <= MARKUP_BYTES_MAX, `${lang} ${name}: ${sizes.markup} bytes of HTML and CSS`);
    assert.ok(sizes.script <= SCRIPT_BYTES_MAX, `${lang} ${name}: ${sizes.script} bytes of script`);
  }
  return record;
}

const alice = setup.alice;
const bea = setup.bea;
const PIN = setup.pin;

// 1. Activation from the slip's link, then every page in four languages.
{
  const { context, page } = await phone("en");
  await activate(page, alice.id, alice.code, PIN);
  check("activation from the slip's link sets her PIN and opens her record");
  await context.close();
}

for (const lang of LANGUAGES) {
  const { context, page } = await phone(lang);
  for (const [name, path] of [
    ["start", "/"],
    ["language", "/language"],
    ["activate", "/activate"],
    ["sign-in", "/sign-in"],
    ["verify", "/verify"],
    ["not-found", "/no-such-page"],
  ]) {
    await visit(page, lang, name, path);
  }
  await signIn(page, alice.id, PIN);
  assert.equal(page.url(), url("/me"), `${lang}: signed in`);
  for (const [name, path] of [
    ["me", "/me"],
    ["record", "/record"],
    ["claims", "/claims"],
    ["statement", "/statement"],
    ["print", "/statement/print"],
    ["settings", "/settings"],
  ]) {
    await visit(page, lang, name, path);
  }
  // The report's questions, each page as she meets it.
  await page.goto(url("/claims/new?country=SA&month=2023-04"));
  await visit(page, lang, "claim-country", null);
  await page.click("main button[type=submit]");
  await page.waitForURL(url("/claims/new/employer"));
  await page.fill("#answer", "SA-EMP-0311");
  await visit(page, lang, "claim-employer", null);
  await page.click("main button[type=submit]");
  await page.waitForURL(url("/claims/new/months"));
  await visit(page, lang, "claim-months", null);
  await page.click("main button[type=submit]");
  await page.waitForURL(url("/claims/new/kind"));
  await page.check("#answer-missing_contribution");
  await visit(page, lang, "claim-kind", null);
  await page.click("main button[type=submit]");
  await page.waitForURL(url("/claims/new/evidence"));
  await visit(page, lang, "claim-evidence", null);
  await page.click("main button[type=submit]");
  await page.waitForURL(url("/claims/new/check"));
  await visit(page, lang, "claim-check", null);
  // A form sent with a wrong answer shows its error summary, which must pass too.
  await page.goto(url("/claims/new/employer"));
  await page.fill("#answer", "");
  await page.click("main button[type=submit]");
  await visit(page, lang, "claim-error", null);

  if (lang === "ar") {
    // Right to left by geometry: the heading's text ends at the right edge of the content, the
    // navigation runs from the right, and an id stays left to right inside the Arabic.
    await page.goto(url("/me"));
    const geometry = await page.evaluate(() => {
      const main = document.querySelector("main").getBoundingClientRect();
      const padding = parseFloat(getComputedStyle(document.querySelector("main")).paddingRight);
      const range = document.createRange();
      const heading = document.querySelector("h1");
      range.selectNodeContents(heading);
      const text = range.getBoundingClientRect();
      const links = [...document.querySelectorAll("nav.pages a")].map((link) => link.getBoundingClientRect());
      return {
        contentRight: main.right - padding,
        contentLeft: main.left + padding,
        textRight: text.right,
        textLeft: text.left,
        firstLink: links[0].left,
        secondLink: links[1].left,
        direction: getComputedStyle(heading).direction,
      };
    });
    assert.equal(geometry.direction, "rtl");
    assert.ok(Math.abs(geometry.textRight - geometry.contentRight) <= 2, `Arabic heading ends at the right: ${JSON.stringify(geometry)}`);
    assert.ok(geometry.firstLink > geometry.secondLink, `Arabic navigation runs from the right: ${JSON.stringify(geometry)}`);
    results.arabicGeometry = geometry;
    check("the Arabic pages lay out right to left");
  }
  await context.close();
}
check(`every page in ${LANGUAGES.join(", ")} at 360x640 has no axe-core violation at WCAG 2 AA and fits the phone`);

// 2. Lock-out: five wrong PINs in a row, and the page says what to do.
{
  const { context, page } = await phone("en");
  await activate(page, bea.id, bea.code, PIN);
  // Another worker's pages show her own record only: nothing of Alice's anywhere.
  for (const path of ["/me", "/record", "/claims", "/statement", "/statement/print"]) {
    await page.goto(url(path));
    const html = await page.content();
    if (path === "/me" || path === "/statement/print") assert.ok(html.includes(bea.id), `${path} names Bea`);
    assert.ok(!html.includes(alice.id) && !html.includes("SA-EMP-0311"), `${path} shows nothing of Alice's`);
  }
  const [download] = await Promise.all([page.waitForEvent("download"), page.goto(url("/statement/download")).catch(() => null)]);
  const own = JSON.parse(readFileSync(await download.path(), "utf8"));
  assert.equal(own.worker_id, bea.id);
  assert.ok(own.entries.length > 0 && !JSON.stringify(own).includes(alice.id));
  check("another worker signed in sees only her own record and statement");
  await page.goto(url("/me"));
  await page.click("header button[type=submit]");
  await page.waitForURL(/\/(\?.*)?$/);
  for (let attempt = 1; attempt <= 5; attempt++) {
    await signIn(page, bea.id, "141421");
  }
  const text = await page.textContent("main");
  assert.ok(text.includes(setup.messages.locked), `locked out: ${text}`);
  await signIn(page, bea.id, PIN);
  assert.ok((await page.textContent("main")).includes(setup.messages.locked), "even the right PIN");
  await page.screenshot({ path: join(out, "en-locked.png"), fullPage: true });
  check("five wrong PINs lock her access and the page says to ask her agency");
  await context.close();
}

// 3. A report with JavaScript off: the portal hashes the payslip; with it on, the phone does.
const payslip = Buffer.from("Payslip, April 2023: social insurance 270.00 SAR deducted\n".repeat(50));
const payslipDigest = createHash("sha256").update(payslip).digest("hex");
writeFileSync(join(out, "payslip.txt"), payslip);
for (const javaScriptEnabled of [false, true]) {
  const { context, page } = await phone("en", { javaScriptEnabled });
  await signIn(page, alice.id, PIN);
  await page.goto(url("/record"));
  await page.click("text=Report this month as missing");
  await page.waitForURL(url("/claims/new/country"));
  await page.click("main button[type=submit]");
  await page.fill("#answer", "SA-EMP-0311");
  await page.click("main button[type=submit]");
  await page.waitForURL(url("/claims/new/months"));
  await page.fill("#answer", javaScriptEnabled ? "2023-03" : "2023-04");
  await page.click("main button[type=submit]");
  await page.check("#answer-unremitted_deduction");
  await page.click("main button[type=submit]");
  await page.waitForURL(url("/claims/new/evidence"));
  await page.setInputFiles("#answer", { name: "payslip.txt", mimeType: "text/plain", buffer: payslip });
  const [request] = await Promise.all([
    page.waitForRequest((request) => request.url().endsWith("/claims/new/evidence") && request.method() === "POST"),
    page.click("main button[type=submit]"),
  ]);
  await page.waitForURL(url("/claims/new/check"));
  // With JavaScript the phone sends the payslip's SHA-256 alone; without, the file itself (whose
  // bytes the browser does not show here: tests/browser.rs finds its digest on the chain).
  const sent = request.postData() ?? "";
  if (javaScriptEnabled) {
    assert.ok(sent.includes('name="evidence_sha256"') && sent.includes(payslipDigest), sent);
    assert.ok(!sent.includes("Payslip, April 2023"), "the payslip stays on the phone");
  } else {
    assert.ok(!sent.includes("evidence_sha256"), "without JavaScript the portal hashes the file");
  }
  await Promise.all([page.waitForURL(url("/claims")), page.click("main button[type=submit]")]);
  const text = await page.textContent("main");
  assert.ok(text.includes("Your report was sent"), text);
  await context.close();
}
check("a report is filed one question at a time with JavaScript off (hashed by the portal) and on (hashed on the phone)");

// 3b. Her appeal of a refused report, from the list of her reports: the letter is hashed on the
// phone, and only its SHA-256 is sent (tests/browser.rs finds it on the chain).
{
  const letter = Buffer.from("Letter of appeal: my January 2022 payslip shows social insurance deducted.\n");
  const letterDigest = createHash("sha256").update(letter).digest("hex");
  writeFileSync(join(out, "letter.txt"), letter);
  const { context, page } = await phone("en");
  await signIn(page, alice.id, PIN);
  await page.goto(url("/claims"));
  await page.locator("form.appeal input[type=file]").first().setInputFiles({ name: "letter.txt", mimeType: "text/plain", buffer: letter });
  const [request] = await Promise.all([
    page.waitForRequest((request) => /\/claims\/\d+\/appeal$/.test(request.url()) && request.method() === "POST"),
    page.locator("form.appeal button[type=submit]").first().click(),
  ]);
  await page.waitForURL(url("/claims"));
  const sent = request.postData() ?? "";
  assert.ok(sent.includes(letterDigest) && !sent.includes("Letter of appeal"), sent);
  const text = await page.textContent("main");
  assert.ok(text.includes("Your appeal was sent") && text.includes("You appealed."), text);
  assert.equal(await page.locator("form.appeal").count(), 0, "appealed once: no form again");
  await context.close();
}
check("she appeals a refused report from the list of her reports, the letter hashed on the phone");

// 4. Her statement: downloaded, then checked on /verify by someone with no session.
const statementPath = join(out, "statement.json");
{
  const { context, page } = await phone("en");
  await signIn(page, alice.id, PIN);
  await page.goto(url("/statement"));
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("a[href='/statement/download']")]);
  await download.saveAs(statementPath);
  // The printed page's QR code, as a camera would see it: the screenshot's pixels, to grey.
  await page.goto(url("/statement/print"));
  const png = await page.locator(".qr svg").screenshot();
  const blank = await context.newPage();
  const grey = await blank.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext("2d");
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    const grey = [];
    for (let i = 0; i < data.length; i += 4) grey.push(Math.round((data[i] + data[i + 1] + data[i + 2]) / 3));
    return { width: bitmap.width, height: bitmap.height, grey };
  }, png.toString("base64"));
  const pgm = Buffer.concat([Buffer.from(`P5\n${grey.width} ${grey.height}\n255\n`), Buffer.from(grey.grey)]);
  writeFileSync(join(out, "print-qr.pgm"), pgm);
  results.qr = join(out, "print-qr.pgm");
  await context.close();
}

const statement = JSON.parse(readFileSync(statementPath, "utf8"));
/** The statement with the month of its first contribution moved by one: a valid record still,
 *  but not the one the ledger signed. */
function editedOneMonth(file) {
  const copy = structuredClone(file);
  for (const entry of copy.entries) {
    const bytes = Buffer.from(entry.record, "hex");
    const principal = bytes[17];
    const request = bytes[18 + principal];
    const kindAt = 19 + principal + request + 32;
    if (bytes[kindAt] !== 2) continue;
    // worker id (1 + 17), jurisdiction (2), branch (1), then the month: u16 year, u8 month.
    const monthAt = kindAt + 1 + 18 + 2 + 1 + 2;
    bytes[monthAt] = bytes[monthAt] === 12 ? 11 : bytes[monthAt] + 1;
    entry.record = bytes.toString("hex");
    return { file: copy, seq: entry.seq };
  }
  throw new Error("no contribution to edit");
}

{
  const { context, page } = await phone("en");
  await page.goto(url(`/verify#${alice.id}`));
  assert.ok((await page.textContent("#verify-expected")).includes(alice.id), "the printed record's worker is named");
  await page.setInputFiles("#statement-file", statementPath);
  await page.locator("#verify-result .verified, #verify-result .refused").waitFor();
  assert.equal(await page.locator("#verify-result .verified").count(), 1, await page.textContent("#verify-result"));
  const verdict = await page.textContent("#verify-result .verdict");
  assert.ok(verdict.includes(alice.id) && verdict.includes(String(statement.entries.length)), verdict);
  const rows = await page.locator("#verify-result tbody tr").count();
  assert.ok(rows >= 27, `${rows} contributions shown`);
  await visit(page, "en", "verify-genuine", null);
  const { file, seq } = editedOneMonth(statement);
  await page.setInputFiles("#statement-file", { name: "statement.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(file)) });
  await page.locator("#verify-result .refused").waitFor();
  // As a reader sees it: without the marks that isolate each placeable's direction.
  const refusal = (await page.textContent("#verify-result")).replace(/[\u2068\u2069]/g, "");
  assert.ok(refusal.includes(setup.messages.proof.replace("{seq}", String(seq))), refusal);
  await visit(page, "en", "verify-edited", null);
  // Another worker's statement, opened from Alice's printed page, is named as such.
  const other = { ...statement, worker_id: bea.id };
  await page.setInputFiles("#statement-file", { name: "other.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(other)) });
  await page.locator("#verify-result .refused").waitFor();
  await context.close();
  check("/verify accepts her genuine statement and refuses it with one month edited, in the browser alone");
}

// 5. A guessed session id is a stranger's: every personal page sends it to sign in.
{
  const { context, page } = await phone("en");
  const host = new URL(setup.portal).hostname;
  await context.addCookies([
    { name: "__Host-session", value: "0".repeat(64), domain: host, path: "/", secure: true, httpOnly: true, sameSite: "Strict" },
  ]);
  for (const path of ["/me", "/record", "/claims", "/statement", "/statement/download", "/statement/print", "/settings"]) {
    const response = await page.goto(url(path));
    assert.equal(new URL(page.url()).pathname, "/sign-in", `${path} with a made-up session`);
    assert.ok(response.ok());
  }
  await context.close();
  check("pages without her session send her to sign in");
}

// 6. A passkey on her own phone: added with her PIN, then her phone's lock signs her in. WebAuthn
// needs a domain, so this phone calls the portal at localhost; its authenticator is Chromium's
// virtual one, which verifies its user as a phone's fingerprint reader would.
{
  const local = setup.portal.replace("127.0.0.1", "localhost");
  const { context, page } = await phone("en");
  const devtools = await context.newCDPSession(page);
  await devtools.send("WebAuthn.enable");
  const { authenticatorId } = await devtools.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await page.goto(`${local}/sign-in`);
  await page.fill("#worker_id", alice.id);
  await page.fill("#pin", PIN);
  await Promise.all([page.waitForURL(`${local}/me`), page.click("main form[action='/sign-in'] button")]);
  await page.goto(`${local}/settings`);
  await page.locator("#passkey").waitFor();
  await page.fill("#passkey-pin", PIN);
  await Promise.all([page.waitForURL(`${local}/settings?passkey=added`), page.click("#passkey-form button")]);
  const notice = await page.textContent("main .notice");
  assert.ok(notice.includes(setup.messages.passkeyAdded), notice);
  await visit(page, "en", "settings-passkey-added", null);
  const { credentials } = await devtools.send("WebAuthn.getCredentials", { authenticatorId });
  assert.equal(credentials.length, 1, "her phone holds the one passkey");
  assert.equal(credentials[0].rpId, "localhost");
  await page.click("header button[type=submit]");
  await page.waitForURL(/\/(\?.*)?$/);
  await page.goto(`${local}/sign-in`);
  await page.locator("#passkey-sign-in").waitFor();
  await page.fill("#worker_id", alice.id);
  await Promise.all([page.waitForURL(`${local}/me`), page.click("#passkey-sign-in-form button")]);
  assert.ok((await page.content()).includes(alice.id), "her record, opened by her phone's lock");
  check("she adds a passkey with her PIN and signs in with it, no PIN typed");
  // Replacing the credential on her enrolment paper shows the new one once.
  await page.goto(`${local}/settings`);
  await Promise.all([page.waitForURL(`${local}/settings/replace-credential`), page.click("main form[action='/settings/replace-credential'] button")]);
  assert.match(await page.textContent("main code"), /^lgr_[0-9a-f]{64}$/);
  await visit(page, "en", "credential-replaced", null);
  await context.close();
}

await browser.close();
writeFileSync(join(out, "results.json"), JSON.stringify(results, null, 2));
const violations = results.pages.reduce((sum, page) => sum + page.violations.length, 0);
const passes = results.pages.reduce((sum, page) => sum + page.passes, 0);
const heaviest = (kind) => Math.max(...results.pages.map((page) => page[kind]));
console.log(
  `axe-core ${JSON.parse(readFileSync(createRequire(import.meta.url).resolve("axe-core/package.json"), "utf8")).version} ` +
    `(WCAG 2 A and AA): ${results.pages.length} pages, ${violations} violations, ${passes} passing rule checks`,
);
console.log(
  `heaviest page: ${heaviest("markup")} bytes of HTML and CSS, ${heaviest("script")} bytes of script; screenshots in ${out}`,
);
