//! An AssetSet's `setDefinition`: text copied verbatim, with substitution
//! functions `${getFilePath([a|…])}`, `${getCatalogId([a|…])}`,
//! `${getThumbCatalogId([a|…])}` and `${getMetadata([a|…], [m|…])}`
//! (`createAssetSet`'s page). The emulator keeps the text as written and
//! reads from it the assets it names, which must exist; text it cannot read
//! is refused rather than kept unchecked.

use crate::handles::AssetHandle;

use super::Error;

/// The substitution functions, lower-cased, and how many bracketed
/// arguments each takes (the first is always an asset handle).
const FUNCTIONS: &[(&str, usize)] = &[
    ("getfilepath", 1),
    ("getcatalogid", 1),
    ("getthumbcatalogid", 1),
    ("getmetadata", 2),
];

/// Most distinct assets one definition may name: as many as an image set
/// may hold.
pub(crate) const MAX_ASSETS: usize = super::sets::MAX_MEMBERS;

/// The assets `definition` names, in order of first mention.
pub(crate) fn referenced(definition: &str) -> Result<Vec<AssetHandle>, Error> {
    let mut out: Vec<AssetHandle> = Vec::new();
    let mut rest = definition;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| invalid("a substitution '${' is not closed by '}'".to_owned()))?;
        let handle = function(&after[..end])?;
        if !out.contains(&handle) {
            if out.len() == MAX_ASSETS {
                return Err(invalid(format!("it names more than {MAX_ASSETS} assets")));
            }
            out.push(handle);
        }
        rest = &after[end + 1..];
    }
    Ok(out)
}

/// One substitution's asset handle: `name([a|…])` or `name([a|…], [m|…])`.
fn function(call: &str) -> Result<AssetHandle, Error> {
    let bad = || invalid(format!("'${{{call}}}' is not a substitution function"));
    let (name, args) = call.split_once('(').ok_or_else(bad)?;
    let args = args.strip_suffix(')').ok_or_else(bad)?;
    let arity = FUNCTIONS
        .iter()
        .find(|(f, _)| name.eq_ignore_ascii_case(f))
        .map(|&(_, n)| n)
        .ok_or_else(|| invalid(format!("'{name}' is not a substitution function")))?;
    let args: Vec<&str> = args.split(',').collect();
    if args.len() != arity {
        return Err(invalid(format!("'{name}' takes {arity} bracketed argument(s)")));
    }
    let mut literals = args.iter().map(|a| {
        // Adobe's own examples put spaces around and inside the brackets.
        a.trim_ascii()
            .strip_prefix('[')
            .and_then(|a| a.strip_suffix(']'))
            .map(str::trim_ascii)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| invalid(format!("the arguments of '{name}' must be handles in brackets")))
    });
    let first = literals.next().ok_or_else(bad)??;
    for other in literals {
        other?;
    }
    AssetHandle::parse(first).ok_or_else(|| invalid(format!("'{first}' is not an asset handle")))
}

fn invalid(why: String) -> Error {
    Error::InvalidParameter(format!("Invalid setDefinition: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_handles_of_adobes_example() {
        let def = "${getCatalogId([a|1664|22|1664])};${getCatalogId([a|1664|22|1664])};1,${getFilePath([a|1036|19|144])};${getCatalogId([ a|452|1|433])};2;${getMetadata([a|1036|19|144], [m|1|ASSET|SharedDateField])}";
        let got: Vec<String> = referenced(def)
            .expect("parsed")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(got, ["a|1664|22|1664", "a|1036|19|144", "a|452|1|433"]);
        assert!(referenced("plain text, no functions").expect("text").is_empty());
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in [
            "${getCatalogId([a|1]",
            "${getCatalogId(a|1)}",
            "${getSomething([a|1])}",
            "${getMetadata([a|1])}",
            "${getCatalogId([a|1], [a|2])}",
            "${getCatalogId([not a handle])}",
            "${getCatalogId([])}",
        ] {
            let err = referenced(bad).expect_err(bad).to_string();
            assert!(err.starts_with("Invalid setDefinition: "), "{bad}: {err}");
        }
    }
}
