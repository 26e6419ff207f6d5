//! Source-tree rules that code review would otherwise have to remember,
//! and the layering ARCHITECTURE.md states, read from ARCHITECTURE.md
//! itself: which module may name which external crate, where SQL may be
//! written, and which module may use which.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A source file's production code: the text before any `#[cfg(test)]`.
struct Source {
    /// Relative to `src/` (`ips/ops/copy_image.rs`).
    file: String,
    code: String,
}

impl Source {
    /// The top-level module the file belongs to (`ips`), or `lib`/`main`.
    fn module(&self) -> &str {
        let first = self.file.split('/').next().unwrap_or_default();
        first.strip_suffix(".rs").unwrap_or(first)
    }

    /// How many `super::` reach the crate root from this file.
    fn depth(&self) -> usize {
        let parts = self.file.split('/').count();
        if self.file.ends_with("/mod.rs") {
            parts - 1
        } else {
            parts
        }
    }
}

fn production_code() -> Vec<Source> {
    let src = support::root().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default().to_owned();
            Source {
                file: p.strip_prefix(&src).expect("under src").to_string_lossy().into_owned(),
                code,
            }
        })
        .collect()
}

/// The code with comments removed and every string and character literal
/// emptied, and the literals' contents: (code, literals).
fn split_literals(code: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = code.chars().collect();
    let (mut out, mut literals) = (String::with_capacity(code.len()), Vec::new());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        // Raw strings: r"…", r#"…"#, br"…".
        let raw_start = if c == 'r' && matches!(next, Some('"' | '#')) {
            Some(i + 1)
        } else if c == 'b' && next == Some('r') && matches!(chars.get(i + 2), Some('"' | '#')) {
            Some(i + 2)
        } else {
            None
        };
        let is_ident_before = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if let Some(start) = raw_start.filter(|_| !is_ident_before) {
            let hashes = chars[start..].iter().take_while(|&&h| h == '#').count();
            if chars.get(start + hashes) == Some(&'"') {
                let body = start + hashes + 1;
                let closing: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                let rest: String = chars[body..].iter().collect();
                let len = rest.find(&closing).unwrap_or(rest.len());
                literals.push(rest[..len].to_owned());
                out.push_str("\"\"");
                i = body + rest[..len].chars().count() + closing.chars().count();
                continue;
            }
        }
        if c == '"' {
            let mut lit = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if let Some(&ch) = chars.get(i) {
                    lit.push(ch);
                }
                i += 1;
            }
            literals.push(lit);
            out.push_str("\"\"");
            i += 1;
            continue;
        }
        if c == '\'' {
            // A character literal ('x', '\n', '\u{1F}'), not a lifetime ('a).
            let close = if next == Some('\\') {
                chars
                    .get(i + 2..)
                    .and_then(|rest| rest.iter().take(10).position(|&x| x == '\''))
                    .map(|p| i + 2 + p)
            } else {
                (chars.get(i + 2) == Some(&'\'')).then_some(i + 2)
            };
            if let Some(close) = close {
                out.push_str("' '");
                i = close + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    (out, literals)
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `code` (comments and literals removed) names the external crate
/// `name`: as `name::…`, `use name`, or `extern crate name`, on word
/// boundaries and not as a segment of a longer path (`render::image::`).
fn names_crate(code: &str, name: &str) -> bool {
    let mut from = 0;
    while let Some(at) = code[from..].find(name).map(|i| i + from) {
        from = at + name.len();
        let before = code[..at].chars().next_back();
        let after = &code[at + name.len()..];
        if before.is_some_and(|c| is_ident(c) || c == ':') || after.chars().next().is_some_and(is_ident) {
            continue;
        }
        let preceded = code[..at].trim_end();
        if after.starts_with("::")
            || preceded.ends_with("use")
            || preceded.ends_with("extern crate")
            || preceded.ends_with("pub use")
        {
            return true;
        }
    }
    false
}

/// External crates and the module that alone may name them.
const CRATE_HOMES: &[(&str, &str)] = &[
    ("rusqlite", "catalog"),
    ("postgres", "catalog"),
    ("quick_xml", "soap"),
    ("hyper", "http"),
    ("hyper_util", "http"),
    ("http_body_util", "http"),
    ("rustls", "http"),
    ("tokio_rustls", "http"),
    ("webpki_roots", "http"),
    ("rcgen", "http"),
    ("image", "render"),
    ("turbojpeg", "render"),
    ("fast_image_resize", "render"),
    ("webp", "render"),
    ("tiff", "render"),
    ("png", "render"),
    ("gif", "render"),
    ("argon2", "auth"),
];

/// Words that make a string literal SQL.
const SQL_WORDS: &[&str] = &[
    "SELECT ",
    "INSERT INTO",
    "INSERT OR",
    "UPDATE ",
    "DELETE FROM",
    "CREATE TABLE",
    "CREATE INDEX",
    "CREATE UNIQUE",
    "ALTER TABLE",
    "DROP TABLE",
    "PRAGMA",
    "SAVEPOINT",
    "ROLLBACK",
    "COMMIT",
];

/// The modules each module may use, from ARCHITECTURE.md's table: lines
/// `` `module` → `a`, `b` `` in the section "Dependencies".
fn allowed_uses() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(support::root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let section = text
        .split("\n## ")
        .find(|s| s.starts_with("Dependencies"))
        .expect("ARCHITECTURE.md has a Dependencies section");
    let mut table = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("- `") && l.contains('→')) {
        let (from, to) = line.split_once('→').expect("arrow");
        let names = |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
        let allowed: BTreeSet<String> = names(to).into_iter().collect();
        for module in names(from) {
            table.insert(module, allowed.clone());
        }
    }
    assert!(
        table.len() >= 15,
        "the Dependencies table lists {} modules",
        table.len()
    );
    table
}

/// The top-level modules a file uses: `crate::m`, `crate::{m, …}`, and
/// `super::` chains that climb to the crate root.
fn uses(source: &Source, code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut add = |name: &str| {
        if modules.contains(name) && name != source.module() {
            found.insert(name.to_owned());
        }
    };
    for (at, _) in code.match_indices("crate::") {
        if code[..at].chars().next_back().is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or_default();
            // Top-level names in the group: those not after `::`.
            let mut depth = 0;
            let mut token = String::new();
            let mut after_path = false;
            for c in inner.chars().chain(std::iter::once(',')) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        add(token.trim());
                        token.clear();
                        after_path = false;
                    }
                    ':' => after_path = true,
                    c if depth == 0 && !after_path && (is_ident(c) || c == ' ') => token.push(c),
                    _ => {}
                }
            }
        } else {
            add(&rest.chars().take_while(|&c| is_ident(c)).collect::<String>());
        }
    }
    let climb = "super::".repeat(source.depth());
    for (at, _) in code.match_indices(&climb) {
        if code[..at].ends_with("super::") {
            continue;
        }
        let rest = &code[at + climb.len()..];
        add(&rest.chars().take_while(|&c| is_ident(c)).collect::<String>());
    }
    found
}

#[test]
fn every_module_starts_with_a_doc_comment() {
    for s in production_code() {
        assert!(
            s.code.starts_with("//!"),
            "src/{} must start with a //! module doc",
            s.file
        );
    }
}

#[test]
fn no_unwrap_outside_tests() {
    for s in production_code() {
        assert!(
            !s.code.contains(".unwrap()"),
            "src/{} calls .unwrap() outside tests",
            s.file
        );
    }
}

#[test]
fn layers_keep_their_crates_to_themselves() {
    for s in production_code() {
        let (code, _) = split_literals(&s.code);
        for (name, home) in CRATE_HOMES {
            assert!(
                !names_crate(&code, name) || s.module() == *home,
                "src/{} names {name}, which belongs to src/{home}",
                s.file
            );
        }
    }
}

#[test]
fn sql_is_written_only_in_the_catalog() {
    for s in production_code().iter().filter(|s| s.module() != "catalog") {
        let (_, literals) = split_literals(&s.code);
        for lit in literals {
            assert!(
                !SQL_WORDS.iter().any(|w| lit.contains(w)),
                "src/{} holds SQL text, which belongs to src/catalog: {lit:?}",
                s.file
            );
        }
    }
    let mut sql_files = Vec::new();
    for entry in walk(&support::root().join("src")) {
        if entry.extension().is_some_and(|e| e == "sql") {
            sql_files.push(entry);
        }
    }
    for f in sql_files {
        assert!(
            f.starts_with(support::root().join("src/catalog")),
            "{} is SQL outside src/catalog",
            f.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Every `crate::` use follows an arrow of ARCHITECTURE.md's Dependencies
/// table, and every top-level module has a row there.
#[test]
fn modules_use_only_what_the_architecture_allows() {
    let allowed = allowed_uses();
    let sources = production_code();
    let modules: BTreeSet<String> = sources
        .iter()
        .map(|s| s.module().to_owned())
        .filter(|m| m != "lib" && m != "main")
        .collect();
    for m in &modules {
        assert!(
            allowed.contains_key(m),
            "ARCHITECTURE.md's Dependencies table has no row for `{m}`"
        );
    }
    let mut violations = Vec::new();
    for s in sources.iter().filter(|s| s.module() != "lib" && s.module() != "main") {
        let (code, _) = split_literals(&s.code);
        for used in uses(s, &code, &modules) {
            if !allowed[s.module()].contains(&used) {
                violations.push(format!("src/{} uses `{used}`, which `{}` may not", s.file, s.module()));
            }
        }
    }
    assert!(violations.is_empty(), "layering violations:\n{}", violations.join("\n"));
}

/// The rules above can fail: each is shown a line that breaks it.
#[test]
fn the_rules_catch_what_they_are_for() {
    let fake = |file: &str, code: &str| Source {
        file: file.into(),
        code: code.into(),
    };
    assert!(names_crate("use rusqlite::Connection;", "rusqlite"));
    assert!(names_crate("let x = image::open(p);", "image"));
    assert!(names_crate("use png;", "png"));
    assert!(!names_crate("let x = crate::render::image::open(p);", "image"));
    assert!(!names_crate("let is_image = 1; my_png::x();", "image") && !names_crate("my_png::x()", "png"));
    let (code, literals) = split_literals(
        r##"let q = "SELECT 1 FROM t"; // image::x
        let r = r#"gif::"#; let c = '"'; let png_ok = 1;"##,
    );
    assert!(!names_crate(&code, "image") && !names_crate(&code, "gif"));
    assert!(literals.iter().any(|l| l.contains("SELECT ")));
    let modules: BTreeSet<String> = ["http", "catalog", "ips", "handles"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let catalog = fake(
        "catalog/assets.rs",
        "use crate::http::client; use crate::{handles, ips::x};",
    );
    let found = uses(&catalog, &catalog.code, &modules);
    assert_eq!(found.into_iter().collect::<Vec<_>>(), ["handles", "http", "ips"]);
    let climbing = fake("catalog/assets.rs", "use super::super::http::reply;");
    assert_eq!(uses(&climbing, &climbing.code, &modules).len(), 1);
    let within = fake("catalog/assets.rs", "use super::queries;");
    assert!(uses(&within, &within.code, &modules).is_empty());
}
