// PDF → blocks through poppler-cpp (Debian libpoppler-cpp-dev): the text layer of each page in
// reading order, split into paragraphs like plain text. Scanned pages (images only) have no
// text layer; such a PDF is refused rather than stored empty. poppler runs in a forked child
// process with CPU-time and address-space limits (setrlimit), so neither a decompression bomb
// nor a crash in the parser costs bot-registry more than the limits.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/text/utf8.hpp"
#include "text_extract.hpp"

namespace botfactory::registry {
namespace {

/// poppler's diagnostics (malformed objects, missing fonts) are about the uploaded file, not
/// about this service: dropped (the child must not touch the logger's locks either).
void poppler_quiet(const std::string&, void*) {}

/// UTF-16 (poppler::ustring) → UTF-8; a lone surrogate becomes U+FFFD, NUL and other control
/// characters (tab, line feed aside) a space, form feed (page break) a line feed.
void append_utf16(std::string& out, const poppler::ustring& text) {
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t unit = text[i];
    std::uint32_t cp = unit;
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 1 < n && text[i + 1] >= 0xDC00 &&
        text[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((unit - 0xD800) << 10) + (text[i + 1] - 0xDC00);
      ++i;
    } else if (unit >= 0xD800 && unit <= 0xDFFF) {
      cp = text::kReplacementCharacter;
    } else if (unit == '\f' || unit == '\r') {
      cp = '\n';
    } else if ((unit < 0x20 && unit != '\t' && unit != '\n') || unit == 0x7F) {
      cp = ' ';
    }
    text::append_utf8(out, cp);
  }
}

/// Writes all of `data` to `fd` (child side); false when the reader went away.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

constexpr int kExitRefused = 3;  // the child wrote an ExtractError message

/// The child's work: poppler on the PDF, each page's text followed by a form feed. Throws
/// ExtractError.
std::string pages_text(std::string_view pdf, const PdfLimits& limits) {
  if (pdf.substr(0, 1024).find("%PDF-") == std::string_view::npos) {
    throw ExtractError("the file is not a valid PDF");
  }
  std::unique_ptr<poppler::document> document(
      poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  if (!document) throw ExtractError("the file is not a valid PDF");
  if (document->is_locked()) throw ExtractError("the PDF is encrypted");
  const int pages = document->pages();
  if (pages > limits.max_pages) {
    throw ExtractError("the PDF has more than " + std::to_string(limits.max_pages) + " pages");
  }
  std::string out;
  for (int i = 0; i < pages; ++i) {
    std::unique_ptr<poppler::page> page(document->create_page(i));
    if (page) append_utf16(out, page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout));
    out += '\f';
    if (out.size() > limits.max_text_bytes + static_cast<std::size_t>(pages)) {
      throw ExtractError("the PDF has more than " + std::to_string(limits.max_text_bytes) +
                         " bytes of text");
    }
  }
  return out;
}

/// Runs in the forked child: resource limits first, then poppler; never returns.
[[noreturn]] void run_child(int fd, std::string_view pdf, const PdfLimits& limits) {
  poppler::set_debug_error_function(poppler_quiet, nullptr);
  rlimit cpu{static_cast<rlim_t>(limits.cpu_seconds), static_cast<rlim_t>(limits.cpu_seconds)};
  ::setrlimit(RLIMIT_CPU, &cpu);
  // The child inherits the parent's address space (gRPC threads' stacks and malloc arenas can
  // be gigabytes of mostly untouched virtual memory): the limit is what poppler may add to it.
  rlim_t base = 0;
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    unsigned long pages = 0;
    if (std::fscanf(statm, "%lu", &pages) == 1) base = static_cast<rlim_t>(pages) * ::getpagesize();
    std::fclose(statm);
  }
  rlimit memory{base + limits.memory_bytes, base + limits.memory_bytes};
  ::setrlimit(RLIMIT_AS, &memory);
  int code = 0;
  std::string out;
  try {
    out = pages_text(pdf, limits);
  } catch (const ExtractError& e) {
    code = kExitRefused;
    out = e.what();
  } catch (...) {
    code = 4;
  }
  write_all(fd, out);
  ::_exit(code);
}

}  // namespace

std::vector<TextBlock> pdf_to_blocks(std::string_view pdf, const PdfLimits& limits) {
  if (pdf.size() >= static_cast<std::size_t>(INT_MAX)) throw ExtractError("the PDF is too large");
  if (pdf.substr(0, 1024).find("%PDF-") == std::string_view::npos) {
    throw ExtractError("the file is not a valid PDF");
  }
  common::throw_if_call_abandoned();
  // poppler runs in a forked child under CPU and memory limits: a compressed stream can expand
  // a thousandfold (a 1 MB PDF of deflated whitespace took poppler 10 s), and a poppler crash
  // must not take bot-registry down. The parent only reads the text, waiting at most
  // limits.timeout and never past the caller's deadline.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    ::close(fds[0]);
    run_child(fds[1], pdf, limits);
  }
  ::close(fds[1]);
  auto until = std::chrono::system_clock::now() + limits.timeout;
  if (auto caller = common::current_call_deadline(); caller && *caller < until) until = *caller;
  std::string out;
  bool timed_out = false, too_much = false;
  char buffer[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::system_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    if (ready == 0) {
      if (common::call_abandoned()) {
        timed_out = true;
        break;
      }
      continue;
    }
    auto n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of output
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > limits.max_text_bytes + 65536) {
      too_much = true;
      break;
    }
  }
  ::close(fds[0]);
  if (timed_out || too_much) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    common::throw_if_call_abandoned();
    throw ExtractError("the PDF took too long to read (over " +
                       std::to_string(limits.timeout.count()) + " ms)");
  }
  if (too_much) {
    throw ExtractError("the PDF has more than " + std::to_string(limits.max_text_bytes) +
                       " bytes of text");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == kExitRefused) throw ExtractError(out);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    common::logger("pdf")->warn("PDF reader ended abnormally: {}",
                                WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                                    : "exit " + std::to_string(WEXITSTATUS(status)));
    throw ExtractError("the PDF could not be read within the time and memory limits");
  }
  std::vector<TextBlock> blocks;
  std::size_t start = 0;
  while (start < out.size()) {
    auto end = out.find('\f', start);
    if (end == std::string::npos) end = out.size();
    for (auto& block : plain_to_blocks(std::string_view(out).substr(start, end - start))) {
      blocks.push_back(std::move(block));
    }
    start = end + 1;
  }
  if (blocks.empty()) throw ExtractError("the PDF has no text layer (a scan?)");
  return blocks;
}

}  // namespace botfactory::registry
