// The inbox: every conversation of the tenant's bots, newest activity first, filtered by bot,
// channel and "waiting for a person", live over the operator's WebSocket (inbox.subscribe →
// conversation.updated), with the open conversation beside the list (stacked below 900 px:
// the list, or the conversation with a "back" button).

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { listBots } from "../api/endpoints";
import {
  InboxSocket, listInbox, type Handler, type InboxFilter, type InboxFrame, type InboxItem, type SocketStatus,
} from "../api/inbox";
import { ErrorMessage } from "../components/ErrorMessage";
import { ConversationList } from "../components/inbox/ConversationList";
import { ConversationView } from "../components/inbox/ConversationView";
import { navigate } from "../router";
import { useLoad } from "../useLoad";

const CHANNELS = ["web", "telegram", "whatsapp", "instagram"] as const;
const BRAND: Record<string, string> = { telegram: "Telegram", whatsapp: "WhatsApp", instagram: "Instagram" };

function matches(c: InboxItem, f: InboxFilter): boolean {
  return (!f.botId || c.bot_id === f.botId) && (!f.channel || c.channel === f.channel) &&
    (!f.waiting || c.waiting_for_human);
}

function newestFirst(a: InboxItem, b: InboxItem): number {
  return a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : a.id < b.id ? 1 : -1;
}

export function InboxPage({ conversationId }: { conversationId?: string }) {
  const { t } = useTranslation();
  const bots = useLoad(listBots, []);
  const [filter, setFilter] = useState<InboxFilter>({ botId: "", channel: "", waiting: false });
  const [items, setItems] = useState<InboxItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [status, setStatus] = useState<SocketStatus>("connecting");
  const [socket, setSocket] = useState<InboxSocket | null>(null);
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const selectedRef = useRef(conversationId);
  selectedRef.current = conversationId;
  const viewFrames = useRef<((frame: InboxFrame) => void) | null>(null);
  const loadRun = useRef(0);
  /** Conversations an event brought since the current reload started (kept when the page,
   *  read before they were created or updated, does not list them). */
  const liveSince = useRef(new Set<string>());

  const botNames = useMemo(() => new Map((bots.data ?? []).map((b) => [b.id, b.name])), [bots.data]);

  /** The first page for the current filter (on start, filter change, (re)subscription, resync). */
  const reload = useCallback(() => {
    const run = ++loadRun.current;
    liveSince.current = new Set();
    setLoading(true);
    listInbox(filterRef.current).then((page) => {
      if (run !== loadRun.current) return;
      // Events that arrived while the page was read are newer than it: keep those items.
      setItems((prev) => {
        const live = new Map(prev.map((c) => [c.id, c]));
        const listed = new Set(page.conversations.map((c) => c.id));
        // A conversation created (or moved up) after the page was read is not in it.
        const newer = prev.filter((c) => liveSince.current.has(c.id) && !listed.has(c.id));
        return [...newer, ...page.conversations.map((c) => {
          const mine = live.get(c.id);
          return mine && mine.last_seq > c.last_seq ? { ...c, ...mine, bot_name: c.bot_name } : c;
        })].sort(newestFirst);
      });
      setCursor(page.next_cursor);
      setError(null);
      setLoading(false);
    }, (e) => {
      if (run === loadRun.current) {
        setError(e);
        setLoading(false);
      }
    });
  }, []);

  useEffect(() => { reload(); }, [filter, reload]);

  const more = async () => {
    if (!cursor) return;
    try {
      const page = await listInbox(filter, cursor);
      setItems((prev) => {
        const seen = new Set(prev.map((c) => c.id));
        return [...prev, ...page.conversations.filter((c) => !seen.has(c.id))];
      });
      setCursor(page.next_cursor);
    } catch (e) {
      setError(e);
    }
  };

  /** A conversation.updated: merged by id, resorted; unread grows by the new messages that no
   *  operator sent, unless the conversation is open (the view marks it read). */
  const upsert = useCallback((c: InboxItem) => {
    liveSince.current.add(c.id);
    setItems((prev) => {
      const old = prev.find((x) => x.id === c.id);
      const rest = prev.filter((x) => x.id !== c.id);
      if (!matches(c, filterRef.current)) return rest;
      let unread = old?.unread_count ?? 0;
      const grew = c.last_seq - (old?.last_seq ?? 0);
      if (c.id !== selectedRef.current && grew > 0 && c.last_message && c.last_message.sender_kind !== "operator") {
        unread += old ? grew : c.last_seq;
      }
      const merged: InboxItem = {
        ...c, bot_name: old?.bot_name ?? "", read_seq: old?.read_seq ?? 0,
        unread_count: c.id === selectedRef.current ? 0 : unread,
      };
      return [merged, ...rest].sort(newestFirst);
    });
  }, []);

  useEffect(() => {
    const s = new InboxSocket({
      onStatus: setStatus,
      onSubscribed: reload,
      onFrame: (f) => {
        if (f.type === "conversation.updated" && f.conversation) upsert(f.conversation);
        else if (f.conversation_id && f.conversation_id === selectedRef.current) viewFrames.current?.(f);
      },
    });
    setSocket(s);
    return () => s.close();
  }, [reload, upsert]);

  const onRead = useCallback((id: string) => {
    setItems((prev) => prev.map((c) => (c.id === id ? { ...c, unread_count: 0 } : c)));
  }, []);
  const onState = useCallback((id: string, handler: Handler, waiting: boolean) => {
    setItems((prev) => prev.map((c) => (c.id === id ? { ...c, handler, waiting_for_human: waiting } : c)));
  }, []);

  const selected = items.find((c) => c.id === conversationId);
  const statusText = status === "open" ? t("inbox.live") : status === "connecting" ? t("inbox.connecting") : t("inbox.offline");

  return (
    <section className={`inbox${conversationId ? " has-selection" : ""}`}>
      <div className="page-head">
        <h1>{t("inbox.title")}</h1>
        <span className={`pill ${status === "open" ? "ok" : "warn"}`} role="status" data-testid="inbox-status">{statusText}</span>
      </div>
      <p className="muted lead inbox-lead">{t("inbox.lead")}</p>
      <ErrorMessage error={error} context="inbox" />
      <div className="inbox-panes">
        <div className="inbox-side">
          <fieldset className="inbox-filters">
            <legend className="sr-only">{t("inbox.filters")}</legend>
            <label>
              <span>{t("inbox.bot")}</span>
              <select value={filter.botId} onChange={(e) => setFilter({ ...filter, botId: e.target.value })}
                data-testid="filter-bot">
                <option value="">{t("inbox.allBots")}</option>
                {(bots.data ?? []).map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
              </select>
            </label>
            <label>
              <span>{t("inbox.channel")}</span>
              <select value={filter.channel} onChange={(e) => setFilter({ ...filter, channel: e.target.value })}
                data-testid="filter-channel">
                <option value="">{t("inbox.allChannels")}</option>
                {CHANNELS.map((c) => <option key={c} value={c}>{c === "web" ? t("inbox.channelWeb") : BRAND[c]}</option>)}
              </select>
            </label>
            <label className="check">
              <input type="checkbox" checked={filter.waiting}
                onChange={(e) => setFilter({ ...filter, waiting: e.target.checked })} data-testid="filter-waiting" />
              <span>{t("inbox.waitingOnly")}</span>
            </label>
          </fieldset>
          {loading && items.length === 0 ? <p className="muted">{t("common.loading")}</p> : (
            <ConversationList items={items} selectedId={conversationId} botNames={botNames} />
          )}
          {cursor && (
            <button type="button" className="button secondary small top-gap" onClick={more}>{t("inbox.loadMore")}</button>
          )}
        </div>
        <div className="inbox-main">
          {conversationId ? (
            <ConversationView key={conversationId} conversationId={conversationId}
              item={selected && { ...selected, bot_name: selected.bot_name || botNames.get(selected.bot_id) }}
              socket={socket} frames={viewFrames} onRead={onRead} onState={onState}
              onBack={() => navigate("/inbox")} />
          ) : (
            <p className="card empty muted inbox-placeholder">{t("inbox.select")}</p>
          )}
        </div>
      </div>
    </section>
  );
}
