//! Searching assets (`searchAssets`, `searchAssetsByMetadata`): a
//! validated query becomes one SQL statement for the count and one for the
//! page. Conditions on metadata fields go through the index on a field's
//! values (`asset_metadata_field_value`), and prefix and equality tests on
//! names through the company's name index, so that a search never reads
//! every asset when its conditions can narrow it; `Contains`-style tests
//! still read the folder's rows, in SQL.

use super::db::{params_from_iter, Conn};
use rusqlite::types::Value;

use super::assets::{details_where, require_company};
use super::meta_conditions::{driven_by_field, meta_sql};
use super::queries::folder_id;
use super::{AssetDetail, Catalog, CompareOp, Error, MetaCondition, Operand};

/// A text field `searchAssets` can filter on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextField {
    /// The asset name.
    Name,
    /// The creating user's login.
    CreateUser,
    /// The last modifying user's login.
    LastModifyUser,
    /// The file name (the name and its format's extension).
    FileName,
    /// The image's user data (`batchSetImageFields`).
    UserData,
    /// The image's SKU, description or comments: fields no operation
    /// sets, so always empty.
    Unset,
}

/// A string comparison (ASCII case-insensitive, as names are).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextOp {
    /// Whole value equal.
    Equals,
    /// Whole value different.
    NotEquals,
    /// Contains the value.
    Contains,
    /// Does not contain it.
    NotContains,
    /// Starts with it.
    StartsWith,
    /// Ends with it.
    EndsWith,
}

/// A numeric comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberOp {
    /// `=`.
    Equals(i64),
    /// `<>`.
    NotEquals(i64),
    /// `<`.
    LessThan(i64),
    /// `<=`.
    LessThanEquals(i64),
    /// `>`.
    GreaterThan(i64),
    /// `>=`.
    GreaterThanEquals(i64),
    /// Inclusive range.
    Between(i64, i64),
    /// Outside the inclusive range.
    NotBetween(i64, i64),
}

/// One `searchAssets` system-field condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssetCondition {
    /// A text field compared with a value.
    Text(TextField, TextOp, String),
    /// The stored file's size in bytes.
    FileSize(NumberOp),
    /// The creation time compared with one time, or two for ranges.
    Created(CompareOp, String, Option<String>),
}

/// What `searchAssets` sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortField {
    /// Name (case-insensitive).
    Name,
    /// Creation time.
    Created,
    /// Last change.
    Modified,
    /// Asset type.
    AssetType,
    /// File size.
    FileSize,
}

/// Which assets a search looks at, by trash state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrashFilter {
    /// Those not in the trash (`NotInTrash`, the default).
    Live,
    /// Those in the trash (`InTrash`).
    Trashed,
    /// Both (`Any`).
    Any,
}

/// A `searchAssets` or `searchAssetsByMetadata` query, already validated.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchQuery {
    /// Folder path to search in (ending in `/`).
    pub folder: String,
    /// Whether assets in subfolders match too.
    pub include_subfolders: bool,
    /// Conditions.
    pub conditions: Vec<AssetCondition>,
    /// All conditions must hold (`MatchAll`), or any one (`MatchAny`).
    pub match_all: bool,
    /// Conditions on metadata: system keys and fields.
    pub metadata: Vec<MetaCondition>,
    /// All metadata conditions must hold, or any one.
    pub metadata_match_all: bool,
    /// Conditions on tag fields.
    pub tags: Vec<MetaCondition>,
    /// All tag conditions must hold, or any one.
    pub tags_match_all: bool,
    /// Words each of which the name or a metadata value must contain.
    pub keywords: Vec<String>,
    /// The groups (keywords, system-field, tag, metadata conditions) must all
    /// match (`conditionMatchMode` `MatchAll`), or any one.
    pub groups_match_all: bool,
    /// Asset types to include (empty: all).
    pub types: Vec<String>,
    /// Asset types to leave out.
    pub exclude_types: Vec<String>,
    /// Only assets marked for publish (`Some(true)`) or only those not
    /// marked (`Some(false)`).
    pub ready_for_publish: Option<bool>,
    /// Live assets, trashed ones, or both.
    pub trash: TrashFilter,
    /// Sort order.
    pub sort: SortField,
    /// Descending rather than ascending.
    pub descending: bool,
    /// Page size.
    pub limit: u32,
    /// Rows to skip.
    pub offset: u64,
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The SQL for the file name an asset's bytes have (as `Asset/fileName`).
pub(super) const FILE_NAME_SQL: &str =
    "(a.name || COALESCE('.' || CASE a.format WHEN 'jpeg' THEN 'jpg' WHEN 'tiff' THEN 'tif' \
                             ELSE a.format END, ''))";

fn search(conn: &Conn, company_id: i64, q: &SearchQuery) -> Result<(u64, Vec<AssetDetail>), Error> {
    require_company(conn, company_id)?;
    if folder_id(conn, company_id, &q.folder)?.is_none() {
        return Err(Error::FolderNotFound);
    }
    let mut params: Vec<Value> = vec![company_id.into()];
    // With a condition the index on field values can answer, the search
    // goes from that index to the assets (by row id): `+` keeps SQLite from
    // reading the company's every asset through the name index instead.
    let mut clause = String::from(if driven_by_field(q) {
        "WHERE +a.company_id = ?"
    } else {
        "WHERE a.company_id = ?"
    });
    filters_sql(q, &mut clause, &mut params);
    let groups = groups_sql(q, &mut params);
    if !groups.is_empty() {
        let joiner = if q.groups_match_all { " AND " } else { " OR " };
        clause.push_str(&format!(" AND ({})", groups.join(joiner)));
    }
    let count_sql = format!(
        "SELECT count(*) FROM assets a JOIN folders f ON f.id = a.folder_id
         LEFT JOIN users cu ON cu.id = a.created_by LEFT JOIN users mu ON mu.id = a.modified_by {clause}"
    );
    let total: i64 = conn
        .prepare(&count_sql)?
        .query_row(params_from_iter(params.iter()), |r| r.get(0))?;
    let order = match q.sort {
        SortField::Name => "a.name COLLATE NOCASE",
        SortField::Created => "a.created_at",
        SortField::Modified => "a.modified_at",
        SortField::AssetType => "a.asset_type",
        SortField::FileSize => "a.byte_size",
    };
    let dir = if q.descending { "DESC" } else { "ASC" };
    clause.push_str(&format!(" ORDER BY {order} {dir}, a.id {dir} LIMIT ? OFFSET ?"));
    params.push(i64::from(q.limit).into());
    params.push(i64::try_from(q.offset).unwrap_or(i64::MAX).into());
    let mut page = details_where(conn, &clause, params)?;
    super::metadata::attach(conn, &mut page)?;
    super::image_fields::attach(conn, &mut page)?;
    Ok((total.max(0) as u64, page))
}

/// The folder, type, trash and publish filters, which always all apply.
fn filters_sql(q: &SearchQuery, clause: &mut String, params: &mut Vec<Value>) {
    if q.include_subfolders {
        clause.push_str(" AND substr(f.path, 1, length(?)) = ?");
        params.push(q.folder.clone().into());
        params.push(q.folder.clone().into());
    } else {
        clause.push_str(" AND f.path = ?");
        params.push(q.folder.clone().into());
    }
    for (list, negate) in [(&q.types, false), (&q.exclude_types, true)] {
        if !list.is_empty() {
            let marks = vec!["?"; list.len()].join(", ");
            clause.push_str(&format!(
                " AND a.asset_type {}IN ({marks})",
                if negate { "NOT " } else { "" }
            ));
            params.extend(list.iter().map(|t| Value::from(t.clone())));
        }
    }
    match q.trash {
        TrashFilter::Live => clause.push_str(" AND a.trashed_at IS NULL"),
        TrashFilter::Trashed => clause.push_str(" AND a.trashed_at IS NOT NULL"),
        TrashFilter::Any => {}
    }
    if let Some(ready) = q.ready_for_publish {
        clause.push_str(" AND a.ready_for_publish = ?");
        params.push(ready.into());
    }
}

/// The condition groups, each already combined by its own match mode.
fn groups_sql(q: &SearchQuery, params: &mut Vec<Value>) -> Vec<String> {
    let mut groups = Vec::new();
    if !q.keywords.is_empty() {
        let parts: Vec<String> = q.keywords.iter().map(|k| keyword_sql(k, params)).collect();
        groups.push(format!("({})", parts.join(" AND ")));
    }
    if !q.conditions.is_empty() {
        let parts: Vec<String> = q.conditions.iter().map(|c| condition_sql(c, params)).collect();
        let joiner = if q.match_all { " AND " } else { " OR " };
        groups.push(format!("({})", parts.join(joiner)));
    }
    for (conditions, all) in [(&q.tags, q.tags_match_all), (&q.metadata, q.metadata_match_all)] {
        if !conditions.is_empty() {
            let parts: Vec<String> = conditions.iter().map(|c| meta_sql(c, params)).collect();
            let joiner = if all { " AND " } else { " OR " };
            groups.push(format!("({})", parts.join(joiner)));
        }
    }
    groups
}

/// A keyword: in the name, or in any of the asset's metadata values.
fn keyword_sql(word: &str, params: &mut Vec<Value>) -> String {
    let pattern = format!("%{}%", like_escape(word));
    params.push(pattern.clone().into());
    params.push(pattern.into());
    "(a.name LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM asset_metadata k WHERE k.asset_id = a.id \
     AND k.value LIKE ? ESCAPE '\\'))"
        .to_owned()
}

/// The SQL for one system-field condition; its values go to `params`.
fn condition_sql(c: &AssetCondition, params: &mut Vec<Value>) -> String {
    match c {
        AssetCondition::Text(field, op, value) => {
            let column = match field {
                TextField::Name => "a.name",
                TextField::CreateUser => "COALESCE(cu.email, '')",
                TextField::LastModifyUser => "COALESCE(mu.email, cu.email, '')",
                TextField::FileName => FILE_NAME_SQL,
                TextField::UserData => "COALESCE((SELECT x.user_data FROM image_fields x WHERE x.asset_id = a.id), '')",
                TextField::Unset => "''",
            };
            text_sql(column, *op, value, false, params)
        }
        AssetCondition::FileSize(op) => {
            let (sql, values): (&str, Vec<i64>) = match *op {
                NumberOp::Equals(v) => ("a.byte_size = ?", vec![v]),
                NumberOp::NotEquals(v) => ("a.byte_size <> ?", vec![v]),
                NumberOp::LessThan(v) => ("a.byte_size < ?", vec![v]),
                NumberOp::LessThanEquals(v) => ("a.byte_size <= ?", vec![v]),
                NumberOp::GreaterThan(v) => ("a.byte_size > ?", vec![v]),
                NumberOp::GreaterThanEquals(v) => ("a.byte_size >= ?", vec![v]),
                NumberOp::Between(lo, hi) => ("a.byte_size BETWEEN ? AND ?", vec![lo, hi]),
                NumberOp::NotBetween(lo, hi) => ("a.byte_size NOT BETWEEN ? AND ?", vec![lo, hi]),
            };
            params.extend(values.into_iter().map(Value::from));
            sql.to_owned()
        }
        AssetCondition::Created(op, lo, hi) => {
            let (lo, hi) = (Operand::Time(lo.clone()), hi.clone().map(Operand::Time));
            compare_sql("a.created_at", *op, &lo, hi.as_ref(), params)
        }
    }
}

/// A string test of `column`. Case-insensitive tests use `LIKE` and
/// `COLLATE NOCASE` (ASCII folding, as names compare); a prefix test adds
/// a range on the column so that an index on it can serve.
pub(super) fn text_sql(column: &str, op: TextOp, value: &str, case_sensitive: bool, params: &mut Vec<Value>) -> String {
    if case_sensitive {
        let sql = match op {
            TextOp::Equals => "{c} = ? COLLATE BINARY",
            TextOp::NotEquals => "{c} <> ? COLLATE BINARY",
            TextOp::Contains => "instr({c}, ?) > 0",
            TextOp::NotContains => "instr({c}, ?) = 0",
            TextOp::StartsWith => "substr({c}, 1, length(?1)) = ?1 COLLATE BINARY",
            TextOp::EndsWith => "substr({c}, length({c}) - length(?1) + 1) = ?1 COLLATE BINARY",
        };
        // Numbered parameters cannot mix with the statement's `?`s: repeat
        // the value instead.
        let uses = if sql.contains("?1") { 2 } else { 1 };
        for _ in 0..uses {
            params.push(value.to_owned().into());
        }
        return sql.replace("?1", "?").replace("{c}", column);
    }
    let (sql, pattern) = match op {
        TextOp::Equals => ("{c} = ? COLLATE NOCASE", value.to_owned()),
        TextOp::NotEquals => ("{c} <> ? COLLATE NOCASE", value.to_owned()),
        TextOp::Contains => ("{c} LIKE ? ESCAPE '\\'", format!("%{}%", like_escape(value))),
        TextOp::NotContains => ("{c} NOT LIKE ? ESCAPE '\\'", format!("%{}%", like_escape(value))),
        TextOp::StartsWith => {
            params.push(value.to_owned().into());
            params.push(format!("{value}\u{10FFFF}").into());
            (
                "{c} >= ? COLLATE NOCASE AND {c} < ? COLLATE NOCASE AND {c} LIKE ? ESCAPE '\\'",
                format!("{}%", like_escape(value)),
            )
        }
        TextOp::EndsWith => ("{c} LIKE ? ESCAPE '\\'", format!("%{}", like_escape(value))),
    };
    params.push(pattern.into());
    sql.replace("{c}", column)
}

/// An ordered comparison of `column` with the operands.
pub(super) fn compare_sql(
    column: &str,
    op: CompareOp,
    lo: &Operand,
    hi: Option<&Operand>,
    params: &mut Vec<Value>,
) -> String {
    let value = |o: &Operand| -> Value {
        match o {
            Operand::Number(n) => (*n).into(),
            Operand::Time(t) => t.clone().into(),
        }
    };
    let hi = hi.unwrap_or(lo);
    let (sql, values) = match op {
        CompareOp::Equals => ("{c} = ?", vec![value(lo)]),
        CompareOp::NotEquals => ("{c} <> ?", vec![value(lo)]),
        CompareOp::LessThan => ("{c} < ?", vec![value(lo)]),
        CompareOp::LessThanEquals => ("{c} <= ?", vec![value(lo)]),
        CompareOp::GreaterThan => ("{c} > ?", vec![value(lo)]),
        CompareOp::GreaterThanEquals => ("{c} >= ?", vec![value(lo)]),
        CompareOp::Between => ("{c} BETWEEN ? AND ?", vec![value(lo), value(hi)]),
        CompareOp::NotBetween => ("{c} NOT BETWEEN ? AND ?", vec![value(lo), value(hi)]),
    };
    params.extend(values);
    // A number compares as a real, also with an integer column (`a.id >
    // 5.5`): PostgreSQL would otherwise bind it as the column's type.
    let mark = match lo {
        Operand::Number(_) => "CAST(? AS REAL)",
        Operand::Time(_) => "?",
    };
    sql.replace('?', mark).replace("{c}", column)
}

impl Catalog {
    /// The total number of matches and the requested page.
    pub async fn search_assets(&self, company_id: i64, query: SearchQuery) -> Result<(u64, Vec<AssetDetail>), Error> {
        self.call(move |t| search(t.conn, company_id, &query)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_escape("50%_off\\"), "50\\%\\_off\\\\");
        assert_eq!(like_escape("plain"), "plain");
    }
}
