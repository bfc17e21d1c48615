//! `ledger bench --profile-dir DIR`: a `perf` profile of each measured phase, so that what bounds
//! a figure is read from the same run that printed it. Each phase is recorded from the process
//! that does its work (the server for appends and balances, the bench itself for verification,
//! rebuilds and opens) into `DIR/<phase>.data`; `perf report -i DIR/<phase>.data --sort comm`
//! splits it by thread.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context};

/// Samples per second and per core: enough for a few-second phase, small enough not to load it.
const PROFILE_FREQUENCY_HZ: u32 = 499;
/// How long `perf` may take to write its file once told to stop.
const PROFILE_STOP_WAIT_MAX: Duration = Duration::from_secs(60);

/// Where each phase's profile goes, when one was asked for.
#[derive(Debug, Clone)]
pub struct Profiles {
    dir: Option<PathBuf>,
}

impl Profiles {
    pub fn new(dir: Option<&Path>) -> anyhow::Result<Profiles> {
        if let Some(dir) = dir {
            std::fs::create_dir_all(dir)?;
            let found = Command::new("perf").arg("--version").stdout(Stdio::null()).status();
            if !found.is_ok_and(|status| status.success()) {
                bail!("--profile-dir needs `perf` on the PATH (Debian's package linux-perf)");
            }
        }
        Ok(Profiles { dir: dir.map(Path::to_path_buf) })
    }

    /// Starts recording `pid` for the phase `name`; the profile ends when the returned value is
    /// finished (or dropped).
    pub fn start(&self, name: &str, pid: u32) -> anyhow::Result<Recording> {
        let Some(dir) = &self.dir else { return Ok(Recording { child: None }) };
        let output = dir.join(format!("{name}.data"));
        // perf starts with its events disabled and says when it has enabled them, so the phase
        // starts only once it is being recorded.
        let (control, ack) = (dir.join(format!("{name}.control")), dir.join(format!("{name}.ack")));
        for fifo in [&control, &ack] {
            let _ = std::fs::remove_file(fifo);
            if !Command::new("mkfifo").arg(fifo).status()?.success() {
                bail!("cannot make the fifo {}", fifo.display());
            }
        }
        let mut controls = std::ffi::OsString::from("--control=fifo:");
        controls.push(&control);
        controls.push(",");
        controls.push(&ack);
        let child = Command::new("perf")
            .args(["record", "-g", "-D", "-1", "-F", &PROFILE_FREQUENCY_HZ.to_string()])
            .args(["-p", &pid.to_string()])
            .arg(controls)
            .arg("-o")
            .arg(&output)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start `perf record`")?;
        let recording = Recording { child: Some(child) };
        std::fs::OpenOptions::new().write(true).open(&control)?.write_all(b"enable\n")?;
        let mut answer = String::new();
        std::io::BufReader::new(std::fs::File::open(&ack)?).read_line(&mut answer)?;
        if !answer.starts_with("ack") {
            bail!("`perf record` answered {answer:?} to enable");
        }
        for fifo in [&control, &ack] {
            std::fs::remove_file(fifo)?;
        }
        eprintln!("profiling {name} (process {pid}) into {}", output.display());
        Ok(recording)
    }
}

/// A `perf record` running beside one phase.
#[derive(Debug)]
pub struct Recording {
    child: Option<Child>,
}

impl Recording {
    /// Stops `perf` as Ctrl-C would, so that it writes a whole file, and waits for it.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else { return Ok(()) };
        let pid = child.id().to_string();
        Command::new("kill").args(["-INT", &pid]).status()?;
        let (exited, waited) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = exited.send(child.wait());
        });
        match waited.recv_timeout(PROFILE_STOP_WAIT_MAX) {
            Ok(status) => {
                status?;
                Ok(())
            }
            Err(_) => {
                Command::new("kill").args(["-KILL", &pid]).status()?;
                bail!("`perf record` did not stop within {PROFILE_STOP_WAIT_MAX:?}");
            }
        }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}
