#pragma once
// A KnowledgeSearch that answers from a fixed list (unit tests).

#include <mutex>
#include <string>
#include <vector>

#include "knowledge_search.hpp"

namespace botfactory::ai::test {

/// Returns `hits` (first `limit`) for every query and records the last request.
class FakeKnowledgeSearch : public KnowledgeSearch {
 public:
  std::vector<KnowledgeHit> hits;
  std::string last_query;
  int last_limit = 0;
  int calls = 0;

  std::vector<KnowledgeHit> search(const std::string&, const std::string&, const std::string& query,
                                   int limit) override {
    std::lock_guard lock(mutex_);
    ++calls;
    last_query = query;
    last_limit = limit;
    std::vector<KnowledgeHit> out = hits;
    if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
    return out;
  }

 private:
  std::mutex mutex_;
};

}  // namespace botfactory::ai::test
