//! `op_noise`: seeded uniform or Gaussian noise on the colour channels.

use image::RgbaImage;

use super::channel;
use crate::render::modifier::Noise;

/// splitmix64 (Steele, Lea & Flood 2014): tiny, fast, and good enough for
/// visual noise; seeded explicitly so output is reproducible.
pub(super) struct SplitMix64(pub(super) u64);

impl SplitMix64 {
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal, by Box–Muller (1 − u keeps the logarithm finite).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// `op_noise`: adds noise to the colour channels; alpha is kept. With
/// `A = amount/100 · 255` (amount clamped to 0…100), each deviation is
/// uniform in [−A, A) or, with `gaussian`, normal with σ = A. Each channel
/// gets its own deviation, or with `monochrome` all three share one. Values
/// are rounded half up and clamped; amount 0 is a no-op. The generator is
/// splitmix64 seeded with `seed`, so equal seeds give equal output.
pub fn add_noise(img: &mut RgbaImage, noise: &Noise, seed: u64) {
    let amount = f64::from(noise.amount.min(100)) / 100.0 * 255.0;
    if amount == 0.0 {
        return;
    }
    let mut rng = SplitMix64(seed);
    let mut deviation = || {
        if noise.gaussian {
            rng.normal() * amount
        } else {
            (2.0 * rng.unit() - 1.0) * amount
        }
    };
    for px in img.chunks_exact_mut(4) {
        if noise.monochrome {
            let d = deviation() as f32;
            for v in &mut px[..3] {
                *v = channel(f32::from(*v) + d);
            }
        } else {
            for v in &mut px[..3] {
                *v = channel(f32::from(*v) + deviation() as f32);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::filters::adjust;
    use crate::render::filters::testing::*;
    use crate::render::modifier::Adjust;

    #[test]
    fn noise_is_seeded_and_keeps_the_mean() {
        let grey = solid(64, 64, [128, 128, 128, 200]);
        for gaussian in [false, true] {
            let n = Noise {
                amount: 10,
                gaussian,
                monochrome: false,
            };
            let a = adjusted(
                &grey,
                Adjust {
                    noise: Some(n),
                    ..Adjust::default()
                },
            );
            let mut b = grey.clone();
            adjust(
                &mut b,
                &Adjust {
                    noise: Some(n),
                    ..Adjust::default()
                },
                7,
            );
            assert_eq!(a, b);
            let mut other = grey.clone();
            adjust(
                &mut other,
                &Adjust {
                    noise: Some(n),
                    ..Adjust::default()
                },
                8,
            );
            assert_ne!(a, other);
            let changed = a.pixels().filter(|p| p.0[..3] != [128, 128, 128]).count();
            assert!(changed > 64 * 64 / 2);
            assert!(a.pixels().all(|p| p.0[3] == 200));
            for c in 0..3 {
                assert!((mean(&a, c) - 128.0).abs() < 2.0);
            }
            if !gaussian {
                // Uniform within ±A, A = 25.5.
                assert!(a.pixels().all(|p| p.0[..3].iter().all(|&v| v.abs_diff(128) <= 26)));
            }
        }
        let mono = Noise {
            amount: 30,
            gaussian: true,
            monochrome: true,
        };
        let m = adjusted(
            &grey,
            Adjust {
                noise: Some(mono),
                ..Adjust::default()
            },
        );
        assert!(m.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]));
        let zero = Noise {
            amount: 0,
            gaussian: false,
            monochrome: false,
        };
        assert_eq!(
            adjusted(
                &grey,
                Adjust {
                    noise: Some(zero),
                    ..Adjust::default()
                }
            ),
            grey
        );
    }
}
