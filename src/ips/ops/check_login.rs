//! `checkLogin`: whether an e-mail and password are a valid login, and,
//! with a company handle, one that reaches that company. A wrong password
//! is an answer (`InvalidLogin`) here, not a fault.

use crate::auth::{self, Credentials, UserType};
use crate::catalog;
use crate::handles::CompanyHandle;
use crate::ips::contract::prelude::*;
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, EVERYONE};

/// `checkLogin`.
pub static OPERATION: Operation = Operation {
    name: "checkLogin",
    since: Pre40,
    users: EVERYONE,
    param: &[
        opt("companyHandle", STRING),
        req("email", STRING),
        req("password", STRING),
    ],
    aliases: &[],
    ret: &[req("status", STRING)],
    handler: handler!(check_login),
};

fn status(valid: bool) -> Record {
    Record::new().with("status", if valid { "ValidLogin" } else { "InvalidLogin" })
}

async fn check_login(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let creds = Credentials {
        user: p.required("email")?,
        password: p.required("password")?,
    };
    let login = match call.state.auth.authenticate(Some(creds)).await {
        Ok(login) => login,
        Err(auth::Error::InvalidCredentials | auth::Error::NoCredentials) => return Ok(status(false)),
        Err(other) => return Err(other.into()),
    };
    let Some(raw) = p.text("companyHandle") else {
        return Ok(status(true));
    };
    // With a company, the login must also reach it: as a member, or as an
    // IpsAdmin (who reaches every company that exists). A handle that names
    // no company is one the login does not belong to.
    let valid = match CompanyHandle::parse(raw) {
        None => false,
        Some(h) if login.companies.contains(&h.0) => true,
        Some(h) if login.user_type == UserType::IpsAdmin => match call.state.catalog.company(h.0).await {
            Ok(_) => true,
            Err(catalog::Error::CompanyNotFound) => false,
            Err(e) => return Err(e.into()),
        },
        Some(_) => false,
    };
    Ok(status(valid))
}
