//! Grouped bars: one cluster per category, one bar per group in each
//! cluster, with optional interval whiskers. Bars start at zero, so the
//! value axis is linear.

use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::element::{PathElement, Rectangle};
use plotters::prelude::DrawingBackend;

use crate::axis::{AxisSpec, Scale, ValueAxis};
use crate::error::{DataError, PlotError};
use crate::frame::{ChartKind, Frame, Plane, drawn, fill, stroke};
use crate::legend::{LegendEntry, Swatch};
use crate::lines::extent;
use crate::palette::{self, Rgb};
use crate::style::{INK, Style};

/// The share of a category's slot its cluster of bars fills.
const CLUSTER_WIDTH: f64 = 0.8;

/// One group's bar in every category.
#[derive(Debug, Clone, PartialEq)]
pub struct BarGroup {
    pub name: String,
    /// One value per category.
    pub values: Vec<f64>,
    /// Optional (lower, upper) per category, drawn as whiskers.
    pub intervals: Option<Vec<(f64, f64)>>,
    pub colour: Option<Rgb>,
}

/// Categories along x, a cluster of group bars in each.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupedBars {
    pub categories: Vec<String>,
    pub groups: Vec<BarGroup>,
    pub y_axis: ValueAxis,
    /// Colour each bar by its category (USA blue, ...) instead of by its
    /// group; only for a single group, and then without a legend (the axis
    /// names the categories).
    pub colour_by_category: bool,
}

impl GroupedBars {
    pub fn new<S: Into<String>>(
        categories: impl IntoIterator<Item = S>,
        y_axis: ValueAxis,
    ) -> Self {
        Self {
            categories: categories.into_iter().map(Into::into).collect(),
            groups: Vec::new(),
            y_axis,
            colour_by_category: false,
        }
    }

    /// Bars coloured by category (a single group only).
    pub fn coloured_by_category(self) -> Self {
        Self {
            colour_by_category: true,
            ..self
        }
    }

    pub fn with_group(mut self, name: impl Into<String>, values: &[f64]) -> Self {
        self.groups.push(BarGroup {
            name: name.into(),
            values: values.to_vec(),
            intervals: None,
            colour: None,
        });
        self
    }

    /// A group with a (lower, upper) interval per category.
    pub fn with_group_intervals(
        self,
        name: impl Into<String>,
        values: &[f64],
        intervals: &[(f64, f64)],
    ) -> Self {
        let mut bars = self.with_group(name, values);
        if let Some(group) = bars.groups.last_mut() {
            group.intervals = Some(intervals.to_vec());
        }
        bars
    }

    /// The colour of the bar of group `g` in category `c`.
    fn colour(&self, g: usize, c: usize, groups: &[Rgb], categories: &[Rgb]) -> Rgb {
        let (colours, i) = if self.colour_by_category {
            (categories, c)
        } else {
            (groups, g)
        };
        colours.get(i).copied().unwrap_or(INK)
    }

    fn category_colours(&self) -> Vec<Rgb> {
        let entries: Vec<_> = self.categories.iter().map(|c| (c.as_str(), None)).collect();
        palette::assign(&entries)
    }

    fn colours(&self) -> Vec<Rgb> {
        let entries: Vec<_> = self
            .groups
            .iter()
            .map(|g| (g.name.as_str(), g.colour))
            .collect();
        palette::assign(&entries)
    }

    fn check(&self) -> Result<(), DataError> {
        if self.categories.is_empty() || self.groups.is_empty() {
            return Err(DataError::Empty(
                "a bar chart needs at least one category and one group".into(),
            ));
        }
        if self.y_axis.scale == Scale::Log10 {
            return Err(DataError::Unsupported(
                "bars start at zero, so their axis must be linear".into(),
            ));
        }
        if self.colour_by_category && self.groups.len() > 1 {
            return Err(DataError::Unsupported(format!(
                "bars coloured by category need a single group, got {}",
                self.groups.len()
            )));
        }
        self.groups
            .iter()
            .try_for_each(|g| check_group(g, self.categories.len()))
    }
}

impl ChartKind for GroupedBars {
    fn frame(&self) -> Result<Frame, DataError> {
        self.check()?;
        let values = self.groups.iter().flat_map(|g| {
            let ends = g.intervals.iter().flatten().flat_map(|(l, u)| [*l, *u]);
            g.values.iter().copied().chain(ends)
        });
        let (lo, hi) = extent(values.chain([0.0])).unwrap_or((0.0, 1.0));
        let legend = if self.colour_by_category {
            Vec::new()
        } else {
            let groups = self.groups.iter().zip(self.colours());
            let entry = |(g, colour): (&BarGroup, Rgb)| LegendEntry {
                label: g.name.clone(),
                colour,
                swatch: Swatch::Area,
            };
            groups.map(entry).collect()
        };
        Ok(Frame {
            x: AxisSpec::Categories {
                labels: self.categories.clone(),
            },
            y: AxisSpec::Value {
                axis: self.y_axis,
                lo,
                hi,
                zero_floor: true,
            },
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
        let n = self.groups.len() as f64;
        let bar = CLUSTER_WIDTH / n;
        let gap = (style.px(2.0) as f64 / plane.x_scale()).min(bar / 4.0);
        let zero = plane.px_y(plane.y.base());
        let whisker = stroke(INK, style.axis_width());
        let (groups, categories) = (self.colours(), self.category_colours());
        for (g, group) in self.groups.iter().enumerate() {
            for (c, &value) in group.values.iter().enumerate() {
                let colour = self.colour(g, c, &groups, &categories);
                let x0 = c as f64 - CLUSTER_WIDTH / 2.0 + g as f64 * bar;
                let (left, right) = (plane.px_x(x0 + gap / 2.0), plane.px_x(x0 + bar - gap / 2.0));
                // Top-left corner first: SVG has no negative heights.
                let top = plane.px_y(value);
                let corners = [(left, top.min(zero)), (right, top.max(zero))];
                drawn(root.draw(&Rectangle::new(corners, fill(colour, 1.0))))?;
                if let Some(&(lower, upper)) = group.intervals.as_ref().and_then(|i| i.get(c)) {
                    let mid = (left + right) / 2;
                    let cap = ((right - left) / 4).clamp(style.px(4.0), style.px(12.0));
                    let (yl, yu) = (plane.px_y(lower), plane.px_y(upper));
                    let paths = [
                        vec![(mid, yl), (mid, yu)],
                        vec![(mid - cap, yl), (mid + cap, yl)],
                        vec![(mid - cap, yu), (mid + cap, yu)],
                    ];
                    for path in paths {
                        drawn(root.draw(&PathElement::new(path, whisker)))?;
                    }
                }
            }
        }
        Ok(())
    }
}

fn check_group(group: &BarGroup, expected: usize) -> Result<(), DataError> {
    let series = || group.name.clone();
    let mut lengths = vec![("values", group.values.len())];
    if let Some(intervals) = &group.intervals {
        lengths.push(("intervals", intervals.len()));
    }
    if let Some((what, got)) = lengths.into_iter().find(|(_, got)| *got != expected) {
        let series = series();
        return Err(DataError::LengthMismatch {
            series,
            what,
            expected,
            got,
        });
    }
    let intervals = group.intervals.iter().flatten();
    let numbers = group
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| ("value", i, *v))
        .chain(
            intervals
                .enumerate()
                .flat_map(|(i, (l, u))| [("interval lower", i, *l), ("interval upper", i, *u)]),
        );
    for (what, index, value) in numbers {
        if !value.is_finite() {
            let series = series();
            return Err(DataError::NotFinite {
                series,
                what,
                index,
                value,
            });
        }
    }
    for (index, &(lower, upper)) in group.intervals.iter().flatten().enumerate() {
        if lower > upper {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_bar_is_rejected_with_its_group_and_index() {
        let bars = GroupedBars::new(["2022", "2024"], ValueAxis::share())
            .with_group("USA", &[0.4, f64::NAN]);
        let err = bars.frame().unwrap_err();
        assert!(matches!(
            err,
            DataError::NotFinite { ref series, index: 1, what: "value", .. } if series == "USA"
        ));
    }

    #[test]
    fn bars_by_category_take_the_category_colours() {
        let bars = GroupedBars::new(["USA", "China"], ValueAxis::share())
            .with_group("change", &[-0.2, 0.2])
            .coloured_by_category();
        let colours = (bars.colours(), bars.category_colours());
        assert_eq!(bars.colour(0, 0, &colours.0, &colours.1), palette::BLUE);
        assert_eq!(
            bars.colour(0, 1, &colours.0, &colours.1),
            palette::VERMILLION
        );
        assert!(bars.frame().unwrap().legend.is_empty());
        let two = bars.with_group("other", &[0.1, 0.1]);
        assert!(matches!(two.frame(), Err(DataError::Unsupported(_))));
    }

    #[test]
    fn log_bars_are_refused() {
        let bars = GroupedBars::new(["a"], ValueAxis::log10()).with_group("g", &[1.0]);
        assert!(matches!(bars.frame(), Err(DataError::Unsupported(_))));
    }

    #[test]
    fn axis_covers_whiskers_and_zero() {
        let frame = GroupedBars::new(["a"], ValueAxis::linear())
            .with_group_intervals("g", &[5.0], &[(3.0, 9.0)])
            .frame()
            .unwrap();
        match frame.y {
            AxisSpec::Value { lo, hi, .. } => assert_eq!((lo, hi), (0.0, 9.0)),
            other => panic!("{other:?}"),
        }
    }
}
