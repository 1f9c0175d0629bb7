// Shapes of the REST API's JSON (docs/api.md, docs/openapi.yaml), as the dashboard uses them.

export type Language = "en" | "ru" | "uz";
export type ProviderName = "extractive" | "openai" | "gemini";

export interface User {
  id: string;
  email: string;
  username: string;
  tenant_id: string;
  created_at: string;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number; // seconds
  token_type: string;
}

export interface BotProvider {
  provider: ProviderName;
  model: string;
  temperature: number;
  max_output_tokens: number;
  fallback_to_extractive: boolean;
}

export interface Bot {
  id: string;
  public_id: string;
  name: string;
  language: Language;
  greeting: string;
  instructions: string;
  provider: BotProvider;
  effective_answerer: ProviderName;
  effective_answerer_reason: string | null;
  allowed_origins: string[];
  /** look: the chat widget's appearance (docs/api.md "Bots"). */
  widget: WidgetAppearance;
  created_at: string;
  updated_at: string;
}

/** look: a bot's widget appearance; PATCH replaces it as a whole. */
export interface WidgetAppearance {
  color: string;
  title: string;
  position: "right" | "left";
  suggested_questions: string[];
}

/** GET /bots/{id}/model-status (docs/api.md "Model status"); times are RFC 3339 UTC or null. */
export interface ModelStatus {
  bot_id: string;
  state: "ok" | "degraded";
  last_fallback_reason: string | null;
  last_fallback_at: string | null;
  last_model_reply_at: string | null;
}

/** One question of GET /bots/{id}/unanswered (docs/api.md "Unanswered questions"). */
export interface UnansweredQuestion {
  key: string;
  text: string;
  count: number;
  first_asked_at: string;
  last_asked_at: string;
  last_conversation_id: string;
  language: string;
}

/** answer feedback: a visitor's rating of one bot answer (docs/api.md "Answer feedback"). */
export type FeedbackRating = "up" | "down";

/** One rating of GET /conversations/{id}/feedback. */
export interface MessageFeedback {
  seq: number;
  rating: FeedbackRating;
  comment: string;
  updated_at: string;
}

/** One rated reply of GET /bots/{id}/feedback. */
export interface RatedReply {
  conversation_id: string;
  seq: number;
  rating: FeedbackRating;
  comment: string;
  rated_at: string;
  question: string;
  reply: string;
  replied_at: string;
  /** The conversation's channel: "web", "telegram", "whatsapp", "instagram". */
  channel: string;
}

/** GET /bots/{id}/feedback. */
export interface BotFeedback {
  days: number;
  up: number;
  down: number;
  helpful_share: number | null;
  replies: RatedReply[];
}

/** The writable fields of a bot (POST /bots, PATCH /bots/{id}). */
export interface BotInput {
  name: string;
  language: Language;
  greeting: string;
  instructions: string;
  provider: Partial<BotProvider> & { provider: ProviderName };
  allowed_origins: string[];
  widget?: WidgetAppearance;
}

export interface KnowledgeDocument {
  id: string;
  title: string;
  format: "text" | "markdown" | "html" | "pdf";
  size_bytes: number;
  chunk_count: number;
  /** The meaning (sentence-embedding) index of an English bot: "pending" until the backfill has
   * embedded the document; "off" for bots whose search does not use it. */
  semantic_index?: "ready" | "pending" | "off";
  created_at: string;
}

export interface PlanLimits {
  max_bots: number;
  max_replies_per_month: number;
  max_knowledge_bytes: number;
  max_channels: number;
  max_tokens_per_month: number;
}

export interface Plan {
  code: string;
  name: string;
  price_cents: number;
  currency: string;
  trial_days: number;
  limits: PlanLimits;
}

export interface Quota {
  used: number;
  limit: number;
}

export interface Subscription {
  plan: Plan;
  status: "trialing" | "active" | "expired";
  current_period_start: string;
  current_period_end: string;
  usage: { bot_replies: number; model_tokens: number };
  quotas?: { bot_replies: Quota; model_tokens: Quota };
}

export interface UsageRow {
  day: string; // YYYY-MM-DD (UTC)
  bot_id: string;
  replies: number;
  prompt_tokens: number;
  completion_tokens: number;
  tokens: number;
}

export interface DailyUsage {
  days: number;
  first_day: string;
  last_day: string;
  usage: UsageRow[];
}

export interface ProviderKey {
  provider: "openai" | "gemini";
  last_four: string;
  base_url: string;
  created_at: string;
  updated_at: string;
}

export type ChannelType = "telegram" | "whatsapp" | "instagram";

/** Telegram's own view of a webhook-mode channel (getWebhookInfo); older servers name the
 *  fields registered_url / last_error, newer ones url / last_error_message / last_error_at. */
export interface ChannelWebhookInfo {
  url?: string | null;
  registered_url?: string | null;
  pending_update_count?: number | null;
  last_error_message?: string | null;
  last_error?: string | null;
  last_error_at?: string | null;
  /** Why Telegram could not be asked (the other fields are null then). */
  error?: string | null;
}

/** A channel's health (docs/api.md "Channels"); every field may be missing on an older server. */
export interface ChannelHealth {
  state?: "connected" | "error" | "inactive" | string;
  error?: string | null;
  last_inbound_at?: string | null;
  last_delivery_error?: string | null;
  last_delivery_error_at?: string | null;
  failed_deliveries?: number | null;
  failed_outbound?: number | null;
  pending_outbound?: number | null;
  window_closed_outbound?: number | null;
  webhook?: ChannelWebhookInfo | null;
}

/** GET/POST /bots/{id}/channels: credentials are never returned, only their last four. */
export interface Channel {
  id: string;
  bot_id: string;
  type: ChannelType;
  mode: "polling" | "webhook";
  display_name?: string;
  credentials_hint?: string;
  webhook_url?: string | null;
  created_at?: string;
  health?: ChannelHealth | null;
}

/** POST /bots/{id}/channels body (fields by type; docs/api.md). */
export type ChannelInput =
  | { type: "telegram"; token: string; mode?: "polling" | "webhook" }
  | { type: "whatsapp"; phone_number_id: string; access_token: string; app_secret: string; verify_token: string }
  | { type: "instagram"; instagram_account_id: string; access_token: string; app_secret: string; verify_token: string };

/** One outbound message the channel gave up on (GET …/deliveries?status=failed). */
export interface ChannelDelivery {
  id: string;
  chat_id?: string;
  text_preview?: string;
  attempts?: number;
  last_error?: string | null;
  failed_at?: string | null;
  status?: string;
}
