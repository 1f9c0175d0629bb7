#include "attachments/local_attachment_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "botfactory/common/random.hpp"

namespace botfactory::channel {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("attachment store: " + what + ": " + std::strerror(errno));
}

}  // namespace

LocalAttachmentStore::LocalAttachmentStore(std::filesystem::path root) : root_(std::move(root)) {
  std::filesystem::create_directories(root_);
  std::filesystem::permissions(root_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
}

std::filesystem::path LocalAttachmentStore::path_of(const std::string& key) const {
  if (!valid_attachment_key(key)) throw std::invalid_argument("invalid attachment key");
  return root_ / key;
}

void LocalAttachmentStore::put(const std::string& key, std::string_view bytes) {
  auto path = path_of(key);
  std::filesystem::create_directories(path.parent_path());
  auto temporary = path;
  temporary += ".tmp-" + common::random_base62(8);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail("open");
  std::size_t written = 0;
  while (written < bytes.size()) {
    auto n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(temporary.c_str());
      fail("write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temporary.c_str());
    fail("fsync");
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    fail("rename");
  }
}

std::optional<std::string> LocalAttachmentStore::get(const std::string& key) {
  auto path = path_of(key);
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) fail("read");
  return std::move(out).str();
}

void LocalAttachmentStore::remove(const std::string& key) {
  std::error_code ignored;
  std::filesystem::remove(path_of(key), ignored);
}

}  // namespace botfactory::channel
