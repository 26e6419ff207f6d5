//! Commands that change nothing in a stored copy (`req=img`, `id`, `cache`,
//! `iccEmbed=0`, `pscan`, `dpr`/`bfc`/`network=off`): each is validated, and
//! any value that would change the reply is refused as not emulated.

use super::{Cmd, Parser, Res};
use crate::render::modifier::tables::{CACHE_MODES, PSCANS};
use crate::render::modifier::values::{boolean, keyword};

impl Parser {
    /// `req=img` is what a copy does anyway; every other request type
    /// returns something other than the image.
    pub(super) fn req(&mut self, c: &Cmd<'_>) -> Res {
        if c.value.eq_ignore_ascii_case("img") {
            Ok(())
        } else {
            Err(c.unsupported_value())
        }
    }

    /// Image Serving: "Always ignored by the server".
    pub(super) fn id(&mut self, _c: &Cmd<'_>) -> Res {
        Ok(())
    }

    /// Caching does not apply to a stored copy; validated, then ignored.
    pub(super) fn cache(&mut self, c: &Cmd<'_>) -> Res {
        for f in c.fields(1, 2, "on|off|validate|update[,on|off|validate|update]")? {
            c.check(keyword("value", f, CACHE_MODES))?;
        }
        Ok(())
    }

    /// Without ICC support there is no profile to embed, so only "off" can
    /// be honoured.
    pub(super) fn icc_embed(&mut self, c: &Cmd<'_>) -> Res {
        if c.check(boolean("value", c.value))? {
            return Err(c.unsupported_value());
        }
        Ok(())
    }

    /// The scan count is an encoder detail of progressive JPEG; validated,
    /// then ignored.
    pub(super) fn pscan(&mut self, c: &Cmd<'_>) -> Res {
        c.check(keyword("value", c.value, PSCANS))?;
        Ok(())
    }

    /// `dpr`, `bfc` and `network` (Smart Imaging): "off", their default, is
    /// a no-op; turning them on would change the reply, which is not
    /// emulated.
    pub(super) fn off_only(&mut self, c: &Cmd<'_>) -> Res {
        if c.value.eq_ignore_ascii_case("off") {
            return Ok(());
        }
        let first = c.value.split(',').next().unwrap_or_default();
        if first.eq_ignore_ascii_case("on") {
            return Err(c.unsupported_value());
        }
        Err(c.invalid("expected off"))
    }
}

#[cfg(test)]
mod tests {
    use crate::render::modifier::testing::*;
    use crate::render::modifier::Modifier;

    #[test]
    fn accepted_and_ignored_commands() {
        let m = ok(concat!(
            "req=IMG&id=anything,at%20all&cache=off&cache=on,validate&iccEmbed=false",
            "&pscan=4&pscan=AUTO&dpr=off&bfc=OFF&network=off"
        ));
        assert_eq!(m, Modifier::default());
        assert_eq!(ok("id=&wid=3").wid, Some(3));
    }

    #[test]
    fn refused_values_of_ignored_commands() {
        unsupported("req=mask", "req=mask");
        unsupported("req=props", "req=props");
        invalid("cache=sometimes", "cache");
        invalid("cache=on,off,on", "cache");
        unsupported("iccEmbed=1", "iccEmbed=1");
        unsupported("iccEmbed=true", "iccEmbed=true");
        invalid("iccEmbed=yes", "iccEmbed");
        invalid("pscan=6", "pscan");
        unsupported("dpr=on,2", "dpr=on,2");
        unsupported("bfc=on", "bfc=on");
        invalid("network=1", "network");
        invalid("dpr=2", "dpr");
    }
}
