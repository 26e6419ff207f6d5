//! Who the caller is and what they belong to: `checkLogin`,
//! `getCompanyInfo`, `getUserInfo`.

use std::sync::Arc;

use crate::app::AppState;
use crate::auth::Principal;
use crate::handles::CompanyHandle;

use super::{Error, Reply};

/// `checkLoginParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckLogin {
    /// `companyHandle`: when given, the login must also belong to it.
    pub company: Option<String>,
    /// `email`.
    pub email: String,
    /// `password`.
    pub password: String,
}

/// `getCompanyInfoParam`: one of the two is required.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetCompanyInfo {
    /// `companyHandle`.
    pub company: Option<String>,
    /// `companyName`.
    pub company_name: Option<String>,
}

/// `getUserInfoParam`: neither means the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetUserInfo {
    /// `userHandle` (`u|<id>|<email>`).
    pub user: Option<String>,
    /// `email`.
    pub email: Option<String>,
}

/// A company as `Company` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanyInfo {
    /// `companyHandle`.
    pub handle: CompanyHandle,
    /// `name`.
    pub name: String,
    /// `rootPath`, ending in `/`.
    pub root_path: String,
}

/// A user as `User` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    /// Row id (the number in the handle).
    pub id: i64,
    /// Login e-mail.
    pub email: String,
    /// `firstName`.
    pub first_name: String,
    /// `lastName`.
    pub last_name: String,
    /// The IPS user type name (`role`, later `defaultRole`).
    pub user_type: String,
}

impl UserInfo {
    /// `u|<id>|<email>`, the 2008-era user handle.
    pub fn handle(&self) -> String {
        format!("u|{}|{}", self.id, self.email)
    }
}

pub(super) async fn check_login(
    _state: &Arc<AppState>,
    _principal: &Principal,
    _req: CheckLogin,
) -> Result<Reply, Error> {
    Err(Error::InvalidParameter("checkLogin: not built yet".into()))
}

pub(super) async fn get_company_info(
    _state: &Arc<AppState>,
    _principal: &Principal,
    _req: GetCompanyInfo,
) -> Result<Reply, Error> {
    Err(Error::InvalidParameter("getCompanyInfo: not built yet".into()))
}

pub(super) async fn get_user_info(
    _state: &Arc<AppState>,
    _principal: &Principal,
    _req: GetUserInfo,
) -> Result<Reply, Error> {
    Err(Error::InvalidParameter("getUserInfo: not built yet".into()))
}
