//! Reading big-endian fields from a byte slice, for the decoders of stored formats (records,
//! projections). Each decoder wraps it with its own error type.

/// The input ended before a field did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("needs {needed} more bytes at byte {offset}, has {available}")]
pub struct Short {
    pub offset: usize,
    pub needed: usize,
    pub available: usize,
}

#[derive(Clone, Debug)]
pub struct Cursor<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8]) -> Cursor<'a> {
        Cursor { bytes, offset: 0 }
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn at_end(&self) -> bool {
        self.offset == self.bytes.len()
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.offset
    }

    /// The next `len` bytes, without consuming them, if there are that many.
    pub fn peek(&self, len: usize) -> Option<&'a [u8]> {
        self.bytes.get(self.offset..self.offset.checked_add(len)?)
    }

    pub fn take(&mut self, len: usize) -> Result<&'a [u8], Short> {
        let slice =
            self.peek(len).ok_or(Short { offset: self.offset, needed: len, available: self.remaining() })?;
        self.offset += len;
        Ok(slice)
    }

    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], Short> {
        let mut array = [0u8; N];
        array.copy_from_slice(self.take(N)?);
        Ok(array)
    }

    pub fn u8(&mut self) -> Result<u8, Short> {
        Ok(self.array::<1>()?[0])
    }

    pub fn u16(&mut self) -> Result<u16, Short> {
        self.array().map(u16::from_be_bytes)
    }

    pub fn u32(&mut self) -> Result<u32, Short> {
        self.array().map(u32::from_be_bytes)
    }

    pub fn u64(&mut self) -> Result<u64, Short> {
        self.array().map(u64::from_be_bytes)
    }

    pub fn i64(&mut self) -> Result<i64, Short> {
        self.array().map(i64::from_be_bytes)
    }

    pub fn u128(&mut self) -> Result<u128, Short> {
        self.array().map(u128::from_be_bytes)
    }
}
