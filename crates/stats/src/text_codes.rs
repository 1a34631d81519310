//! Integer codes for text keys, so that group-bys, joins and sorts on
//! millions of rows compare integers instead of strings.

use polars::prelude::*;

/// Codes that sort like the texts (a text's rank among the distinct texts;
/// null stays null): grouping and sorting on them equals grouping and
/// sorting on the texts, without comparing strings row by row.
pub fn ordered_codes(texts: &StringChunked) -> UInt32Chunked {
    OrderedCodes::of(texts).codes
}

/// [`ordered_codes`] with the distinct texts in code order.
pub struct OrderedCodes<'a> {
    pub codes: UInt32Chunked,
    /// The text of code `i` is `labels[i]`.
    pub labels: Vec<&'a str>,
}

impl<'a> OrderedCodes<'a> {
    pub fn of(texts: &'a StringChunked) -> Self {
        let first_seen = first_seen_codes(texts);
        let mut distinct: Vec<&str> = vec![""; first_seen.max().map_or(0, |m| m as usize + 1)];
        for (code, text) in first_seen.iter().zip(texts.iter()) {
            if let (Some(code), Some(text)) = (code, text) {
                distinct[code as usize] = text;
            }
        }
        let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
        order.sort_unstable_by_key(|&code| distinct[code as usize]);
        let mut rank = vec![0u32; distinct.len()];
        for (r, &code) in order.iter().enumerate() {
            rank[code as usize] = r as u32;
        }
        Self {
            codes: first_seen.apply_values(|code| rank[code as usize]),
            labels: order.iter().map(|&code| distinct[code as usize]).collect(),
        }
    }
}

/// Codes in first-seen order, hashing a text only where it differs from
/// the row before (models are stored in id order, so a developer's models
/// come in runs).
pub fn first_seen_codes(texts: &StringChunked) -> UInt32Chunked {
    let mut codes: PlHashMap<&str, u32> = PlHashMap::default();
    let mut previous: Option<(&str, u32)> = None;
    texts
        .iter()
        .map(|t| {
            let t = t?;
            Some(match previous {
                Some((p, code)) if p == t => code,
                _ => {
                    let next = codes.len() as u32;
                    let code = *codes.entry(t).or_insert(next);
                    previous = Some((t, code));
                    code
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_codes_sort_like_the_texts() {
        let texts: StringChunked = [
            Some("m/b"),
            Some("a/z"),
            None,
            Some("m/b"),
            Some("a/y"),
            Some(""),
        ]
        .into_iter()
        .collect();
        let codes: Vec<Option<u32>> = ordered_codes(&texts).iter().collect();
        assert_eq!(codes, [Some(3), Some(2), None, Some(3), Some(1), Some(0)]);
        assert_eq!(OrderedCodes::of(&texts).labels, ["", "a/y", "a/z", "m/b"]);
    }

    #[test]
    fn first_seen_codes_keep_runs_and_nulls() {
        let texts: StringChunked = [Some("x"), Some("x"), None, Some("y"), Some("x")]
            .into_iter()
            .collect();
        let codes: Vec<Option<u32>> = first_seen_codes(&texts).iter().collect();
        assert_eq!(codes, [Some(0), Some(0), None, Some(1), Some(0)]);
    }
}
