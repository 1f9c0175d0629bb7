#include "sentence_blend.hpp"

#include <algorithm>
#include <numeric>

namespace botfactory::registry {

double chunk_similarity(double text_cosine, std::optional<double> title_cosine) {
  return title_cosine ? (text_cosine + *title_cosine) / 2 : text_cosine;
}

std::vector<std::size_t> sentence_blend_order(std::span<const double> scores,
                                              std::span<const std::optional<double>> similarities, double weight,
                                              std::vector<double>* filled) {
  const std::size_t n = std::min(scores.size(), similarities.size());
  double sum = 0;
  std::size_t known = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (similarities[i]) {
      sum += *similarities[i];
      ++known;
    }
  }
  const double mean = known > 0 ? sum / static_cast<double>(known) : 0.0;
  const double top = n > 0 ? scores[0] : 0.0;
  std::vector<double> sim(n), blend(n);
  for (std::size_t i = 0; i < n; ++i) {
    sim[i] = similarities[i].value_or(mean);
    blend[i] = (top > 0 ? scores[i] / top : 0.0) + weight * sim[i];
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return blend[a] > blend[b]; });
  if (filled) *filled = std::move(sim);
  return order;
}

}  // namespace botfactory::registry
