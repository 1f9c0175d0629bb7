// The text/event-stream parser against the WHATWG examples (HTML §9.2.6) and split inputs.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "botfactory/sse/sse_parser.hpp"

using botfactory::sse::Event;
using botfactory::sse::Limits;
using botfactory::sse::Parser;

namespace {

std::vector<Event> parse_in_pieces(const std::string& stream, std::size_t piece) {
  Parser parser;
  std::vector<Event> events;
  for (std::size_t i = 0; i < stream.size(); i += piece) {
    REQUIRE(parser.feed(std::string_view(stream).substr(i, piece),
                        [&](const Event& e) { events.push_back(e); }));
  }
  return events;
}

std::vector<Event> parse(const std::string& stream) { return parse_in_pieces(stream, stream.size() + 1); }

bool same(const std::vector<Event>& a, const std::vector<Event>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].data != b[i].data || a[i].id != b[i].id) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("SSE: multi-line data, comments, event types and ids") {
  auto events = parse(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n");
  // The last event has no blank line after it: discarded at the end of the stream.
  REQUIRE(events.size() == 2);
  CHECK(events[0].data == "first event");
  CHECK(events[0].id == "1");
  CHECK(events[0].type == "message");
  CHECK(events[1].data == "second event");
  CHECK(events[1].id.empty());

  events = parse("data: YHOO\ndata: +2\ndata: 10\n\nevent: usage\ndata\n\ndata:\ndata:\n\n");
  REQUIRE(events.size() == 3);
  CHECK(events[0].data == "YHOO\n+2\n10");
  CHECK(events[1].type == "usage");
  CHECK(events[1].data.empty());
  CHECK(events[2].data == "\n");
  // A blank line with no data dispatches nothing and forgets the event type.
  events = parse("event: x\n\ndata: y\n\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "message");
}

TEST_CASE("SSE: CRLF, CR and LF line ends, BOM, unknown fields, retry") {
  Parser parser;
  std::vector<Event> events;
  REQUIRE(parser.feed("\xEF\xBB\xBF" "data: a\r\n\r\ndata: b\r\rdata: c\n\nfoo: bar\nretry: 1500\nretry: x\ndata:d\r\n\n",
                      [&](const Event& e) { events.push_back(e); }));
  REQUIRE(events.size() == 4);
  CHECK(events[0].data == "a");
  CHECK(events[1].data == "b");
  CHECK(events[2].data == "c");
  CHECK(events[3].data == "d");
  CHECK(parser.retry_ms() == 1500);
  // Too many digits to be a delay (found by fuzz_sse: it overflowed): ignored.
  REQUIRE(parser.feed("retry: 155555555555555555555555\n", [](const Event&) {}));
  CHECK(parser.retry_ms() == 1500);
}

TEST_CASE("SSE: every split of a stream gives the same events") {
  const std::string stream =
      "\xEF\xBB\xBF: keep-alive\r\n\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"Привет\"}}]}\r\n\r\n"
      "event: done\rdata: [DONE]\r\rid: 7\ndata: x\ndata: y\n\n";
  auto whole = parse(stream);
  REQUIRE(whole.size() == 3);
  CHECK(whole[0].data == "{\"choices\":[{\"delta\":{\"content\":\"Привет\"}}]}");
  CHECK(whole[1].type == "done");
  CHECK(whole[2].data == "x\ny");
  CHECK(whole[2].id == "7");
  for (std::size_t piece = 1; piece <= 9; ++piece) {
    INFO("piece " << piece);
    CHECK(same(parse_in_pieces(stream, piece), whole));
  }
  // Two pieces split at every position.
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    Parser parser;
    std::vector<Event> events;
    auto sink = [&](const Event& e) { events.push_back(e); };
    REQUIRE(parser.feed(std::string_view(stream).substr(0, cut), sink));
    REQUIRE(parser.feed(std::string_view(stream).substr(cut), sink));
    INFO("cut " << cut);
    CHECK(same(events, whole));
  }
}

TEST_CASE("SSE: a line or an event over the limits fails the parser for good") {
  Limits limits;
  limits.max_line_bytes = 16;
  limits.max_event_bytes = 20;
  Parser parser(limits);
  int count = 0;
  auto sink = [&](const Event&) { ++count; };
  CHECK(parser.feed("data: 0123456789\n\n", sink));
  CHECK(count == 1);
  CHECK_FALSE(parser.feed("data: 0123456789ABCDEF\n", sink));
  CHECK(parser.error() == "line too long");
  CHECK_FALSE(parser.feed("data: ok\n\n", sink));
  CHECK(count == 1);

  Parser small(limits);
  CHECK_FALSE(small.feed("data: 0123456789\ndata: 0123456789\n", sink));
  CHECK(small.error() == "event too large");
}
