//! The data directory holds workers' records, credential digests and the idempotency table: it and
//! every file in it are owner-only, whatever the umask it was made under, and a data directory
//! left open to other users is made owner-only at start.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::TestServer;

/// Every path under `dir` (itself included) with its permission bits.
fn modes(dir: &Path) -> Vec<(std::path::PathBuf, u32)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let metadata = std::fs::symlink_metadata(&path).expect("metadata");
        found.push((path.clone(), metadata.permissions().mode() & 0o777));
        if metadata.is_dir() {
            pending
                .extend(std::fs::read_dir(&path).expect("listed").map(|entry| entry.expect("entry").path()));
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_directory_is_owner_only_whatever_the_umask() {
    // Started as the quick start does, under the common umask 022.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o022));
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    common::enroll(&mut philippines, "enrol-1", "PH").await;
    let (dir, tokens) = server.stop().await;
    let data_dir = common::data_dir(&dir);
    let open: Vec<_> = modes(&data_dir).into_iter().filter(|(_, mode)| mode & 0o077 != 0).collect();
    assert!(open.is_empty(), "open to other users: {open:?}");
    assert!(modes(&data_dir).len() > 3, "the walk found sled's files");

    // A data directory copied or restored under a loose umask is made owner-only at start.
    for (path, _) in modes(&data_dir) {
        let loose = if path.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(loose)).expect("loosened");
    }
    let server = TestServer::resume(dir, tokens).await;
    let open: Vec<_> = modes(&data_dir).into_iter().filter(|(_, mode)| mode & 0o077 != 0).collect();
    assert!(open.is_empty(), "still open to other users: {open:?}");
    server.stop().await;
}
