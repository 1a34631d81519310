//! Families: follow each model's first parent to its root.
//!
//! - A parent that is not in the data ends the chain AT that parent: the
//!   family root is the missing id (so a derivative of a model absent from
//!   the snapshot is still credited to that model's developer).
//! - A cycle (a -> b -> a) is broken at its lexicographically smallest id,
//!   which becomes a root; the broken ids are reported.
//! - `lineage_depth` counts the parent links followed (0 for a root).

use std::collections::HashSet;

use crate::context::Context;
use crate::names::namespace;
use crate::relation::Decision;

/// Where a model's first parent leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge<'s> {
    None,
    InData(u32),
    Outside(&'s str),
}

/// The root of a family: a model in the data or a parent id absent from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root<'s> {
    InData(u32),
    Outside(&'s str),
}

/// Roots, depths and the first parent in the data of every model.
pub(crate) struct Families<'s> {
    pub root: Vec<Root<'s>>,
    pub depth: Vec<u32>,
    /// First parent when it is in the data and its link was not cut.
    pub parent: Vec<Option<u32>>,
    pub cycles_broken: Vec<String>,
    /// Distinct parent ids (ignoring case) that are not in the data.
    pub missing_parents: usize,
}

impl<'s> Families<'s> {
    pub fn build(ctx: &Context<'_>, decisions: &'s [Decision]) -> Self {
        let n = decisions.len();
        let mut missing: HashSet<String> = HashSet::new();
        let mut edges: Vec<Edge<'s>> = Vec::with_capacity(n);
        for (i, d) in decisions.iter().enumerate() {
            for p in d.parents.iter().skip(1) {
                if ctx.resolve(p, i).is_none() {
                    missing.insert(p.to_lowercase());
                }
            }
            edges.push(match d.parents.first() {
                None => Edge::None,
                Some(p) => match ctx.resolve(p, i) {
                    Some(q) => Edge::InData(q),
                    None => {
                        missing.insert(p.to_lowercase());
                        Edge::Outside(p.as_str())
                    }
                },
            });
        }
        let cycles_broken = break_cycles(&mut edges, &ctx.table.ids);
        let (root, depth) = roots_and_depths(&edges);
        let parent = edges
            .iter()
            .map(|e| match e {
                Edge::InData(p) => Some(*p),
                _ => None,
            })
            .collect();
        Families {
            root,
            depth,
            parent,
            cycles_broken,
            missing_parents: missing.len(),
        }
    }

    /// The family root's id.
    pub fn root_id<'a>(&self, ids: &[&'a str], i: usize) -> &'a str
    where
        's: 'a,
    {
        match self.root[i] {
            Root::InData(r) => ids[r as usize],
            Root::Outside(id) => id,
        }
    }

    /// The family root's developer: its author when the root is in the
    /// data, else the namespace of the root id (the id itself for a legacy
    /// id without namespace).
    pub fn root_author<'a>(&self, authors: &[&'a str], i: usize) -> &'a str
    where
        's: 'a,
    {
        match self.root[i] {
            Root::InData(r) => authors[r as usize],
            Root::Outside(id) => namespace(id).unwrap_or(id),
        }
    }
}

/// Cuts every cycle of in-data first-parent links at its lexicographically
/// smallest id; returns the cut ids, sorted.
fn break_cycles(edges: &mut [Edge<'_>], ids: &[&str]) -> Vec<String> {
    const WHITE: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut color = vec![WHITE; edges.len()];
    let mut cut = Vec::new();
    let mut path: Vec<usize> = Vec::new();
    for start in 0..edges.len() {
        if color[start] != WHITE {
            continue;
        }
        path.clear();
        let mut cur = start;
        loop {
            color[cur] = ON_PATH;
            path.push(cur);
            let Edge::InData(p) = edges[cur] else { break };
            let p = p as usize;
            match color[p] {
                WHITE => cur = p,
                ON_PATH => {
                    let at = path.iter().position(|&x| x == p).unwrap_or(0);
                    let smallest = path[at..]
                        .iter()
                        .copied()
                        .min_by_key(|&x| ids[x])
                        .unwrap_or(p);
                    edges[smallest] = Edge::None;
                    cut.push(ids[smallest].to_string());
                    break;
                }
                _ => break,
            }
        }
        for &x in &path {
            color[x] = DONE;
        }
    }
    cut.sort();
    cut
}

/// Root and depth of every model over acyclic first-parent links, each
/// link followed once (memoized).
fn roots_and_depths<'s>(edges: &[Edge<'s>]) -> (Vec<Root<'s>>, Vec<u32>) {
    let n = edges.len();
    let mut root: Vec<Root<'s>> = (0..n as u32).map(Root::InData).collect();
    let mut depth = vec![0u32; n];
    let mut done = vec![false; n];
    let mut path: Vec<usize> = Vec::new();
    for start in 0..n {
        path.clear();
        let mut cur = start;
        let (r, mut d) = loop {
            if done[cur] {
                break (root[cur], depth[cur]);
            }
            match edges[cur] {
                Edge::None => {
                    done[cur] = true;
                    break (Root::InData(cur as u32), 0);
                }
                Edge::Outside(id) => {
                    root[cur] = Root::Outside(id);
                    depth[cur] = 1;
                    done[cur] = true;
                    break (Root::Outside(id), 1);
                }
                Edge::InData(p) => {
                    path.push(cur);
                    cur = p as usize;
                    if path.len() > n {
                        break (Root::InData(cur as u32), 0);
                    }
                }
            }
        };
        for &x in path.iter().rev() {
            d += 1;
            root[x] = r;
            depth[x] = d;
            done[x] = true;
        }
    }
    (root, depth)
}

/// Inherits a value along first-parent links: a model without its own value
/// takes its parent's when `inherits(model)` holds (recursively).
pub(crate) fn inherit<T: Copy>(
    own: &[Option<T>],
    inherits: impl Fn(usize) -> bool,
    parent: &[Option<u32>],
) -> Vec<Option<T>> {
    let n = own.len();
    let mut out: Vec<Option<T>> = own.to_vec();
    let mut done = vec![false; n];
    let mut path: Vec<usize> = Vec::new();
    for start in 0..n {
        path.clear();
        let mut cur = start;
        let value = loop {
            if done[cur] {
                break out[cur];
            }
            match parent[cur] {
                Some(p) if own[cur].is_none() && inherits(cur) && path.len() <= n => {
                    path.push(cur);
                    cur = p as usize;
                }
                _ => {
                    done[cur] = true;
                    break own[cur];
                }
            }
        };
        for &x in &path {
            out[x] = value;
            done[x] = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<&'static str> {
        vec!["a/base", "b/ft", "c/quant", "d/x", "e/y", "f/z", "g/orphan"]
    }

    #[test]
    fn chains_reach_their_root_with_depth() {
        // c/quant -> b/ft -> a/base ; g/orphan -> missing/model
        let mut edges = vec![
            Edge::None,
            Edge::InData(0),
            Edge::InData(1),
            Edge::None,
            Edge::None,
            Edge::None,
            Edge::Outside("missing/model"),
        ];
        assert!(break_cycles(&mut edges, &ids()).is_empty());
        let (root, depth) = roots_and_depths(&edges);
        assert_eq!(root[2], Root::InData(0));
        assert_eq!(depth[2], 2);
        assert_eq!(depth[0], 0);
        assert_eq!(root[6], Root::Outside("missing/model"));
        assert_eq!(depth[6], 1);
    }

    #[test]
    fn a_missing_parent_ends_the_chain_at_that_parent() {
        // b/ft -> g/orphan -> gone/base (absent)
        let edges = vec![
            Edge::None,
            Edge::InData(6),
            Edge::None,
            Edge::None,
            Edge::None,
            Edge::None,
            Edge::Outside("gone/base"),
        ];
        let (root, depth) = roots_and_depths(&edges);
        assert_eq!(root[1], Root::Outside("gone/base"));
        assert_eq!(depth[1], 2);
    }

    #[test]
    fn cycles_are_broken_at_the_smallest_id() {
        // d/x -> e/y -> f/z -> d/x ; c/quant -> e/y
        let mut edges = vec![
            Edge::None,
            Edge::None,
            Edge::InData(4),
            Edge::InData(4),
            Edge::InData(5),
            Edge::InData(3),
            Edge::None,
        ];
        let cut = break_cycles(&mut edges, &ids());
        assert_eq!(cut, vec!["d/x".to_string()]);
        let (root, depth) = roots_and_depths(&edges);
        assert_eq!(root[3], Root::InData(3));
        assert_eq!(root[5], Root::InData(3));
        assert_eq!(depth[5], 1);
        assert_eq!(root[4], Root::InData(3));
        assert_eq!(depth[4], 2);
        assert_eq!(root[2], Root::InData(3));
        assert_eq!(depth[2], 3);
    }

    #[test]
    fn a_self_loop_is_a_cycle() {
        let mut edges = vec![Edge::InData(0)];
        assert_eq!(
            break_cycles(&mut edges, &["a/self"]),
            vec!["a/self".to_string()]
        );
        assert_eq!(roots_and_depths(&edges).1, vec![0]);
    }

    #[test]
    fn inheritance_follows_parents_only_where_allowed() {
        // 2 -> 1 -> 0 ; 0 has a value; 1 inherits; 2 does not inherit.
        let own = [Some(7), None, None, None];
        let parent = [None, Some(0), Some(1), Some(1)];
        let out = inherit(&own, |i| i != 2, &parent);
        assert_eq!(out, vec![Some(7), Some(7), None, Some(7)]);
    }
}
