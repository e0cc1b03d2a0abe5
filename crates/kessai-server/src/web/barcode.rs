//! A konbini slip's barcode drawn as a PNG a store scanner reads: GS1-128 — Code 128 in
//! character set C opened by FNC1, the 44 digits as 22 pairs, the symbol's own mod-103 check
//! (added by the `barcoders` encoder) and the stop — black bars on white, two pixels a module,
//! with the ten-module quiet zone on each side the symbology asks for.

const MODULE_PX: usize = 2;
const HEIGHT_PX: usize = 90;
const QUIET_MODULES: usize = 10;

/// The PNG of `data` (digits; an even count, as set C takes them in pairs).
pub fn gs1_128_png(data: &str) -> Result<Vec<u8>, String> {
    // Ć: start in set C; Ź: FNC1, which makes Code 128 GS1-128.
    let modules = barcoders::sym::code128::Code128::new(format!("\u{0106}\u{0179}{data}"))
        .map_err(|e| format!("{e:?}"))?
        .encode();
    let width = (modules.len() + 2 * QUIET_MODULES) * MODULE_PX;
    let mut row = vec![255u8; width];
    for (i, m) in modules.iter().enumerate() {
        if *m == 1 {
            let x = (QUIET_MODULES + i) * MODULE_PX;
            row[x..x + MODULE_PX].fill(0);
        }
    }
    let mut out = vec![];
    {
        let mut encoder = png::Encoder::new(&mut out, width as u32, HEIGHT_PX as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        let image: Vec<u8> = (0..HEIGHT_PX).flat_map(|_| row.iter().copied()).collect();
        writer.write_image_data(&image).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// What the store's scanner sees: `zbarimg` (Debian `zbar-tools`, installed by test.sh)
    /// decodes the drawn PNG back to the same digits, the GS1 application identifier in front.
    #[test]
    fn a_scanner_reads_back_the_digits_drawn() {
        let data = "91912345012345678901234567890101033101230003";
        let png = super::gs1_128_png(data).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("slip.png");
        std::fs::write(&path, png).unwrap();
        let out = std::process::Command::new("zbarimg")
            .args(["--quiet", "--raw"])
            .arg(&path)
            .output()
            .expect("zbarimg (zbar-tools) is installed by test.sh");
        let read = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(out.status.success(), "zbarimg read nothing: {out:?}");
        // zbar writes a GS1-128's leading FNC1 as nothing and keeps the digits.
        assert_eq!(read.trim_start_matches(']').trim_start_matches("C1"), data);
    }
}
