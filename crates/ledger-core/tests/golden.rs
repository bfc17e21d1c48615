//! Golden test vectors of the version-1 record format (test-data/records-v1.txt). Records written
//! today must decode forever: this test fails if the encoding, the decoding or the hashing of any
//! of them changes. `LEDGER_BLESS=1` writes the file anew, for a deliberate new vector only.

use std::path::PathBuf;

use chrono::DateTime;
use ledger_core::{
    chain_hash, event_hash, sha256, BenefitApplied, BenefitPaid, Branch, ChainHash, ClaimFiled, ClaimKind,
    ClaimOutcome, ClaimResolved, ContributionCorrected, ContributionRecorded, ContributionReversed,
    CredentialReplaced, CreditKind, Currency, EntitlementGranted, EntitlementStatusChanged, Event, Figures,
    Jurisdiction, MinorUnits, Month, PeriodCredited, PrincipalId, Record, RequestId, ResidenceChanged,
    RulesAdopted, Sector, Seq, Sex, StatusChange, Text, WorkerEnrolled, WorkerId,
};

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-data/records-v1.txt")
}

fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|error| panic!("fixed test value rejected: {error:?}"))
}

/// The events of the vectors: an illustrative worker's enrolment in the Philippines, a contribution
/// in Hong Kong, its reversal, credited maternity months, and the rest of the kinds: rules, benefits,
/// a residence change, a claim and its answer, a rotated and a reset credential, and a correction
/// of the contribution (appended later: the lines before it never change).
fn events() -> Vec<(&'static str, &'static str, i64, Event)> {
    let worker = WorkerId::from_random([0x3a, 0x91, 0x07, 0xc4, 0x5e, 0x22, 0xd8, 0x6b, 0x10, 0xf5]);
    let ph = ok(Jurisdiction::parse("PH"));
    let hk = ok(Jurisdiction::parse("HK"));
    vec![
        (
            "agency-ph",
            "owwa-2024-000184",
            1_717_200_000_000_000,
            Event::WorkerEnrolled(WorkerEnrolled {
                worker_id: worker.clone(),
                origin: ph,
                enrolled_in: ph,
                sex: Some(Sex::Female),
                birth_month: Some(ok(Month::parse("1993-08"))),
            }),
        ),
        (
            "agency-hk",
            "mpf-batch-2024-06-0001",
            1_719_792_000_123_456,
            Event::ContributionRecorded(ContributionRecorded {
                worker_id: worker.clone(),
                jurisdiction: hk,
                branch: Branch::OldAge,
                month: ok(Month::parse("2024-06")),
                currency: ok(Currency::parse("HKD")),
                insured_wage: ok(MinorUnits::new("wage", 490_000)),
                employer_share: ok(MinorUnits::new("employer", 24_500)),
                worker_share: ok(MinorUnits::new("worker", 24_500)),
                employer_ref: ok(Text::parse("employer_ref", "HK-EMP-7731", 64)),
                sector: Sector::DomesticWork,
                insurance: ledger_core::Insurance::Compulsory,
            }),
        ),
        (
            "agency-hk",
            "mpf-fix-2024-07-0002",
            1_720_000_000_000_001,
            Event::ContributionReversed(ContributionReversed {
                reversed_seq: Seq(1),
                worker_id: worker.clone(),
                jurisdiction: hk,
                reason: ok(Text::parse("reason", "posted twice by the employer — see ticket 4471", 512)),
            }),
        ),
        (
            "agency-ph",
            "sss-mat-2025-0031",
            1_740_000_000_000_000,
            Event::PeriodCredited(PeriodCredited {
                worker_id: worker.clone(),
                jurisdiction: ph,
                branch: Branch::Maternity,
                from: ok(Month::parse("2025-01")),
                to: ok(Month::parse("2025-04")),
                kind: CreditKind::Maternity,
            }),
        ),
        (
            "ledger",
            "rules-adopted",
            1_740_100_000_000_000,
            Event::RulesAdopted(RulesAdopted {
                digest: sha256(RULES.as_bytes()),
                document: RULES.to_owned(),
            }),
        ),
        (
            "agency-ph",
            "sss-grant-2025-0007",
            1_740_200_000_000_000,
            Event::EntitlementGranted(EntitlementGranted {
                worker_id: worker.clone(),
                jurisdiction: ph,
                branch: Branch::Maternity,
                currency: ok(Currency::parse("PHP")),
                monthly_amount: ok(MinorUnits::new("amount", 1_250_000)),
                start: ok(Month::parse("2025-01")),
            }),
        ),
        (
            "agency-ph",
            "sss-end-2025-0008",
            1_740_300_000_000_000,
            Event::EntitlementStatusChanged(EntitlementStatusChanged {
                entitlement: Seq(5),
                worker_id: worker.clone(),
                jurisdiction: ph,
                change: StatusChange::Ended,
                effective: ok(Month::parse("2025-05")),
                reason: ok(Text::parse("reason", "maternity period over", 512)),
            }),
        ),
        (
            "agency-ph",
            "sss-pay-2025-0009",
            1_740_400_000_000_000,
            Event::BenefitPaid(BenefitPaid {
                entitlement: Seq(5),
                worker_id: worker.clone(),
                jurisdiction: ph,
                month: ok(Month::parse("2025-02")),
                currency: ok(Currency::parse("PHP")),
                amount: ok(MinorUnits::new("amount", 1_250_000)),
                paid_into: hk,
            }),
        ),
        (
            "agency-ph",
            "owwa-return-2025-0011",
            1_740_500_000_000_000,
            Event::ResidenceChanged(ResidenceChanged {
                worker_id: worker.clone(),
                country: ph,
                from: ok(Month::parse("2025-06")),
            }),
        ),
        (
            "agency-ph",
            "owwa-claim-2025-0012",
            1_740_600_000_000_000,
            Event::ClaimFiled(ClaimFiled {
                worker_id: worker.clone(),
                addressed_to: hk,
                filed_via: Some(ph),
                kind: ClaimKind::UnremittedDeduction,
                employer_ref: ok(Text::parse("employer_ref", "HK-EMP-7731", 64)),
                months: vec![ok(Month::parse("2024-04")), ok(Month::parse("2024-05"))],
                currency: ok(Currency::parse("HKD")),
                amount: Some(ok(MinorUnits::new("amount", 49_000))),
                evidence_sha256: sha256(b"payslips 2024-04 and 2024-05"),
                respond_by: chrono::NaiveDate::from_ymd_opt(2025, 4, 20).unwrap_or_else(|| panic!("date")),
            }),
        ),
        (
            "agency-hk",
            "mpf-claim-2025-0013",
            1_740_700_000_000_000,
            Event::ClaimResolved(ClaimResolved {
                claim: Seq(9),
                worker_id: worker.clone(),
                jurisdiction: hk,
                outcome: ClaimOutcome::Upheld,
                reason: None,
                contributions: 2,
            }),
        ),
        (
            "worker-w7a8gfh2y4bc6p47n",
            "rotation-5d1c07a2e9b34f60",
            1_740_800_000_000_000,
            Event::CredentialReplaced(CredentialReplaced { worker_id: worker.clone(), reset_by: None }),
        ),
        (
            "agency-ph",
            "owwa-reset-2025-0031",
            1_740_900_000_000_000,
            Event::CredentialReplaced(CredentialReplaced { worker_id: worker.clone(), reset_by: Some(ph) }),
        ),
        (
            "agency-hk",
            "mpf-correction-2025-0007",
            1_741_000_000_000_000,
            Event::ContributionCorrected(ContributionCorrected {
                corrected_seq: Seq(1),
                worker_id: worker.clone(),
                jurisdiction: hk,
                branch: Branch::OldAge,
                month: ok(Month::parse("2024-06")),
                currency: ok(Currency::parse("HKD")),
                before: Figures {
                    insured_wage: ok(MinorUnits::new("wage", 490_000)),
                    employer_share: ok(MinorUnits::new("employer", 24_500)),
                    worker_share: ok(MinorUnits::new("worker", 24_500)),
                },
                after: Figures {
                    insured_wage: ok(MinorUnits::new("wage", 520_000)),
                    employer_share: ok(MinorUnits::new("employer", 26_000)),
                    worker_share: ok(MinorUnits::new("worker", 26_000)),
                },
                reason: ok(Text::parse("reason", "payroll corrected: overtime left out of June", 512)),
            }),
        ),
        (
            "agency-ph",
            "sss-retirement-2058-0001",
            1_741_100_000_000_000,
            Event::BenefitApplied(BenefitApplied {
                worker_id: worker.clone(),
                jurisdiction: ph,
                branch: Branch::OldAge,
                risk_date: ok(chrono::NaiveDate::parse_from_str("2058-09-01", "%Y-%m-%d")),
            }),
        ),
        (
            "agency-ph",
            "sss-voluntary-2025-03",
            1_741_200_000_000_000,
            Event::ContributionRecorded(ContributionRecorded {
                worker_id: worker.clone(),
                jurisdiction: ph,
                branch: Branch::OldAge,
                month: ok(Month::parse("2025-03")),
                currency: ok(Currency::parse("PHP")),
                insured_wage: ok(MinorUnits::new("wage", 2_000_000)),
                employer_share: ok(MinorUnits::new("employer", 0)),
                worker_share: ok(MinorUnits::new("worker", 280_000)),
                employer_ref: ok(Text::parse("employer_ref", "SELF", 64)),
                sector: Sector::DomesticWork,
                insurance: ledger_core::Insurance::Voluntary,
            }),
        ),
        (
            "agency-hk",
            "mpf-certificate-2025-0002",
            1_741_300_000_000_000,
            Event::PeriodCertified(ledger_core::PeriodCertified {
                worker_id: worker.clone(),
                jurisdiction: hk,
                branch: Branch::OldAge,
                from: ok(Month::parse("2023-01")),
                to: ok(Month::parse("2023-12")),
                unit: ledger_core::PeriodUnit::Days,
                quantity: 264,
                insurance: ledger_core::Insurance::Compulsory,
                months: 12,
            }),
        ),
        (
            "worker-w7a8gfh2y4bc6p47n",
            "access-3f9a0c41d2e87b65",
            1_741_400_000_000_000,
            Event::AccessChanged(ledger_core::AccessChanged {
                worker_id: worker.clone(),
                change: ledger_core::AccessChange::PinSet,
            }),
        ),
        (
            "worker-w7a8gfh2y4bc6p47n",
            "access-81b2e6d09c4f3a17",
            1_741_500_000_000_000,
            Event::AccessChanged(ledger_core::AccessChanged {
                worker_id: worker.clone(),
                change: ledger_core::AccessChange::Locked { failed_attempts: 5 },
            }),
        ),
        (
            "worker-w7a8gfh2y4bc6p47n",
            "access-c2d94e1f07ab3856",
            1_741_600_000_000_000,
            Event::AccessChanged(ledger_core::AccessChanged {
                worker_id: worker.clone(),
                change: ledger_core::AccessChange::PasskeyAdded,
            }),
        ),
        (
            "agency-ph",
            "dmw-recruitment-2025-0042",
            1_741_700_000_000_000,
            Event::RecruitmentCostRecorded(ledger_core::RecruitmentCostRecorded {
                worker_id: worker.clone(),
                origin: ph,
                destination: ok(Jurisdiction::parse("SA")),
                licensed_in: ph,
                licence: ok(Text::recorded("licence", "POEA-123-LB-031522-R", 64)),
                purpose: ledger_core::RecruitmentPurpose::Fee,
                currency: ok(Currency::parse("PHP")),
                amount: ok(MinorUnits::new("amount", 4_500_000)),
                paid_by: ledger_core::CostPayer::Loan,
                lender: Some(ok(Text::recorded("lender", "LENDER-PH-0091", 64))),
                employer_ref: Some(ok(Text::recorded("employer_ref", "SA-EMP-0311", 64))),
                paid_in: ok(Month::parse("2024-11")),
                evidence_sha256: [0x5a; 32],
                declared: false,
            }),
        ),
        (
            "worker-w7a8gfh2y4bc6p47n",
            "consent-5e0b7c2a19d4f863",
            1_741_800_000_000_000,
            Event::ConsentChanged(ledger_core::ConsentChanged {
                worker_id: worker.clone(),
                organisation: ok(ledger_core::PrincipalId::parse("union-sa-dwu")),
                registered_in: ok(Jurisdiction::parse("SA")),
                granted: true,
            }),
        ),
        (
            "worker-w7a8gfh2y4bc6p47n",
            "appeal-0c7d2e9a41b5f836",
            1_741_900_000_000_000,
            Event::ClaimAppealed(ledger_core::ClaimAppealed {
                claim: Seq(9),
                worker_id: worker.clone(),
                jurisdiction: hk,
                filed_via: None,
                appeal_body: ok(PrincipalId::parse("hk-labour-tribunal")),
                grounds_sha256: sha256(b"letter of appeal: 2024-03 is missing too"),
                respond_by: chrono::NaiveDate::from_ymd_opt(2025, 6, 12).unwrap_or_else(|| panic!("date")),
            }),
        ),
        (
            "hk-labour-tribunal",
            "lt-decision-2025-0101",
            1_742_000_000_000_000,
            Event::AppealDecided(ledger_core::AppealDecided {
                claim: Seq(9),
                worker_id: worker.clone(),
                jurisdiction: hk,
                outcome: ClaimOutcome::Rejected,
                reason: Some(ok(Text::parse("reason", "no contract for 2024-03 was produced", 512))),
                contributions: 0,
            }),
        ),
    ]
}

/// The vectors that the signed checkpoint of test-data/checkpoint-v1.txt covers: those that
/// existed when it was checked independently. Later vectors extend the log, not that tree.
const CHECKPOINT_VECTORS: usize = 13;

/// A small rules document for the RulesAdopted vector (illustrative).
const RULES: &str = "[document]\nname = \"vector\"\nversion = \"1\"\n\n[[jurisdiction]]\ncode = \"PH\"\nname = \"Philippines\"\ncurrency = \"PHP\"\n";

fn records() -> Vec<Record> {
    let mut prev = ChainHash::GENESIS;
    let mut records = Vec::new();
    for (seq, (principal, request_id, micros, event)) in events().into_iter().enumerate() {
        let record = Record {
            seq: Seq(seq as u64),
            recorded_at: DateTime::from_timestamp_micros(micros).unwrap_or_else(|| panic!("time")),
            principal: ok(PrincipalId::parse(principal)),
            request_id: ok(RequestId::parse(request_id)),
            prev_chain_hash: prev,
            event,
        };
        prev = chain_hash(&prev, &event_hash(&record.encode()));
        records.push(record);
    }
    records
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|at| ok(u8::from_str_radix(&text[at..at + 2], 16))).collect()
}

fn render(records: &[Record]) -> String {
    let mut text = String::from(
        "# Test vectors of the ledger's record format, version 1 (docs/FORMAT.md).\n\
         # One event per line: seq, the record's bytes, its event hash, the chain hash after it (hex).\n\
         # Illustrative data: the worker, agencies and amounts are invented.\n",
    );
    for record in records {
        let bytes = record.encode();
        let event = event_hash(&bytes);
        let chain = chain_hash(&record.prev_chain_hash, &event);
        text.push_str(&format!("{} {} {} {}\n", record.seq, hex(&bytes), event.to_hex(), chain.to_hex()));
    }
    text
}

#[test]
fn golden_records_keep_decoding_and_hashing_the_same() {
    let expected = records();
    if std::env::var_os("LEDGER_BLESS").is_some() {
        ok(std::fs::write(golden_path(), render(&expected)));
    }
    let text = std::fs::read_to_string(golden_path())
        .unwrap_or_else(|error| panic!("test-data/records-v1.txt: {error}"));
    let lines: Vec<&str> = text.lines().filter(|line| !line.starts_with('#')).collect();
    assert_eq!(lines.len(), expected.len());
    let mut prev = ChainHash::GENESIS;
    for (line, record) in lines.iter().zip(&expected) {
        let fields: Vec<&str> = line.split(' ').collect();
        let bytes = unhex(fields[1]);
        let decoded = ok(Record::decode(&bytes));
        assert_eq!(&decoded, record, "seq {}", fields[0]);
        assert_eq!(decoded.encode(), bytes, "re-encoding seq {}", fields[0]);
        assert_eq!(decoded.prev_chain_hash, prev);
        let event = event_hash(&bytes);
        assert_eq!(event.to_hex(), fields[2]);
        prev = chain_hash(&prev, &event);
        assert_eq!(prev.to_hex(), fields[3]);
    }
}

#[test]
fn every_truncation_and_extension_of_a_record_is_refused() {
    for record in records() {
        let bytes = record.encode();
        for len in 0..bytes.len() {
            assert!(
                Record::decode(&bytes[..len]).is_err(),
                "a {len}-byte prefix of seq {} decoded",
                record.seq
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Record::decode(&longer).is_err());
    }
}

#[test]
fn every_single_bit_flip_either_fails_to_decode_or_changes_the_hash() {
    for record in records() {
        let bytes = record.encode();
        let original = event_hash(&bytes);
        for index in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[index / 8] ^= 1 << (index % 8);
            if let Ok(decoded) = Record::decode(&flipped) {
                assert_ne!(decoded, record);
                assert_eq!(decoded.encode(), flipped, "decoding is canonical");
                assert_ne!(event_hash(&flipped), original);
            }
        }
    }
}

/// A signed checkpoint of the vectors' tree, under a fixed illustrative key (seed: 32 bytes of 7),
/// in test-data/checkpoint-v1.txt: the verifier key, then the signed note. Ed25519 signatures are
/// deterministic, so the note never changes.
#[test]
fn golden_checkpoint_keeps_verifying() {
    use ledger_core::checkpoint::{LogKey, Verifier};
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-data/checkpoint-v1.txt");
    let leaves: Vec<[u8; 32]> = records()
        .iter()
        .take(CHECKPOINT_VECTORS)
        .map(|record| *event_hash(&record.encode()).as_bytes())
        .collect();
    let root = ledger_core::merkle::root_of(&leaves);
    let key = LogKey::from_seed("social-protection-ledger/vectors", &[7; 32]);
    if std::env::var_os("LEDGER_BLESS").is_some() {
        ok(std::fs::write(&path, format!("{}\n{}", key.verifier_key(), key.sign(leaves.len() as u64, root))));
    }
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("test-data/checkpoint-v1.txt: {error}"));
    let (verifier_key, note) = text.split_once('\n').unwrap_or_else(|| panic!("a key line, then the note"));
    let checkpoint = ok(ok(Verifier::parse(verifier_key)).verify(note));
    assert_eq!((checkpoint.size, checkpoint.root), (leaves.len() as u64, root));
    assert_eq!(key.sign(leaves.len() as u64, root), note, "signing is deterministic");
}
