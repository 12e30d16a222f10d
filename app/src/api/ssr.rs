//! What every server function needs: the state, the request, the caller,
//! and how a failure answers a script or a plain form.

use crate::backend::{AppState, auth};
use crate::error::AppError;
use http::request::Parts;
use http::{HeaderValue, StatusCode, header};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or(AppError::Internal)
}

pub fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or(AppError::Internal)
}

pub async fn current_user() -> Result<Option<auth::CurrentUser>, AppError> {
    auth::current_user(&state()?, &parts()?.headers).await
}

pub async fn require_user() -> Result<auth::CurrentUser, AppError> {
    auth::require_user(&state()?, &parts()?.headers).await
}

/// Gives a failed call from JavaScript its real status. A plain form post
/// (no JavaScript) keeps the redirect back to its page, which shows the
/// error from the URL.
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        let plain_form = parts().ok().is_some_and(|p| {
            p.headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        });
        if !plain_form
            && let (Some(opts), Ok(status)) = (
                use_context::<ResponseOptions>(),
                StatusCode::from_u16(e.status()),
            )
        {
            opts.set_status(status);
        }
    }
    result
}

pub fn set_cookie(value: String) {
    if let (Some(opts), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        opts.append_header(header::SET_COOKIE, v);
    }
}

/// A number typed in a form field: `None` when left empty, `wrong` (the
/// field's own words) when it is not a whole or finite number of type `T`.
pub fn form_number<T: FormNumber>(
    field: &str,
    v: Option<&str>,
    wrong: &str,
) -> Result<Option<T>, AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<T>()
            .ok()
            .filter(FormNumber::usable)
            .map(Some)
            .ok_or_else(|| AppError::field(field, wrong)),
    }
}

/// A number that must be filled in: `missing` when the field is empty.
pub fn required_number<T: FormNumber>(
    field: &str,
    v: &str,
    wrong: &str,
    missing: &str,
) -> Result<T, AppError> {
    form_number(field, Some(v), wrong)?.ok_or_else(|| AppError::field(field, missing))
}

/// What a form field may hold as a number.
pub trait FormNumber: std::str::FromStr {
    fn usable(&self) -> bool {
        true
    }
}
impl FormNumber for i64 {}
impl FormNumber for f64 {
    fn usable(&self) -> bool {
        self.is_finite()
    }
}

pub fn https() -> bool {
    match (state(), parts()) {
        (Ok(s), Ok(p)) => auth::is_https(&s.config, &p.headers),
        _ => false,
    }
}

/// The month before `month` (`YYYY-MM`), and the one after unless that is
/// still to come (city time).
pub fn month_neighbours(
    state: &crate::backend::AppState,
    month: &str,
) -> Result<(String, Option<String>), AppError> {
    use chrono::{Months, NaiveDate};
    let first = crate::domain::time::parse_month(month).map_err(|_| AppError::Internal)?;
    let this = state.clock.today()?.format("%Y-%m").to_string();
    let fmt = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m").to_string());
    Ok((
        fmt(first.checked_sub_months(Months::new(1))).unwrap_or_default(),
        fmt(first.checked_add_months(Months::new(1))).filter(|n| *n <= this),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers() {
        let float = |v: &str| form_number::<f64>("lat", Some(v), "请填写数字");
        assert_eq!(float(" 39.5 ").unwrap(), Some(39.5));
        assert_eq!(float("").unwrap(), None);
        assert!(float("NaN").is_err());
        assert!(float("北纬39").is_err());
        assert_eq!(
            form_number::<i64>("n", Some(" 12 "), "x").unwrap(),
            Some(12)
        );
        assert!(form_number::<i64>("n", Some("1.5"), "x").is_err());
        assert!(required_number::<i64>("n", " ", "x", "missing").is_err());
    }
}
