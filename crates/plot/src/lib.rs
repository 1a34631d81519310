//! hubecon-plot owns the house style of every figure of the study: one
//! drawing code renders each figure to SVG and to PNG (plotters, with the
//! DejaVu Sans font embedded so PNG text needs no system fonts), a
//! colour-blind-safe palette (Okabe-Ito) with a fixed colour for each
//! category of the study (USA is always blue), and the four chart kinds the
//! analyses need: line charts with interval bands, stacked shares over
//! time, grouped bars, and table-like dot plots.
//!
//! It takes plain numbers and names, loads no data and computes no
//! statistics. The same input gives byte-identical SVG and PNG files, both
//! written atomically (temporary file, then rename).
//!
//! ```no_run
//! use hubecon_plot::{Chart, Figure, LineChart, Series, ValueAxis, XKind, render};
//! let fig = Figure::new("Download share of USA developers", "Week", "Share of downloads (%)")
//!     .synthetic(true);
//! let chart = LineChart::new(XKind::Numbers, ValueAxis::share())
//!     .with_series(Series::new("USA", &[2022.0, 2023.0, 2024.0], &[0.6, 0.5, 0.4]));
//! render(&fig, &Chart::Lines(chart), "figures/02.svg".as_ref(), "figures/02.png".as_ref())?;
//! # Ok::<(), hubecon_plot::PlotError>(())
//! ```

mod axis;
mod bars;
mod dots;
mod error;
mod figure;
mod format;
mod frame;
mod glyphs;
mod legend;
mod lines;
pub mod palette;
mod png;
mod stacked;
mod style;

use std::io::Write;
use std::path::Path;

use plotters::backend::SVGBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::prelude::DrawingBackend;

pub use axis::{Scale, ValueAxis, ValueFormat, XKind, year_fraction};
pub use bars::{BarGroup, GroupedBars};
pub use dots::{DotPlot, DotRow};
pub use error::{DataError, PlotError};
pub use figure::{DEFAULT_HEIGHT, DEFAULT_WIDTH, Figure, LegendPlacement, SYNTHETIC_SUBTITLE};
pub use lines::{LineChart, Series};
pub use palette::Rgb;
pub use stacked::{Layer, SUM_TOLERANCE, StackedShares};
pub use style::FONT_FAMILY;

/// The data of a figure, one variant per chart kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    Lines(LineChart),
    StackedShares(StackedShares),
    GroupedBars(GroupedBars),
    DotPlot(DotPlot),
}

impl From<LineChart> for Chart {
    fn from(chart: LineChart) -> Self {
        Chart::Lines(chart)
    }
}

impl From<StackedShares> for Chart {
    fn from(chart: StackedShares) -> Self {
        Chart::StackedShares(chart)
    }
}

impl From<GroupedBars> for Chart {
    fn from(chart: GroupedBars) -> Self {
        Chart::GroupedBars(chart)
    }
}

impl From<DotPlot> for Chart {
    fn from(chart: DotPlot) -> Self {
        Chart::DotPlot(chart)
    }
}

/// Draws the figure on any plotters drawing area of `fig.width` x
/// `fig.height` pixels: the one drawing code behind both files. (On a
/// plain `BitMapBackend` text is set by plotters itself; [`render_png`]
/// uses a canvas whose text matches the SVG.)
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    chart: &Chart,
) -> Result<(), PlotError> {
    style::ensure_fonts()?;
    match chart {
        Chart::Lines(c) => frame::draw(root, fig, c),
        Chart::StackedShares(c) => frame::draw(root, fig, c),
        Chart::GroupedBars(c) => frame::draw(root, fig, c),
        Chart::DotPlot(c) => frame::draw(root, fig, c),
    }
}

/// What a figure shows: a chart, or a message where the chart would be.
#[derive(Clone, Copy)]
enum Content<'a> {
    Chart(&'a Chart),
    Message(&'a str),
}

fn draw_content<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    content: Content<'_>,
) -> Result<(), PlotError> {
    match content {
        Content::Chart(chart) => draw(root, fig, chart),
        Content::Message(text) => {
            style::ensure_fonts()?;
            frame::draw_message(root, fig, text)
        }
    }
}

/// The figure as an SVG document (`fig.width` x `fig.height` user units).
pub fn render_svg(fig: &Figure, chart: &Chart) -> Result<String, PlotError> {
    svg_of(fig, Content::Chart(chart))
}

/// The figure as PNG bytes (`fig.width` x `fig.height` pixels, RGB).
pub fn render_png(fig: &Figure, chart: &Chart) -> Result<Vec<u8>, PlotError> {
    png_of(fig, Content::Chart(chart))
}

fn svg_of(fig: &Figure, content: Content<'_>) -> Result<String, PlotError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (fig.width, fig.height)).into_drawing_area();
        draw_content(&root, fig, content)?;
        frame::drawn(root.present())?;
    }
    Ok(svg)
}

fn png_of(fig: &Figure, content: Content<'_>) -> Result<Vec<u8>, PlotError> {
    let (w, h) = (fig.width, fig.height);
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = png::PngCanvas::new(&mut rgb, (w, h)).into_drawing_area();
        draw_content(&root, fig, content)?;
        frame::drawn(root.present())?;
    }
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &rgb,
        w,
        h,
        image::ColorType::Rgb8,
    )?;
    Ok(png)
}

/// Renders the figure and writes it to `svg_path` and `png_path`. Both
/// renderings finish before either file is written; each file is written
/// to a temporary file next to it and renamed into place, so a failure
/// leaves no half-written figure. Missing parent directories are created.
pub fn render(
    fig: &Figure,
    chart: &Chart,
    svg_path: &Path,
    png_path: &Path,
) -> Result<(), PlotError> {
    let svg = render_svg(fig, chart)?;
    let png = render_png(fig, chart)?;
    write_atomically(svg_path, svg.as_bytes())?;
    write_atomically(png_path, &png)
}

/// Writes a figure that shows `message` instead of a chart (its title and
/// subtitle kept), as SVG and PNG, atomically like [`render`].
pub fn render_message(
    fig: &Figure,
    message: &str,
    svg_path: &Path,
    png_path: &Path,
) -> Result<(), PlotError> {
    let svg = svg_of(fig, Content::Message(message))?;
    let png = png_of(fig, Content::Message(message))?;
    write_atomically(svg_path, svg.as_bytes())?;
    write_atomically(png_path, &png)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), PlotError> {
    let io = |source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests;
