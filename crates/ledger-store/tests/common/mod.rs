//! What the store's replica tests share: an agency of the Philippines, its commands, and a
//! year's payroll.

#![allow(dead_code)]

use ledger_core::{
    Branch, ContributionRecorded, Currency, Jurisdiction, MinorUnits, PrincipalId, RequestId, Sector, Text,
};
use ledger_store::{Action, Actor, Command};

pub fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|error| panic!("{error}"))
}

pub fn agency() -> Actor {
    Actor::agency(ok(PrincipalId::parse("agency-ph")), ok(Jurisdiction::parse("PH")))
}

pub fn command(request_id: &str, action: Action) -> Command {
    Command { actor: agency(), request_id: ok(RequestId::parse(request_id)), action }
}

pub fn payroll(worker_id: &ledger_core::WorkerId, year: u16, months: std::ops::RangeInclusive<u8>) -> Action {
    Action::RecordContributions(
        months
            .map(|month| ContributionRecorded {
                worker_id: worker_id.clone(),
                jurisdiction: ok(Jurisdiction::parse("PH")),
                branch: Branch::OldAge,
                month: ok(ledger_core::Month::new(year, month)),
                currency: ok(Currency::parse("PHP")),
                insured_wage: ok(MinorUnits::new("wage", 1_800_000)),
                employer_share: ok(MinorUnits::new("employer", 171_000)),
                worker_share: ok(MinorUnits::new("worker", 81_000)),
                employer_ref: ok(Text::parse("employer_ref", "EMP-MNL-0042", 64)),
                sector: Sector::Care,
                insurance: ledger_core::Insurance::Compulsory,
            })
            .collect(),
    )
}
