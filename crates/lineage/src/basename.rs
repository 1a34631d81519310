//! How a known base's name may appear inside a derivative's name, and what
//! the rest of the name must say for the match to mean "made from it".
//!
//! - aliases: `llama-2-7b-hf` is cited as `llama-2-7b`, `meta-llama-3-8b`
//!   as `llama-3-8b` or `llama3-8b`, `mistral-7b-v0.1` as `mistral-7b`;
//! - a version written after the variant (`mistral-7b-instruct-v0.1` is
//!   made from `mistral-7b-v0.1`);
//! - the remainder: a name that adds only sizes, versions, packaging or
//!   pretraining variants (`gpt2-large`, `pythia-1b-deduped`,
//!   `vit-base-patch16-224-in21k`, `solar-10.7b-v1.0`) is a sibling or a
//!   copy, not a finetune.

use crate::names::{is_format_token, model_name, namespace};
use crate::params::params_in_name;

/// Words that name a size or a pretraining variant of one family: a model
/// whose name adds only these to a base's is that base's sibling.
pub(crate) const SIBLING_WORDS: &[&str] = &[
    "tiny",
    "mini",
    "small",
    "base",
    "medium",
    "large",
    "xl",
    "xxl",
    "huge",
    "giant",
    "deduped",
    "in21k",
    "in22k",
    "uncased",
    "cased",
    "pretrain",
    "pretrained",
    "original",
    "hf",
];

/// `v1`, `v0.1`, `v1.0.2`.
pub(crate) fn is_version(t: &str) -> bool {
    t.strip_prefix('v').is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// A token that does not, alone, say a model was trained from another.
pub(crate) fn is_neutral(t: &str) -> bool {
    t.is_empty()
        || is_version(t)
        || is_format_token(t)
        || SIBLING_WORDS.contains(&t)
        || params_in_name(t).is_some_and(|_| t.bytes().next().is_some_and(|b| b.is_ascii_digit()))
}

/// The tokens of a lowercase name (split at `-`, `_`, space).
pub(crate) fn tokens(name: &str) -> impl Iterator<Item = &str> {
    name.split(['-', '_', ' '])
}

/// The version tokens of a lowercase name.
pub(crate) fn versions(name: &str) -> impl Iterator<Item = &str> {
    tokens(name).filter(|t| is_version(t))
}

/// The last token of a lowercase name when it is a version, with the byte
/// offset of the separator before it.
pub(crate) fn trailing_version(name: &str) -> Option<(usize, &str)> {
    let cut = name.rfind(['-', '_', ' '])?;
    let last = &name[cut + 1..];
    is_version(last).then_some((cut, last))
}

/// The names a known base is cited by besides its own (lowercase, `_` read
/// as `-`): without a trailing `-hf` or version, without a leading word
/// that repeats its namespace (`meta-` of meta-llama), and with a
/// letter-dash-digit joined (`llama-3` -> `llama3`).
pub(crate) fn aliases(id: &str) -> Vec<String> {
    let name = model_name(id).to_ascii_lowercase().replace('_', "-");
    let mut stems = vec![name.clone()];
    if let Some(ns) = namespace(id).map(str::to_ascii_lowercase)
        && let Some(first) = ns.split(['-', '_']).next()
        && let Some(rest) = name.strip_prefix(&format!("{first}-"))
        && rest.bytes().any(|b| b.is_ascii_digit())
    {
        stems.push(rest.to_string());
    }
    let mut out: Vec<String> = Vec::new();
    for stem in stems {
        let mut forms = vec![stem.clone()];
        if let Some(s) = stem.strip_suffix("-hf") {
            forms.push(s.to_string());
        }
        if let Some((cut, _)) = trailing_version(&stem) {
            forms.push(stem[..cut].to_string());
        }
        for f in forms.clone() {
            if let Some(j) = joined(&f) {
                forms.push(j);
            }
        }
        out.extend(forms);
    }
    out.retain(|a| *a != name && a.bytes().any(|b| b.is_ascii_digit()));
    out.sort();
    out.dedup();
    out
}

/// `llama-3-8b` -> `llama3-8b`: the first dash between a letter and a digit removed.
fn joined(name: &str) -> Option<String> {
    let b = name.as_bytes();
    let k = (1..b.len().saturating_sub(1))
        .find(|&k| b[k] == b'-' && b[k - 1].is_ascii_alphabetic() && b[k + 1].is_ascii_digit())?;
    Some(format!("{}{}", &name[..k], &name[k + 1..]))
}

/// The tokens of `name` outside `[start, end)` that say it was made from
/// something: not sizes, versions, packaging or pretraining variants.
pub(crate) fn derivation_words(name: &str, start: usize, end: usize) -> bool {
    let outside = [&name[..start], &name[end.min(name.len())..]];
    outside
        .iter()
        .flat_map(|part| tokens(part))
        .any(|t| !is_neutral(t))
}

/// The tokens outside `[start, end)` are neutral and include a version.
pub(crate) fn adds_a_version(name: &str, start: usize, end: usize) -> bool {
    let outside = [&name[..start], &name[end.min(name.len())..]];
    outside.iter().flat_map(|part| tokens(part)).any(is_version)
}

/// The token right after `[.., end)` names a size or pretraining variant
/// (`gpt2` in `gpt2-large-recipes`): the model cites that sibling, not the
/// base. A `-hf` after the base is a conversion marker and does not count.
pub(crate) fn cites_a_sibling(name: &str, end: usize) -> bool {
    name.get(end + 1..)
        .and_then(|rest| tokens(rest).next())
        .is_some_and(|t| t != "hf" && SIBLING_WORDS.contains(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_neutral_tokens() {
        assert!(is_version("v0.1") && is_version("v2") && !is_version("v") && !is_version("vit"));
        assert_eq!(
            trailing_version("mistral-7b-instruct-v0.1"),
            Some((19, "v0.1"))
        );
        assert_eq!(trailing_version("mistral-7b"), None);
        for t in [
            "large", "deduped", "in21k", "v1.0", "gguf", "345m", "7b", "hf", "shards",
        ] {
            assert!(is_neutral(t), "{t}");
        }
        for t in ["chat", "instruct", "tone", "megatron", "xlm", "alpaca"] {
            assert!(!is_neutral(t), "{t}");
        }
    }

    #[test]
    fn aliases_of_known_bases() {
        assert_eq!(
            aliases("meta-llama/Llama-2-7b-hf"),
            ["llama-2-7b", "llama2-7b", "llama2-7b-hf"]
        );
        assert_eq!(
            aliases("meta-llama/Meta-Llama-3-8B"),
            ["llama-3-8b", "llama3-8b", "meta-llama3-8b"]
        );
        assert_eq!(
            aliases("mistralai/Mistral-7B-v0.1"),
            ["mistral-7b", "mistral7b", "mistral7b-v0.1"]
        );
        // A name without a digit has no alias (too generic to cite).
        assert!(aliases("ProsusAI/finbert").is_empty());
    }

    #[test]
    fn the_remainder_must_say_how_the_model_was_made() {
        let name = "gpt2-large";
        assert!(!derivation_words(name, 0, 4));
        assert!(!derivation_words("pythia-1b-deduped", 0, 9));
        assert!(!derivation_words("solar-10.7b-v1.0", 0, 11));
        assert!(!derivation_words("llama-2-7b-hf-small-shards", 0, 13));
        assert!(derivation_words("llama-2-7b-chat-hf", 0, 10));
        assert!(derivation_words("megatron-gpt2-345m", 9, 13));
        assert!(adds_a_version("solar-10.7b-v1.0", 0, 11));
        assert!(!adds_a_version("gpt2-large", 0, 4));
        assert!(cites_a_sibling("gpt2-large-finetuned-recipes", 4));
        assert!(!cites_a_sibling("llama-2-7b-hf-alpaca", 10));
        assert!(!cites_a_sibling("gpt2-poems", 4));
        assert!(!cites_a_sibling("gpt2", 4));
    }
}
