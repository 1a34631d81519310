//! Drawing a derivative's parent: the pull of the head labs' base models,
//! preferential attachment among the other models, ageing, and a cap on the
//! size of any one family.
//!
//! A derivative goes to one of the head labs' base models (drawn among those
//! already created, by `appeal x e^-age/decay`) with probability
//! `lineage.base_model_share x pull / (pull + 2)`, where `pull` is the sum of
//! those weights (so faded bases give way), else to the pool of every other original,
//! fine-tune and merge. In the pool a model weighs its own appeal plus one per
//! derivative it already has, each term decaying as `e^-age/decay` (recent
//! models and recent activity attract; preferential attachment). A family
//! (all models whose first-parent chain ends at the same root) that reaches
//! `lineage.max_family_share` of all models takes no more derivatives.

use std::collections::HashMap;

use rand::RngExt;
use rand_pcg::Pcg64;

/// Weight a derivative adds to its parent in the pool (in units of appeal).
const CHILD_PULL: f64 = 1.0;
/// Total base-model pull at which half of `base_model_share` goes to the
/// base models: when only old bases remain (their pull faded), derivatives
/// go to the pool instead.
const HALF_PULL: f64 = 2.0;
/// Tries before a draw that keeps hitting full families or the wrong family gives up.
const TRIES: usize = 30;

/// A Fenwick tree of weights over model indices, to draw in O(log n).
pub struct Fenwick {
    tree: Vec<f64>,
    total: f64,
}

impl Fenwick {
    pub fn new(n: usize) -> Self {
        Fenwick {
            tree: vec![0.0; n + 1],
            total: 0.0,
        }
    }
    pub fn add(&mut self, i: usize, w: f64) {
        self.total += w;
        let mut k = i + 1;
        while k < self.tree.len() {
            self.tree[k] += w;
            k += k & k.wrapping_neg();
        }
    }
    /// Index whose cumulative weight interval contains `u` (0 <= u < total).
    pub fn find(&self, mut u: f64) -> usize {
        let mut pos = 0;
        let mut step = self.tree.len().next_power_of_two();
        while step > 0 {
            let next = pos + step;
            if next < self.tree.len() && self.tree[next] <= u {
                pos = next;
                u -= self.tree[next];
            }
            step >>= 1;
        }
        pos.min(self.tree.len().saturating_sub(2))
    }
    /// A weighted draw among indices below `limit` (the models created so far).
    pub fn draw(&self, limit: usize, rng: &mut Pcg64) -> Option<usize> {
        if self.total <= 1e-9 || self.tree.len() < 2 {
            return None;
        }
        let p = self.find(rng.random::<f64>() * self.total * (1.0 - 1e-12));
        (p < limit).then_some(p)
    }
}

/// A base model that exists: its index and what draws it.
struct Base {
    model: u32,
    appeal: f64,
    created: i32,
    llm: bool,
}

/// The parent-drawing state of one generation.
pub struct Attachment {
    any: Fenwick,
    llm: Fenwick,
    /// Weight each model has in the pool (0: not in the pool).
    weight: Vec<f64>,
    in_llm: Vec<bool>,
    /// First-parent root of each model.
    root: Vec<u32>,
    /// Family size of each root.
    size: Vec<u32>,
    /// Pool members of each root's family.
    members: HashMap<u32, Vec<u32>>,
    full: Vec<bool>,
    bases: Vec<Base>,
    cap: u32,
    base_share: f64,
    decay_days: f64,
    origin: i32,
}

/// What the pool needs to know about a new model.
pub struct Joining {
    pub index: usize,
    pub day: i32,
    /// First parent (None: an original, its own root).
    pub parent: Option<usize>,
    /// Joins the pool with this appeal (None: never a parent through the pool).
    pub pool_appeal: Option<f64>,
    /// A base model with this appeal.
    pub base_appeal: Option<f64>,
    /// Its family can be quantized (language and vision-language models).
    pub llm: bool,
}

impl Attachment {
    pub fn new(
        n: usize,
        max_family_share: f64,
        base_share: f64,
        decay_days: f64,
        origin: i32,
    ) -> Self {
        Attachment {
            any: Fenwick::new(n),
            llm: Fenwick::new(n),
            weight: vec![0.0; n],
            in_llm: vec![false; n],
            root: Vec::with_capacity(n),
            size: vec![0; n],
            members: HashMap::new(),
            full: vec![false; n],
            bases: Vec::new(),
            cap: ((max_family_share * n as f64).ceil() as u32).max(3),
            base_share,
            decay_days,
            origin,
        }
    }

    /// `e^(day - origin)/decay`: weights are stored scaled by it, so older
    /// terms decay relative to newer ones without being touched.
    fn scale(&self, day: i32) -> f64 {
        ((day - self.origin) as f64 / self.decay_days).exp()
    }

    pub fn root(&self, i: usize) -> usize {
        self.root[i] as usize
    }

    /// The parent of a new derivative created on `day`, among models below
    /// `limit`; `llm_only` for quantizations; `same_family` restricts to one
    /// family of the catalog (merge partners).
    pub fn draw(
        &self,
        limit: usize,
        day: i32,
        llm_only: bool,
        accept: &dyn Fn(usize) -> bool,
        rng: &mut Pcg64,
    ) -> Option<usize> {
        let weights = self.base_weights(day, llm_only, accept);
        let pull: f64 = weights.iter().sum();
        let from_base = rng.random_bool(self.base_share * pull / (pull + HALF_PULL));
        let first = if from_base {
            self.draw_base(&weights, pull, rng)
        } else {
            self.draw_pool(limit, llm_only, accept, rng)
        };
        first.or_else(|| {
            if from_base {
                self.draw_pool(limit, llm_only, accept, rng)
            } else {
                self.draw_base(&weights, pull, rng)
            }
        })
    }

    /// Each base model's pull on `day`: appeal fading with age; zero when
    /// its family is full or it is not acceptable.
    fn base_weights(&self, day: i32, llm_only: bool, accept: &dyn Fn(usize) -> bool) -> Vec<f64> {
        self.bases
            .iter()
            .map(|b| {
                let open = !self.full[b.model as usize] && (b.llm || !llm_only);
                if open && accept(b.model as usize) {
                    b.appeal * (-((day - b.created) as f64) / self.decay_days).exp()
                } else {
                    0.0
                }
            })
            .collect()
    }

    fn draw_base(&self, weights: &[f64], total: f64, rng: &mut Pcg64) -> Option<usize> {
        if total <= 0.0 {
            return None;
        }
        let mut u = rng.random::<f64>() * total;
        for (b, w) in self.bases.iter().zip(weights) {
            if u < *w {
                return Some(b.model as usize);
            }
            u -= w;
        }
        self.bases
            .iter()
            .zip(weights)
            .rev()
            .find(|(_, w)| **w > 0.0)
            .map(|(b, _)| b.model as usize)
    }

    fn draw_pool(
        &self,
        limit: usize,
        llm_only: bool,
        accept: &dyn Fn(usize) -> bool,
        rng: &mut Pcg64,
    ) -> Option<usize> {
        let tree = if llm_only { &self.llm } else { &self.any };
        (0..TRIES).find_map(|_| {
            tree.draw(limit, rng)
                .filter(|&p| self.weight[p] > 0.0 && !self.full[self.root[p] as usize] && accept(p))
        })
    }

    /// Registers a new model (in creation order): its family, its pull on the
    /// pool, and the weight it adds to its parent.
    pub fn join(&mut self, j: &Joining) {
        let root = match j.parent {
            Some(p) => self.root[p],
            None => j.index as u32,
        };
        self.root.push(root);
        self.size[root as usize] += 1;
        let s = self.scale(j.day);
        if let Some(p) = j.parent
            && self.weight[p] > 0.0
            && !self.full[root as usize]
        {
            self.bump(p, CHILD_PULL * s);
        }
        if let Some(a) = j.base_appeal {
            self.bases.push(Base {
                model: j.index as u32,
                appeal: a,
                created: j.day,
                llm: j.llm,
            });
        } else if let Some(a) = j.pool_appeal
            && !self.full[root as usize]
        {
            self.in_llm[j.index] = j.llm;
            self.bump(j.index, a.max(1e-6) * s);
            self.members.entry(root).or_default().push(j.index as u32);
        }
        if self.size[root as usize] >= self.cap && !self.full[root as usize] {
            self.close(root);
        }
    }

    fn bump(&mut self, i: usize, w: f64) {
        self.weight[i] += w;
        self.any.add(i, w);
        if self.in_llm[i] {
            self.llm.add(i, w);
        }
    }

    /// A full family leaves the pool.
    fn close(&mut self, root: u32) {
        self.full[root as usize] = true;
        for m in self.members.remove(&root).unwrap_or_default() {
            let w = std::mem::take(&mut self.weight[m as usize]);
            self.any.add(m as usize, -w);
            if self.in_llm[m as usize] {
                self.llm.add(m as usize, -w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn fenwick_draws_by_weight() {
        let mut f = Fenwick::new(4);
        f.add(0, 1.0);
        f.add(2, 3.0);
        assert_eq!(f.find(0.5), 0);
        assert_eq!(f.find(1.5), 2);
        assert_eq!(f.find(3.9), 2);
        let empty = Fenwick::new(3);
        let mut rng = Pcg64::seed_from_u64(3);
        assert_eq!(empty.draw(3, &mut rng), None);
    }

    fn original(index: usize, day: i32, appeal: f64) -> Joining {
        Joining {
            index,
            day,
            parent: None,
            pool_appeal: Some(appeal),
            base_appeal: None,
            llm: true,
        }
    }

    #[test]
    fn a_family_at_the_cap_takes_no_more_derivatives() {
        let n = 100;
        let mut a = Attachment::new(n, 0.05, 0.0, 365.0, 0);
        a.join(&original(0, 0, 1000.0));
        a.join(&original(1, 0, 1.0));
        let mut rng = Pcg64::seed_from_u64(1);
        let mut roots = Vec::new();
        for i in 2..n {
            let Some(p) = a.draw(i, 1, false, &|_| true, &mut rng) else {
                break;
            };
            roots.push(a.root(p));
            a.join(&Joining {
                index: i,
                day: 1,
                parent: Some(p),
                pool_appeal: None,
                base_appeal: None,
                llm: true,
            });
        }
        // The cap is 5 models (5% of 100): each root takes 4 derivatives, the
        // popular one first, then the pool is empty.
        assert_eq!(roots, [0, 0, 0, 0, 1, 1, 1, 1]);
        assert_eq!((a.size[0], a.size[1]), (5, 5));
    }

    #[test]
    fn base_models_pull_by_appeal_and_age() {
        let n = 10;
        let mut a = Attachment::new(n, 1.0, 1.0, 100.0, 0);
        for (i, (day, appeal)) in [(0, 1.0), (500, 1.0)].into_iter().enumerate() {
            a.join(&Joining {
                index: i,
                day,
                parent: None,
                pool_appeal: None,
                base_appeal: Some(appeal),
                llm: i == 1,
            });
        }
        let mut rng = Pcg64::seed_from_u64(2);
        let draws: Vec<usize> = (0..200)
            .filter_map(|_| a.draw(2, 500, false, &|_| true, &mut rng))
            .collect();
        let recent = draws.iter().filter(|&&p| p == 1).count();
        // e^-5 of the pull is left to the old base.
        assert!(recent > 190, "{recent}");
        // Quantizations only of language models.
        assert!((0..50).all(|_| a.draw(2, 500, true, &|_| true, &mut rng) == Some(1)));
    }
}
