// One typed function per REST route the dashboard calls (docs/api.md).

import { api, publicApi } from "./client";
import { clearSession, loadSession, saveTokens } from "./session";
import type {
  Bot, BotInput, Channel, ChannelDelivery, ChannelInput, DailyUsage, KnowledgeDocument, ModelStatus, Plan, ProviderKey, Subscription, TokenPair, UnansweredQuestion, User, BotFeedback, MessageFeedback,
} from "./types";

/** POST /users then POST /auth/login: a new account, signed in. With `inviteToken` (team
 * accounts) the account joins the inviting team instead of creating a tenant. */
export async function signUp(email: string, username: string, password: string, inviteToken = ""): Promise<void> {
  await publicApi<User>("POST", "/users", inviteToken ? { email, username, password, invite_token: inviteToken } : { email, username, password });
  await signIn(email, password);
}

/** POST /auth/login; stores the token pair. */
export async function signIn(email: string, password: string): Promise<void> {
  saveTokens(await publicApi<TokenPair>("POST", "/auth/login", { email, password }));
}

/** POST /auth/logout (revokes the refresh token; failures ignored) and forgets the tokens. */
export async function signOut(): Promise<void> {
  const s = loadSession();
  clearSession();
  if (s) await publicApi("POST", "/auth/logout", { refresh_token: s.refresh }).catch(() => undefined);
}

export const getMe = () => api<User>("GET", "/users/me");

export const listBots = async () => (await api<{ bots: Bot[] }>("GET", "/bots")).bots;
export const getBot = (id: string) => api<Bot>("GET", `/bots/${encodeURIComponent(id)}`);
export const getModelStatus = (id: string) =>
  api<ModelStatus>("GET", `/bots/${encodeURIComponent(id)}/model-status`);
export const createBot = (input: BotInput) => api<Bot>("POST", "/bots", input);
export const updateBot = (id: string, input: Partial<BotInput>) =>
  api<Bot>("PATCH", `/bots/${encodeURIComponent(id)}`, input);
export const deleteBot = (id: string) => api<void>("DELETE", `/bots/${encodeURIComponent(id)}`);

export const listDocuments = async (botId: string) =>
  (await api<{ documents: KnowledgeDocument[] }>("GET", `/bots/${encodeURIComponent(botId)}/knowledge`)).documents;
export const addTextDocument = (botId: string, title: string, format: string, body: string) =>
  api<KnowledgeDocument>("POST", `/bots/${encodeURIComponent(botId)}/knowledge`, { title, format, body });
export const deleteDocument = (botId: string, docId: string) =>
  api<void>("DELETE", `/bots/${encodeURIComponent(botId)}/knowledge/${encodeURIComponent(docId)}`);

/** GET /bots/{id}/unanswered: questions the bot could not answer, newest first. */
export const listUnanswered = async (botId: string, days = 30, limit = 50) =>
  (await api<{ questions: UnansweredQuestion[] }>("GET",
    `/bots/${encodeURIComponent(botId)}/unanswered?days=${days}&limit=${limit}`)).questions ?? [];
/** answer feedback: GET /bots/{id}/feedback — rated replies of the last `days` days, newest
 * first, with the window's up / down counts; `rating` "all" | "up" | "down". */
export const listBotFeedback = (botId: string, days = 30, rating: "all" | "up" | "down" = "all", limit = 100) =>
  api<BotFeedback>("GET", `/bots/${encodeURIComponent(botId)}/feedback?days=${days}&rating=${rating}&limit=${limit}`);
/** answer feedback: GET /conversations/{id}/feedback — the visitor's ratings, seq order. */
export const listConversationFeedback = async (conversationId: string) =>
  (await api<{ feedback: MessageFeedback[] }>("GET", `/conversations/${encodeURIComponent(conversationId)}/feedback`)).feedback ?? [];
/** POST /bots/{id}/unanswered/dismiss: hides the question until it is asked again. */
export const dismissUnanswered = (botId: string, key: string) =>
  api<{ key: string; dismissed_at: string }>("POST", `/bots/${encodeURIComponent(botId)}/unanswered/dismiss`, { key });

export const listProviderKeys = async () =>
  (await api<{ provider_keys: ProviderKey[] }>("GET", "/provider-keys")).provider_keys;
export const setProviderKey = (provider: string, key: string, baseUrl: string) =>
  api<ProviderKey>("PUT", `/provider-keys/${encodeURIComponent(provider)}`,
    baseUrl ? { key, base_url: baseUrl } : { key });
export const deleteProviderKey = (provider: string) =>
  api<void>("DELETE", `/provider-keys/${encodeURIComponent(provider)}`);

export const listPlans = async () => (await publicApi<{ plans: Plan[] }>("GET", "/plans")).plans;
export const getSubscription = () => api<Subscription>("GET", "/subscriptions/current");
export const choosePlan = (plan: string) => api<Subscription>("POST", "/subscriptions", { plan });
export const getDailyUsage = (days: number) => api<DailyUsage>("GET", `/usage/daily?days=${days}`);

const channelsPath = (botId: string) => `/bots/${encodeURIComponent(botId)}/channels`;
export const listChannels = async (botId: string) =>
  (await api<{ channels: Channel[] }>("GET", channelsPath(botId))).channels ?? [];
export const connectChannel = (botId: string, input: ChannelInput) =>
  api<Channel>("POST", channelsPath(botId), input);
export const disconnectChannel = (botId: string, channelId: string) =>
  api<void>("DELETE", `${channelsPath(botId)}/${encodeURIComponent(channelId)}`);
/** GET …/channels/{id}/deliveries?status=failed: outbound messages given up on (newest first). */
export const listFailedDeliveries = async (botId: string, channelId: string, limit = 20) =>
  (await api<{ deliveries: ChannelDelivery[] }>("GET",
    `${channelsPath(botId)}/${encodeURIComponent(channelId)}/deliveries?status=failed&limit=${limit}`)).deliveries ?? [];
/** POST …/deliveries/replay: queues the given failed messages (all failed ones without `ids`) again. */
export const replayDeliveries = (botId: string, channelId: string, ids?: string[]) =>
  api<{ replayed: number }>("POST", `${channelsPath(botId)}/${encodeURIComponent(channelId)}/deliveries/replay`,
    ids ? { ids } : {});
