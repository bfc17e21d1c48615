//! Labels people type (`old_age`, `domestic_work`) to the wire's enumeration codes, and back.

use ledger_core::{Branch, Sector, Sex};

/// A label that names no value of its kind.
#[derive(Debug, thiserror::Error)]
#[error("{label:?} is not a {kind}")]
pub struct UnknownLabel {
    pub kind: &'static str,
    pub label: String,
}

/// The wire code of the value of `all` whose label is `label`.
pub fn code<T: Copy>(
    kind: &'static str,
    label: &str,
    all: &[T],
    label_of: impl Fn(T) -> &'static str,
    code_of: impl Fn(T) -> u8,
) -> Result<i32, UnknownLabel> {
    all.iter()
        .copied()
        .find(|value| label_of(*value) == label)
        .map(|value| i32::from(code_of(value)))
        .ok_or_else(|| UnknownLabel { kind, label: label.to_owned() })
}

pub fn branch_code(label: &str) -> Result<i32, UnknownLabel> {
    code("branch", label, Branch::ALL, Branch::label, Branch::code)
}

pub fn sector_code(label: &str) -> Result<i32, UnknownLabel> {
    code("sector", label, Sector::ALL, Sector::label, Sector::code)
}

pub fn sex_code(label: &str) -> Result<i32, UnknownLabel> {
    code("sex", label, Sex::ALL, Sex::label, Sex::code)
}

/// A branch's label from its wire code; `?` for a code no branch has.
pub fn branch_label(code: i32) -> &'static str {
    Branch::from_code(code.into()).map_or("?", Branch::label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_codes_go_both_ways() {
        for branch in Branch::ALL {
            let code = branch_code(branch.label()).unwrap_or(-1);
            assert_eq!(branch_label(code), branch.label());
        }
        assert_eq!(sector_code("domestic_work").ok(), Some(i32::from(Sector::DomesticWork.code())));
        assert_eq!(sex_code("female").ok(), Some(i32::from(Sex::Female.code())));
        let unknown = branch_code("pension").map_err(|error| error.to_string());
        assert_eq!(unknown, Err("\"pension\" is not a branch".to_owned()));
        assert_eq!(branch_label(99), "?");
    }
}
