// load_sentence_encoder_or_none(): REGISTRY_SENTENCE_ENCODER for the service (log line and
// gauge); kept apart from the file parser (sentence_encoder.cpp), which the fuzz target builds
// alone.
#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "sentence_encoder.hpp"

namespace botfactory::registry {

std::shared_ptr<const SentenceEncoder> load_sentence_encoder_or_none(const std::string& path) {
  auto& bytes = metrics::Registry::global().gauge(
      "botfactory_registry_sentence_encoder_bytes",
      "Heap bytes of the loaded sentence encoder (REGISTRY_SENTENCE_ENCODER); 0 = sentence embeddings off");
  std::shared_ptr<const SentenceEncoder> out;
  if (path.empty()) {
    common::logger("registry")->info("sentence encoder off (REGISTRY_SENTENCE_ENCODER empty)");
  } else {
    try {
      out = SentenceEncoder::load(path);
      common::logger("registry")->info("sentence encoder {}: {} pieces, max {} tokens, {} bytes; {}", path,
                                        out->tokenizer().size(), out->max_tokens(), out->bytes(), out->source());
    } catch (const SentenceEncoderError& e) {
      common::logger("registry")->warn("{}; sentence embeddings off", e.what());
    }
  }
  bytes.set(out ? static_cast<std::int64_t>(out->bytes()) : 0);
  return out;
}

}  // namespace botfactory::registry
