//! Pure domain rules: parsing of user input into types that can only hold valid
//! values, and the rules that decide levels, roles and geometry. Nothing here
//! touches the database or the network, so it compiles for the browser too.

mod account;
pub mod campaign;
pub mod geo;
pub mod identity;
pub mod map;
pub mod open311;
pub mod ops;
pub mod points;
pub mod report;
pub mod supervision;
pub mod time;
pub mod volunteer;

pub use account::{DisplayName, Password, Phone, Role, Roles, UserSearch};
pub use geo::{AreaGeometry, AreaKind, GeoPoint, LineBuffer};
pub use points::{Level, PointsDelta, PointsReason};
pub use report::{Redaction, ReportStatus, RoutableArea, Transition};
pub use supervision::{Escalation, Rating};

use serde::{Deserialize, Serialize};

/// A field-level validation problem, shown next to the form field and sent in
/// the `errors` array of a 422 problem+json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Collects field errors while parsing a form, so every bad field is reported
/// at once rather than one per round trip.
#[derive(Debug, Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the error of `result` under `field` and returns the value if any.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.0.push(FieldError::new(field, message));
                None
            }
        }
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// `Ok(())` when no field failed, otherwise the collected errors.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }

    /// The checked values, once no field failed: `let (a, b) =
    /// f.done((a, b))?;` where each value came from `check` (or is `None`
    /// only beside a `push`).
    pub fn done<T: Checked>(self, values: T) -> Result<T::Values, Vec<FieldError>> {
        self.finish()?;
        Ok(values
            .all()
            .expect("a value is missing only where its field has an error"))
    }
}

/// Values checked by `Fields`: an `Option` or a tuple of them.
pub trait Checked {
    type Values;
    fn all(self) -> Option<Self::Values>;
}

impl<T> Checked for Option<T> {
    type Values = T;
    fn all(self) -> Option<T> {
        self
    }
}

macro_rules! checked_tuple {
    ($($t:ident),+) => {
        impl<$($t),+> Checked for ($(Option<$t>,)+) {
            type Values = ($($t,)+);
            #[allow(non_snake_case)]
            fn all(self) -> Option<Self::Values> {
                let ($($t,)+) = self;
                Some(($($t?,)+))
            }
        }
    };
}
checked_tuple!(A, B);
checked_tuple!(A, B, C);
checked_tuple!(A, B, C, D);
checked_tuple!(A, B, C, D, E);
checked_tuple!(A, B, C, D, E, F);

/// `?page=1&per_page=20` of the API: page ≥ 1, per_page 1–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            page: 1,
            per_page: 20,
        }
    }
}

impl Paging {
    pub const MAX_PER_PAGE: i64 = 100;

    pub fn parse(page: Option<i64>, per_page: Option<i64>) -> Result<Self, Vec<FieldError>> {
        let mut f = Fields::new();
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(20);
        if !(1..=1_000_000).contains(&page) {
            f.push("page", "页码应从1开始");
        }
        if !(1..=Self::MAX_PER_PAGE).contains(&per_page) {
            f.push(
                "per_page",
                format!("每页条数应在1到{}之间", Self::MAX_PER_PAGE),
            );
        }
        f.finish()?;
        Ok(Paging { page, per_page })
    }

    pub fn limit(self) -> i64 {
        self.per_page
    }

    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

/// A place on this site to go to after logging in: a path starting with one
/// `/`. Never another host (`//evil.cn`, `/\\evil.cn`, which browsers read as
/// `//`), nor anything with white space, control characters or backslashes.
pub fn local_path(input: &str) -> Option<&str> {
    let ok = input.len() <= 512
        && input.starts_with('/')
        && !input.starts_with("//")
        && !input
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    ok.then_some(input)
}

/// Free text of a form (a reason, a name): trimmed, not empty, at most `max`
/// characters, no control characters but line breaks (PostgreSQL refuses NUL).
pub fn clean_text(input: &str, max: usize, empty_message: &str) -> Result<String, String> {
    let t = input.trim();
    if t.is_empty() {
        return Err(empty_message.to_owned());
    }
    if t.chars().count() > max {
        return Err(format!("最多{max}个字"));
    }
    if t.chars().any(|c| c.is_control() && c != '\n') {
        return Err("不能包含控制字符".into());
    }
    Ok(t.to_owned())
}

/// A telephone number people can call (a hotline such as 12345 or
/// 0937-6225678): digits with optional dashes and spaces, 3 to 20 long.
pub fn hotline(input: &str) -> Result<String, String> {
    let t = input.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    if t.is_empty() {
        return Err("请填写服务热线".into());
    }
    if t.chars().count() > 20
        || digits < 3
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
    {
        return Err("热线只能由数字和“-”组成，如 12345 或 0937-6225678".into());
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hotline_is_digits_and_dashes() {
        assert_eq!(hotline(" 12345 ").unwrap(), "12345");
        assert_eq!(hotline("0937-6225678").unwrap(), "0937-6225678");
        for bad in [
            "",
            "12",
            "<a>123</a>",
            "1234\u{0}5",
            "tel:12345",
            &"1".repeat(21),
        ] {
            assert!(hotline(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn done_gives_the_values_or_every_error() {
        let mut f = Fields::new();
        let a = f.check("a", Ok::<_, String>(1));
        let b = f.check("b", Ok::<_, String>("x"));
        assert_eq!(f.done((a, b)), Ok((1, "x")));

        let mut f = Fields::new();
        let a = f.check("a", Err::<i32, _>("坏".to_owned()));
        let b = f.check("b", Ok::<_, String>(2));
        f.push("c", "也坏");
        let errors = f.done((a, b)).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "c"]);
    }

    #[test]
    fn only_local_paths_are_followed() {
        for ok in ["/me", "/points?tab=1", "/admin/users#x"] {
            assert_eq!(local_path(ok), Some(ok));
        }
        for bad in [
            "",
            "me",
            "//evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "/\t/evil.example",
            "https://evil.example",
            "/ /x",
            "/a\u{0000}b",
            "\\\\evil",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn clean_text_rules() {
        assert_eq!(clean_text("  好  ", 5, "空").unwrap(), "好");
        assert_eq!(clean_text(" ", 5, "空").unwrap_err(), "空");
        assert!(clean_text("123456", 5, "空").is_err());
        assert!(clean_text("a\u{0000}b", 5, "空").is_err());
        assert!(clean_text("a\nb", 5, "空").is_ok());
    }

    #[test]
    fn paging_bounds() {
        assert_eq!(
            Paging::parse(None, None).unwrap(),
            Paging {
                page: 1,
                per_page: 20
            }
        );
        assert_eq!(Paging::parse(Some(3), Some(100)).unwrap().offset(), 200);
        assert!(Paging::parse(Some(0), None).is_err());
        assert!(Paging::parse(None, Some(101)).is_err());
        assert!(Paging::parse(None, Some(0)).is_err());
        assert_eq!(Paging::parse(Some(-1), Some(500)).unwrap_err().len(), 2);
    }
}
