//! The server under test, as its own process: the real `ledger serve` binary on loopback, so that
//! its memory is its own and measured as the operating system sees it.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, BufReader};

/// The server's standard error, in its data directory.
pub const SERVER_LOG: &str = "server.log";

/// How long the server may take to announce its address (it may first rebuild projections).
const START_WAIT_MAX: Duration = Duration::from_secs(300);

pub struct ServerProcess {
    child: tokio::process::Child,
    pub address: String,
}

impl ServerProcess {
    /// Starts `ledger serve` on `data_dir` with rate limits out of the way: the benchmark measures
    /// the ledger, not its admission control.
    pub async fn start(data_dir: &Path, principals: &Path) -> anyhow::Result<ServerProcess> {
        ServerProcess::start_with_limits(data_dir, principals, true).await
    }

    /// Starts `ledger serve`; with `unlimited`, its rate limits are out of the way, otherwise it
    /// runs with the defaults an operator gets.
    pub async fn start_with_limits(
        data_dir: &Path,
        principals: &Path,
        unlimited: bool,
    ) -> anyhow::Result<ServerProcess> {
        let mut args: Vec<String> = vec!["--listen".into(), "127.0.0.1:0".into()];
        if unlimited {
            args.extend(["--rate-per-second", "1000000000", "--rate-burst", "1000000000"].map(String::from));
        }
        args.extend(
            ["--concurrent-requests-max", "4096", "--principal-requests-max", "4096"].map(String::from),
        );
        ServerProcess::spawn(data_dir, principals, &args).await
    }

    /// Starts `ledger serve --data-dir DATA_DIR --principals PRINCIPALS ARGS` and waits for it
    /// to announce its address.
    pub async fn spawn(data_dir: &Path, principals: &Path, args: &[String]) -> anyhow::Result<ServerProcess> {
        // Appended to, so that a run that restarts the server keeps every start's messages.
        let log = std::fs::OpenOptions::new().create(true).append(true).open(data_dir.join(SERVER_LOG))?;
        let mut child = tokio::process::Command::new(std::env::current_exe()?)
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--principals")
            .arg(principals)
            // Runs that start several servers at once would all want the portal's default port.
            .args(["--portal-listen", "off"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("cannot start `ledger serve`")?;
        let stdout = child.stdout.take().context("the server's stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let address = loop {
            let line = tokio::time::timeout(START_WAIT_MAX, lines.next_line())
                .await
                .context("the server did not announce its address in time")??;
            let Some(line) = line else {
                bail!("the server exited at start; see {}", data_dir.join(SERVER_LOG).display())
            };
            if let Some(address) = line.split("serving on ").nth(1) {
                break address.trim().to_owned();
            }
        };
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(ServerProcess { child, address })
    }

    /// How the server ended, if it has exited on its own (a sealed writer stops it, for one).
    pub fn exit_status(&mut self) -> anyhow::Result<Option<std::process::ExitStatus>> {
        Ok(self.child.try_wait()?)
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> anyhow::Result<u32> {
        self.child.id().context("the server has exited")
    }

    /// Processor time the server has used since it started, all its threads, user and system, in
    /// seconds: with the events appended meanwhile, what an event costs whatever else runs.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()?))?;
        // Fields after the command's closing parenthesis, from the third (state); utime and stime
        // are the 14th and 15th.
        let fields: Vec<&str> =
            stat.rsplit_once(')').context("the server's stat")?.1.split_whitespace().collect();
        let ticks = |index: usize| -> anyhow::Result<u64> {
            Ok(fields.get(index).context("a field of the server's stat")?.parse()?)
        };
        let per_second = rustix::param::clock_ticks_per_second() as f64;
        Ok((ticks(11)? + ticks(12)?) as f64 / per_second)
    }

    /// The most memory the server has had resident since it started (VmHWM), in bytes.
    pub fn peak_resident_bytes(&self) -> anyhow::Result<u64> {
        self.memory("VmHWM")
    }

    /// The memory the server has resident now (VmRSS), in bytes.
    pub fn resident_bytes(&self) -> anyhow::Result<u64> {
        self.memory("VmRSS")
    }

    /// A memory figure of the server's /proc status, in bytes.
    fn memory(&self, field: &str) -> anyhow::Result<u64> {
        let pid = self.child.id().context("the server has exited")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let value = status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .with_context(|| format!("no {field} in the server's status"))?;
        let kilobytes: u64 = value.trim().trim_end_matches("kB").trim().parse()?;
        Ok(kilobytes * 1024)
    }

    /// Kills the server with SIGKILL, as a power cut would, and waits for it to be gone.
    pub async fn kill(mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }

    /// Stops the server with SIGTERM, as an operator would, and waits for it to drain.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            tokio::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().await?;
        }
        let status = tokio::time::timeout(Duration::from_secs(120), self.child.wait()).await??;
        if !status.success() {
            bail!("the server stopped with {status}");
        }
        Ok(())
    }
}

/// Runs `work` on `given`, or on a new temporary data directory that is removed when the work
/// succeeds and kept, with the server's log in it, when it fails: a failure is to be looked into.
pub async fn with_data_dir<F, Fut>(given: Option<&Path>, work: F) -> anyhow::Result<()>
where
    F: FnOnce(std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let temporary = tempfile::tempdir()?;
    let data_dir = given.map_or_else(|| temporary.path().join("data"), Path::to_path_buf);
    std::fs::create_dir_all(&data_dir)?;
    let result = work(data_dir.clone()).await;
    if result.is_err() && given.is_none() {
        let kept = temporary.keep();
        return result.with_context(|| {
            format!("the data directory and the server's log ({SERVER_LOG}) are kept in {}", kept.display())
        });
    }
    result
}

/// Bytes of every file under `dir`.
pub fn disk_bytes(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let metadata = entry.metadata()?;
        total += if metadata.is_dir() { disk_bytes(&entry.path())? } else { metadata.len() };
    }
    Ok(total)
}
