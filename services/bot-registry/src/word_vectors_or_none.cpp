// load_word_vectors_or_none(): REGISTRY_WORD_VECTORS for the service (log line and gauges);
// kept apart from the file parser (word_vectors.cpp), which the fuzz target builds alone.
#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "word_vectors.hpp"

namespace botfactory::registry {

std::shared_ptr<const WordVectors> load_word_vectors_or_none(const std::string& path) {
  auto& m = metrics::Registry::global();
  auto& words = m.gauge("botfactory_registry_word_vectors_words",
                        "Words in the loaded word vectors (REGISTRY_WORD_VECTORS); 0 = semantic re-rank off");
  auto& bytes = m.gauge("botfactory_registry_word_vectors_bytes", "Heap bytes of the loaded word vectors");
  std::shared_ptr<const WordVectors> out;
  if (path.empty()) {
    common::logger("registry")->info("word vectors off (REGISTRY_WORD_VECTORS empty); semantic re-rank off");
  } else {
    try {
      out = WordVectors::load(path);
      common::logger("registry")->info("word vectors {}: {} words x {} dims, {} bytes; semantic re-rank on for en bots",
                                        path, out->size(), out->dims(), out->bytes());
    } catch (const WordVectorsError& e) {
      common::logger("registry")->warn("{}; semantic re-rank off", e.what());
    }
  }
  words.set(out ? static_cast<std::int64_t>(out->size()) : 0);
  bytes.set(out ? static_cast<std::int64_t>(out->bytes()) : 0);
  return out;
}

}  // namespace botfactory::registry
