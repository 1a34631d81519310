//! The legend: one entry per series with a swatch of how the series is
//! drawn (line, area, dot), as a column right of the plot or in centred
//! rows under it; never over the data.

use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::element::{Circle, PathElement, Rectangle};
use plotters::prelude::DrawingBackend;
use plotters::style::FontDesc;
use plotters::style::text_anchor::{HPos, VPos};

use crate::error::PlotError;
use crate::figure::{Figure, LegendPlacement};
use crate::frame::{Plane, drawn, fill, stroke, text};
use crate::palette::Rgb;
use crate::style::{INK, Style, line_height, text_width};

/// How a legend entry shows its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Swatch {
    Line,
    Area,
    Dot,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LegendEntry {
    pub label: String,
    pub colour: Rgb,
    pub swatch: Swatch,
}

/// The legend's measures and where it goes.
pub(crate) struct Legend<'a> {
    pub entries: &'a [LegendEntry],
    font: FontDesc<'static>,
    swatch: i32,
    pub row: i32,
    spacing: i32,
    pub placement: LegendPlacement,
}

impl<'a> Legend<'a> {
    pub fn new(entries: &'a [LegendEntry], style: &Style, placement: LegendPlacement) -> Self {
        let font = style.legend_font();
        let row = line_height(&font) + style.px(6.0);
        let placement = if entries.is_empty() {
            LegendPlacement::Hidden
        } else {
            placement
        };
        Self {
            entries,
            font,
            swatch: style.px(34.0),
            row,
            spacing: style.px(30.0),
            placement,
        }
    }

    fn entry_width(&self, entry: &LegendEntry, style: &Style) -> i32 {
        self.swatch + style.gap() + text_width(&self.font, &entry.label)
    }

    /// Width of the legend as a column right of the plot.
    pub fn column_width(&self, style: &Style) -> i32 {
        let widest = self.entries.iter().map(|e| self.entry_width(e, style));
        widest.max().unwrap_or(0)
    }

    fn column_height(&self) -> i32 {
        self.row * self.entries.len() as i32
    }

    /// Entries grouped into rows no wider than `width`.
    pub fn rows(&self, width: i32, style: &Style) -> Vec<Vec<&'a LegendEntry>> {
        let mut rows: Vec<Vec<&LegendEntry>> = Vec::new();
        let mut used = 0;
        for entry in self.entries {
            let w = self.entry_width(entry, style);
            match rows.last_mut() {
                Some(row) if used + self.spacing + w <= width => {
                    row.push(entry);
                    used += self.spacing + w;
                }
                _ => {
                    rows.push(vec![entry]);
                    used = w;
                }
            }
        }
        rows
    }

    /// Settles `Auto`: right of the plot when the column takes at most 30%
    /// of the figure's width, fits the plot's height, and leaves the plot
    /// at least half the figure's width beside `reserved` pixels (row
    /// labels and notes); else below.
    pub fn settle(&mut self, fig: &Figure, style: &Style, plot_height: i32, reserved: i32) {
        if self.placement == LegendPlacement::Auto {
            let width = f64::from(fig.width);
            let column = self.column_width(style);
            let narrow = f64::from(column) <= 0.3 * width;
            let short = self.column_height() <= plot_height;
            let beside = fig.width as i32 - 2 * style.margin() - reserved - column;
            let roomy = f64::from(beside) >= 0.5 * width;
            self.placement = if narrow && short && roomy {
                LegendPlacement::Right
            } else {
                LegendPlacement::Below
            };
        }
    }

    fn draw_swatch<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        entry: &LegendEntry,
        (x, y): (i32, i32),
        style: &Style,
    ) -> Result<(), PlotError> {
        let mid = x + self.swatch / 2;
        match entry.swatch {
            Swatch::Line => drawn(root.draw(&PathElement::new(
                vec![(x, y), (x + self.swatch, y)],
                stroke(entry.colour, style.line_width() + 1),
            ))),
            Swatch::Area => {
                let s = style.px(10.0);
                let corners = [(mid - s, y - s), (mid + s, y + s)];
                drawn(root.draw(&Rectangle::new(corners, fill(entry.colour, 1.0))))
            }
            Swatch::Dot => drawn(root.draw(&Circle::new(
                (mid, y),
                style.marker_radius() + 2,
                fill(entry.colour, 1.0),
            ))),
        }
    }

    fn draw_entry<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        entry: &LegendEntry,
        (x, y): (i32, i32),
        style: &Style,
    ) -> Result<(), PlotError> {
        self.draw_swatch(root, entry, (x, y), style)?;
        let at = (x + self.swatch + style.gap(), y);
        text(
            root,
            &entry.label,
            &self.font,
            INK,
            at,
            (HPos::Left, VPos::Center),
        )
    }

    /// Draws the legend right of the plot `p` (beyond `notes_width` of row
    /// notes) or centred under it at the bottom of the figure.
    pub fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        fig: &Figure,
        p: &Plane,
        notes_width: i32,
        style: &Style,
    ) -> Result<(), PlotError> {
        let legend = self;
        match legend.placement {
            LegendPlacement::Right => {
                let x = p.right + notes_width + 3 * style.gap();
                for (i, entry) in legend.entries.iter().enumerate() {
                    let y = p.top + legend.row / 2 + legend.row * i as i32;
                    legend.draw_entry(root, entry, (x, y), style)?;
                }
            }
            LegendPlacement::Below => {
                let m = style.margin();
                let rows = legend.rows(fig.width as i32 - 2 * m, style);
                let first = fig.height as i32 - m - legend.row * rows.len() as i32;
                for (r, row) in rows.iter().enumerate() {
                    let widths: Vec<i32> =
                        row.iter().map(|e| legend.entry_width(e, style)).collect();
                    let total =
                        widths.iter().sum::<i32>() + legend.spacing * (row.len() as i32 - 1);
                    let mut x = ((p.left + p.right) / 2 - total / 2)
                        .clamp(m, (fig.width as i32 - m - total).max(m));
                    let y = first + legend.row / 2 + legend.row * r as i32;
                    for (entry, w) in row.iter().zip(widths) {
                        legend.draw_entry(root, entry, (x, y), style)?;
                        x += w + legend.spacing;
                    }
                }
            }
            LegendPlacement::Auto | LegendPlacement::Hidden => {}
        }
        Ok(())
    }
}
