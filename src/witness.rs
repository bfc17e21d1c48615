//! `ledger witness`: an outside witness of the log, such as an agency that runs only a verifier.
//! It fetches the log's checkpoint, checks the log key's signature and that the tree extends the
//! last one it cosigned (a consistency proof from the server, checked here), and only then adds
//! its C2SP tlog-cosignature. It remembers the tree it cosigned in a state file, written before the
//! cosignature is shown, so that it never cosigns a tree smaller than, or forked from, one it
//! vouched for: a server that shows different histories to different readers is caught by the
//! first witness that sees both.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context};
use clap::Subcommand;
use ledger_core::checkpoint::{Checkpoint, Verifier};
use ledger_core::cosignature::CosignerKey;
use ledger_core::merkle::{verify_consistency, Hash};
use ledger_proto::v1 as pb;

use crate::connection::Connection;

/// Longest witness key or state file read, in bytes.
const WITNESS_FILE_LEN_MAX: u64 = 4 * 1024;

#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// Makes a witness key (its name and a random seed) in a new owner-only file, and prints the
    /// cosigner key that verifiers put in their policy files.
    Init {
        /// The new key file; refused when it exists.
        #[arg(long)]
        key_file: PathBuf,
        /// The witness's name: a schema-less URL of the organisation, e.g.
        /// `witness.agency.example/ledger`.
        #[arg(long)]
        name: String,
    },
    /// Prints the cosigner key of an existing witness key file.
    Show {
        #[arg(long)]
        key_file: PathBuf,
    },
    /// Fetches the log's checkpoint, checks it and cosigns it; prints the cosigned checkpoint.
    Cosign {
        #[command(flatten)]
        connection: Connection,
        #[arg(long)]
        key_file: PathBuf,
        /// The log's verifier key (as `ledger key show` prints it), or a file holding it.
        #[arg(long)]
        log_key: String,
        /// The file of the last tree this witness cosigned; created on the first cosignature.
        #[arg(long)]
        state: PathBuf,
        /// Where to write the cosigned checkpoint; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub async fn run(command: WitnessCommand) -> anyhow::Result<()> {
    match command {
        WitnessCommand::Init { key_file, name } => {
            let key = init(&key_file, &name)?;
            println!("{}", key.verifier_key());
            Ok(())
        }
        WitnessCommand::Show { key_file } => {
            println!("{}", load_key(&key_file)?.verifier_key());
            Ok(())
        }
        WitnessCommand::Cosign { connection, key_file, log_key, state, out } => {
            let key = load_key(&key_file)?;
            let log_key = std::fs::read_to_string(&log_key).unwrap_or(log_key);
            let log = Verifier::parse(log_key.trim()).context("the log's verifier key")?;
            let mut clients = connection.connect().await?;
            let head = clients.audit.get_chain_head(pb::GetChainHeadRequest {}).await?.into_inner();
            let checkpoint = log.verify(&head.checkpoint).context("the log's checkpoint")?;
            let last = read_state(&state)?;
            if let Some(last) = &last {
                let proof = match last.size < checkpoint.size {
                    true => {
                        let request =
                            pb::GetConsistencyProofRequest { old_size: last.size, new_size: checkpoint.size };
                        let proof = clients.audit.get_consistency_proof(request).await?.into_inner().proof;
                        proof
                            .iter()
                            .map(|hash| Hash::try_from(hash.as_slice()))
                            .collect::<Result<Vec<Hash>, _>>()
                            .context("a consistency proof hash is not 32 bytes")?
                    }
                    false => Vec::new(),
                };
                extends(last, &checkpoint, &proof)?;
            }
            let timestamp = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
            let line = key.cosign(&checkpoint, timestamp);
            // The floor first: a cosignature is never out before the tree it vouches for is kept.
            write_state(&state, &checkpoint)?;
            let cosigned = format!("{}{line}", head.checkpoint);
            match out {
                Some(path) => std::fs::write(&path, &cosigned)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::stdout().write_all(cosigned.as_bytes())?,
            }
            eprintln!(
                "cosigned {} at {} events as {}{}",
                checkpoint.origin,
                checkpoint.size,
                key.name(),
                match &last {
                    Some(last) => format!(", consistent with the {} events cosigned before", last.size),
                    None => ", the first tree this witness cosigns".to_owned(),
                }
            );
            Ok(())
        }
    }
}

/// Whether `new` extends `last`, the tree cosigned before, by `proof`; the error says why not.
fn extends(last: &Checkpoint, new: &Checkpoint, proof: &[Hash]) -> anyhow::Result<()> {
    ensure!(
        last.origin == new.origin,
        "the state file is of the log {}, this checkpoint of {}",
        last.origin,
        new.origin
    );
    if new.size < last.size {
        bail!(
            "REFUSED: the log shows {} events, it showed {} before: a rollback or a split view; nothing was cosigned",
            new.size,
            last.size
        );
    }
    if new.size == last.size {
        ensure!(
            new.root == last.root,
            "REFUSED: the log shows a different tree of the same {} events: a split view; nothing was cosigned",
            new.size
        );
        return Ok(());
    }
    if last.size > 0 {
        verify_consistency(last.size, new.size, &last.root, &new.root, proof).map_err(|error| {
            anyhow::anyhow!(
                "REFUSED: the tree of {} events does not extend the {} cosigned before ({error}): a rewritten \
                 history; nothing was cosigned",
                new.size,
                last.size
            )
        })?;
    }
    Ok(())
}

fn read_small(path: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::metadata(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
        Ok(metadata) => {
            ensure!(
                metadata.len() <= WITNESS_FILE_LEN_MAX,
                "{} is larger than {WITNESS_FILE_LEN_MAX} bytes",
                path.display()
            );
            Ok(Some(
                std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?,
            ))
        }
    }
}

/// A new witness key in a new owner-only file: `name NAME` and `seed HEX` lines.
fn init(path: &Path, name: &str) -> anyhow::Result<CosignerKey> {
    ensure!(
        !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+'),
        "a witness name is not empty and has no spaces or plus signs"
    );
    ensure!(!path.exists(), "{} exists: a witness key is never overwritten", path.display());
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|error| anyhow::anyhow!("no random seed: {error}"))?;
    let text = format!("name {name}\nseed {}\n", hex::encode(seed));
    let mut options = std::fs::OpenOptions::new();
    std::os::unix::fs::OpenOptionsExt::mode(options.write(true).create_new(true), 0o600);
    let mut file = options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(CosignerKey::from_seed(name, &seed))
}

fn load_key(path: &Path) -> anyhow::Result<CosignerKey> {
    let text = read_small(path)?
        .with_context(|| format!("{} does not exist: make it with `ledger witness init`", path.display()))?;
    let field = |key: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(key).and_then(|rest| rest.strip_prefix(' ')))
            .with_context(|| format!("{} has no `{key}` line", path.display()))
    };
    let name = field("name")?;
    let seed = <[u8; 32]>::try_from(hex::decode(field("seed")?.trim()).unwrap_or_default().as_slice())
        .map_err(|_| anyhow::anyhow!("{}: the seed is not 32 bytes of hex", path.display()))?;
    Ok(CosignerKey::from_seed(name.trim(), &seed))
}

/// The tree cosigned last: a checkpoint body (origin, size, root).
fn read_state(path: &Path) -> anyhow::Result<Option<Checkpoint>> {
    read_small(path)?
        .map(|text| Checkpoint::parse(&text).with_context(|| format!("the state file {}", path.display())))
        .transpose()
}

fn write_state(path: &Path, checkpoint: &Checkpoint) -> anyhow::Result<()> {
    let temporary = path.with_extension("tmp");
    let mut file =
        std::fs::File::create(&temporary).with_context(|| format!("cannot write {}", temporary.display()))?;
    file.write_all(checkpoint.body().as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path).with_context(|| format!("cannot write {}", path.display()))?;
    if let Some(directory) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::File::open(directory)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(size: u64, root: u8) -> Checkpoint {
        Checkpoint { origin: "ledger.test/log".into(), size, root: [root; 32] }
    }

    #[test]
    fn a_smaller_or_forked_tree_is_refused() {
        assert!(extends(&tree(5, 1), &tree(5, 1), &[]).is_ok());
        let smaller = extends(&tree(5, 1), &tree(4, 1), &[]).map_err(|error| error.to_string());
        assert!(smaller.as_ref().is_err_and(|error| error.contains("rollback")), "{smaller:?}");
        let forked = extends(&tree(5, 1), &tree(5, 2), &[]).map_err(|error| error.to_string());
        assert!(forked.as_ref().is_err_and(|error| error.contains("split view")), "{forked:?}");
        let rewritten = extends(&tree(5, 1), &tree(9, 2), &[[3; 32]]).map_err(|error| error.to_string());
        assert!(rewritten.as_ref().is_err_and(|error| error.contains("does not extend")), "{rewritten:?}");
        let other_log = Checkpoint { origin: "ledger.test/other".into(), ..tree(9, 2) };
        assert!(extends(&tree(5, 1), &other_log, &[]).is_err());
    }
}
