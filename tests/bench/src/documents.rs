//! Real scans for the memory figures, made natively: files that pass the
//! app's upload checks (they are recognised by their bytes, images decode
//! fully, PDFs are inspected), as large as the app accepts.

use anyhow::{Result, ensure};

/// The app's per-file limit (`shared::upload::MAX_FILE_BYTES`).
pub const MAX_FILE_BYTES: usize = shared::upload::MAX_FILE_BYTES;
/// The app's pixel limit (`shared::upload::MAX_IMAGE_PIXELS`).
pub const MAX_IMAGE_PIXELS: u64 = shared::upload::MAX_IMAGE_PIXELS;

/// xorshift noise: incompressible, like a photographed page's grain.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn encode_png(width: u32, height: u32, color: png::ColorType, data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header()?;
        w.write_image_data(data)?;
    }
    Ok(out)
}

/// An RGB PNG of noise just under the per-file limit (about 1.7 megapixels:
/// noise does not compress).
pub fn png_of_noise() -> Result<Vec<u8>> {
    let width = 1400u32;
    // 3 bytes a pixel, 1 filter byte a row, a little zlib framing.
    let height = ((MAX_FILE_BYTES - 64 * 1024) / (width as usize * 3 + 1)) as u32;
    let png = encode_png(width, height, png::ColorType::Rgb, &noise((width * height * 3) as usize, 7))?;
    ensure!(png.len() <= MAX_FILE_BYTES && png.len() > MAX_FILE_BYTES - 256 * 1024, "PNG of noise is {} bytes", png.len());
    Ok(png)
}

/// A baseline JPEG of noise (quality 95) just under the per-file limit.
pub fn jpeg_of_noise() -> Result<Vec<u8>> {
    let encode = |side: u16| -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let enc = jpeg_encoder::Encoder::new(&mut out, 95);
        enc.encode(&noise(side as usize * side as usize * 3, 11), side, side, jpeg_encoder::ColorType::Rgb)?;
        Ok(out)
    };
    // Size grows with the pixels: two corrections land within a few percent.
    let mut side = 1200u16;
    for _ in 0..4 {
        let jpeg = encode(side)?;
        if jpeg.len() <= MAX_FILE_BYTES && jpeg.len() > MAX_FILE_BYTES * 9 / 10 {
            return Ok(jpeg);
        }
        let scale = ((MAX_FILE_BYTES as f64 * 0.95) / jpeg.len() as f64).sqrt();
        side = ((side as f64 * scale) as u16).max(16) & !7;
    }
    anyhow::bail!("could not make a JPEG of noise just under {MAX_FILE_BYTES} bytes")
}

/// A PDF of one page whose image stream (binary, as a scan's) fills it to
/// just under the per-file limit.
pub fn pdf_of_scan() -> Result<Vec<u8>> {
    let image = noise(MAX_FILE_BYTES - 4 * 1024, 13);
    let mut pdf = Vec::with_capacity(MAX_FILE_BYTES);
    pdf.extend_from_slice(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
    pdf.extend_from_slice(b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
    pdf.extend_from_slice(b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n");
    pdf.extend_from_slice(b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> >> endobj\n");
    pdf.extend_from_slice(
        format!("4 0 obj << /Type /XObject /Subtype /Image /Width 1200 /Height 1200 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n", image.len())
            .as_bytes(),
    );
    pdf.extend_from_slice(&image);
    pdf.extend_from_slice(b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    ensure!(pdf.len() <= MAX_FILE_BYTES, "PDF is {} bytes", pdf.len());
    Ok(pdf)
}

/// A greyscale PNG of exactly the pixel limit (8000 x 5000), a soft
/// gradient as a scanned page would be: small on the wire, 40 megapixels
/// to decode.
pub fn png_at_pixel_limit() -> Result<Vec<u8>> {
    let (width, height) = (8000u32, 5000u32);
    ensure!(width as u64 * height as u64 == MAX_IMAGE_PIXELS, "the pixel limit is no longer 40 MP: update the benchmark");
    let mut data = Vec::with_capacity((width * height) as usize);
    for y in 0..height {
        for x in 0..width {
            data.push(((x / 32 + y / 32) % 64 + 160) as u8);
        }
    }
    let png = encode_png(width, height, png::ColorType::Grayscale, &data)?;
    ensure!(png.len() <= MAX_FILE_BYTES, "40 MP PNG is {} bytes", png.len());
    Ok(png)
}

/// A greyscale JPEG of exactly the pixel limit (8000 x 5000), the same
/// gradient: the JPEG decoder holds the whole image.
pub fn jpeg_at_pixel_limit() -> Result<Vec<u8>> {
    let (width, height) = (8000u16, 5000u16);
    let mut data = Vec::with_capacity(width as usize * height as usize);
    for y in 0..height as u32 {
        for x in 0..width as u32 {
            data.push(((x / 32 + y / 32) % 64 + 160) as u8);
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85).encode(&data, width, height, jpeg_encoder::ColorType::Luma)?;
    ensure!(out.len() <= MAX_FILE_BYTES, "40 MP JPEG is {} bytes", out.len());
    Ok(out)
}

/// One file of a multipart form: (field, file name, declared type, bytes).
pub struct FilePart<'a> {
    pub field: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub data: &'a [u8],
}

/// A `multipart/form-data` body: (content type, body).
pub fn multipart(fields: &[(&str, &str)], files: &[FilePart<'_>]) -> (String, Vec<u8>) {
    let boundary = "----bench-boundary-7d1f3c";
    let mut body = Vec::with_capacity(files.iter().map(|f| f.data.len() + 256).sum::<usize>() + 4096);
    for (name, value) in fields {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    for f in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                f.field, f.filename, f.content_type
            )
            .as_bytes(),
        );
        body.extend_from_slice(f.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::appeal::LEGAL_ENTITY_DOCUMENTS;
    use shared::web::MultipartForm;

    /// The app's own parser and checks accept them (natively; the benchmark
    /// then sends them to the component).
    fn accepted(files: &[FilePart<'_>]) {
        let (content_type, body) = multipart(&[("kind", "legal_entity")], files);
        let form = MultipartForm::parse(&content_type, &body).unwrap();
        let valid = shared::upload::validate_files(&form, LEGAL_ENTITY_DOCUMENTS).unwrap_or_else(|e| panic!("{}: {:?}", e.code, e.details));
        assert_eq!(valid.len(), files.len());
    }

    #[test]
    fn six_scans_just_under_the_limit_pass_the_app_checks() {
        let (png, jpeg, pdf) = (png_of_noise().unwrap(), jpeg_of_noise().unwrap(), pdf_of_scan().unwrap());
        for big in [&png, &jpeg, &pdf] {
            assert!(big.len() <= MAX_FILE_BYTES && big.len() > MAX_FILE_BYTES * 9 / 10, "{}", big.len());
        }
        accepted(&[
            FilePart { field: "id_front", filename: "front.png", content_type: "image/png", data: &png },
            FilePart { field: "id_front", filename: "front.jpg", content_type: "image/jpeg", data: &jpeg },
            FilePart { field: "id_back", filename: "back.pdf", content_type: "application/pdf", data: &pdf },
            FilePart { field: "id_back", filename: "back.png", content_type: "image/png", data: &png },
            FilePart { field: "business_licence", filename: "licence.jpg", content_type: "image/jpeg", data: &jpeg },
            FilePart { field: "business_licence", filename: "licence.pdf", content_type: "application/pdf", data: &pdf },
        ]);
    }

    #[test]
    fn images_at_the_pixel_limit_pass_the_app_checks() {
        let png = png_at_pixel_limit().unwrap();
        let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as u64;
        assert_eq!(be(&png[16..20]) * be(&png[20..24]), MAX_IMAGE_PIXELS);
        let jpeg = jpeg_at_pixel_limit().unwrap();
        accepted(&[
            FilePart { field: "id_front", filename: "page.png", content_type: "image/png", data: &png },
            FilePart { field: "id_back", filename: "page.jpg", content_type: "image/jpeg", data: &jpeg },
        ]);
    }
}
