//! The IPS contract as data: the API versions, and the shape of every
//! request, reply and shared type in each of them.
//!
//! A [`Field`] says what one element is (its name, its schema type, how
//! often it occurs) and in which versions it exists; a [`Type`] is an
//! ordered list of fields. Each version's shape of a type is the list
//! filtered to that version, in declaration order, so one declaration
//! carries every version. Nothing here knows XML: `soap` decodes requests,
//! encodes replies and writes each version's WSDL and XSD from these
//! declarations.

/// The IPS API versions with a published WSDL, oldest first. Versions order
/// by age, so `since`/`until` ranges are comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// Before 4.0: the unversioned `IpsApi.wsdl`.
    Pre40,
    /// 4.0.
    V2008_01_15,
    /// 4.2.
    V2008_09_10,
    /// 4.4.
    V2009_07_31,
    /// 4.5.
    V2010_01_31,
    /// 6.0.
    V2012_02_14,
    /// 6.6.
    V2013_02_15,
    /// 6.8, the latest.
    V2014_04_03,
}

impl Version {
    /// Every version, oldest first.
    pub const ALL: [Version; 8] = [
        Version::Pre40,
        Version::V2008_01_15,
        Version::V2008_09_10,
        Version::V2009_07_31,
        Version::V2010_01_31,
        Version::V2012_02_14,
        Version::V2013_02_15,
        Version::V2014_04_03,
    ];

    /// The latest version (what `…/IpsApiService?wsdl` describes).
    pub const LATEST: Version = Version::V2014_04_03;

    /// The version's date, as its WSDL file and namespace name it; `None`
    /// for the unversioned pre-4.0 API.
    pub fn date(self) -> Option<&'static str> {
        Some(match self {
            Version::Pre40 => return None,
            Version::V2008_01_15 => "2008-01-15",
            Version::V2008_09_10 => "2008-09-10",
            Version::V2009_07_31 => "2009-07-31",
            Version::V2010_01_31 => "2010-01-31",
            Version::V2012_02_14 => "2012-02-14",
            Version::V2013_02_15 => "2013-02-15",
            Version::V2014_04_03 => "2014-04-03",
        })
    }

    /// A name for messages and logs: the date, or `pre-4.0`.
    pub fn label(self) -> &'static str {
        self.date().unwrap_or("pre-4.0")
    }

    /// The version a date names: a published version's date, or that of an
    /// API the service also answers (a dated `-beta`, or an interim release
    /// such as `2011-11-04`), which speaks the shapes of the latest
    /// published version at or before its date. `None` before 2008-01-15.
    pub fn at_date(date: &str) -> Option<Version> {
        Version::ALL
            .into_iter()
            .rev()
            .find(|v| v.date().is_some_and(|d| d <= date))
    }
}

/// A schema type.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// `xsd:string`.
    String,
    /// `xsd:int`.
    Int,
    /// `xsd:long`.
    Long,
    /// `xsd:boolean`.
    Boolean,
    /// `xsd:double`.
    Double,
    /// `xsd:dateTime`.
    DateTime,
    /// A complex type.
    Complex(&'static Type),
}

impl Ty {
    /// The complex type, if this is one.
    pub fn complex(self) -> Option<&'static Type> {
        match self {
            Ty::Complex(t) => Some(t),
            _ => None,
        }
    }
}

/// How often a field occurs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occurs {
    /// Exactly once.
    Required,
    /// At most once.
    Optional,
    /// Any number of times (the `items` of an array type).
    Many,
    /// Between `min` and `max` times (the `items` of an array type whose
    /// schema bounds it, such as `UrlArray`'s 1 to 1000).
    Between(u16, u16),
}

impl Occurs {
    /// Whether the element may repeat (an array's `items`).
    pub fn repeats(self) -> bool {
        matches!(self, Occurs::Many | Occurs::Between(..))
    }
}

/// One element of a type, with the versions that have it.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The element's local name.
    pub name: &'static str,
    /// Its type.
    pub ty: Ty,
    /// How often it occurs.
    pub occurs: Occurs,
    /// The first version that has it.
    pub since: Version,
    /// The first version that no longer has it.
    pub until: Option<Version>,
}

impl Field {
    /// A required field, in every version.
    pub const fn req(name: &'static str, ty: Ty) -> Field {
        Field {
            name,
            ty,
            occurs: Occurs::Required,
            since: Version::Pre40,
            until: None,
        }
    }

    /// An optional field, in every version.
    pub const fn opt(name: &'static str, ty: Ty) -> Field {
        Field {
            occurs: Occurs::Optional,
            ..Field::req(name, ty)
        }
    }

    /// A repeated field, in every version.
    pub const fn many(name: &'static str, ty: Ty) -> Field {
        Field {
            occurs: Occurs::Many,
            ..Field::req(name, ty)
        }
    }

    /// A field repeated `min` to `max` times, in every version.
    pub const fn between(name: &'static str, ty: Ty, min: u16, max: u16) -> Field {
        Field {
            occurs: Occurs::Between(min, max),
            ..Field::req(name, ty)
        }
    }

    /// The same field, first present in `version`.
    pub const fn since(self, version: Version) -> Field {
        Field { since: version, ..self }
    }

    /// The same field, absent from `version` on.
    pub const fn until(self, version: Version) -> Field {
        Field {
            until: Some(version),
            ..self
        }
    }

    /// Whether `version` has this field.
    pub fn in_version(&self, version: Version) -> bool {
        self.since <= version && self.until.is_none_or(|u| version < u)
    }
}

/// How a type's fields combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compositor {
    /// In declaration order (`xsd:sequence`).
    Sequence,
    /// In any order (`xsd:all`; only the unversioned `authHeader`).
    All,
}

/// A named complex type (or the anonymous type of a top-level element).
#[derive(Debug)]
pub struct Type {
    /// Its name.
    pub name: &'static str,
    /// How its fields combine.
    pub compositor: Compositor,
    /// Its fields, in schema order, across every version.
    pub fields: &'static [Field],
}

impl Type {
    /// A sequence type.
    pub const fn new(name: &'static str, fields: &'static [Field]) -> Type {
        Type {
            name,
            compositor: Compositor::Sequence,
            fields,
        }
    }

    /// The fields `version` has, in schema order.
    pub fn fields_in(&self, version: Version) -> impl Iterator<Item = &'static Field> {
        fields_in(self.fields, version)
    }

    /// Whether this is an array type: one repeated `items` field.
    pub fn is_array(&self) -> bool {
        matches!(self.fields, [f] if f.occurs.repeats() && f.name == "items")
    }
}

/// The fields of `fields` that `version` has, in order.
pub fn fields_in(fields: &'static [Field], version: Version) -> impl Iterator<Item = &'static Field> {
    fields.iter().filter(move |f| f.in_version(version))
}

/// The number of fields in `parts` together (for [`join`]'s length).
pub const fn joined_len(parts: &[&[Field]]) -> usize {
    let mut n = 0;
    let mut p = 0;
    while p < parts.len() {
        n += parts[p].len();
        p += 1;
    }
    n
}

/// The fields of `parts`, one list after another, as one list of `N`
/// fields; evaluated when compiling (a wrong `N` fails the build). Use it
/// through `fields!`.
pub const fn join<const N: usize>(parts: &[&[Field]]) -> [Field; N] {
    let mut out = [Field::req("", Ty::String); N];
    let mut n = 0;
    let mut p = 0;
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            out[n] = parts[p][i];
            n += 1;
            i += 1;
        }
        p += 1;
    }
    assert!(n == N, "join: N is not the number of fields");
    out
}

/// A `'static` field list made of other lists, in order, for a type or
/// `…Param` that shares a run of fields declared once elsewhere (the job
/// kinds `submitJob`, `ActiveJob` and `ScheduledJob` all list):
/// `fields![&[req("companyHandle", STRING)], JOB_KIND_FIELDS]`.
macro_rules! fields {
    ($($part:expr),+ $(,)?) => {{
        const PARTS: &[&[$crate::ips::contract::Field]] = &[$($part),+];
        const JOINED: [$crate::ips::contract::Field; $crate::ips::contract::joined_len(PARTS)] =
            $crate::ips::contract::join(PARTS);
        &JOINED
    }};
}
pub(crate) use fields;

/// Short names for declarations.
pub mod prelude {
    pub(crate) use super::fields;
    pub use super::Version;
    pub use super::Version::*;
    pub use super::{Compositor, Field, Ty, Type};

    /// `xsd:string`.
    pub const STRING: super::Ty = super::Ty::String;
    /// `xsd:int`.
    pub const INT: super::Ty = super::Ty::Int;
    /// `xsd:long`.
    pub const LONG: super::Ty = super::Ty::Long;
    /// `xsd:boolean`.
    pub const BOOLEAN: super::Ty = super::Ty::Boolean;
    /// `xsd:double`.
    pub const DOUBLE: super::Ty = super::Ty::Double;
    /// `xsd:dateTime`.
    pub const DATE_TIME: super::Ty = super::Ty::DateTime;

    /// A required field.
    pub const fn req(name: &'static str, ty: super::Ty) -> Field {
        Field::req(name, ty)
    }
    /// An optional field.
    pub const fn opt(name: &'static str, ty: super::Ty) -> Field {
        Field::opt(name, ty)
    }
    /// A repeated field.
    pub const fn many(name: &'static str, ty: super::Ty) -> Field {
        Field::many(name, ty)
    }
    /// A field repeated `min` to `max` times.
    pub const fn between(name: &'static str, ty: super::Ty, min: u16, max: u16) -> Field {
        Field::between(name, ty, min, max)
    }
    /// A field of a complex type.
    pub const fn of(t: &'static Type) -> super::Ty {
        super::Ty::Complex(t)
    }
}

#[cfg(test)]
mod tests {
    use super::prelude::*;
    use super::*;

    static SAMPLE: Type = Type::new(
        "Sample",
        &[
            req("a", STRING),
            opt("b", INT).since(V2009_07_31),
            opt("c", BOOLEAN).until(V2012_02_14),
            opt("d", LONG).since(V2012_02_14),
        ],
    );

    fn names(v: Version) -> Vec<&'static str> {
        SAMPLE.fields_in(v).map(|f| f.name).collect()
    }

    #[test]
    fn fields_follow_their_version_ranges() {
        assert_eq!(names(Pre40), ["a", "c"]);
        assert_eq!(names(V2010_01_31), ["a", "b", "c"]);
        assert_eq!(names(V2012_02_14), ["a", "b", "d"]);
        assert_eq!(names(V2014_04_03), ["a", "b", "d"]);
    }

    static HEAD: &[Field] = &[req("a", STRING)];
    static TAIL: &[Field] = &[opt("c", BOOLEAN), opt("d", LONG).since(V2012_02_14)];
    static JOINED: Type = Type::new("Joined", fields![HEAD, &[opt("b", INT)], TAIL]);

    #[test]
    fn joined_lists_keep_their_order_and_versions() {
        let names = |v| JOINED.fields_in(v).map(|f| f.name).collect::<Vec<_>>();
        assert_eq!(names(Pre40), ["a", "b", "c"]);
        assert_eq!(names(V2014_04_03), ["a", "b", "c", "d"]);
        assert_eq!(JOINED.fields[1].occurs, Occurs::Optional);
        assert_eq!(joined_len(&[HEAD, TAIL]), 3);
    }

    #[test]
    fn dates_pick_the_latest_version_at_or_before_them() {
        assert_eq!(Version::at_date("2008-01-15"), Some(V2008_01_15));
        assert_eq!(Version::at_date("2011-11-04"), Some(V2010_01_31));
        assert_eq!(Version::at_date("2013-08-29"), Some(V2013_02_15));
        assert_eq!(Version::at_date("2017-10-29"), Some(V2014_04_03));
        assert_eq!(Version::at_date("2007-01-01"), None);
        assert_eq!(V2014_04_03.label(), "2014-04-03");
        assert_eq!(Pre40.label(), "pre-4.0");
    }
}
