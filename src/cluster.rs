//! `ledger cluster`: an operator's view of the cluster and its membership, through any replica's
//! replica service with the cluster's secret. Membership changes are made by the leader; asked of
//! another replica, the command says which one to ask.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use ledger_cluster::network::{Admin, ClusterSecret};
use ledger_cluster::Member;
use ledger_proto::replica::MembersResponse;

#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// HOST:PORT of a replica's replica service (the `[cluster] listen` of its configuration).
    #[arg(long, env = "LEDGER_REPLICA")]
    replica: String,
    /// File holding the cluster's secret.
    #[arg(long, env = "LEDGER_CLUSTER_SECRET_FILE")]
    secret_file: PathBuf,
    #[command(subcommand)]
    command: ClusterCommand,
}

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Prints the leader, the term and every member with its role and addresses.
    Status,
    /// Adds a node: as a learner, which catches up with the log, then as a voter. Start the new
    /// node first, with a configuration that does not list it among the initial members.
    Add {
        /// The new node's id, unused in this cluster.
        #[arg(long)]
        id: u64,
        /// HOST:PORT of the new node's replica service.
        #[arg(long)]
        replica_address: String,
        /// HOST:PORT of the new node's gRPC services.
        #[arg(long)]
        api_address: String,
    },
    /// Removes a node from the cluster; stop it afterwards.
    Remove {
        #[arg(long)]
        id: u64,
    },
}

pub async fn run(args: ClusterArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.secret_file)
        .with_context(|| format!("cluster secret {}", args.secret_file.display()))?;
    let secret = ClusterSecret::new(&text).map_err(anyhow::Error::msg)?;
    let mut admin = Admin::connect(&args.replica, secret).await.map_err(anyhow::Error::msg)?;
    let answer = match args.command {
        ClusterCommand::Status => admin.members().await,
        ClusterCommand::Add { id, replica_address, api_address } => {
            admin.add(id, Member::new(replica_address, api_address)).await
        }
        ClusterCommand::Remove { id } => admin.remove(id).await,
    };
    match answer {
        Ok(members) => {
            print!("{}", describe(&members));
            Ok(())
        }
        Err(status) => bail!("{}: {}", args.replica, status.message()),
    }
}

/// The cluster in lines an operator reads.
pub fn describe(members: &MembersResponse) -> String {
    let leader = match members.leader {
        0 => "none elected".to_owned(),
        id => format!("node {id}"),
    };
    let mut text = format!(
        "cluster: leader {leader}, term {}, as node {} sees it (applied up to raft entry {})\n",
        members.term, members.answered_by, members.last_applied
    );
    for member in &members.members {
        let role = if member.voter { "voter" } else { "learner" };
        text.push_str(&format!(
            "node {}: {role}, replica {}, api {}\n",
            member.id, member.replica, member.api
        ));
    }
    text
}
