//! The frame every chart kind shares: layout, title and subtitle, grid,
//! axes with ticks and labels, notes right of the rows, and the legend
//! (right of the plot or below it, never over the data). A chart kind
//! only says what its axes must show and draws its data on the [`Plane`].

use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::element::{PathElement, Text};
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontTransform, ShapeStyle};

use crate::axis::{AxisSpec, Resolved};
use crate::error::{DataError, PlotError};
use crate::figure::{Figure, LegendPlacement};
use crate::legend::{Legend, LegendEntry};
use crate::palette::Rgb;
use crate::style::{AXIS, GRID, INK, MUTED, PAPER, Style, line_height, text_width};

/// What a chart asks of the frame.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub x: AxisSpec,
    pub y: AxisSpec,
    pub legend: Vec<LegendEntry>,
    /// Text right of the plot, one per y category (dot plots).
    pub row_notes: Vec<String>,
}

/// A chart kind: it checks its data, says what the frame must show, and
/// draws its data on the plane the frame lays out.
pub(crate) trait ChartKind {
    fn frame(&self) -> Result<Frame, DataError>;
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        plane: &Plane,
        style: &Style,
    ) -> Result<(), PlotError>;
}

/// The plot area in pixels and its two axes: where data go.
#[derive(Debug, Clone)]
pub(crate) struct Plane {
    pub x: Resolved,
    pub y: Resolved,
    /// Categories on the y axis run top-down.
    y_top_down: bool,
    pub left: i32,
    pub right: i32,
    pub top: i32,
    pub bottom: i32,
}

impl Plane {
    /// The pixel column of an x axis coordinate.
    pub fn px_x(&self, coord: f64) -> i32 {
        let t = (coord - self.x.lo) / (self.x.hi - self.x.lo);
        self.left + (t * f64::from(self.right - self.left)).round() as i32
    }

    /// The pixel row of a y axis coordinate.
    pub fn px_y(&self, coord: f64) -> i32 {
        let t = (coord - self.y.lo) / (self.y.hi - self.y.lo);
        let span = f64::from(self.bottom - self.top);
        if self.y_top_down {
            self.top + (t * span).round() as i32
        } else {
            self.bottom - (t * span).round() as i32
        }
    }

    /// The pixel of a data point; `None` when it cannot be drawn.
    pub fn point(&self, x: f64, y: f64) -> Option<(i32, i32)> {
        Some((self.px_x(self.x.coord(x)?), self.px_y(self.y.coord(y)?)))
    }

    /// Pixels per unit of x axis coordinate.
    pub fn x_scale(&self) -> f64 {
        f64::from(self.right - self.left) / (self.x.hi - self.x.lo)
    }
}

/// A drawing result as a [`PlotError`].
pub(crate) fn drawn<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, PlotError> {
    result.map_err(|e| PlotError::Draw(e.to_string()))
}

/// A stroke of `width` pixels.
pub(crate) fn stroke(colour: Rgb, width: u32) -> ShapeStyle {
    colour.plotters().stroke_width(width)
}

/// A fill with `opacity` in [0, 1].
pub(crate) fn fill(colour: Rgb, opacity: f64) -> ShapeStyle {
    colour.plotters().mix(opacity).filled()
}

pub(crate) fn text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    content: &str,
    font: &FontDesc<'_>,
    colour: Rgb,
    at: (i32, i32),
    anchor: (HPos, VPos),
) -> Result<(), PlotError> {
    let style = font
        .color(&colour.plotters())
        .pos(Pos::new(anchor.0, anchor.1));
    drawn(root.draw(&Text::new(content.to_string(), at, style)))
}

/// Splits `label` into lines no wider than `width` (at spaces; a word
/// longer than the width keeps its own line).
fn wrap(label: &str, width: i32, font: &FontDesc<'_>) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in label.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if line.is_empty() || text_width(font, &candidate) <= width {
                line = candidate;
            } else {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            }
        }
        lines.push(line);
    }
    lines
}

/// Where everything goes, computed before anything is drawn.
struct Layout {
    plane: Plane,
    x_lines: Vec<Vec<String>>,
    notes_width: i32,
}

impl Layout {
    /// Lines of the tallest x tick label.
    fn x_label_lines(&self) -> usize {
        self.x_lines.iter().map(Vec::len).max().unwrap_or(1)
    }
}

/// Space the x tick labels (`lines` lines), the x title and a legend
/// below take under the plot.
fn bottom_area(fig: &Figure, style: &Style, lines: usize, legend: &Legend<'_>) -> i32 {
    let tick_lh = line_height(&style.tick_font());
    let mut h = style.tick_length() + style.gap() + tick_lh * lines as i32;
    if !fig.x_label.is_empty() {
        h += style.gap() + line_height(&style.label_font());
    }
    if legend.placement == LegendPlacement::Below {
        let rows = legend.rows(fig.width as i32 - 2 * style.margin(), style);
        h += style.gap() * 2 + legend.row * rows.len() as i32;
    }
    h
}

fn layout(
    fig: &Figure,
    frame: &Frame,
    style: &Style,
    top: i32,
    legend: &mut Legend<'_>,
) -> Result<Layout, PlotError> {
    let (w, h) = (fig.width as i32, fig.height as i32);
    let m = style.margin();
    let tick_font = style.tick_font();
    let tick_lh = line_height(&tick_font);
    let notes_width = frame
        .row_notes
        .iter()
        .map(|n| text_width(&tick_font, n) + 2 * style.gap())
        .max()
        .unwrap_or(0);
    let row_labels = match &frame.y {
        AxisSpec::Categories { labels } => labels.iter().map(|l| text_width(&tick_font, l)).max(),
        _ => None,
    };
    let reserved = notes_width + row_labels.unwrap_or(0);
    let plot_height = h - top - m - bottom_area(fig, style, 1, legend);
    legend.settle(fig, style, plot_height, reserved);
    let legend_width = match legend.placement {
        LegendPlacement::Right => legend.column_width(style) + 3 * style.gap(),
        _ => 0,
    };
    let y_title = if fig.y_label.is_empty() {
        0
    } else {
        line_height(&style.label_font()) + style.gap()
    };
    let place = |lines: usize| {
        let bottom = h - m - bottom_area(fig, style, lines, legend);
        let y = frame.y.resolve(px_len(bottom - top), &|_| tick_lh as u32);
        let y_labels = y.ticks.iter().map(|t| text_width(&tick_font, &t.label));
        let left = m + y_title + y_labels.max().unwrap_or(0) + style.tick_length() + style.gap();
        let right = w - m - notes_width - legend_width;
        let x = frame
            .x
            .resolve(px_len(right - left), &|s| text_width(&tick_font, s) as u32);
        let slot = match frame.x {
            AxisSpec::Categories { ref labels } => (right - left) / labels.len().max(1) as i32,
            _ => w,
        };
        let x_lines: Vec<Vec<String>> = x
            .ticks
            .iter()
            .map(|t| wrap(&t.label, slot - style.gap(), &tick_font))
            .collect();
        let y_top_down = matches!(frame.y, AxisSpec::Categories { .. });
        let plane = Plane {
            x,
            y,
            y_top_down,
            left,
            right,
            top,
            bottom,
        };
        Layout {
            plane,
            x_lines,
            notes_width,
        }
    };
    // Twice: the x labels' height sets the plot height, which sets the y
    // ticks, whose width sets the plot width, which sets the x labels.
    let first = place(1);
    let layout = place(first.x_label_lines());
    let p = &layout.plane;
    if p.right - p.left < style.px(120.0) || p.bottom - p.top < style.px(80.0) {
        return Err(PlotError::TooSmall {
            width: fig.width,
            height: fig.height,
        });
    }
    Ok(layout)
}

fn px_len(len: i32) -> u32 {
    u32::try_from(len).unwrap_or(0).max(1)
}

/// Title and subtitle at the top left; returns the first row below them.
fn draw_header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    style: &Style,
) -> Result<i32, PlotError> {
    let m = style.margin();
    let title_font = style.title_font();
    text(
        root,
        &fig.title,
        &title_font,
        INK,
        (m, m),
        (HPos::Left, VPos::Top),
    )?;
    let mut y = m + line_height(&title_font);
    if let Some(subtitle) = &fig.subtitle {
        // Wrapped: the span, a note and the synthetic mark run past the width.
        let font = style.subtitle_font();
        for line in wrap(subtitle, fig.width as i32 - 2 * m, &font) {
            text(root, &line, &font, MUTED, (m, y), (HPos::Left, VPos::Top))?;
            y += line_height(&font);
        }
    }
    Ok(y + style.px(18.0))
}

fn draw_grid<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Plane,
    style: &Style,
) -> Result<(), PlotError> {
    let line = stroke(GRID, style.px(1.5).max(1) as u32);
    if p.x.grid {
        for t in &p.x.ticks {
            let x = p.px_x(t.pos);
            drawn(root.draw(&PathElement::new(vec![(x, p.top), (x, p.bottom)], line)))?;
        }
    }
    for t in &p.y.ticks {
        let y = p.px_y(t.pos);
        drawn(root.draw(&PathElement::new(vec![(p.left, y), (p.right, y)], line)))?;
    }
    Ok(())
}

fn draw_axes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    layout: &Layout,
    style: &Style,
) -> Result<(), PlotError> {
    let p = &layout.plane;
    let axis = stroke(AXIS, style.axis_width());
    let tick_font = style.tick_font();
    let tick_lh = line_height(&tick_font);
    let (tl, gap) = (style.tick_length(), style.gap());
    if !p.y.log && p.y.grid && p.y.lo < 0.0 && p.y.hi > 0.0 {
        let zero = p.px_y(0.0);
        drawn(root.draw(&PathElement::new(
            vec![(p.left, zero), (p.right, zero)],
            axis,
        )))?;
    }
    let corner = vec![(p.left, p.top), (p.left, p.bottom), (p.right, p.bottom)];
    drawn(root.draw(&PathElement::new(corner, axis)))?;
    for (tick, lines) in p.x.ticks.iter().zip(&layout.x_lines) {
        let x = p.px_x(tick.pos);
        if p.x.grid {
            drawn(root.draw(&PathElement::new(
                vec![(x, p.bottom), (x, p.bottom + tl)],
                axis,
            )))?;
        }
        for (i, line) in lines.iter().enumerate() {
            let y = p.bottom + tl + gap + tick_lh * i as i32;
            text(
                root,
                line,
                &tick_font,
                INK,
                (x, y),
                (HPos::Center, VPos::Top),
            )?;
        }
    }
    for &minor in &p.x.minor {
        let x = p.px_x(minor);
        let mark = vec![(x, p.bottom), (x, p.bottom + tl / 2)];
        drawn(root.draw(&PathElement::new(mark, axis)))?;
    }
    for tick in &p.y.ticks {
        let y = p.px_y(tick.pos);
        if p.y.grid {
            drawn(root.draw(&PathElement::new(vec![(p.left - tl, y), (p.left, y)], axis)))?;
        }
        let at = (p.left - tl - gap, y);
        text(
            root,
            &tick.label,
            &tick_font,
            INK,
            at,
            (HPos::Right, VPos::Center),
        )?;
    }
    let lines = layout.x_label_lines() as i32;
    let label_font = style.label_font();
    if !fig.x_label.is_empty() {
        let at = (
            (p.left + p.right) / 2,
            p.bottom + tl + gap * 2 + tick_lh * lines,
        );
        text(
            root,
            &fig.x_label,
            &label_font,
            INK,
            at,
            (HPos::Center, VPos::Top),
        )?;
    }
    if !fig.y_label.is_empty() {
        let rotated = label_font.transform(FontTransform::Rotate270);
        let at = (
            style.margin() + line_height(&label_font) / 2,
            (p.top + p.bottom) / 2,
        );
        text(
            root,
            &fig.y_label,
            &rotated,
            INK,
            at,
            (HPos::Center, VPos::Center),
        )?;
    }
    Ok(())
}

fn draw_row_notes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    notes: &[String],
    p: &Plane,
    style: &Style,
) -> Result<(), PlotError> {
    let font = style.tick_font();
    for (tick, note) in p.y.ticks.iter().zip(notes) {
        let at = (p.right + 2 * style.gap(), p.px_y(tick.pos));
        text(root, note, &font, MUTED, at, (HPos::Left, VPos::Center))?;
    }
    Ok(())
}

/// Draws the whole figure: the chart's data inside the shared frame.
pub(crate) fn draw<DB: DrawingBackend, K: ChartKind>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    chart: &K,
) -> Result<(), PlotError> {
    if fig.width < 320 || fig.height < 200 {
        return Err(PlotError::TooSmall {
            width: fig.width,
            height: fig.height,
        });
    }
    let frame = chart.frame().map_err(|source| PlotError::Data {
        figure: fig.title.clone(),
        source,
    })?;
    let style = Style::for_width(fig.width);
    drawn(root.fill(&PAPER.plotters()))?;
    let top = draw_header(root, fig, &style)?;
    let mut legend = Legend::new(&frame.legend, &style, fig.legend);
    let layout = layout(fig, &frame, &style, top, &mut legend)?;
    draw_grid(root, &layout.plane, &style)?;
    chart.draw(root, &layout.plane, &style)?;
    draw_axes(root, fig, &layout, &style)?;
    draw_row_notes(root, &frame.row_notes, &layout.plane, &style)?;
    let p = &layout.plane;
    legend.draw(root, fig, p, layout.notes_width, &style)
}

/// A figure with its title and subtitle and `message` where the chart
/// would be: what an analysis draws when its data are empty.
pub(crate) fn draw_message<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    message: &str,
) -> Result<(), PlotError> {
    let style = Style::for_width(fig.width);
    drawn(root.fill(&PAPER.plotters()))?;
    let top = draw_header(root, fig, &style)?;
    let font = style.subtitle_font();
    let width = fig.width as i32 - 2 * style.margin();
    let mut y = top + (fig.height as i32 - top) / 3;
    for line in wrap(message, width, &font) {
        text(
            root,
            &line,
            &font,
            INK,
            (fig.width as i32 / 2, y),
            (HPos::Center, VPos::Top),
        )?;
        y += line_height(&font);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::style::ensure_fonts;

    #[test]
    fn long_labels_wrap_at_spaces() {
        ensure_fonts().unwrap();
        let font = Style::for_width(1200).tick_font();
        let one_word = text_width(&font, "quantized");
        let lines = wrap("quantized adapter merge", one_word + 5, &font);
        assert_eq!(lines, vec!["quantized", "adapter", "merge"]);
        assert_eq!(wrap("a b", 1000, &font), vec!["a b"]);
    }
}
