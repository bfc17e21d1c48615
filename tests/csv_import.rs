//! A payroll export of 100,000 contributions imported with `ledger agency contribute --csv`,
//! killed part-way, and run again: every row ends up in the log exactly once.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant};

use common::{enroll, TestServer};
use ledger_core::{Event, Record};

const ROWS: usize = 100_000;
const WORKERS: usize = 50;

fn import(address: &str, token: &str, csv: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ledger"));
    command.args(["agency", "contribute", "--server", address, "--token", token, "--json", "--csv"]).arg(csv);
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_import_resumes_and_records_each_row_once() {
    let server = TestServer::start().await;
    let address = server.server.address.to_string();
    let mut philippines = server.clients("agency-ph").await;
    let mut workers = Vec::new();
    for index in 0..WORKERS {
        workers.push(enroll(&mut philippines, &format!("enrol-{index}"), "PH").await);
    }
    let csv = server.dir.path().join("payroll-2010-2024.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&csv).expect("created"));
    writeln!(file, "worker_id,jurisdiction,branch,month,insured_wage_minor,employer_share_minor,worker_share_minor,currency,employer_ref,sector").expect("written");
    for row in 0..ROWS {
        let worker = &workers[row % WORKERS];
        let month = row / WORKERS % 180;
        let wage = 1_200_000 + (row % 7) as i64 * 10_000;
        writeln!(
            file,
            "{worker},PH,old_age,{}-{:02},{wage},{},{},PHP,\"PH-EMP-{:04}, Makati\",domestic_work",
            2010 + month / 12,
            1 + month % 12,
            wage * 95 / 1000,
            wage * 45 / 1000,
            // Several employers a month (one per 15-year pass over the months), never the same
            // one twice for a worker and month: that would be a correction, not a new row.
            row % 300 + 300 * (row / (WORKERS * 180))
        )
        .expect("written");
    }
    file.flush().expect("flushed");
    drop(file);

    // First run: killed once a good part of the file is in.
    let token = server.tokens["agency-ph"].clone();
    let mut first =
        import(&address, &token, &csv).stderr(std::process::Stdio::null()).spawn().expect("import starts");
    let mut auditor = server.clients("auditor").await;
    let deadline = Instant::now() + Duration::from_secs(300);
    while common::head_size(&mut auditor).await < 30_000 {
        assert!(Instant::now() < deadline, "the import made no progress");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill().expect("killed");
    first.wait().expect("reaped");
    let interrupted_at = common::head_size(&mut auditor).await;
    assert!(interrupted_at < (ROWS + WORKERS + 1) as u64, "the first run finished before it was killed");

    // Second run: resumes; rows already in are recognised, the rest recorded.
    let output = import(&address, &token, &csv).output().expect("import runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON summary");
    assert_eq!(summary["rows"], ROWS);
    let already = summary["already_recorded"].as_u64().expect("a count");
    assert!(already >= 30_000 - WORKERS as u64, "{summary}");
    assert_eq!(summary["recorded"].as_u64().expect("a count") + already, ROWS as u64);

    // Exactly once: every row, and each batch whole.
    let events = common::read_all(&mut auditor, 0).await;
    let mut per_request: HashMap<String, usize> = HashMap::new();
    let mut contributions = 0;
    for event in &events {
        let record = Record::decode(&event.record).expect("decodes");
        if let Event::ContributionRecorded(contribution) = &record.event {
            contributions += 1;
            assert_eq!(
                contribution.employer_ref.as_str().split(", ").nth(1),
                Some("Makati"),
                "quoted CSV fields survive"
            );
            *per_request.entry(record.request_id.as_str().to_owned()).or_default() += 1;
        }
    }
    assert_eq!(contributions, ROWS);
    assert_eq!(per_request.len(), ROWS / 1000);
    assert!(per_request.values().all(|count| *count == 1000));
    server.stop().await;
}
