//! The at-rest record format every store adapter writes: a frame around a JSON body.
//!
//! ```text
//! frame := magic:u8 (0xBB) | format:u8 (1) | length:u32 LE | crc32:u32 LE | body[length]
//! ```
//!
//! The CRC-32 (IEEE) covers the body. A frame is verified before its body is decoded, so a
//! torn or corrupted record is reported as such and never decoded into garbage. Several
//! frames may be concatenated (a group commit); [`read_frame`] walks them.

use crate::store::Commit;

const MAGIC: u8 = 0xBB;
const FORMAT: u8 = 1;
/// Bytes before the body.
pub const HEADER_LEN: usize = 10;

/// Why a record could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("truncated record: needs {needed} bytes, has {available}")]
    Truncated { needed: usize, available: usize },
    #[error("not a record: bad magic byte {0:#04x}")]
    BadMagic(u8),
    #[error("unknown record format {0}")]
    UnknownFormat(u8),
    #[error("checksum mismatch: stored {stored:#010x}, computed {computed:#010x}")]
    Checksum { stored: u32, computed: u32 },
    #[error("record body does not decode: {0}")]
    Body(String),
}

/// Appends one frame holding `body` to `out`.
pub fn write_frame(out: &mut Vec<u8>, body: &[u8]) {
    let len = u32::try_from(body.len()).expect("a record body is under 4 GiB");
    out.reserve(HEADER_LEN + body.len());
    out.push(MAGIC);
    out.push(FORMAT);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
}

/// Reads the frame at the start of `bytes`: its verified body and the bytes it used.
pub fn read_frame(bytes: &[u8]) -> Result<(&[u8], usize), RecordError> {
    if bytes.len() < HEADER_LEN {
        return Err(RecordError::Truncated { needed: HEADER_LEN, available: bytes.len() });
    }
    if bytes[0] != MAGIC {
        return Err(RecordError::BadMagic(bytes[0]));
    }
    if bytes[1] != FORMAT {
        return Err(RecordError::UnknownFormat(bytes[1]));
    }
    let len = u32::from_le_bytes(bytes[2..6].try_into().expect("4 bytes")) as usize;
    let stored = u32::from_le_bytes(bytes[6..10].try_into().expect("4 bytes"));
    let end = HEADER_LEN.saturating_add(len);
    if bytes.len() < end {
        return Err(RecordError::Truncated { needed: end, available: bytes.len() });
    }
    let body = &bytes[HEADER_LEN..end];
    let computed = crc32fast::hash(body);
    if stored != computed {
        return Err(RecordError::Checksum { stored, computed });
    }
    Ok((body, end))
}

/// Encodes a commit as one frame appended to `out`; returns the frame's byte range.
pub fn encode_commit(out: &mut Vec<u8>, commit: &Commit) -> std::ops::Range<usize> {
    let body = serde_json::to_vec(commit).expect("a commit always serializes to JSON");
    let start = out.len();
    write_frame(out, &body);
    start..out.len()
}

/// Decodes the commit frame at the start of `bytes`.
pub fn decode_commit(bytes: &[u8]) -> Result<Commit, RecordError> {
    let (body, _) = read_frame(bytes)?;
    serde_json::from_slice(body).map_err(|e| RecordError::Body(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn frames_round_trip_and_concatenate() {
        let mut out = Vec::new();
        write_frame(&mut out, b"hello");
        write_frame(&mut out, b"");
        let (body, used) = read_frame(&out).unwrap();
        assert_eq!(body, b"hello");
        let (body2, used2) = read_frame(&out[used..]).unwrap();
        assert_eq!(body2, b"");
        assert_eq!(used + used2, out.len());
    }

    proptest! {
        #[test]
        fn any_single_byte_flip_or_truncation_is_detected(
            body in proptest::collection::vec(any::<u8>(), 0..200),
            at in any::<proptest::sample::Index>(),
            flip in 1u8..=255,
            cut in any::<proptest::sample::Index>(),
        ) {
            let mut frame = Vec::new();
            write_frame(&mut frame, &body);
            let mut flipped = frame.clone();
            let i = at.index(flipped.len());
            flipped[i] ^= flip;
            // A flipped length byte points past the end (truncated) or shortens the body
            // (checksum): either way the damage is reported, never returned as data.
            prop_assert!(read_frame(&flipped).is_err());
            let cut = cut.index(frame.len());
            prop_assert!(read_frame(&frame[..cut]).is_err());
        }
    }
}
