//! Table-like dot plots: one row per label (top-down, in the given order),
//! a dot at the row's value, an optional interval whisker, an optional
//! note right of the plot (e.g. "x17.2, p < 0.001"), and an optional
//! reference line (e.g. at a ratio of 1). Rows may belong to groups, which
//! set their colour and make the legend.

use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::element::{Circle, PathElement};
use plotters::prelude::DrawingBackend;

use crate::axis::{AxisSpec, Scale, ValueAxis};
use crate::error::{DataError, PlotError};
use crate::frame::{ChartKind, Frame, Plane, drawn, fill, stroke};
use crate::legend::{LegendEntry, Swatch};
use crate::lines::extent;
use crate::palette::{self, Rgb};
use crate::style::{INK, MUTED, Style};

/// One row of a dot plot.
#[derive(Debug, Clone, PartialEq)]
pub struct DotRow {
    pub label: String,
    pub value: f64,
    /// (lower, upper), drawn as a whisker.
    pub interval: Option<(f64, f64)>,
    /// The group that colours the dot and names it in the legend.
    pub group: Option<String>,
    /// Text right of the plot on this row.
    pub note: Option<String>,
}

impl DotRow {
    pub fn new(label: impl Into<String>, value: f64) -> Self {
        Self {
            label: label.into(),
            value,
            interval: None,
            group: None,
            note: None,
        }
    }

    pub fn with_interval(self, lower: f64, upper: f64) -> Self {
        Self {
            interval: Some((lower, upper)),
            ..self
        }
    }

    pub fn in_group(self, group: impl Into<String>) -> Self {
        Self {
            group: Some(group.into()),
            ..self
        }
    }

    pub fn with_note(self, note: impl Into<String>) -> Self {
        Self {
            note: Some(note.into()),
            ..self
        }
    }

    /// The row's numbers, named for error messages.
    fn numbers(&self) -> Vec<(&'static str, f64)> {
        let mut numbers = vec![("value", self.value)];
        if let Some((lower, upper)) = self.interval {
            numbers.extend([("interval lower", lower), ("interval upper", upper)]);
        }
        numbers
    }
}

/// Labelled rows against a value axis (the x axis).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DotPlot {
    pub rows: Vec<DotRow>,
    pub x_axis: ValueAxis,
    /// A value marked by a vertical line (no effect: 0 or 1).
    pub reference: Option<f64>,
}

impl DotPlot {
    pub fn new(x_axis: ValueAxis) -> Self {
        Self {
            x_axis,
            ..Self::default()
        }
    }

    pub fn with_row(mut self, row: DotRow) -> Self {
        self.rows.push(row);
        self
    }

    pub fn with_reference(self, value: f64) -> Self {
        Self {
            reference: Some(value),
            ..self
        }
    }

    /// The groups in order of first appearance, with their colours.
    fn groups(&self) -> Vec<(&str, Rgb)> {
        let mut names: Vec<&str> = Vec::new();
        for group in self.rows.iter().filter_map(|r| r.group.as_deref()) {
            if !names.contains(&group) {
                names.push(group);
            }
        }
        let entries: Vec<_> = names.iter().map(|n| (*n, None)).collect();
        names.into_iter().zip(palette::assign(&entries)).collect()
    }

    fn colour_of(&self, row: &DotRow, groups: &[(&str, Rgb)]) -> Rgb {
        let group = row.group.as_deref();
        let found = groups.iter().find(|(name, _)| Some(*name) == group);
        found.map_or(INK, |(_, colour)| *colour)
    }

    fn check(&self) -> Result<(), DataError> {
        if self.rows.is_empty() {
            return Err(DataError::Empty("a dot plot without rows".into()));
        }
        let log = self.x_axis.scale == Scale::Log10;
        for (index, row) in self.rows.iter().enumerate() {
            let series = || row.label.clone();
            for (what, value) in row.numbers() {
                if !value.is_finite() {
                    let series = series();
                    return Err(DataError::NotFinite {
                        series,
                        what,
                        index,
                        value,
                    });
                }
                if log && value <= 0.0 {
                    let series = series();
                    return Err(DataError::NotPositive {
                        series,
                        what,
                        index,
                        value,
                    });
                }
            }
            if let Some((lower, upper)) = row.interval.filter(|(l, u)| l > u) {
                let series = series();
                return Err(DataError::BadInterval {
                    series,
                    index,
                    lower,
                    upper,
                });
            }
        }
        Ok(())
    }
}

impl ChartKind for DotPlot {
    fn frame(&self) -> Result<Frame, DataError> {
        self.check()?;
        let values = self.rows.iter().flat_map(|r| r.numbers()).map(|(_, v)| v);
        let reference = self.reference.filter(|v| v.is_finite());
        let (lo, hi) = extent(values.chain(reference)).unwrap_or((0.0, 1.0));
        let has_notes = self.rows.iter().any(|r| r.note.is_some());
        let row_notes = if has_notes {
            let notes = self.rows.iter().map(|r| r.note.clone().unwrap_or_default());
            notes.collect()
        } else {
            Vec::new()
        };
        let legend = self
            .groups()
            .into_iter()
            .map(|(name, colour)| LegendEntry {
                label: name.to_string(),
                colour,
                swatch: Swatch::Dot,
            })
            .collect();
        Ok(Frame {
            x: AxisSpec::Value {
                axis: self.x_axis,
                lo,
                hi,
                zero_floor: false,
            },
            y: AxisSpec::Categories {
                labels: self.rows.iter().map(|r| r.label.clone()).collect(),
            },
            legend,
            row_notes,
        })
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        plane: &Plane,
        style: &Style,
    ) -> Result<(), PlotError> {
        if let Some(x) = self.reference.and_then(|v| plane.x.coord(v)) {
            let x = plane.px_x(x);
            let line = stroke(MUTED, style.axis_width());
            drawn(root.draw(&PathElement::new(
                vec![(x, plane.top), (x, plane.bottom)],
                line,
            )))?;
        }
        let groups = self.groups();
        let cap = style.px(7.0);
        for (i, row) in self.rows.iter().enumerate() {
            let colour = self.colour_of(row, &groups);
            let y = plane.px_y(i as f64);
            if let Some((lower, upper)) = row.interval {
                let ends = (plane.x.coord(lower), plane.x.coord(upper));
                if let (Some(l), Some(u)) = ends {
                    let (l, u) = (plane.px_x(l), plane.px_x(u));
                    let whisker = stroke(colour, style.line_width());
                    let paths = [
                        vec![(l, y), (u, y)],
                        vec![(l, y - cap), (l, y + cap)],
                        vec![(u, y - cap), (u, y + cap)],
                    ];
                    for path in paths {
                        drawn(root.draw(&PathElement::new(path, whisker)))?;
                    }
                }
            }
            if let Some(p) = plane.x.coord(row.value).map(|x| (plane.px_x(x), y)) {
                let dot = Circle::new(p, style.marker_radius() + 3, fill(colour, 1.0));
                drawn(root.draw(&dot))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_keep_first_appearance_order_and_fixed_colours() {
        let plot = DotPlot::new(ValueAxis::linear())
            .with_row(DotRow::new("a", 1.0).in_group("China"))
            .with_row(DotRow::new("b", 2.0).in_group("USA"))
            .with_row(DotRow::new("c", 3.0).in_group("China"));
        let frame = plot.frame().unwrap();
        let labels: Vec<_> = frame.legend.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["China", "USA"]);
        assert_eq!(frame.legend[1].colour, palette::BLUE);
    }

    #[test]
    fn non_positive_on_log_axis_is_rejected() {
        let plot = DotPlot::new(ValueAxis::log10())
            .with_row(DotRow::new("ratio", 2.0).with_interval(0.0, 3.0));
        let err = plot.frame().unwrap_err().to_string();
        assert!(
            err.contains("interval lower") && err.contains("positive"),
            "{err}"
        );
    }
}
