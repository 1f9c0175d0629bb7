#pragma once
// Small real files for the attachment tests (channel-connector and gateway pgtests): a PNG of
// any size built with zlib, and a minimal PDF.

#include <zlib.h>

#include <cstdint>
#include <string>

namespace botfactory::channel::testing_support {

inline void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

/// One PNG chunk: length, type, data, CRC-32 of type + data (PNG spec section 5.3).
inline void put_chunk(std::string& out, const char* type, const std::string& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  std::string body = std::string(type, 4) + data;
  out += body;
  put_u32(out, static_cast<std::uint32_t>(
                   crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

/// A valid black RGB PNG of `width` × `height` (filter 0 rows of zeros, zlib-compressed), or,
/// with `rows` < height, one whose pixel data is cut short (a bomb's header with a small body).
inline std::string make_png(std::uint32_t width, std::uint32_t height, std::uint32_t rows) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put_u32(ihdr, width);
  put_u32(ihdr, height);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, no filter, no interlace
  put_chunk(png, "IHDR", ihdr);
  std::string raw(static_cast<std::size_t>(rows) * (1 + width * 3), '\0');
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(size, '\0');
  compress(reinterpret_cast<Bytef*>(compressed.data()), &size,
           reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()));
  compressed.resize(size);
  put_chunk(png, "IDAT", compressed);
  put_chunk(png, "IEND", "");
  return png;
}

/// A minimal PDF that libmagic reads as application/pdf.
inline constexpr const char* kPdf =
    "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

}  // namespace botfactory::channel::testing_support
