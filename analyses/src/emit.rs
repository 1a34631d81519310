//! Writing the four files of an analysis.

use std::path::PathBuf;

use anyhow::Context as _;
use hubecon_plot::{Chart, DataError, Figure, PlotError, render, render_message};
use polars::prelude::*;

use crate::context::Context;
use crate::output::{Headline, Paths, csv_text, json_text, write_atomic};

/// Writes `NN_slug.csv` (the plotted data), `NN_slug.json` (the headline
/// numbers) and the figure as `NN_slug.svg` and `NN_slug.png`; returns the
/// paths written.
pub fn emit(
    ctx: &Context,
    stem: &str,
    table: &DataFrame,
    headline: &Headline,
    figure: &Figure,
    chart: &Chart,
) -> anyhow::Result<Vec<PathBuf>> {
    let paths = Paths::new(&ctx.out, stem);
    write_atomic(&paths.csv, csv_text(table)?.as_bytes())?;
    write_atomic(&paths.json, json_text(headline)?.as_bytes())?;
    match render(figure, chart, &paths.svg, &paths.png) {
        // A span or listing without the data this chart needs is a result,
        // not a failure: the figure says so.
        Err(PlotError::Data {
            source: DataError::Empty(what),
            ..
        }) => render_message(
            figure,
            &format!(
                "Not measurable on this data: {what} ({}).",
                ctx.coverage.span()
            ),
            &paths.svg,
            &paths.png,
        ),
        other => other,
    }
    .with_context(|| format!("drawing {}", paths.svg.display()))?;
    Ok(paths.all())
}
