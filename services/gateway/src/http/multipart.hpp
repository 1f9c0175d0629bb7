#pragma once
// multipart/form-data bodies (RFC 7578 on the RFC 2046 section 5.1 syntax), for knowledge uploads.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::gateway {

/// One part of a form: its field `name`, the `filename` when it is a file, its Content-Type and
/// its raw bytes.
struct MultipartPart {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string body;
};

/// The `boundary` parameter of a "multipart/form-data; boundary=…" Content-Type, or nullopt
/// when the media type is another one or the boundary is missing or longer than 70 characters.
std::optional<std::string> multipart_boundary(std::string_view content_type);

/// Splits `body` into parts. Returns nullopt when the body is malformed: no opening delimiter,
/// a part without the blank line after its headers, no closing delimiter, or a part without
/// Content-Disposition: form-data.
std::optional<std::vector<MultipartPart>> parse_multipart(std::string_view body,
                                                          std::string_view boundary);

/// Value of parameter `name` in a header value like `form-data; name="file"; filename="a.md"`
/// (quoted or token; name matched case-insensitively), or nullopt.
std::optional<std::string> header_parameter(std::string_view value, std::string_view name);

}  // namespace botfactory::gateway
