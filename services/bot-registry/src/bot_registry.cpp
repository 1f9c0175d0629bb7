#include "bot_registry.hpp"

#include <algorithm>

#include "botfactory/common/logging.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/rpc/status.hpp"
#include "bot_repository.hpp"
#include "chunker.hpp"
#include "knowledge_repository.hpp"
#include "search_query.hpp"
#include "text_extract.hpp"
#include "validation.hpp"

namespace botfactory::registry {
namespace {

constexpr int kPublicIdAttempts = 3;
constexpr std::size_t kPublicIdChars = 16;

void require_tenant(const std::string& tenant_id) {
  if (!is_uuid(tenant_id)) rpc::throw_invalid("tenant_id must be a UUID");
}

/// Malformed ids are indistinguishable from unknown ones: both are "bot not found".
void require_bot_ids(const std::string& tenant_id, const std::string& bot_id) {
  if (!is_uuid(tenant_id) || !is_uuid(bot_id)) rpc::throw_not_found("bot not found");
}

[[noreturn]] void throw_bot_not_found() { rpc::throw_not_found("bot not found"); }

std::vector<TextBlock> extract_blocks(registry::v1::DocumentFormat format, const std::string& body) {
  switch (format) {
    case registry::v1::DOCUMENT_FORMAT_MARKDOWN:
      return markdown_to_blocks(body);
    case registry::v1::DOCUMENT_FORMAT_HTML:
      return html_to_blocks(body);
    default:
      return plain_to_blocks(body);
  }
}

}  // namespace

BotRegistry::BotRegistry(std::shared_ptr<pg::Pool> pool,
                         std::shared_ptr<EntitlementsClient> entitlements, RegistrySettings settings)
    : pool_(std::move(pool)), entitlements_(std::move(entitlements)), settings_(settings) {}

registry::v1::Bot BotRegistry::create_bot(const registry::v1::CreateBotRequest& request) {
  require_tenant(request.tenant_id());
  NewBot bot;
  bot.tenant_id = request.tenant_id();
  bot.name = checked_name(request.name());
  bot.language = checked_language(request.language(), true);
  bot.greeting = checked_greeting(request.greeting());
  bot.instructions = checked_instructions(request.instructions());
  if (request.has_provider()) bot.provider = checked_provider(request.provider());

  // Read the plan before opening a transaction: no database lock is held across the RPC.
  const PlanLimits limits = entitlements_->limits(request.tenant_id());

  auto connection = pool_->acquire();
  pg::Transaction tx(*connection);
  BotRepository bots(*connection);
  bots.lock_tenant(bot.tenant_id);
  if (limits.max_bots >= 0 && bots.count(bot.tenant_id) >= limits.max_bots) {
    rpc::throw_exhausted("plan limit reached: " + std::to_string(limits.max_bots) + " bots");
  }
  for (int attempt = 0; attempt < kPublicIdAttempts; ++attempt) {
    bot.public_id = "pb_" + common::random_base62(kPublicIdChars);
    if (auto created = bots.insert(bot)) {
      tx.commit();
      common::logger("registry")->info("bot created id={} tenant={}", created->id(), bot.tenant_id);
      return *created;
    }
  }
  throw std::runtime_error("could not allocate a unique public id");
}

registry::v1::Bot BotRegistry::get_bot(const registry::v1::GetBotRequest& request) {
  require_bot_ids(request.tenant_id(), request.bot_id());
  auto connection = pool_->acquire();
  auto bot = BotRepository(*connection).find(request.tenant_id(), request.bot_id());
  if (!bot) throw_bot_not_found();
  return *bot;
}

registry::v1::Bot BotRegistry::get_bot_by_public_id(
    const registry::v1::GetBotByPublicIdRequest& request) {
  if (!is_public_id(request.public_id())) throw_bot_not_found();
  auto connection = pool_->acquire();
  auto bot = BotRepository(*connection).find_by_public_id(request.public_id());
  if (!bot) throw_bot_not_found();
  return *bot;
}

registry::v1::ListBotsResponse BotRegistry::list_bots(const registry::v1::ListBotsRequest& request) {
  require_tenant(request.tenant_id());
  auto connection = pool_->acquire();
  registry::v1::ListBotsResponse response;
  for (auto& bot : BotRepository(*connection).list(request.tenant_id())) {
    *response.add_bots() = std::move(bot);
  }
  return response;
}

registry::v1::Bot BotRegistry::update_bot(const registry::v1::UpdateBotRequest& request) {
  require_bot_ids(request.tenant_id(), request.bot_id());
  BotChanges changes;
  if (request.has_name()) changes.name = checked_name(request.name());
  if (request.has_language()) changes.language = checked_language(request.language(), false);
  if (request.has_greeting()) changes.greeting = checked_greeting(request.greeting());
  if (request.has_instructions()) changes.instructions = checked_instructions(request.instructions());
  if (request.has_provider()) changes.provider = checked_provider(request.provider());

  auto connection = pool_->acquire();
  pg::Transaction tx(*connection);
  BotRepository bots(*connection);
  auto old_language = bots.lock(request.tenant_id(), request.bot_id());
  if (!old_language) throw_bot_not_found();
  auto bot = bots.update(request.tenant_id(), request.bot_id(), changes);
  if (changes.language && *changes.language != *old_language) {
    KnowledgeRepository(*connection).reindex(request.bot_id(), text_search_config(*changes.language));
  }
  tx.commit();
  return bot;
}

void BotRegistry::delete_bot(const registry::v1::DeleteBotRequest& request) {
  require_bot_ids(request.tenant_id(), request.bot_id());
  auto connection = pool_->acquire();
  if (!BotRepository(*connection).remove(request.tenant_id(), request.bot_id())) throw_bot_not_found();
  common::logger("registry")->info("bot deleted id={} tenant={}", request.bot_id(), request.tenant_id());
}

registry::v1::Document BotRegistry::add_document(const registry::v1::AddDocumentRequest& request) {
  require_bot_ids(request.tenant_id(), request.bot_id());
  {
    auto connection = pool_->acquire();
    if (!BotRepository(*connection).find(request.tenant_id(), request.bot_id())) throw_bot_not_found();
  }
  NewDocument document;
  document.bot_id = request.bot_id();
  document.title = checked_title(request.title());
  check_body(request.body());
  document.format = request.format() == registry::v1::DOCUMENT_FORMAT_UNSPECIFIED
                        ? registry::v1::DOCUMENT_FORMAT_TEXT
                        : request.format();
  document.chunks = chunk_blocks(extract_blocks(document.format, request.body()),
                                 settings_.chunk_max_chars);
  if (document.chunks.empty()) rpc::throw_invalid("body has no text");
  document.body = request.body();
  const auto size = static_cast<std::int64_t>(document.body.size());

  const PlanLimits limits = entitlements_->limits(request.tenant_id());

  auto connection = pool_->acquire();
  pg::Transaction tx(*connection);
  // to_tsvector reports over-long words with a NOTICE, which libpq would print on stderr.
  connection->exec("SET LOCAL client_min_messages TO warning");
  auto language = BotRepository(*connection).lock(request.tenant_id(), request.bot_id());
  if (!language) throw_bot_not_found();
  KnowledgeRepository knowledge(*connection);
  if (limits.max_knowledge_bytes >= 0 &&
      knowledge.total_size(request.bot_id()) + size > limits.max_knowledge_bytes) {
    rpc::throw_exhausted("plan limit reached: " + std::to_string(limits.max_knowledge_bytes) +
                         " bytes of knowledge per bot");
  }
  document.search_config = text_search_config(*language);
  auto stored = knowledge.insert(document);
  tx.commit();
  common::logger("registry")->info("document added id={} bot={} bytes={} chunks={}", stored.id(),
                                   stored.bot_id(), stored.size_bytes(), stored.chunk_count());
  return stored;
}

registry::v1::ListDocumentsResponse BotRegistry::list_documents(
    const registry::v1::ListDocumentsRequest& request) {
  require_bot_ids(request.tenant_id(), request.bot_id());
  auto connection = pool_->acquire();
  if (!BotRepository(*connection).find(request.tenant_id(), request.bot_id())) throw_bot_not_found();
  registry::v1::ListDocumentsResponse response;
  for (auto& document : KnowledgeRepository(*connection).list(request.bot_id())) {
    *response.add_documents() = std::move(document);
  }
  return response;
}

void BotRegistry::delete_document(const registry::v1::DeleteDocumentRequest& request) {
  require_bot_ids(request.tenant_id(), request.bot_id());
  auto connection = pool_->acquire();
  if (!BotRepository(*connection).find(request.tenant_id(), request.bot_id())) throw_bot_not_found();
  if (!is_uuid(request.document_id()) ||
      !KnowledgeRepository(*connection).remove(request.bot_id(), request.document_id())) {
    rpc::throw_not_found("document not found");
  }
}

registry::v1::SearchKnowledgeResponse BotRegistry::search_knowledge(
    const registry::v1::SearchKnowledgeRequest& request) {
  require_bot_ids(request.tenant_id(), request.bot_id());
  int limit = request.limit() <= 0 ? settings_.search_default_limit
                                   : std::min(request.limit(), settings_.search_max_limit);
  auto connection = pool_->acquire();
  auto bot = BotRepository(*connection).find(request.tenant_id(), request.bot_id());
  if (!bot) throw_bot_not_found();
  registry::v1::SearchKnowledgeResponse response;
  auto words = query_words(request.query());
  if (words.empty()) return response;
  for (auto& chunk : KnowledgeRepository(*connection)
                         .search(request.bot_id(), text_search_config(bot->language()),
                                 join_words(words), limit)) {
    *response.add_chunks() = std::move(chunk);
  }
  return response;
}

}  // namespace botfactory::registry
