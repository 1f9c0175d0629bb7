// harden: the upload head decision (rest/upload_admission.hpp): the plan's cap and the
// tenant's storage left decide before one body byte is read.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "rest/upload_admission.hpp"

using namespace botfactory::gateway;
namespace json = boost::json;

namespace {
constexpr std::uint64_t kFraming = 16 * 1024;

std::string code_of(const HttpResponse& r) {
  return std::string(json::parse(r.body).at("error").at("code").as_string());
}
}  // namespace

TEST_CASE("upload head: over the storage left → 413 storage_quota_exceeded before the body") {
  UploadAllowance a{10'000'000, 1'000'000, 900'000};  // 100000 bytes left
  // A raw upload: its Content-Length is the file.
  auto d = decide_upload_head(a, 100'001, false, kFraming);
  REQUIRE(d.refusal);
  CHECK(d.refusal->status == 413);
  CHECK(code_of(*d.refusal) == "storage_quota_exceeded");
  CHECK(d.refusal->body.find("900000 of 1000000") != std::string::npos);
  CHECK_FALSE(decide_upload_head(a, 100'000, false, kFraming).refusal);  // exactly what is left
  // multipart: the framing is not file bytes.
  CHECK_FALSE(decide_upload_head(a, 100'000 + kFraming, true, kFraming).refusal);
  CHECK(decide_upload_head(a, 100'001 + kFraming, true, kFraming).refusal);
  // Storage already over (a smaller plan now): everything with a body is refused.
  UploadAllowance over{10'000'000, 1'000, 5'000};
  CHECK(code_of(*decide_upload_head(over, 1, false, kFraming).refusal) == "storage_quota_exceeded");
  // Chunked (no Content-Length): read, cut at the cap; channel-connector checks the storage.
  auto chunked = decide_upload_head(a, std::nullopt, true, kFraming);
  CHECK_FALSE(chunked.refusal);
  CHECK(chunked.body_limit == 10'000'000 + kFraming);
}

TEST_CASE("upload head: the plan's cap first; nothing known → nothing refused") {
  UploadAllowance a{1'000, 1'000'000, 0};
  auto d = decide_upload_head(a, 1'001 + kFraming, true, kFraming);
  REQUIRE(d.refusal);
  CHECK(code_of(*d.refusal) == "payload_too_large");
  auto ok = decide_upload_head(a, 900, false, kFraming);
  CHECK_FALSE(ok.refusal);
  CHECK(ok.body_limit == 1'000 + kFraming);
  CHECK_FALSE(decide_upload_head(std::nullopt, 1'000'000'000, true, kFraming).refusal);
  CHECK_FALSE(decide_upload_head(std::nullopt, 1'000'000'000, true, kFraming).body_limit);
  // Unknown storage numbers (0): only the cap applies.
  CHECK_FALSE(decide_upload_head(UploadAllowance{5'000, 0, 0}, 4'000, false, kFraming).refusal);
}
