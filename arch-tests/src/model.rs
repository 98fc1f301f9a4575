//! The workspace as the rules see it: plain data, built once.
//!
//! - the crate graph of the workspace members, from `cargo metadata --no-deps --offline`
//!   (declared dependencies of every kind, with their paths; no resolution, so no network
//!   and no lock on the package cache);
//! - the resolved graph of every crate in `Cargo.lock` (transitive dependencies);
//! - the directories under `contexts/`;
//! - facts from every source file of every member ([`crate::code`]);
//! - the messages the hosted contexts declare ([`crate::messages`]);
//! - the JSON files committed under `contexts/` (schemas and examples).
//!
//! The same loader reads the real workspace and the fixture workspaces under
//! `arch-tests/fixtures/`, so a rule proven on a fixture runs on the same model as on the
//! real code.

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

use cargo_metadata::{DependencyKind, MetadataCommand, TargetKind};

use crate::code::Code;
use crate::messages::ContextMessages;

/// What a workspace member is, by where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The root package: the composition root and adapters (`src/`).
    Root,
    /// `contexts/kernel`.
    Kernel,
    /// `contexts/<name>`.
    Context(String),
    /// Anything else (`arch-tests`).
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DepKind {
    Normal,
    Dev,
    Build,
}

impl DepKind {
    pub fn table(self) -> &'static str {
        match self {
            DepKind::Normal => "dependencies",
            DepKind::Dev => "dev-dependencies",
            DepKind::Build => "build-dependencies",
        }
    }
}

/// One dependency as declared in a member's manifest.
#[derive(Debug, Clone)]
pub struct Dependency {
    /// The package's name (not the key it may be renamed to).
    pub name: String,
    pub kind: DepKind,
    /// For path dependencies: the directory, relative to the workspace root when inside it.
    pub path: Option<String>,
    /// The line of the manifest that declares it.
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Lib,
    Bin,
    Test,
    Bench,
    Example,
    Build,
}

impl UnitKind {
    /// Test, bench and example targets are test code as far as the rules are concerned.
    pub fn is_test(self) -> bool {
        matches!(self, UnitKind::Test | UnitKind::Bench | UnitKind::Example)
    }
}

/// A compilation target of a member.
#[derive(Debug, Clone)]
pub struct Unit {
    pub kind: UnitKind,
    pub name: String,
    /// Root source file, relative to the workspace root.
    pub root: String,
}

#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// Directory relative to the workspace root ("" for the root package).
    pub dir: String,
    /// `Cargo.toml` relative to the workspace root.
    pub manifest: String,
    pub role: Role,
    pub deps: Vec<Dependency>,
    pub units: Vec<Unit>,
}

/// A directory directly under `contexts/`.
#[derive(Debug, Clone)]
pub struct ContextDir {
    pub name: String,
    /// `contexts/<name>`.
    pub path: String,
    pub has_manifest: bool,
}

/// A crate in `Cargo.lock`.
#[derive(Debug, Clone)]
pub struct LockNode {
    pub name: String,
    pub version: String,
    /// Workspace and path crates have no source.
    pub registry: bool,
    pub deps: Vec<usize>,
}

/// The resolved crate graph of `Cargo.lock`: every crate any member may build, all
/// platforms and all kinds of dependency (a member's dev-dependencies included).
#[derive(Debug, Clone, Default)]
pub struct LockGraph {
    pub nodes: Vec<LockNode>,
}

impl LockGraph {
    fn parse(text: &str) -> Result<Self, String> {
        let value: toml::Value = toml::from_str(text).map_err(|e| format!("Cargo.lock does not parse: {e}"))?;
        let packages = value.get("package").and_then(|p| p.as_array()).cloned().unwrap_or_default();
        let mut nodes = Vec::new();
        let mut raw_deps = Vec::new();
        for p in &packages {
            let get = |k: &str| p.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            nodes.push(LockNode {
                name: get("name"),
                version: get("version"),
                registry: p.get("source").is_some(),
                deps: Vec::new(),
            });
            let deps: Vec<String> = p
                .get("dependencies")
                .and_then(|d| d.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            raw_deps.push(deps);
        }
        for (i, deps) in raw_deps.iter().enumerate() {
            // An entry is "name", "name version" or "name version (source)".
            let resolved = deps
                .iter()
                .filter_map(|d| {
                    let mut parts = d.split_whitespace();
                    let name = parts.next()?;
                    let version = parts.next();
                    nodes.iter().position(|n| n.name == name && version.is_none_or(|v| n.version == v))
                })
                .collect();
            nodes[i].deps = resolved;
        }
        Ok(LockGraph { nodes })
    }

    /// The workspace member `name` (version `version`): the node without a registry source.
    pub fn member(&self, name: &str, version: &str) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| n.name == name && n.version == version && !n.registry)
            .or_else(|| self.nodes.iter().position(|n| n.name == name && !n.registry))
    }

    /// Shortest chains from `from` to every node `target` accepts, one per reached node, as
    /// crate names (`from` first).
    pub fn chains(&self, from: usize, target: impl Fn(&LockNode) -> bool) -> Vec<Vec<String>> {
        let mut previous: BTreeMap<usize, usize> = BTreeMap::new();
        let mut queue = VecDeque::from([from]);
        let mut seen = vec![false; self.nodes.len()];
        seen[from] = true;
        let mut found = Vec::new();
        while let Some(n) = queue.pop_front() {
            if n != from && target(&self.nodes[n]) {
                found.push(n);
                // Stop at the first forbidden crate on each branch: what lies behind it is
                // its own business.
                continue;
            }
            for &d in &self.nodes[n].deps {
                if !seen[d] {
                    seen[d] = true;
                    previous.insert(d, n);
                    queue.push_back(d);
                }
            }
        }
        found
            .into_iter()
            .map(|mut n| {
                let mut chain = vec![self.nodes[n].name.clone()];
                while let Some(&p) = previous.get(&n) {
                    chain.push(self.nodes[p].name.clone());
                    n = p;
                }
                chain.reverse();
                chain
            })
            .collect()
    }
}

/// A JSON file committed under `contexts/`.
#[derive(Debug, Clone)]
pub struct JsonFile {
    pub path: String,
    pub content: String,
}

/// Everything the rules look at.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub packages: Vec<Package>,
    pub context_dirs: Vec<ContextDir>,
    pub lock: Option<LockGraph>,
    pub code: Code,
    pub messages: Vec<ContextMessages>,
    pub json_files: Vec<JsonFile>,
}

impl Workspace {
    /// Loads the workspace whose root manifest is `root/Cargo.toml`.
    pub fn load(root: &Path, messages: Vec<ContextMessages>) -> Result<Workspace, String> {
        let root = root.canonicalize().map_err(|e| format!("{}: {e}", root.display()))?;
        let packages = load_packages(&root)?;
        let context_dirs = list_context_dirs(&root);
        let lock = match fs::read_to_string(root.join("Cargo.lock")) {
            Ok(text) => Some(LockGraph::parse(&text)?),
            Err(_) => None,
        };
        let code = Code::parse(&root, &packages);
        let mut json_files = Vec::new();
        collect_json(&root, &root.join("contexts"), &mut json_files);
        json_files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Workspace { root, packages, context_dirs, lock, code, messages, json_files })
    }

    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }

    /// The member whose directory is `dir`.
    pub fn package_at(&self, dir: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.dir == dir)
    }

    /// The kernel and the contexts: the crates that must stay pure.
    pub fn pure_packages(&self) -> impl Iterator<Item = &Package> {
        self.packages.iter().filter(|p| matches!(p.role, Role::Kernel | Role::Context(_)))
    }

    pub fn context_packages(&self) -> impl Iterator<Item = &Package> {
        self.packages.iter().filter(|p| matches!(p.role, Role::Context(_)))
    }
}

fn relative(root: &Path, path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    match path.strip_prefix(root) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => path.to_string_lossy().into_owned(),
    }
}

fn role_of(dir: &str) -> Role {
    match dir.strip_prefix("contexts/") {
        Some("kernel") => Role::Kernel,
        Some(name) if !name.contains('/') => Role::Context(name.to_owned()),
        _ if dir.is_empty() => Role::Root,
        _ => Role::Other,
    }
}

fn load_packages(root: &Path) -> Result<Vec<Package>, String> {
    let metadata = MetadataCommand::new()
        .manifest_path(root.join("Cargo.toml"))
        .no_deps()
        .other_options(vec!["--offline".to_owned()])
        .exec()
        .map_err(|e| format!("cargo metadata failed for {}: {e}", root.display()))?;
    let mut packages = Vec::new();
    for id in &metadata.workspace_members {
        let Some(p) = metadata.packages.iter().find(|p| &p.id == id) else { continue };
        let manifest_path = p.manifest_path.as_std_path();
        let manifest = relative(root, manifest_path);
        let dir = manifest.strip_suffix("Cargo.toml").unwrap_or(&manifest).trim_end_matches('/').to_owned();
        let manifest_text = fs::read_to_string(manifest_path).unwrap_or_default();
        let deps = p
            .dependencies
            .iter()
            .map(|d| {
                let kind = match d.kind {
                    DependencyKind::Development => DepKind::Dev,
                    DependencyKind::Build => DepKind::Build,
                    _ => DepKind::Normal,
                };
                let key = d.rename.clone().unwrap_or_else(|| d.name.clone());
                Dependency {
                    name: d.name.clone(),
                    kind,
                    path: d.path.as_ref().map(|path| relative(root, path.as_std_path())),
                    line: manifest_line(&manifest_text, &key, kind),
                }
            })
            .collect();
        let units = p
            .targets
            .iter()
            .filter_map(|t| {
                let kind = t.kind.iter().find_map(|k| match k {
                    TargetKind::Lib
                    | TargetKind::RLib
                    | TargetKind::DyLib
                    | TargetKind::CDyLib
                    | TargetKind::StaticLib
                    | TargetKind::ProcMacro => Some(UnitKind::Lib),
                    TargetKind::Bin => Some(UnitKind::Bin),
                    TargetKind::Test => Some(UnitKind::Test),
                    TargetKind::Bench => Some(UnitKind::Bench),
                    TargetKind::Example => Some(UnitKind::Example),
                    TargetKind::CustomBuild => Some(UnitKind::Build),
                    _ => None,
                })?;
                Some(Unit { kind, name: t.name.clone(), root: relative(root, t.src_path.as_std_path()) })
            })
            .collect();
        packages.push(Package {
            name: p.name.to_string(),
            version: p.version.to_string(),
            role: role_of(&dir),
            dir,
            manifest,
            deps,
            units,
        });
    }
    packages.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(packages)
}

/// The line declaring dependency `key` in the `kind` table (or a target-specific one).
fn manifest_line(text: &str, key: &str, kind: DepKind) -> usize {
    let table = kind.table();
    let mut section = String::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[') {
            section = header.trim_end_matches(']').trim().replace(['"', '\''], "");
            let dotted = format!("{table}.{key}");
            if section == dotted || section.ends_with(&format!(".{dotted}")) {
                return i + 1;
            }
            continue;
        }
        let in_table = section == table || section.ends_with(&format!(".{table}"));
        if in_table {
            if let Some(rest) = trimmed.strip_prefix(key).or_else(|| trimmed.strip_prefix(&format!("\"{key}\""))) {
                let rest = rest.trim_start();
                if rest.starts_with('=') || rest.starts_with('.') {
                    return i + 1;
                }
            }
        }
    }
    1
}

fn list_context_dirs(root: &Path) -> Vec<ContextDir> {
    let mut dirs = Vec::new();
    if let Ok(entries) = fs::read_dir(root.join("contexts")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !entry.path().is_dir() {
                continue;
            }
            dirs.push(ContextDir {
                path: format!("contexts/{name}"),
                has_manifest: entry.path().join("Cargo.toml").is_file(),
                name,
            });
        }
    }
    dirs.sort_by(|a, b| a.name.cmp(&b.name));
    dirs
}

fn collect_json(root: &Path, dir: &Path, out: &mut Vec<JsonFile>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        if path.is_dir() {
            collect_json(root, &path, out);
        } else if name.ends_with(".json") {
            if let Ok(content) = fs::read_to_string(&path) {
                out.push(JsonFile { path: relative(root, &path), content });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_lines_are_found_in_the_right_table() {
        let text = "[package]\nname = \"x\"\n\n[dependencies]\nkernel.workspace = true\nserde = \"1\"\n\n\
                    [dev-dependencies]\nserde = \"1\"\n\n[target.'cfg(unix)'.build-dependencies.cc]\nversion = \"1\"\n";
        assert_eq!(manifest_line(text, "kernel", DepKind::Normal), 5);
        assert_eq!(manifest_line(text, "serde", DepKind::Normal), 6);
        assert_eq!(manifest_line(text, "serde", DepKind::Dev), 9);
        assert_eq!(manifest_line(text, "cc", DepKind::Build), 11);
        assert_eq!(manifest_line(text, "absent", DepKind::Build), 1);
    }

    #[test]
    fn roles_follow_the_directory() {
        assert_eq!(role_of(""), Role::Root);
        assert_eq!(role_of("contexts/kernel"), Role::Kernel);
        assert_eq!(role_of("contexts/billing"), Role::Context("billing".into()));
        assert_eq!(role_of("arch-tests"), Role::Other);
    }

    #[test]
    fn lock_chains_stop_at_the_first_match() {
        let lock = LockGraph::parse(
            "[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"b\"]\n\n\
             [[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\ndependencies = [\"tokio 1.0.0\"]\n\n\
             [[package]]\nname = \"tokio\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\ndependencies = [\"mio\"]\n\n\
             [[package]]\nname = \"mio\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\n",
        )
        .unwrap();
        let a = lock.member("a", "0.1.0").unwrap();
        let chains = lock.chains(a, |n| n.name == "tokio" || n.name == "mio");
        assert_eq!(chains, vec![vec!["a".to_owned(), "b".into(), "tokio".into()]]);
    }
}
