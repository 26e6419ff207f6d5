//! AFL target `modifier`: see `ips_emulator_fuzz::modifier`.

fn main() {
    // No panic hook: a panic the service catches on purpose (a codec's, in
    // `render::decode`) is not a finding; one that reaches here aborts.
    afl::fuzz_nohook!(|data: &[u8]| {
        if let Err(finding) = ips_emulator_fuzz::modifier(data) {
            panic!("{finding}");
        }
    });
}
