//! The regenerated paper: `paper/paper.md` with every number a reference
//! `{{NN.key}}` to a headline number in `figures/NN_*.json`, rendered to one
//! self-contained HTML file (figures embedded, a table of contents, a box
//! saying so when the data are synthetic).
//!
//! A reference is `{{NN.key}}` (the value, formatted by its unit) or
//! `{{NN.key.ci_low}}` / `{{NN.key.ci_high}}`; `{{claims}}` inserts the
//! claims table. An unknown key fails the build with its name.

use std::path::Path;

use anyhow::{Context as _, bail};
use base64::Engine;
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use serde_json::Value;

use crate::claims::{ClaimResult, Numbers};

/// Formats a number for people, by its unit.
pub fn format_number(value: f64, unit: &str) -> String {
    match unit {
        "share" => format!("{:.1}%", 100.0 * value),
        "ratio" => format!("{value:.1}×"),
        "parameters" => si(value),
        "count" | "downloads" => thousands(value),
        "year" => format!("{value:.0}"),
        "p_value" if value < 0.001 => "< 0.001".to_string(),
        "p_value" => format!("{value:.3}"),
        "index" => format!("{value:.4}"),
        _ => format!("{}", sig3(value)),
    }
}

fn sig3(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = 10f64.powi(2 - v.abs().log10().floor() as i32);
    (v * mag).round() / mag
}

fn si(v: f64) -> String {
    for (div, suffix) in [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")] {
        if v.abs() >= div {
            return format!("{:.2}{suffix}", v / div);
        }
    }
    format!("{v:.0}")
}

fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// Replaces every `{{...}}` reference; the first unknown key is an error.
pub fn fill(text: &str, numbers: &Numbers, claims: &[ClaimResult]) -> anyhow::Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            bail!("paper.md: a `{{{{` is never closed")
        };
        let key = after[..end].trim();
        out.push_str(&resolve(key, numbers, claims)?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn resolve(key: &str, numbers: &Numbers, claims: &[ClaimResult]) -> anyhow::Result<String> {
    if key == "claims" {
        return Ok(claims_markdown(claims));
    }
    if key == "span" {
        return Ok(numbers.coverage_text());
    }
    let (base, field) = match key.rsplit_once('.') {
        Some((b, f)) if matches!(f, "ci_low" | "ci_high") => (b, f),
        _ => (key, "value"),
    };
    let Some(record) = numbers.record(base) else {
        bail!("paper.md references `{{{{{key}}}}}`, but no figures/*.json has the number `{base}`")
    };
    let unit = record.get("unit").and_then(Value::as_str).unwrap_or("");
    match record.get(field) {
        Some(Value::Number(v)) => Ok(format_number(v.as_f64().unwrap_or(f64::NAN), unit)),
        Some(Value::Null) | None if field == "value" => {
            Ok("n/a (not measurable on this data)".into())
        }
        // An interval of a number this data cannot measure.
        None if record.get("value").is_none_or(Value::is_null) => Ok("n/a".into()),
        _ => bail!("paper.md references `{{{{{key}}}}}`, but `{base}` has no `{field}`"),
    }
}

fn claims_markdown(claims: &[ClaimResult]) -> String {
    let mut s = String::from(
        "| claim | published | measured | rule | verdict | decided by (q) |\n|---|---|---|---|---|---|\n",
    );
    for c in claims {
        let decided = match c.q_value {
            Some(q) => format!("`{}` (q = {q:.3})", c.test_key),
            None => "-".into(),
        };
        s.push_str(&format!(
            "| {} {} | {} | {} | {} | **{}** | {decided} |\n",
            c.id,
            c.claim,
            c.published,
            c.measured.replace('|', "/"),
            c.rule,
            c.verdict.label()
        ));
    }
    s
}

/// Renders filled markdown to a self-contained HTML page. Images whose
/// source is `figures/NAME` are embedded from `figures_dir` (a missing one
/// is an error).
pub fn render_html(markdown: &str, figures_dir: &Path, synthetic: bool) -> anyhow::Result<String> {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES;
    let events: Vec<Event> = Parser::new_ext(markdown, opts).collect();
    let headings = heading_texts(&events);
    let mut toc = String::from("<nav id=\"toc\"><h2>Contents</h2><ul>\n");
    let mut title = String::from("hubecon reproduction");
    let mut n = 0;
    let mut out_events = Vec::with_capacity(events.len());
    for ev in events {
        match ev {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                let text = headings.get(n).cloned().unwrap_or_default();
                let id = slug(&text);
                if level == HeadingLevel::H1 {
                    title = text.clone();
                } else if level <= HeadingLevel::H3 {
                    let indent = if level == HeadingLevel::H3 {
                        " class=\"sub\""
                    } else {
                        ""
                    };
                    toc.push_str(&format!(
                        "<li{indent}><a href=\"#{id}\">{}</a></li>\n",
                        escape(&text)
                    ));
                }
                n += 1;
                out_events.push(Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(id)),
                    classes,
                    attrs,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let src = embed(&dest_url, figures_dir)?;
                out_events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(src),
                    title,
                    id,
                }));
            }
            other => out_events.push(other),
        }
    }
    toc.push_str("</ul></nav>\n");
    let mut body = String::new();
    html::push_html(&mut body, out_events.into_iter());
    // The contents follow the title (and its byline paragraph), not precede it.
    let after_title = body
        .find("</h1>")
        .map(|i| {
            let rest = &body[i..];
            i + rest.find("</p>").map_or(5, |p| p + 4)
        })
        .unwrap_or(0);
    body.insert_str(after_title, &format!("\n{toc}"));
    let banner = if synthetic {
        "<div class=\"synthetic\"><strong>Synthetic sample.</strong> These results were computed on the \
         synthetic Hub generated by <code>hubecon synth</code>, not on the paper's data: the numbers \
         show that the pipeline recovers planted effects, not facts about the Hugging Face Hub.</div>\n"
    } else {
        ""
    };
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{banner}<main>\n{body}</main>\n<script>{CHECK_SCRIPT}</script>\n</body>\n</html>\n",
        escape(&title)
    ))
}

fn heading_texts(events: &[Event]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for ev in events {
        match ev {
            Event::Start(Tag::Heading { .. }) => current = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => out.extend(current.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(t);
                }
            }
            _ => {}
        }
    }
    out
}

fn slug(text: &str) -> String {
    let s: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn embed(src: &str, figures_dir: &Path) -> anyhow::Result<String> {
    let Some(name) = src.strip_prefix("figures/") else {
        return Ok(src.to_string());
    };
    let path = figures_dir.join(name);
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "paper.md embeds {src}, but {} cannot be read",
            path.display()
        )
    })?;
    let mime = match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => bail!("paper.md embeds {src}: only .png and .svg figures can be embedded"),
    };
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}\
img{max-width:100%;border:1px solid #ddd}table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top}\
.synthetic{border:2px solid #D55E00;background:#fff3ec;padding:.8rem 1rem;margin-bottom:1.5rem}#toc{background:#f6f6f6;padding:.5rem 1rem;margin-bottom:1.5rem}\
#toc li.sub{margin-left:1.2rem}code{background:#f2f2f2;padding:0 .2rem}";

/// Marks on `<body>` how many figures loaded and whether a `{{` is left, so
/// a headless browser can check the page (`data-figures-loaded`,
/// `data-figures-total`, `data-placeholders-left`).
const CHECK_SCRIPT: &str = "window.addEventListener('load',function(){var imgs=document.images,ok=0;\
for(var i=0;i<imgs.length;i++){if(imgs[i].complete&&imgs[i].naturalWidth>0){ok++;}}\
document.body.setAttribute('data-figures-loaded',ok);document.body.setAttribute('data-figures-total',imgs.length);\
document.body.setAttribute('data-placeholders-left',(document.body.innerText.match(/\\{\\{/g)||[]).length);});";

/// Builds `out_html` from `paper_md` and the numbers in `figures_dir`.
pub fn build(paper_md: &Path, figures_dir: &Path, out_html: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(paper_md)
        .map_err(|e| hubecon_ingest::IngestError::io(paper_md, e))?;
    let numbers = Numbers::load(figures_dir)?;
    let claims = crate::claims::evaluate(&numbers);
    let filled = fill(&text, &numbers, &claims)?;
    let html = render_html(&filled, figures_dir, numbers.synthetic)?;
    crate::output::write_atomic(out_html, html.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_by_unit() {
        assert_eq!(format_number(0.2384, "share"), "23.8%");
        assert_eq!(format_number(17.04, "ratio"), "17.0×");
        assert_eq!(format_number(4.85e9, "parameters"), "4.85B");
        assert_eq!(format_number(851000.0, "count"), "851,000");
        assert_eq!(format_number(0.0004, "p_value"), "< 0.001");
        assert_eq!(format_number(2025.0, "year"), "2025");
    }

    #[test]
    fn slugs_are_stable_ids() {
        assert_eq!(slug("7. Model size (C6)"), "7-model-size-c6");
    }

    #[test]
    fn the_contents_follow_the_title_and_its_byline() {
        let dir = tempfile::tempdir().unwrap();
        let html = render_html(
            "# Title\n\n*byline*\n\n## First\n\ntext\n",
            dir.path(),
            false,
        )
        .unwrap();
        let (title, byline, toc, first) = (
            html.find("<h1").unwrap(),
            html.find("byline").unwrap(),
            html.find("id=\"toc\"").unwrap(),
            html.find("<h2 id=\"first\"").unwrap(),
        );
        assert!(title < byline && byline < toc && toc < first, "{html}");
    }
}
