//! Values as operations see them: a request's parameters and a reply's
//! fields, named by the contract's field names.
//!
//! `soap` turns a request element into a [`Record`] (after checking it
//! against the operation's declared `…Param` for the request's version) and
//! a reply [`Record`] into the return element (keeping the fields the
//! version's `…Return` has, in its order). A reply may therefore hold fields
//! of every version; each version shows its own.

use std::sync::Arc;

use super::Error;

/// One value.
#[derive(Clone, Debug)]
pub enum Value {
    /// A simple value, in its XML Schema lexical form.
    Text(String),
    /// A complex value.
    Record(Record),
    /// The values of a repeated field.
    List(Vec<Value>),
    /// The fault code or reason of a per-item failure in a batch reply,
    /// filled in by the one place that maps errors to faults.
    Failure(FailurePart, Arc<Error>),
}

/// Which part of a failure a [`Value::Failure`] stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailurePart {
    /// The fault's numeric code.
    Code,
    /// The fault's reason.
    Reason,
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}

impl From<Record> for Value {
    fn from(r: Record) -> Self {
        Value::Record(r)
    }
}

impl Value {
    /// The text of a simple value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The record of a complex value.
    pub fn as_record(&self) -> Option<&Record> {
        match self {
            Value::Record(r) => Some(r),
            _ => None,
        }
    }
}

/// Named values, in the order they were added.
#[derive(Clone, Debug, Default)]
pub struct Record {
    entries: Vec<(&'static str, Value)>,
}

impl Record {
    /// An empty record (also the reply of an operation that answers
    /// nothing: its return element is still sent, empty).
    pub fn new() -> Self {
        Record::default()
    }

    /// Adds a field.
    pub fn push(&mut self, name: &'static str, value: impl Into<Value>) {
        self.entries.push((name, value.into()));
    }

    /// The record with a field added.
    pub fn with(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.push(name, value);
        self
    }

    /// The record with a field added when there is a value.
    pub fn with_opt(self, name: &'static str, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(v) => self.with(name, v),
            None => self,
        }
    }

    /// The record with an `xsd:boolean` added.
    pub fn with_bool(self, name: &'static str, value: bool) -> Self {
        self.with(name, if value { "true" } else { "false" })
    }

    /// The record with a number added.
    pub fn with_number(self, name: &'static str, value: impl std::fmt::Display) -> Self {
        self.with(name, value.to_string())
    }

    /// The record with an array added: a record whose `items` are `items`.
    pub fn with_array(self, name: &'static str, items: Vec<Value>) -> Self {
        self.with(name, Record::new().with("items", Value::List(items)))
    }

    /// The record with the code and reason of `error` added (an
    /// `AssetOperationFault`'s).
    pub fn with_failure(self, error: Error) -> Self {
        let error = Arc::new(error);
        self.with("code", Value::Failure(FailurePart::Code, error.clone()))
            .with("reason", Value::Failure(FailurePart::Reason, error))
    }

    /// The value of field `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Removes field `name` and returns its value.
    pub fn take(&mut self, name: &str) -> Option<Value> {
        let at = self.entries.iter().position(|(n, _)| *n == name)?;
        Some(self.entries.remove(at).1)
    }

    /// The fields, in the order they were added.
    pub fn entries(&self) -> &[(&'static str, Value)] {
        &self.entries
    }

    /// Whether the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A request's parameters, already checked against the operation's
/// declaration for the request's version: every field is one the version
/// declares, every required one is there, and typed values are lexically
/// valid. What is left to the operation is what the values mean.
#[derive(Clone, Debug, Default)]
pub struct Params(Record);

impl From<Record> for Params {
    fn from(r: Record) -> Self {
        Params(r)
    }
}

/// XML white space, which the schema's whitespace rule strips around typed
/// (non-string) values.
fn typed(raw: &str) -> &str {
    raw.trim_matches([' ', '\t', '\n', '\r'])
}

impl Params {
    /// The parameters as the record they were decoded into.
    pub fn into_record(self) -> Record {
        self.0
    }

    /// Whether field `name` was sent.
    pub fn has(&self, name: &str) -> bool {
        self.0.get(name).is_some()
    }

    /// A simple field's value, as sent (never trimmed).
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_text)
    }

    /// A simple field's value, owned.
    pub fn string(&self, name: &str) -> Option<String> {
        self.text(name).map(str::to_owned)
    }

    /// A required simple field's value.
    pub fn required(&self, name: &'static str) -> Result<String, Error> {
        self.string(name).ok_or(Error::MissingParameter(name))
    }

    /// An `xsd:boolean` field.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, Error> {
        self.text(name)
            .map(|raw| match typed(raw) {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(Error::InvalidParameter(format!(
                    "{name} must be true or false, not '{raw}'"
                ))),
            })
            .transpose()
    }

    /// An `xsd:int` or `xsd:long` field.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, Error> {
        self.text(name)
            .map(|raw| {
                typed(raw)
                    .parse()
                    .map_err(|_| Error::InvalidParameter(format!("{name} must be an integer, not '{raw}'")))
            })
            .transpose()
    }

    /// A complex field's parameters.
    pub fn record(&self, name: &str) -> Option<Params> {
        self.0.get(name).and_then(Value::as_record).map(|r| Params(r.clone()))
    }

    /// The `items` of an array field, each as parameters (`None` when the
    /// array was not sent).
    pub fn items(&self, name: &str) -> Option<Vec<Params>> {
        Some(
            self.array(name)?
                .iter()
                .filter_map(Value::as_record)
                .map(|r| Params(r.clone()))
                .collect(),
        )
    }

    /// The `items` of a string array field (`None` when it was not sent).
    pub fn strings(&self, name: &str) -> Option<Vec<String>> {
        Some(
            self.array(name)?
                .iter()
                .filter_map(Value::as_text)
                .map(str::to_owned)
                .collect(),
        )
    }

    /// A required string array.
    pub fn required_strings(&self, name: &'static str) -> Result<Vec<String>, Error> {
        self.strings(name).ok_or(Error::MissingParameter(name))
    }

    fn array(&self, name: &str) -> Option<&[Value]> {
        let record = self.0.get(name)?.as_record()?;
        match record.get("items") {
            Some(Value::List(items)) => Some(items),
            // An array sent with no items.
            _ => Some(&[]),
        }
    }

    /// Refuses any of `names` that was sent: parameters the contract has
    /// but the emulator does not act on, which must not be silently ignored.
    pub fn refuse(&self, names: &[&str]) -> Result<(), Error> {
        match names.iter().find(|n| self.has(n)) {
            Some(n) => Err(Error::InvalidParameter(format!(
                "'{n}' is not supported by this emulator"
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn array(items: &[&str]) -> Value {
        Record::new()
            .with("items", Value::List(items.iter().map(|s| Value::from(*s)).collect()))
            .into()
    }

    #[test]
    fn params_read_typed_values() {
        let p = Params::from(
            Record::new()
                .with("flag", " true\n")
                .with("n", "\t-12 ")
                .with("bad", "yes")
                .with("list", array(&["a", "b"]))
                .with("empty", Record::new()),
        );
        assert_eq!(p.boolean("flag").expect("bool"), Some(true));
        assert_eq!(p.integer("n").expect("int"), Some(-12));
        assert!(p.boolean("bad").is_err() && p.integer("bad").is_err());
        assert_eq!(p.boolean("absent").expect("absent"), None);
        assert_eq!(p.strings("list"), Some(vec!["a".into(), "b".into()]));
        assert_eq!(p.strings("empty"), Some(vec![]));
        assert_eq!(p.strings("absent"), None);
        assert!(matches!(p.required("absent"), Err(Error::MissingParameter("absent"))));
        assert!(p.refuse(&["absent"]).is_ok());
        assert!(matches!(p.refuse(&["flag"]), Err(Error::InvalidParameter(_))));
    }

    #[test]
    fn records_keep_order_and_take() {
        let mut r = Record::new().with("a", "1").with_bool("b", false).with_number("c", 3);
        assert_eq!(
            r.take("b").and_then(|v| v.as_text().map(str::to_owned)),
            Some("false".into())
        );
        let names: Vec<_> = r.entries().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["a", "c"]);
    }
}
