#include "bot_registry.hpp"

#include <algorithm>
#include <optional>

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/ids.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "bot_repository.hpp"
#include "chunker.hpp"
#include "knowledge_repository.hpp"
#include "search_index_repository.hpp"
#include "search_query.hpp"
#include "text_extract.hpp"
#include "validation.hpp"
#include "widget_appearance.hpp"

namespace botfactory::registry {
namespace {

constexpr int kPublicIdAttempts = 3;
constexpr std::size_t kPublicIdChars = 16;

/// The tenant is required (INVALID_ARGUMENT); a malformed bot id is indistinguishable from an
/// unknown one: "bot not found".
void require_bot_ids(const std::string& tenant_id, const std::string& bot_id) {
  rpc::require_tenant(tenant_id);
  if (!common::is_uuid(bot_id)) rpc::throw_not_found("bot not found");
}

[[noreturn]] void throw_bot_not_found() { rpc::throw_not_found("bot not found"); }

/// look: the request's widget appearance, checked (checked_widget()).
WidgetFields widget_fields(const registry::v1::WidgetAppearance& widget) {
  std::vector<std::string> questions(widget.suggested_questions().begin(),
                                     widget.suggested_questions().end());
  return checked_widget(widget.color(), widget.title(), widget.position(), questions);
}

/// The document's text blocks; the extractor's refusals become INVALID_ARGUMENT.
std::vector<TextBlock> extract_blocks(registry::v1::DocumentFormat format, std::string_view raw,
                                      const PdfLimits& pdf_limits) {
  try {
    switch (format) {
      case registry::v1::DOCUMENT_FORMAT_MARKDOWN:
        return markdown_to_blocks(raw);
      case registry::v1::DOCUMENT_FORMAT_HTML:
        return html_to_blocks(raw);
      case registry::v1::DOCUMENT_FORMAT_PDF:
        return pdf_to_blocks(raw, pdf_limits);
      default:
        return plain_to_blocks(raw);
    }
  } catch (const ExtractError& e) {
    rpc::throw_invalid(e.what());
  }
}

/// The extracted text as stored for a PDF (its blocks, one blank line apart).
std::string joined_text(const std::vector<TextBlock>& blocks) {
  std::string out;
  for (const auto& block : blocks) {
    if (!out.empty()) out += "\n\n";
    out += block.text;
  }
  return out;
}

[[noreturn]] void throw_knowledge_limit(std::int64_t max_bytes) {
  rpc::throw_exhausted("plan limit reached: " + std::to_string(max_bytes) +
                       " bytes of knowledge per bot");
}

}  // namespace

BotRegistry::BotRegistry(std::shared_ptr<pg::Pool> pool,
                         std::shared_ptr<EntitlementsClient> entitlements, RegistrySettings settings)
    : pool_(std::move(pool)),
      entitlements_(std::move(entitlements)),
      settings_(settings),
      extraction_slots_(std::max(1, settings.extract_concurrency)) {
  if (settings_.search_cache_bytes > 0) {
    search_cache_ = std::make_unique<SearchIndexCache>(pool_, settings_.search_cache_bytes);
  }
  if (settings_.word_vectors) chunk_vectors_ = std::make_unique<ChunkVectorCache>(settings_.semantic.cached_chunks);
  if (settings_.sentence_encoder) {
    chunk_embeddings_ = std::make_unique<ChunkEmbeddingCache>(settings_.sentence.cached_chunks);
  }
}

registry::v1::Bot BotRegistry::create_bot(const registry::v1::CreateBotRequest& request) {
  rpc::require_tenant(request.tenant_id());
  NewBot bot;
  bot.tenant_id = request.tenant_id();
  bot.name = checked_name(request.name());
  bot.language = checked_language(request.language(), true);
  bot.greeting = checked_greeting(request.greeting());
  bot.instructions = checked_instructions(request.instructions());
  if (request.has_provider()) bot.provider = checked_provider(request.provider());
  bot.allowed_origins = checked_origins(request.allowed_origins());
  if (request.has_widget()) bot.widget = widget_fields(request.widget());

  // Read the plan before opening a transaction: no database lock is held across the RPC.
  const PlanLimits limits = entitlements_->limits(request.tenant_id());

  auto connection = pool_->acquire();
  pg::Transaction tx(*connection);
  BotRepository bots(*connection, settings_.platform_keys.get());
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
  auto bot = BotRepository(*connection, settings_.platform_keys.get()).find(request.tenant_id(), request.bot_id());
  if (!bot) throw_bot_not_found();
  return *bot;
}

registry::v1::Bot BotRegistry::get_bot_by_public_id(
    const registry::v1::GetBotByPublicIdRequest& request) {
  if (!is_public_id(request.public_id())) throw_bot_not_found();
  auto connection = pool_->acquire();
  auto bot = BotRepository(*connection, settings_.platform_keys.get()).find_by_public_id(request.public_id());
  if (!bot) throw_bot_not_found();
  return *bot;
}

registry::v1::ListBotsResponse BotRegistry::list_bots(const registry::v1::ListBotsRequest& request) {
  rpc::require_tenant(request.tenant_id());
  auto connection = pool_->acquire();
  registry::v1::ListBotsResponse response;
  for (auto& bot : BotRepository(*connection, settings_.platform_keys.get()).list(request.tenant_id())) {
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
  if (request.has_allowed_origins()) {
    changes.allowed_origins = checked_origins(request.allowed_origins().origins());
  }
  if (request.has_widget()) changes.widget = widget_fields(request.widget());

  auto connection = pool_->acquire();
  pg::Transaction tx(*connection);
  BotRepository bots(*connection, settings_.platform_keys.get());
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
  if (!BotRepository(*connection, settings_.platform_keys.get()).remove(request.tenant_id(), request.bot_id())) throw_bot_not_found();
  common::logger("registry")->info("bot deleted id={} tenant={}", request.bot_id(), request.tenant_id());
}

registry::v1::Document BotRegistry::add_document(const registry::v1::AddDocumentRequest& request) {
  require_bot_ids(request.tenant_id(), request.bot_id());
  NewDocument document;
  document.bot_id = request.bot_id();
  document.title = checked_title(request.title());
  document.format = request.format() == registry::v1::DOCUMENT_FORMAT_UNSPECIFIED
                        ? registry::v1::DOCUMENT_FORMAT_TEXT
                        : request.format();
  const bool binary = document.format == registry::v1::DOCUMENT_FORMAT_PDF;
  const std::string& raw = binary ? request.content() : request.body();
  // Sizes first: nothing is parsed before the document is known to fit.
  if (raw.size() > settings_.max_document_bytes) {
    rpc::throw_invalid("the document is larger than " + std::to_string(settings_.max_document_bytes) +
                       " bytes");
  }
  if (binary) {
    if (raw.empty()) rpc::throw_invalid("content must not be empty");
  } else {
    check_body(raw);
  }
  document.size_bytes = static_cast<std::int64_t>(raw.size());
  {
    auto connection = pool_->acquire();
    if (!BotRepository(*connection, settings_.platform_keys.get()).find(request.tenant_id(), request.bot_id())) throw_bot_not_found();
  }
  const PlanLimits limits = entitlements_->limits(request.tenant_id());
  if (limits.max_knowledge_bytes >= 0) {
    auto connection = pool_->acquire();
    if (KnowledgeRepository(*connection).total_size(request.bot_id()) + document.size_bytes >
        limits.max_knowledge_bytes) {
      throw_knowledge_limit(limits.max_knowledge_bytes);
    }
  }

  {
    auto slot = extraction_slots_.acquire(settings_.extract_wait);
    auto blocks = extract_blocks(document.format, raw, settings_.pdf);
    common::throw_if_call_abandoned();
    document.chunks = chunk_blocks(blocks, settings_.chunk_max_chars);
    if (document.chunks.empty()) rpc::throw_invalid("body has no text");
    document.body = binary ? joined_text(blocks) : raw;
  }

  auto connection = pool_->acquire();
  pg::Transaction tx(*connection);
  // to_tsvector reports over-long words with a NOTICE, which libpq would print on stderr.
  connection->exec("SET LOCAL client_min_messages TO warning");
  auto language = BotRepository(*connection, settings_.platform_keys.get()).lock(request.tenant_id(), request.bot_id());
  if (!language) throw_bot_not_found();
  KnowledgeRepository knowledge(*connection);
  // Again under the bot's row lock: concurrent uploads cannot pass the limit together.
  if (limits.max_knowledge_bytes >= 0 &&
      knowledge.total_size(request.bot_id()) + document.size_bytes > limits.max_knowledge_bytes) {
    throw_knowledge_limit(limits.max_knowledge_bytes);
  }
  document.search_config = text_search_config(*language);
  auto stored = knowledge.insert(document);
  tx.commit();  // refused (rolled back) when the caller gave up meanwhile
  common::logger("registry")->info("document added id={} bot={} bytes={} chunks={}", stored.id(),
                                   stored.bot_id(), stored.size_bytes(), stored.chunk_count());
  return stored;
}

registry::v1::ListDocumentsResponse BotRegistry::list_documents(
    const registry::v1::ListDocumentsRequest& request) {
  require_bot_ids(request.tenant_id(), request.bot_id());
  auto connection = pool_->acquire();
  auto bot = BotRepository(*connection, settings_.platform_keys.get()).find(request.tenant_id(), request.bot_id());
  if (!bot) throw_bot_not_found();
  // Embeddings are made only for English bots and only with the encoder (the backfill's rule).
  const bool embeds = settings_.sentence_encoder && bot->language() == "en";
  registry::v1::ListDocumentsResponse response;
  for (auto& document : KnowledgeRepository(*connection).list(request.bot_id())) {
    document.set_embedding_pending(embeds && !document.embedded());
    *response.add_documents() = std::move(document);
  }
  return response;
}

void BotRegistry::delete_document(const registry::v1::DeleteDocumentRequest& request) {
  require_bot_ids(request.tenant_id(), request.bot_id());
  auto connection = pool_->acquire();
  // Under the bot's row lock, like add_document: the bot's gram and search counts (V007) are
  // changed by one writer at a time.
  pg::Transaction tx(*connection);
  if (!BotRepository(*connection, settings_.platform_keys.get()).lock(request.tenant_id(), request.bot_id())) {
    throw_bot_not_found();
  }
  if (!common::is_uuid(request.document_id()) ||
      !KnowledgeRepository(*connection).remove(request.bot_id(), request.document_id())) {
    rpc::throw_not_found("document not found");
  }
  tx.commit();
}

registry::v1::SearchKnowledgeResponse BotRegistry::search_knowledge(
    const registry::v1::SearchKnowledgeRequest& request) {
  require_bot_ids(request.tenant_id(), request.bot_id());
  int limit = request.limit() <= 0 ? settings_.search_default_limit
                                   : std::min(request.limit(), settings_.search_max_limit);
  auto words = query_words(request.query());
  auto joined = join_words(words);
  registry::v1::SearchKnowledgeResponse response;
  std::vector<registry::v1::KnowledgeChunk> chunks;
  std::vector<std::optional<ChunkEmbeddings>> stored;  // the candidates' embeddings (sentence re-rank)
  bool sentence = false, semantic = false;
  {
    // Every read of the database, on one pooled connection that goes back to the pool before
    // the re-rank: the question's embedding (~3 ms of one core at p50, more for a long question)
    // never holds a connection other searches and writes are waiting for.
    auto connection = pool_->acquire();
    auto probe = SearchIndexRepository(*connection).probe(request.tenant_id(), request.bot_id(), joined);
    if (!probe) throw_bot_not_found();
    // No lexeme (no words, or stop words only): the SQL search would match nothing.
    if (words.empty() || probe->lexemes.empty()) return response;
    // English bots with the sentence encoder (else word vectors): the lexical stage's best
    // `candidates` (both paths rank the same first max(limit, 20) chunks, so asking for more does
    // not change the first `limit`), then the re-rank, common to both paths.
    const bool english = probe->language == "en";
    sentence = settings_.sentence_encoder && english;
    semantic = !sentence && settings_.word_vectors && english;
    const int candidates = sentence ? settings_.sentence.candidates : settings_.semantic.candidates;
    const int fetch = sentence || semantic ? std::max(limit, candidates) : limit;
    if (auto index = search_cache_ ? search_cache_->find(request.bot_id(), probe->knowledge_version)
                                   : nullptr) {
      chunks = index->search(probe->lexemes, query_grams(probe->gram_text), fetch);
    } else {
      chunks = KnowledgeRepository(*connection)
                   .search(request.bot_id(), text_search_config(probe->language), joined, fetch);
    }
    if (sentence) stored = candidate_embeddings(*connection, request.bot_id(), chunks);
  }
  if (sentence) sentence_rerank(request.query(), chunks, stored);
  if (semantic) {
    semantic_rerank(*settings_.word_vectors, request.query(), chunks, settings_.semantic, chunk_vectors_.get());
  }
  if (chunks.size() > static_cast<std::size_t>(limit)) chunks.resize(static_cast<std::size_t>(limit));
  for (auto& chunk : chunks) *response.add_chunks() = std::move(chunk);
  return response;
}

}  // namespace botfactory::registry
