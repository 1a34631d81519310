//! Sizes and mixture-of-experts markers stated in model names.

/// Multiplier of a size unit: `b` billions, `m` millions, `t` trillions.
fn unit(c: u8) -> Option<f64> {
    match c {
        b'b' => Some(1e9),
        b'm' => Some(1e6),
        b't' => Some(1e12),
        _ => None,
    }
}

/// A decimal number at `i`: digits, optionally `.` and digits. Returns the
/// value and the index after it.
fn number(b: &[u8], i: usize) -> Option<(f64, usize)> {
    let mut j = i;
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    if j == i {
        return None;
    }
    if j + 1 < b.len() && b[j] == b'.' && b[j + 1].is_ascii_digit() {
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
    }
    let text = std::str::from_utf8(&b[i..j]).ok()?;
    Some((text.parse().ok()?, j))
}

fn ends_token(b: &[u8], j: usize) -> bool {
    j >= b.len() || !b[j].is_ascii_alphanumeric()
}

fn starts_token(b: &[u8], i: usize) -> bool {
    i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.')
}

/// A count starting at `i`: `7b`, `1.5b`, `270m`, `1t`, `8x7b` (experts x
/// size: total 56B), `7b1` (7.1B, the BLOOM style).
fn count_at(b: &[u8], i: usize) -> Option<f64> {
    let (a, j) = number(b, i)?;
    if j < b.len() && b[j] == b'x' {
        let (size, k) = number(b, j + 1)?;
        let u = unit(*b.get(k)?)?;
        return (a.fract() == 0.0 && ends_token(b, k + 1)).then_some(a * size * u);
    }
    let u = unit(*b.get(j)?)?;
    if ends_token(b, j + 1) {
        return Some(a * u);
    }
    if b[j] == b'b' && a.fract() == 0.0 {
        let mut k = j + 1;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if k > j + 1 && ends_token(b, k) {
            let decimals = std::str::from_utf8(&b[j + 1..k]).ok()?;
            let frac: f64 = format!("0.{decimals}").parse().ok()?;
            return Some((a + frac) * u);
        }
    }
    None
}

/// The parameter count a name states: the first count that is a whole
/// token (`Llama-2-7b-hf` 7B, `Qwen2.5-1.5B` 1.5B, `SmolLM2-135M`,
/// `Mixtral-8x7B` 56B = 8 x 7B). Active-parameter markers (`A3B`) and
/// tokens glued to letters (`4bit`, `7bmqa`) are not counts.
pub fn params_in_name(name: &str) -> Option<u64> {
    let lower = name.to_ascii_lowercase();
    let b = lower.as_bytes();
    (0..b.len())
        .filter(|&i| b[i].is_ascii_digit() && starts_token(b, i))
        .find_map(|i| count_at(b, i))
        .filter(|v| *v >= 1.0 && *v <= 1e14)
        .map(|v| v.round() as u64)
}

/// A name that marks a mixture of experts: an experts-times-size count
/// (`8x7B`), an active-parameter token (`A3B`, `A22B`, `A2.7B`), or the
/// token `moe`.
pub fn moe_in_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let b = lower.as_bytes();
    let experts = (0..b.len()).any(|i| {
        if !(b[i].is_ascii_digit() && starts_token(b, i)) {
            return false;
        }
        matches!(number(b, i), Some((_, j)) if j < b.len() && b[j] == b'x' && count_at(b, i).is_some())
    });
    let active = (0..b.len()).any(|i| {
        b[i] == b'a'
            && starts_token(b, i)
            && matches!(number(b, i + 1), Some((_, j)) if b.get(j) == Some(&b'b') && ends_token(b, j + 1))
    });
    experts || active || lower.split(['-', '_', ' ', '.']).any(|t| t == "moe")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_names() {
        assert_eq!(params_in_name("Llama-2-7b-chat-hf"), Some(7_000_000_000));
        assert_eq!(params_in_name("Qwen2.5-1.5B-Instruct"), Some(1_500_000_000));
        assert_eq!(params_in_name("gemma-3-270m"), Some(270_000_000));
        assert_eq!(
            params_in_name("Mixtral-8x7B-Instruct-v0.1"),
            Some(56_000_000_000)
        );
        assert_eq!(params_in_name("bloom-7b1"), Some(7_100_000_000));
        assert_eq!(params_in_name("Ling-1T"), Some(1_000_000_000_000));
        assert_eq!(params_in_name("Qwen3-30B-A3B"), Some(30_000_000_000));
        assert_eq!(
            params_in_name("TinyLlama-1.1B-intermediate-step-1431k-3T"),
            Some(1_100_000_000)
        );
    }

    #[test]
    fn non_counts_in_names() {
        assert_eq!(
            params_in_name("Qwen2.5-7B-Instruct-bnb-4bit").map(|v| v / 1_000_000_000),
            Some(7)
        );
        assert_eq!(params_in_name("llama-2-4bit"), None);
        assert_eq!(params_in_name("Phi-3-mini-4k-instruct"), None);
        assert_eq!(params_in_name("Qwen1.5-MoE-A2.7B"), None);
        assert_eq!(params_in_name("deepseek-coder-5.7bmqa-base"), None);
        assert_eq!(params_in_name("bert-base-uncased"), None);
        assert_eq!(
            params_in_name("Mistral-7B-v0.1").map(|v| v / 1_000_000_000),
            Some(7)
        );
        assert_eq!(params_in_name("v0.5b"), None);
    }

    /// Names from reference/model_parameters.csv (Interconnects-AI/tracked-models,
    /// Apache-2.0, commit 3cd8020) with their published total parameters (billions).
    const REFERENCE: &[(&str, f64)] = &[
        ("Qwen/Qwen3-235B-A22B-Instruct-2507", 235.0),
        ("Qwen/Qwen3-Coder-480B-A35B-Instruct", 480.0),
        ("nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", 30.0),
        ("mistralai/Mistral-Small-24B-Instruct-2501", 24.0),
        ("mistralai/Mistral-Small-3.1-24B-Instruct-2503", 24.0),
        ("google/gemma-3-27b-it", 27.0),
        ("google/gemma-4-26B-A4B-it", 25.2),
        ("mistralai/Mistral-Small-4-119B-2603", 119.0),
        ("Qwen/Qwen3.5-397B-A17B", 397.0),
        ("allenai/OLMo-Ladder-760M-0.5xC", 0.76),
        ("inclusionAI/Ling-1T", 1000.0),
        ("ibm-granite/granite-embedding-278m-multilingual", 0.278),
        ("ibm-granite/granite-guardian-hap-38m", 0.038),
    ];

    /// Experts-times-size names: the product overstates the total because
    /// experts share attention and embeddings.
    const REFERENCE_EXPERTS: &[(&str, f64)] = &[
        ("mistralai/Mixtral-8x7B-v0.1", 46.7),
        ("mistralai/Mixtral-8x22B-v0.1", 140.6),
        ("openbmb/MiniCPM-MoE-8x2B", 14.0),
        ("allenai/FlexOlmo-7x7B-1T", 33.0),
    ];

    #[test]
    fn name_counts_agree_with_the_reference_table() {
        for (id, billions) in REFERENCE {
            let got = params_in_name(crate::names::model_name(id)).unwrap_or(0) as f64 / 1e9;
            assert!(
                (got - billions).abs() / billions < 0.05,
                "{id}: {got} vs {billions}"
            );
        }
        for (id, billions) in REFERENCE_EXPERTS {
            let got = params_in_name(crate::names::model_name(id)).unwrap_or(0) as f64 / 1e9;
            assert!(
                got >= *billions && got < 1.6 * billions,
                "{id}: {got} vs {billions}"
            );
            assert!(moe_in_name(id), "{id}");
        }
    }

    #[test]
    fn moe_markers_in_names() {
        assert!(moe_in_name("Qwen3-30B-A3B-Instruct-2507"));
        assert!(moe_in_name("Qwen1.5-MoE-A2.7B"));
        assert!(moe_in_name("Mixtral-8x7B-v0.1"));
        assert!(!moe_in_name("Llama-2-7b-chat-hf"));
        assert!(!moe_in_name("Qwen2.5-7B-Instruct-AWQ"));
        assert!(!moe_in_name("moebius-7b"));
    }
}
