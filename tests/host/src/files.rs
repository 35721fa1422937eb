//! Component `files`: assembled into one directory that is mounted read-only at
//! `/` in the guest (as `spin up` copies files for local apps).
//!
//! - a string is a glob relative to the manifest directory (`*`, `?` within a
//!   path segment, `**` for any number of segments); each matching file appears at
//!   the same relative path under `/`;
//! - `{ source = "dir", destination = "/path" }` places the directory tree
//!   `dir` at `/path`.
//!
//! `exclude_files` globs remove matches of string patterns.

use anyhow::{Context, Result, bail};
use std::path::{Component, Path, PathBuf};

use crate::manifest::FileMount;

/// Builds `target` from the mounts. `target` is recreated from scratch.
pub fn assemble(
    base: &Path,
    mounts: &[FileMount],
    exclude: &[String],
    target: &Path,
) -> Result<()> {
    if target.exists() {
        std::fs::remove_dir_all(target)?;
    }
    std::fs::create_dir_all(target)
        .with_context(|| format!("cannot create {}", target.display()))?;
    let exclude: Vec<Vec<&str>> = exclude.iter().map(|e| segments(e)).collect();
    for mount in mounts {
        match mount {
            FileMount::Pattern(pattern) => {
                check_relative(pattern)?;
                let pattern_segments = segments(pattern);
                let mut matched = 0;
                for rel in walk_files(base, &literal_prefix(&pattern_segments))? {
                    let rel_segments: Vec<&str> =
                        rel.iter().map(|s| s.to_str().unwrap_or("")).collect();
                    if glob_match(&pattern_segments, &rel_segments)
                        && !exclude.iter().any(|e| glob_match(e, &rel_segments))
                    {
                        copy_file(&base.join(&rel), &target.join(&rel))?;
                        matched += 1;
                    }
                }
                if matched == 0 {
                    eprintln!(
                        "[spin-test-host] warning: files pattern {pattern:?} matched no file"
                    );
                }
            }
            FileMount::Placement {
                source,
                destination,
            } => {
                check_relative(source)?;
                let Some(dest) = destination.strip_prefix('/') else {
                    bail!("files destination {destination:?} must be an absolute path");
                };
                check_relative(dest)?;
                let src = base.join(source);
                if !src.is_dir() {
                    bail!("files source {} is not a directory", src.display());
                }
                for rel in walk_files(&src, &PathBuf::new())? {
                    copy_file(&src.join(&rel), &target.join(dest).join(&rel))?;
                }
            }
        }
    }
    Ok(())
}

fn check_relative(path: &str) -> Result<()> {
    let p = Path::new(path);
    if p.is_absolute() || p.components().any(|c| matches!(c, Component::ParentDir)) {
        bail!("files path {path:?} must be relative and stay inside the application directory");
    }
    Ok(())
}

fn segments(pattern: &str) -> Vec<&str> {
    pattern
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect()
}

/// The leading segments that contain no glob characters.
fn literal_prefix(pattern: &[&str]) -> PathBuf {
    pattern
        .iter()
        .take_while(|s| !s.contains(['*', '?', '[']))
        .collect()
}

/// All files under `root/start`, as paths relative to `root`.
fn walk_files(root: &Path, start: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let first = root.join(start);
    if first.is_file() {
        out.push(start.to_path_buf());
        return Ok(out);
    }
    if !first.is_dir() {
        return Ok(out);
    }
    let mut stack = vec![start.to_path_buf()];
    while let Some(rel_dir) = stack.pop() {
        let dir = root.join(&rel_dir);
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?
        {
            let entry = entry?;
            let rel = rel_dir.join(entry.file_name());
            let kind = std::fs::metadata(entry.path())?;
            if kind.is_dir() {
                stack.push(rel);
            } else if kind.is_file() {
                out.push(rel);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::copy(from, to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    Ok(())
}

/// Matches path segments against glob segments (`**`, `*`, `?`).
pub fn glob_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| glob_match(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((segment, path_rest)) => {
                segment_match(first.as_bytes(), segment.as_bytes()) && glob_match(rest, path_rest)
            }
            None => false,
        },
    }
}

fn segment_match(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| segment_match(rest, &text[skip..])),
        Some((b'?', rest)) => !text.is_empty() && segment_match(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && segment_match(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, path: &str) -> bool {
        glob_match(&segments(p), &segments(path))
    }

    #[test]
    fn globs() {
        assert!(m("static/**", "static/a.txt"));
        assert!(m("static/**", "static/css/site.css"));
        assert!(!m("static/**", "other/a.txt"));
        assert!(m("static/*.css", "static/site.css"));
        assert!(!m("static/*.css", "static/css/site.css"));
        assert!(m("**/*.md", "docs/x/readme.md"));
        assert!(m("a?c.txt", "abc.txt"));
        assert!(m("file.txt", "file.txt"));
    }

    #[test]
    fn assembles_patterns_and_placements() {
        let base = tempfile::tempdir().unwrap();
        let b = base.path();
        std::fs::create_dir_all(b.join("static/css")).unwrap();
        std::fs::write(b.join("static/index.html"), "hi").unwrap();
        std::fs::write(b.join("static/css/site.css"), "css").unwrap();
        std::fs::write(b.join("static/secret.key"), "no").unwrap();
        std::fs::create_dir_all(b.join("assets/img")).unwrap();
        std::fs::write(b.join("assets/img/logo.svg"), "svg").unwrap();
        let target = b.join("out");
        assemble(
            b,
            &[
                FileMount::Pattern("static/**".into()),
                FileMount::Placement {
                    source: "assets".into(),
                    destination: "/public".into(),
                },
            ],
            &["**/*.key".into()],
            &target,
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("static/index.html")).unwrap(),
            "hi"
        );
        assert_eq!(
            std::fs::read_to_string(target.join("static/css/site.css")).unwrap(),
            "css"
        );
        assert!(!target.join("static/secret.key").exists());
        assert_eq!(
            std::fs::read_to_string(target.join("public/img/logo.svg")).unwrap(),
            "svg"
        );
        assert!(assemble(b, &[FileMount::Pattern("../x".into())], &[], &target).is_err());
    }
}
