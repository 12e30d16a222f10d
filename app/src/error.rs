//! The one error type of the application layer. Services return it, server
//! functions send it to the browser, and the HTTP layer maps it to a status and
//! a problem+json body (`server/src/problem.rs`). Its variants carry only what
//! may be shown to a user; internals are logged where they happen.

use crate::domain::FieldError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("提交的内容有误，请检查后重试")]
    Invalid(Vec<FieldError>),
    #[error("请先登录")]
    Unauthenticated,
    #[error("手机号或密码错误")]
    InvalidCredentials,
    #[error("尝试次数过多，请15分钟后再试")]
    TooManyAttempts,
    #[error("操作太频繁，请稍后再试")]
    RateLimited,
    #[error("没有权限进行此操作")]
    Forbidden,
    #[error("请求来源不被允许")]
    CrossOrigin,
    #[error("没有找到要访问的内容")]
    NotFound,
    #[error("该手机号已注册，请直接登录")]
    PhoneTaken,
    #[error("积分不足")]
    InsufficientPoints,
    /// A named conflict with the current state (409), for the codes later
    /// features add: `out_of_stock`, `invalid_transition`, …
    #[error("{message}")]
    Conflict { code: String, message: String },
    #[error("上传的内容过大")]
    PayloadTooLarge,
    #[error("网络连接失败，请检查网络后重试")]
    Network,
    #[error("服务器开小差了，请稍后再试")]
    Internal,
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// The stable machine-readable code of API.md.
    pub fn code(&self) -> &str {
        match self {
            AppError::Invalid(_) => "invalid_input",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::TooManyAttempts => "too_many_attempts",
            AppError::RateLimited => "rate_limited",
            AppError::Forbidden => "forbidden",
            AppError::CrossOrigin => "cross_origin",
            AppError::NotFound => "not_found",
            AppError::PhoneTaken => "phone_taken",
            AppError::InsufficientPoints => "insufficient_points",
            AppError::Conflict { code, .. } => code,
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Network => "network",
            AppError::Internal => "internal",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::Unauthenticated | AppError::InvalidCredentials => 401,
            AppError::TooManyAttempts | AppError::RateLimited => 429,
            AppError::Forbidden | AppError::CrossOrigin => 403,
            AppError::NotFound => 404,
            AppError::PhoneTaken | AppError::InsufficientPoints | AppError::Conflict { .. } => 409,
            AppError::PayloadTooLarge => 413,
            AppError::Network => 503,
            AppError::Internal => 500,
        }
    }

    /// The message for one form field, if this error names it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    /// Invalid input with field errors that no visible field shows gets a
    /// general message instead.
    pub fn form_message(&self, shown_fields: &[&str]) -> Option<String> {
        match self {
            AppError::Invalid(errors) => {
                let hidden: Vec<&str> = errors
                    .iter()
                    .filter(|e| !shown_fields.contains(&e.field.as_str()))
                    .map(|e| e.message.as_str())
                    .collect();
                if errors.is_empty() {
                    Some(self.to_string())
                } else if hidden.is_empty() {
                    None
                } else {
                    Some(hidden.join("；"))
                }
            }
            other => Some(other.to_string()),
        }
    }
}

impl From<Vec<FieldError>> for AppError {
    fn from(errors: Vec<FieldError>) -> Self {
        AppError::Invalid(errors)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => AppError::Invalid(vec![]),
            ServerFnErrorErr::Request(_) => AppError::Network,
            _ => AppError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}

pub type AppResult<T> = Result<T, AppError>;
