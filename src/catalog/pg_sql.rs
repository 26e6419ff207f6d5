//! The catalog's SQLite statements in PostgreSQL's dialect.
//!
//! The catalog writes each statement once; where the dialects differ in
//! words, this rewrites them, token by token (never inside a string):
//! - `?NNN` and `?` become `$NNN` by SQLite's numbering rule;
//! - `LIKE` becomes `ILIKE` under the byte collation, which folds ASCII case
//!   only, as SQLite's `LIKE` does;
//! - `COLLATE NOCASE` names the schema's case-insensitive collation, except
//!   in `ORDER BY`, where the key becomes its ASCII lower case compared by
//!   bytes, SQLite's order (an ICU collation would order punctuation by
//!   language rules); `COLLATE BINARY` becomes `COLLATE "C"`;
//! - `ORDER BY` keys sort nulls first when ascending, as SQLite does;
//! - `IFNULL`, `instr`, `INSERT OR IGNORE`, `CAST(… AS INTEGER/REAL)` and
//!   `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')` take PostgreSQL's spelling.

const NOW_SQLITE: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
const NOW_PG: &str = "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Param(Option<u32>),
    Other(String),
    Space(String),
}

fn tokenize(sql: &str) -> Vec<Tok> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            out.push(Tok::Space(chars[start..i].iter().collect()));
        } else if c == '?' {
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits: String = chars[start + 1..i].iter().collect();
            out.push(Tok::Param(digits.parse().ok()));
        } else if c == '\'' || c == '"' {
            // A literal or quoted name, its doubled quotes included.
            i += 1;
            while i < chars.len() {
                if chars[i] == c {
                    if chars.get(i + 1) == Some(&c) {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            out.push(Tok::Other(chars[start..i].iter().collect()));
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            out.push(Tok::Space(" ".into()));
        } else {
            i += 1;
            out.push(Tok::Other(c.to_string()));
        }
    }
    out
}

fn is_word(t: Option<&Tok>, w: &str) -> bool {
    matches!(t, Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
}

/// One `ORDER BY` being rewritten.
struct OrderBy {
    /// Parenthesis depth of its keys.
    depth: usize,
    /// Where in the output the current key starts.
    key_start: usize,
    /// Whether the current key sorts descending, or names its nulls' place.
    desc: bool,
    nulls: bool,
}

struct Out {
    text: String,
    order: Vec<OrderBy>,
}

impl Out {
    /// Ends the current `ORDER BY` key at this point of the output.
    fn end_key(&mut self) {
        if let Some(o) = self.order.last_mut() {
            if !o.nulls {
                let trimmed = self.text.trim_end().len();
                let tail = self.text.split_off(trimmed);
                self.text.push_str(if o.desc { " NULLS LAST" } else { " NULLS FIRST" });
                self.text.push_str(&tail);
            }
        }
    }

    fn start_key(&mut self) {
        let at = self.text.len();
        if let Some(o) = self.order.last_mut() {
            o.key_start = at;
            o.desc = false;
            o.nulls = false;
        }
    }
}

/// `sql`, in SQLite's dialect, in PostgreSQL's.
pub(crate) fn translate(sql: &str) -> String {
    let sql = sql.replace(NOW_SQLITE, NOW_PG);
    let toks = tokenize(&sql);
    let mut out = Out {
        text: String::with_capacity(sql.len() + 32),
        order: Vec::new(),
    };
    let mut depth = 0usize;
    let mut highest = 0u32;
    let mut ignore_conflicts = false;
    // Inside `instr(`'s parentheses, at this depth: its first argument ends
    // at the comma.
    let mut instr: Option<usize> = None;
    let next_word = |from: usize| toks[from..].iter().find(|t| !matches!(t, Tok::Space(_)));
    let prev_word = |from: usize| toks[..from].iter().rev().find(|t| !matches!(t, Tok::Space(_)));
    let mut i = 0;
    while i < toks.len() {
        let at_key_depth = out.order.last().is_some_and(|o| o.depth == depth);
        match &toks[i] {
            Tok::Param(n) => {
                let n = n.unwrap_or(highest + 1);
                highest = highest.max(n);
                out.text.push_str(&format!("${n}"));
                // A collation applies to text only; PostgreSQL needs the
                // parameter's type before it reads the collation.
                if is_word(next_word(i + 1), "COLLATE") {
                    out.text.push_str("::text");
                }
            }
            Tok::Space(s) => out.text.push_str(s),
            Tok::Other(s) if s == "(" => {
                depth += 1;
                out.text.push('(');
            }
            Tok::Other(s) if s == ")" => {
                if at_key_depth {
                    out.end_key();
                    out.order.pop();
                }
                depth = depth.saturating_sub(1);
                out.text.push(')');
            }
            Tok::Other(s) if s == "," && instr == Some(depth) => {
                // SQLite's instr compares bytes, whatever the column's
                // collation; PostgreSQL's strpos refuses a case-blind one.
                out.text.push_str(" COLLATE \"C\",");
                instr = None;
            }
            Tok::Other(s) if s == "," && at_key_depth => {
                out.end_key();
                out.text.push(',');
                out.start_key();
                // Skip the space so the key starts at its first word.
                while let Some(Tok::Space(s)) = toks.get(i + 1) {
                    out.text.push_str(s);
                    i += 1;
                }
                out.start_key();
            }
            Tok::Other(s) if s == ";" => {
                while out.order.last().is_some() {
                    out.end_key();
                    out.order.pop();
                }
                if std::mem::take(&mut ignore_conflicts) {
                    out.text.push_str(" ON CONFLICT DO NOTHING");
                }
                out.text.push(';');
            }
            Tok::Other(s) => out.text.push_str(s),
            Tok::Word(w) => {
                let upper = w.to_ascii_uppercase();
                match upper.as_str() {
                    "ORDER" if is_word(next_word(i + 1), "BY") => {
                        out.text.push_str(w);
                        // Copy up to and including BY and the space after.
                        i += 1;
                        while !is_word(toks.get(i), "BY") {
                            if let Some(Tok::Space(s)) = toks.get(i) {
                                out.text.push_str(s);
                            }
                            i += 1;
                        }
                        out.text.push_str("BY");
                        while let Some(Tok::Space(s)) = toks.get(i + 1) {
                            out.text.push_str(s);
                            i += 1;
                        }
                        out.order.push(OrderBy {
                            depth,
                            key_start: 0,
                            desc: false,
                            nulls: false,
                        });
                        out.start_key();
                    }
                    "LIMIT" | "OFFSET" | "UNION" | "RETURNING" if at_key_depth => {
                        out.end_key();
                        out.order.pop();
                        out.text.push_str(w);
                    }
                    "DESC" if at_key_depth => {
                        if let Some(o) = out.order.last_mut() {
                            o.desc = true;
                        }
                        out.text.push_str(w);
                    }
                    "NULLS" if at_key_depth => {
                        if let Some(o) = out.order.last_mut() {
                            o.nulls = true;
                        }
                        out.text.push_str(w);
                    }
                    "COLLATE" if is_word(next_word(i + 1), "NOCASE") && at_key_depth => {
                        let start = out.order.last().map_or(0, |o| o.key_start);
                        let key = out.text.split_off(start);
                        out.text.push_str(&format!("lower({} COLLATE \"C\")", key.trim_end()));
                        i = skip_past(&toks, i, "NOCASE");
                    }
                    "BINARY" if is_word(prev_word(i), "COLLATE") => out.text.push_str("\"C\""),
                    "NOCASE" => out.text.push_str("nocase"),
                    "LIKE" => {
                        if !is_word(prev_word(i), "NOT") {
                            out.text.push_str("COLLATE \"C\" ");
                        }
                        out.text.push_str("ILIKE");
                    }
                    "NOT" if is_word(next_word(i + 1), "LIKE") => out.text.push_str("COLLATE \"C\" NOT"),
                    "IFNULL" => out.text.push_str("COALESCE"),
                    // SQLite's `IS` compares with NULL as a value.
                    "IS" if matches!(next_word(i + 1), Some(Tok::Param(_))) => {
                        out.text.push_str("IS NOT DISTINCT FROM")
                    }
                    "INSTR" => {
                        out.text.push_str("strpos");
                        instr = Some(depth + 1);
                    }
                    "INTEGER" if is_word(prev_word(i), "AS") => out.text.push_str("BIGINT"),
                    "REAL" if is_word(prev_word(i), "AS") => out.text.push_str("DOUBLE PRECISION"),
                    "OR" if is_word(prev_word(i), "INSERT") && is_word(next_word(i + 1), "IGNORE") => {
                        ignore_conflicts = true;
                        i = skip_past(&toks, i, "IGNORE");
                        // Keep one space between INSERT and INTO.
                        while let Some(Tok::Space(_)) = toks.get(i + 1) {
                            i += 1;
                        }
                    }
                    _ => out.text.push_str(w),
                }
            }
        }
        i += 1;
    }
    while out.order.last().is_some() {
        out.end_key();
        out.order.pop();
    }
    if ignore_conflicts {
        let trimmed = out.text.trim_end().len();
        out.text.truncate(trimmed);
        out.text.push_str(" ON CONFLICT DO NOTHING");
    }
    out.text
}

/// The index of the first `word` token after `from`.
fn skip_past(toks: &[Tok], from: usize, word: &str) -> usize {
    let mut i = from + 1;
    while i < toks.len() && !is_word(toks.get(i), word) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn parameters_follow_sqlites_numbering() {
        assert_eq!(translate("SELECT ?1, ?, ?5, ?"), "SELECT $1, $2, $5, $6");
        assert_eq!(translate("SELECT '?' || ?"), "SELECT '?' || $1");
    }

    #[test]
    fn order_by_keys_sort_nulls_and_case_as_sqlite() {
        assert_eq!(
            translate("SELECT a FROM t ORDER BY x DESC, a.name COLLATE NOCASE LIMIT ?"),
            "SELECT a FROM t ORDER BY x DESC NULLS LAST, lower(a.name COLLATE \"C\") NULLS FIRST LIMIT $1"
        );
        assert_eq!(
            translate("SELECT (SELECT 1 FROM u ORDER BY y) FROM t"),
            "SELECT (SELECT 1 FROM u ORDER BY y NULLS FIRST) FROM t"
        );
    }

    #[test]
    fn like_folds_ascii_case_only() {
        assert_eq!(
            translate("a LIKE ? ESCAPE '\\' AND b NOT LIKE ?"),
            "a COLLATE \"C\" ILIKE $1 ESCAPE '\\' AND b COLLATE \"C\" NOT ILIKE $2"
        );
        assert_eq!(translate("a = ?2 COLLATE NOCASE"), "a = $2::text COLLATE nocase");
        assert_eq!(
            translate("a IS ?1 AND b IS NULL"),
            "a IS NOT DISTINCT FROM $1 AND b IS NULL"
        );
        assert_eq!(translate("a = ? COLLATE BINARY"), "a = $1::text COLLATE \"C\"");
    }

    #[test]
    fn sqlite_words_take_postgres_spelling() {
        assert_eq!(
            translate("INSERT OR IGNORE INTO t (a) VALUES (?1)"),
            "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            translate("instr(m.value, ?) > 0"),
            "strpos(m.value COLLATE \"C\", $1) > 0"
        );
        assert_eq!(
            translate("SELECT ifnull(max(x), 0), CAST(y AS INTEGER)"),
            "SELECT COALESCE(max(x), 0), CAST(y AS BIGINT)"
        );
        assert!(translate("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')").starts_with("SELECT to_char("));
    }
}
