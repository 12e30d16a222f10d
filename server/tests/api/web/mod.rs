//! The web app's pages and forms, as a browser without JavaScript meets them.

mod accounts;
mod campaigns;
mod city;
mod dashboard;
mod markup;
mod ops;
mod points;
mod reports;
mod volunteer;

use reqwest::{Method, StatusCode, header};

use crate::both;
use crate::helpers::{Engine, TestApp};

fn form_post(
    app: &TestApp,
    path: &str,
    referer: &str,
    body: &str,
    cookie: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut r = app
        .request(Method::POST, path, None)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::ORIGIN, &app.addr)
        .header(header::REFERER, app.url(referer))
        .body(body.to_owned());
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r
}

/// A page as a browser gets it, signed in with `token`'s session cookie
/// or not at all.
/// (The request is built at once, so the answer borrows only `app`.)
fn page<'a>(
    app: &'a TestApp,
    path: &str,
    token: Option<&str>,
) -> impl std::future::Future<Output = crate::helpers::Resp> + use<'a> {
    let mut r = app.request(Method::GET, path, None);
    if let Some(t) = token {
        r = r.header(header::COOKIE, format!("zhuomu_session={t}"));
    }
    app.send(r)
}

fn session(resp: &crate::helpers::Resp) -> String {
    resp.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("zhuomu_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// A plain-form login with a wrong password comes back to /login saying so.
async fn assert_wrong_password_shows_on_the_login_page(app: &TestApp) {
    let wrong = app
        .send(form_post(
            app,
            "/api/fn/login",
            "/login",
            "phone=13800138000&password=wrong-one&next=",
            None,
        ))
        .await;
    assert_eq!(wrong.status, StatusCode::FOUND);
    let back = wrong.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(back.contains("/login?"), "{back}");
    let page = app.get(back.trim_start_matches(&app.addr), None).await;
    assert!(page.text.contains("手机号或密码错误"));
}

/// A browser without JavaScript: pages with a session cookie, plain forms
/// that come back with a redirect.
struct Plain<'a>(&'a TestApp);

impl Plain<'_> {
    async fn page(&self, path: impl AsRef<str>, token: Option<&str>) -> crate::helpers::Resp {
        let mut r = self.0.request(Method::GET, path.as_ref(), None);
        if let Some(t) = token {
            r = r.header(header::COOKIE, format!("zhuomu_session={t}"));
        }
        self.0.send(r).await
    }

    async fn form(
        &self,
        path: &str,
        referer: impl AsRef<str>,
        body: impl AsRef<str>,
        token: &str,
    ) -> crate::helpers::Resp {
        let cookie = format!("zhuomu_session={token}");
        self.0
            .send(form_post(
                self.0,
                path,
                referer.as_ref(),
                body.as_ref(),
                Some(&cookie),
            ))
            .await
    }

    /// Where a form's redirect goes (a path on this site).
    fn location(&self, r: &crate::helpers::Resp) -> String {
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
        r.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .trim_start_matches(&self.0.addr)
            .to_owned()
    }
}
