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
  created_at: string;
  updated_at: string;
}

/** GET /bots/{id}/model-status (docs/api.md "Model status"); times are RFC 3339 UTC or null. */
export interface ModelStatus {
  bot_id: string;
  state: "ok" | "degraded";
  last_fallback_reason: string | null;
  last_fallback_at: string | null;
  last_model_reply_at: string | null;
}

/** The writable fields of a bot (POST /bots, PATCH /bots/{id}). */
export interface BotInput {
  name: string;
  language: Language;
  greeting: string;
  instructions: string;
  provider: Partial<BotProvider> & { provider: ProviderName };
  allowed_origins: string[];
}

export interface KnowledgeDocument {
  id: string;
  title: string;
  format: "text" | "markdown" | "html" | "pdf";
  size_bytes: number;
  chunk_count: number;
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
