#include "attachments/attachment_sweeper.hpp"

#include "attachments/attachment_store.hpp"
#include "attachments/attachment_sweep_repository.hpp"
#include "botfactory/metrics/registry.hpp"

namespace botfactory::channel {

AttachmentSweeper::AttachmentSweeper(AttachmentSweepRepository& rows, AttachmentStore& store,
                                     SweepSettings settings, metrics::Registry& registry)
    : rows_(rows),
      store_(store),
      settings_(settings),
      swept_(registry.counter("chat_attachments_swept_total",
                              "Stored attachment files deleted by the sweeper")),
      timer_(settings.interval.count() > 0 ? settings.interval : std::chrono::milliseconds(60000),
             {[this] { run_once(); }}) {}

AttachmentSweeper::~AttachmentSweeper() { stop(); }

void AttachmentSweeper::start() {
  if (settings_.interval.count() > 0) timer_.start();
}

void AttachmentSweeper::stop() { timer_.stop(); }

int AttachmentSweeper::run_once() {
  rows_.queue_orphans(settings_.batch, settings_.orphan_age);
  int total = 0;
  for (int i = 0; i < settings_.max_batches; ++i) {
    int removed = rows_.sweep(settings_.batch, [this](const SweepItem& item) {
      store_.remove(item.storage_key);
      if (!item.thumbnail_key.empty()) store_.remove(item.thumbnail_key);
    });
    total += removed;
    swept_.inc(static_cast<std::uint64_t>(removed));
    if (removed < settings_.batch) break;
  }
  return total;
}

}  // namespace botfactory::channel
