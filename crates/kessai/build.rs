//! Tells the integration tests whether PostgreSQL is there: with `KESSAI_TEST_POSTGRES_URL`
//! set, `cfg(kessai_postgres)` is on and every test's PostgreSQL variant runs; without it the
//! variants are compiled as ignored, so the test run reports them as ignored, not as passed.

fn main() {
    println!("cargo:rustc-check-cfg=cfg(kessai_postgres)");
    println!("cargo:rerun-if-env-changed=KESSAI_TEST_POSTGRES_URL");
    if std::env::var_os("KESSAI_TEST_POSTGRES_URL").is_some() {
        println!("cargo:rustc-cfg=kessai_postgres");
    }
}
