#include "word_vectors.hpp"
#include "botfactory/common/checksum.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>


namespace botfactory::registry {
namespace {

constexpr std::string_view kMagic = "BFWV0001";
constexpr std::uint32_t kMaxDims = 1024;
constexpr std::uint32_t kMaxCount = 2'000'000;

/// Reads little-endian values from the file's bytes; every read checks the remaining length.
class Reader {
 public:
  Reader(std::string_view bytes, const std::string& name) : bytes_(bytes), name_(name) {}
  std::string_view take(std::size_t n, const char* what) {
    if (bytes_.size() - at_ < n) {
      throw WordVectorsError("word vectors " + name_ + ": truncated (" + what + " at byte " + std::to_string(at_) +
                             " of " + std::to_string(bytes_.size()) + ")");
    }
    auto out = bytes_.substr(at_, n);
    at_ += n;
    return out;
  }
  std::uint32_t u32(const char* what) {
    auto b = take(4, what);
    return static_cast<std::uint32_t>(static_cast<unsigned char>(b[0])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[1])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[2])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[3])) << 24;
  }
  std::size_t at() const { return at_; }

 private:
  std::string_view bytes_;
  const std::string& name_;
  std::size_t at_ = 0;
};

}  // namespace

std::shared_ptr<const WordVectors> WordVectors::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw WordVectorsError("word vectors " + path + ": cannot open: " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw WordVectorsError("word vectors " + path + ": read error");
  return parse(bytes, path);
}

std::shared_ptr<const WordVectors> WordVectors::parse(std::string_view bytes, const std::string& name) {
  auto fail = [&](const std::string& what) -> WordVectorsError {
    return WordVectorsError("word vectors " + name + ": " + what);
  };
  Reader r(bytes, name);
  if (r.take(kMagic.size(), "magic") != kMagic) throw fail("not a BFWV0001 file (bad magic)");
  const std::uint32_t dims = r.u32("dims");
  const std::uint32_t count = r.u32("count");
  const std::uint32_t vocabulary_bytes = r.u32("vocabulary size");
  if (dims == 0 || dims > kMaxDims) throw fail("dims " + std::to_string(dims) + " outside 1.." + std::to_string(kMaxDims));
  if (count == 0 || count > kMaxCount) throw fail("count " + std::to_string(count) + " outside 1.." + std::to_string(kMaxCount));
  // Checked before anything is allocated, so a forged count cannot make us reserve gigabytes.
  const std::uint64_t expected = kMagic.size() + 12ull + vocabulary_bytes + 4ull * count +
                                 static_cast<std::uint64_t>(count) * dims + 4ull;
  if (bytes.size() < expected) {
    throw fail("truncated (" + std::to_string(bytes.size()) + " bytes, the header announces " +
               std::to_string(expected) + ")");
  }
  if (bytes.size() > expected) throw fail("trailing bytes after the checksum");
  const std::uint32_t stored = [&] {
    Reader tail(bytes.substr(bytes.size() - 4), name);
    return tail.u32("checksum");
  }();
  if (common::fnv1a32(bytes.substr(0, bytes.size() - 4)) != stored) throw fail("checksum mismatch (corrupt file)");

  auto out = std::shared_ptr<WordVectors>(new WordVectors());
  out->dims_ = dims;
  out->vocabulary_ = std::string(r.take(vocabulary_bytes, "vocabulary"));
  std::string_view vocabulary = out->vocabulary_;
  out->index_.reserve(count);
  std::size_t at = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (at >= vocabulary.size()) throw fail("vocabulary shorter than its " + std::to_string(count) + " words");
    std::size_t length = static_cast<unsigned char>(vocabulary[at]);
    if (length == 0 || vocabulary.size() - at - 1 < length) throw fail("bad word length at word " + std::to_string(i));
    if (!out->index_.emplace(vocabulary.substr(at + 1, length), i).second) {
      throw fail("word " + std::string(vocabulary.substr(at + 1, length)) + " listed twice");
    }
    at += 1 + length;
  }
  if (at != vocabulary.size()) throw fail("vocabulary longer than its words");
  auto scales = r.take(4ull * count, "scales");
  out->scales_.resize(count);
  std::memcpy(out->scales_.data(), scales.data(), scales.size());  // little-endian hosts (x86-64, arm64)
  for (float s : out->scales_) {
    if (!std::isfinite(s) || s < 0) throw fail("bad scale");
  }
  auto components = r.take(static_cast<std::size_t>(count) * dims, "components");
  out->components_.assign(components.begin(), components.end());
  out->harmonic_ = std::log(static_cast<double>(count)) + 0.5772156649;
  return out;
}

std::int64_t WordVectors::find(std::string_view word) const {
  auto it = index_.find(word);
  return it == index_.end() ? -1 : static_cast<std::int64_t>(it->second);
}

void WordVectors::add_to(std::int64_t index, float weight, float* acc) const {
  const std::int8_t* v = components_.data() + static_cast<std::size_t>(index) * dims_;
  const float k = weight * scales_[static_cast<std::size_t>(index)];
  for (std::size_t d = 0; d < dims_; ++d) acc[d] += k * static_cast<float>(v[d]);
}

float WordVectors::sif_weight(std::int64_t index, float a) const {
  const double p = 1.0 / ((static_cast<double>(index) + 1.0) * harmonic_);
  return static_cast<float>(a / (a + p));
}

std::size_t WordVectors::bytes() const {
  // libstdc++ hash node: next pointer + key + value + cached hash; plus one bucket pointer.
  const std::size_t node = sizeof(void*) + sizeof(std::string_view) + sizeof(std::uint32_t) + sizeof(std::size_t);
  return sizeof(*this) + vocabulary_.capacity() + index_.size() * node + index_.bucket_count() * sizeof(void*) +
         scales_.capacity() * sizeof(float) + components_.capacity();
}

}  // namespace botfactory::registry
