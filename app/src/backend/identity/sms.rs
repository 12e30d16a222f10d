//! The one way SMS leave the portal, chosen by `ZHUOMU_SMS`:
//! - `log` (default): the log says a message went to the masked number,
//!   never the code;
//! - `outbox:PATH`: one JSON line per message (tests and demos read it);
//! - `http:URL`: the same JSON POSTed to the city's gateway adapter, with a
//!   timeout; anything but a 2xx answer is 503 `sms_unavailable`.

use std::path::PathBuf;
use std::time::Duration;

use rand::Rng;
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use crate::domain::Phone;
use crate::domain::identity::CodePurpose;
use crate::error::AppError;

const GATEWAY_TIMEOUT: Duration = Duration::from_secs(5);

/// `{"to", "purpose", "code", "text", "at"}`: the outbox line and the
/// gateway's request body.
#[derive(Debug, Clone, Serialize)]
pub struct SmsMessage {
    pub to: String,
    pub purpose: CodePurpose,
    pub code: String,
    pub text: String,
    pub at: String,
}

impl SmsMessage {
    pub fn new(to: &Phone, purpose: CodePurpose, code: &str, at: String) -> Self {
        SmsMessage {
            to: to.as_str().to_owned(),
            purpose,
            code: code.to_owned(),
            text: purpose.message(code),
            at,
        }
    }
}

/// Six random digits.
pub fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

#[derive(Debug, Clone)]
pub enum SmsSender {
    Log,
    Outbox(PathBuf),
    Http {
        url: String,
        client: reqwest::Client,
    },
}

impl SmsSender {
    /// `log`, `outbox:PATH` or `http:URL` (`http:https://…` for TLS).
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() || s == "log" {
            return Ok(SmsSender::Log);
        }
        if let Some(path) = s.strip_prefix("outbox:") {
            if path.is_empty() {
                return Err("ZHUOMU_SMS=outbox:PATH needs a path".into());
            }
            return Ok(SmsSender::Outbox(PathBuf::from(path)));
        }
        if let Some(url) = s.strip_prefix("http:") {
            let url = if url.starts_with("//") {
                format!("http:{url}")
            } else {
                url.to_owned()
            };
            reqwest::Url::parse(&url).map_err(|e| format!("ZHUOMU_SMS=http:URL: {e}"))?;
            let client = reqwest::Client::builder()
                .timeout(GATEWAY_TIMEOUT)
                .build()
                .map_err(|e| e.to_string())?;
            return Ok(SmsSender::Http { url, client });
        }
        Err(format!(
            "ZHUOMU_SMS must be log, outbox:PATH or http:URL, not {s:?}"
        ))
    }

    /// Where a person trying the demo finds their code, if anywhere.
    pub fn outbox(&self) -> Option<&std::path::Path> {
        match self {
            SmsSender::Outbox(p) => Some(p),
            _ => None,
        }
    }

    pub async fn send(&self, m: &SmsMessage) -> Result<(), AppError> {
        let masked = Phone::parse(&m.to).map(|p| p.masked()).unwrap_or_default();
        match self {
            SmsSender::Log => {
                tracing::info!(to = %masked, purpose = m.purpose.as_str(), "SMS code sent (log sender)");
                Ok(())
            }
            SmsSender::Outbox(path) => {
                let mut line = serde_json::to_vec(m).map_err(|_| AppError::Internal)?;
                line.push(b'\n');
                // One write of one line with O_APPEND: lines from several
                // requests never interleave.
                let mut file = tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .await
                    .map_err(|e| {
                        tracing::error!(error = %e, "cannot open the SMS outbox");
                        AppError::SmsUnavailable
                    })?;
                // tokio writes in the background: flush, so the line is
                // there when the answer leaves.
                let written = async {
                    file.write_all(&line).await?;
                    file.flush().await
                };
                written.await.map_err(|e| {
                    tracing::error!(error = %e, "cannot write the SMS outbox");
                    AppError::SmsUnavailable
                })?;
                tracing::info!(to = %masked, purpose = m.purpose.as_str(), "SMS code written to the outbox");
                Ok(())
            }
            SmsSender::Http { url, client } => {
                let body = serde_json::to_vec(m).map_err(|_| AppError::Internal)?;
                let answer = client
                    .post(url)
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .body(body)
                    .send()
                    .await;
                match answer {
                    Ok(r) if r.status().is_success() => {
                        tracing::info!(to = %masked, purpose = m.purpose.as_str(), "SMS code sent");
                        Ok(())
                    }
                    Ok(r) => {
                        tracing::error!(status = %r.status(), "the SMS gateway refused a message");
                        Err(AppError::SmsUnavailable)
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "the SMS gateway did not answer");
                        Err(AppError::SmsUnavailable)
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_parse() {
        assert!(matches!(SmsSender::parse("log"), Ok(SmsSender::Log)));
        assert!(matches!(SmsSender::parse(""), Ok(SmsSender::Log)));
        assert!(matches!(
            SmsSender::parse("outbox:/tmp/x.jsonl"),
            Ok(SmsSender::Outbox(_))
        ));
        assert!(matches!(
            SmsSender::parse("http:http://127.0.0.1:9/sms"),
            Ok(SmsSender::Http { .. })
        ));
        // `http:` followed by the URL; a bare http:// URL reads the same.
        assert!(matches!(
            SmsSender::parse("http://127.0.0.1:9/sms"),
            Ok(SmsSender::Http { .. })
        ));
        assert!(SmsSender::parse("http:not a url").is_err());
        assert!(SmsSender::parse("outbox:").is_err());
        assert!(SmsSender::parse("carrier-pigeon").is_err());
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
