//! Which cells of linked tables to suppress so that no combination of the published cells pins
//! down a suppressed one.
//!
//! A report's cells are sums over the same people: a line of a breakdown is part of the total, a
//! quarter is part of the year. Suppressing the small cells of each table on its own is not
//! enough: "the year less its first three quarters" or "the total less the shown lines" gives back
//! a suppressed cell exactly. Here every cell of every table that can be asked together is one
//! linear function of shared coordinates, and a suppressed cell is safe only when it is not a
//! linear combination of the published ones (checked exactly, in integers). Cells are suppressed
//! in addition (the smallest related cell first) until every suppressed cell is safe.
//!
//! The check is linear. Since a cell counts people, it cannot be negative either: suppressed
//! cells that a published parent shows to sum to nobody would each be nobody. That case is
//! checked too, within each family of a parent and the cells that partition it.

use std::collections::BTreeSet;

/// Cells with fewer people than this are suppressed.
pub const SMALL_CELL_WORKERS_MIN: u32 = 5;

/// One cell: what it sums, as a vector over the tables' coordinates, and its figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    /// The cell as a linear function of the coordinates (dense, one entry per coordinate).
    pub vector: Vec<i64>,
    /// People counted in the cell: fewer than [`SMALL_CELL_WORKERS_MIN`] suppress it.
    pub workers: u32,
    /// A figure that adds up over a family's children and is zero exactly when the cell is
    /// empty (covered months, amounts paid).
    pub measure: u128,
}

/// A parent cell and the cells that partition it: the lines of a breakdown and their total, the
/// quarters and their year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Family {
    pub parent: usize,
    pub children: Vec<usize>,
}

/// Tables asked together: their cells, how they nest, and the combinations of coordinates that
/// are the zero function (when the coordinates over-describe the people, as a constant moved
/// from one attribute's function to another's does).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Linked {
    pub cells: Vec<Cell>,
    pub families: Vec<Family>,
    pub kernel: Vec<Vec<i64>>,
}

/// Which cells to suppress: every cell under [`SMALL_CELL_WORKERS_MIN`] people (empty ones too,
/// so that an empty line says nothing either), and then, round by round, a related published cell
/// for each suppressed cell that the published cells determine, until none is determined.
pub fn suppress(linked: &Linked) -> Vec<bool> {
    let cells = &linked.cells;
    let mut hidden: Vec<bool> = cells.iter().map(|cell| cell.workers < SMALL_CELL_WORKERS_MIN).collect();
    let related = related_cells(cells.len(), &linked.families);
    loop {
        let mut more = BTreeSet::new();
        for family in &linked.families {
            if let Some(cell) = empty_by_difference(family, cells, &hidden) {
                more.insert(cell);
            }
        }
        if more.is_empty() {
            let (published, unpublishable) = published_span(linked, &hidden);
            more.extend(unpublishable);
            for (index, cell) in cells.iter().enumerate() {
                if hidden[index] && published.contains(&cell.vector) {
                    more.extend(complement(index, cells, &hidden, &related));
                }
            }
        }
        if more.is_empty() {
            return hidden;
        }
        for index in more {
            hidden[index] = true;
        }
    }
}

/// The tables of a year and its four quarters broken down one way at a time: `dims[d]` values of
/// attribute `d`, every person (of a quarter) having one value of each. Cells are in the order
/// period (the year, then each quarter) by line (the total, then attribute 0's values, then
/// attribute 1's...), and `figures` gives each its people and measure in that order. Per quarter, a
/// line is a function of one attribute, so the coordinates are the values of one function per
/// attribute, and a constant moved from attribute 0's function to another's is the kernel.
pub fn one_way(dims: &[usize], figures: &[(u32, u128)]) -> Linked {
    const PERIODS: usize = 5;
    let lines = 1 + dims.iter().sum::<usize>();
    let block: usize = dims.iter().sum();
    let offsets: Vec<usize> = dims.iter().scan(0, |at, dim| Some(std::mem::replace(at, *at + dim))).collect();
    let quarters_of = |period: usize| if period == 0 { 0..4 } else { period - 1..period };
    let mut cells = Vec::with_capacity(PERIODS * lines);
    for period in 0..PERIODS {
        for line in 0..lines {
            let mut vector = vec![0; 4 * block];
            for quarter in quarters_of(period) {
                let start = quarter * block;
                match line {
                    0 => vector[start..start + dims.first().copied().unwrap_or(0)].fill(1),
                    _ => vector[start + line - 1] = 1,
                }
            }
            let (workers, measure) = figures.get(cells.len()).copied().unwrap_or((0, 0));
            cells.push(Cell { vector, workers, measure });
        }
    }
    let at = |period: usize, line: usize| period * lines + line;
    let mut families = Vec::new();
    for period in 0..PERIODS {
        for (dim, offset) in dims.iter().zip(&offsets) {
            let children = (0..*dim).map(|value| at(period, 1 + offset + value)).collect();
            families.push(Family { parent: at(period, 0), children });
        }
    }
    for line in 0..lines {
        families.push(Family {
            parent: at(0, line),
            children: (1..PERIODS).map(|period| at(period, line)).collect(),
        });
    }
    let mut kernel = Vec::new();
    for quarter in 0..4 {
        for (dim, offset) in dims.iter().zip(&offsets).skip(1) {
            let mut zero = vec![0; 4 * block];
            let start = quarter * block;
            zero[start..start + dims[0]].fill(1);
            zero[start + offset..start + offset + dim].fill(-1);
            kernel.push(zero);
        }
    }
    Linked { cells, families, kernel }
}

/// For every cell, the cells it shares a family with.
fn related_cells(count: usize, families: &[Family]) -> Vec<BTreeSet<usize>> {
    let mut related = vec![BTreeSet::new(); count];
    for family in families {
        let members: Vec<usize> = family.children.iter().copied().chain([family.parent]).collect();
        for &member in &members {
            related[member].extend(members.iter().copied().filter(|other| *other != member));
        }
    }
    related
}

/// When `family`'s parent is published and its suppressed children add up to nothing (the
/// parent less the shown children), the smallest shown child to suppress with them.
fn empty_by_difference(family: &Family, cells: &[Cell], hidden: &[bool]) -> Option<usize> {
    if hidden[family.parent] {
        return None;
    }
    let mut suppressed = family.children.iter().filter(|child| hidden[**child]).peekable();
    suppressed.peek()?;
    if suppressed.map(|child| cells[*child].measure).sum::<u128>() > 0 {
        return None;
    }
    smallest(family.children.iter().copied().filter(|child| !hidden[*child]), cells)
}

/// The published cell to suppress so that `index` is no longer determined: the smallest related
/// one, else the smallest published one.
fn complement(index: usize, cells: &[Cell], hidden: &[bool], related: &[BTreeSet<usize>]) -> Option<usize> {
    smallest(related[index].iter().copied().filter(|other| !hidden[*other]), cells)
        .or_else(|| smallest((0..cells.len()).filter(|other| !hidden[*other]), cells))
}

fn smallest(candidates: impl Iterator<Item = usize>, cells: &[Cell]) -> Option<usize> {
    candidates.min_by_key(|index| (cells[*index].workers, *index))
}

/// The span of the published cells and the kernel, with the published cells whose vectors the
/// exact arithmetic could not take in: those are not published.
fn published_span(linked: &Linked, hidden: &[bool]) -> (Echelon, Vec<usize>) {
    let mut span = Echelon::default();
    let mut unpublishable = Vec::new();
    for zero in &linked.kernel {
        // A kernel vector that does not fit leaves the span smaller: every cell it would have
        // helped determine is then found determined by nothing less, so nothing is lost but
        // suppression; the kernel's entries are 0 and ±1, and they fit.
        let _ = span.insert(zero);
    }
    for (index, cell) in linked.cells.iter().enumerate() {
        if !hidden[index] && span.insert(&cell.vector).is_err() {
            unpublishable.push(index);
        }
    }
    (span, unpublishable)
}

/// The arithmetic left 64 bits: the answer is not known exactly.
#[derive(Debug)]
struct Overflow;

/// Rows in echelon form over the integers: each row is zero at the pivots of the rows before it,
/// and is divided by the greatest common divisor of its entries.
#[derive(Default)]
struct Echelon {
    rows: Vec<(usize, Vec<i64>)>,
}

impl Echelon {
    /// `vector` less its components along the rows, or `None` where the arithmetic overflowed.
    fn reduce(&self, vector: &[i64]) -> Result<Vec<i64>, Overflow> {
        let mut reduced = vector.to_vec();
        for (pivot, row) in &self.rows {
            let b = reduced[*pivot];
            if b == 0 {
                continue;
            }
            let a = row[*pivot];
            let divisor = gcd(a, b);
            let (scale, by) = (a / divisor, b / divisor);
            for (entry, pivot_entry) in reduced.iter_mut().zip(row) {
                let scaled = entry.checked_mul(scale).ok_or(Overflow)?;
                *entry = scaled.checked_sub(pivot_entry.checked_mul(by).ok_or(Overflow)?).ok_or(Overflow)?;
            }
            let common = reduced.iter().fold(0, |acc, entry| gcd(acc, *entry));
            if common > 1 {
                reduced.iter_mut().for_each(|entry| *entry /= common);
            }
        }
        Ok(reduced)
    }

    /// Adds `vector` to the span.
    fn insert(&mut self, vector: &[i64]) -> Result<(), Overflow> {
        let reduced = self.reduce(vector)?;
        if let Some(pivot) = reduced.iter().position(|entry| *entry != 0) {
            self.rows.push((pivot, reduced));
        }
        Ok(())
    }

    /// Whether `vector` is a combination of the rows; where the arithmetic cannot tell, it is
    /// taken to be one, so that doubt suppresses more rather than less.
    fn contains(&self, vector: &[i64]) -> bool {
        self.reduce(vector).map_or(true, |reduced| reduced.iter().all(|entry| *entry == 0))
    }
}

/// The greatest common divisor, non-negative; `gcd(0, 0)` is 0.
fn gcd(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    i64::try_from(a).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A breakdown of a total into `lines`: coordinates are the lines; the total is their sum.
    fn breakdown(lines: &[u32]) -> Linked {
        let width = lines.len();
        let unit = |index: usize| (0..width).map(|at| i64::from(at == index)).collect();
        let mut cells = vec![Cell {
            vector: vec![1; width],
            workers: lines.iter().sum(),
            measure: u128::from(lines.iter().sum::<u32>()),
        }];
        cells.extend(lines.iter().enumerate().map(|(index, workers)| Cell {
            vector: unit(index),
            workers: *workers,
            measure: u128::from(*workers),
        }));
        let families = vec![Family { parent: 0, children: (1..=width).collect() }];
        Linked { cells, families, kernel: Vec::new() }
    }

    fn lines_hidden(lines: &[u32]) -> Vec<bool> {
        suppress(&breakdown(lines))[1..].to_vec()
    }

    #[test]
    fn a_lone_small_cell_takes_the_smallest_shown_cell_with_it() {
        assert_eq!(lines_hidden(&[11, 5, 1, 6]), [false, true, true, false]);
        assert_eq!(lines_hidden(&[9, 8, 7]), [false, false, false]);
        // Two small cells with people in them hide each other.
        assert_eq!(lines_hidden(&[20, 1, 1]), [false, true, true]);
    }

    #[test]
    fn suppressed_cells_adding_up_to_nobody_take_a_shown_cell_with_them() {
        assert_eq!(lines_hidden(&[9, 7, 0, 0]), [false, true, true, true]);
        // Three small cells with people in them: the published figures give only their sum.
        assert_eq!(lines_hidden(&[9, 3, 2, 0]), [false, true, true, true]);
    }

    #[test]
    fn a_small_total_hides_everything() {
        assert_eq!(suppress(&breakdown(&[2, 1])), [true, true, true]);
    }

    #[test]
    fn a_quarter_is_not_the_year_less_the_other_quarters() {
        // Coordinates: four quarters. Cells: the year, then each quarter.
        let quarters = [30, 12, 3, 40];
        let mut cells = vec![Cell { vector: vec![1; 4], workers: 50, measure: 85 }];
        for (index, workers) in quarters.iter().enumerate() {
            let vector = (0..4).map(|at| i64::from(at == index)).collect();
            cells.push(Cell { vector, workers: *workers, measure: u128::from(*workers) });
        }
        let linked = Linked {
            cells,
            families: vec![Family { parent: 0, children: vec![1, 2, 3, 4] }],
            kernel: vec![],
        };
        // The third quarter is small; the second, the smallest shown, goes with it.
        assert_eq!(suppress(&linked), [false, false, true, true, false]);
    }

    #[test]
    fn exact_arithmetic_finds_combinations_across_tables() {
        // Two breakdowns of one total over a 2x2 of coordinates (a, b) x (x, y): rows a, b and
        // columns x, y. Cell (a, x) is not published at all: a - (a, y) would give it.
        let vector = |entries: [i64; 4]| entries.to_vec();
        let cell = |entries, workers| Cell { vector: vector(entries), workers, measure: u128::from(workers) };
        let cells = vec![
            cell([1, 1, 1, 1], 40), // total
            cell([1, 1, 0, 0], 20), // a
            cell([0, 0, 1, 1], 20), // b
            cell([1, 0, 1, 0], 3),  // x: small
            cell([0, 1, 0, 1], 37), // y
        ];
        let mut span = Echelon::default();
        for index in [0, 1, 2, 4] {
            span.insert(&cells[index].vector).expect("fits");
        }
        // x = total - y: determined; a single unit coordinate is not.
        assert!(span.contains(&cells[3].vector));
        assert!(!span.contains(&[1, 0, 0, 0]));
        let linked = Linked {
            cells,
            families: vec![
                Family { parent: 0, children: vec![1, 2] },
                Family { parent: 0, children: vec![3, 4] },
            ],
            kernel: vec![],
        };
        let hidden = suppress(&linked);
        assert!(hidden[3] && hidden[4], "{hidden:?}");
    }
}
