// The browser's verifier (crates/ledger-portal/static/verify-lib.js), run under Node.js over the
// format's test vectors: every record decodes, hashes and chains as test-data says, and the
// checkpoint of test-data/checkpoint-v1.txt verifies with its key and signs the Merkle root of the
// first thirteen records. Run by tests/browser.rs before the browser starts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  chainHash,
  decodeRecord,
  eventHash,
  fromHex,
  parseKey,
  sha256,
  toHex,
  verifyCheckpoint,
  verifyInclusion,
} from "../crates/ledger-portal/static/verify-lib.js";

const root = new URL("..", import.meta.url);
const lines = (path) =>
  readFileSync(new URL(path, root), "utf8")
    .split("\n")
    .filter((line) => line && !line.startsWith("#"));

async function merkleRoot(leaves) {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Uint8Array.of(1), await merkleRoot(leaves.slice(0, k)), await merkleRoot(leaves.slice(k)));
}

// The records: decode, event hash, chain hash.
let previous = new Uint8Array(32);
const leaves = [];
const kinds = new Set();
for (const line of lines("test-data/records-v1.txt")) {
  const [seq, record, event, chain] = line.split(" ");
  const bytes = fromHex(record);
  const decoded = await decodeRecord(bytes);
  assert.equal(decoded.seq, BigInt(seq), `vector ${seq} names its seq`);
  assert.equal(toHex(decoded.prevChainHash), toHex(previous), `vector ${seq} links to the one before`);
  const leaf = await eventHash(bytes);
  assert.equal(toHex(leaf), event, `vector ${seq}: event hash`);
  previous = await chainHash(previous, leaf);
  assert.equal(toHex(previous), chain, `vector ${seq}: chain hash`);
  leaves.push(leaf);
  kinds.add(decoded.event.kind);
  // One byte more, or one fewer, is not a record.
  await assert.rejects(decodeRecord(Uint8Array.from([...bytes, 0])), `vector ${seq} with a trailing byte`);
  await assert.rejects(decodeRecord(bytes.subarray(0, bytes.length - 1)), `vector ${seq} cut short`);
}
console.log(`records: ${leaves.length} vectors of ${kinds.size} event kinds decode and chain`);

// The reference tree's roots, and every inclusion proof in it.
const referenceRoots = lines("test-data/merkle-reference-roots.txt");
const referenceLeaves = [
  "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
].map((hex) => fromHex(hex));
for (let size = 1; size <= 8; size++) {
  const hashed = await Promise.all(referenceLeaves.slice(0, size).map((leaf) => eventHash(leaf)));
  assert.equal(toHex(await merkleRoot(hashed)), referenceRoots[size - 1], `reference root of ${size}`);
}
async function path(leaves, index) {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return index < k
    ? [...(await path(leaves.slice(0, k), index)), await merkleRoot(leaves.slice(k))]
    : [...(await path(leaves.slice(k), index - k)), await merkleRoot(leaves.slice(0, k))];
}
for (let size = 1; size <= leaves.length; size++) {
  const tree = leaves.slice(0, size);
  const top = await merkleRoot(tree);
  for (let index = 0; index < size; index++) {
    const proof = await path(tree, index);
    assert.ok(await verifyInclusion(BigInt(index), BigInt(size), tree[index], proof, top), `proof ${index} of ${size}`);
    if (size > 1) {
      assert.ok(!(await verifyInclusion(BigInt(index), BigInt(size), tree[(index + 1) % size], proof, top)));
    }
  }
}
console.log(`inclusion proofs: every leaf of every tree up to ${leaves.length} verifies, and no other leaf does`);

// The checkpoint vector.
const [key, ...note] = readFileSync(new URL("test-data/checkpoint-v1.txt", root), "utf8").split("\n");
const log = await parseKey(key, 0x01);
const checkpoint = await verifyCheckpoint(note.join("\n"), log);
assert.equal(checkpoint.size, 13n);
assert.equal(toHex(checkpoint.root), toHex(await merkleRoot(leaves.slice(0, 13))));
const text = note.join("\n");
await assert.rejects(verifyCheckpoint(text.replace("\n13\n", "\n14\n"), log), "another size");
console.log("checkpoint: the vector's signature verifies and signs the root of the first 13 records");
