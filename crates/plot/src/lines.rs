//! Line charts: named series over dates or numbers, each with an optional
//! band (a lower and an upper bound per point, e.g. a bootstrap interval)
//! drawn as a translucent area, on a linear or log10 y axis.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::element::{Circle, PathElement, Polygon};
use plotters::prelude::DrawingBackend;

use crate::axis::{AxisSpec, ValueAxis, XKind, year_fraction};
use crate::error::{DataError, PlotError};
use crate::frame::{ChartKind, Frame, Plane, drawn, fill, stroke};
use crate::legend::{LegendEntry, Swatch};
use crate::palette::{self, Rgb};
use crate::style::Style;

/// Series with at most this many points also get a dot at each point.
const MARKERS_UP_TO: usize = 24;
/// Opacity of a band.
const BAND_OPACITY: f64 = 0.2;

/// One named line. Points whose y is not finite (or not positive on a log
/// axis) are not drawn: the line has a gap there.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Lower and upper bound per point, drawn as a band.
    pub band: Option<(Vec<f64>, Vec<f64>)>,
    /// A colour instead of the name's colour (see [`palette::assign`]).
    pub colour: Option<Rgb>,
}

impl Series {
    /// A series over numbers (or fractional years).
    pub fn new(name: impl Into<String>, x: &[f64], y: &[f64]) -> Self {
        Self {
            name: name.into(),
            x: x.to_vec(),
            y: y.to_vec(),
            band: None,
            colour: None,
        }
    }

    /// A series over dates.
    pub fn dated(name: impl Into<String>, dates: &[NaiveDate], y: &[f64]) -> Self {
        let x: Vec<f64> = dates.iter().map(|d| year_fraction(*d)).collect();
        Self::new(name, &x, y)
    }

    pub fn with_band(self, lower: &[f64], upper: &[f64]) -> Self {
        Self {
            band: Some((lower.to_vec(), upper.to_vec())),
            ..self
        }
    }

    pub fn with_colour(self, colour: Rgb) -> Self {
        Self {
            colour: Some(colour),
            ..self
        }
    }

    fn check(&self) -> Result<(), DataError> {
        let series = || self.name.clone();
        let expected = self.x.len();
        let mut lengths = vec![("y", self.y.len())];
        if let Some((lower, upper)) = &self.band {
            lengths.extend([("band lower", lower.len()), ("band upper", upper.len())]);
        }
        for (what, got) in lengths {
            if got != expected {
                let (series, expected) = (series(), expected);
                return Err(DataError::LengthMismatch {
                    series,
                    what,
                    expected,
                    got,
                });
            }
        }
        for (index, pair) in self.x.windows(2).enumerate() {
            if !pair[0].is_finite() {
                let value = pair[0];
                let what = "x";
                return Err(DataError::NotFinite {
                    series: series(),
                    what,
                    index,
                    value,
                });
            }
            if pair[1] < pair[0] {
                let index = index + 1;
                return Err(DataError::NotSorted {
                    series: series(),
                    index,
                });
            }
        }
        if let Some(&value) = self.x.last().filter(|v| !v.is_finite()) {
            let index = self.x.len() - 1;
            let what = "x";
            return Err(DataError::NotFinite {
                series: series(),
                what,
                index,
                value,
            });
        }
        if let Some((lower, upper)) = &self.band {
            for (index, (&lower, &upper)) in lower.iter().zip(upper).enumerate() {
                if lower > upper {
                    return Err(DataError::BadInterval {
                        series: series(),
                        index,
                        lower,
                        upper,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Several named series over a shared x axis.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineChart {
    pub x_kind: XKind,
    pub y_axis: ValueAxis,
    pub series: Vec<Series>,
}

impl LineChart {
    pub fn new(x_kind: XKind, y_axis: ValueAxis) -> Self {
        Self {
            x_kind,
            y_axis,
            series: Vec::new(),
        }
    }

    pub fn with_series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    fn colours(&self) -> Vec<Rgb> {
        let entries: Vec<_> = self
            .series
            .iter()
            .map(|s| (s.name.as_str(), s.colour))
            .collect();
        palette::assign(&entries)
    }
}

impl ChartKind for LineChart {
    fn frame(&self) -> Result<Frame, DataError> {
        if self.series.is_empty() {
            return Err(DataError::Empty("a line chart without series".into()));
        }
        self.series.iter().try_for_each(Series::check)?;
        let log = self.y_axis.scale == crate::axis::Scale::Log10;
        let drawable = |v: &f64| v.is_finite() && (!log || *v > 0.0);
        let ys = self.series.iter().flat_map(|s| {
            let band = s.band.iter().flat_map(|(l, u)| l.iter().chain(u));
            s.y.iter().chain(band).copied().filter(drawable)
        });
        let (y_lo, y_hi) = extent(ys).ok_or_else(|| {
            DataError::Empty("no series has a finite y value (positive on a log axis)".into())
        })?;
        let (x_lo, x_hi) = extent(self.series.iter().flat_map(|s| s.x.iter().copied()))
            .ok_or_else(|| DataError::Empty("every series has no points".into()))?;
        let x = match self.x_kind {
            XKind::Dates => AxisSpec::Time {
                lo: x_lo,
                hi: x_hi,
                pad: true,
            },
            XKind::Numbers => AxisSpec::Value {
                axis: ValueAxis::linear(),
                lo: x_lo,
                hi: x_hi,
                zero_floor: false,
            },
        };
        let y = AxisSpec::Value {
            axis: self.y_axis,
            lo: y_lo,
            hi: y_hi,
            zero_floor: true,
        };
        let legend = self
            .series
            .iter()
            .zip(self.colours())
            .map(|(s, colour)| LegendEntry {
                label: s.name.clone(),
                colour,
                swatch: Swatch::Line,
            })
            .collect();
        Ok(Frame {
            x,
            y,
            legend,
            row_notes: Vec::new(),
        })
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        plane: &Plane,
        style: &Style,
    ) -> Result<(), PlotError> {
        let colours = self.colours();
        for (series, &colour) in self.series.iter().zip(&colours) {
            if let Some((lower, upper)) = &series.band {
                draw_band(root, plane, &series.x, lower, upper, colour)?;
            }
        }
        for (series, &colour) in self.series.iter().zip(&colours) {
            let line = stroke(colour, style.line_width());
            let dot = |p| Circle::new(p, style.marker_radius(), fill(colour, 1.0));
            let points = series.x.iter().zip(&series.y);
            let runs = runs(points.clone().map(|(&x, &y)| plane.point(x, y)));
            for run in &runs {
                match run.as_slice() {
                    // A point between gaps has no line: it gets a dot.
                    [alone] => drawn(root.draw(&dot(*alone)))?,
                    _ => drawn(root.draw(&PathElement::new(run.clone(), line)))?,
                }
            }
            if series.x.len() <= MARKERS_UP_TO {
                let runs_of_many = runs.iter().filter(|run| run.len() > 1);
                for &p in runs_of_many.flatten() {
                    drawn(root.draw(&dot(p)))?;
                }
            }
        }
        Ok(())
    }
}

/// The smallest and largest of some values; `None` when there are none.
pub(crate) fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// The runs of consecutive drawable points (a `None` ends a run).
fn runs<P>(points: impl Iterator<Item = Option<P>>) -> Vec<Vec<P>> {
    let mut runs = vec![Vec::new()];
    for point in points {
        match point {
            Some(p) => runs.last_mut().map_or((), |run| run.push(p)),
            None => runs.push(Vec::new()),
        }
    }
    runs.retain(|run| !run.is_empty());
    runs
}

fn draw_band<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plane: &Plane,
    x: &[f64],
    lower: &[f64],
    upper: &[f64],
    colour: Rgb,
) -> Result<(), PlotError> {
    let pairs = x.iter().zip(lower.iter().zip(upper)).map(|(&x, (&l, &u))| {
        let (lower, upper) = (plane.point(x, l)?, plane.point(x, u)?);
        Some((lower, upper))
    });
    for run in runs(pairs) {
        let mut outline: Vec<(i32, i32)> = run.iter().map(|(_, u)| *u).collect();
        outline.extend(run.iter().rev().map(|(l, _)| *l));
        drawn(root.draw(&Polygon::new(outline, fill(colour, BAND_OPACITY))))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_split_a_line_into_runs() {
        let r = runs([Some(1), Some(2), None, Some(3), None, None].into_iter());
        assert_eq!(r, vec![vec![1, 2], vec![3]]);
    }

    #[test]
    fn bad_series_are_named_in_the_error() {
        let chart = LineChart::new(XKind::Numbers, ValueAxis::linear())
            .with_series(Series::new("ok", &[1.0, 2.0], &[1.0, 2.0]))
            .with_series(Series::new("backwards", &[2.0, 1.0], &[1.0, 2.0]));
        let err = chart.frame().unwrap_err();
        assert_eq!(
            err,
            DataError::NotSorted {
                series: "backwards".into(),
                index: 1
            }
        );
        let short = LineChart::default().with_series(Series::new("s", &[1.0], &[]));
        assert!(matches!(
            short.frame(),
            Err(DataError::LengthMismatch { what: "y", .. })
        ));
    }

    #[test]
    fn all_nan_is_empty_not_a_panic() {
        let chart = LineChart::default().with_series(Series::new("s", &[1.0], &[f64::NAN]));
        assert!(matches!(chart.frame(), Err(DataError::Empty(_))));
    }
}
