//! The one error type of the application layer. Services return it, server
//! functions send it to the browser, and the HTTP layer maps it to a status and
//! a problem+json body (`server/src/problem.rs`). Its variants carry only what
//! may be shown to a user; internals are logged where they happen.

use crate::domain::FieldError;
use leptos::server_fn::Bytes;
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
    /// 429 `rate_limited`: a per-address, per-key or per-person limit
    /// (`crate::backend::limits`); `Retry-After` says when.
    #[error("操作太频繁，请稍后再试")]
    RateLimited { retry_after_s: i64 },
    /// 503 `busy`: the server is at its ceiling for this kind of work
    /// (password hashing, photo processing); `Retry-After` says when to retry.
    #[error("当前使用人数较多，请稍后再试")]
    Busy { retry_after_s: i64 },
    /// 429 `too_many_requests`: an SMS throttle; `Retry-After` says when.
    #[error("获取验证码太频繁，请稍后再试")]
    TooManyRequests { retry_after_s: i64 },
    /// 422 `invalid_code`: wrong, used, expired or tried out (one answer).
    #[error("验证码错误或已失效，请重新获取")]
    InvalidCode,
    /// 503 `sms_unavailable`: the SMS could not be sent.
    #[error("短信发送失败，请稍后再试")]
    SmsUnavailable,
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
    /// A named refusal of who is asking (403), e.g. `account_too_new`.
    #[error("{message}")]
    Refused { code: String, message: String },
    #[error("上传的内容过大")]
    PayloadTooLarge,
    #[error("只支持 JPEG、PNG 或 WebP 格式的照片")]
    UnsupportedMediaType,
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

    /// 429 `too_many_requests` for a wait of `ms` (at least a second).
    pub fn too_many_requests(ms: i64) -> Self {
        AppError::TooManyRequests {
            retry_after_s: (ms.max(1) + 999) / 1000,
        }
    }

    /// 429 `rate_limited` for a wait of `ms` (at least a second).
    pub fn rate_limited(ms: i64) -> Self {
        AppError::RateLimited {
            retry_after_s: (ms.max(1) + 999) / 1000,
        }
    }

    /// 409 `invalid_transition`: the object is not (or no longer) in a state
    /// the action starts from — a conditional update matched nothing.
    pub fn invalid_transition(message: impl Into<String>) -> Self {
        Self::conflict("invalid_transition", message)
    }

    /// The stable machine-readable code of the API contract.
    pub fn code(&self) -> &str {
        match self {
            AppError::Invalid(_) => "invalid_input",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::TooManyAttempts => "too_many_attempts",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Busy { .. } => "busy",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::InvalidCode => "invalid_code",
            AppError::SmsUnavailable => "sms_unavailable",
            AppError::Forbidden => "forbidden",
            AppError::CrossOrigin => "cross_origin",
            AppError::NotFound => "not_found",
            AppError::PhoneTaken => "phone_taken",
            AppError::InsufficientPoints => "insufficient_points",
            AppError::Conflict { code, .. } | AppError::Refused { code, .. } => code,
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Network => "network",
            AppError::Internal => "internal",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::Unauthenticated | AppError::InvalidCredentials => 401,
            AppError::TooManyAttempts
            | AppError::RateLimited { .. }
            | AppError::TooManyRequests { .. } => 429,
            AppError::Busy { .. } => 503,
            AppError::InvalidCode => 422,
            AppError::SmsUnavailable => 503,
            AppError::Forbidden | AppError::CrossOrigin | AppError::Refused { .. } => 403,
            AppError::NotFound => 404,
            AppError::PhoneTaken | AppError::InsufficientPoints | AppError::Conflict { .. } => 409,
            AppError::PayloadTooLarge => 413,
            AppError::UnsupportedMediaType => 415,
            AppError::Network => 503,
            AppError::Internal => 500,
        }
    }

    /// The field errors, for a terminal: ` [phone: …]` (empty for others).
    pub fn field_detail(&self) -> String {
        match self {
            AppError::Invalid(fields) => fields
                .iter()
                .map(|f| format!(" [{}: {}]", f.field, f.message))
                .collect(),
            _ => String::new(),
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

    /// JSON, signed by the server. The signature matters for the error of a
    /// plain form post, which travels back in the page URL (`__err`): anyone
    /// can write such a link, so the server only shows errors it signed.
    fn ser(&self) -> Bytes {
        let json = serde_json::to_vec(self).unwrap_or_default();
        #[cfg(feature = "ssr")]
        {
            url_signature::sign(json).into()
        }
        #[cfg(not(feature = "ssr"))]
        {
            json.into()
        }
    }

    fn de(data: Bytes) -> Self {
        // On the server this decodes only errors from the URL: unsigned or
        // forged ones become a plain "invalid input" without their text.
        #[cfg(feature = "ssr")]
        let json = url_signature::verify(&data);
        // In the browser it decodes the server's own responses.
        #[cfg(not(feature = "ssr"))]
        let json = Some(url_signature::strip(&data));
        json.and_then(|j| serde_json::from_slice(j).ok())
            .unwrap_or(AppError::Invalid(vec![]))
    }
}

impl AppError {
    /// The error in the body of a failed server function response, as the
    /// browser receives it.
    pub fn from_response_body(body: &[u8]) -> AppError {
        serde_json::from_slice(url_signature::strip(body)).unwrap_or(AppError::Internal)
    }
}

/// `<json>\n<hex hmac-sha256>`; compact JSON has no raw newline.
mod url_signature {
    pub fn strip(data: &[u8]) -> &[u8] {
        match data.iter().rposition(|b| *b == b'\n') {
            Some(i) => &data[..i],
            None => data,
        }
    }

    #[cfg(feature = "ssr")]
    use std::sync::OnceLock;

    #[cfg(feature = "ssr")]
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();

    /// Derives the signing key from the server's secret (so that every server
    /// of a city agrees). The first call wins; without one a random key is used.
    #[cfg(feature = "ssr")]
    pub fn set_key(secret: &[u8]) {
        let _ = KEY.set(mac(secret, b"zhuomu url errors"));
    }

    #[cfg(feature = "ssr")]
    fn key() -> &'static [u8] {
        KEY.get_or_init(|| {
            use rand::RngCore;
            let mut k = vec![0u8; 32];
            rand::rng().fill_bytes(&mut k);
            k
        })
    }

    #[cfg(feature = "ssr")]
    fn mac(key: &[u8], data: &[u8]) -> Vec<u8> {
        use hmac::{Hmac, Mac};
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        m.update(data);
        m.finalize().into_bytes().to_vec()
    }

    #[cfg(feature = "ssr")]
    pub fn sign(mut json: Vec<u8>) -> Vec<u8> {
        let sig = hex::encode(mac(key(), &json));
        json.push(b'\n');
        json.extend_from_slice(sig.as_bytes());
        json
    }

    #[cfg(feature = "ssr")]
    pub fn verify(data: &[u8]) -> Option<&[u8]> {
        use hmac::{Hmac, Mac};
        let i = data.iter().rposition(|b| *b == b'\n')?;
        let (json, sig) = (&data[..i], &data[i + 1..]);
        let sig = hex::decode(sig).ok()?;
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(key()).ok()?;
        m.update(json);
        m.verify_slice(&sig).ok()?;
        Some(json)
    }
}

#[cfg(feature = "ssr")]
pub use url_signature::set_key as set_url_error_key;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn only_signed_errors_decode_with_their_text() {
        let e = AppError::conflict("phone_taken", "该手机号已注册");
        assert_eq!(AppError::de(e.ser()), e);
        let forged =
            serde_json::to_vec(&AppError::conflict("x", "您的账号已冻结，请加QQ解冻")).unwrap();
        assert_eq!(
            AppError::de(forged.clone().into()),
            AppError::Invalid(vec![])
        );
        let mut tampered = e.ser().to_vec();
        tampered[20] ^= 1;
        assert_eq!(AppError::de(tampered.into()), AppError::Invalid(vec![]));
        let mut wrong_sig = forged;
        wrong_sig.extend_from_slice(b"\n00ff");
        assert_eq!(AppError::de(wrong_sig.into()), AppError::Invalid(vec![]));
    }

    #[test]
    fn the_browser_strips_the_signature() {
        let e = AppError::field("phone", "手机号应为11位数字");
        let bytes = e.ser();
        let back: AppError = serde_json::from_slice(url_signature::strip(&bytes)).unwrap();
        assert_eq!(back, e);
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
