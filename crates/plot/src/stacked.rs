//! Stacked areas of shares over time: at every x the layers' shares sum to
//! one, and the y axis runs from 0% to 100%. The first layer is at the
//! bottom; the legend lists layers top-down, as they are stacked.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::element::{PathElement, Polygon};
use plotters::prelude::DrawingBackend;

use crate::axis::{AxisSpec, ValueAxis, XKind, year_fraction};
use crate::error::{DataError, PlotError};
use crate::frame::{ChartKind, Frame, Plane, drawn, fill, stroke};
use crate::legend::{LegendEntry, Swatch};
use crate::palette::{self, Rgb};
use crate::style::{PAPER, Style};

/// How far the shares at one x may sum away from one.
pub const SUM_TOLERANCE: f64 = 1e-6;

/// One category's share at every x.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub name: String,
    pub shares: Vec<f64>,
    pub colour: Option<Rgb>,
}

/// Shares of categories over x (usually dates).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StackedShares {
    pub x_kind: XKind,
    pub x: Vec<f64>,
    /// Bottom layer first.
    pub layers: Vec<Layer>,
}

impl StackedShares {
    /// Shares over dates.
    pub fn dated(dates: &[NaiveDate]) -> Self {
        Self {
            x_kind: XKind::Dates,
            x: dates.iter().map(|d| year_fraction(*d)).collect(),
            layers: Vec::new(),
        }
    }

    /// Shares over numbers.
    pub fn numbered(x: &[f64]) -> Self {
        Self {
            x_kind: XKind::Numbers,
            x: x.to_vec(),
            layers: Vec::new(),
        }
    }

    /// Adds a layer on top of the others.
    pub fn with_layer(mut self, name: impl Into<String>, shares: &[f64]) -> Self {
        self.layers.push(Layer {
            name: name.into(),
            shares: shares.to_vec(),
            colour: None,
        });
        self
    }

    fn colours(&self) -> Vec<Rgb> {
        let entries: Vec<_> = self
            .layers
            .iter()
            .map(|l| (l.name.as_str(), l.colour))
            .collect();
        palette::assign(&entries)
    }

    fn check(&self) -> Result<(), DataError> {
        if self.layers.is_empty() {
            return Err(DataError::Empty(
                "a stacked share chart without layers".into(),
            ));
        }
        if self.x.len() < 2 {
            return Err(DataError::Empty(format!(
                "a stacked share chart needs at least two x values, got {}",
                self.x.len()
            )));
        }
        for (index, pair) in self.x.windows(2).enumerate() {
            if let Some(&value) = pair.iter().find(|v| !v.is_finite()) {
                let series = "x".to_string();
                return Err(DataError::NotFinite {
                    series,
                    what: "x",
                    index,
                    value,
                });
            }
            if pair[1] < pair[0] {
                let series = "x".to_string();
                let index = index + 1;
                return Err(DataError::NotSorted { series, index });
            }
        }
        for layer in &self.layers {
            check_layer(layer, self.x.len())?;
        }
        for (index, &x) in self.x.iter().enumerate() {
            let sum: f64 = self.layers.iter().map(|l| l.shares[index]).sum();
            if (sum - 1.0).abs() > SUM_TOLERANCE {
                return Err(DataError::SharesDoNotSumToOne { index, x, sum });
            }
        }
        Ok(())
    }
}

impl ChartKind for StackedShares {
    fn frame(&self) -> Result<Frame, DataError> {
        self.check()?;
        let (lo, hi) = (self.x[0], self.x[self.x.len() - 1]);
        let x = match self.x_kind {
            XKind::Dates => AxisSpec::Time { lo, hi, pad: false },
            XKind::Numbers => AxisSpec::Value {
                axis: ValueAxis::linear(),
                lo,
                hi,
                zero_floor: false,
            },
        };
        let y = AxisSpec::Value {
            axis: ValueAxis::share(),
            lo: 0.0,
            hi: 1.0,
            zero_floor: true,
        };
        let legend = self
            .layers
            .iter()
            .zip(self.colours())
            .rev()
            .map(|(l, colour)| LegendEntry {
                label: l.name.clone(),
                colour,
                swatch: Swatch::Area,
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
        let mut below = vec![0.0; self.x.len()];
        let separator = stroke(PAPER, style.px(1.5).max(1) as u32);
        for (layer, colour) in self.layers.iter().zip(self.colours()) {
            let above: Vec<f64> = below
                .iter()
                .zip(&layer.shares)
                .map(|(b, s)| b + s)
                .collect();
            let top = pixels(&self.x, plane, &above);
            let mut outline = top.clone();
            outline.extend(pixels(&self.x, plane, &below).into_iter().rev());
            drawn(root.draw(&Polygon::new(outline, fill(colour, 1.0))))?;
            drawn(root.draw(&PathElement::new(top, separator)))?;
            below = above;
        }
        Ok(())
    }
}

/// The pixels of the boundary at `cumulative` shares (clamped into [0, 1]
/// against rounding).
fn pixels(x: &[f64], plane: &Plane, cumulative: &[f64]) -> Vec<(i32, i32)> {
    let clamp = |v: f64| v.clamp(0.0, 1.0);
    x.iter()
        .zip(cumulative)
        .filter_map(|(&x, &y)| plane.point(x, clamp(y)))
        .collect()
}

fn check_layer(layer: &Layer, expected: usize) -> Result<(), DataError> {
    if layer.shares.len() != expected {
        return Err(DataError::LengthMismatch {
            series: layer.name.clone(),
            what: "shares",
            expected,
            got: layer.shares.len(),
        });
    }
    for (index, &value) in layer.shares.iter().enumerate() {
        if !value.is_finite() {
            let series = layer.name.clone();
            let what = "share";
            return Err(DataError::NotFinite {
                series,
                what,
                index,
                value,
            });
        }
        if !(-SUM_TOLERANCE..=1.0 + SUM_TOLERANCE).contains(&value) {
            let series = layer.name.clone();
            return Err(DataError::ShareOutOfRange {
                series,
                index,
                value,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_must_sum_to_one() {
        let chart = StackedShares::numbered(&[1.0, 2.0])
            .with_layer("a", &[0.5, 0.5])
            .with_layer("b", &[0.5, 0.4]);
        let err = chart.frame().unwrap_err();
        assert!(matches!(
            err,
            DataError::SharesDoNotSumToOne {
                index: 1,
                x: 2.0,
                ..
            }
        ));
    }

    #[test]
    fn nan_share_is_rejected_by_name() {
        let chart = StackedShares::numbered(&[1.0, 2.0])
            .with_layer("a", &[1.0, f64::NAN])
            .with_layer("b", &[0.0, 0.0]);
        let err = chart.frame().unwrap_err().to_string();
        assert!(err.contains("\"a\"") && err.contains("NaN"), "{err}");
    }

    #[test]
    fn legend_lists_the_top_layer_first() {
        let frame = StackedShares::numbered(&[1.0, 2.0])
            .with_layer("bottom", &[0.5, 0.5])
            .with_layer("top", &[0.5, 0.5])
            .frame()
            .unwrap();
        assert_eq!(frame.legend[0].label, "top");
    }
}
