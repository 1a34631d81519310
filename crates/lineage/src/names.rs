//! Reading model names: namespace and name, tokens, the format tokens that
//! mark quantizations, adapters and merges, and the format suffix that a
//! derivative appends to its parent's name (`Llama-2-7B-Chat-GGUF`).

/// The part of a model id after the namespace (`meta-llama/Llama-2-7b-hf` -> `Llama-2-7b-hf`).
pub fn model_name(id: &str) -> &str {
    id.split_once('/').map_or(id, |(_, name)| name)
}

/// The namespace (user or organization) of a model id; `None` for legacy
/// ids without one (`gpt2`).
pub fn namespace(id: &str) -> Option<&str> {
    id.split_once('/')
        .map(|(ns, _)| ns)
        .filter(|ns| !ns.is_empty())
}

/// Separators between the tokens of a name.
pub(crate) fn is_separator(c: u8) -> bool {
    matches!(c, b'-' | b'_' | b' ')
}

/// Quantization keywords that are a whole token of a name.
const QUANT_KEYWORDS: &[&str] = &[
    "gguf",
    "ggml",
    "gptq",
    "awq",
    "exl2",
    "exl3",
    "mlx",
    "bnb",
    "hqq",
    "aqlm",
    "eetq",
    "quantized",
    "quant",
    "quants",
    "quantised",
    "imatrix",
    "autoround",
    "int2",
    "int3",
    "int4",
    "int8",
    "nf4",
    "fp8",
    "fp4",
    "nvfp4",
    "mxfp4",
    "fp6",
    "bitsandbytes",
    // optimum-quanto's weight types and its own name.
    "qint2",
    "qint4",
    "qint8",
    "qfloat8",
    "quanto",
];

/// Tokens that a conversion appends to its parent's name without being, alone,
/// evidence of quantization (precision, packaging, group size, imatrix marker).
const PACKAGING_TOKENS: &[&str] = &[
    "fp16", "bf16", "f16", "fp32", "f32", "i1", "onnx", "openvino", "ov", "mlc", "dynamic",
    "static", "actorder", "h6", "h8", "lora", "qlora", "adapter", "adapters", "peft", "merged",
    "16bit", "32bit", "sharded", "shards",
];

/// Adapter keywords that are a whole token of a name.
const ADAPTER_KEYWORDS: &[(&str, &str)] = &[
    ("lora", "name:LORA"),
    ("qlora", "name:QLORA"),
    ("dora", "name:DORA"),
    ("adapter", "name:ADAPTER"),
    ("adapters", "name:ADAPTER"),
    ("peft", "name:PEFT"),
    ("controlnet", "name:CONTROLNET"),
    ("t2iadapter", "name:T2I_ADAPTER"),
];

/// Merge keywords that are a whole token of a name ("merged" is not one: it
/// usually means a LoRA merged back into its base, a fine-tune).
const MERGE_KEYWORDS: &[(&str, &str)] = &[
    ("merge", "name:MERGE"),
    ("mergekit", "name:MERGE"),
    ("slerp", "name:SLERP"),
    ("ties", "name:TIES"),
    ("dare", "name:DARE"),
    ("frankenmerge", "name:FRANKENMERGE"),
    ("passthrough", "name:PASSTHROUGH"),
];

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_number(s: &str) -> bool {
    match s.split_once('.') {
        Some((a, b)) => all_digits(a) && all_digits(b),
        None => all_digits(s),
    }
}

/// A llama.cpp quantization level: `q4_k_m`, `q8_0`, `q6_k`, `iq3_xxs`, `q4f16_1` (MLC).
fn is_quant_level(t: &str) -> bool {
    let rest = t
        .strip_prefix("iq")
        .or_else(|| t.strip_prefix('q'))
        .unwrap_or("");
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let tail = &rest[digits..];
    tail.is_empty()
        || (tail.starts_with('_')
            && tail[1..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        || (tail.starts_with('f') && tail[1..].bytes().all(|b| b.is_ascii_digit() || b == b'_'))
}

/// Bit widths that are full precision, not a quantization (`16bit` merges of a LoRA).
fn is_full_precision_bits(n: &str) -> bool {
    matches!(n, "16" | "32")
}

/// `4bit`, `8bit`, `4.0bpw`, `6.5bpw`, `w4a16`, `w8a8`; not `16bit` or `32bit`.
fn is_bit_width(t: &str) -> bool {
    if let Some(n) = t.strip_suffix("bit").or_else(|| t.strip_suffix("bits")) {
        return all_digits(n) && !is_full_precision_bits(n);
    }
    if let Some(n) = t.strip_suffix("bpw") {
        return is_number(n);
    }
    if let Some(rest) = t.strip_prefix('w')
        && let Some((w, a)) = rest.split_once('a')
    {
        return all_digits(w) && all_digits(a);
    }
    false
}

/// A token (lowercase, no `-`) that states a quantization on its own.
pub(crate) fn is_quant_token(t: &str) -> bool {
    QUANT_KEYWORDS.contains(&t) || is_quant_level(t) || is_bit_width(t)
}

/// GPTQ group size such as `128g` or `32g`.
fn is_group_size(t: &str) -> bool {
    t.strip_suffix('g').is_some_and(all_digits)
}

/// A token that a derivative may append to its parent's name.
pub(crate) fn is_format_token(t: &str) -> bool {
    if is_quant_token(t) || PACKAGING_TOKENS.contains(&t) || is_group_size(t) {
        return true;
    }
    t.contains('.') && !is_number(t) && t.split('.').all(|p| !p.is_empty() && is_format_token(p))
}

/// The `-`/space-delimited tokens of a lowercase name with their byte offsets.
fn dash_tokens(name: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    name.split(['-', ' ']).map(move |tok| {
        let at = start;
        start += tok.len() + 1;
        (at, tok)
    })
}

/// The first token of a lowercase name that states a quantization, as it
/// appears (`gguf`, `q4_k_m`, `4bit`, `4-bit`); underscored tokens are
/// searched part by part (`llama_2_7b_gptq`).
pub(crate) fn quant_token_in_name(name: &str) -> Option<&str> {
    let tokens: Vec<(usize, &str)> = dash_tokens(name).collect();
    for (k, &(at, tok)) in tokens.iter().enumerate() {
        if is_quant_token(tok) {
            return Some(tok);
        }
        if all_digits(tok)
            && !is_full_precision_bits(tok)
            && tokens.get(k + 1).is_some_and(|(_, next)| *next == "bit")
        {
            return Some(&name[at..at + tok.len() + 4]);
        }
        if let Some(part) = tok.split('_').find(|p| is_quant_token(p) && !p.is_empty()) {
            return Some(part);
        }
    }
    None
}

/// The quantization token of a lowercase name when it lies in the format
/// suffix a conversion appends ([`strip_format_suffix`]): `...-bnb-4bit`,
/// `..._hqq`, `...-Q4_K_M-GGUF`; not `llama-3-8b-instruct-bnb-4bit-medical`,
/// a finetune of a bnb upload.
pub(crate) fn trailing_quant_token(name: &str) -> Option<&str> {
    let core = strip_format_suffix(name)?;
    quant_token_in_name(&name[core.len()..])
}

fn keyword_code(name: &str, table: &[(&str, &'static str)]) -> Option<&'static str> {
    name.split(['-', '_', ' ', '.'])
        .find_map(|tok| table.iter().find(|(k, _)| *k == tok).map(|(_, code)| *code))
}

/// True when a token of the lowercase name counts experts and their size,
/// either way round (`4x7b`, `8x22b`, `34bx2`, `2x10.7b`).
pub(crate) fn has_expert_count_token(lower: &str) -> bool {
    let count = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let size = |s: &str| {
        s.strip_suffix('b').is_some_and(|n| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && n.bytes().next().is_some_and(|b| b.is_ascii_digit())
        })
    };
    // Not split at `.`: a size may have decimals (`10.7b`).
    lower.split(['-', '_', ' ']).any(|tok| {
        tok.split_once('x')
            .is_some_and(|(a, b)| (count(a) && size(b)) || (size(a) && count(b)))
    })
}

/// Evidence code of an adapter keyword in a lowercase name (`name:LORA`);
/// a ControlNet is recognised inside a glued token too (`sdxlcontrolnet`).
pub(crate) fn adapter_token_in_name(name: &str) -> Option<&'static str> {
    keyword_code(name, ADAPTER_KEYWORDS).or_else(|| {
        name.split(['-', '_', ' ', '.']).find_map(|tok| {
            (tok.contains("controlnet") || tok.starts_with("t2iadapter")).then_some(
                if tok.contains("controlnet") {
                    "name:CONTROLNET"
                } else {
                    "name:T2I_ADAPTER"
                },
            )
        })
    })
}

/// Evidence code of a merge keyword in a name (`name:SLERP`): a whole
/// token of the lowercase name, or a CamelCase part of the name as written
/// (`DareBeagle`, `DareVox`: the merge method glued to the model's name;
/// `Daredevil` is one word, not a merge).
pub(crate) fn merge_token_in_name(lower: &str, name: &str) -> Option<&'static str> {
    keyword_code(lower, MERGE_KEYWORDS).or_else(|| {
        name.split(['-', '_', ' ', '.'])
            .filter(|tok| camel_parts(tok).nth(1).is_some())
            .flat_map(camel_parts)
            .find_map(|part| {
                let part = part.to_ascii_lowercase();
                MERGE_KEYWORDS
                    .iter()
                    .find(|(k, _)| *k == part)
                    .map(|(_, code)| *code)
            })
    })
}

/// The CamelCase parts of a token: a new part starts at an uppercase letter after a lowercase one.
fn camel_parts(tok: &str) -> impl Iterator<Item = &str> {
    let bytes = tok.as_bytes();
    let mut cuts: Vec<usize> = (1..bytes.len())
        .filter(|&k| bytes[k].is_ascii_uppercase() && bytes[k - 1].is_ascii_lowercase())
        .collect();
    cuts.push(bytes.len());
    let mut start = 0;
    cuts.into_iter().map(move |end| {
        let part = &tok[start..end];
        start = end;
        part
    })
}

/// Removes the format tokens a derivative appended to its parent's name:
/// `llama-2-7b-chat-gguf` -> `llama-2-7b-chat`,
/// `qwen2.5-7b-instruct-bnb-4bit` -> `qwen2.5-7b-instruct`,
/// `meta-llama-3.1-8b-instruct-quantized.w4a16` -> `meta-llama-3.1-8b-instruct`.
/// `None` when nothing was removed or nothing would remain.
pub(crate) fn strip_format_suffix(name: &str) -> Option<&str> {
    let mut rest = name;
    loop {
        let cut = rest.rfind(['-', ' ']).map_or(0, |p| p + 1);
        let last = &rest[cut..];
        if is_format_token(last) && cut > 0 {
            rest = rest[..cut - 1].trim_end_matches(['-', '_', ' ', '.']);
            continue;
        }
        let sub = last.rfind('_').map(|p| (p, &last[p + 1..]));
        match sub {
            Some((p, tail)) if is_format_token(tail) && cut + p > 0 => {
                rest = rest[..cut + p].trim_end_matches(['-', '_', ' ', '.']);
            }
            _ => break,
        }
    }
    (rest.len() < name.len() && !rest.is_empty()).then_some(rest)
}

/// The token boundaries of a lowercase name: spans `(start, end)` that begin
/// at the start or after a separator and end at the end or before one,
/// longest first, then leftmost. At most `max_tokens` tokens are considered.
pub(crate) fn token_spans(name: &str, max_tokens: usize) -> Vec<(usize, usize)> {
    let bytes = name.as_bytes();
    let mut starts = vec![0];
    let mut ends = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        if is_separator(b) {
            ends.push(i);
            starts.push(i + 1);
        }
    }
    ends.push(bytes.len());
    starts.truncate(max_tokens);
    ends.truncate(max_tokens);
    let mut spans: Vec<(usize, usize)> = starts
        .iter()
        .flat_map(|&s| ends.iter().filter(move |&&e| e > s).map(move |&e| (s, e)))
        .collect();
    spans.sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)));
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_namespace_and_name() {
        assert_eq!(
            model_name("TheBloke/Llama-2-7B-Chat-GGUF"),
            "Llama-2-7B-Chat-GGUF"
        );
        assert_eq!(namespace("TheBloke/Llama-2-7B-Chat-GGUF"), Some("TheBloke"));
        assert_eq!(model_name("gpt2"), "gpt2");
        assert_eq!(namespace("gpt2"), None);
    }

    #[test]
    fn finds_quantization_tokens_in_names() {
        assert_eq!(quant_token_in_name("llama-2-7b-chat-gguf"), Some("gguf"));
        assert_eq!(
            quant_token_in_name("qwen2.5-7b-instruct-bnb-4bit"),
            Some("bnb")
        );
        assert_eq!(
            quant_token_in_name("llama-3.2-1b-instruct-4bit"),
            Some("4bit")
        );
        assert_eq!(
            quant_token_in_name("mistral-7b-instruct-v0.2-q4_k_m"),
            Some("q4_k_m")
        );
        assert_eq!(
            quant_token_in_name("llama-2-13b-4.0bpw-h6-exl2"),
            Some("4.0bpw")
        );
        assert_eq!(quant_token_in_name("falcon-7b-4-bit"), Some("4-bit"));
        assert_eq!(quant_token_in_name("llama_2_7b_gptq"), Some("gptq"));
        // Sizes, versions and ordinary words are not quantization.
        assert_eq!(quant_token_in_name("llama-2-7b-chat-hf"), None);
        assert_eq!(quant_token_in_name("qwen3-30b-a3b"), None);
        assert_eq!(quant_token_in_name("bert-base-uncased"), None);
        assert_eq!(quant_token_in_name("quick-brown-fox"), None);
        // optimum-quanto's qint8; 16-bit and 32-bit are full precision.
        assert_eq!(
            quant_token_in_name("tinyllama-1.1b-chat-v1.0-qint8"),
            Some("qint8")
        );
        assert_eq!(quant_token_in_name("tinyllama-1.1b-chat-v1.0-16bit"), None);
        assert_eq!(quant_token_in_name("llama-3-8b-16-bit"), None);
        assert_eq!(quant_token_in_name("llama-3-8b-32bit"), None);
    }

    #[test]
    fn only_a_trailing_quantization_token_counts() {
        assert_eq!(trailing_quant_token("llama-2-7b-chat-gguf"), Some("gguf"));
        assert_eq!(
            trailing_quant_token("llama-2-7b-chat-hf_4bitnogs_hqq"),
            Some("hqq")
        );
        assert_eq!(
            trailing_quant_token("qwen2-7b-instruct-gptq-int4"),
            Some("gptq")
        );
        assert_eq!(
            trailing_quant_token("llama-3-8b-instruct-bnb-4bit-medical"),
            None
        );
        assert_eq!(trailing_quant_token("gguf"), None);
    }

    #[test]
    fn strips_format_suffixes() {
        assert_eq!(
            strip_format_suffix("llama-2-7b-chat-gguf"),
            Some("llama-2-7b-chat")
        );
        assert_eq!(
            strip_format_suffix("qwen2.5-7b-instruct-bnb-4bit"),
            Some("qwen2.5-7b-instruct")
        );
        assert_eq!(
            strip_format_suffix("meta-llama-3.1-8b-instruct-quantized.w4a16"),
            Some("meta-llama-3.1-8b-instruct")
        );
        assert_eq!(
            strip_format_suffix("llama-3-8b-instruct-i1-gguf"),
            Some("llama-3-8b-instruct")
        );
        assert_eq!(
            strip_format_suffix("llama-2-13b-4.0bpw-h6-exl2"),
            Some("llama-2-13b")
        );
        assert_eq!(strip_format_suffix("llama_2_7b_gptq"), Some("llama_2_7b"));
        assert_eq!(
            strip_format_suffix("mistral-7b-v0.1-q4_k_m"),
            Some("mistral-7b-v0.1")
        );
        assert_eq!(
            strip_format_suffix("tinyllama-1.1b-chat-v1.0-16bit"),
            Some("tinyllama-1.1b-chat-v1.0")
        );
        assert_eq!(strip_format_suffix("qwen2.5-7b-instruct"), None);
        assert_eq!(strip_format_suffix("gguf"), None);
    }

    #[test]
    fn finds_adapter_and_merge_keywords() {
        assert_eq!(
            adapter_token_in_name("llama-2-7b-lora-alpaca"),
            Some("name:LORA")
        );
        assert_eq!(adapter_token_in_name("explorer-7b"), None);
        let merge = |name: &str| merge_token_in_name(&name.to_lowercase(), name);
        assert_eq!(merge("NeuralBeagle-7B-slerp"), Some("name:SLERP"));
        assert_eq!(merge("mistral-7b-lora-merged"), None);
        assert_eq!(merge("Daredevil-7B"), None);
        // The merge method glued to the name, as written.
        assert_eq!(merge("DareBeagle-7B"), Some("name:DARE"));
        assert_eq!(merge("DareVox-7B"), Some("name:DARE"));
        assert_eq!(merge("NeuralBeagle14-7B"), None);
        // ControlNets and T2I-Adapters are adapters of a diffusion model.
        assert_eq!(
            adapter_token_in_name("sd-controlnet-canny"),
            Some("name:CONTROLNET")
        );
        assert_eq!(
            adapter_token_in_name("t2iadapter_canny_sd15v2"),
            Some("name:T2I_ADAPTER")
        );
        assert_eq!(
            adapter_token_in_name("t2i-adapter-sketch-sdxl-1.0"),
            Some("name:ADAPTER")
        );
    }

    #[test]
    fn spans_are_longest_first_at_token_boundaries() {
        let spans = token_spans("llama-2-7b", 12);
        let texts: Vec<&str> = spans.iter().map(|&(s, e)| &"llama-2-7b"[s..e]).collect();
        assert_eq!(texts, ["llama-2-7b", "llama-2", "llama", "2-7b", "7b", "2"]);
        assert_eq!(token_spans("a-b-c-d", 2).len(), 3);
    }
}
