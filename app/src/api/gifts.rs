//! The gift shop, my redemptions, the fulfilment console and admin gifts.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::models::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// The gift shop: what is on offer, and my balance when signed in.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Shop {
    pub gifts: Vec<crate::models::Gift>,
    pub balance: Option<i64>,
}

#[server(prefix = "/api/fn", endpoint = "shop")]
pub async fn gift_shop() -> Result<Shop, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let balance = match ssr::current_user().await? {
                Some(u) => Some(crate::backend::points::summary(&state, u.id).await?.balance),
                None => None,
            };
            Ok(Shop {
                gifts: crate::backend::gifts::list(&state, false).await?,
                balance,
            })
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "redeem")]
pub async fn redeem_gift(gift_id: i64) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let r = crate::backend::gifts::redeem(&ssr::state()?, &me, gift_id).await?;
            leptos_axum::redirect(&format!("/me/redemptions?new={}", r.id));
            Ok(())
        }
        .await,
    )
}

/// A redemption with its pickup code drawn as a QR code (SVG markup made on
/// the server). The QR code holds the fulfilment console's link for the
/// code, so staff may scan it with any camera app, or with the console.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RedemptionCard {
    pub redemption: crate::models::Redemption,
    pub qr_svg: String,
}

#[cfg(feature = "ssr")]
fn qr_svg(text: &str) -> String {
    use qrcode::render::svg;
    qrcode::QrCode::new(text.as_bytes())
        .map(|q| {
            q.render::<svg::Color>()
                .min_dimensions(180, 180)
                .quiet_zone(true)
                .build()
        })
        // Inline in HTML: the markup from `<svg` on, without the XML prolog.
        .map(|svg| {
            svg.find("<svg")
                .map(|i| svg[i..].to_owned())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

#[server(prefix = "/api/fn", endpoint = "my_redemptions")]
pub async fn my_redemptions() -> Result<Vec<RedemptionCard>, AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let state = ssr::state()?;
            let origin = crate::backend::auth::site_origin(&state.config, &ssr::parts()?.headers);
            Ok(crate::backend::gifts::mine(&state, &me)
                .await?
                .into_iter()
                .map(|r| RedemptionCard {
                    qr_svg: if r.status == "pending_pickup" {
                        qr_svg(&match &origin {
                            Some(o) => crate::domain::points::fulfil_link(o, &r.code),
                            None => r.code.clone(),
                        })
                    } else {
                        String::new()
                    },
                    redemption: r,
                })
                .collect())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "cancel_redemption")]
pub async fn cancel_redemption(id: i64) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::gifts::cancel(&ssr::state()?, &me, id).await?;
            leptos_axum::redirect("/me/redemptions?cancelled=1");
            Ok(())
        }
        .await,
    )
}

/// Staff: what a code is for (nothing asked yet: `None`).
#[server(prefix = "/api/fn", endpoint = "fulfil_lookup")]
pub async fn fulfil_lookup(
    code: Option<String>,
) -> Result<Option<crate::models::Redemption>, AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::gifts::require_fulfiller(&me)?;
            match code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                Some(c) => Ok(Some(
                    crate::backend::gifts::by_code(&ssr::state()?, &me, c).await?,
                )),
                None => Ok(None),
            }
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "fulfil")]
pub async fn fulfil_code(code: String) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let r = crate::backend::gifts::fulfil(&ssr::state()?, &me, &code).await?;
            leptos_axum::redirect(&format!("/manage/fulfil?code={}&done=1", r.code));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "admin_gifts")]
pub async fn admin_gifts() -> Result<Vec<crate::models::Gift>, AppError> {
    ssr::finish(
        async {
            ssr::require_user().await?.require_admin()?;
            crate::backend::gifts::list(&ssr::state()?, true).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "add_gift")]
pub async fn add_gift(
    name: String,
    description: Option<String>,
    cost: String,
    stock: String,
) -> Result<(), AppError> {
    use crate::backend::gifts::{self, GiftInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let number = |v: String, field: &str| {
                ssr::required_number::<i64>(field, &v, "请填写数字", "请填写数字")
            };
            let input = GiftInput {
                name,
                description,
                cost: number(cost, "cost")?,
                stock: number(stock, "stock")?,
            };
            gifts::create(
                &ssr::state()?,
                crate::backend::auth::Actor::Person(&me),
                input,
            )
            .await?;
            leptos_axum::redirect("/admin/gifts?saved=1");
            Ok(())
        }
        .await,
    )
}

/// Admin: restock and/or hide or show a gift.
#[server(prefix = "/api/fn", endpoint = "update_gift")]
pub async fn update_gift(
    id: i64,
    restock: Option<String>,
    hidden: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::gifts::{self, GiftUpdate};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let input = GiftUpdate {
                restock: ssr::form_number("restock", restock.as_deref(), "请填写数字")?,
                hidden: hidden.map(|h| h == "1"),
                cost: None,
            };
            gifts::update(&ssr::state()?, &me, id, input).await?;
            leptos_axum::redirect("/admin/gifts?saved=1");
            Ok(())
        }
        .await,
    )
}
