//! Who may call the ledger: principals with a role, an agency's jurisdiction, and the SHA-256 digest
//! of their bearer token. Tokens are random, shown once when created, and never stored.

use std::fmt;
use std::io::Write;
use std::path::Path;

use ledger_core::{sha256, Jurisdiction, PrincipalId, WorkerId};
use serde::{Deserialize, Serialize};

/// Random bytes in a token: 256 bits, so a plain SHA-256 digest is a safe way to store it.
pub const TOKEN_RANDOM_BYTES: usize = 32;
/// Every token starts with this, so a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "lgr_";
/// Most principals a file may hold.
pub const PRINCIPALS_MAX: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A social-security institution, writing for its own jurisdiction.
    Agency,
    /// Reads the chain and verifies it; sees no personal data.
    Auditor,
    /// Runs the service.
    Operator,
    /// A worker, reading their own record with the credential issued at enrolment.
    Worker,
    /// A workers' organisation (a union or a migrant workers' organisation), registered in one
    /// jurisdiction: with a worker's recorded consent it files her claims and sees their status,
    /// never her contributions or personal fields.
    Organisation,
    /// The body the rules name to decide appeals of claims' answers in one jurisdiction (a labour
    /// court, a tribunal): it reads and decides the appeals made to it, and nothing else.
    #[serde(rename = "appeal_body")]
    AppealBody,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Agency => "agency",
            Role::Auditor => "auditor",
            Role::Operator => "operator",
            Role::Worker => "worker",
            Role::Organisation => "organisation",
            Role::AppealBody => "appeal_body",
        })
    }
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub id: PrincipalId,
    pub role: Role,
    /// An agency's jurisdiction, or where an organisation is registered; none for anyone else.
    pub jurisdiction: Option<Jurisdiction>,
    /// Set for workers, and only for them.
    pub worker: Option<WorkerId>,
}

/// The prefix of the principal ids of workers: an entry of the principals file may not use it, or
/// it would share a worker's request-id namespace.
pub const WORKER_PRINCIPAL_PREFIX: &str = "worker-";

/// Why `id` may not name an entry of the principals file, when it may not.
pub fn reserved(id: &PrincipalId) -> Option<String> {
    if id.as_str() == ledger_store::SYSTEM_PRINCIPAL {
        return Some(format!("{id} is reserved for events the ledger records about itself"));
    }
    if id.as_str().starts_with(WORKER_PRINCIPAL_PREFIX) {
        return Some(format!("{id}: ids starting with {WORKER_PRINCIPAL_PREFIX} are reserved for workers"));
    }
    None
}

impl Principal {
    /// The principal of a worker holding their credential.
    pub fn worker(worker_id: WorkerId) -> Principal {
        let id = PrincipalId::parse(&format!(
            "{WORKER_PRINCIPAL_PREFIX}{}",
            worker_id.as_str().to_ascii_lowercase()
        ));
        Principal {
            // Worker ids are 17 letters and digits, so this id is always valid.
            id: id.unwrap_or_else(|error| unreachable!("worker principal id: {error}")),
            role: Role::Worker,
            jurisdiction: None,
            worker: Some(worker_id),
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrincipalsFile {
    #[serde(default, rename = "principal")]
    principals: Vec<PrincipalEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrincipalEntry {
    id: String,
    role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    jurisdiction: Option<String>,
    token_sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PrincipalsError {
    #[error("cannot read or write {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// The principals known to the server, looked up by token digest.
#[derive(Clone, Debug, Default)]
pub struct Principals {
    /// Token digests and their principals. Looked up by a scan that compares every digest in
    /// constant time, so the time an answer takes says nothing about how close a guess came.
    by_digest: Vec<([u8; 32], Principal)>,
}

impl Principals {
    /// The principal with this id, if there is one.
    pub fn by_id(&self, id: &PrincipalId) -> Option<&Principal> {
        self.by_digest.iter().map(|(_, principal)| principal).find(|principal| principal.id == *id)
    }

    pub fn load(path: &Path) -> Result<Principals, PrincipalsError> {
        let file = read_file(path)?;
        let invalid =
            |message: String| PrincipalsError::Invalid { path: path.display().to_string(), message };
        if file.principals.len() > PRINCIPALS_MAX {
            return Err(invalid(format!("more than {PRINCIPALS_MAX} principals")));
        }
        let mut principals = Principals::default();
        let mut ids = std::collections::HashSet::new();
        for (index, entry) in file.principals.iter().enumerate() {
            let place = format!("principal[{index}]");
            let principal = entry.to_principal().map_err(|message| invalid(format!("{place}: {message}")))?;
            let digest = parse_digest(&entry.token_sha256)
                .ok_or_else(|| invalid(format!("{place}: token_sha256 is not 64 hex digits")))?;
            if !ids.insert(principal.id.clone()) {
                return Err(invalid(format!("{place}: duplicate id {}", principal.id)));
            }
            principals.by_digest.push((digest, principal));
        }
        Ok(principals)
    }

    /// The principal holding this token, if any.
    pub fn authenticate(&self, token: &str) -> Option<&Principal> {
        let digest = sha256(token.as_bytes());
        let mut found = None;
        for (known, principal) in &self.by_digest {
            if ledger_core::constant_time_eq(known, &digest) && found.is_none() {
                found = Some(principal);
            }
        }
        found
    }

    pub fn len(&self) -> usize {
        self.by_digest.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_digest.is_empty()
    }
}

impl PrincipalEntry {
    fn to_principal(&self) -> Result<Principal, String> {
        let id = PrincipalId::parse(&self.id).map_err(|error| error.message)?;
        if let Some(why) = reserved(&id) {
            return Err(why);
        }
        if self.role == Role::Worker {
            return Err("workers hold the credential issued at enrolment, not an entry here".into());
        }
        let jurisdiction = match (&self.jurisdiction, self.role) {
            (Some(code), Role::Agency | Role::Organisation | Role::AppealBody) => {
                Some(Jurisdiction::parse(code).map_err(|error| error.message)?)
            }
            (None, Role::Agency) => return Err("an agency needs a jurisdiction".into()),
            (None, Role::Organisation) => {
                return Err("an organisation needs the jurisdiction where it is registered".into())
            }
            (None, Role::AppealBody) => {
                return Err("an appeal body needs the jurisdiction where it sits".into())
            }
            (Some(_), role) => return Err(format!("a principal with role {role} has no jurisdiction")),
            (None, _) => None,
        };
        Ok(Principal { id, role: self.role, jurisdiction, worker: None })
    }
}

/// Equal or not, decided after looking at every byte.
fn read_file(path: &Path) -> Result<PrincipalsFile, PrincipalsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(PrincipalsFile::default()),
        Err(source) => return Err(PrincipalsError::Io { path: path.display().to_string(), source }),
    };
    toml::from_str(&text).map_err(|error| PrincipalsError::Invalid {
        path: path.display().to_string(),
        message: error.message().to_owned(),
    })
}

fn parse_digest(text: &str) -> Option<[u8; 32]> {
    hex::decode(text).ok()?.try_into().ok()
}

/// A new random bearer token.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut random = [0u8; TOKEN_RANDOM_BYTES];
    getrandom::fill(&mut random)?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(random)))
}

/// Adds a principal to the file (creating it when missing) and returns its new token, which is
/// stored nowhere: the caller shows it once.
pub fn add(path: &Path, principal: &Principal) -> Result<String, PrincipalsError> {
    add_many(path, std::slice::from_ref(principal)).map(|mut tokens| tokens.remove(0))
}

/// Adds several principals at once; returns their tokens in the same order.
pub fn add_many(path: &Path, new: &[Principal]) -> Result<Vec<String>, PrincipalsError> {
    let invalid = |message: String| PrincipalsError::Invalid { path: path.display().to_string(), message };
    let mut file = read_file(path)?;
    let mut tokens = Vec::with_capacity(new.len());
    for principal in new {
        if let Some(why) = reserved(&principal.id) {
            return Err(invalid(why));
        }
        if file.principals.iter().any(|entry| entry.id == principal.id.as_str()) {
            return Err(invalid(format!("a principal with id {} already exists", principal.id)));
        }
        let token = new_token().map_err(|error| invalid(format!("no randomness for a token: {error}")))?;
        file.principals.push(PrincipalEntry {
            id: principal.id.to_string(),
            role: principal.role,
            jurisdiction: principal.jurisdiction.map(|code| code.to_string()),
            token_sha256: hex::encode(sha256(token.as_bytes())),
        });
        tokens.push(token);
    }
    save(path, &file)?;
    Ok(tokens)
}

fn save(path: &Path, file: &PrincipalsFile) -> Result<(), PrincipalsError> {
    let invalid = |message: String| PrincipalsError::Invalid { path: path.display().to_string(), message };
    let text = toml::to_string(file).map_err(|error| invalid(error.to_string()))?;
    let header = "# Principals of this ledger. Only SHA-256 digests of their tokens are kept here;\n\
                  # a token is shown once, when `ledger principals add` or `rotate` creates it.\n\n";
    write_private(path, format!("{header}{text}").as_bytes())
        .map_err(|source| PrincipalsError::Io { path: path.display().to_string(), source })
}

/// Gives a principal a new token and returns it; the old token stops working when the server
/// reloads the file (SIGHUP) or restarts.
pub fn rotate(path: &Path, id: &str) -> Result<String, PrincipalsError> {
    let invalid = |message: String| PrincipalsError::Invalid { path: path.display().to_string(), message };
    let mut file = read_file(path)?;
    let entry = file
        .principals
        .iter_mut()
        .find(|entry| entry.id == id)
        .ok_or_else(|| invalid(format!("no principal {id}")))?;
    let token = new_token().map_err(|error| invalid(format!("no randomness for a token: {error}")))?;
    entry.token_sha256 = hex::encode(sha256(token.as_bytes()));
    save(path, &file)?;
    Ok(token)
}

/// Removes a principal; its token stops working when the server reloads the file or restarts.
pub fn remove(path: &Path, id: &str) -> Result<(), PrincipalsError> {
    let mut file = read_file(path)?;
    let before = file.principals.len();
    file.principals.retain(|entry| entry.id != id);
    if file.principals.len() == before {
        return Err(PrincipalsError::Invalid {
            path: path.display().to_string(),
            message: format!("no principal {id}"),
        });
    }
    save(path, &file)
}

/// Writes a file readable only by its owner, replacing it atomically.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_ids_are_refused_when_added_and_when_loaded() {
        // (id, may name an entry of the principals file)
        let cases = [
            ("agency-ph", true),
            ("workers-union-hk", true),
            ("worker-w2rmw48rd1mbex540", false),
            ("worker-", false),
            ("ledger", false),
            ("ledger-ops", true),
        ];
        let dir = std::env::temp_dir().join(format!("ledger-principals-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("directory");
        for (index, (id, allowed)) in cases.into_iter().enumerate() {
            let principal = Principal {
                id: PrincipalId::parse(id).expect("a well-formed id"),
                role: Role::Auditor,
                jurisdiction: None,
                worker: None,
            };
            let path = dir.join(format!("added-{index}.toml"));
            assert_eq!(add_many(&path, &[principal]).is_ok(), allowed, "adding {id}");
            // A file edited by hand is checked the same way when it is loaded.
            let path = dir.join(format!("edited-{index}.toml"));
            let text = format!(
                "[[principal]]\nid = \"{id}\"\nrole = \"auditor\"\ntoken_sha256 = \"{}\"\n",
                "ab".repeat(32)
            );
            std::fs::write(&path, text).expect("written");
            assert_eq!(Principals::load(&path).is_ok(), allowed, "loading {id}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
