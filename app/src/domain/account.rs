use serde::{Deserialize, Serialize};
use std::fmt;

/// A mainland China mobile number: 11 digits, starting 1[3-9]. Spaces, dashes
/// and a leading +86 / 86 are accepted on input and dropped.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

/// A number as people type it: without spaces, dashes and ideographic
/// spaces, and with a Chinese IME's full-width digits, `＋` and `＊` made
/// half-width.
fn half_width(input: &str) -> String {
    input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '＋' => '+',
            '＊' => '*',
            c => c,
        })
        .collect()
}

impl Phone {
    pub fn parse(input: &str) -> Result<Self, String> {
        let digits = half_width(input);
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| {
                // "86" + 11 digits; never strip from an 11-digit number.
                (digits.len() == 13)
                    .then(|| digits.strip_prefix("86"))
                    .flatten()
            })
            .unwrap_or(&digits);
        if digits.is_empty() {
            return Err("请输入手机号".into());
        }
        let bytes = digits.as_bytes();
        if bytes.len() != 11 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err("手机号应为11位数字".into());
        }
        if bytes[0] != b'1' || !(b'3'..=b'9').contains(&bytes[1]) {
            return Err("请输入有效的中国大陆手机号".into());
        }
        Ok(Self(digits.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****8000`: the only form of a phone number that leaves the server.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Debug for Phone {
    // Never print a whole phone number, not even in debug logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl TryFrom<String> for Phone {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

/// A password as typed: 8–128 characters and not one of the passwords that
/// credential-stuffing lists try first.
#[derive(Clone)]
pub struct Password(String);

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    pub fn parse(input: &str) -> Result<Self, String> {
        let n = input.chars().count();
        if n < Self::MIN {
            return Err(format!("密码至少{}个字符", Self::MIN));
        }
        if n > Self::MAX {
            return Err(format!("密码最多{}个字符", Self::MAX));
        }
        if is_common_password(input) {
            return Err("这个密码太常见，容易被猜中，请换一个".into());
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

fn is_common_password(input: &str) -> bool {
    let lower = input.to_lowercase();
    // One character repeated ("aaaaaaaa", "11111111") is as weak as any list entry.
    let mut chars = lower.chars();
    let first = chars.next();
    if first.is_some() && chars.all(|c| Some(c) == first) {
        return true;
    }
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == lower)
}

/// The name a person shows publicly: 1–20 characters, no control characters,
/// surrounding white space trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX: usize = 20;

    pub fn parse(input: &str) -> Result<Self, String> {
        let t = input.trim();
        if t.is_empty() {
            return Err("请输入昵称".into());
        }
        if t.chars().count() > Self::MAX {
            return Err(format!("昵称最多{}个字", Self::MAX));
        }
        if t.chars().any(|c| c.is_control() || matches!(c, '<' | '>')) {
            return Err("昵称不能包含特殊符号".into());
        }
        Ok(Self(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<DisplayName> for String {
    fn from(d: DisplayName) -> String {
        d.0
    }
}

/// What a person may do. Every role is also a citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Citizen,
    Moderator,
    UnitStaff,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Citizen, Role::Moderator, Role::UnitStaff, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Moderator => "moderator",
            Role::UnitStaff => "unit_staff",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Citizen => "市民",
            Role::Moderator => "创城办审核员",
            Role::UnitStaff => "责任单位人员",
            Role::Admin => "管理员",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| format!("未知角色：{}", s.trim()))
    }
}

/// A set of roles, always containing `citizen`. `unit_staff` needs a unit,
/// which the caller checks against the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles(Vec<Role>);

impl Roles {
    pub fn citizen() -> Self {
        Self(vec![Role::Citizen])
    }

    pub fn from_list<I: IntoIterator<Item = Role>>(roles: I) -> Self {
        let mut v: Vec<Role> = roles.into_iter().chain([Role::Citizen]).collect();
        v.sort();
        v.dedup();
        Self(v)
    }

    pub fn parse_list<'a, I: IntoIterator<Item = &'a str>>(items: I) -> Result<Self, String> {
        let roles = items
            .into_iter()
            .map(Role::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_list(roles))
    }

    /// The storage form: `citizen,moderator`.
    pub fn to_csv(&self) -> String {
        self.0
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn from_csv(s: &str) -> Self {
        // Stored values were written by `to_csv`; an unknown word is dropped
        // rather than granting anything.
        Self::from_list(s.split(',').filter_map(|r| Role::parse(r).ok()))
    }

    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    /// Admins can do everything a moderator can.
    pub fn can_moderate(&self) -> bool {
        self.has(Role::Moderator) || self.has(Role::Admin)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }
}

/// What an admin typed to find a person: a whole number, a masked number as
/// shown everywhere (`138****8000`), a run of digits, or part of a name.
/// Phone forms become a SQL `LIKE` pattern on the stored 11 digits; a name
/// becomes a substring pattern with `LIKE`'s wildcards escaped (`\`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserSearch {
    /// `LIKE` pattern over `users.phone`.
    Phone(String),
    /// `LIKE` pattern over `users.display_name`, escape character `\`.
    Name(String),
}

impl UserSearch {
    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let t = input.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if let Ok(p) = Phone::parse(t) {
            return Ok(Some(Self::Phone(p.as_str().to_owned())));
        }
        let compact = half_width(t);
        if compact.contains('*') {
            // 138****8000, also with fewer or more stars as people type them.
            let (head, tail) = compact
                .split_once('*')
                .map(|(h, rest)| (h, rest.trim_start_matches('*')))
                .unwrap_or_default();
            let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
            if head.len() == 3 && tail.len() == 4 && digits(head) && digits(tail) {
                return Ok(Some(Self::Phone(format!("{head}____{tail}"))));
            }
            return Err("手机号请按“138****8000”的样子输入".into());
        }
        if compact.chars().all(|c| c.is_ascii_digit()) {
            if compact.len() < 4 {
                return Err("按号码查找请至少输入4位数字".into());
            }
            if compact.len() > 11 {
                return Err("手机号最多11位".into());
            }
            return Ok(Some(Self::Phone(format!("%{compact}%"))));
        }
        if t.chars().count() > DisplayName::MAX {
            return Err(format!("昵称最多{}个字", DisplayName::MAX));
        }
        if t.chars().any(char::is_control) {
            return Err("不能包含控制字符".into());
        }
        let mut pattern = String::from("%");
        for c in t.chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        Ok(Some(Self::Name(pattern)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_accepts_mainland_mobiles_in_common_spellings() {
        for ok in [
            "13800138000",
            "+86 138 0013 8000",
            "8613800138000",
            "199-1234-5678",
            " 15012345678 ",
            "１３８００１３８０００",
        ] {
            let p = Phone::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(p.as_str().len(), 11);
        }
        assert_eq!(
            Phone::parse("+86 138 0013 8000").unwrap().as_str(),
            "13800138000"
        );
    }

    #[test]
    fn phone_rejects_everything_else() {
        for bad in [
            "",
            "1380013800",
            "138001380001",
            "12800138000",
            "23800138000",
            "1380013800a",
            "+1 13800138000",
            "010-12345678",
            "86138001380",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn phone_is_masked_in_debug_and_masked() {
        let p = Phone::parse("13800138000").unwrap();
        assert_eq!(p.masked(), "138****8000");
        assert!(!format!("{p:?}").contains("13800138000"));
    }

    #[test]
    fn password_length_and_common_list() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(Password::parse(&"xy".repeat(64)).is_ok());
        for common in [
            "12345678",
            "password",
            "Password",
            "qwertyui",
            "11111111",
            "woaini1314",
            "zzzzzzzzzz",
        ] {
            assert!(
                Password::parse(common).is_err(),
                "{common} should be rejected"
            );
        }
        assert!(Password::parse("雄关漫道真如铁").is_err(), "7 chars");
        assert!(Password::parse("雄关漫道真如铁2026").is_ok());
        assert!(!format!("{:?}", Password::parse("a-good-secret").unwrap()).contains("good"));
    }

    #[test]
    fn display_name_rules() {
        assert_eq!(DisplayName::parse("  张三 ").unwrap().as_str(), "张三");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"好".repeat(21)).is_err());
        assert!(DisplayName::parse(&"好".repeat(20)).is_ok());
        assert!(DisplayName::parse("a\u{0007}b").is_err());
        assert!(DisplayName::parse("<script>").is_err());
    }

    #[test]
    fn roles_always_include_citizen_and_round_trip() {
        let r = Roles::parse_list(["admin", "moderator"]).unwrap();
        assert_eq!(r.to_csv(), "citizen,moderator,admin");
        assert_eq!(Roles::from_csv(&r.to_csv()), r);
        assert!(r.can_moderate());
        assert!(Roles::parse_list(["root"]).is_err());
        assert_eq!(Roles::from_csv("citizen,root"), Roles::citizen());
    }
    #[test]
    fn user_search_reads_numbers_masks_and_names() {
        let p = |s: &str| UserSearch::parse(s).unwrap();
        assert_eq!(p("  "), None);
        assert_eq!(
            p("139 0000 0004"),
            Some(UserSearch::Phone("13900000004".into()))
        );
        assert_eq!(
            p("139****0004"),
            Some(UserSearch::Phone("139____0004".into()))
        );
        assert_eq!(
            p("139＊＊＊＊０００４"),
            Some(UserSearch::Phone("139____0004".into()))
        );
        assert_eq!(
            p("139**0004"),
            Some(UserSearch::Phone("139____0004".into()))
        );
        assert_eq!(p("0004"), Some(UserSearch::Phone("%0004%".into())));
        assert_eq!(p("张"), Some(UserSearch::Name("%张%".into())));
        assert_eq!(
            p("50%_off\\"),
            Some(UserSearch::Name("%50\\%\\_off\\\\%".into()))
        );
        for bad in ["12", "1391234567890", "13*0004", "abc****0004", "a\u{7}b"] {
            assert!(UserSearch::parse(bad).is_err(), "{bad} should be refused");
        }
        assert!(UserSearch::parse(&"名".repeat(21)).is_err());
    }
}
