//! Golden-file checking shared by the format tests. `KESSAI_BLESS=1` rewrites the files after a
//! deliberate change; review the diff before committing it.

pub fn golden(name: &str, bytes: &[u8]) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var("KESSAI_BLESS").is_ok() {
        std::fs::write(&path, bytes).unwrap();
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|_| panic!("{path} missing: run with KESSAI_BLESS=1 once"));
    assert!(expected == bytes, "{name} differs from its golden file");
}
