//! A fake Hub behind the loopback server: dataset repos with files, the
//! tree API (paged by `Link`), the resolve endpoint (302 to a CDN path with
//! the `x-repo-commit`, `x-linked-etag` and `x-linked-size` headers the downloader
//! reads) and the CDN (with `accept-ranges` and `Range`).

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::server::{Reply, Req};

pub struct FakeRepo {
    pub id: String,
    pub commit: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

impl FakeRepo {
    pub fn new(id: &str, commit_seed: char, files: &[(&str, &[u8])]) -> Self {
        Self {
            id: id.into(),
            commit: commit_seed.to_string().repeat(40),
            files: files
                .iter()
                .map(|(p, c)| (p.to_string(), c.to_vec()))
                .collect(),
        }
    }
}

pub struct FakeHub {
    pub repos: Vec<FakeRepo>,
    /// Entries per page of the tree API.
    pub tree_page: usize,
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl FakeHub {
    pub fn serve(&self, req: &Req, base: &str) -> Reply {
        let path = req.path().to_string();
        if let Some(rest) = path.strip_prefix("/api/datasets/") {
            return self.tree(req, base, rest);
        }
        if let Some(rest) = path.strip_prefix("/datasets/") {
            return self.resolve(base, rest);
        }
        if let Some(sha) = path.strip_prefix("/cdn/") {
            return self.cdn(req, sha);
        }
        Reply::new(404, "no route")
    }

    fn repo_and_rest<'a>(&self, rest: &'a str, verb: &str) -> Option<(&FakeRepo, &'a str)> {
        self.repos.iter().find_map(|r| {
            rest.strip_prefix(&format!("{}/{verb}/", r.id))
                .map(|after| (r, after))
        })
    }

    fn tree(&self, req: &Req, base: &str, rest: &str) -> Reply {
        let Some((repo, after)) = self.repo_and_rest(rest, "tree") else {
            return Reply::new(404, r#"{"error":"Repository not found"}"#);
        };
        let (rev, folder) = after.split_once('/').unwrap_or((after, ""));
        if rev != "main" && rev != repo.commit {
            return Reply::new(404, r#"{"error":"Revision not found"}"#);
        }
        let recursive = req.query().split('&').any(|p| p == "recursive=true");
        let cursor: usize = req
            .query()
            .split('&')
            .find_map(|p| p.strip_prefix("cursor="))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let entries = entries(repo, folder, recursive);
        let page: Vec<&String> = entries.iter().skip(cursor).take(self.tree_page).collect();
        let body = format!(
            "[{}]",
            page.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",")
        );
        let mut reply = Reply::json(body);
        if cursor + self.tree_page < entries.len() {
            let next = format!(
                "{base}{}?recursive={recursive}&cursor={}",
                req.path(),
                cursor + self.tree_page
            );
            reply = reply.header("link", format!("<{next}>; rel=\"next\""));
        }
        reply
    }

    fn resolve(&self, base: &str, rest: &str) -> Reply {
        let Some((repo, after)) = self.repo_and_rest(rest, "resolve") else {
            return Reply::new(404, "repo");
        };
        let Some((_rev, file)) = after.split_once('/') else {
            return Reply::new(404, "path");
        };
        let Some(content) = repo.files.get(file) else {
            return Reply::new(404, r#"{"error":"Entry not found"}"#)
                .header("x-error-code", "EntryNotFound")
                .header("x-repo-commit", repo.commit.clone());
        };
        let sha = sha256(content);
        Reply::new(302, Vec::new())
            .header("location", format!("{base}/cdn/{sha}"))
            .header("x-repo-commit", repo.commit.clone())
            .header("x-linked-etag", format!("\"{sha}\""))
            .header("x-linked-size", content.len().to_string())
            .header("etag", format!("\"{}\"", &sha[..40]))
    }

    fn cdn(&self, req: &Req, sha: &str) -> Reply {
        let Some(content) = self
            .repos
            .iter()
            .flat_map(|r| r.files.values())
            .find(|c| sha256(c) == sha)
        else {
            return Reply::new(404, "blob");
        };
        cdn_reply(req, content)
    }
}

/// A CDN answer for `content`, honouring `Range: bytes=N-`.
pub fn cdn_reply(req: &Req, content: &[u8]) -> Reply {
    let sha = sha256(content);
    let start = req
        .header("range")
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.split('-').next())
        .and_then(|s| s.parse::<usize>().ok());
    match start {
        Some(s) if s >= content.len() => Reply::new(416, Vec::new()),
        Some(s) => Reply::new(206, content[s..].to_vec())
            .header(
                "content-range",
                format!("bytes {s}-{}/{}", content.len() - 1, content.len()),
            )
            .header("accept-ranges", "bytes")
            .header("etag", format!("\"{sha}\"")),
        None => Reply::new(200, content.to_vec())
            .header("accept-ranges", "bytes")
            .header("etag", format!("\"{sha}\"")),
    }
}

/// The tree entries (JSON) under `folder`: directories and LFS files.
fn entries(repo: &FakeRepo, folder: &str, recursive: bool) -> Vec<String> {
    let prefix = if folder.is_empty() {
        String::new()
    } else {
        format!("{}/", folder.trim_matches('/'))
    };
    let mut out = BTreeMap::new();
    for (path, content) in &repo.files {
        let Some(below) = path.strip_prefix(&prefix) else {
            continue;
        };
        let parts: Vec<&str> = below.split('/').collect();
        for depth in 1..parts.len() {
            if depth > 1 && !recursive {
                break;
            }
            let dir = format!("{prefix}{}", parts[..depth].join("/"));
            out.insert(
                dir.clone(),
                format!(r#"{{"type":"directory","oid":"d","path":"{dir}"}}"#),
            );
        }
        if parts.len() == 1 || recursive {
            out.insert(
                path.clone(),
                format!(
                    r#"{{"type":"file","oid":"{}","size":134,"path":"{path}","lfs":{{"oid":"{}","size":{},"pointerSize":134}}}}"#,
                    &sha256(content)[..40],
                    sha256(content),
                    content.len()
                ),
            );
        }
    }
    out.into_values().collect()
}
