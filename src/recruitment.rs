//! Recording a recruitment cost from the command line: an agency of the worker's origin or of the
//! corridor's destination (`ledger agency recruitment-cost`), or the worker herself (`ledger worker
//! declare-recruitment-cost`, marked as declared on the chain).

use std::path::PathBuf;

use anyhow::Context;
use ledger_core::{sha256, CostPayer, RecruitmentPurpose};
use ledger_proto::v1 as pb;
use serde_json::json;

use ledger_client::fresh_request_id;
use ledger_client::labels::code;

use crate::connection::Connection;

#[derive(Debug, clap::Args)]
pub struct RecruitmentCostArgs {
    /// The worker; a worker's own token may leave it out.
    #[arg(long)]
    pub worker: Option<String>,
    /// Where she was recruited to work; the corridor's origin is her origin.
    #[arg(long)]
    pub destination: String,
    /// The jurisdiction that licensed the recruiter.
    #[arg(long)]
    pub licensed_in: String,
    /// The recruiter's licence number there.
    #[arg(long)]
    pub licence: String,
    /// fee, travel, visa, training or medical.
    #[arg(long)]
    pub purpose: String,
    /// The amount, in minor units of the currency.
    #[arg(long)]
    pub amount: i64,
    /// The amount's currency (ISO 4217), which need not be a jurisdiction's of the rules.
    #[arg(long)]
    pub currency: String,
    /// worker (in cash or from her wages), employer, or loan (with --lender).
    #[arg(long)]
    pub paid_by: String,
    /// The lender's reference, for a loan (an institution, never a person's name).
    #[arg(long, default_value = "")]
    pub lender: String,
    /// The employer's reference, when known.
    #[arg(long, default_value = "")]
    pub employer: String,
    /// The month it was paid (or the loan taken), YYYY-MM.
    #[arg(long)]
    pub paid_in: String,
    /// A file of evidence (a receipt, a loan agreement). Only its SHA-256 is sent.
    #[arg(long)]
    pub evidence: PathBuf,
    /// The request's id, to retry it safely [default: a fresh one].
    #[arg(long)]
    pub request_id: Option<String>,
}

pub async fn record(connection: &Connection, args: RecruitmentCostArgs) -> anyhow::Result<()> {
    let evidence =
        std::fs::read(&args.evidence).with_context(|| format!("cannot read {}", args.evidence.display()))?;
    let request = pb::RecordRecruitmentCostRequest {
        request_id: args.request_id.unwrap_or_else(|| fresh_request_id("recruitment")),
        worker_id: args.worker.unwrap_or_default(),
        destination: args.destination,
        licensed_in: args.licensed_in,
        licence: args.licence,
        purpose: code(
            "purpose",
            &args.purpose,
            RecruitmentPurpose::ALL,
            RecruitmentPurpose::label,
            RecruitmentPurpose::code,
        )?,
        amount: Some(pb::Money { currency: args.currency, minor: args.amount, ..Default::default() }),
        paid_by: code("paid by", &args.paid_by, CostPayer::ALL, CostPayer::label, CostPayer::code)?,
        lender: args.lender,
        employer_ref: args.employer,
        paid_in: args.paid_in,
        evidence_sha256: sha256(&evidence).to_vec(),
    };
    let mut clients = connection.connect().await?;
    let response = clients.worker.record_recruitment_cost(request).await?.into_inner();
    let seq = response.receipt.as_ref().map_or(0, |receipt| receipt.seq);
    if connection.json {
        println!("{}", json!({ "seq": seq }));
    } else {
        println!("recruitment cost recorded at seq {seq}");
    }
    Ok(())
}
