//! Component `files`: assembled into one directory that is mounted read-only at
//! `/` in the guest, as `spin up` copies them for a local app
//! (`crates/loader/src/local.rs`), with the same `glob` crate and the same
//! rules:
//!
//! - a string that names an existing file copies it to the same path under
//!   `/`; one that names an existing directory copies its files to
//!   `/<dir>/<dir>/...` (Spin joins the directory twice; this host does too);
//! - any other string must be a glob (`glob` crate syntax: `**` is a whole
//!   path segment, so `static/**` matches directories only and copies
//!   nothing, `static/**/*` copies every file) matched from the manifest
//!   directory; each matching file keeps its relative path;
//! - `{ source = "dir", destination = "/path" }` copies the files of `dir`
//!   (or the single file `source`) to `/path`;
//! - `exclude_files` globs are matched against each file's path relative to
//!   the manifest directory, for every kind of mount.

use anyhow::{Context, Result, bail};
use std::path::Path;

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
    let exclude = exclude
        .iter()
        .map(|p| {
            glob::Pattern::new(p)
                .with_context(|| format!("Invalid exclude_files glob pattern {p:?}"))
        })
        .collect::<Result<Vec<_>>>()?;
    for mount in mounts {
        match mount {
            FileMount::Pattern(pattern) => copy_glob_or_path(base, pattern, target, &exclude)?,
            FileMount::Placement {
                source,
                destination,
            } => {
                let src = base.join(source);
                let dest = target.join(destination.trim_start_matches('/'));
                let meta = std::fs::metadata(&src).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        anyhow::anyhow!("File or directory \"{}\" does not exist", source)
                    } else {
                        anyhow::Error::from(e)
                            .context(format!("invalid file mount source \"{source}\""))
                    }
                })?;
                if meta.is_dir() {
                    copy_glob(base, &src.join("**/*"), &src, &dest, &exclude)?;
                } else {
                    copy_file(&src, &dest)?;
                }
            }
        }
    }
    Ok(())
}

const DIRECTORY_HINT: &str = "If you want to include a directory, use source-destination form, or a glob pattern ending in **/*.\nLearn more: https://spinframework.dev/writing-apps#including-files-with-components";

fn copy_glob_or_path(
    base: &Path,
    pattern: &str,
    target: &Path,
    exclude: &[glob::Pattern],
) -> Result<()> {
    if pattern == ".." || pattern.ends_with("/..") {
        bail!("A file pattern can't end in a parent directory path (..)\n{DIRECTORY_HINT}");
    }
    if pattern == "." || pattern.ends_with("/.") {
        bail!("A file pattern can't end in a current directory path (.)\n{DIRECTORY_HINT}");
    }
    let path = base.join(pattern);
    if path.exists() {
        let dest = target.join(pattern);
        if path.is_dir() {
            copy_glob(base, &path.join("**/*"), base, &dest, exclude)
        } else {
            copy_file(&path, &dest)
        }
    } else if glob::Pattern::escape(pattern) != pattern {
        copy_glob(base, &path, base, target, exclude)
    } else {
        bail!("{pattern:?} does not exist and doesn't appear to be a glob pattern")
    }
}

/// Copies the files matching `pattern` (absolute) to `dest`, each at its
/// path relative to `src_prefix`, unless an exclude pattern matches its path
/// relative to `base`.
fn copy_glob(
    base: &Path,
    pattern: &Path,
    src_prefix: &Path,
    dest: &Path,
    exclude: &[glob::Pattern],
) -> Result<()> {
    let pattern = pattern
        .to_str()
        .with_context(|| format!("invalid (non-utf8) file pattern {pattern:?}"))?;
    let paths = glob::glob(pattern)
        .with_context(|| format!("Failed to resolve glob pattern {pattern:?}"))?;
    std::fs::create_dir_all(dest)?;
    for path in paths {
        let src = path?;
        if !src.is_file() {
            continue;
        }
        // (Spin compares the paths as written; a `..` in them would escape.)
        let escapes = |p: &Path| {
            p.components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        };
        let Some(app_relative) = src.strip_prefix(base).ok().filter(|p| !escapes(p)) else {
            bail!(
                "{pattern} cannot be mapped because it is outside the application directory. Files must be within the application directory."
            );
        };
        if exclude.iter().any(|e| e.matches_path(app_relative)) {
            continue;
        }
        copy_file(&src, &dest.join(src.strip_prefix(src_prefix)?))?;
    }
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::copy(from, to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout `spin up` 4.1 produced for the same mounts (checked with
    /// the probe component on real Spin).
    #[test]
    fn assembles_as_spin_does() {
        let base = tempfile::tempdir().unwrap();
        let b = base.path();
        std::fs::create_dir_all(b.join("static/sub")).unwrap();
        std::fs::write(b.join("static/hello.txt"), "hi").unwrap();
        std::fs::write(b.join("static/sub/a.txt"), "sub").unwrap();
        std::fs::write(b.join("top.txt"), "top").unwrap();
        let out = b.join("out");
        let files = |mounts: Vec<FileMount>, exclude: &[&str]| -> Vec<String> {
            let exclude: Vec<String> = exclude.iter().map(|s| s.to_string()).collect();
            assemble(b, &mounts, &exclude, &out).unwrap();
            let mut found: Vec<String> = glob::glob(out.join("**/*").to_str().unwrap())
                .unwrap()
                .map(Result::unwrap)
                .filter(|p| p.is_file())
                .map(|p| p.strip_prefix(&out).unwrap().to_string_lossy().into_owned())
                .collect();
            found.sort();
            found
        };
        let pattern = |p: &str| FileMount::Pattern(p.to_string());
        assert_eq!(
            files(vec![pattern("static")], &[]),
            ["static/static/hello.txt", "static/static/sub/a.txt"]
        );
        assert!(
            files(vec![pattern("static/**")], &[]).is_empty(),
            "`**` matches directories only"
        );
        assert_eq!(
            files(
                vec![pattern("static/**/*"), pattern("top.txt")],
                &["static/sub/**"]
            ),
            ["static/hello.txt", "top.txt"]
        );
        let placement = FileMount::Placement {
            source: "static".into(),
            destination: "/x".into(),
        };
        assert_eq!(files(vec![placement], &["static/sub/*"]), ["x/hello.txt"]);

        for bad in ["..", "static/..", ".", "static/."] {
            assert!(assemble(b, &[pattern(bad)], &[], &out).is_err(), "{bad}");
        }
        let err = assemble(b, &[pattern("missing")], &[], &out).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"missing\" does not exist and doesn't appear to be a glob pattern"
        );
        let outside = assemble(b, &[pattern("../*")], &[], &out);
        assert!(outside.is_err());
    }
}
