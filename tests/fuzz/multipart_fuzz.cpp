// Fuzz target: multipart/form-data parsing (services/gateway/src/http/multipart.*, RFC 7578 on
// RFC 2046 section 5.1), which reads knowledge uploads before any other check.
// Input: the Content-Type header value, a '\n', then the body. When the Content-Type carries no
// usable boundary, the body is parsed with boundary "b". Properties:
// - no exception, no out-of-bounds read;
// - a boundary is 1..70 characters;
// - every part's body is a piece of the request body, and together they are no longer than it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/multipart.hpp"

namespace gw = botfactory::gateway;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto newline = input.find('\n');
  std::string_view content_type = input.substr(0, newline);
  std::string_view body = newline == std::string_view::npos ? std::string_view()
                                                            : input.substr(newline + 1);

  auto boundary = gw::multipart_boundary(content_type);
  if (boundary) FUZZ_CHECK(!boundary->empty() && boundary->size() <= 70);
  (void)gw::header_parameter(content_type, "name");
  (void)gw::header_parameter(content_type, "filename");

  auto parts = gw::parse_multipart(body, boundary ? *boundary : std::string("b"));
  if (!parts) return 0;
  std::size_t total = 0;
  for (const auto& part : *parts) {
    FUZZ_CHECK(part.body.size() <= body.size());
    FUZZ_CHECK(body.find(part.body) != std::string_view::npos);
    total += part.body.size();
  }
  FUZZ_CHECK(total <= body.size());
  return 0;
}
