//! Metadata conditions of a search: what a condition looks at (a property
//! of the asset row, or a metadata field's values) and the test it applies,
//! as SQL. A field's test goes through the index on its values
//! (`asset_metadata_field_value`); an asset without a value is judged by
//! the field's default, evaluated here once rather than per row.

use rusqlite::types::Value;

use super::search::{compare_sql, text_sql, SearchQuery, TextOp, FILE_NAME_SQL};

/// A metadata search key that is a property of the asset row itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SystemKey {
    /// `asset_id`: the asset's id, without prefix.
    AssetId,
    /// `name`.
    Name,
    /// `folder_path`.
    FolderPath,
    /// `type`.
    Type,
    /// `file_name`: the name and its format's extension.
    FileName,
    /// `created_at`.
    CreatedAt,
    /// `created_by`.
    CreatedBy,
    /// `modified_at`.
    ModifiedAt,
    /// `modified_by`.
    ModifiedBy,
}

/// What a metadata condition looks at.
#[derive(Clone, Debug, PartialEq)]
pub enum MetaKey {
    /// A property of the row.
    System(SystemKey),
    /// A metadata field's values.
    Field {
        /// The field's id.
        id: i64,
        /// The asset type it applies to (`Asset`: all).
        asset_type: String,
        /// What assets without a value show: a search matches them when
        /// the default does.
        default: Option<String>,
    },
}

/// A comparison of ordered values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `=`.
    Equals,
    /// `<>`.
    NotEquals,
    /// `<`.
    LessThan,
    /// `<=`.
    LessThanEquals,
    /// `>`.
    GreaterThan,
    /// `>=`.
    GreaterThanEquals,
    /// Inclusive range.
    Between,
    /// Outside the inclusive range.
    NotBetween,
}

/// A comparison's operand: numbers compare as numbers, times as the
/// catalog's time text (which sorts as it reads).
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A Boolean (0/1), Int or Float value.
    Number(f64),
    /// A time, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    Time(String),
}

/// The test a metadata condition applies.
#[derive(Clone, Debug, PartialEq)]
pub enum MetaTest {
    /// A string comparison, ASCII case-insensitive unless asked otherwise.
    Text {
        /// The comparison.
        op: TextOp,
        /// The value.
        value: String,
        /// Whether case matters.
        case_sensitive: bool,
    },
    /// Holds one of these values (`values`, a tag's `MatchesAny`).
    AnyOf(Vec<String>),
    /// Holds every one of these values (a tag's `MatchesAll`).
    AllOf(Vec<String>),
    /// An ordered comparison; `Between` and `NotBetween` use both bounds.
    Compare(CompareOp, Operand, Option<Operand>),
}

/// One metadata condition.
#[derive(Clone, Debug, PartialEq)]
pub struct MetaCondition {
    /// What it looks at.
    pub key: MetaKey,
    /// How.
    pub test: MetaTest,
}

/// Whether every match must pass a field condition the value index can
/// answer: a positive test on a field whose default does not pass it, in a
/// group whose conditions must all hold (or that has one), among groups
/// that must all hold (or alone).
pub(super) fn driven_by_field(q: &SearchQuery) -> bool {
    let groups = [
        !q.keywords.is_empty(),
        !q.conditions.is_empty(),
        !q.tags.is_empty(),
        !q.metadata.is_empty(),
    ];
    let count = groups.iter().filter(|g| **g).count();
    if count == 0 || (count > 1 && !q.groups_match_all) {
        return false;
    }
    let indexed = |c: &MetaCondition| match &c.key {
        MetaKey::Field { default, .. } => {
            let (positive, negated) = positive_of(&c.test);
            !negated && !default.as_deref().is_some_and(|d| default_passes(d, &positive))
        }
        MetaKey::System(_) => false,
    };
    let group =
        |conditions: &[MetaCondition], all: bool| (all || conditions.len() == 1) && conditions.iter().any(indexed);
    group(&q.tags, q.tags_match_all) || group(&q.metadata, q.metadata_match_all)
}

fn system_column(key: SystemKey) -> &'static str {
    match key {
        SystemKey::AssetId => "CAST(a.id AS TEXT)",
        SystemKey::Name => "a.name",
        SystemKey::FolderPath => "f.path",
        SystemKey::Type => "a.asset_type",
        SystemKey::FileName => FILE_NAME_SQL,
        SystemKey::CreatedAt => "a.created_at",
        SystemKey::CreatedBy => "COALESCE(cu.email, '')",
        SystemKey::ModifiedAt => "a.modified_at",
        SystemKey::ModifiedBy => "COALESCE(mu.email, cu.email, '')",
    }
}

/// The SQL for one metadata condition.
pub(super) fn meta_sql(c: &MetaCondition, params: &mut Vec<Value>) -> String {
    match &c.key {
        MetaKey::System(key) => {
            let column = match (key, &c.test) {
                (SystemKey::AssetId, MetaTest::Compare(..)) => "a.id",
                (key, _) => system_column(*key),
            };
            test_sql(column, &c.test, params)
        }
        MetaKey::Field {
            id,
            asset_type,
            default,
        } => field_sql(*id, asset_type, default.as_deref(), &c.test, params),
    }
}

/// A test of one value `column` holds.
fn test_sql(column: &str, test: &MetaTest, params: &mut Vec<Value>) -> String {
    match test {
        MetaTest::Text {
            op,
            value,
            case_sensitive,
        } => text_sql(column, *op, value, *case_sensitive, params),
        MetaTest::AnyOf(values) | MetaTest::AllOf(values) => {
            let marks = vec!["?"; values.len().max(1)].join(", ");
            if values.is_empty() {
                params.push(Value::Null);
            }
            params.extend(values.iter().map(|v| Value::from(v.clone())));
            format!("{column} COLLATE NOCASE IN ({marks})")
        }
        MetaTest::Compare(op, lo, hi) => compare_sql(column, *op, lo, hi.as_ref(), params),
    }
}

/// A test of a field's values. An asset matches a positive test when one
/// of its values passes; a negative one (`NotEquals`, `NotContains`,
/// `NotBetween`) when none of its values passes the positive test, so that
/// an asset without a value matches "not equal to x". An asset holding no
/// value is judged by the field's default.
fn field_sql(id: i64, asset_type: &str, default: Option<&str>, test: &MetaTest, params: &mut Vec<Value>) -> String {
    let (positive, negated) = positive_of(test);
    let holds = |test: &MetaTest, params: &mut Vec<Value>| -> String {
        params.push(id.into());
        let column = match test {
            MetaTest::Compare(_, Operand::Number(_), _) => "m.num",
            _ => "m.value",
        };
        let inner = test_sql(column, test, params);
        format!("a.id IN (SELECT m.asset_id FROM asset_metadata m WHERE m.field_id = ? AND {inner})")
    };
    let matched = match &positive {
        MetaTest::AllOf(values) => {
            let parts: Vec<String> = values
                .iter()
                .map(|v| holds(&MetaTest::AnyOf(vec![v.clone()]), params))
                .collect();
            format!("({})", parts.join(" AND "))
        }
        other => holds(other, params),
    };
    let by_default = default.is_some_and(|d| default_passes(d, &positive));
    let matched = if by_default {
        params.push(id.into());
        let mut sql = format!("({matched} OR (a.id NOT IN (SELECT asset_id FROM asset_metadata WHERE field_id = ?)");
        if !asset_type.eq_ignore_ascii_case("Asset") {
            sql.push_str(" AND a.asset_type = ? COLLATE NOCASE");
            params.push(asset_type.to_owned().into());
        }
        sql.push_str("))");
        sql
    } else {
        matched
    };
    if negated {
        format!("NOT {matched}")
    } else {
        matched
    }
}

/// The positive form of a test, and whether the test is its negation.
fn positive_of(test: &MetaTest) -> (MetaTest, bool) {
    match test {
        MetaTest::Text {
            op: TextOp::NotEquals,
            value,
            case_sensitive,
        } => (
            MetaTest::Text {
                op: TextOp::Equals,
                value: value.clone(),
                case_sensitive: *case_sensitive,
            },
            true,
        ),
        MetaTest::Text {
            op: TextOp::NotContains,
            value,
            case_sensitive,
        } => (
            MetaTest::Text {
                op: TextOp::Contains,
                value: value.clone(),
                case_sensitive: *case_sensitive,
            },
            true,
        ),
        MetaTest::Compare(CompareOp::NotEquals, lo, hi) => {
            (MetaTest::Compare(CompareOp::Equals, lo.clone(), hi.clone()), true)
        }
        MetaTest::Compare(CompareOp::NotBetween, lo, hi) => {
            (MetaTest::Compare(CompareOp::Between, lo.clone(), hi.clone()), true)
        }
        other => (other.clone(), false),
    }
}

/// Whether a field's default passes a positive test, as SQL would judge
/// the value (ASCII case folding; numbers parsed).
fn default_passes(default: &str, test: &MetaTest) -> bool {
    let fold = |s: &str, cs: bool| if cs { s.to_owned() } else { s.to_ascii_lowercase() };
    match test {
        MetaTest::Text {
            op,
            value,
            case_sensitive,
        } => {
            let (d, v) = (fold(default, *case_sensitive), fold(value, *case_sensitive));
            match op {
                TextOp::Equals => d == v,
                TextOp::NotEquals => d != v,
                TextOp::Contains => d.contains(&v),
                TextOp::NotContains => !d.contains(&v),
                TextOp::StartsWith => d.starts_with(&v),
                TextOp::EndsWith => d.ends_with(&v),
            }
        }
        MetaTest::AnyOf(values) => values.iter().any(|v| v.eq_ignore_ascii_case(default)),
        MetaTest::AllOf(values) => values.iter().all(|v| v.eq_ignore_ascii_case(default)),
        MetaTest::Compare(op, lo, hi) => {
            let hi = hi.as_ref().unwrap_or(lo);
            // A default compares as a stored value does: a Boolean as 0 or
            // 1, a number as itself, a time as its UTC text.
            let cmp = |o: &Operand| -> Option<std::cmp::Ordering> {
                match o {
                    Operand::Number(n) => {
                        let d = match default.trim() {
                            "true" => 1.0,
                            "false" => 0.0,
                            t => t.parse::<f64>().ok()?,
                        };
                        d.partial_cmp(n)
                    }
                    Operand::Time(t) => Some(default.cmp(t.as_str())),
                }
            };
            let (Some(a), Some(b)) = (cmp(lo), cmp(hi)) else {
                return false;
            };
            use std::cmp::Ordering::*;
            match op {
                CompareOp::Equals => a == Equal,
                CompareOp::NotEquals => a != Equal,
                CompareOp::LessThan => a == Less,
                CompareOp::LessThanEquals => a != Greater,
                CompareOp::GreaterThan => a == Greater,
                CompareOp::GreaterThanEquals => a != Less,
                CompareOp::Between => a != Less && b != Greater,
                CompareOp::NotBetween => a == Less || b == Greater,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{SortField, TrashFilter};

    fn query(metadata: Vec<MetaCondition>, keywords: Vec<String>, groups_match_all: bool) -> SearchQuery {
        SearchQuery {
            folder: "A/".into(),
            include_subfolders: true,
            conditions: vec![],
            match_all: true,
            tags: vec![],
            tags_match_all: true,
            metadata,
            metadata_match_all: true,
            keywords,
            groups_match_all,
            types: vec![],
            exclude_types: vec![],
            ready_for_publish: None,
            trash: TrashFilter::Live,
            sort: SortField::Name,
            descending: false,
            limit: 10,
            offset: 0,
        }
    }

    fn field_test(op: TextOp, default: Option<&str>) -> MetaCondition {
        MetaCondition {
            key: MetaKey::Field {
                id: 1,
                asset_type: "Asset".into(),
                default: default.map(str::to_owned),
            },
            test: MetaTest::Text {
                op,
                value: "x".into(),
                case_sensitive: false,
            },
        }
    }

    #[test]
    fn only_conditions_every_match_passes_drive_the_search_by_field() {
        assert!(driven_by_field(&query(
            vec![field_test(TextOp::Equals, None)],
            vec![],
            true
        )));
        assert!(driven_by_field(&query(
            vec![field_test(TextOp::Equals, None)],
            vec!["k".into()],
            true
        )));
        assert!(!driven_by_field(&query(
            vec![field_test(TextOp::Equals, None)],
            vec!["k".into()],
            false
        )));
        assert!(!driven_by_field(&query(
            vec![field_test(TextOp::NotEquals, None)],
            vec![],
            true
        )));
        assert!(!driven_by_field(&query(
            vec![field_test(TextOp::Equals, Some("X"))],
            vec![],
            true
        )));
        assert!(!driven_by_field(&query(vec![], vec!["k".into()], true)));
    }

    #[test]
    fn defaults_are_judged_as_sql_judges_values() {
        let text = |op, value: &str| MetaTest::Text {
            op,
            value: value.into(),
            case_sensitive: false,
        };
        assert!(default_passes("Summer", &text(TextOp::Equals, "summer")));
        assert!(default_passes("Summer", &text(TextOp::StartsWith, "SUM")));
        assert!(!default_passes("Summer", &text(TextOp::EndsWith, "x")));
        assert!(default_passes(
            "12",
            &MetaTest::Compare(CompareOp::Between, Operand::Number(10.0), Some(Operand::Number(12.0)))
        ));
        assert!(!default_passes(
            "abc",
            &MetaTest::Compare(CompareOp::Equals, Operand::Number(0.0), None)
        ));
        assert!(default_passes(
            "Blue",
            &MetaTest::AnyOf(vec!["red".into(), "BLUE".into()])
        ));
        let equals_one = MetaTest::Compare(CompareOp::Equals, Operand::Number(1.0), None);
        assert!(default_passes("true", &equals_one));
        assert!(!default_passes("false", &equals_one));
        let time = |t: &str| Operand::Time(t.into());
        let day = "2015-03-02T10:00:00.000Z";
        assert!(default_passes(
            day,
            &MetaTest::Compare(CompareOp::Equals, time(day), None)
        ));
        let range = MetaTest::Compare(CompareOp::Between, time("2015-01-01T00:00:00.000Z"), Some(time(day)));
        assert!(default_passes(day, &range));
        assert!(!default_passes(
            day,
            &MetaTest::Compare(CompareOp::LessThan, time(day), None)
        ));
    }
}
