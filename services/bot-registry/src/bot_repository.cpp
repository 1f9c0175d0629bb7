#include "bot_repository.hpp"

#include <cstdio>

#include "botfactory/rpc/timestamp.hpp"
#include "effective_answerer.hpp"
#include "text_array.hpp"
#include "row_mapping.hpp"

namespace botfactory::registry {
namespace {

// The last column tells whether the bot's tenant has a key for its provider.
#define BF_BOT_COLUMNS                                                                        \
  "id, tenant_id, public_id, name, language, greeting, instructions, provider, model, "     \
  "temperature, (extract(epoch from created_at) * 1000000)::bigint, "                       \
  "(extract(epoch from updated_at) * 1000000)::bigint, allowed_origins, "                   \
  "max_output_tokens, fallback_to_extractive, EXISTS (SELECT 1 FROM registry.provider_keys k " \
  "WHERE k.tenant_id = bots.tenant_id AND k.provider = bots.provider), "                     \
  "widget_color, widget_title, widget_position, widget_questions"

constexpr const char* kInsertBot =
    "INSERT INTO registry.bots (tenant_id, public_id, name, language, greeting, instructions, "
    "provider, model, temperature, allowed_origins, max_output_tokens, fallback_to_extractive, "
    "widget_color, widget_title, widget_position, widget_questions) "
    "VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::float8, $10::text[], $11::integer, "
    "$12::boolean, $13, $14, $15, $16::text[]) "
    "ON CONFLICT (public_id) DO NOTHING RETURNING " BF_BOT_COLUMNS;
constexpr const char* kFindBot =
    "SELECT " BF_BOT_COLUMNS " FROM registry.bots WHERE id = $2::uuid AND tenant_id = $1::uuid";
constexpr const char* kFindBotByPublicId =
    "SELECT " BF_BOT_COLUMNS " FROM registry.bots WHERE public_id = $1";
constexpr const char* kListBots =
    "SELECT " BF_BOT_COLUMNS " FROM registry.bots WHERE tenant_id = $1::uuid "
    "ORDER BY created_at, id";
constexpr const char* kCountBots = "SELECT count(*) FROM registry.bots WHERE tenant_id = $1::uuid";
constexpr const char* kLockTenant =
    "SELECT pg_advisory_xact_lock(hashtext('botfactory.registry.tenant.' || $1))";
constexpr const char* kLockBot =
    "SELECT language FROM registry.bots WHERE id = $2::uuid AND tenant_id = $1::uuid FOR UPDATE";
constexpr const char* kUpdateBot =
    "UPDATE registry.bots SET name = COALESCE($3, name), language = COALESCE($4, language), "
    "greeting = COALESCE($5, greeting), instructions = COALESCE($6, instructions), "
    "provider = COALESCE($7, provider), model = COALESCE($8, model), "
    "temperature = COALESCE($9::float8, temperature), "
    "allowed_origins = COALESCE($10::text[], allowed_origins), "
    "max_output_tokens = COALESCE($11::integer, max_output_tokens), "
    "fallback_to_extractive = COALESCE($12::boolean, fallback_to_extractive), "
    "widget_color = COALESCE($13, widget_color), widget_title = COALESCE($14, widget_title), "
    "widget_position = COALESCE($15, widget_position), "
    "widget_questions = COALESCE($16::text[], widget_questions), updated_at = now() "
    "WHERE id = $2::uuid AND tenant_id = $1::uuid RETURNING " BF_BOT_COLUMNS;
constexpr const char* kDeleteBot =
    "DELETE FROM registry.bots WHERE id = $2::uuid AND tenant_id = $1::uuid";

#undef BF_BOT_COLUMNS

registry::v1::Bot bot_from_row(const pg::Result& r, int row, const PlatformKeys* platform) {
  registry::v1::Bot bot;
  bot.set_id(r.str(row, 0));
  bot.set_tenant_id(r.str(row, 1));
  bot.set_public_id(r.str(row, 2));
  bot.set_name(r.str(row, 3));
  bot.set_language(r.str(row, 4));
  bot.set_greeting(r.str(row, 5));
  bot.set_instructions(r.str(row, 6));
  auto* provider = bot.mutable_provider();
  provider->set_provider(r.str(row, 7));
  provider->set_model(r.str(row, 8));
  provider->set_temperature(r.float64(row, 9));
  *bot.mutable_created_at() = rpc::timestamp_from_micros(r.int64(row, 10));
  *bot.mutable_updated_at() = rpc::timestamp_from_micros(r.int64(row, 11));
  for (auto& origin : text_array_elements(r.text(row, 12))) bot.add_allowed_origins(std::move(origin));
  provider->set_max_output_tokens(static_cast<std::int32_t>(r.int64(row, 13)));
  provider->set_fallback_to_extractive(r.boolean(row, 14));
  auto effective = effective_answerer(provider->provider(), r.boolean(row, 15),
                                      platform && platform->find(provider->provider()));
  bot.set_effective_answerer(std::move(effective.answerer));
  bot.set_effective_answerer_reason(std::move(effective.reason));
  auto* widget = bot.mutable_widget();
  widget->set_color(r.str(row, 16));
  widget->set_title(r.str(row, 17));
  widget->set_position(r.str(row, 18));
  for (auto& question : text_array_elements(r.text(row, 19))) widget->add_suggested_questions(std::move(question));
  return bot;
}

/// bot_from_row with `platform`, for first_row / map_rows.
auto mapper(const PlatformKeys* platform) {
  return [platform](const pg::Result& r, int row) { return bot_from_row(r, row, platform); };
}

/// Exact text of a double for a float8 parameter (round-trips).
std::string float_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

/// "true" / "false" for a boolean parameter.
std::string bool_text(bool value) { return value ? "true" : "false"; }

}  // namespace

std::optional<registry::v1::Bot> BotRepository::insert(const NewBot& bot) {
  auto r = connection_.exec(kInsertBot, {bot.tenant_id, bot.public_id, bot.name, bot.language,
                                         bot.greeting, bot.instructions, bot.provider.provider,
                                         bot.provider.model, float_text(bot.provider.temperature),
                                         text_array_literal(bot.allowed_origins),
                                         std::to_string(bot.provider.max_output_tokens),
                                         bool_text(bot.provider.fallback_to_extractive),
                                         bot.widget.color, bot.widget.title, bot.widget.position,
                                         text_array_literal(bot.widget.suggested_questions)});
  return first_row(r, mapper(platform_));
}

std::optional<registry::v1::Bot> BotRepository::find(const std::string& tenant_id,
                                                     const std::string& bot_id) {
  return first_row(connection_.exec(kFindBot, {tenant_id, bot_id}), mapper(platform_));
}

std::optional<registry::v1::Bot> BotRepository::find_by_public_id(const std::string& public_id) {
  return first_row(connection_.exec(kFindBotByPublicId, {public_id}), mapper(platform_));
}

std::vector<registry::v1::Bot> BotRepository::list(const std::string& tenant_id) {
  return map_rows(connection_.exec(kListBots, {tenant_id}), mapper(platform_));
}

std::int64_t BotRepository::count(const std::string& tenant_id) {
  return connection_.exec(kCountBots, {tenant_id}).int64(0, 0);
}

void BotRepository::lock_tenant(const std::string& tenant_id) {
  connection_.exec(kLockTenant, {tenant_id});
}

std::optional<std::string> BotRepository::lock(const std::string& tenant_id,
                                               const std::string& bot_id) {
  return first_row(connection_.exec(kLockBot, {tenant_id, bot_id}),
                   [](const pg::Result& r, int row) { return r.str(row, 0); });
}

registry::v1::Bot BotRepository::update(const std::string& tenant_id, const std::string& bot_id,
                                        const BotChanges& changes) {
  pg::Param provider, model, temperature, max_tokens, fallback;
  if (changes.provider) {
    provider = changes.provider->provider;
    model = changes.provider->model;
    temperature = float_text(changes.provider->temperature);
    max_tokens = std::to_string(changes.provider->max_output_tokens);
    fallback = bool_text(changes.provider->fallback_to_extractive);
  }
  pg::Param origins;
  if (changes.allowed_origins) origins = text_array_literal(*changes.allowed_origins);
  pg::Param color, title, position, questions;
  if (changes.widget) {
    color = changes.widget->color;
    title = changes.widget->title;
    position = changes.widget->position;
    questions = text_array_literal(changes.widget->suggested_questions);
  }
  auto r = connection_.exec(kUpdateBot, {tenant_id, bot_id, changes.name, changes.language,
                                         changes.greeting, changes.instructions, provider, model,
                                         temperature, origins, max_tokens, fallback, color, title,
                                         position, questions});
  return bot_from_row(r, 0, platform_);
}

bool BotRepository::remove(const std::string& tenant_id, const std::string& bot_id) {
  return connection_.exec(kDeleteBot, {tenant_id, bot_id}).affected() > 0;
}

}  // namespace botfactory::registry
