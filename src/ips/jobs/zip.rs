//! A ZIP archive of stored entries (no compression: the entries are images,
//! already compressed), as an export job delivers its files.
//!
//! Entry names are UTF-8 (flag bit 11); times are the DOS epoch, so the same
//! files give the same archive. No ZIP64: an archive is refused past
//! [`MAX_ARCHIVE_BYTES`], far below the 4 GiB that format limit allows.

/// The largest archive an export job builds.
pub const MAX_ARCHIVE_BYTES: usize = 512 * 1024 * 1024;

/// The most entries (the classic format's 16-bit count).
const MAX_ENTRIES: usize = 65_535;

/// An archive being built.
#[derive(Debug, Default)]
pub struct Zip {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: usize,
}

/// The entry would make the archive larger than allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

const DOS_DATE: u16 = (1 << 5) | 1; // 1980-01-01
const DOS_TIME: u16 = 0;

impl Zip {
    /// An empty archive.
    pub fn new() -> Self {
        Zip::default()
    }

    /// Adds an entry; `Err(Full)` leaves the archive as it was.
    pub fn add(&mut self, name: &str, data: &[u8]) -> Result<(), Full> {
        let name = name.as_bytes();
        let added = 2 * (46 + name.len()) + data.len() + 22;
        if self.entries >= MAX_ENTRIES
            || name.len() > usize::from(u16::MAX)
            || self.out.len() + self.central.len() + added > MAX_ARCHIVE_BYTES
        {
            return Err(Full);
        }
        let (crc, size) = (crc32fast::hash(data), data.len() as u32);
        let offset = self.out.len() as u32;
        let name_len = name.len() as u16;
        let local = &mut self.out;
        put32(local, 0x0403_4b50);
        for v in [10u16, 0x0800, 0, DOS_TIME, DOS_DATE] {
            put16(local, v);
        }
        for v in [crc, size, size] {
            put32(local, v);
        }
        put16(local, name_len);
        put16(local, 0);
        local.extend_from_slice(name);
        local.extend_from_slice(data);
        let c = &mut self.central;
        put32(c, 0x0201_4b50);
        for v in [20u16, 10, 0x0800, 0, DOS_TIME, DOS_DATE] {
            put16(c, v);
        }
        for v in [crc, size, size] {
            put32(c, v);
        }
        for v in [name_len, 0, 0, 0, 0] {
            put16(c, v);
        }
        put32(c, 0);
        put32(c, offset);
        c.extend_from_slice(name);
        self.entries += 1;
        Ok(())
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries
    }

    /// The archive's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        let (offset, size) = (self.out.len() as u32, self.central.len() as u32);
        self.out.append(&mut self.central);
        let out = &mut self.out;
        put32(out, 0x0605_4b50);
        for v in [0u16, 0, self.entries as u16, self.entries as u16] {
            put16(out, v);
        }
        put32(out, size);
        put32(out, offset);
        put16(out, 0);
        self.out
    }
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u16_at(b: &[u8], at: usize) -> usize {
        usize::from(u16::from_le_bytes([b[at], b[at + 1]]))
    }

    fn u32_at(b: &[u8], at: usize) -> usize {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
    }

    /// Reads the archive back the way an unzipper does: from the end record
    /// to the central directory to each local entry.
    fn entries(b: &[u8]) -> Vec<(String, Vec<u8>)> {
        let end = b.len() - 22;
        assert_eq!(u32_at(b, end), 0x0605_4b50);
        let (count, mut at) = (u16_at(b, end + 10), u32_at(b, end + 16));
        let mut out = Vec::new();
        for _ in 0..count {
            assert_eq!(u32_at(b, at), 0x0201_4b50);
            let (crc, size, name_len) = (u32_at(b, at + 16), u32_at(b, at + 24), u16_at(b, at + 28));
            let local = u32_at(b, at + 42);
            let name = String::from_utf8(b[at + 46..at + 46 + name_len].to_vec()).expect("utf-8");
            assert_eq!(u32_at(b, local), 0x0403_4b50);
            let data_at = local + 30 + u16_at(b, local + 26) + u16_at(b, local + 28);
            let data = b[data_at..data_at + size].to_vec();
            assert_eq!(crc32fast::hash(&data) as usize, crc);
            out.push((name, data));
            at += 46 + name_len;
        }
        out
    }

    #[test]
    fn entries_read_back() {
        let mut zip = Zip::new();
        zip.add("a.jpg", b"first").expect("fits");
        zip.add("dir/bé.png", &[0u8; 1000]).expect("fits");
        zip.add("empty", b"").expect("fits");
        assert_eq!(zip.len(), 3);
        let got = entries(&zip.finish());
        assert_eq!(
            got,
            vec![
                ("a.jpg".to_owned(), b"first".to_vec()),
                ("dir/bé.png".to_owned(), vec![0u8; 1000]),
                ("empty".to_owned(), Vec::new()),
            ]
        );
        assert_eq!(entries(&Zip::new().finish()), Vec::new());
    }

    #[test]
    fn an_entry_past_the_limit_is_refused_and_leaves_the_archive_whole() {
        let mut zip = Zip::new();
        zip.add("small", b"x").expect("fits");
        let big = vec![0u8; MAX_ARCHIVE_BYTES];
        assert_eq!(zip.add("big", &big), Err(Full));
        assert_eq!(entries(&zip.finish()).len(), 1);
    }
}
