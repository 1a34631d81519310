//! The house style: the embedded font, text sizes, strokes and the neutral
//! colours of the frame, all scaled to the figure's width. At the
//! reference width of 1200 px, tick and legend text has a 19.4 px em,
//! axis labels 21 px, the title 27 px (plotters sizes / 1.24, the em both
//! files use): 7.6, 8.2 and 10.7 pt when the figure is printed 6.5 in wide.

use std::sync::OnceLock;

use plotters::style::{FontDesc, FontFamily, FontStyle, register_font};

use crate::error::PlotError;
use crate::palette::Rgb;

/// The font family every text of every figure uses, in SVG as in PNG.
pub const FONT_FAMILY: &str = "sans-serif";

/// The width the sizes below are designed at.
const REFERENCE_WIDTH: f64 = 1200.0;

/// Text of the title, labels and legend.
pub(crate) const INK: Rgb = Rgb(0x22, 0x22, 0x22);
/// Subtitle and notes.
pub(crate) const MUTED: Rgb = Rgb(0x55, 0x55, 0x55);
/// Axis lines and tick marks.
pub(crate) const AXIS: Rgb = Rgb(0x44, 0x44, 0x44);
/// Grid lines.
pub(crate) const GRID: Rgb = Rgb(0xE3, 0xE3, 0xE3);
/// The background.
pub(crate) const PAPER: Rgb = Rgb(0xFF, 0xFF, 0xFF);

/// Registers DejaVu Sans (regular, bold, oblique) as [`FONT_FAMILY`] for
/// plotters' `ab_glyph` text, once per process. PNG text needs no system
/// font; SVG text names the family and SVG viewers supply their own.
pub(crate) fn ensure_fonts() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            let faces = [
                (FontStyle::Normal, dejavu::sans::regular()),
                (FontStyle::Bold, dejavu::sans::bold()),
                (FontStyle::Oblique, dejavu::sans::oblique()),
            ];
            for (style, bytes) in faces {
                register_font(FONT_FAMILY, style, bytes)
                    .map_err(|_| format!("DejaVu Sans {} is not a valid font", style.as_str()))?;
            }
            Ok(())
        })
        .clone()
        .map_err(PlotError::Font)
}

/// Sizes for one figure.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    scale: f64,
}

impl Style {
    pub fn for_width(width: u32) -> Self {
        Self {
            scale: f64::from(width) / REFERENCE_WIDTH,
        }
    }

    /// A length of the reference design, in this figure's pixels.
    pub fn px(&self, reference: f64) -> i32 {
        (reference * self.scale).round() as i32
    }

    fn font(&self, size: f64, style: FontStyle) -> FontDesc<'static> {
        FontDesc::new(FontFamily::SansSerif, size * self.scale, style)
    }

    pub fn title_font(&self) -> FontDesc<'static> {
        self.font(34.0, FontStyle::Bold)
    }

    pub fn subtitle_font(&self) -> FontDesc<'static> {
        self.font(25.0, FontStyle::Oblique)
    }

    pub fn label_font(&self) -> FontDesc<'static> {
        self.font(26.0, FontStyle::Normal)
    }

    pub fn tick_font(&self) -> FontDesc<'static> {
        self.font(24.0, FontStyle::Normal)
    }

    pub fn legend_font(&self) -> FontDesc<'static> {
        self.font(24.0, FontStyle::Normal)
    }

    /// Outer margin of the figure.
    pub fn margin(&self) -> i32 {
        self.px(24.0)
    }

    /// Space between a text and what it labels.
    pub fn gap(&self) -> i32 {
        self.px(10.0)
    }

    pub fn tick_length(&self) -> i32 {
        self.px(8.0)
    }

    pub fn line_width(&self) -> u32 {
        self.px(3.5).max(1) as u32
    }

    pub fn axis_width(&self) -> u32 {
        self.px(2.0).max(1) as u32
    }

    pub fn marker_radius(&self) -> i32 {
        self.px(5.5).max(2)
    }
}

/// The width of `text` in `font`, in pixels, as set in both files.
pub(crate) fn text_width(font: &FontDesc<'_>, text: &str) -> i32 {
    crate::glyphs::width(text, font.get_size(), font.get_style()).ceil() as i32
}

/// The height of one line of `font` including leading, in pixels.
pub(crate) fn line_height(font: &FontDesc<'_>) -> i32 {
    (font.get_size() * 1.3).round() as i32
}
