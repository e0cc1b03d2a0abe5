//! Deal login: a deal ID and its password. Repeated failures lock that deal's login for a while.

use crate::error::{AppError, AppResult};
use crate::secrets;
use crate::transact;
use crate::App;
use axum::http::StatusCode;
use kessai_core::{DealId, Party};
use kessai_store::Registration;

/// Checks ID and password; on success returns the party's registration.
pub async fn login(app: &App, id_text: &str, password: &str) -> AppResult<Registration> {
    let id = DealId::parse(id_text)?;
    let reg = app
        .store
        .registration(&id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let now = app.clock.now().0;
    if reg.locked_until_ms > now {
        let minutes = (reg.locked_until_ms - now + 59_999) / 60_000;
        return Err(AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "login_locked",
            format!("too many wrong passwords: this deal's login is locked for {minutes} more minute(s)"),
        )
        .with_field("password"));
    }
    if !secrets::verify_password(password.to_string(), reg.password_hash.clone()).await? {
        let max = app.config.max_login_failures;
        let lock_until = now + app.config.login_lock.as_millis() as i64;
        let failures = transact!(*app, |tx| Ok(tx
            .record_login_failure(&id, max, lock_until)
            .await?))?;
        let left = max - failures;
        let message = if left > 0 {
            format!(
                "wrong password for this deal ID ({left} attempt(s) left before the login locks)"
            )
        } else {
            "wrong password for this deal ID; the login is now locked".to_string()
        };
        return Err(
            AppError::new(StatusCode::UNAUTHORIZED, "wrong_password", message)
                .with_field("password"),
        );
    }
    if reg.failed_logins > 0 {
        transact!(*app, |tx| Ok(tx.reset_login_failures(&id).await?))?;
    }
    Ok(reg)
}

/// Refuses a step meant for the other party, without saying more about the deal.
pub fn require_role(reg: &Registration, role: Party, step: &str) -> AppResult<()> {
    if reg.role != role {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "wrong_party",
            format!(
                "only the {} can {step}; this is the {}'s deal ID",
                role.as_str(),
                reg.role.as_str()
            ),
        )
        .with_field("deal_id"));
    }
    Ok(())
}
