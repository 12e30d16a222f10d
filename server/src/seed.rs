//! `zhuomu seed`: loads a city from a JSON file through the same services
//! (and so the same validation) as the admin API. Every item is looked up by
//! its name first, so a second run adds nothing.

use std::collections::HashMap;
use std::path::Path;

use app::backend::AppState;
use app::backend::city::{self, AreaInput, CategoryInput, UnitInput};
use app::backend::users;
use app::domain::{DisplayName, Password, Phone, Roles};
use app::error::AppError;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct SeedFile {
    pub city: String,
    pub units: Vec<String>,
    pub categories: Vec<SeedCategory>,
    pub areas: Vec<SeedArea>,
    #[serde(default)]
    pub demo_users: Vec<SeedUser>,
    /// Volunteer duty posts at crossings.
    #[serde(default)]
    pub posts: Vec<app::backend::volunteer::PostInput>,
    /// The gift shop's catalogue.
    #[serde(default)]
    pub gifts: Vec<app::backend::gifts::GiftInput>,
    /// Shifts at every seeded post from today on, so the demo has a week
    /// to sign up for.
    pub shifts: Option<SeedShifts>,
    /// Who runs the portal (the footer of every page); set only where an
    /// admin has not set it already.
    pub portal: Option<SeedPortal>,
    /// 好人 campaigns, open from the day of seeding.
    #[serde(default)]
    pub campaigns: Vec<SeedCampaign>,
    /// Sections that later features load are kept in the file and ignored
    /// until their tables exist.
    #[serde(flatten)]
    pub later: HashMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct SeedPortal {
    pub office: String,
    pub hotline: String,
    pub filing: String,
}

/// A campaign whose windows start on the day of seeding: nominations for
/// `nomination_days`, voting from the same day for `voting_days`.
#[derive(Debug, Deserialize)]
pub struct SeedCampaign {
    /// `{year}` stands for the year of the day it is seeded.
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub votes_per_day: Option<i64>,
    pub min_account_age_hours: Option<i64>,
    #[serde(default = "default_nomination_days")]
    pub nomination_days: u64,
    #[serde(default = "default_voting_days")]
    pub voting_days: u64,
}

fn default_nomination_days() -> u64 {
    14
}

fn default_voting_days() -> u64 {
    21
}

#[derive(Debug, Deserialize)]
pub struct SeedCategory {
    pub name: String,
    pub points: i64,
    pub sla_days: i64,
    pub unit: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SeedArea {
    pub name: String,
    pub kind: String,
    pub unit: String,
    pub polygon: Option<Vec<Vec<[f64; 2]>>>,
    pub line: Option<Vec<[f64; 2]>>,
    pub buffer_m: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub struct SeedShifts {
    /// Days from today (city time), 1–31.
    pub days: u64,
    pub capacity: i64,
    /// Daily periods `07:00-09:00 …`; the four peaks when absent.
    pub periods: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SeedUser {
    pub phone: String,
    pub password: String,
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
    pub unit: Option<String>,
}

#[derive(Debug, Default)]
pub struct SeedReport {
    pub city: String,
    pub created: Vec<(&'static str, usize)>,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .created
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        write!(f, "seeded {}: created {}", self.city, parts.join(", "))
    }
}

fn seed_error(what: &str, name: &str, e: AppError) -> anyhow::Error {
    let detail = e.field_detail();
    anyhow::anyhow!("{what} {name}: {e}{detail}")
}

pub async fn load(state: &AppState, path: &Path, demo_users: bool) -> anyhow::Result<SeedReport> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let file: SeedFile = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a valid seed file: {e}", path.display()))?;
    load_file(state, file, demo_users).await
}

pub async fn load_file(
    state: &AppState,
    file: SeedFile,
    demo_users: bool,
) -> anyhow::Result<SeedReport> {
    let mut report = SeedReport {
        city: file.city.clone(),
        ..Default::default()
    };

    let mut units: HashMap<String, i64> = city::list_units(state)
        .await?
        .into_iter()
        .map(|u| (u.name, u.id))
        .collect();
    let mut n = 0;
    for name in &file.units {
        if !units.contains_key(name) {
            let u = city::create_unit(
                state,
                app::backend::auth::Actor::System,
                UnitInput { name: name.clone() },
            )
            .await
            .map_err(|e| seed_error("unit", name, e))?;
            units.insert(u.name, u.id);
            n += 1;
        }
    }
    report.created.push(("units", n));

    if let Some(p) = &file.portal {
        let input = city::PortalInput {
            city: file.city.clone(),
            office: p.office.clone(),
            hotline: p.hotline.clone(),
            filing: p.filing.clone(),
        };
        city::set_portal(state, app::backend::auth::Actor::System, input, true)
            .await
            .map_err(|e| seed_error("portal", &p.office, e))?;
    }
    let unit = |name: &str| {
        units
            .get(name)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("unknown unit {name}"))
    };

    let existing: Vec<String> = city::list_categories(state)
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    let mut n = 0;
    for c in &file.categories {
        if existing.contains(&c.name) {
            continue;
        }
        let unit_id = c.unit.as_deref().map(unit).transpose()?;
        let input = CategoryInput {
            name: c.name.clone(),
            points: c.points,
            sla_days: c.sla_days,
            unit_id,
        };
        city::create_category(state, app::backend::auth::Actor::System, input)
            .await
            .map_err(|e| seed_error("category", &c.name, e))?;
        n += 1;
    }
    report.created.push(("categories", n));

    let existing: Vec<(String, String)> = city::list_areas(state)
        .await?
        .into_iter()
        .map(|a| (a.kind.as_str().to_owned(), a.name))
        .collect();
    let mut n = 0;
    for a in &file.areas {
        if existing.contains(&(a.kind.clone(), a.name.clone())) {
            continue;
        }
        let input = AreaInput {
            name: a.name.clone(),
            kind: a.kind.clone(),
            unit_id: unit(&a.unit)?,
            polygon: a.polygon.clone(),
            line: a.line.clone(),
            buffer_m: a.buffer_m,
        };
        city::create_area(state, app::backend::auth::Actor::System, input)
            .await
            .map_err(|e| seed_error("area", &a.name, e))?;
        n += 1;
    }
    report.created.push(("areas", n));

    let existing: Vec<String> = app::backend::volunteer::list_posts(state)
        .await?
        .into_iter()
        .map(|p| p.name)
        .collect();
    let mut n = 0;
    for p in &file.posts {
        if existing.contains(&p.name) {
            continue;
        }
        app::backend::volunteer::create_post(state, app::backend::auth::Actor::System, p.clone())
            .await
            .map_err(|e| seed_error("post", &p.name, e))?;
        n += 1;
    }
    report.created.push(("posts", n));

    let existing: Vec<String> = app::backend::gifts::list(state, true)
        .await?
        .into_iter()
        .map(|g| g.name)
        .collect();
    let mut n = 0;
    for g in &file.gifts {
        if existing.contains(&g.name) {
            continue;
        }
        app::backend::gifts::create(state, app::backend::auth::Actor::System, g.clone())
            .await
            .map_err(|e| seed_error("gift", &g.name, e))?;
        n += 1;
    }
    report.created.push(("gifts", n));

    let existing: Vec<String> = app::backend::campaigns::list(state)
        .await?
        .into_iter()
        .map(|c| c.title)
        .collect();
    let mut n = 0;
    let today = state.clock.today()?;
    for c in &file.campaigns {
        // "{year}年度…": the year of the day it is seeded.
        let title = c.title.replace("{year}", &today.format("%Y").to_string());
        if existing.contains(&title) {
            continue;
        }
        let at = |days: u64| {
            let day = today + chrono::Days::new(days);
            state
                .clock
                .day_start(day)
                .map(|ms| state.clock.rfc3339(ms))
                .ok_or_else(|| anyhow::anyhow!("campaign {title}: no such day"))
        };
        let input = app::backend::campaigns::CampaignInput {
            title: Some(title.clone()),
            description: c.description.clone(),
            nomination_starts_at: Some(at(0)?),
            nomination_ends_at: Some(at(c.nomination_days.max(1))?),
            voting_starts_at: Some(at(0)?),
            voting_ends_at: Some(at(c.voting_days.max(c.nomination_days).max(1))?),
            votes_per_day: c.votes_per_day,
            min_account_age_hours: c.min_account_age_hours,
        };
        app::backend::campaigns::create(state, app::backend::auth::Actor::System, input)
            .await
            .map_err(|e| seed_error("campaign", &title, e))?;
        n += 1;
    }
    report.created.push(("campaigns", n));

    if let Some(plan) = &file.shifts {
        use app::backend::volunteer::{self, PeriodInput, ScheduleInput};
        let periods = app::domain::volunteer::periods_text(
            plan.periods
                .as_deref()
                .unwrap_or(&app::domain::volunteer::peak_periods_text()),
        )
        .map_err(|e| anyhow::anyhow!("shifts: {e}"))?;
        let today = state.clock.today()?;
        let last = today + chrono::Days::new(plan.days.clamp(1, 31) - 1);
        let mut n = 0;
        for post in volunteer::list_posts(state).await? {
            if !file.posts.iter().any(|p| p.name == post.name) {
                continue;
            }
            let input = ScheduleInput {
                from_date: today.format("%Y-%m-%d").to_string(),
                to_date: last.format("%Y-%m-%d").to_string(),
                periods: periods
                    .iter()
                    .map(|(start, end)| PeriodInput {
                        start: start.clone(),
                        end: end.clone(),
                    })
                    .collect(),
                capacity: plan.capacity,
            };
            n += volunteer::schedule(state, app::backend::auth::Actor::System, post.id, input)
                .await
                .map_err(|e| seed_error("shifts", &post.name, e))?
                .created;
        }
        report.created.push(("shifts", n as usize));
    }

    if demo_users {
        let mut n = 0;
        for u in &file.demo_users {
            let phone =
                Phone::parse(&u.phone).map_err(|e| anyhow::anyhow!("user {}: {e}", u.phone))?;
            if users::find_by_phone(state, &phone).await?.is_some() {
                continue;
            }
            let password = Password::parse(&u.password)
                .map_err(|e| anyhow::anyhow!("user {}: {e}", u.name))?;
            let name =
                DisplayName::parse(&u.name).map_err(|e| anyhow::anyhow!("user {}: {e}", u.name))?;
            let roles = Roles::parse_list(u.roles.iter().map(String::as_str))
                .map_err(|e| anyhow::anyhow!("user {}: {e}", u.name))?;
            let unit_id = u.unit.as_deref().map(unit).transpose()?;
            users::create(state, &phone, &password, &name, &roles, unit_id)
                .await
                .map_err(|e| seed_error("user", &u.name, e))?;
            n += 1;
        }
        report.created.push(("demo users", n));
    }
    Ok(report)
}
