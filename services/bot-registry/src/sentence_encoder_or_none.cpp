// load_sentence_encoder_or_none(): REGISTRY_SENTENCE_ENCODER for the service (log line and
// gauge); kept apart from the file parser (sentence_encoder.cpp), which the fuzz target builds
// alone.
#include <cstdlib>
#include <stdexcept>

#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "sentence_encoder.hpp"

namespace botfactory::registry {

namespace {

/// REGISTRY_SENTENCE_ENCODER_KERNEL as a choice; a bad or unusable value warns and means auto.
SentenceEncoder::Kernel kernel_from_env() {
  const char* env = std::getenv("REGISTRY_SENTENCE_ENCODER_KERNEL");
  try {
    const auto kernel = SentenceEncoder::parse_kernel(env ? env : "");
    if (kernel == SentenceEncoder::Kernel::avx2 && !SentenceEncoder::avx2_available()) {
      common::logger("registry")->warn(
          "REGISTRY_SENTENCE_ENCODER_KERNEL=avx2: not built in or the CPU lacks AVX2/FMA; using auto");
      return SentenceEncoder::Kernel::automatic;
    }
    return kernel;
  } catch (const std::invalid_argument& e) {
    common::logger("registry")->warn("REGISTRY_SENTENCE_ENCODER_KERNEL: {}; using auto", e.what());
    return SentenceEncoder::Kernel::automatic;
  }
}

}  // namespace

std::shared_ptr<const SentenceEncoder> load_sentence_encoder_or_none(const std::string& path) {
  auto& registry = metrics::Registry::global();
  auto& bytes = registry.gauge(
      "botfactory_registry_sentence_encoder_bytes",
      "Heap bytes of the loaded sentence encoder (REGISTRY_SENTENCE_ENCODER); 0 = sentence embeddings off");
  const std::string kernel_help =
      "1 for the sentence encoder's forward-pass build in use (avx2: -mavx2 -mfma, chosen at load when the CPU "
      "has them; generic: default flags), 0 otherwise";
  auto& avx2 = registry.gauge("botfactory_registry_sentence_encoder_kernel", kernel_help, "kernel=\"avx2\"");
  auto& generic = registry.gauge("botfactory_registry_sentence_encoder_kernel", kernel_help, "kernel=\"generic\"");
  std::shared_ptr<const SentenceEncoder> out;
  if (path.empty()) {
    common::logger("registry")->info("sentence encoder off (REGISTRY_SENTENCE_ENCODER empty)");
  } else {
    try {
      out = SentenceEncoder::load(path, kernel_from_env());
      common::logger("registry")->info("sentence encoder {}: {} pieces, max {} tokens, {} bytes, kernel {} ({}); {}",
                                        path, out->tokenizer().size(), out->max_tokens(), out->bytes(),
                                        out->kernel(),
                                        SentenceEncoder::avx2_available() ? "CPU has AVX2+FMA" : "no AVX2+FMA kernel",
                                        out->source());
    } catch (const SentenceEncoderError& e) {
      common::logger("registry")->warn("{}; sentence embeddings off", e.what());
    }
  }
  bytes.set(out ? static_cast<std::int64_t>(out->bytes()) : 0);
  avx2.set(out && out->kernel() == "avx2" ? 1 : 0);
  generic.set(out && out->kernel() == "generic" ? 1 : 0);
  return out;
}

}  // namespace botfactory::registry
