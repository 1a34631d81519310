//! Axes: how values are scaled (linear or log10), where the ticks go and
//! how their labels read (plain numbers, percentages of a share, SI
//! suffixes; dates as years and quarters; category names).

use chrono::{Datelike, NaiveDate};

use crate::format::{format_exact, format_step};

/// How values are spaced along a value axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scale {
    /// Equal distances for equal differences.
    #[default]
    Linear,
    /// Equal distances for equal ratios; values <= 0 are not drawn.
    Log10,
}

/// How tick labels show values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValueFormat {
    /// Decimal numbers, thousands separated by commas ("12,500", "0.25").
    #[default]
    Plain,
    /// A share in [0, 1] shown as a percentage ("25%").
    Percent,
    /// Large counts with SI-style suffixes k, M, B, T ("7B", "1.5M").
    Si,
}

/// A value axis (y of line and bar charts, x of dot plots).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ValueAxis {
    pub scale: Scale,
    pub format: ValueFormat,
    /// A range the axis must show even where there are no data (for
    /// example `(0.0, 1.0)` for shares). The axis always shows all data.
    pub include: Option<(f64, f64)>,
}

impl ValueAxis {
    /// Linear, plain numbers.
    pub fn linear() -> Self {
        Self::default()
    }

    /// Linear, shares in [0, 1] labelled as percentages.
    pub fn share() -> Self {
        Self {
            format: ValueFormat::Percent,
            ..Self::default()
        }
    }

    /// Log10, plain numbers.
    pub fn log10() -> Self {
        Self {
            scale: Scale::Log10,
            ..Self::default()
        }
    }

    /// The same axis with another label format.
    pub fn with_format(self, format: ValueFormat) -> Self {
        Self { format, ..self }
    }

    /// The same axis, always showing `lo..=hi`.
    pub fn including(self, lo: f64, hi: f64) -> Self {
        Self {
            include: Some((lo, hi)),
            ..self
        }
    }
}

/// What the x values of a line chart or stacked-share chart are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum XKind {
    /// Dates as fractional years ([`year_fraction`]); ticks are years or
    /// quarters.
    #[default]
    Dates,
    /// Plain numbers.
    Numbers,
}

/// A date as a fractional year: the year plus the elapsed fraction of it
/// (2024-07-01 is 2024 + 182/366). The x coordinate of dated series.
pub fn year_fraction(date: NaiveDate) -> f64 {
    let days_in_year = if NaiveDate::from_ymd_opt(date.year(), 2, 29).is_some() {
        366.0
    } else {
        365.0
    };
    f64::from(date.year()) + f64::from(date.ordinal0()) / days_in_year
}

/// One tick: its position in axis coordinates (log10 of the value on a
/// log axis, the index of a category) and its label.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tick {
    pub pos: f64,
    pub label: String,
}

/// What an axis has to show, before it knows its length in pixels.
#[derive(Debug, Clone)]
pub(crate) enum AxisSpec {
    /// Values from `lo` to `hi`; a linear axis of non-negative values
    /// starts at zero when `zero_floor`.
    Value {
        axis: ValueAxis,
        lo: f64,
        hi: f64,
        zero_floor: bool,
    },
    /// Fractional years from `lo` to `hi`, with a little room at both
    /// ends when `pad` (lines; not areas, which should fill the plot).
    Time { lo: f64, hi: f64, pad: bool },
    /// One slot per label; on a vertical axis the first is at the top.
    Categories { labels: Vec<String> },
}

/// An axis laid out on a length of pixels.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// Axis coordinates at the two ends.
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    pub ticks: Vec<Tick>,
    /// Positions of small unlabelled ticks (quarters on a yearly axis).
    pub minor: Vec<f64>,
    /// Whether grid lines are drawn at the ticks (not for categories).
    pub grid: bool,
}

impl Resolved {
    /// The axis coordinate of a data value; `None` when it cannot be drawn
    /// (not finite; not positive on a log axis).
    pub fn coord(&self, value: f64) -> Option<f64> {
        match (value.is_finite(), self.log) {
            (false, _) => None,
            (true, true) => (value > 0.0).then(|| value.log10()),
            (true, false) => Some(value),
        }
    }

    /// The coordinate of the axis base (zero, or the lower end of a log
    /// axis), where bars start.
    pub fn base(&self) -> f64 {
        if self.log { self.lo } else { 0.0 }
    }
}

impl AxisSpec {
    /// Ticks for an axis `length_px` long: the finest ticks whose labels
    /// keep apart. `label_px` measures a label along the axis (its width
    /// on a horizontal axis, its line height on a vertical one); labels
    /// keep two digits' room between them (four on a date axis, which
    /// ticks whole years when it spans two years or more).
    pub fn resolve(&self, length_px: u32, label_px: &dyn Fn(&str) -> u32) -> Resolved {
        let room = match self {
            AxisSpec::Time { .. } => label_px("0000"),
            _ => label_px("00"),
        };
        let fits = |ticks: &[Tick], lo: f64, hi: f64| {
            let px_per_unit = f64::from(length_px) / (hi - lo);
            ticks.windows(2).all(|pair| {
                let apart = (pair[1].pos - pair[0].pos).abs() * px_per_unit;
                let widths = label_px(&pair[0].label) + label_px(&pair[1].label);
                apart >= f64::from(widths) / 2.0 + f64::from(room)
            })
        };
        match self {
            AxisSpec::Value {
                axis,
                lo,
                hi,
                zero_floor,
            } => {
                let (lo, hi) = widen(*axis, *lo, *hi, *zero_floor);
                match axis.scale {
                    Scale::Linear => (3..=8)
                        .rev()
                        .map(|target| linear(lo, hi, target, axis.format))
                        .find(|r| fits(&r.ticks, r.lo, r.hi))
                        .unwrap_or_else(|| linear(lo, hi, 2, axis.format)),
                    Scale::Log10 => log10(lo, hi, axis.format, &fits),
                }
            }
            AxisSpec::Time { lo, hi, .. } if !(plausible_year(*lo) && plausible_year(*hi)) => {
                // Not years: labelled as plain numbers rather than dates.
                let axis = ValueAxis::linear();
                let (lo, hi) = widen(axis, *lo, *hi, false);
                linear(lo, hi, 5, axis.format)
            }
            AxisSpec::Time { lo, hi, pad } => {
                // Two years or more: whole years (quarters as minor marks).
                let steps: &[i32] = if hi - lo >= 2.0 {
                    &[12, 24, 60, 120]
                } else {
                    &[3, 6, 12, 24, 60, 120]
                };
                steps
                    .iter()
                    .map(|months| time(*lo, *hi, *pad, *months))
                    .find(|r| fits(&r.ticks, r.lo, r.hi))
                    .unwrap_or_else(|| time(*lo, *hi, *pad, 240))
            }
            AxisSpec::Categories { labels } => categories(labels),
        }
    }
}

/// Whether `x` can be a fractional year of the study (1900-2200): other
/// x values on a date axis are labelled as numbers.
fn plausible_year(x: f64) -> bool {
    (1900.0..=2200.0).contains(&x)
}

/// The data range widened to the included range, to zero, and away from
/// a single value.
fn widen(axis: ValueAxis, lo: f64, hi: f64, zero_floor: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (lo, hi);
    if let Some((a, b)) = axis.include {
        // A log axis cannot include zero or less: those bounds are ignored.
        let usable = |v: f64| v.is_finite() && (axis.scale == Scale::Linear || v > 0.0);
        if usable(a) {
            lo = lo.min(a);
        }
        if usable(b) {
            hi = hi.max(b);
        }
    }
    if axis.scale == Scale::Linear && zero_floor && lo >= 0.0 {
        lo = 0.0;
    }
    if hi > lo {
        return (lo, hi);
    }
    match axis.scale {
        Scale::Log10 => (lo / 2.0, hi * 2.0),
        Scale::Linear if lo == 0.0 => (0.0, 1.0),
        Scale::Linear if zero_floor && lo > 0.0 => (0.0, hi * 1.1),
        Scale::Linear => (lo - lo.abs() * 0.1, hi + hi.abs() * 0.1),
    }
}

/// A 1, 2 or 5 times a power of ten, at least `span / target`.
fn nice_step(span: f64, target: u32) -> f64 {
    let raw = span / f64::from(target.max(1));
    let magnitude = 10f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    let nice = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|n| norm <= n * (1.0 + 1e-9))
        .unwrap_or(10.0);
    nice * magnitude
}

fn linear(lo: f64, hi: f64, target: u32, format: ValueFormat) -> Resolved {
    let step = nice_step(hi - lo, target);
    let first = (lo / step + 1e-9).floor();
    let last = (hi / step - 1e-9).ceil();
    // The tick count is small (span / step <= ~10), so the casts are exact.
    let ticks: Vec<Tick> = (0..=((last - first) as i64))
        .map(|i| {
            let value = (first + i as f64) * step;
            let value = if value.abs() < step * 1e-9 {
                0.0
            } else {
                value
            };
            Tick {
                pos: value,
                label: format_step(value, step, format),
            }
        })
        .collect();
    Resolved {
        lo: first * step,
        hi: last * step,
        log: false,
        ticks,
        minor: Vec::new(),
        grid: true,
    }
}

/// A log axis from the largest 1, 2 or 5 times a power of ten below the
/// data to the smallest above (whole decades beyond four decades), with
/// ticks at 1-2-5, else at every decade, else every few decades: the
/// finest that fits.
fn log10(
    lo: f64,
    hi: f64,
    format: ValueFormat,
    fits: &dyn Fn(&[Tick], f64, f64) -> bool,
) -> Resolved {
    let e0 = lo.log10().floor() as i32;
    let e1 = (hi.log10().ceil() as i32).max(e0 + 1);
    let decades = e1 - e0;
    let values = |mantissas: &'static [f64], every: i32| {
        (e0..=e1)
            .filter(move |e| (e - e0) % every == 0)
            .flat_map(move |e| mantissas.iter().map(move |m| m * 10f64.powi(e)))
    };
    let bounds: Vec<f64> = if decades <= 4 {
        values(&[1.0, 2.0, 5.0], 1).collect()
    } else {
        values(&[1.0], 1).collect()
    };
    let start = bounds
        .iter()
        .copied()
        .filter(|c| *c <= lo * (1.0 + 1e-9))
        .fold(bounds[0], f64::max);
    let end = bounds
        .iter()
        .copied()
        .filter(|c| *c >= hi * (1.0 - 1e-9))
        .fold(bounds[bounds.len() - 1], f64::min);
    let within = |c: &f64| *c >= start * (1.0 - 1e-9) && *c <= end * (1.0 + 1e-9);
    let ticks_of = |mantissas: &'static [f64], every: i32| -> Vec<Tick> {
        values(mantissas, every)
            .filter(within)
            .map(|c| Tick {
                pos: c.log10(),
                label: format_exact(c, format),
            })
            .collect()
    };
    let options = std::iter::once(ticks_of(&[1.0, 2.0, 5.0], 1))
        .chain((1..=decades).map(|every| ticks_of(&[1.0], every)));
    let mut last = Vec::new();
    let mut ticks = Vec::new();
    for option in options {
        if fits(&option, start.log10(), end.log10()) {
            ticks = option;
            break;
        }
        last = option;
    }
    if ticks.is_empty() {
        ticks = last;
    }
    Resolved {
        lo: start.log10(),
        hi: end.log10(),
        log: true,
        ticks,
        minor: Vec::new(),
        grid: true,
    }
}

/// Ticks every `months` months (3: quarters; 12: years; 24: every other
/// year), each labelled by its year ("2024") on January and by its
/// quarter ("Q3") otherwise; the first tick always names its year.
fn time(lo: f64, hi: f64, pad: bool, months: i32) -> Resolved {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let pad = if pad { (hi - lo) * 0.015 } else { 0.0 };
    let (lo, hi) = (lo - pad, hi + pad);
    let starts = month_starts(lo - SNAP, hi + SNAP, 3);
    let on_step = |d: &NaiveDate| {
        let index = d.year() * 12 + d.month0() as i32;
        index % months == 0
    };
    let mut ticks = Vec::new();
    for date in starts.iter().filter(|d| on_step(d)) {
        let label = match (date.month(), ticks.is_empty()) {
            (1, _) => date.year().to_string(),
            (m, true) => format!("{} Q{}", date.year(), (m - 1) / 3 + 1),
            (m, false) => format!("Q{}", (m - 1) / 3 + 1),
        };
        ticks.push(Tick {
            pos: year_fraction(*date).clamp(lo, hi),
            label,
        });
    }
    let minor = if months == 12 {
        starts
            .iter()
            .filter(|d| d.month() != 1)
            .map(|d| year_fraction(*d))
            .filter(|x| (lo..=hi).contains(x))
            .collect()
    } else {
        Vec::new()
    };
    Resolved {
        lo,
        hi,
        log: false,
        ticks,
        minor,
        grid: true,
    }
}

/// How far (in years) outside a date axis a month's first day may be and
/// still be ticked, at the axis end: ten days, so weekly data from Monday
/// 3 January keep their year's tick.
const SNAP: f64 = 10.0 / 365.0;

/// The first days of every `months`-th month (counted from January) that
/// fall within `lo..=hi` (fractional years).
fn month_starts(lo: f64, hi: f64, months: u32) -> Vec<NaiveDate> {
    let first_year = lo.floor() as i32;
    let last_year = hi.floor() as i32;
    (first_year..=last_year)
        .flat_map(|y| (1..=12).step_by(months as usize).map(move |m| (y, m)))
        .filter_map(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1))
        .filter(|d| (lo..=hi).contains(&year_fraction(*d)))
        .collect()
}

fn categories(labels: &[String]) -> Resolved {
    let n = labels.len() as f64;
    Resolved {
        lo: -0.5,
        hi: n - 0.5,
        log: false,
        ticks: labels
            .iter()
            .enumerate()
            .map(|(i, label)| Tick {
                pos: i as f64,
                label: label.clone(),
            })
            .collect(),
        minor: Vec::new(),
        grid: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(r: &Resolved) -> Vec<&str> {
        r.ticks.iter().map(|t| t.label.as_str()).collect()
    }

    fn chars(s: &str) -> u32 {
        10 * s.chars().count() as u32
    }

    #[test]
    fn year_fraction_counts_days() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(year_fraction(d(2023, 1, 1)), 2023.0);
        assert_eq!(year_fraction(d(2024, 7, 1)), 2024.0 + 182.0 / 366.0);
        assert!(year_fraction(d(2023, 12, 31)) < 2024.0);
    }

    #[test]
    fn share_axis_reads_as_percent() {
        let spec = AxisSpec::Value {
            axis: ValueAxis::share(),
            lo: 0.1,
            hi: 0.62,
            zero_floor: true,
        };
        let r = spec.resolve(500, &|_| 20);
        assert_eq!(r.lo, 0.0);
        assert!(r.hi >= 0.62);
        assert_eq!(labels(&r)[0], "0%");
        assert!(labels(&r).contains(&"20%"), "{:?}", labels(&r));
    }

    #[test]
    fn log_axis_ticks_at_round_values() {
        let spec = AxisSpec::Value {
            axis: ValueAxis::log10().with_format(ValueFormat::Si),
            lo: 3e8,
            hi: 7e10,
            zero_floor: true,
        };
        let r = spec.resolve(500, &|_| 20);
        assert!(r.log);
        // Room for every 1-2-5 tick.
        assert_eq!(
            labels(&r),
            vec![
                "200M", "500M", "1B", "2B", "5B", "10B", "20B", "50B", "100B"
            ]
        );
        assert_eq!(r.coord(-1.0), None);
        // Room for few ticks: decades only, range still tight (200M-100B).
        let r = spec.resolve(150, &|_| 20);
        assert_eq!(labels(&r), vec!["1B", "10B", "100B"]);
        assert!((r.lo - 2e8f64.log10()).abs() < 1e-12);
    }

    #[test]
    fn dates_tick_by_quarter_then_by_year() {
        let short = AxisSpec::Time {
            lo: 2024.3,
            hi: 2025.2,
            pad: true,
        }
        .resolve(900, &chars);
        assert_eq!(labels(&short), vec!["2024 Q3", "Q4", "2025"]);
        let long = AxisSpec::Time {
            lo: 2020.0,
            hi: 2025.5,
            pad: false,
        }
        .resolve(800, &chars);
        assert_eq!(
            labels(&long),
            vec!["2020", "2021", "2022", "2023", "2024", "2025"]
        );
        assert!(!long.minor.is_empty());
        // Weekly data from Monday 2022-01-03: 1 January is ticked at the
        // axis start (the axis does not reach before the data).
        let monday = year_fraction(NaiveDate::from_ymd_opt(2022, 1, 3).unwrap());
        let weekly = AxisSpec::Time {
            lo: monday,
            hi: 2025.7,
            pad: false,
        }
        .resolve(800, &chars);
        assert_eq!(weekly.lo, monday);
        assert_eq!(labels(&weekly)[0], "2022");
        assert_eq!(weekly.ticks[0].pos, monday);
    }

    #[test]
    fn impossible_ranges_do_not_hang() {
        // Zero cannot be on a log axis: the included zero is ignored.
        let log = AxisSpec::Value {
            axis: ValueAxis::log10().including(0.0, 100.0),
            lo: 2.0,
            hi: 50.0,
            zero_floor: true,
        }
        .resolve(500, &|_| 20);
        assert!(log.lo >= 0.0 && log.hi == 2.0, "{log:?}");
        // Raw numbers on a date axis are labelled as numbers.
        let time = AxisSpec::Time {
            lo: 0.0,
            hi: 1e9,
            pad: true,
        }
        .resolve(800, &chars);
        assert!(time.ticks.len() < 20 && !time.ticks.is_empty());
    }
}
