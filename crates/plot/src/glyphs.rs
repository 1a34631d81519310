//! Text set in the embedded DejaVu Sans, measured and rasterised the way
//! an SVG viewer sets the SVG backend's text: font size `size / 1.24` (the
//! em the SVG backend writes), anchored like its `text-anchor` and `dy`
//! (top: baseline 0.76 em below; centre: 0.5 ex below; bottom: 0.5 ex
//! above), rotated about the anchor. So the PNG and the SVG of a figure
//! place the same text at the same place. (plotters' own `ab_glyph` text
//! drops each glyph's left side bearing, which spaces "paper's" as
//! "paper' s", and sets text at a different size than its SVG.)

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, Glyph, PxScale, ScaleFont, point};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{FontStyle, FontTransform};

/// The em the SVG backend writes for a plotters font size.
const SVG_EM_PER_SIZE: f64 = 1.0 / 1.24;
/// DejaVu Sans x-height (OS/2 sxHeight 1120 of 2048 units per em).
const X_HEIGHT_PER_EM: f64 = 1120.0 / 2048.0;

/// The face of a style: regular, bold, or oblique (every other style).
fn face(style: FontStyle) -> Option<&'static FontRef<'static>> {
    static FACES: OnceLock<[Option<FontRef<'static>>; 3]> = OnceLock::new();
    let faces = FACES.get_or_init(|| {
        [
            dejavu::sans::regular(),
            dejavu::sans::bold(),
            dejavu::sans::oblique(),
        ]
        .map(|bytes| FontRef::try_from_slice(bytes).ok())
    });
    let index = match style {
        FontStyle::Normal => 0,
        FontStyle::Bold => 1,
        FontStyle::Oblique | FontStyle::Italic => 2,
    };
    faces[index].as_ref()
}

/// A line of text laid out on a baseline from x = 0.
struct Line {
    glyphs: Vec<Glyph>,
    width: f64,
    em: f64,
    font: &'static FontRef<'static>,
}

fn lay_out(text: &str, size: f64, style: FontStyle) -> Option<Line> {
    let font = face(style)?;
    let em = size * SVG_EM_PER_SIZE;
    let units = f64::from(font.units_per_em()?);
    let scale = PxScale::from((em * f64::from(font.height_unscaled()) / units) as f32);
    let scaled = font.as_scaled(scale);
    let mut caret = 0.0f32;
    let mut previous = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            caret += scaled.kern(previous, id);
        }
        glyphs.push(id.with_scale_and_position(scale, point(caret, 0.0)));
        caret += scaled.h_advance(id);
        previous = Some(id);
    }
    Some(Line {
        glyphs,
        width: f64::from(caret),
        em,
        font,
    })
}

/// The advance width of `text`, in pixels.
pub(crate) fn width(text: &str, size: f64, style: FontStyle) -> f64 {
    lay_out(text, size, style).map_or(0.0, |line| line.width)
}

/// How a text is placed: size, face, anchor and rotation.
pub(crate) struct Setting {
    pub size: f64,
    pub style: FontStyle,
    pub anchor: (HPos, VPos),
    pub transform: FontTransform,
}

/// Rasterises `text` anchored at `at`, calling `pixel(x, y, coverage)`
/// for every covered pixel.
pub(crate) fn rasterise<E>(
    text: &str,
    setting: &Setting,
    at: (i32, i32),
    mut pixel: impl FnMut(i32, i32, f32) -> Result<(), E>,
) -> Result<(), E> {
    let Some(line) = lay_out(text, setting.size, setting.style) else {
        return Ok(());
    };
    let dx = match setting.anchor.0 {
        HPos::Left => 0.0,
        HPos::Center => -line.width / 2.0,
        HPos::Right => -line.width,
    };
    let half_ex = 0.5 * X_HEIGHT_PER_EM * line.em;
    let baseline = match setting.anchor.1 {
        VPos::Top => 0.76 * line.em,
        VPos::Center => half_ex,
        VPos::Bottom => -half_ex,
    };
    let (dx, dy) = (dx.round() as i32, baseline.round() as i32);
    for glyph in line.glyphs {
        let Some(outline) = line.font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        let (gx, gy) = (bounds.min.x as i32 + dx, bounds.min.y as i32 + dy);
        let mut result = Ok(());
        outline.draw(|x, y, coverage| {
            if result.is_ok() {
                let (ux, uy) = (gx + x as i32, gy + y as i32);
                let (rx, ry) = rotate(&setting.transform, ux, uy);
                result = pixel(at.0 + rx, at.1 + ry, coverage);
            }
        });
        result?;
    }
    Ok(())
}

/// An offset from the anchor, turned clockwise as SVG's `rotate(angle)`.
fn rotate(transform: &FontTransform, x: i32, y: i32) -> (i32, i32) {
    match transform {
        FontTransform::None => (x, y),
        FontTransform::Rotate90 => (-y, x),
        FontTransform::Rotate180 => (-x, -y),
        FontTransform::Rotate270 => (y, -x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apostrophe_keeps_its_side_bearing() {
        // Each glyph starts at the caret plus its own left side bearing:
        // the apostrophe's ink begins right of the caret, not on it.
        let line = lay_out("r's", 24.0, FontStyle::Normal).unwrap();
        let apostrophe = line.font.outline_glyph(line.glyphs[1].clone()).unwrap();
        assert!(apostrophe.px_bounds().min.x > line.glyphs[1].position.x);
    }

    #[test]
    fn widths_grow_with_text_and_size() {
        let w = width("Share of downloads", 24.0, FontStyle::Normal);
        assert!(w > 150.0 && w < 250.0, "{w}");
        assert!(width("Share of downloads", 24.0, FontStyle::Bold) > w);
        assert_eq!(width("", 24.0, FontStyle::Normal), 0.0);
    }

    #[test]
    fn rotation_turns_right_into_up() {
        assert_eq!(rotate(&FontTransform::Rotate270, 10, 0), (0, -10));
        assert_eq!(rotate(&FontTransform::Rotate90, 10, 0), (0, 10));
    }
}
