//! Deal login: a deal ID and its password. Repeated failures lock that deal's login for a while.

use crate::error::{AppError, AppResult};
use crate::secrets;
use crate::transact;
use crate::App;
use axum::http::StatusCode;
use kessai_core::{DealId, Party};
use kessai_store::Registration;

/// Checks ID and password; on success returns the party's registration. Each attempt is
/// counted before the (slow) password check, so at most `max_login_failures` guesses are ever
/// checked before the login locks, however many arrive at once.
pub async fn login(app: &App, id_text: &str, password: &str) -> AppResult<Registration> {
    let id = DealId::parse(id_text)?;
    let reg = app
        .store
        .registration(&id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let now = app.clock.now().0;
    let max = app.config.max_login_failures;
    let attempt = transact!(*app, |tx| Ok(tx.count_login_attempt(&id, now).await?))?;
    let locked = |until_ms: i64| {
        let minutes = (until_ms - now + 59_999) / 60_000;
        AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "login_locked",
            format!("too many wrong passwords: this deal's login is locked for {minutes} more minute(s)"),
        )
        .with_field("password")
    };
    let lock_until = now + app.config.login_lock.as_millis() as i64;
    let attempt = match attempt {
        None => return Err(locked(reg.locked_until_ms)),
        // Guesses beyond the limit that were already under way when it was reached.
        Some(n) if n > max => return Err(locked(lock_until)),
        Some(n) => n,
    };
    if secrets::verify_password(password.to_string(), reg.password_hash.clone()).await? {
        transact!(*app, |tx| Ok(tx.reset_login_failures(&id).await?))?;
        return Ok(reg);
    }
    let left = max - attempt;
    let message = if left > 0 {
        format!("wrong password for this deal ID ({left} attempt(s) left before the login locks)")
    } else {
        transact!(*app, |tx| Ok(tx.lock_login(&id, lock_until).await?))?;
        "wrong password for this deal ID; the login is now locked".to_string()
    };
    Err(AppError::new(StatusCode::UNAUTHORIZED, "wrong_password", message).with_field("password"))
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
