//! Record ids: globally unique, sortable by creation within one process.
//!
//! A ULID (48 bits of milliseconds since the epoch and 80 random bits, in
//! Crockford base32: 26 characters) followed by `@` and the host that wrote
//! it, e.g. `01JDX3ZC8Q4M5T0V6B7N8P9R2S@bastion-1`. Within one process the
//! ids are strictly increasing (the random part is incremented within a
//! millisecond, as the ULID spec's monotonic mode does), so records written
//! at the same `at` keep the order they were written in when sorted by
//! (time, id). Across hosts the suffix alone makes them unique; across
//! processes on one host the 80 random bits do.
//!
//! I/O: reads the clock and the OS random source. The pure layers get ids
//! only from records the journal gave back.

use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

/// Crockford's base32 alphabet (no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The longest host part kept (a DNS label is at most 63 bytes).
pub const MAX_HOST: usize = 63;

/// The longest record id accepted from anywhere (ULID, `@`, host).
pub const MAX_ID: usize = 26 + 1 + MAX_HOST;

const RANDOM_MASK: u128 = (1 << 80) - 1;

struct Generator {
    last_ms: u64,
    random: u128,
}

static GENERATOR: Mutex<Generator> = Mutex::new(Generator { last_ms: 0, random: 0 });

/// A new id for a record written on `host` (see [`host_part`]).
pub fn new_id(host: &str) -> String {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    let value = {
        let mut g = GENERATOR.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        next(&mut g, ms, random80)
    };
    format!("{}@{}", encode(value), host_part(host))
}

/// The ULID after the previous one: fresh randomness in a new millisecond,
/// the previous random part plus one within the same millisecond (or when
/// the clock went back), so ids never repeat nor go down in one process.
fn next(g: &mut Generator, ms: u64, fresh: impl FnOnce() -> u128) -> u128 {
    if ms > g.last_ms {
        g.last_ms = ms;
        // Keep headroom so the increments of one millisecond never overflow.
        g.random = fresh() & (RANDOM_MASK >> 1);
    } else if g.random < RANDOM_MASK {
        g.random += 1;
    } else {
        // 2^79 ids in one millisecond: borrow the next one.
        g.last_ms += 1;
        g.random = 0;
    }
    (u128::from(g.last_ms & 0xFFFF_FFFF_FFFF) << 80) | g.random
}

fn random80() -> u128 {
    let mut buf = [0u8; 16];
    if getrandom::fill(&mut buf).is_err() {
        // No OS randomness (never seen on Linux): the pid and the time still
        // differ between processes; the host suffix between machines.
        let t = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        return t ^ (u128::from(std::process::id()) << 64);
    }
    u128::from_le_bytes(buf) & RANDOM_MASK
}

fn encode(mut value: u128) -> String {
    let mut out = [0u8; 26];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(value & 31) as usize];
        value >>= 5;
    }
    out.iter().map(|&b| b as char).collect()
}

/// A host name as it may stand in an id and on screen: lower-case ASCII
/// letters, digits, `-` and `.`, at most [`MAX_HOST`] bytes; `unknown` when
/// nothing is left.
pub fn host_part(host: &str) -> String {
    let out: String = host
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        .take(MAX_HOST)
        .collect();
    if out.is_empty() { "unknown".to_string() } else { out }
}

/// This machine's host name (`gethostname`), as [`host_part`] keeps it.
pub fn local_host() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname writes at
        // most that many bytes.
        let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
        let name = if rc == 0 {
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            String::from_utf8_lossy(&buf[..end]).into_owned()
        } else {
            String::new()
        };
        host_part(&name)
    })
}

/// Whether `id` has the shape of a record id this format accepts: a
/// 26-character base32 ULID, `@` and a host part; or a legacy id given to a
/// v1 line on read (`v1-…`). What came from the network and fails this is
/// not a record.
pub fn is_valid(id: &str) -> bool {
    if id.len() > MAX_ID {
        return false;
    }
    if let Some(rest) = id.strip_prefix("v1-") {
        return !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    }
    let Some((ulid, host)) = id.split_once('@') else { return false };
    ulid.len() == 26
        && ulid.bytes().all(|b| ALPHABET.contains(&b))
        // The first character holds only 3 bits of the 128.
        && ulid.as_bytes()[0] <= b'7'
        && !host.is_empty()
        && host_part(host) == host
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_unique_and_increasing() {
        let ids: Vec<String> = (0..2000).map(|_| new_id("Bastion_1.example")).collect();
        for id in &ids {
            assert!(is_valid(id), "{id}");
            assert!(id.ends_with("@bastion1.example"), "{id}");
        }
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, ids, "strictly increasing in creation order");
    }

    #[test]
    fn same_millisecond_increments_and_clock_going_back_never_goes_down() {
        let mut g = Generator { last_ms: 0, random: 0 };
        let a = next(&mut g, 1000, || 5);
        let b = next(&mut g, 1000, || 99);
        let c = next(&mut g, 900, || 99);
        let d = next(&mut g, 1001, || 7);
        assert!(a < b && b < c && c < d, "{a} {b} {c} {d}");
        assert_eq!(b - a, 1);
        let mut full = Generator { last_ms: 5, random: RANDOM_MASK };
        let e = next(&mut full, 5, || 0);
        assert_eq!(e >> 80, 6, "overflow borrows the next millisecond");
    }

    #[test]
    fn encoding_is_crockford_and_sorts_like_the_number() {
        assert_eq!(encode(0), "00000000000000000000000000");
        assert_eq!(encode(u128::MAX), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
        assert!(encode(31) < encode(32));
    }

    #[test]
    fn malformed_ids_are_refused() {
        assert!(is_valid("01JDX3ZC8Q4M5T0V6B7N8P9R2S@bastion-1"));
        assert!(is_valid("v1-0000003-9f86d081884c7d65"));
        for bad in [
            "",
            "01JDX3ZC8Q4M5T0V6B7N8P9R2S",
            "01JDX3ZC8Q4M5T0V6B7N8P9R2S@",
            "01JDX3ZC8Q4M5T0V6B7N8P9R2S@Host",
            "01JDX3ZC8Q4M5T0V6B7N8P9R2I@h",
            "81JDX3ZC8Q4M5T0V6B7N8P9R2S@h",
            "01JDX3ZC8Q4M5T0V6B7N8P9R2S@h\x1b[31m",
            "v1-",
            "v1-zz",
        ] {
            assert!(!is_valid(bad), "{bad:?}");
        }
        assert!(!is_valid(&format!("01JDX3ZC8Q4M5T0V6B7N8P9R2S@{}", "a".repeat(64))));
    }

    #[test]
    fn host_parts_are_cleaned() {
        assert_eq!(host_part("Web-01.Prod"), "web-01.prod");
        assert_eq!(host_part("\u{1b}[2J"), "2j");
        assert_eq!(host_part("@@"), "unknown");
        assert!(!local_host().is_empty());
    }
}
