//! A reply checked against a case's recorded one: the status and
//! `Content-Type` of `.response.http`, and the body as `.response.xml`
//! (canonical XML, `{{any}}` matching any value), `.response.txt` (exact
//! text) or `.response.entries` (a ZIP archive's listing) records it.
//! `{{base}}` in a recorded body is the server's `scheme://host:port`, as
//! in a request. A case with only `.response.http` checks only its lines
//! (an image, whose bytes depend on the machine's SIMD paths).

use std::path::Path;

use super::request::base;
use super::{read_text, sibling};
use crate::http::client;
use crate::soap::canon;

/// What differs between the reply and the recorded one; empty if nothing.
pub(super) fn compare(case: &Path, resp: &client::Response, server: &str) -> Result<Vec<String>, String> {
    let expect = |suffix: &str| -> Result<Option<String>, String> {
        Ok(read_text(&sibling(case, suffix))?
            .map(|t| String::from_utf8_lossy(&base(t.as_bytes(), server)).into_owned()))
    };
    let http = read_text(&sibling(case, ".response.http"))?;
    let mut problems = http.as_deref().map(|h| head(h, resp)).unwrap_or_default();
    let text = String::from_utf8(resp.body.clone());
    if let Some(want) = expect(".response.xml")? {
        match text {
            Ok(got) => {
                if let Err(mismatch) = canon::matches(&want, &got) {
                    problems.push(format!("reply differs:\n{mismatch}"));
                    if matches!(mismatch, canon::Mismatch::Actual(_)) {
                        problems.push(format!("the reply was:\n{got}"));
                    }
                }
            }
            Err(_) => problems.push("the reply is not UTF-8 text".to_owned()),
        }
    } else if let Some(want) = expect(".response.txt")? {
        let got = text.unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        if got != want {
            problems.push(format!("reply differs:\n{}", canon::line_diff(&want, &got)));
        }
    } else if let Some(want) = expect(".response.entries")? {
        match listing(&resp.body) {
            Ok(got) if got == want => {}
            Ok(got) => problems.push(format!("archive entries differ:\n{}", canon::line_diff(&want, &got))),
            Err(why) => problems.push(format!("the reply is not a ZIP archive: {why}")),
        }
    } else if http.is_none() {
        problems
            .push("no recorded reply (.response.xml, .response.txt, .response.entries or .response.http)".to_owned());
    }
    Ok(problems)
}

/// The status and `Content-Type` lines of `.response.http` against the reply.
fn head(http: &str, resp: &client::Response) -> Vec<String> {
    let mut problems = Vec::new();
    for line in http.lines() {
        if let Some(code) = line.strip_prefix("HTTP ") {
            if code.trim() != resp.status.to_string() {
                problems.push(format!("HTTP status: expected {}, got {}", code.trim(), resp.status));
            }
        } else if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-type") {
                let got = resp.header("content-type").unwrap_or("(none)");
                if got != value.trim() {
                    problems.push(format!("Content-Type: expected {}, got {got}", value.trim()));
                }
            }
        }
    }
    problems
}

/// A ZIP archive's central directory as text: a line `<size> <crc32> <name>`
/// per entry, in the archive's order (uncompressed size in bytes, CRC-32 in
/// eight lower-case hex digits).
pub(super) fn listing(zip: &[u8]) -> Result<String, String> {
    const END: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const ENTRY: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];
    // The end record is 22 bytes plus a comment of at most 64 KiB.
    let from = zip.len().saturating_sub(22 + 0xffff);
    let end = (from..zip.len().saturating_sub(21))
        .rev()
        .find(|&i| zip[i..i + 4] == END)
        .ok_or("no end of central directory record")?;
    let count = u16_at(zip, end + 10)?;
    let mut at = u32_at(zip, end + 16)? as usize;
    let mut out = String::new();
    for _ in 0..count {
        if zip.get(at..at + 4) != Some(&ENTRY[..]) {
            return Err(format!("no central directory entry at byte {at}"));
        }
        let crc = u32_at(zip, at + 16)?;
        let size = u32_at(zip, at + 24)?;
        let name_len = u16_at(zip, at + 28)? as usize;
        let extra = u16_at(zip, at + 30)? as usize + u16_at(zip, at + 32)? as usize;
        let name = zip
            .get(at + 46..at + 46 + name_len)
            .ok_or("an entry's name is cut off")?;
        out.push_str(&format!("{size} {crc:08x} {}\n", String::from_utf8_lossy(name)));
        at += 46 + name_len + extra;
    }
    Ok(out)
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, String> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| "the archive is cut off".to_owned())
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, String> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| "the archive is cut off".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored ZIP of `entries`, written here by hand (name, CRC, bytes).
    fn zip(entries: &[(&str, u32, &[u8])]) -> Vec<u8> {
        let (mut out, mut central) = (Vec::new(), Vec::new());
        for (name, crc, data) in entries {
            let offset = out.len() as u32;
            out.extend_from_slice(&[0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            central.extend_from_slice(&[0x50, 0x4b, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&crc.to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let at = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&at.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn an_archive_is_listed_entry_by_entry() {
        let archive = zip(&[("a.jpg", 0xdead_beef, b"abc"), ("dir/b.png", 1, b"")]);
        assert_eq!(
            listing(&archive).expect("a listing"),
            "3 deadbeef a.jpg\n0 00000001 dir/b.png\n"
        );
        assert!(listing(b"not a zip").is_err());
        assert!(listing(&archive[..archive.len() - 30]).is_err());
        assert!(listing(&[]).is_err());
    }
}
