// One conversation of the inbox: its history paged backwards by seq ("load older"), live
// messages and the bot's reply growing (message.delta), typing, the takeover state with
// "Take over" / "Hand back", and the operator's reply box (with the saved-reply picker, "/").
// Marks what is shown as read.

import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import type { ChatMessage } from "../../api/chat";
import {
  listMessages, markRead, setHandler, type Handler, type InboxFrame, type InboxItem, type InboxSocket,
} from "../../api/inbox";
import { listConversationFeedback } from "../../api/endpoints";
import type { MessageFeedback } from "../../api/types";
import { ErrorMessage } from "../ErrorMessage";
import { Thumb } from "../Thumb";
import { AttachButton } from "../files/AttachButton";
import { AttachmentView } from "../files/AttachmentView";
import { CannedComposer } from "../canned/CannedComposer";
import { useChannelName } from "./ConversationList";
import { visitorName } from "./visitorName";
import { formatWhen } from "./when";

const PAGE = 50;
const TYPING_SHOWN_MS = 6000;

export interface ViewHandle { onFrame: (frame: InboxFrame) => void }

export function ConversationView(props: {
  conversationId: string;
  item?: InboxItem;
  socket: InboxSocket | null;
  /** The page hands this conversation's frames to the view through this ref. */
  frames: { current: ((frame: InboxFrame) => void) | null };
  onRead: (id: string) => void;
  onState: (id: string, handler: Handler, waiting: boolean) => void;
  onBack: () => void;
}) {
  const { t, i18n } = useTranslation();
  const channelName = useChannelName();
  const { conversationId, item, socket } = props;
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [deltas, setDeltas] = useState<Map<number, string>>(new Map());
  const [typing, setTyping] = useState<{ name: string; until: number } | null>(null);
  const [handler, setHandlerState] = useState<Handler>(item?.handler ?? "bot");
  const [waiting, setWaiting] = useState(item?.waiting_for_human ?? false);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [busy, setBusy] = useState(false);
  const [text, setText] = useState("");
  const readSeq = useRef(0);
  const logRef = useRef<HTMLDivElement>(null);
  const stickToEnd = useRef(true);
  const initialLastSeq = useRef(item?.last_seq ?? 0);
  // answer feedback: the visitor's ratings of the bot's answers, by seq (fetched on open, then
  // kept current by live message.feedback frames).
  const [ratings, setRatings] = useState<Map<number, MessageFeedback>>(new Map());

  useEffect(() => {
    let cancelled = false;
    setRatings(new Map());
    listConversationFeedback(conversationId).then((rows) => {
      // A live frame that came while the list was on its way is newer than a row read before it.
      if (!cancelled) setRatings((live) => newerRatings(new Map(rows.map((r) => [r.seq, r])), live));
    }, () => { /* the marks are optional: the conversation still shows */ });
    return () => { cancelled = true; };
  }, [conversationId]);

  const merge = useCallback((incoming: ChatMessage[]) => {
    setMessages((prev) => {
      const bySeq = new Map(prev.map((m) => [m.seq, m]));
      for (const m of incoming) bySeq.set(m.seq, m);
      return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    });
  }, []);

  // History: the newest page, then live from its end.
  useEffect(() => {
    let cancelled = false;
    setMessages([]);
    setDeltas(new Map());
    setTyping(null);
    setError(null);
    setLoading(true);
    readSeq.current = 0;
    stickToEnd.current = true;
    const last = initialLastSeq.current;
    listMessages(conversationId, Math.max(0, last - PAGE), PAGE).then((page) => {
      if (cancelled) return;
      merge(page);
      setLoading(false);
      const newest = page.length ? page[page.length - 1].seq : 0;
      socket?.join(conversationId, newest);
    }, (e) => {
      if (!cancelled) {
        setError(e);
        setLoading(false);
      }
    });
    return () => {
      cancelled = true;
      socket?.leave();
    };
  }, [conversationId, socket, merge]);

  useEffect(() => {
    if (item) {
      setHandlerState(item.handler);
      setWaiting(item.waiting_for_human);
    }
  }, [item?.handler, item?.waiting_for_human]);  // eslint-disable-line react-hooks/exhaustive-deps

  // Live frames of this conversation.
  useEffect(() => {
    props.frames.current = (f: InboxFrame) => {
      if (f.type === "message.new" && f.message && typeof f.seq === "number") {
        const m = { ...f.message, seq: f.seq };
        merge([m]);
        socket?.seen(conversationId, f.seq);
        if (m.sender.kind === "bot") setDeltas(new Map());
        if (m.sender.kind !== "operator") setTyping(null);
      } else if (f.type === "message.delta" && typeof f.reply_to_seq === "number") {
        const seq = f.reply_to_seq;
        setDeltas((prev) => new Map(prev).set(seq, (prev.get(seq) ?? "") + (f.delta ?? "")));
      } else if (f.type === "typing" && f.sender) {
        setTyping(f.state === "start" ? { name: f.sender.name, until: Date.now() + TYPING_SHOWN_MS } : null);
      } else if ((f.type === "conversation.state" || f.type === "conversation.joined") && f.handler) {
        setHandlerState(f.handler);
        setWaiting(!!f.waiting_for_human);
        props.onState(conversationId, f.handler, !!f.waiting_for_human);
      } else if (f.type === "message.feedback" && typeof f.seq === "number") {
        const seq = f.seq;
        setRatings((prev) => applyFeedbackFrame(prev, seq, f));  // live: the visitor rated
      } else if (f.type === "error" && f.code && f.code !== "rate_limited") {
        setError(new Error(f.code));
      }
    };
    return () => { props.frames.current = null; };
  });  // every render: the latest closures

  // Typing hint expiry.
  useEffect(() => {
    if (!typing) return;
    const id = window.setTimeout(() => setTyping(null), Math.max(0, typing.until - Date.now()));
    return () => window.clearTimeout(id);
  }, [typing]);

  // Read position: everything shown.
  const newest = messages.length ? messages[messages.length - 1].seq : 0;
  useEffect(() => {
    if (newest > readSeq.current) {
      readSeq.current = newest;
      markRead(conversationId, newest).then(() => props.onRead(conversationId), () => undefined);
    }
  }, [conversationId, newest]);  // eslint-disable-line react-hooks/exhaustive-deps

  // Keep the end in view while the operator is at the end.
  useEffect(() => {
    const log = logRef.current;
    if (log && stickToEnd.current) log.scrollTop = log.scrollHeight;
  }, [messages, deltas, typing]);
  useEffect(() => {
    const onResize = () => {
      const log = logRef.current;
      if (log && stickToEnd.current) log.scrollTop = log.scrollHeight;
    };
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, []);

  const oldest = messages.length ? messages[0].seq : 0;
  const loadOlder = async () => {
    if (oldest <= 1) return;
    const since = Math.max(0, oldest - 1 - PAGE);
    stickToEnd.current = false;
    try {
      merge(await listMessages(conversationId, since, oldest - 1 - since));
    } catch (e) {
      setError(e);
    }
  };

  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      const c = await setHandler(conversationId, handler === "bot");
      setHandlerState(c.handler);
      setWaiting(c.waiting_for_human);
      props.onState(conversationId, c.handler, c.waiting_for_human);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const send = (e?: FormEvent) => {
    e?.preventDefault();
    const reply = text.trim();
    if (!reply || !socket) return;
    stickToEnd.current = true;
    if (socket.say(conversationId, reply)) setText("");
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey) send(e as unknown as FormEvent);
  };

  const name = visitorName(item?.visitor.name ?? "", t);
  const draft = [...deltas.values()].join("");
  return (
    <section className="inbox-detail card" aria-labelledby="inbox-detail-title" data-testid="inbox-detail">
      <div className="inbox-detail-head">
        <button type="button" className="button secondary small inbox-back" onClick={props.onBack}>
          ← {t("inbox.back")}
        </button>
        <div className="inbox-detail-title">
          <h2 id="inbox-detail-title">{t("inbox.history", { name })}</h2>
          {item && <p className="muted inbox-meta">{item.bot_name ? `${item.bot_name} · ` : ""}{channelName(item.channel)}</p>}
        </div>
        <div className="inbox-state">
          <span className={`pill ${handler === "human" ? "human" : "ok"}`} data-testid="handler-state">
            {handler === "human" ? t("inbox.handlerHuman") : t("inbox.handlerBot")}
          </span>
          {waiting && <span className="pill warn">{t("inbox.waiting")}</span>}
          <button type="button" className={`button small${handler === "human" ? " secondary" : ""}`}
            onClick={toggle} disabled={busy} data-testid="takeover-toggle">
            {handler === "human" ? t("inbox.handBack") : t("inbox.takeOver")}
          </button>
        </div>
      </div>
      <ErrorMessage error={error} context="inbox" />
      <div className="chat-log inbox-log" ref={logRef} role="log" aria-live="polite"
        aria-label={t("inbox.history", { name })} tabIndex={0} data-testid="inbox-log"
        onScroll={(e) => {
          const el = e.currentTarget;
          stickToEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}>
        {oldest > 1 && (
          <button type="button" className="button secondary small inbox-older" onClick={loadOlder}
            data-testid="load-older">{t("inbox.loadOlder")}</button>
        )}
        {loading && <p className="muted">{t("common.loading")}</p>}
        {!loading && messages.length === 0 && <p className="muted">{t("inbox.noMessages")}</p>}
        {messages.map((m) => (
          <div key={m.seq} className={`bubble ${m.sender.kind === "visitor" ? "from-visitor" : m.sender.kind}`}
            data-testid={`msg-${m.sender.kind}`}>
            <span className="who">
              {m.sender.kind === "visitor" ? visitorName(m.sender.name, t)
                : m.sender.kind === "bot" ? `${m.sender.name || t("inbox.senderBot")}`
                : `${m.sender.name || t("inbox.senderOperator")}`}
              {" · "}
              <time dateTime={m.created_at}>{formatWhen(m.created_at, i18n.language)}</time>
            </span>
            {!(m.attachment && m.text === `📎 ${m.attachment.name}`) && <p>{m.text}</p>}
            {m.attachment && <AttachmentView attachment={m.attachment} />}
            {m.sender.kind === "bot" && ratings.has(m.seq) && (() => {
              const r = ratings.get(m.seq)!;
              const label = r.rating === "up" ? t("feedback.helpful") : t("feedback.notHelpful");
              return (
                <p className={`feedback-mark ${r.rating}`} data-testid="msg-feedback" data-rating={r.rating}>
                  <span className={`pill ${r.rating === "up" ? "ok" : "warn"}`}>
                    <Thumb rating={r.rating} size={14} /> {t("feedback.visitorRated", { rating: label })}
                  </span>
                  {r.comment && <q>{r.comment}</q>}
                </p>
              );
            })()}
          </div>
        ))}
        {draft && <div className="bubble bot draft" data-testid="draft"><p>{draft}</p></div>}
        {typing && <p className="muted typing" data-testid="typing">{t("inbox.typing", { name: visitorName(typing.name, t) })}</p>}
      </div>
      <p className="muted inbox-hint">{handler === "human" ? t("inbox.humanHandles") : t("inbox.botHandles")}</p>
      <form className="row chat-form inbox-reply" onSubmit={send}>
        <label className="sr-only" htmlFor="inbox-reply">{t("inbox.reply")}</label>
        <CannedComposer id="inbox-reply" value={text} maxLength={4000} placeholder={t("canned.replyPlaceholder")}
          disabled={handler !== "human"}
          onChange={(value) => {
            setText(value);
            if (socket) socket.typing(conversationId, value.trim() !== "");
          }}
          onBlur={() => socket?.typing(conversationId, false)}
          onKeyDown={onKey} visitorName={item?.visitor.name} botName={item?.bot_name} />
        <AttachButton conversationId={conversationId} disabled={handler !== "human"} />
        <button className="button" type="submit" disabled={handler !== "human" || !text.trim()}
          data-testid="reply-send">{t("inbox.send")}</button>
      </form>
    </section>
  );
}

/** live: `ratings` after a message.feedback frame for reply `seq`: set ("up" / "down") or removed
 *  (null); a frame older than the rating shown (by updated_at) changes nothing. */
function applyFeedbackFrame(ratings: Map<number, MessageFeedback>, seq: number,
                            f: InboxFrame): Map<number, MessageFeedback> {
  const known = ratings.get(seq);
  if (known && f.updated_at && f.updated_at < known.updated_at) return ratings;
  const next = new Map(ratings);
  if (f.rating === "up" || f.rating === "down") {
    next.set(seq, { seq, rating: f.rating, comment: f.comment ?? "", updated_at: f.updated_at ?? "" });
  } else {
    next.delete(seq);
  }
  return next;
}

/** The listed `rows`, each replaced by the `live` one when that is newer (or the row is missing). */
function newerRatings(rows: Map<number, MessageFeedback>,
                      live: Map<number, MessageFeedback>): Map<number, MessageFeedback> {
  for (const [seq, r] of live) {
    const row = rows.get(seq);
    if (!row || r.updated_at > row.updated_at) rows.set(seq, r);
  }
  return rows;
}
