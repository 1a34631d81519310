//! What every figure has, whatever its chart: size, title, subtitle, axis
//! labels and where the legend goes.

/// The subtitle of every figure drawn from synthetic data.
pub const SYNTHETIC_SUBTITLE: &str = "synthetic sample: not the paper's data";

/// Default size in pixels (PNG) and SVG user units.
pub const DEFAULT_WIDTH: u32 = 1200;
pub const DEFAULT_HEIGHT: u32 = 750;

/// Where the legend goes. It never goes inside the plot area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LegendPlacement {
    /// Right of the plot when it fits in 30% of the width and the plot's
    /// height, else below.
    #[default]
    Auto,
    Right,
    Below,
    /// No legend (a single unnamed series, or labels shown elsewhere).
    Hidden,
}

/// The frame of a figure: everything but the data.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub title: String,
    /// A line under the title; [`SYNTHETIC_SUBTITLE`] for synthetic data.
    pub subtitle: Option<String>,
    /// The x axis label, with units ("Week", "Parameters (billions)").
    pub x_label: String,
    /// The y axis label, with units ("Share of downloads (%)").
    pub y_label: String,
    pub legend: LegendPlacement,
    pub width: u32,
    pub height: u32,
}

impl Figure {
    /// A 1200 x 750 figure with an automatic legend and no subtitle.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            subtitle: None,
            x_label: x_label.into(),
            y_label: y_label.into(),
            legend: LegendPlacement::Auto,
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
        }
    }

    pub fn with_subtitle(self, subtitle: impl Into<String>) -> Self {
        Self {
            subtitle: Some(subtitle.into()),
            ..self
        }
    }

    /// The subtitle [`SYNTHETIC_SUBTITLE`] when `synthetic`.
    pub fn synthetic(self, synthetic: bool) -> Self {
        if synthetic {
            self.with_subtitle(SYNTHETIC_SUBTITLE)
        } else {
            self
        }
    }

    pub fn with_legend(self, legend: LegendPlacement) -> Self {
        Self { legend, ..self }
    }

    pub fn with_size(self, width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            ..self
        }
    }
}
