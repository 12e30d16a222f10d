//! City operations: what a 创城信箱 suggestion and its answer
//! may hold.

use super::clean_text;

/// A suggestion's title: 2–60 characters on one line.
pub fn suggestion_title(input: &str) -> Result<String, String> {
    let t = clean_text(input, 60, "请填写标题")?;
    if t.contains('\n') || t.chars().count() < 2 {
        return Err("标题应为2到60个字，写在一行".into());
    }
    Ok(t)
}

/// A suggestion: 10–2000 characters.
pub fn suggestion_body(input: &str) -> Result<String, String> {
    let t = clean_text(input, 2000, "请写下你的建议")?;
    if t.chars().count() < 10 {
        return Err("建议至少写10个字".into());
    }
    Ok(t)
}

/// The office's answer: 2–2000 characters.
pub fn answer(input: &str) -> Result<String, String> {
    let t = clean_text(input, 2000, "请填写答复")?;
    if t.chars().count() < 2 {
        return Err("答复至少写2个字".into());
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_and_answers() {
        assert!(suggestion_title(" 增设非机动车停放点 ").is_ok());
        assert!(suggestion_title("停").is_err());
        assert!(suggestion_title("两行\n标题").is_err());
        assert!(suggestion_body("建议在新华路口增设非机动车停放点").is_ok());
        assert!(suggestion_body("太乱了").is_err());
        assert!(suggestion_body(&"字".repeat(2001)).is_err());
        assert!(answer("已转交市城市管理执法局办理").is_ok());
        assert!(answer(" ").is_err());
    }
}
