#pragma once
// Builds small, well-formed PDF files in tests (PDF 1.4, ISO 32000-1 section 7.5: header,
// objects, cross-reference table, trailer), so the PDF tests need no binary fixture: one page
// per entry of `pages`, each drawing its content stream with the standard Helvetica font.

#include <string>
#include <vector>

namespace botfactory::registry_test {

/// A content stream that writes `lines` top-down in Helvetica 12 pt (PDF string escapes for
/// '(', ')' and '\' applied).
inline std::string text_content(const std::vector<std::string>& lines) {
  std::string stream = "BT /F1 12 Tf 72 720 Td 14 TL\n";
  for (const auto& line : lines) {
    stream += '(';
    for (char c : line) {
      if (c == '(' || c == ')' || c == '\\') stream += '\\';
      stream += c;
    }
    stream += ") Tj T*\n";
  }
  stream += "ET\n";
  return stream;
}

/// A content stream that only paints a filled rectangle (like a scanned page: no text layer).
inline std::string drawing_content() { return "0 0 1 rg 72 72 200 200 re f\n"; }

/// The bytes of a PDF whose page i draws `pages[i]` (a content stream).
inline std::string build_pdf(const std::vector<std::string>& pages) {
  std::vector<std::string> objects;  // object i + 1
  const std::size_t n = pages.size();
  // 1: catalog, 2: page tree, 3: font, then per page: page object, content stream.
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (std::size_t i = 0; i < n; ++i) kids += std::to_string(4 + 2 * i) + " 0 R ";
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n) + " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  for (std::size_t i = 0; i < n; ++i) {
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " +
                      std::to_string(5 + 2 * i) +
                      " 0 R /Resources << /Font << /F1 3 0 R >> >> >>");
    objects.push_back("<< /Length " + std::to_string(pages[i].size()) + " >>\nstream\n" +
                      pages[i] + "endstream");
  }
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (auto offset : offsets) {
    std::string digits = std::to_string(offset);
    pdf += std::string(10 - digits.size(), '0') + digits + " 00000 n \n";
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

}  // namespace botfactory::registry_test
