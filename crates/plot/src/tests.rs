//! Rendering tests over every chart kind: files, text, colours, sizes,
//! determinism and bad data.

use chrono::NaiveDate;

use super::*;

fn dates(n: usize) -> Vec<NaiveDate> {
    let start = NaiveDate::from_ymd_opt(2022, 1, 3).unwrap();
    (0..n)
        .map(|i| start + chrono::Days::new(7 * i as u64))
        .collect()
}

fn fig(title: &str) -> Figure {
    Figure::new(title, "Week", "Share of downloads (%)").synthetic(true)
}

fn lines() -> Chart {
    let d = dates(120);
    let usa: Vec<f64> = (0..120).map(|i| 0.6 - 0.002 * i as f64).collect();
    let china: Vec<f64> = (0..120).map(|i| 0.1 + 0.002 * i as f64).collect();
    let lower: Vec<f64> = usa.iter().map(|v| v - 0.03).collect();
    let upper: Vec<f64> = usa.iter().map(|v| v + 0.03).collect();
    LineChart::new(XKind::Dates, ValueAxis::share())
        .with_series(Series::dated("USA", &d, &usa).with_band(&lower, &upper))
        .with_series(Series::dated("China", &d, &china))
        .into()
}

fn stacked() -> Chart {
    let d = dates(60);
    let a: Vec<f64> = (0..60).map(|i| 0.5 - 0.004 * i as f64).collect();
    let b: Vec<f64> = (0..60).map(|i| 0.2 + 0.004 * i as f64).collect();
    StackedShares::dated(&d)
        .with_layer("USA", &a)
        .with_layer("China", &b)
        .with_layer("Europe", &vec![0.3; 60])
        .into()
}

fn bars() -> Chart {
    GroupedBars::new(["2022", "2023", "2024"], ValueAxis::share())
        .with_group_intervals(
            "open_source",
            &[0.2, 0.15, 0.1],
            &[(0.18, 0.22), (0.12, 0.17), (0.08, 0.12)],
        )
        .with_group("open_weights", &[0.8, 0.85, 0.9])
        .into()
}

fn dots() -> Chart {
    DotPlot::new(ValueAxis::log10())
        .with_reference(1.0)
        .with_row(
            DotRow::new("C6 model size ratio", 17.0)
                .with_interval(12.0, 24.0)
                .in_group("significant")
                .with_note("x17.0, p < 0.001"),
        )
        .with_row(
            DotRow::new("C8 quantized share ratio", 1.4)
                .with_interval(0.9, 2.0)
                .in_group("not significant"),
        )
        .into()
}

fn all_kinds() -> Vec<(&'static str, Chart, Vec<&'static str>)> {
    vec![
        ("lines", lines(), vec!["USA", "China"]),
        ("stacked", stacked(), vec!["USA", "China", "Europe"]),
        ("bars", bars(), vec!["open_source", "open_weights"]),
        ("dots", dots(), vec!["significant", "not significant"]),
    ]
}

#[test]
fn every_kind_writes_both_files_with_its_text() {
    let dir = tempfile::tempdir().unwrap();
    for (name, chart, legend) in all_kinds() {
        let title = format!("Figure of {name}");
        let (svg_path, png_path) = (
            dir.path().join(format!("{name}.svg")),
            dir.path().join(format!("{name}.png")),
        );
        render(&fig(&title), &chart, &svg_path, &png_path).unwrap();
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        assert!(svg.len() > 3000, "{name}: {} bytes of SVG", svg.len());
        assert!(svg.contains(&title), "{name}: no title");
        assert!(
            svg.contains(SYNTHETIC_SUBTITLE.replace('\'', "&apos;").as_str())
                || svg.contains(SYNTHETIC_SUBTITLE),
            "{name}: no subtitle"
        );
        for label in legend {
            assert!(
                svg.contains(&format!(">\n{label}\n<")) || svg.contains(&format!(">{label}<")),
                "{name}: no legend label {label}"
            );
        }
        let png = std::fs::read(&png_path).unwrap();
        assert!(png.len() > 10_000, "{name}: {} bytes of PNG", png.len());
        let image = image::load_from_memory(&png).unwrap();
        assert_eq!(
            (image.width(), image.height()),
            (DEFAULT_WIDTH, DEFAULT_HEIGHT),
            "{name}"
        );
    }
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left.len(), 8, "temporary files left behind: {left:?}");
}

#[test]
fn svg_text_uses_the_registered_family_only() {
    let svg = render_svg(&fig("Fonts"), &lines()).unwrap();
    let families: Vec<&str> = svg
        .match_indices("font-family=\"")
        .map(|(i, m)| {
            let rest = &svg[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert!(!families.is_empty());
    assert!(families.iter().all(|f| *f == FONT_FAMILY), "{families:?}");
    assert!(svg.contains("width=\"1200\"") && svg.contains("height=\"750\""));
}

#[test]
fn png_text_is_drawn_with_the_embedded_font() {
    // The title's row of the PNG has dark (text) pixels; a figure whose
    // text failed to render would be white there.
    let png = render_png(&fig("A title drawn in DejaVu Sans"), &lines()).unwrap();
    let image = image::load_from_memory(&png).unwrap().to_rgb8();
    let dark = (20..60)
        .flat_map(|y| (20..500).map(move |x| (x, y)))
        .filter(|&(x, y)| image.get_pixel(x, y).0.iter().all(|c| *c < 100))
        .count();
    assert!(dark > 500, "{dark} dark pixels in the title row");
}

#[test]
fn usa_is_always_the_same_blue() {
    for chart in [lines(), stacked()] {
        let svg = render_svg(&fig("USA blue"), &chart).unwrap();
        assert!(svg.contains("#0072B2"), "USA not drawn in #0072B2");
    }
    let only_china =
        LineChart::default().with_series(Series::new("China", &[1.0, 2.0], &[1.0, 2.0]));
    let svg = render_svg(&fig("no USA"), &only_china.into()).unwrap();
    assert!(!svg.contains("#0072B2") && svg.contains("#D55E00"));
}

#[test]
fn same_input_gives_identical_bytes() {
    for (name, chart, _) in all_kinds() {
        let f = fig(name);
        assert_eq!(
            render_svg(&f, &chart).unwrap(),
            render_svg(&f, &chart).unwrap(),
            "{name} SVG"
        );
        assert_eq!(
            render_png(&f, &chart).unwrap(),
            render_png(&f, &chart).unwrap(),
            "{name} PNG"
        );
    }
}

#[test]
fn empty_data_is_an_error_and_writes_nothing() {
    let empties: Vec<Chart> = vec![
        LineChart::default().into(),
        LineChart::default()
            .with_series(Series::new("s", &[], &[]))
            .into(),
        StackedShares::numbered(&[]).with_layer("a", &[]).into(),
        GroupedBars::new(Vec::<String>::new(), ValueAxis::linear()).into(),
        DotPlot::default().into(),
    ];
    let dir = tempfile::tempdir().unwrap();
    for chart in empties {
        let (svg, png) = (dir.path().join("e.svg"), dir.path().join("e.png"));
        let err = render(&fig("Empty"), &chart, &svg, &png).unwrap_err();
        assert!(
            matches!(
                err,
                PlotError::Data {
                    source: DataError::Empty(_),
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("\"Empty\""), "{err}");
        assert!(!svg.exists() && !png.exists());
    }
}

#[test]
fn nan_points_leave_gaps_in_lines_and_are_rejected_in_bars() {
    let with_gap = LineChart::new(XKind::Numbers, ValueAxis::linear()).with_series(Series::new(
        "s",
        &[1.0, 2.0, 3.0, 4.0],
        &[1.0, f64::NAN, 3.0, 4.0],
    ));
    let svg = render_svg(&fig("gap"), &with_gap.into()).unwrap();
    // The run before the gap is one point (a dot), the run after it two
    // points (one line); nothing joins across the gap. (The legend's line
    // swatch is one pixel thicker than data lines.)
    let colour = palette::colour_of("s").hex();
    let lines: Vec<&str> = svg
        .split("<polyline")
        .skip(1)
        .filter(|p| p.contains(&format!("stroke=\"{colour}\" stroke-width=\"4\"")))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let points = lines[0].split("points=\"").nth(1).unwrap();
    let points = &points[..points.find('"').unwrap()];
    assert_eq!(points.split_whitespace().count(), 2, "{points}");
    // Dots: the lone point, and markers on the two points of the line.
    assert_eq!(svg.matches(&format!("fill=\"{colour}\"")).count(), 3);
    let nan_bar = GroupedBars::new(["a"], ValueAxis::linear()).with_group("g", &[f64::NAN]);
    let err = render_png(&fig("nan"), &nan_bar.into())
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"g\"") && err.contains("NaN"), "{err}");
}

#[test]
fn log_axis_skips_non_positive_points() {
    let chart = LineChart::new(XKind::Numbers, ValueAxis::log10()).with_series(Series::new(
        "params",
        &[1.0, 2.0, 3.0],
        &[0.0, 1e9, 7e10],
    ));
    assert!(render_svg(&fig("log"), &chart.into()).is_ok());
    let all_zero = LineChart::new(XKind::Numbers, ValueAxis::log10()).with_series(Series::new(
        "params",
        &[1.0],
        &[0.0],
    ));
    assert!(render_svg(&fig("log"), &all_zero.into()).is_err());
}

#[test]
fn too_small_a_figure_is_an_error() {
    let small = fig("small").with_size(100, 100);
    assert!(matches!(
        render_svg(&small, &lines()),
        Err(PlotError::TooSmall { .. })
    ));
}

#[test]
fn negative_bars_hang_below_zero_in_both_files() {
    let bars = GroupedBars::new(["USA", "China"], ValueAxis::share())
        .with_group("change", &[-0.2, 0.25])
        .into();
    let svg = render_svg(&fig("Change in share"), &bars).unwrap();
    assert!(!svg.contains("height=\"-"), "negative SVG rect height");
    assert!(svg.contains("-20%"), "the axis reaches below zero");
    assert!(render_png(&fig("Change in share"), &bars).is_ok());
}

#[test]
fn legend_stays_out_of_the_plot() {
    // Right: every legend label starts right of every data point.
    let svg = render_svg(&fig("legend right"), &lines()).unwrap();
    let data_right = svg
        .split("<polyline")
        .skip(1)
        .filter(|p| p.contains("#0072B2") && p.contains("stroke-width=\"4\""))
        .flat_map(|p| {
            let points = p.split("points=\"").nth(1).unwrap();
            let points = &points[..points.find('"').unwrap()];
            points
                .split_whitespace()
                .map(|xy| xy.split(',').next().unwrap().parse::<i32>().unwrap())
                .collect::<Vec<_>>()
        })
        .max()
        .unwrap();
    let label_x = text_x(&svg, "China");
    assert!(
        label_x > data_right + 20,
        "legend at {label_x}, data to {data_right}"
    );
    // Hidden: no legend at all.
    let hidden = fig("no legend").with_legend(LegendPlacement::Hidden);
    let svg = render_svg(&hidden, &lines()).unwrap();
    assert!(!svg.contains(">\nChina\n<"));
}

/// The x of the SVG text element whose content is `content`.
fn text_x(svg: &str, content: &str) -> i32 {
    let end = svg.find(&format!(">\n{content}\n<")).unwrap();
    let start = svg[..end].rfind("<text").unwrap();
    let x = svg[start..end].split("x=\"").nth(1).unwrap();
    x[..x.find('"').unwrap()].parse().unwrap()
}
