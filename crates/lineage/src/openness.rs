//! Openness and training-data transparency, from ONE licence table.
//!
//! - `open_source`: an open licence (OSI-approved, or an Open Definition
//!   licence such as CC-BY / CC0 / ODC) AND training data `available`;
//! - `open_weights`: weights on the Hub under any other licence (an open
//!   licence without available data, the Llama / Gemma / OpenRAIL family,
//!   `other`, or a custom licence);
//! - `restricted`: gated on the Hub, or a non-commercial / research-only /
//!   no-derivatives licence;
//! - `unknown`: no licence stated (and not gated).

use serde::{Deserialize, Serialize};

/// Values of `openness`.
pub mod openness_values {
    pub const OPEN_SOURCE: &str = "open_source";
    pub const OPEN_WEIGHTS: &str = "open_weights";
    pub const RESTRICTED: &str = "restricted";
    pub const UNKNOWN: &str = "unknown";
    pub const ALL: [&str; 4] = [OPEN_SOURCE, OPEN_WEIGHTS, RESTRICTED, UNKNOWN];
}

/// Values of `data_transparency`.
pub mod data_values {
    pub const AVAILABLE: &str = "available";
    pub const DISCLOSED: &str = "disclosed";
    pub const UNDISCLOSED: &str = "undisclosed";
    pub const ALL: [&str; 3] = [AVAILABLE, DISCLOSED, UNDISCLOSED];
}

/// What a licence allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LicenceClass {
    /// OSI-approved or Open Definition conformant: any use, modification and redistribution.
    Open,
    /// Weights usable commercially under use-based or custom terms.
    OpenWeights,
    /// Non-commercial, research-only or no-derivatives terms.
    NonCommercial,
}

/// The licence table: Hub licence identifiers (lowercase) and their class.
/// Identifiers not listed are classified by [`licence_class`]'s fallback.
pub const LICENCES: &[(&str, LicenceClass)] = {
    use LicenceClass::*;
    &[
        ("apache-2.0", Open),
        ("mit", Open),
        ("mit-0", Open),
        ("bsd", Open),
        ("bsd-2-clause", Open),
        ("bsd-3-clause", Open),
        ("bsd-3-clause-clear", Open),
        ("0bsd", Open),
        ("isc", Open),
        ("zlib", Open),
        ("unlicense", Open),
        ("wtfpl", Open),
        ("postgresql", Open),
        ("ncsa", Open),
        ("bsl-1.0", Open),
        ("afl-3.0", Open),
        ("artistic-2.0", Open),
        ("ecl-2.0", Open),
        ("epl-1.0", Open),
        ("epl-2.0", Open),
        ("eupl-1.1", Open),
        ("eupl-1.2", Open),
        ("gpl", Open),
        ("gpl-2.0", Open),
        ("gpl-3.0", Open),
        ("lgpl", Open),
        ("lgpl-2.1", Open),
        ("lgpl-3.0", Open),
        ("lgpl-lr", Open),
        ("agpl-3.0", Open),
        ("mpl-2.0", Open),
        ("ms-pl", Open),
        ("osl-3.0", Open),
        ("cc0-1.0", Open),
        ("cc-by-2.0", Open),
        ("cc-by-2.5", Open),
        ("cc-by-3.0", Open),
        ("cc-by-4.0", Open),
        ("cc-by-sa-3.0", Open),
        ("cc-by-sa-4.0", Open),
        ("odc-by", Open),
        ("odbl", Open),
        ("pddl", Open),
        ("cdla-permissive-1.0", Open),
        ("cdla-permissive-2.0", Open),
        ("cdla-sharing-1.0", Open),
        ("etalab-2.0", Open),
        ("gfdl", Open),
        ("llama2", OpenWeights),
        ("llama3", OpenWeights),
        ("llama3.1", OpenWeights),
        ("llama3.2", OpenWeights),
        ("llama3.3", OpenWeights),
        ("llama4", OpenWeights),
        ("gemma", OpenWeights),
        ("openrail", OpenWeights),
        ("openrail++", OpenWeights),
        ("bigscience-openrail-m", OpenWeights),
        ("creativeml-openrail-m", OpenWeights),
        ("bigscience-bloom-rail-1.0", OpenWeights),
        ("bigcode-openrail-m", OpenWeights),
        ("apple-ascl", OpenWeights),
        ("cc", OpenWeights),
        ("other", OpenWeights),
        ("cc-by-nc-2.0", NonCommercial),
        ("cc-by-nc-3.0", NonCommercial),
        ("cc-by-nc-4.0", NonCommercial),
        ("cc-by-nc-nd-3.0", NonCommercial),
        ("cc-by-nc-nd-4.0", NonCommercial),
        ("cc-by-nc-sa-2.0", NonCommercial),
        ("cc-by-nc-sa-3.0", NonCommercial),
        ("cc-by-nc-sa-4.0", NonCommercial),
        ("cc-by-nd-4.0", NonCommercial),
        ("deepfloyd-if-license", NonCommercial),
        ("fair-noncommercial-research-license", NonCommercial),
        ("intel-research", NonCommercial),
        ("apple-amlr", NonCommercial),
        ("c-uda", NonCommercial),
        ("mnpl", NonCommercial),
        ("mrl", NonCommercial),
        // Custom licences named in `license_name` under `license: other`.
        ("exaone", NonCommercial),
        ("mnpl-0.1", NonCommercial),
        ("mrl-0.1", NonCommercial),
    ]
};

/// The licence a card states: `license`, except that `license: other`
/// (or none) defers to the card's `license_name`, else to the file named
/// by `license_link` (`.../MNPL-0.1.md` -> `mnpl-0.1`; a bare `LICENSE`
/// file says nothing). So `other` + `exaone` is non-commercial, not open
/// weights.
pub fn stated_licence<'a>(
    license: Option<&'a str>,
    license_name: Option<&'a str>,
    license_link: Option<&'a str>,
) -> Option<std::borrow::Cow<'a, str>> {
    use std::borrow::Cow;
    let deferred =
        license.is_none_or(|l| is_blank_licence(l) || l.trim().eq_ignore_ascii_case("other"));
    if !deferred {
        return license.map(Cow::Borrowed);
    }
    let named = license_name
        .map(str::trim)
        .filter(|n| !is_blank_licence(n))
        .map(Cow::Borrowed);
    let linked = || {
        let file = license_link?
            .trim()
            .trim_end_matches('/')
            .rsplit('/')
            .next()?;
        let stem = file
            .rsplit_once('.')
            .filter(|(_, ext)| matches!(*ext, "md" | "txt" | "pdf" | "html"))
            .map_or(file, |(stem, _)| stem)
            .to_ascii_lowercase();
        (!stem.is_empty() && !stem.starts_with("license")).then_some(Cow::Owned(stem))
    };
    named.or_else(linked).or(license.map(Cow::Borrowed))
}

/// Class of a licence identifier: the table, else non-commercial when the
/// identifier says so (`-nc`, `noncommercial`, `non-commercial`, `research`),
/// else open weights (a custom licence).
pub fn licence_class(licence: &str) -> LicenceClass {
    let id = licence.trim().to_ascii_lowercase();
    if let Some((_, class)) = LICENCES.iter().find(|(l, _)| *l == id) {
        return *class;
    }
    let non_commercial = id.contains("-nc")
        || id.contains("noncommercial")
        || id.contains("non-commercial")
        || id.contains("research");
    if non_commercial {
        LicenceClass::NonCommercial
    } else {
        LicenceClass::OpenWeights
    }
}

/// A licence value that states nothing.
fn is_blank_licence(licence: &str) -> bool {
    matches!(
        licence.trim().to_ascii_lowercase().as_str(),
        "" | "unknown" | "none" | "n/a"
    )
}

/// Training-data transparency of a model's card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataTransparency {
    /// Every named dataset is a published Hub dataset.
    Available,
    /// Datasets named, at least one not verifiably published.
    Disclosed,
    /// No dataset named.
    #[default]
    Undisclosed,
}

impl DataTransparency {
    pub fn as_str(self) -> &'static str {
        match self {
            DataTransparency::Available => data_values::AVAILABLE,
            DataTransparency::Disclosed => data_values::DISCLOSED,
            DataTransparency::Undisclosed => data_values::UNDISCLOSED,
        }
    }
}

/// Datasets the Hub hosted under a bare (namespace-less) name before
/// namespaces were required; cards still cite them that way.
const CANONICAL_DATASETS: &[&str] = &[
    "ag_news",
    "amazon_polarity",
    "amazon_reviews_multi",
    "bookcorpus",
    "billsum",
    "blimp",
    "boolq",
    "c4",
    "cifar10",
    "cifar100",
    "cnn_dailymail",
    "common_voice",
    "conll2003",
    "coqa",
    "cosmos_qa",
    "dbpedia_14",
    "emotion",
    "financial_phrasebank",
    "food101",
    "gigaword",
    "glue",
    "go_emotions",
    "gsm8k",
    "hellaswag",
    "imagenet-1k",
    "imdb",
    "kde4",
    "librispeech_asr",
    "mc4",
    "minds14",
    "mnist",
    "ms_marco",
    "multi_nli",
    "natural_questions",
    "oscar",
    "openwebtext",
    "opus100",
    "opus_books",
    "paws",
    "paws-x",
    "piqa",
    "race",
    "rotten_tomatoes",
    "samsum",
    "scitldr",
    "sciq",
    "snli",
    "squad",
    "squad_v2",
    "sst2",
    "super_glue",
    "superb",
    "swag",
    "tweet_eval",
    "trivia_qa",
    "universal_dependencies",
    "wikiann",
    "wikipedia",
    "wikitext",
    "winogrande",
    "wmt14",
    "wmt16",
    "wmt19",
    "xnli",
    "xsum",
    "yelp_polarity",
    "yelp_review_full",
    "beans",
    "fashion_mnist",
    "common_gen",
    "lambada",
    "mlsum",
    "pile",
    "the_pile",
    "daily_dialog",
    "quora",
    "tatoeba",
    "un_pc",
    "europarl_bilingual",
];

/// One dataset value: `None` for a placeholder that names nothing,
/// `Some(true)` for a published Hub dataset, `Some(false)` otherwise.
pub fn dataset_is_published(value: &str) -> Option<bool> {
    let v = value.trim().to_ascii_lowercase();
    if matches!(
        v.as_str(),
        "" | "none" | "n/a" | "na" | "null" | "-" | "unknown" | "tbd" | "[]"
    ) {
        return None;
    }
    if v.contains("://") || v.contains(' ') {
        return Some(false);
    }
    let hub_id = v
        .split_once('/')
        .is_some_and(|(owner, name)| !owner.is_empty() && !name.is_empty() && !name.contains('/'));
    Some(hub_id || CANONICAL_DATASETS.contains(&v.as_str()))
}

/// Transparency of a list of dataset values: available when at least one is
/// named and every named one is published; disclosed when named but not all
/// published; undisclosed when none is named.
pub fn data_transparency<'a>(datasets: impl Iterator<Item = &'a str>) -> DataTransparency {
    let mut named = false;
    let mut all_published = true;
    for value in datasets {
        if let Some(published) = dataset_is_published(value) {
            named = true;
            all_published &= published;
        }
    }
    match (named, all_published) {
        (false, _) => DataTransparency::Undisclosed,
        (true, true) => DataTransparency::Available,
        (true, false) => DataTransparency::Disclosed,
    }
}

/// Openness of one model: gated -> restricted; no licence -> unknown;
/// non-commercial licence -> restricted; open licence and data available ->
/// open source; otherwise open weights.
pub fn openness(licence: Option<&str>, gated: bool, data: DataTransparency) -> &'static str {
    use openness_values::*;
    if gated {
        return RESTRICTED;
    }
    let Some(licence) = licence.filter(|l| !is_blank_licence(l)) else {
        return UNKNOWN;
    };
    match licence_class(licence) {
        LicenceClass::NonCommercial => RESTRICTED,
        LicenceClass::Open if data == DataTransparency::Available => OPEN_SOURCE,
        _ => OPEN_WEIGHTS,
    }
}

#[cfg(test)]
mod tests {
    use super::openness_values::*;
    use super::*;

    #[test]
    fn other_defers_to_the_cards_licence_name_and_link() {
        let class = |l, n, k| stated_licence(l, n, k).map(|l| licence_class(&l));
        use LicenceClass::*;
        // LGAI-EXAONE, microsoft/Orca-2-7b, mistralai/Codestral-22B-v0.1.
        assert_eq!(
            class(Some("other"), Some("exaone"), Some("LICENSE")),
            Some(NonCommercial)
        );
        assert_eq!(
            class(Some("other"), Some("microsoft-research-license"), None),
            Some(NonCommercial)
        );
        assert_eq!(
            class(
                Some("other"),
                None,
                Some("https://mistral.ai/licences/MNPL-0.1.md")
            ),
            Some(NonCommercial)
        );
        // A bare LICENSE file says nothing: `other` stays open weights.
        assert_eq!(
            class(Some("other"), None, Some("LICENSE")),
            Some(OpenWeights)
        );
        // A stated licence is not overridden by its link.
        assert_eq!(
            class(Some("mit"), None, Some("https://x/LICENSE")),
            Some(Open)
        );
        assert_eq!(class(None, None, None), None);
    }

    #[test]
    fn licence_table_classes() {
        assert_eq!(licence_class("apache-2.0"), LicenceClass::Open);
        assert_eq!(licence_class("MIT"), LicenceClass::Open);
        assert_eq!(licence_class("cc-by-4.0"), LicenceClass::Open);
        assert_eq!(licence_class("llama3.1"), LicenceClass::OpenWeights);
        assert_eq!(licence_class("gemma"), LicenceClass::OpenWeights);
        assert_eq!(licence_class("other"), LicenceClass::OpenWeights);
        assert_eq!(licence_class("tongyi-qianwen"), LicenceClass::OpenWeights);
        assert_eq!(licence_class("cc-by-nc-4.0"), LicenceClass::NonCommercial);
        assert_eq!(licence_class("qwen-research"), LicenceClass::NonCommercial);
    }

    #[test]
    fn table_has_no_duplicates() {
        let mut ids: Vec<&str> = LICENCES.iter().map(|(l, _)| *l).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }

    #[test]
    fn openness_rules() {
        let avail = DataTransparency::Available;
        let undisclosed = DataTransparency::Undisclosed;
        assert_eq!(openness(Some("apache-2.0"), false, avail), OPEN_SOURCE);
        assert_eq!(
            openness(Some("apache-2.0"), false, undisclosed),
            OPEN_WEIGHTS
        );
        assert_eq!(openness(Some("llama2"), false, avail), OPEN_WEIGHTS);
        assert_eq!(openness(Some("cc-by-nc-4.0"), false, avail), RESTRICTED);
        assert_eq!(openness(Some("apache-2.0"), true, avail), RESTRICTED);
        assert_eq!(openness(None, false, avail), UNKNOWN);
        assert_eq!(openness(Some(" "), false, avail), UNKNOWN);
        assert_eq!(openness(None, true, avail), RESTRICTED);
    }

    #[test]
    fn data_transparency_rules() {
        let t = |v: &[&str]| data_transparency(v.iter().copied());
        assert_eq!(t(&["allenai/dolma"]), DataTransparency::Available);
        assert_eq!(t(&["bookcorpus", "wikipedia"]), DataTransparency::Available);
        assert_eq!(
            t(&["squad", "my private chats"]),
            DataTransparency::Disclosed
        );
        assert_eq!(t(&["internal-data"]), DataTransparency::Disclosed);
        assert_eq!(
            t(&["https://example.org/data.zip"]),
            DataTransparency::Disclosed
        );
        assert_eq!(t(&[]), DataTransparency::Undisclosed);
        assert_eq!(t(&["None", ""]), DataTransparency::Undisclosed);
    }
}
