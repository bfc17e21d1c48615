//! `ledger export` writes the log, as the server stores it, to a file that `ledger verify-export`
//! checks with no server at all: every record's hashes, every link of the chain, the Merkle root,
//! and the signed checkpoint that closes the file.
//!
//! File layout (docs/FORMAT.md): the line `ledger-export-v1\n`; then per event `u32 length ‖ record
//! ‖ chain hash (32)`; then `u32 0xFFFFFFFF`; then `u32 length ‖ checkpoint note`.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, ensure, Context};
use ledger_core::checkpoint::Verifier;
use ledger_core::merkle::Frontier;
use ledger_core::{chain_hash, event_hash, ChainHash, Record, RECORD_LEN_MAX};
use ledger_proto::v1 as pb;

pub const EXPORT_MAGIC: &[u8] = b"ledger-export-v1\n";
const END_OF_RECORDS: u32 = u32::MAX;
/// Events read per ReadEvents call while exporting.
const EXPORT_PAGE_EVENTS: u32 = 50_000;

/// Streams the log up to the checkpoint taken when the export starts, so the file is consistent
/// even while the server goes on writing.
pub async fn export(connection: &crate::cli::Connection, path: &Path) -> anyhow::Result<()> {
    let mut clients = connection.connect().await?;
    let head = clients.audit.get_chain_head(pb::GetChainHeadRequest {}).await?.into_inner();
    let mut out = BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    out.write_all(EXPORT_MAGIC)?;
    let mut next = 0;
    while next < head.size {
        let limit = EXPORT_PAGE_EVENTS.min((head.size - next) as u32);
        let mut stream =
            clients.audit.read_events(pb::ReadEventsRequest { from_seq: next, limit }).await?.into_inner();
        while let Some(event) = stream.message().await? {
            ensure!(event.seq == next, "the server sent seq {} where {next} was expected", event.seq);
            out.write_all(&(event.record.len() as u32).to_be_bytes())?;
            out.write_all(&event.record)?;
            out.write_all(&event.chain_hash)?;
            next += 1;
        }
        eprint!("\rexporting: {next}/{} events ({}%)", head.size, next * 100 / head.size.max(1));
    }
    out.write_all(&END_OF_RECORDS.to_be_bytes())?;
    out.write_all(&(head.checkpoint.len() as u32).to_be_bytes())?;
    out.write_all(head.checkpoint.as_bytes())?;
    out.flush()?;
    out.into_inner()?.sync_all()?;
    eprintln!();
    println!(
        "exported {} events to {}, closed by the signed checkpoint of that size",
        head.size,
        path.display()
    );
    Ok(())
}

/// What a verified export holds.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    pub events: u64,
    pub bytes: u64,
}

fn read_u32(input: &mut impl Read) -> std::io::Result<u32> {
    let mut bytes = [0u8; 4];
    input.read_exact(&mut bytes)?;
    Ok(u32::from_be_bytes(bytes))
}

/// Checks an export; the error names the first sequence number or part that is wrong.
pub fn verify(input: &mut impl Read, verifier_key: &str) -> anyhow::Result<Verified> {
    let verifier = Verifier::parse(verifier_key).context("the verifier key")?;
    let mut magic = vec![0u8; EXPORT_MAGIC.len()];
    input.read_exact(&mut magic).context("the header: the file is too short")?;
    ensure!(magic == EXPORT_MAGIC, "the header: not a ledger export");
    let mut bytes = EXPORT_MAGIC.len() as u64;
    let mut frontier = Frontier::default();
    let mut prev = ChainHash::GENESIS;
    let mut record = Vec::with_capacity(1024);
    loop {
        let seq = frontier.size();
        let len =
            read_u32(input).with_context(|| format!("seq {seq}: the file ends without its checkpoint"))?;
        bytes += 4;
        if len == END_OF_RECORDS {
            break;
        }
        ensure!(
            len as usize <= RECORD_LEN_MAX,
            "seq {seq}: a record of {len} bytes is longer than any record"
        );
        record.resize(len as usize, 0);
        input
            .read_exact(&mut record)
            .with_context(|| format!("seq {seq}: the file ends inside the record"))?;
        let mut stored = [0u8; 32];
        input
            .read_exact(&mut stored)
            .with_context(|| format!("seq {seq}: the file ends inside the chain hash"))?;
        bytes += u64::from(len) + 32;
        let decoded = Record::decode(&record).map_err(|error| anyhow::anyhow!("seq {seq}: {error}"))?;
        ensure!(
            decoded.seq.0 == seq,
            "seq {seq}: the record names seq {} (a record is missing, moved or repeated)",
            decoded.seq
        );
        ensure!(decoded.prev_chain_hash == prev, "seq {seq}: the record does not link to the one before");
        let leaf = event_hash(&record);
        let chain = chain_hash(&prev, &leaf);
        ensure!(chain.as_bytes() == &stored, "seq {seq}: the record does not hash to its chain hash");
        prev = chain;
        frontier.push(*leaf.as_bytes(), |_, _, _| {});
    }
    let note_len = read_u32(input).context("the checkpoint: missing")? as usize;
    ensure!(note_len <= ledger_core::checkpoint::NOTE_LEN_MAX, "the checkpoint: too long");
    let mut note = vec![0u8; note_len];
    input.read_exact(&mut note).context("the checkpoint: truncated")?;
    let mut rest = [0u8; 1];
    ensure!(input.read(&mut rest)? == 0, "the checkpoint: bytes follow it");
    bytes += 4 + note_len as u64;
    let note = String::from_utf8(note).context("the checkpoint: not UTF-8")?;
    let checkpoint = verifier.verify(&note).context("the checkpoint")?;
    if checkpoint.size != frontier.size() {
        bail!("the checkpoint: it signs {} events, the file holds {}", checkpoint.size, frontier.size());
    }
    ensure!(
        checkpoint.root == frontier.root(),
        "the checkpoint: the Merkle root of the records is not the one it signs"
    );
    Ok(Verified { events: frontier.size(), bytes })
}

pub fn verify_file(path: &Path, key: &str) -> anyhow::Result<()> {
    let key = std::fs::read_to_string(key).unwrap_or_else(|_| key.to_owned());
    let started = Instant::now();
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let verified = verify(&mut BufReader::with_capacity(1 << 20, file), key.trim())?;
    let seconds = started.elapsed().as_secs_f64();
    // The raw SHA-256 rate over the same bytes, measured now, bounds what verification can reach.
    let raw = std::fs::read(path)?;
    let hashing = Instant::now();
    std::hint::black_box(ledger_core::sha256(&raw));
    let raw_seconds = hashing.elapsed().as_secs_f64();
    let megabytes = verified.bytes as f64 / 1e6;
    println!(
        "verified {} events ({:.1} MB): records, chain, Merkle root and signed checkpoint all hold",
        verified.events, megabytes
    );
    println!(
        "offline verification {:.0} MB/s; raw SHA-256 of the same bytes {:.0} MB/s ({:.0}%)",
        megabytes / seconds.max(1e-9),
        megabytes / raw_seconds.max(1e-9),
        100.0 * raw_seconds / seconds.max(1e-9)
    );
    Ok(())
}
