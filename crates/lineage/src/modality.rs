//! The modality of a model, written `inputs -> outputs` with the media in
//! alphabetical order (`text -> text`, `image+text -> text`, `text -> image`),
//! and the multimodal-generation flag.
//!
//! Sources, first that applies: the annotated release's modality
//! (normalized from `Text → Text`), the pipeline tag, a pipeline tag among the
//! tags, the library; a derivative without any of these inherits its parent's.
//! Outputs that are labels, scores, boxes, masks or embeddings are written
//! `text`, and such tasks are marked non-generative.

/// Pipeline tag -> (modality, generative). Generative: the task produces
/// content (text, image, audio, video, 3D) rather than labels or embeddings.
const PIPELINES: &[(&str, &str, bool)] = &[
    ("text-generation", "text -> text", true),
    ("text2text-generation", "text -> text", true),
    ("summarization", "text -> text", true),
    ("translation", "text -> text", true),
    ("conversational", "text -> text", true),
    ("fill-mask", "text -> text", false),
    ("question-answering", "text -> text", false),
    ("table-question-answering", "text -> text", false),
    ("text-classification", "text -> text", false),
    ("token-classification", "text -> text", false),
    ("zero-shot-classification", "text -> text", false),
    ("sentence-similarity", "text -> text", false),
    ("feature-extraction", "text -> text", false),
    ("text-ranking", "text -> text", false),
    ("image-text-to-text", "image+text -> text", true),
    ("visual-question-answering", "image+text -> text", true),
    ("document-question-answering", "image+text -> text", true),
    ("image-to-text", "image -> text", true),
    ("video-text-to-text", "text+video -> text", true),
    ("audio-text-to-text", "audio+text -> text", true),
    (
        "any-to-any",
        "audio+image+text+video -> audio+image+text+video",
        true,
    ),
    ("text-to-image", "text -> image", true),
    ("image-to-image", "image -> image", true),
    ("image-text-to-image", "image+text -> image", true),
    ("unconditional-image-generation", "none -> image", true),
    ("text-to-video", "text -> video", true),
    ("image-to-video", "image -> video", true),
    ("image-text-to-video", "image+text -> video", true),
    ("video-to-video", "video -> video", true),
    ("text-to-speech", "text -> audio", true),
    ("text-to-audio", "text -> audio", true),
    ("audio-to-audio", "audio -> audio", true),
    ("automatic-speech-recognition", "audio -> text", true),
    ("audio-classification", "audio -> text", false),
    ("voice-activity-detection", "audio -> text", false),
    ("text-to-3d", "text -> 3d", true),
    ("image-to-3d", "image -> 3d", true),
    ("image-classification", "image -> text", false),
    ("image-segmentation", "image -> text", false),
    ("object-detection", "image -> text", false),
    ("image-feature-extraction", "image -> text", false),
    ("keypoint-detection", "image -> text", false),
    ("mask-generation", "image -> text", false),
    ("depth-estimation", "image -> image", false),
    (
        "zero-shot-image-classification",
        "image+text -> text",
        false,
    ),
    ("zero-shot-object-detection", "image+text -> text", false),
    ("visual-document-retrieval", "image+text -> text", false),
    ("video-classification", "video -> text", false),
    ("tabular-classification", "tabular -> text", false),
    ("tabular-regression", "tabular -> text", false),
    ("tabular-to-text", "tabular -> text", true),
    (
        "time-series-forecasting",
        "time-series -> time-series",
        false,
    ),
    ("reinforcement-learning", "other -> other", false),
    ("robotics", "other -> other", false),
    ("graph-ml", "other -> other", false),
];

/// Library -> (modality, generative), for models without a pipeline tag.
const LIBRARIES: &[(&str, &str, bool)] = &[
    ("diffusers", "text -> image", true),
    ("sentence-transformers", "text -> text", false),
    ("timm", "image -> text", false),
    ("open_clip", "image+text -> text", false),
    ("stable-baselines3", "other -> other", false),
    ("ml-agents", "other -> other", false),
    ("sample-factory", "other -> other", false),
];

/// The table's own spelling of a pipeline tag, if it is one.
pub(crate) fn canonical_pipeline(tag: &str) -> Option<&'static str> {
    PIPELINES
        .iter()
        .find(|(p, _, _)| *p == tag)
        .map(|(p, _, _)| *p)
}

/// Modality and generative flag of a pipeline tag.
pub(crate) fn pipeline_modality(tag: &str) -> Option<(&'static str, bool)> {
    let tag = tag.trim().to_ascii_lowercase();
    PIPELINES
        .iter()
        .find(|(p, _, _)| *p == tag)
        .map(|(_, m, g)| (*m, *g))
}

/// Modality and generative flag implied by a library.
pub(crate) fn library_modality(library: &str) -> Option<(&'static str, bool)> {
    let library = library.trim().to_ascii_lowercase();
    LIBRARIES
        .iter()
        .find(|(l, _, _)| *l == library)
        .map(|(_, m, g)| (*m, *g))
}

fn medium(word: &str) -> Option<&'static str> {
    Some(match word.trim() {
        "text" | "language" | "code" => "text",
        "image" | "images" | "vision" | "visual" => "image",
        "audio" | "speech" | "sound" | "music" | "voice" => "audio",
        "video" | "videos" => "video",
        "3d" | "3-d" => "3d",
        "tabular" | "table" => "tabular",
        "time-series" | "time series" | "timeseries" => "time-series",
        "any" | "multimodal" | "omni" => "any",
        "none" | "noise" => "none",
        "" => return None,
        _ => "other",
    })
}

fn normalize_side(side: &str) -> String {
    let lower = side.to_lowercase().replace(" and ", "+");
    let mut media: Vec<&'static str> = lower
        .split(['+', ',', '&', '/'])
        .filter_map(medium)
        .collect();
    media.sort_unstable();
    media.dedup();
    if media.is_empty() {
        "none".to_string()
    } else {
        media.join("+")
    }
}

/// The arrows the release writes between inputs and outputs, the longest
/// first (so `-->` is not read as a `-` input and `->`).
const ARROWS: [&str; 5] = ["→", "-->", "==>", "->", "=>"];

/// Normalizes a modality written `Text → Text`, `Text --> Text`,
/// `Image+Text -> Text` or `text, image → text` to this crate's form
/// (`image+text -> text`). `None` when the text has no arrow.
pub fn normalize_modality(text: &str) -> Option<String> {
    let (input, output) = ARROWS.iter().find_map(|a| text.split_once(a))?;
    Some(format!(
        "{} -> {}",
        normalize_side(input),
        normalize_side(output)
    ))
}

/// A model is a multimodal generator when its task generates content (not
/// labels, scores or embeddings) and its inputs and outputs together span at
/// least two media (`none` and `other` do not count; `any` counts as several).
pub fn is_multimodal_generation(modality: &str, generative: bool) -> bool {
    if !generative {
        return false;
    }
    let Some((input, output)) = modality.split_once(" -> ") else {
        return false;
    };
    let mut media: Vec<&str> = input
        .split('+')
        .chain(output.split('+'))
        .filter(|m| !matches!(*m, "none" | "other"))
        .collect();
    if media.contains(&"any") {
        return true;
    }
    media.sort_unstable();
    media.dedup();
    media.len() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_table_gives_modality_and_generation() {
        assert_eq!(
            pipeline_modality("text-generation"),
            Some(("text -> text", true))
        );
        assert_eq!(
            pipeline_modality("image-text-to-text"),
            Some(("image+text -> text", true))
        );
        assert_eq!(
            pipeline_modality("Text-To-Image"),
            Some(("text -> image", true))
        );
        assert_eq!(
            pipeline_modality("image-classification"),
            Some(("image -> text", false))
        );
        assert_eq!(pipeline_modality("not-a-task"), None);
        assert_eq!(library_modality("diffusers"), Some(("text -> image", true)));
        assert_eq!(canonical_pipeline("text-to-speech"), Some("text-to-speech"));
        assert_eq!(canonical_pipeline("llama"), None);
    }

    #[test]
    fn every_table_modality_is_already_normal() {
        for (tag, m, _) in PIPELINES.iter().chain(LIBRARIES) {
            assert_eq!(normalize_modality(m).as_deref(), Some(*m), "{tag}");
        }
    }

    #[test]
    fn normalizes_release_modalities() {
        assert_eq!(
            normalize_modality("Text → Text").as_deref(),
            Some("text -> text")
        );
        assert_eq!(
            normalize_modality("Text+Image → Text").as_deref(),
            Some("image+text -> text")
        );
        assert_eq!(
            normalize_modality("Text, Image → Text").as_deref(),
            Some("image+text -> text")
        );
        assert_eq!(
            normalize_modality("Text → Speech").as_deref(),
            Some("text -> audio")
        );
        assert_eq!(
            normalize_modality("Text --> Text").as_deref(),
            Some("text -> text"),
            "the release writes this arrow too"
        );
        assert_eq!(
            normalize_modality("Image ==> Text").as_deref(),
            Some("image -> text")
        );
        assert_eq!(normalize_modality("Text"), None);
    }

    #[test]
    fn multimodal_generation_needs_generation_and_two_media() {
        assert!(!is_multimodal_generation("text -> text", true));
        assert!(is_multimodal_generation("text -> image", true));
        assert!(is_multimodal_generation("image+text -> text", true));
        assert!(is_multimodal_generation("audio -> text", true));
        assert!(!is_multimodal_generation("image -> text", false));
        assert!(!is_multimodal_generation("image -> image", true));
        assert!(!is_multimodal_generation("none -> image", true));
        assert!(is_multimodal_generation("any -> any", true));
    }
}
