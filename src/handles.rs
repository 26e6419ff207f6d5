//! The IPS handle vocabulary: company, asset, folder and upload job handles.
//!
//! Handles are opaque strings on the wire. The emulator mints them in the
//! 2008-01-15 style (`c|6`, `a|739|1|537`, `ApiTestCo/`) and also accepts the
//! forms other API generations used (`6`, `a|739`, `f|ApiTestCo/`). This module
//! only parses and prints; it does no I/O and knows nothing of the catalog.

use std::fmt;

/// A company handle, `c|<id>`. The bare pre-4.0 form `<id>` is accepted too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CompanyHandle(pub i64);

impl CompanyHandle {
    /// Parses `c|6` or `6`. Anything else is `None`: callers turn that into the
    /// same fault as an unknown company, so handles cannot be probed.
    pub fn parse(s: &str) -> Option<Self> {
        let digits = s.strip_prefix("c|").unwrap_or(s);
        parse_id(digits).map(CompanyHandle)
    }
}

impl fmt::Display for CompanyHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c|{}", self.0)
    }
}

/// The numeric type code in the middle of a long asset handle.
pub const IMAGE_TYPE_CODE: i64 = 1;

/// The type code of a long handle for the asset types other than Image
/// the emulator makes: those Adobe's examples show (`AdjustedView` 10 in
/// `a|944|10|2`, `ImageSet` 22 in `25741|22|841`, `AssetSet` 44 in
/// `a|1801|44|1801`), and for `LayerView` and `SpinSet`, which no example
/// shows, the emulator's own choice (11 and 23).
pub fn type_code(asset_type: &str) -> Option<i64> {
    Some(match asset_type {
        "Image" => IMAGE_TYPE_CODE,
        "AdjustedView" => 10,
        "LayerView" => 11,
        "ImageSet" => 22,
        "SpinSet" => 23,
        "AssetSet" => 44,
        _ => return None,
    })
}

/// An asset handle: `a|<assetId>|<typeCode>|<typeRecordId>` (the 2008 form)
/// or the short `a|<assetId>` later API versions print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AssetHandle {
    /// The asset's own id.
    pub id: i64,
    /// `(typeCode, typeRecordId)` when the long form was given.
    pub typed: Option<(i64, i64)>,
}

impl AssetHandle {
    /// Parses `a|739|1|537`, `a|739` or the pre-4.0 `739|1|537`.
    pub fn parse(s: &str) -> Option<Self> {
        let body = s.strip_prefix("a|").unwrap_or(s);
        let mut parts = body.split('|');
        let id = parse_id(parts.next()?)?;
        let typed = match (parts.next(), parts.next(), parts.next()) {
            (None, _, _) if s.starts_with("a|") => None,
            (Some(code), Some(record), None) => Some((parse_id(code)?, parse_id(record)?)),
            _ => return None,
        };
        Some(AssetHandle { id, typed })
    }

    /// The long handle the emulator mints: `a|<id>|<typeCode>|<typeRecordId>`.
    pub fn long(id: i64, type_code: i64, type_record_id: i64) -> Self {
        AssetHandle {
            id,
            typed: Some((type_code, type_record_id)),
        }
    }
}

impl fmt::Display for AssetHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.typed {
            Some((code, record)) => write!(f, "a|{}|{}|{}", self.id, code, record),
            None => write!(f, "a|{}", self.id),
        }
    }
}

/// A folder handle: the folder's full path, company root first, ending in `/`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FolderHandle(pub String);

impl FolderHandle {
    /// Accepts `ApiTestCo/sub/`, `f|ApiTestCo/sub/` and the same without the
    /// trailing slash (added), because clients written against later API
    /// versions pass `f|` handles and hand-written ones often drop the slash.
    pub fn parse(s: &str) -> Option<Self> {
        let path = s.strip_prefix("f|").unwrap_or(s);
        if path.is_empty() || path.starts_with('/') || path.contains("//") {
            return None;
        }
        if path.split('/').any(|seg| seg == "." || seg == "..") {
            return None;
        }
        let mut path = path.to_owned();
        if !path.ends_with('/') {
            path.push('/');
        }
        Some(FolderHandle(path))
    }
}

impl fmt::Display for FolderHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An upload job handle, `j|<companyId>||<jobName>|<jobId>`, the form the
/// upload servlet answers (`j|2101||uploadFileServlet-1376682217351|54091`).
/// The name may itself contain `|`: the id is read from the right.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct JobHandle {
    /// The company's id.
    pub company: i64,
    /// The job's name, as its first request gave it.
    pub name: String,
    /// The job's id.
    pub id: i64,
}

impl JobHandle {
    /// Parses `j|6||my job|1`.
    pub fn parse(s: &str) -> Option<Self> {
        let (company, rest) = s.strip_prefix("j|")?.split_once('|')?;
        let (name, id) = rest.strip_prefix('|')?.rsplit_once('|')?;
        if name.is_empty() {
            return None;
        }
        Some(JobHandle {
            company: parse_id(company)?,
            name: name.to_owned(),
            id: parse_id(id)?,
        })
    }
}

impl fmt::Display for JobHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "j|{}||{}|{}", self.company, self.name, self.id)
    }
}

/// Strict positive decimal id: no sign, no leading zeros, no exotic digits,
/// at most 18 digits so it always fits an `i64`.
fn parse_id(s: &str) -> Option<i64> {
    let ok =
        !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()) && !(s.len() > 1 && s.starts_with('0'));
    if ok {
        s.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_handles() {
        assert_eq!(CompanyHandle::parse("c|6"), Some(CompanyHandle(6)));
        assert_eq!(CompanyHandle::parse("21"), Some(CompanyHandle(21)));
        for bad in [
            "",
            "c|",
            "c|-1",
            "c|+5",
            "c|06",
            "c|6 ",
            "x|6",
            "c|１",
            "c|99999999999999999999",
        ] {
            assert_eq!(CompanyHandle::parse(bad), None, "{bad:?}");
        }
        assert_eq!(CompanyHandle(6).to_string(), "c|6");
    }

    #[test]
    fn asset_handles() {
        let long = AssetHandle::parse("a|739|1|537").unwrap();
        assert_eq!(long, AssetHandle::long(739, 1, 537));
        assert_eq!(long.to_string(), "a|739|1|537");
        assert_eq!(AssetHandle::parse("a|210").unwrap().to_string(), "a|210");
        assert_eq!(AssetHandle::parse("739|1|537"), Some(long));
        for bad in [
            "",
            "a|",
            "a|739|1",
            "a|739|1|537|9",
            "a|739|x",
            "a||1|2",
            "739",
            "A|739|1|537",
            "a|0x10",
        ] {
            assert_eq!(AssetHandle::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn job_handles() {
        let h = JobHandle::parse("j|2101||uploadFileServlet-1376682217351|54091").unwrap();
        assert_eq!(
            (h.company, h.name.as_str(), h.id),
            (2101, "uploadFileServlet-1376682217351", 54091)
        );
        assert_eq!(h.to_string(), "j|2101||uploadFileServlet-1376682217351|54091");
        let piped = JobHandle::parse("j|6||a|b|7").unwrap();
        assert_eq!((piped.name.as_str(), piped.id), ("a|b", 7));
        for bad in ["", "j|6||x", "j|6|x|1", "j|6|||1", "j|c|6||x|1", "6||x|1", "j|6||x|01"] {
            assert_eq!(JobHandle::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn folder_handles() {
        assert_eq!(FolderHandle::parse("ApiTestCo/").unwrap().0, "ApiTestCo/");
        assert_eq!(
            FolderHandle::parse("f|ApiTestCo/uploads/").unwrap().0,
            "ApiTestCo/uploads/"
        );
        assert_eq!(FolderHandle::parse("ApiTestCo").unwrap().0, "ApiTestCo/");
        for bad in ["", "/etc/", "ApiTestCo/../OtherCo/", "ApiTestCo//x/", "f|", "./"] {
            assert_eq!(FolderHandle::parse(bad), None, "{bad:?}");
        }
    }
}
