//! Colours: the Okabe-Ito colour-blind-safe palette, the fixed colour of
//! every category of the study, and a stable fallback for other names.
//!
//! A category has the same colour in every figure (USA is always
//! [`BLUE`]). Names outside the fixed map get a colour from a stable hash of
//! the name (FNV-1a), never a random one; within one figure a hashed name
//! that would repeat a colour already used moves to the next free palette
//! colour, so two series of a figure never share a colour while the palette
//! lasts.

use plotters::style::RGBColor;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#RRGGBB`, upper case (as the SVG backend writes it).
    pub fn hex(self) -> String {
        format!("#{:02X}{:02X}{:02X}", self.0, self.1, self.2)
    }

    pub(crate) fn plotters(self) -> RGBColor {
        RGBColor(self.0, self.1, self.2)
    }
}

/// Okabe-Ito blue.
pub const BLUE: Rgb = Rgb(0x00, 0x72, 0xB2);
/// Okabe-Ito vermillion.
pub const VERMILLION: Rgb = Rgb(0xD5, 0x5E, 0x00);
/// Okabe-Ito bluish green.
pub const GREEN: Rgb = Rgb(0x00, 0x9E, 0x73);
/// Okabe-Ito orange.
pub const ORANGE: Rgb = Rgb(0xE6, 0x9F, 0x00);
/// Okabe-Ito sky blue.
pub const SKY_BLUE: Rgb = Rgb(0x56, 0xB4, 0xE9);
/// Okabe-Ito reddish purple.
pub const PURPLE: Rgb = Rgb(0xCC, 0x79, 0xA7);
/// Okabe-Ito yellow (weak on white: last in the fallback order).
pub const YELLOW: Rgb = Rgb(0xF0, 0xE4, 0x42);
/// Black.
pub const BLACK: Rgb = Rgb(0x00, 0x00, 0x00);
/// The grey of unknown / unannotated categories.
pub const GREY: Rgb = Rgb(0x99, 0x99, 0x99);
/// A dark grey, the colour after the palette runs out.
pub const DARK_GREY: Rgb = Rgb(0x55, 0x55, 0x55);

/// The order in which names outside the fixed map are coloured: the hash
/// picks a start among the first seven (the strong colours), collisions
/// move along, to yellow and the greys last.
pub const FALLBACK: [Rgb; 10] = [
    BLUE, VERMILLION, GREEN, ORANGE, SKY_BLUE, PURPLE, BLACK, YELLOW, DARK_GREY, GREY,
];
const HASHED_COLOURS: usize = 7;

/// The fixed colours of the study's categories, keyed by the normalised
/// name (see [`normalise`]). Names shared by two vocabularies ("user",
/// "unknown") have one colour in both.
const FIXED: &[(&str, Rgb)] = &[
    // developer country groups
    ("usa", BLUE),
    ("china", VERMILLION),
    ("europe", GREEN),
    ("other", ORANGE),
    ("international/online", SKY_BLUE),
    ("user", PURPLE),
    ("unknown", GREY),
    // developer organization types ("user", "unknown" above)
    ("industry", BLUE),
    ("academia", GREEN),
    ("nonprofit", ORANGE),
    ("government", VERMILLION),
    ("community", SKY_BLUE),
    // relations to a parent model
    ("original", BLUE),
    ("finetune", ORANGE),
    ("adapter", GREEN),
    ("quantized", PURPLE),
    ("merge", VERMILLION),
    // openness ("unknown" above)
    ("open_source", GREEN),
    ("open_weights", BLUE),
    ("restricted", VERMILLION),
    // training-data transparency
    ("available", GREEN),
    ("disclosed", ORANGE),
    ("undisclosed", VERMILLION),
];

/// The key a name is looked up under: lower case, spaces and hyphens as
/// underscores ("Open weights" and "open-weights" are `open_weights`).
pub fn normalise(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The fixed colour of a study category, if `name` is one.
pub fn category_colour(name: &str) -> Option<Rgb> {
    let key = normalise(name);
    FIXED.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
}

/// FNV-1a (64 bit) of the normalised name: stable across runs, platforms
/// and Rust versions (unlike `std`'s hasher).
fn stable_hash(name: &str) -> u64 {
    normalise(name).bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The colour of `name` on its own: the fixed category colour, or the
/// hashed fallback colour.
pub fn colour_of(name: &str) -> Rgb {
    category_colour(name).unwrap_or_else(|| FALLBACK[hashed_index(name)])
}

fn hashed_index(name: &str) -> usize {
    // The remainder is below HASHED_COLOURS, so the cast cannot truncate.
    (stable_hash(name) % HASHED_COLOURS as u64) as usize
}

/// The colours of one figure's entries, in order. An explicit colour wins,
/// then the fixed category colour; the other names take their hashed
/// colour, or the next fallback colour not yet used in this figure.
pub fn assign(entries: &[(&str, Option<Rgb>)]) -> Vec<Rgb> {
    let fixed: Vec<Option<Rgb>> = entries
        .iter()
        .map(|(name, explicit)| explicit.or_else(|| category_colour(name)))
        .collect();
    let mut used: Vec<Rgb> = fixed.iter().flatten().copied().collect();
    fixed
        .iter()
        .zip(entries)
        .map(|(fixed, (name, _))| {
            fixed.unwrap_or_else(|| {
                let colour = first_free(hashed_index(name), &used);
                used.push(colour);
                colour
            })
        })
        .collect()
}

/// The first colour not in `used`: the strong colours from `start` on
/// (cyclically), then yellow and the greys; when all are used, the one at
/// `start`.
fn first_free(start: usize, used: &[Rgb]) -> Rgb {
    let strong = (0..HASHED_COLOURS).map(|i| FALLBACK[(start + i) % HASHED_COLOURS]);
    let weak = FALLBACK[HASHED_COLOURS..].iter().copied();
    strong
        .chain(weak)
        .find(|c| !used.contains(c))
        .unwrap_or(FALLBACK[start])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn study_categories_have_fixed_colours() {
        assert_eq!(colour_of("USA"), BLUE);
        assert_eq!(colour_of("China"), VERMILLION);
        assert_eq!(colour_of("International/Online"), SKY_BLUE);
        assert_eq!(colour_of("Unknown"), GREY);
        assert_eq!(colour_of("unknown"), GREY);
        assert_eq!(colour_of("open weights"), BLUE);
        assert_eq!(colour_of("quantized"), PURPLE);
        assert_eq!(BLUE.hex(), "#0072B2");
    }

    #[test]
    fn fallback_is_stable_and_in_palette() {
        // FNV-1a of "meta" is fixed forever; so is its colour.
        assert_eq!(stable_hash("meta"), 0x4320_e9a2_e32e_ac38_u64);
        assert_eq!(colour_of("Meta"), colour_of("meta"));
        assert!(FALLBACK[..HASHED_COLOURS].contains(&colour_of("DeepSeek")));
    }

    #[test]
    fn one_figure_never_repeats_a_colour_while_the_palette_lasts() {
        let names = [
            "USA", "China", "Google", "Meta", "OpenAI", "DeepSeek", "Qwen",
        ];
        let entries: Vec<_> = names.iter().map(|n| (*n, None)).collect();
        let colours = assign(&entries);
        assert_eq!(colours[0], BLUE);
        assert_eq!(colours[1], VERMILLION);
        // Seven names, seven strong colours: no yellow while one is free.
        assert!(!colours.contains(&YELLOW), "{colours:?}");
        for (i, a) in colours.iter().enumerate() {
            for b in &colours[i + 1..] {
                assert_ne!(a, b, "{colours:?}");
            }
        }
    }

    #[test]
    fn explicit_colour_wins() {
        let colours = assign(&[("USA", Some(BLACK)), ("x", None)]);
        assert_eq!(colours[0], BLACK);
        assert_ne!(colours[1], BLACK);
    }
}
