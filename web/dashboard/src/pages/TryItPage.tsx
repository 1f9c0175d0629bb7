// "Try it": ask the bot as a visitor would, see the reply grow and the documents it cites. A
// real conversation through the widget API and the WebSocket (it counts against the plan's
// replies like any visitor's).

import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client";
import { startWidgetSession, TryChat, type ChatMessage } from "../api/chat";
import { getBot, listDocuments } from "../api/endpoints";
import { BotTabs } from "../components/BotTabs";
import { ErrorMessage } from "../components/ErrorMessage";
import { Link } from "../router";
import { useLoad } from "../useLoad";

export function TryItPage({ botId }: { botId: string }) {
  const { t } = useTranslation();
  const bot = useLoad(() => getBot(botId), [botId]);
  // A bot without documents can only greet and say it does not know: say so before the owner asks.
  const docs = useLoad(() => listDocuments(botId), [botId]);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState("");
  const [state, setState] = useState<"idle" | "connecting" | "open" | "closed">("idle");
  const [error, setError] = useState<unknown>(null);
  const [text, setText] = useState("");
  const chat = useRef<TryChat | null>(null);
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => () => chat.current?.close(), []);
  useEffect(() => { end.current?.scrollIntoView({ block: "nearest" }); }, [messages, draft]);

  const start = async () => {
    if (!bot.data) return;
    chat.current?.close();
    setMessages([]);
    setDraft("");
    setError(null);
    setState("connecting");
    try {
      const session = await startWidgetSession(bot.data.public_id, t("try.visitorName"));
      chat.current = new TryChat(session, {
        onMessages: setMessages, onDraft: setDraft, onState: setState,
        onError: (code) => setError(new ApiError(0, code, code)),
      });
    } catch (e) {
      setError(e);
      setState("idle");
    }
  };

  const send = (e: FormEvent) => {
    e.preventDefault();
    const q = text.trim();
    if (!q || !chat.current?.say(q)) return;
    setText("");
  };

  if (bot.error) return <ErrorMessage error={bot.error} context="bot" />;
  const waiting = messages.length > 0 && messages[messages.length - 1].sender.kind === "visitor";

  return (
    <section>
      <BotTabs botId={botId} current="try" name={bot.data?.name} />
      <h1>{t("try.title")}</h1>
      <p className="muted lead">{t("try.lead")}</p>
      {docs.data && docs.data.length === 0 && (
        <p className="notice" role="note" data-testid="try-no-knowledge">
          {t("try.noKnowledge")} <Link to={`/bots/${botId}/knowledge`}>{t("try.addKnowledge")}</Link>
        </p>
      )}
      <ErrorMessage error={error} context="try" />
      {state === "idle" || state === "closed" ? (
        <button type="button" className="button" onClick={start} disabled={!bot.data} data-testid="try-start">
          {state === "closed" ? t("try.restart") : t("try.start")}
        </button>
      ) : (
        <div className="card chat" data-testid="try-chat">
          <div className="chat-log" role="log" aria-live="polite" aria-label={t("try.title")} tabIndex={0}>
            {messages.map((m) => (
              <div key={m.seq} className={`bubble ${m.sender.kind}`} data-testid={`msg-${m.sender.kind}`}>
                <span className="who">{m.sender.kind === "visitor" ? t("try.you") : m.sender.name}</span>
                <p>{m.text}</p>
                {m.sources && m.sources.length > 0 && <p className="sources-label">{t("try.sources")}</p>}
                {m.sources && m.sources.length > 0 && (
                  <ol className="sources" aria-label={t("try.sources")} data-testid="sources">
                    {m.sources.map((s, i) => <li key={`${s.chunk_id}-${i}`}>{s.document_title}</li>)}
                  </ol>
                )}
              </div>
            ))}
            {draft && <div className="bubble bot draft"><p>{draft}</p></div>}
            {waiting && !draft && <p className="muted typing">{t("try.thinking")}</p>}
            <div ref={end} />
          </div>
          <form className="row chat-form" onSubmit={send}>
            <label className="sr-only" htmlFor="try-text">{t("try.question")}</label>
            <input id="try-text" value={text} maxLength={4000} placeholder={t("try.placeholder")}
              onChange={(e) => setText(e.target.value)} disabled={state !== "open"} />
            <button className="button" type="submit" disabled={state !== "open" || !text.trim()}>{t("try.send")}</button>
          </form>
        </div>
      )}
    </section>
  );
}
