// An independent verifier of the ledger's portable statements, written from docs/FORMAT.md alone
// (not translated from the Rust verifier), on the browser's own WebCrypto: SHA-256 and Ed25519.
// It runs wherever the bytes are: in the worker's browser on /verify, and under Node.js in the
// portal's browser suite, which also runs it over the format's test vectors in test-data/. Nothing
// here touches the network or the page.

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Largest statement file read, in bytes: the command line's bound. */
export const STATEMENT_FILE_LEN_MAX = 256 * 1024 * 1024;
/** The statement file's format name. */
export const STATEMENT_FORMAT = "ledger-statement-v1";
/** Largest record, in bytes. */
const RECORD_LEN_MAX = 66560;
/** Largest amount, in minor units. */
const AMOUNT_MAX = 10n ** 12n;
/** Most signature lines a note may carry. */
const NOTE_SIGNATURES_MAX = 64;
/** Most months a period or a claim spans. */
const SPAN_MONTHS_MAX = 120;

/** Why a statement, a record or a note did not verify. `code` names the kind of failure for the
 *  page's message; `seq` is the entry's, when it is about one. */
export class VerifyError extends Error {
  constructor(code, detail, seq) {
    super(seq === undefined ? detail : `entry ${seq}: ${detail}`);
    this.code = code;
    this.seq = seq;
  }
}

// ---- bytes ----

export function fromHex(text) {
  if (typeof text !== "string" || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new Error("not hex");
  }
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.substr(2 * i, 2), 16);
  return bytes;
}

export function toHex(bytes) {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function fromBase64(text) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error("not base64");
  const binary = atob(text);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function equal(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export async function sha256(...parts) {
  return new Uint8Array(await subtle.digest("SHA-256", concat(...parts)));
}

/** The event hash of a record: its RFC 6962 Merkle leaf hash. */
export function eventHash(record) {
  return sha256(Uint8Array.of(0x00), record);
}

/** The chain hash after a record whose event hash is `event`. */
export function chainHash(previous, event) {
  return sha256(Uint8Array.of(0x02), previous, event);
}

// ---- records (docs/FORMAT.md, "Records") ----

const CROCKFORD = /^W[0-9A-HJKMNP-TV-Z]{16}$/;
const EVENT_NAMES = {
  1: "WorkerEnrolled",
  2: "ContributionRecorded",
  3: "ContributionReversed",
  4: "PeriodCredited",
  5: "RulesAdopted",
  6: "EntitlementGranted",
  7: "EntitlementStatusChanged",
  8: "BenefitPaid",
  9: "ResidenceChanged",
  10: "ClaimFiled",
  11: "ClaimResolved",
  12: "CredentialReplaced",
  13: "ContributionCorrected",
  14: "BenefitApplied",
  15: "ContributionRecorded",
  16: "PeriodCertified",
  17: "AccessChanged",
  18: "RecruitmentCostRecorded",
  19: "ConsentChanged",
  20: "ClaimAppealed",
  21: "AppealDecided",
};

class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.at = 0;
  }
  take(n) {
    if (this.at + n > this.bytes.length) throw new Error("the record ends early");
    const part = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return part;
  }
  u8() {
    return this.take(1)[0];
  }
  u16() {
    const [a, b] = this.take(2);
    return (a << 8) | b;
  }
  u32() {
    const b = this.take(4);
    return ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
  }
  u64() {
    return this.take(8).reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
  }
  i64() {
    const value = this.u64();
    return value >= 1n << 63n ? value - (1n << 64n) : value;
  }
  text(length) {
    try {
      return strictUtf8.decode(this.take(length));
    } catch {
      throw new Error("a string is not UTF-8");
    }
  }
  str8() {
    return this.text(this.u8());
  }
  str16() {
    return this.text(this.u16());
  }
  ascii(length, pattern, what) {
    const text = String.fromCharCode(...this.take(length));
    if (!pattern.test(text)) throw new Error(`${what} is not valid`);
    return text;
  }
  jurisdiction() {
    return this.ascii(2, /^[A-Z]{2}$/, "a jurisdiction");
  }
  /** A jurisdiction, or `00 00` for none. */
  optionalJurisdiction() {
    const [a, b] = this.bytes.subarray(this.at, this.at + 2);
    if (a === 0 && b === 0) {
      this.take(2);
      return null;
    }
    return this.jurisdiction();
  }
  currency() {
    return this.ascii(3, /^[A-Z]{3}$/, "a currency");
  }
  workerId() {
    const length = this.u8();
    if (length !== 17) throw new Error("a worker id is not 17 bytes");
    return this.ascii(17, CROCKFORD, "a worker id");
  }
  amount() {
    const value = this.u64();
    if (value > AMOUNT_MAX) throw new Error("an amount is above 10^12");
    return value;
  }
  code(low, high, what) {
    const value = this.u8();
    if (value < low || value > high) throw new Error(`${what} ${value} is not known`);
    return value;
  }
  branch() {
    return this.code(1, 9, "branch");
  }
  month() {
    const year = this.u16();
    const month = this.u8();
    if (month < 1 || month > 12) throw new Error("a month is not 1 to 12");
    return { year, month };
  }
  optionalMonth() {
    const b = this.bytes.subarray(this.at, this.at + 3);
    if (b.length === 3 && b[0] === 0 && b[1] === 0 && b[2] === 0) {
      this.take(3);
      return null;
    }
    return this.month();
  }
  date() {
    const { year, month } = this.month();
    const day = this.u8();
    const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (day < 1 || day > days) throw new Error("a date is not a day of its month");
    return { year, month, day };
  }
  /** A text of `low` to `high` bytes without control characters. */
  plain(length, low, high, what) {
    if (length < low || length > high) throw new Error(`${what} is not ${low} to ${high} bytes`);
    const text = this.text(length);
    if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) throw new Error(`${what} holds a control character`);
    if (text.trim() === "") throw new Error(`${what} is only white space`);
    return text;
  }
  reason() {
    return this.plain(this.u16(), 1, 512, "a reason");
  }
  employerRef() {
    return this.plain(this.u8(), 1, 64, "an employer reference");
  }
  end() {
    if (this.at !== this.bytes.length) throw new Error("bytes follow the record");
  }
}

function monthIndex({ year, month }) {
  return year * 12 + month - 1;
}

/** A period's worker, jurisdiction, branch and months from `from` to `to` (kinds 4 and 16);
 *  answers how many months it spans, 1 to 120. */
function period(r, event, what) {
  event.workerId = r.workerId();
  event.jurisdiction = r.jurisdiction();
  event.branch = r.branch();
  event.from = r.month();
  event.to = r.month();
  const span = monthIndex(event.to) - monthIndex(event.from) + 1;
  if (span < 1 || span > SPAN_MONTHS_MAX) throw new Error(`${what} is not 1 to 120 months`);
  return span;
}

/** Decodes one record; throws when it is not exactly one valid record of format version 1. */
export async function decodeRecord(bytes) {
  if (bytes.length > RECORD_LEN_MAX) throw new Error(`the record is longer than ${RECORD_LEN_MAX} bytes`);
  const r = new Reader(bytes);
  const version = r.u8();
  if (version !== 1) throw new Error(`format version ${version} is not known`);
  const seq = r.u64();
  const recordedAt = r.i64();
  const principalLength = r.u8();
  if (principalLength < 1 || principalLength > 64) throw new Error("the principal is not 1 to 64 bytes");
  const principal = r.ascii(principalLength, /^[a-z0-9._-]+$/, "the principal");
  const requestLength = r.u8();
  if (requestLength < 1 || requestLength > 128) throw new Error("the request id is not 1 to 128 bytes");
  const requestId = r.ascii(requestLength, /^[\x21-\x7e]+$/, "the request id");
  const prevChainHash = r.take(32).slice();
  const kind = r.u8();
  const event = { kind, name: EVENT_NAMES[kind] };
  switch (kind) {
    case 1:
      event.workerId = r.workerId();
      event.origin = r.jurisdiction();
      event.jurisdiction = r.jurisdiction();
      event.sex = r.code(0, 3, "sex");
      event.birthMonth = r.optionalMonth();
      break;
    case 2:
    case 15:
      event.workerId = r.workerId();
      event.jurisdiction = r.jurisdiction();
      event.branch = r.branch();
      event.month = r.month();
      event.currency = r.currency();
      event.insuredWage = r.amount();
      event.employerShare = r.amount();
      event.workerShare = r.amount();
      event.employerRef = r.employerRef();
      event.sector = r.code(1, 8, "sector");
      event.voluntary = kind === 15;
      break;
    case 3:
      event.reversedSeq = r.u64();
      event.workerId = r.workerId();
      event.jurisdiction = r.jurisdiction();
      event.reason = r.reason();
      break;
    case 4:
      period(r, event, "a credited period");
      event.creditKind = r.code(1, 6, "credit kind");
      break;
    case 5: {
      event.digest = r.take(32).slice();
      const length = r.u32();
      if (length > 65536) throw new Error("the rules document is longer than 65,536 bytes");
      const document = r.take(length);
      if (!equal(await sha256(document), event.digest)) throw new Error("the rules document's digest differs");
      try {
        event.document = strictUtf8.decode(document);
      } catch {
        throw new Error("the rules document is not UTF-8");
      }
      break;
    }
    case 6:
      event.workerId = r.workerId();
      event.jurisdiction = r.jurisdiction();
      event.branch = r.branch();
      event.currency = r.currency();
      event.monthlyAmount = r.amount();
      event.start = r.month();
      break;
    case 7:
      event.entitlement = r.u64();
      event.workerId = r.workerId();
      event.jurisdiction = r.jurisdiction();
      event.change = r.code(1, 3, "entitlement change");
      event.effective = r.month();
      event.reason = r.reason();
      break;
    case 8:
      event.entitlement = r.u64();
      event.workerId = r.workerId();
      event.jurisdiction = r.jurisdiction();
      event.month = r.month();
      event.currency = r.currency();
      event.amount = r.amount();
      event.paidInto = r.jurisdiction();
      break;
    case 9:
      event.workerId = r.workerId();
      event.country = r.jurisdiction();
      event.from = r.month();
      break;
    case 10: {
      event.workerId = r.workerId();
      event.jurisdiction = r.jurisdiction();
      event.filedVia = r.optionalJurisdiction();
      event.claimKind = r.code(1, 6, "claim kind");
      event.employerRef = r.employerRef();
      const count = r.u8();
      if (count < 1 || count > SPAN_MONTHS_MAX) throw new Error("a claim names 0 or more than 120 months");
      event.months = [];
      for (let i = 0; i < count; i++) {
        const month = r.month();
        if (i > 0 && monthIndex(month) <= monthIndex(event.months[i - 1])) {
          throw new Error("a claim's months are not strictly ascending");
        }
        event.months.push(month);
      }
      event.currency = r.currency();
      const present = r.code(0, 1, "amount flag");
      event.amount = present ? r.amount() : null;
      event.evidenceSha256 = r.take(32).slice();
      event.respondBy = r.date();
      if (event.respondBy.year < 1900 || event.respondBy.year > 9999) throw new Error("respond_by is out of range");
      break;
    }
    case 11:
    case 21: {
      event.claim = r.u64();
      event.workerId = r.workerId();
      event.jurisdiction = r.jurisdiction();
      event.outcome = r.code(1, 2, "outcome");
      const length = r.u16();
      event.reason = length === 0 ? "" : r.plain(length, 1, 512, "a reason");
      event.contributions = r.u32();
      if (event.outcome === 2 && (event.reason === "" || event.contributions !== 0)) {
        throw new Error("a rejection without a reason, or with contributions");
      }
      break;
    }
    case 12:
      event.workerId = r.workerId();
      event.resetBy = r.optionalJurisdiction();
      break;
    case 13:
      event.correctedSeq = r.u64();
      event.workerId = r.workerId();
      event.jurisdiction = r.jurisdiction();
      event.branch = r.branch();
      event.month = r.month();
      event.currency = r.currency();
      event.before = [r.amount(), r.amount(), r.amount()];
      event.after = [r.amount(), r.amount(), r.amount()];
      if (event.after[1] > event.after[0] || event.after[2] > event.after[0]) {
        throw new Error("a corrected share is above the wage");
      }
      event.reason = r.reason();
      break;
    case 14:
      event.workerId = r.workerId();
      event.jurisdiction = r.jurisdiction();
      event.branch = r.branch();
      event.riskDate = r.date();
      break;
    case 16: {
      const span = period(r, event, "a certified period");
      event.unit = r.code(1, 4, "unit");
      event.quantity = r.u32();
      event.insurance = r.code(1, 2, "insurance");
      event.months = r.u16();
      if (event.months > span) throw new Error("more months counted than the period spans");
      break;
    }
    case 18: {
      event.workerId = r.workerId();
      event.origin = r.jurisdiction();
      event.destination = r.jurisdiction();
      if (event.origin === event.destination) throw new Error("a corridor's origin and destination are the same");
      event.licensedIn = r.jurisdiction();
      event.licence = r.plain(r.u8(), 1, 64, "a licence");
      event.purpose = r.code(1, 5, "purpose");
      event.currency = r.currency();
      event.amount = r.amount();
      event.paidBy = r.code(1, 3, "payer");
      const lender = r.u8();
      event.lender = lender === 0 ? null : r.plain(lender, 1, 64, "a lender");
      if ((event.lender !== null) !== (event.paidBy === 3)) throw new Error("a lender is named exactly for a loan");
      const employer = r.u8();
      event.employerRef = employer === 0 ? null : r.plain(employer, 1, 64, "an employer reference");
      event.paidIn = r.month();
      event.evidenceSha256 = r.take(32).slice();
      event.declared = r.code(0, 1, "declared flag") === 1;
      break;
    }
    case 17:
      event.workerId = r.workerId();
      event.change = r.code(1, 3, "access change");
      if (event.change === 2) event.failedAttempts = r.u8();
      break;
    case 19: {
      event.workerId = r.workerId();
      const organisation = r.u8();
      if (organisation < 1 || organisation > 64) throw new Error("the organisation is not 1 to 64 bytes");
      event.organisation = r.ascii(organisation, /^[a-z0-9._-]+$/, "the organisation");
      event.registeredIn = r.jurisdiction();
      event.granted = r.code(1, 2, "consent change") === 1;
      break;
    }
    case 20: {
      event.claim = r.u64();
      event.workerId = r.workerId();
      event.jurisdiction = r.jurisdiction();
      event.filedVia = r.optionalJurisdiction();
      const body = r.u8();
      if (body < 1 || body > 64) throw new Error("the appeal body is not 1 to 64 bytes");
      event.appealBody = r.ascii(body, /^[a-z0-9._-]+$/, "the appeal body");
      event.groundsSha256 = r.take(32).slice();
      event.respondBy = r.date();
      if (event.respondBy.year < 1900 || event.respondBy.year > 9999) throw new Error("respond_by is out of range");
      break;
    }
    default:
      throw new Error(`event kind ${kind} is not known`);
  }
  r.end();
  return { seq, recordedAt, principal, requestId, prevChainHash, event };
}

// ---- the Merkle tree (RFC 9162 2.1.3.2) ----

/** Whether `proof` leads from the leaf hash `leaf` at `index` to `root` in a tree of `size`. */
export async function verifyInclusion(index, size, leaf, proof, root) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(Uint8Array.of(0x01), p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await sha256(Uint8Array.of(0x01), r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

// ---- keys and signed notes (docs/FORMAT.md, "Checkpoints" and "Cosignatures") ----

/** A verifier key `<name>+<hash, 8 hex>+<base64(type ‖ public key)>` of signature type `type`
 *  (0x01 a log key, 0x04 a cosigner's). */
export async function parseKey(text, type) {
  // The base64 may hold "+" itself: the name and the hash are the first two fields.
  const [name0, hash0, ...rest] = text.trim().split("+");
  const parts = [name0, hash0, rest.join("+")];
  if (rest.length === 0 || !/^[^\s+]+$/.test(parts[0]) || !/^[0-9a-f]{8}$/.test(parts[1])) {
    throw new VerifyError("key", "a verifier key is <name>+<8 hex digits>+<base64>");
  }
  const [name, hash] = parts;
  let encoded;
  try {
    encoded = fromBase64(parts[2]);
  } catch {
    throw new VerifyError("key", "the key is not base64");
  }
  if (encoded.length !== 33 || encoded[0] !== type) throw new VerifyError("key", "not an Ed25519 key of that kind");
  const id = (await sha256(encoder.encode(`${name}\n`), encoded)).slice(0, 4);
  if (toHex(id) !== hash) throw new VerifyError("key", "the key hash does not match the key");
  const key = await subtle.importKey("raw", encoded.slice(1), { name: "Ed25519" }, false, ["verify"]);
  return { name, id, key, text: text.trim() };
}

/** A signed note taken apart: its body (the text signed, with its final newline) and its
 *  signature lines as { name, bytes }. */
function parseNote(note) {
  if (typeof note !== "string") throw new VerifyError("checkpoint", "the checkpoint is not text");
  if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(note)) {
    throw new VerifyError("checkpoint", "the note holds a control character");
  }
  if (!note.endsWith("\n")) throw new VerifyError("checkpoint", "the note does not end with a newline");
  const blank = note.lastIndexOf("\n\n");
  if (blank < 0) throw new VerifyError("checkpoint", "the note has no signatures");
  const body = note.slice(0, blank + 1);
  const lines = note.slice(blank + 2, -1).split("\n");
  if (lines.length > NOTE_SIGNATURES_MAX) throw new VerifyError("checkpoint", "too many signature lines");
  const signatures = lines.map((line) => {
    const match = /^\u2014 ([^\s+]+) (\S+)$/.exec(line);
    let bytes;
    try {
      bytes = match && fromBase64(match[2]);
    } catch {
      bytes = null;
    }
    if (!bytes || bytes.length <= 4) throw new VerifyError("checkpoint", "a signature line is malformed");
    return { name: match[1], bytes };
  });
  return { body, signatures };
}

/** The checkpoint a note signs, when the log key `log` signed it; with the cosigners of
 *  `cosigners` (keys of type 0x04) whose cosignatures it carries. A signature line by a key held
 *  that does not verify refuses the whole note. */
export async function verifyCheckpoint(note, log, cosigners = []) {
  const { body, signatures } = parseNote(note);
  const signed = encoder.encode(body);
  let logSigned = false;
  const cosignedBy = [];
  for (const { name, bytes } of signatures) {
    if (name === log.name && equal(bytes.subarray(0, 4), log.id)) {
      if (bytes.length !== 68) throw new VerifyError("checkpoint", "the log's signature is not 64 bytes");
      if (!(await subtle.verify({ name: "Ed25519" }, log.key, bytes.subarray(4), signed))) {
        throw new VerifyError("checkpoint", "the log's signature does not verify");
      }
      logSigned = true;
      continue;
    }
    for (const cosigner of cosigners) {
      if (name !== cosigner.name || !equal(bytes.subarray(0, 4), cosigner.id)) continue;
      if (bytes.length !== 76) throw new VerifyError("checkpoint", `the cosignature of ${name} is malformed`);
      const time = new Reader(bytes.subarray(4, 12)).u64();
      const message = concat(encoder.encode(`cosignature/v1\ntime ${time}\n`), signed);
      if (!(await subtle.verify({ name: "Ed25519" }, cosigner.key, bytes.subarray(12), message))) {
        throw new VerifyError("checkpoint", `the cosignature of ${name} does not verify`);
      }
      if (!cosignedBy.some((seen) => seen.name === name)) cosignedBy.push({ name, time });
    }
  }
  if (!logSigned) throw new VerifyError("checkpoint", "the note carries no signature by the log's key");
  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3) throw new VerifyError("checkpoint", "the checkpoint has fewer than three lines");
  const [origin, sizeText, rootText] = lines;
  if (origin !== log.name) throw new VerifyError("checkpoint", "the checkpoint's origin is not the key's name");
  if (!/^(0|[1-9][0-9]{0,19})$/.test(sizeText)) throw new VerifyError("checkpoint", "the tree size is not decimal");
  let root;
  try {
    root = fromBase64(rootText);
  } catch {
    root = null;
  }
  if (!root || root.length !== 32) throw new VerifyError("checkpoint", "the root is not 32 bytes of base64");
  return { origin, size: BigInt(sizeText), root, cosignedBy };
}

// ---- portable statements (docs/FORMAT.md, "Portable statements") ----

/** Checks a statement file's text against the log key `log` (from `parseKey(…, 1)`) and the
 *  cosigners held; returns the checkpoint and every entry decoded. Throws a VerifyError. */
export async function verifyStatement(text, log, cosigners = []) {
  let file;
  try {
    file = JSON.parse(text);
  } catch {
    throw new VerifyError("file", "not JSON");
  }
  const fields = ["format", "worker_id", "checkpoint", "tree_size", "entries"];
  if (
    typeof file !== "object" ||
    file === null ||
    Object.keys(file).some((key) => !fields.includes(key)) ||
    fields.some((key) => !(key in file))
  ) {
    throw new VerifyError("file", "not a statement file");
  }
  if (file.format !== STATEMENT_FORMAT) throw new VerifyError("file", `not of format ${STATEMENT_FORMAT}`);
  if (!Number.isSafeInteger(file.tree_size) || file.tree_size < 0 || !Array.isArray(file.entries)) {
    throw new VerifyError("file", "not a statement file");
  }
  if (typeof file.worker_id !== "string") throw new VerifyError("file", "not a statement file");
  const checkpoint = await verifyCheckpoint(file.checkpoint, log, cosigners);
  if (checkpoint.size !== BigInt(file.tree_size)) {
    throw new VerifyError("checkpoint", `the checkpoint is for ${checkpoint.size} events, the file says ${file.tree_size}`);
  }
  if (file.entries.length === 0) throw new VerifyError("empty", "the statement has no entries");
  const records = [];
  let previous = -1n;
  for (const entry of file.entries) {
    if (
      typeof entry !== "object" ||
      entry === null ||
      Object.keys(entry).some((key) => !["seq", "record", "inclusion_proof"].includes(key)) ||
      !Number.isSafeInteger(entry.seq) ||
      entry.seq < 0 ||
      !Array.isArray(entry.inclusion_proof)
    ) {
      throw new VerifyError("file", "an entry is not { seq, record, inclusion_proof }");
    }
    const seq = BigInt(entry.seq);
    const fail = (code, detail) => new VerifyError(code, detail, entry.seq);
    let bytes;
    let proof;
    try {
      bytes = fromHex(entry.record);
      proof = entry.inclusion_proof.map(fromHex);
    } catch {
      throw fail("record", "not hex");
    }
    if (proof.some((hash) => hash.length !== 32)) throw fail("record", "a proof hash is not 32 bytes");
    let record;
    try {
      record = await decodeRecord(bytes);
    } catch (error) {
      throw fail("record", `the record does not decode: ${error.message}`);
    }
    if (record.seq !== seq) throw fail("record", `the record names seq ${record.seq}`);
    if (seq <= previous) throw fail("record", "out of order");
    previous = seq;
    if (record.event.workerId !== file.worker_id) throw fail("record", `the event is not about ${file.worker_id}`);
    if (!(await verifyInclusion(seq, checkpoint.size, await eventHash(bytes), proof, checkpoint.root))) {
      throw fail("proof", "not in the log the checkpoint signs");
    }
    records.push(record);
  }
  return { workerId: file.worker_id, checkpoint, records };
}

/** The contributions of verified records, as a projection sees them: each with the figures of
 *  its last correction, and marked when reversed. */
export function contributions(records) {
  const bySeq = new Map();
  for (const { seq, event } of records) {
    if (event.kind === 2 || event.kind === 15) {
      bySeq.set(seq, { ...event, seq, reversed: false, corrected: false });
    } else if (event.kind === 3 && bySeq.has(event.reversedSeq)) {
      bySeq.get(event.reversedSeq).reversed = true;
    } else if (event.kind === 13 && bySeq.has(event.correctedSeq)) {
      const row = bySeq.get(event.correctedSeq);
      [row.insuredWage, row.employerShare, row.workerShare] = event.after;
      row.corrected = true;
    }
  }
  return [...bySeq.values()].sort(
    (a, b) => a.jurisdiction.localeCompare(b.jurisdiction) || monthIndex(a.month) - monthIndex(b.month),
  );
}
