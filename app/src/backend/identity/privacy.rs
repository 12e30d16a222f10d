//! The privacy policy: a Markdown file the city can edit
//! (`ZHUOMU_PRIVACY_FILE`, else the built-in `seeds/privacy.md`), with its
//! version and date in a front matter:
//!
//! ```text
//! ---
//! version: 2026-12-01
//! updated_at: 2026-12-01
//! ---
//! # 啄木隐私政策 …
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

const BUILT_IN: &str = include_str!("../../../../seeds/privacy.md");

/// `GET /api/v1/privacy`: which version is current, and where to read it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PolicyVersion {
    pub version: String,
    pub updated_at: String,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub version: String,
    pub updated_at: String,
    /// The text, Markdown.
    pub body: String,
}

impl Policy {
    /// The city's file, or the built-in policy when none is given.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Policy> {
        match file {
            None => Policy::parse(BUILT_IN),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                Policy::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
            }
        }
    }

    pub fn parse(text: &str) -> anyhow::Result<Policy> {
        let rest = text
            .trim_start_matches('\u{feff}')
            .strip_prefix("---\n")
            .ok_or_else(|| anyhow::anyhow!("the policy starts with a --- front matter"))?;
        let (head, body) = rest
            .split_once("\n---\n")
            .ok_or_else(|| anyhow::anyhow!("the front matter ends with a --- line"))?;
        let field = |name: &str| {
            head.lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.trim() == name)
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| anyhow::anyhow!("the front matter needs `{name}:`"))
        };
        Ok(Policy {
            version: field("version")?,
            updated_at: field("updated_at")?,
            body: body.trim().to_owned(),
        })
    }

    pub fn summary(&self) -> PolicyVersion {
        PolicyVersion {
            version: self.version.clone(),
            updated_at: self.updated_at.clone(),
            url: "/privacy".into(),
        }
    }

    /// The text as HTML; HTML written into the file is shown as text, never
    /// run.
    pub fn html(&self) -> String {
        use pulldown_cmark::{Event, Parser, html};
        let events = Parser::new(&self.body).map(|e| match e {
            Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
            e => e,
        });
        let mut out = String::new();
        html::push_html(&mut out, events);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_policy_parses() {
        let p = Policy::load(None).unwrap();
        assert!(!p.version.is_empty());
        assert!(p.html().contains("<h1>啄木隐私政策</h1>"));
    }

    #[test]
    fn front_matter_is_required_and_markup_stays_text() {
        assert!(Policy::parse("# no front matter").is_err());
        assert!(Policy::parse("---\nversion: 1\n---\nx").is_err());
        let p = Policy::parse(
            "---\nversion: v2\nupdated_at: 2027-01-01\n---\nhi <script>alert(1)</script>",
        )
        .unwrap();
        assert_eq!(p.version, "v2");
        assert!(!p.html().contains("<script>"), "{}", p.html());
    }
}
