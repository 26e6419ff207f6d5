//! What must hold after every restart, read behind the server's back: the
//! catalog file passes SQLite's own checks, and the store holds exactly the
//! files the rows name, each under the hash of its bytes.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::workload::{Content, Row};

/// The catalog's asset rows and folder paths.
pub struct Catalog {
    /// The live assets: what the workers' writes leave.
    pub rows: Vec<Row>,
    /// The assets in the trash (deleted, not emptied): gone for the
    /// workers, but their rows still name their files.
    pub trashed: Vec<Row>,
    pub folders: Vec<String>,
}

/// Opens `catalog.db` read-only (the server keeps running), runs
/// `integrity_check` and `foreign_key_check`, and reads every asset row and
/// folder.
pub fn read_catalog(data: &Path) -> Result<Catalog, String> {
    let conn = Connection::open_with_flags(data.join("catalog.db"), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("open catalog.db read-only: {e}"))?;
    let sql = |e: rusqlite::Error| e.to_string();
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(sql)?;
    if integrity != ["ok"] {
        return Err(format!("integrity_check: {integrity:?}"));
    }
    let dangling: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
        .map_err(sql)?;
    if dangling != 0 {
        return Err(format!("foreign_key_check: {dangling} rows name a missing parent"));
    }
    let rows = conn
        .prepare(
            "SELECT a.id, a.type_code, a.type_record_id, a.name, f.path, a.content_hash, a.byte_size,
                    a.trashed_at IS NOT NULL
             FROM assets a JOIN folders f ON f.id = a.folder_id",
        )
        .and_then(|mut s| {
            s.query_map([], |r| {
                let row = Row {
                    handle: format!(
                        "a|{}|{}|{}",
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?
                    ),
                    name: r.get(3)?,
                    folder: r.get(4)?,
                    content: Content {
                        hash: r.get(5)?,
                        size: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(u64::MAX),
                    },
                };
                Ok((row, r.get::<_, bool>(7)?))
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql)?;
    let folders = conn
        .prepare("SELECT path FROM folders")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(sql)?;
    let (trashed, rows): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, trashed)| *trashed);
    let strip = |v: Vec<(Row, bool)>| v.into_iter().map(|(row, _)| row).collect();
    Ok(Catalog {
        rows: strip(rows),
        trashed: strip(trashed),
        folders,
    })
}

/// Every file a row names is in the store with the size the row gives and
/// bytes that hash to its name; every stored file is named by a row (the
/// start-up sweep removed the rest); no temp file is left. Returns the
/// number of stored files.
pub fn store_matches_rows(store: &Path, rows: &[Row]) -> Result<usize, String> {
    let mut named: BTreeMap<&str, u64> = BTreeMap::new();
    for row in rows {
        if let Some(size) = named.insert(&row.content.hash, row.content.size) {
            if size != row.content.size {
                return Err(format!("rows disagree on the size of {}", row.content.hash));
            }
        }
    }
    let temps = std::fs::read_dir(store.join("tmp"))
        .map_err(|e| format!("store/tmp: {e}"))?
        .count();
    if temps != 0 {
        return Err(format!("{temps} temp files left in store/tmp"));
    }
    let mut stored = BTreeMap::new();
    for shard in std::fs::read_dir(store).map_err(|e| format!("store: {e}"))?.flatten() {
        let shard_name = shard.file_name().to_string_lossy().into_owned();
        if shard_name == "tmp" {
            continue;
        }
        for file in std::fs::read_dir(shard.path())
            .map_err(|e| format!("store/{shard_name}: {e}"))?
            .flatten()
        {
            let name = file.file_name().to_string_lossy().into_owned();
            let bytes = std::fs::read(file.path()).map_err(|e| format!("{name}: {e}"))?;
            let content = Content::of(&bytes);
            if content.hash != name || !name.starts_with(&shard_name) {
                return Err(format!(
                    "store/{shard_name}/{name} holds bytes hashing to {}",
                    content.hash
                ));
            }
            stored.insert(name, content.size);
        }
    }
    for (hash, size) in &named {
        match stored.get(*hash) {
            None => return Err(format!("a row names {hash}, which the store lacks")),
            Some(s) if s != size => return Err(format!("{hash} holds {s} bytes, its rows say {size}")),
            Some(_) => {}
        }
    }
    let unnamed: Vec<&String> = stored.keys().filter(|h| !named.contains_key(h.as_str())).collect();
    if !unnamed.is_empty() {
        return Err(format!(
            "stored files no row names after the start-up sweep: {unnamed:?}"
        ));
    }
    Ok(stored.len())
}
