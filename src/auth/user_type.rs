//! IPS user types (`User/role`, later `defaultRole`).

use std::fmt;
use std::str::FromStr;

/// The ten user types IPS documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserType {
    /// System administrator: every company.
    IpsAdmin,
    /// Administrator of the companies they belong to.
    IpsCompanyAdmin,
    /// Ordinary IPS user.
    IpsUser,
    /// Web-service account (listed by IPS, authorized for no operation).
    WebServiceUser,
    /// Trial-site administrator.
    TrialSiteAdmin,
    /// Trial-site user.
    TrialSiteUser,
    /// Image Portal administrator.
    ImagePortalAdmin,
    /// Image Portal read-only user.
    ImagePortalUser,
    /// Image Portal contributor.
    ImagePortalContrib,
    /// Image Portal contributor user.
    ImagePortalContribUser,
}

impl UserType {
    /// Every user type, in the documented order.
    pub const ALL: [UserType; 10] = [
        UserType::IpsAdmin,
        UserType::IpsCompanyAdmin,
        UserType::IpsUser,
        UserType::WebServiceUser,
        UserType::TrialSiteAdmin,
        UserType::TrialSiteUser,
        UserType::ImagePortalAdmin,
        UserType::ImagePortalUser,
        UserType::ImagePortalContrib,
        UserType::ImagePortalContribUser,
    ];

    /// The name IPS uses on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::IpsAdmin => "IpsAdmin",
            UserType::IpsCompanyAdmin => "IpsCompanyAdmin",
            UserType::IpsUser => "IpsUser",
            UserType::WebServiceUser => "WebServiceUser",
            UserType::TrialSiteAdmin => "TrialSiteAdmin",
            UserType::TrialSiteUser => "TrialSiteUser",
            UserType::ImagePortalAdmin => "ImagePortalAdmin",
            UserType::ImagePortalUser => "ImagePortalUser",
            UserType::ImagePortalContrib => "ImagePortalContrib",
            UserType::ImagePortalContribUser => "ImagePortalContribUser",
        }
    }
}

impl fmt::Display for UserType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown user type name.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown user type {0:?}")]
pub struct UnknownUserType(pub String);

impl FromStr for UserType {
    type Err = UnknownUserType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UserType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownUserType(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in UserType::ALL {
            assert_eq!(t.as_str().parse::<UserType>(), Ok(t));
        }
        assert!("ipsadmin".parse::<UserType>().is_err(), "names are case-sensitive");
        assert!("".parse::<UserType>().is_err());
    }
}
