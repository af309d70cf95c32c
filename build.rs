//! Stamps SMS2FA_BUILD_INFO = "<version> <target triple> <profile>" into the crate.

use std::env;

fn main() {
    let version = env::var("CARGO_PKG_VERSION").unwrap_or_else(|_| "unknown".to_owned());
    let target = env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    let profile = env::var("PROFILE").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=SMS2FA_BUILD_INFO={version} {target} {profile}");
    println!("cargo:rerun-if-changed=build.rs");
}
