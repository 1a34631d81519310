//! Tick label text: numbers for people (thousands separators, percentages
//! of shares, SI suffixes), rounded only here, where people read them.

use crate::axis::ValueFormat;

/// Decimals needed to tell apart values `step` apart.
fn decimals_for(step: f64) -> usize {
    let d = -(step.log10() + 1e-9).floor();
    if d > 0.0 { d as usize } else { 0 }
}

/// A tick label of a linear axis with ticks `step` apart.
pub(crate) fn format_step(value: f64, step: f64, format: ValueFormat) -> String {
    match format {
        ValueFormat::Plain => thousands(&format!("{:.*}", decimals_for(step), value)),
        ValueFormat::Percent => format!("{:.*}%", decimals_for(step * 100.0), value * 100.0),
        ValueFormat::Si => format_exact(value, format),
    }
}

/// A value in its shortest form up to 3 decimals ("0.25", "7B", "1.5M").
pub(crate) fn format_exact(value: f64, format: ValueFormat) -> String {
    match format {
        ValueFormat::Plain => thousands(&trimmed(value)),
        ValueFormat::Percent => format!("{}%", trimmed(value * 100.0)),
        ValueFormat::Si => {
            let units = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")];
            match units.iter().find(|(u, _)| value.abs() >= *u * (1.0 - 1e-9)) {
                Some((unit, suffix)) => format!("{}{suffix}", trimmed(value / unit)),
                None => trimmed(value),
            }
        }
    }
}

fn trimmed(value: f64) -> String {
    let s = format!("{value:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Commas between thousands of the integer part of a formatted number of
/// at least five digits ("12500.5" -> "12,500.5"; "2024" stays).
fn thousands(formatted: &str) -> String {
    let (sign, rest) = match formatted.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", formatted),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if int.len() < 5 {
        return formatted.to_string();
    }
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_for_people() {
        assert_eq!(thousands("1234567.5"), "1,234,567.5");
        assert_eq!(thousands("2024"), "2024");
        assert_eq!(format_exact(7e9, ValueFormat::Si), "7B");
        assert_eq!(format_exact(1.5e6, ValueFormat::Si), "1.5M");
        assert_eq!(format_step(0.25, 0.05, ValueFormat::Percent), "25%");
        assert_eq!(format_step(0.125, 0.005, ValueFormat::Percent), "12.5%");
        assert_eq!(format_step(0.12, 0.02, ValueFormat::Percent), "12%");
        assert_eq!(format_step(-0.5, 0.5, ValueFormat::Plain), "-0.5");
    }
}
