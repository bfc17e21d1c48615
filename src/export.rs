//! `ledger export` writes the log, as the server stores it, to a file that `ledger verify-export`
//! checks with no server at all (`ledger_verify::export`): every record's hashes, every link of
//! the chain, the Merkle root, and the signed checkpoint that closes the file.
//!
//! File layout (docs/FORMAT.md): the line `ledger-export-v1\n`; then per event `u32 length ‖ record
//! ‖ chain hash (32)`; then `u32 0xFFFFFFFF`; then `u32 length ‖ checkpoint note`.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{ensure, Context};
use ledger_core::RECORD_LEN_MAX;
use ledger_proto::v1 as pb;
use ledger_verify::export::{read_u32, verify, END_OF_RECORDS, EXPORT_MAGIC};

use crate::trust::Trust;

/// Events read per ReadEvents call while exporting.
const EXPORT_PAGE_EVENTS: u32 = 50_000;

/// Streams the log up to the checkpoint taken when the export starts, so the file is consistent
/// even while the server goes on writing.
pub async fn export(connection: &crate::connection::Connection, path: &Path) -> anyhow::Result<u64> {
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
    Ok(head.size)
}

/// The records of an export, in order, read one at a time: for a file [`verify`] has accepted.
pub fn records(path: &Path) -> anyhow::Result<impl Iterator<Item = anyhow::Result<Vec<u8>>>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut input = BufReader::with_capacity(1 << 20, file);
    let mut magic = vec![0u8; EXPORT_MAGIC.len()];
    input.read_exact(&mut magic).context("the header: the file is too short")?;
    ensure!(magic == EXPORT_MAGIC, "the header: not a ledger export");
    let mut done = false;
    Ok(std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut next = || -> anyhow::Result<Option<Vec<u8>>> {
            let len = read_u32(&mut input)?;
            if len == END_OF_RECORDS {
                return Ok(None);
            }
            ensure!(len as usize <= RECORD_LEN_MAX, "a record of {len} bytes is longer than any record");
            let mut record = vec![0u8; len as usize];
            input.read_exact(&mut record)?;
            let mut chain = [0u8; 32];
            input.read_exact(&mut chain)?;
            Ok(Some(record))
        };
        let item = next().transpose();
        done = !matches!(item, Some(Ok(_)));
        item
    }))
}

pub fn verify_file(path: &Path, trust: &Trust) -> anyhow::Result<()> {
    let started = Instant::now();
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let verified = verify(&mut BufReader::with_capacity(1 << 20, file), trust)?;
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
    println!("checkpoint: {}", verified.trusted);
    println!(
        "offline verification {:.0} MB/s; raw SHA-256 of the same bytes {:.0} MB/s ({:.0}%)",
        megabytes / seconds.max(1e-9),
        megabytes / raw_seconds.max(1e-9),
        100.0 * raw_seconds / seconds.max(1e-9)
    );
    Ok(())
}
