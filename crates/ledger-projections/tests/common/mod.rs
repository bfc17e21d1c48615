//! A worker's log built event by event, as the writer would record it, for the worked scenarios.

#![allow(dead_code)] // Each test file uses its own part.

use chrono::{DateTime, NaiveDate, Utc};
use ledger_core::{
    sha256, BenefitApplied, Branch, ChainHash, ContributionRecorded, ContributionReversed, CreditKind, Event,
    Insurance, Jurisdiction, MinorUnits, Month, PeriodCertified, PeriodCredited, PeriodUnit, PrincipalId,
    Record, RequestId, ResidenceChanged, RulesAdopted, Sector, Seq, Text, WorkerEnrolled, WorkerId,
};
use ledger_projections::{BalanceLine, LogFold};
use ledger_rules::Rules;

pub fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|error| panic!("fixed test value rejected: {error:?}"))
}

pub fn code(text: &str) -> Jurisdiction {
    ok(Jurisdiction::parse(text))
}

/// Appends `event` to `records` as the writer would: the next seq, recorded at `at` by `principal`,
/// linked to the chain hash before it (which `chain` holds, and is moved on).
pub fn append(
    records: &mut Vec<Record>,
    chain: &mut ChainHash,
    at: DateTime<Utc>,
    principal: &str,
    event: Event,
) -> Seq {
    let seq = Seq(records.len() as u64);
    let record = Record {
        seq,
        recorded_at: at,
        principal: ok(PrincipalId::parse(principal)),
        request_id: ok(RequestId::parse(&format!("r-{}", seq.0))),
        prev_chain_hash: *chain,
        event,
    };
    *chain = ledger_core::chain_hash(chain, &ledger_core::event_hash(&record.encode()));
    records.push(record);
    seq
}

/// Builds a log for one worker, as the writer would record it.
pub struct History {
    pub records: Vec<Record>,
    pub worker: WorkerId,
    pub at: DateTime<Utc>,
    chain: ChainHash,
    rules: Rules,
}

impl History {
    /// A worker enrolled in the Philippines on 2024-06-01, under `rules`, with no birth month.
    pub fn new(rules: &str) -> History {
        History::born(rules, None)
    }

    /// The same, born in `birth_month` (YYYY-MM) when given.
    pub fn born(rules: &str, birth_month: Option<&str>) -> History {
        let mut history = History {
            records: Vec::new(),
            worker: WorkerId::from_random([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
            at: ok(DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z")).with_timezone(&Utc),
            chain: ChainHash::GENESIS,
            rules: ok(Rules::parse(rules)),
        };
        history.adopt(rules);
        history.push(Event::WorkerEnrolled(WorkerEnrolled {
            worker_id: history.worker.clone(),
            origin: code("PH"),
            enrolled_in: code("PH"),
            sex: None,
            birth_month: birth_month.map(|month| ok(Month::parse(month))),
        }));
        history
    }

    /// Periods certified by `jurisdiction` in `unit`, from `from` to `to`, converted as the writer
    /// converts them: by the certifying scheme's rule, never more months than the span.
    pub fn certify(
        &mut self,
        jurisdiction: &str,
        branch: Branch,
        from: &str,
        to: &str,
        unit: PeriodUnit,
        quantity: u32,
    ) {
        let (from, to) = (ok(Month::parse(from)), ok(Month::parse(to)));
        let scheme = self.rules.scheme(code(jurisdiction), branch).unwrap_or_else(|| panic!("a scheme"));
        let months = ok(scheme.converted_months(unit, quantity)).min(to.ordinal() - from.ordinal() + 1);
        self.push(Event::PeriodCertified(PeriodCertified {
            worker_id: self.worker.clone(),
            jurisdiction: code(jurisdiction),
            branch,
            from,
            to,
            unit,
            quantity,
            insurance: Insurance::Compulsory,
            months,
        }));
    }

    /// Her application, lodged in `jurisdiction`, for benefits of `branch` from `risk_date`.
    pub fn apply(&mut self, jurisdiction: &str, branch: Branch, risk_date: &str) {
        self.push(Event::BenefitApplied(BenefitApplied {
            worker_id: self.worker.clone(),
            jurisdiction: code(jurisdiction),
            branch,
            risk_date: ok(NaiveDate::parse_from_str(risk_date, "%Y-%m-%d")),
        }));
    }

    pub fn push(&mut self, event: Event) -> Seq {
        append(&mut self.records, &mut self.chain, self.at, "agency-test", event)
    }

    pub fn adopt(&mut self, document: &str) {
        self.rules = ok(Rules::parse(document));
        self.push(Event::RulesAdopted(RulesAdopted {
            digest: sha256(document.as_bytes()),
            document: document.into(),
        }));
    }

    /// Contributions for `count` consecutive months from `from`, at `wage` each; returns their seqs.
    pub fn pay(&mut self, jurisdiction: &str, branch: Branch, from: &str, count: u32, wage: i64) -> Vec<Seq> {
        self.pay_as(Insurance::Compulsory, jurisdiction, branch, from, count, wage)
    }

    /// The same, of voluntary insurance.
    pub fn pay_voluntary(&mut self, jurisdiction: &str, branch: Branch, from: &str, count: u32, wage: i64) {
        self.pay_as(Insurance::Voluntary, jurisdiction, branch, from, count, wage);
    }

    fn pay_as(
        &mut self,
        insurance: Insurance,
        jurisdiction: &str,
        branch: Branch,
        from: &str,
        count: u32,
        wage: i64,
    ) -> Vec<Seq> {
        let start = ok(Month::parse(from)).ordinal();
        let currency = self.rules.currency_of(code(jurisdiction)).unwrap_or_else(|| panic!("{jurisdiction}"));
        (start..start + count)
            .map(|ordinal| {
                self.push(Event::ContributionRecorded(ContributionRecorded {
                    worker_id: self.worker.clone(),
                    jurisdiction: code(jurisdiction),
                    branch,
                    month: ok(Month::from_ordinal(ordinal)),
                    currency,
                    insured_wage: ok(MinorUnits::new("wage", wage)),
                    employer_share: ok(MinorUnits::new("employer", wage / 10)),
                    worker_share: ok(MinorUnits::new("worker", wage / 20)),
                    employer_ref: ok(Text::parse("employer_ref", "EMP-1", 64)),
                    sector: Sector::DomesticWork,
                    insurance,
                }))
            })
            .collect()
    }

    pub fn credit(&mut self, jurisdiction: &str, branch: Branch, from: &str, to: &str) {
        self.credit_as(CreditKind::Maternity, jurisdiction, branch, from, to);
    }

    /// Months credited (assimilated, or of voluntary insurance) of `kind`.
    pub fn credit_as(&mut self, kind: CreditKind, jurisdiction: &str, branch: Branch, from: &str, to: &str) {
        self.push(Event::PeriodCredited(PeriodCredited {
            worker_id: self.worker.clone(),
            jurisdiction: code(jurisdiction),
            branch,
            from: ok(Month::parse(from)),
            to: ok(Month::parse(to)),
            kind,
        }));
    }

    pub fn reverse(&mut self, seq: Seq, jurisdiction: &str) {
        self.push(Event::ContributionReversed(ContributionReversed {
            reversed_seq: seq,
            worker_id: self.worker.clone(),
            jurisdiction: code(jurisdiction),
            reason: ok(Text::parse("reason", "posted in error", 512)),
        }));
    }

    /// Moves the clock of later events to `date` (and records a residence change then, so the
    /// evaluation date of the whole log moves with it).
    pub fn later(&mut self, date: &str) {
        self.at = ok(DateTime::parse_from_rfc3339(&format!("{date}T00:00:00Z"))).with_timezone(&Utc);
        self.push(Event::ResidenceChanged(ResidenceChanged {
            worker_id: self.worker.clone(),
            country: code("PH"),
            from: Month::containing(self.at),
        }));
    }

    /// Records that the worker lives in `country` from this month on.
    pub fn move_to(&mut self, country: &str) {
        self.push(Event::ResidenceChanged(ResidenceChanged {
            worker_id: self.worker.clone(),
            country: code(country),
            from: Month::containing(self.at),
        }));
    }

    /// The balance lines after the first `len` records.
    pub fn lines(&self, len: usize) -> (NaiveDate, Vec<BalanceLine>) {
        let mut fold = LogFold::default();
        for record in &self.records[..len] {
            ok(fold.apply(record));
        }
        let balance = fold.balance(&self.worker).unwrap_or_else(|| panic!("no balance"));
        (balance.evaluated_on, balance.lines)
    }

    /// The balance lines after every record.
    pub fn now(&self) -> Vec<BalanceLine> {
        self.lines(self.records.len()).1
    }
}
pub const OLD_AGE: Branch = Branch::OldAge;
