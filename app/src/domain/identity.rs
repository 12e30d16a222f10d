//! Identity rules: SMS codes (what they are, how long they live, how often
//! they may be sent) and the consent a registration needs.

use serde::{Deserialize, Serialize};

use super::time::{DAY_MS, MINUTE_MS};

/// A code lives 5 minutes, is used once and may be tried 5 times.
pub const CODE_TTL_MS: i64 = 5 * MINUTE_MS;
pub const CODE_TRIES: i64 = 5;
/// Per number: one code a minute and 10 a day (always on).
pub const RESEND_AFTER_MS: i64 = MINUTE_MS;
pub const CODES_PER_DAY: i64 = 10;
/// Per client address (with `ZHUOMU_RATE_LIMITS`): 30 codes an hour.
pub const CODES_PER_ADDRESS_HOUR: i64 = 30;
/// The city-wide daily ceiling when the admin has set none.
pub const DEFAULT_DAILY_CEILING: i64 = 5_000;
/// Codes, used or not, are kept this long (then purged by the sweep).
pub const CODE_RETENTION_MS: i64 = 30 * DAY_MS;

/// Retention (the background sweep): failed-login rows and used or
/// expired codes are kept 30 days, voter addresses 30 days after voting
/// ends. (Check-ins keep times, not positions; the audit log is kept at
/// least 180 days, 网络安全法, and never purged by the sweep.)
pub const LOGIN_RETENTION_MS: i64 = 30 * DAY_MS;
pub const VOTER_ADDRESS_RETENTION_MS: i64 = 30 * DAY_MS;

/// The name of an erased account, wherever its public record stays.
pub const ERASED_NAME: &str = "已注销用户";

/// The name a public board shows: the nickname when the person chose to
/// show it, else 市民 and its first character (市民张*).
pub fn public_name(display_name: &str, shown: bool) -> String {
    if shown {
        return display_name.to_owned();
    }
    match display_name.chars().next() {
        Some(c) => format!("市民{c}*"),
        None => "市民".to_owned(),
    }
}

/// What a code is for: each code opens only its own door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    Register,
    Login,
    Reset,
    Delete,
}

impl CodePurpose {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "register" => Ok(Self::Register),
            "login" => Ok(Self::Login),
            "reset" => Ok(Self::Reset),
            "delete" => Ok(Self::Delete),
            _ => Err("用途应为 register、login、reset 或 delete".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Login => "login",
            Self::Reset => "reset",
            Self::Delete => "delete",
        }
    }

    /// The text of the message (the code is put in by the sender).
    pub fn message(self, code: &str) -> String {
        let what = match self {
            Self::Register => "注册",
            Self::Login => "登录",
            Self::Reset => "重置密码",
            Self::Delete => "注销账号",
        };
        format!("【啄木】您正在{what}，验证码{code}，5分钟内有效。如非本人操作，请忽略本短信。")
    }
}

/// Six digits as typed (spaces around them are forgiven).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsCode(String);

impl SmsCode {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(SmsCode(s.to_owned()))
        } else {
            Err("请输入6位数字验证码".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The registration's "I agree": only `true` is consent.
pub fn consent(agree: Option<bool>) -> Result<(), String> {
    match agree {
        Some(true) => Ok(()),
        _ => Err("请阅读并同意隐私政策".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(SmsCode::parse(" 012345 ").unwrap().as_str(), "012345");
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６", "12 345"] {
            assert!(SmsCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn purposes_round_trip() {
        for p in ["register", "login", "reset", "delete"] {
            assert_eq!(CodePurpose::parse(p).unwrap().as_str(), p);
        }
        assert!(CodePurpose::parse("admin").is_err());
        assert!(CodePurpose::Login.message("123456").contains("123456"));
    }

    #[test]
    fn boards_mask_names_unless_shown() {
        assert_eq!(public_name("张三丰", false), "市民张*");
        assert_eq!(public_name("张三丰", true), "张三丰");
        assert_eq!(public_name("Ann", false), "市民A*");
        assert_eq!(public_name("", false), "市民");
    }

    #[test]
    fn only_true_is_consent() {
        assert!(consent(Some(true)).is_ok());
        assert!(consent(Some(false)).is_err());
        assert!(consent(None).is_err());
    }
}
