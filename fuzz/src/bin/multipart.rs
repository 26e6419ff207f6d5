//! AFL target `multipart`: see `ips_emulator_fuzz::multipart`.

fn main() {
    // No panic hook: a panic the service catches on purpose (a codec's, in
    // `render::decode`) is not a finding; one that reaches here aborts.
    afl::fuzz_nohook!(|data: &[u8]| {
        if let Err(finding) = ips_emulator_fuzz::multipart(data) {
            panic!("{finding}");
        }
    });
}
