// Fuzz target: the text/event-stream parser (libs/sse, WHATWG HTML §9.2.6).
// Input: byte 0 is a piece size (1..256); the rest is the stream.
// Properties:
// - feeding the stream in pieces of that size gives the same events (type, data, id) and the
//   same failure as feeding it at once;
// - an event's data is never larger than the limit, nor larger than the input;
// - a failed parser stays failed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "botfactory/sse/sse_parser.hpp"
#include "fuzz_check.hpp"

namespace sse = botfactory::sse;

namespace {

struct Run {
  std::vector<sse::Event> events;
  bool ok = true;
  std::string error;
};

Run parse(std::string_view stream, std::size_t piece, const sse::Limits& limits) {
  sse::Parser parser(limits);
  Run run;
  for (std::size_t i = 0; i < stream.size() && run.ok; i += piece) {
    run.ok = parser.feed(stream.substr(i, piece), [&](const sse::Event& e) { run.events.push_back(e); });
  }
  if (!run.ok) {
    FUZZ_CHECK(!parser.feed("data: x\n\n", [](const sse::Event&) { FUZZ_CHECK(false); }));
    run.error = parser.error();
  }
  return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t piece = static_cast<std::size_t>(data[0]) + 1;
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  sse::Limits limits;
  limits.max_line_bytes = 512;
  limits.max_event_bytes = 1024;

  auto whole = parse(stream, stream.size() + 1, limits);
  auto pieces = parse(stream, piece, limits);
  FUZZ_CHECK(whole.ok == pieces.ok);
  FUZZ_CHECK(whole.error == pieces.error);
  FUZZ_CHECK(whole.events.size() == pieces.events.size());
  for (std::size_t i = 0; i < whole.events.size(); ++i) {
    const auto& a = whole.events[i];
    const auto& b = pieces.events[i];
    FUZZ_CHECK(a.type == b.type && a.data == b.data && a.id == b.id);
    FUZZ_CHECK(a.data.size() <= limits.max_event_bytes && a.data.size() <= stream.size());
    FUZZ_CHECK(!a.type.empty());
  }
  return 0;
}
