// Fuzz target: the web app's file lookup (services/gateway/src/http/static_files.* resolve),
// reached by every GET that is not an API route: the decoded request path chooses a file, so a
// path that leaves WEB_ROOT (`..`, encoded separators, NUL, backslashes, symlinks) would serve
// any file of the host (OWASP "Path Traversal").
// Input: a request target as sent on the request line; it is decoded like the server does
// (parse_target). The root holds index.html, a/app.js, sub/index.html, a symlink to a/ and a
// symlink to a directory outside the root holding secret.txt. Property: a resolved file is a
// regular file below the root, never the outside secret.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/api_error.hpp"
#include "http/http_message.hpp"
#include "http/static_files.hpp"

namespace fs = std::filesystem;
namespace gw = botfactory::gateway;

// Link seam: api_error.cpp also maps gRPC statuses (gRPC headers, spdlog); resolve() never builds
// a response, so this target defines the one function static_files.cpp refers to.
gw::HttpResponse gw::error_response(int status, std::string_view, std::string_view) {
  gw::HttpResponse response;
  response.status = status;
  return response;
}

namespace {

fs::path g_base;  // the temporary directory: root/ and outside/
std::optional<gw::StaticFiles> g_files;
fs::path g_root;

void write(const fs::path& file, std::string_view text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

void cleanup() {
  std::error_code ec;
  fs::remove_all(g_base, ec);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string pattern = (fs::temp_directory_path() / "botfactory-static-fuzz.XXXXXX").string();
  FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr);
  g_base = fs::canonical(pattern);
  std::atexit(cleanup);
  g_root = g_base / "root";
  write(g_root / "index.html", "<!doctype html>");
  write(g_root / "a" / "app.js", "1");
  write(g_root / "sub" / "index.html", "sub");
  write(g_base / "outside" / "secret.txt", "secret");
  fs::create_directory_symlink(g_base / "outside", g_root / "out");
  fs::create_directory_symlink(g_root / "a", g_root / "in");
  g_files.emplace(g_root);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view target(reinterpret_cast<const char*>(data), size);
  auto parsed = gw::parse_target(target);
  if (!parsed.ok) return 0;  // the server answers 400 first
  auto file = g_files->resolve(parsed.path);
  if (!file) return 0;
  std::error_code ec;
  FUZZ_CHECK(fs::is_regular_file(*file, ec));
  fs::path canonical = fs::canonical(*file, ec);
  FUZZ_CHECK(!ec);
  auto relative = canonical.lexically_relative(g_root);
  FUZZ_CHECK(!relative.empty() && *relative.begin() != "..");
  FUZZ_CHECK(canonical.filename() != "secret.txt");
  return 0;
}
