#pragma once
// Captures what the process writes to file descriptor 2 — the services' JSON log lines
// (common::init_logging / common::logger write to stderr) — so a test can check what a service
// logged, e.g. that a secret never appears.

#include <unistd.h>

#include <cstdio>
#include <string>

namespace botfactory::testenv {

/// Captures everything written to file descriptor 2 (the services' JSON log lines) while alive.
/// Redirects fd 2 to a temporary file from construction until finish() (or destruction).
/// Not thread-safe against other captures; other threads' writes are captured too.
class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    saved_ = dup(2);
    file_ = std::tmpfile();
    dup2(fileno(file_), 2);
  }
  ~StderrCapture() {
    restore();
    if (file_ != nullptr) std::fclose(file_);
  }
  /// Restores stderr and returns what was written.
  std::string finish() {
    restore();
    std::rewind(file_);
    std::string out;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file_)) > 0) out.append(buffer, n);
    return out;
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    saved_ = -1;
  }
  int saved_ = -1;
  std::FILE* file_ = nullptr;
};

}  // namespace botfactory::testenv
