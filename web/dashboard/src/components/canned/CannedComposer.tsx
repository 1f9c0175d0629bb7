// The inbox reply box with the saved-reply picker: typing "/" at the start of the box or after a
// space opens a listbox of the tenant's saved replies matching what follows the slash (short
// code prefix first, then content); ArrowUp / ArrowDown move, Enter or Tab inserts the reply
// with {{visitor.name}} / {{bot.name}} filled in, Escape closes. WAI-ARIA APG combobox pattern
// (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/): the textarea is the combobox, the list
// a listbox, the active option is aria-activedescendant. Enter without an open picker is the
// caller's (send).

import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { fillPlaceholders, filterCanned, listCanned, type CannedResponse } from "../../api/canned";
import { commitThen } from "../../commit";
import { replaceToken, slashToken } from "./cannedTrigger";

/** Options shown at most (the rest are reached by typing more). */
const SHOWN = 8;
const LIST_ID = "canned-picker";

export function CannedComposer(props: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  onKeyDown: (e: KeyboardEvent<HTMLTextAreaElement>) => void;
  onBlur?: () => void;
  disabled?: boolean;
  placeholder?: string;
  maxLength?: number;
  visitorName?: string;
  botName?: string;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [all, setAll] = useState<CannedResponse[] | null>(null);
  const [token, setToken] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState("");  // "<start>:<query>" of the token Escape closed
  const loading = useRef(false);

  // The saved replies are loaded once, the first time a "/" token appears.
  useEffect(() => {
    if (!token || all || loading.current) return;
    loading.current = true;
    listCanned().then((l) => setAll(l.canned_responses), () => setAll([])).finally(() => { loading.current = false; });
  }, [token, all]);

  const matches = token && all ? filterCanned(all, token.query).slice(0, SHOWN) : [];
  const open = !!token && dismissed !== `${token.start}:${token.query}` && matches.length > 0 && !props.disabled;
  const index = Math.min(active, Math.max(0, matches.length - 1));

  const track = (el: HTMLTextAreaElement) => {
    const next = el.selectionStart === el.selectionEnd ? slashToken(el.value, el.selectionStart) : null;
    if (next?.query !== token?.query || next?.start !== token?.start) {
      setToken(next);
      setActive(0);
      // Escape closes the picker for that token only: any edit of it opens it again.
      if (dismissed && (!next || `${next.start}:${next.query}` !== dismissed)) setDismissed("");
    }
  };

  const insert = (c: CannedResponse) => {
    const el = ref.current;
    if (!el || !token) return;
    const text = fillPlaceholders(c.content, { visitorName: props.visitorName, botName: props.botName });
    const { value, caret } = replaceToken(el.value, token.start, el.selectionStart, text);
    commitThen(() => { props.onChange(value); setToken(null); }, () => {
      el.focus();
      el.setSelectionRange(caret, caret);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        setActive((index + step + matches.length) % matches.length);
        return;
      }
      if ((e.key === "Enter" && !e.shiftKey) || e.key === "Tab") {
        e.preventDefault();
        insert(matches[index]);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        setDismissed(`${token!.start}:${token!.query}`);
        return;
      }
    }
    props.onKeyDown(e);
  };

  const optionId = (i: number) => `${LIST_ID}-${i}`;
  return (
    <div className="canned-composer">
      <textarea id={props.id} ref={ref} rows={2} value={props.value} maxLength={props.maxLength}
        placeholder={props.placeholder} disabled={props.disabled}
        role="combobox" aria-autocomplete="list" aria-haspopup="listbox" aria-expanded={open}
        aria-controls={LIST_ID} aria-activedescendant={open ? optionId(index) : undefined}
        aria-describedby="canned-composer-hint"
        onChange={(e) => { props.onChange(e.target.value); track(e.target); }}
        onSelect={(e) => track(e.currentTarget)}
        onBlur={() => { setToken(null); props.onBlur?.(); }}
        onKeyDown={onKeyDown} data-testid="reply-text" />
      <span id="canned-composer-hint" className="sr-only">{t("canned.composerHint")}</span>
      <ul id={LIST_ID} role="listbox" aria-label={t("canned.pickerLabel")} className="canned-picker"
        hidden={!open} data-testid="canned-picker">
        {open && matches.map((c, i) => (
          <li key={c.id} id={optionId(i)} role="option" aria-selected={i === index}
            className={i === index ? "active" : undefined} data-testid="canned-option"
            onMouseDown={(e) => { e.preventDefault(); insert(c); }}
            onMouseMove={() => setActive(i)}>
            <span className="canned-code">/{c.short_code}</span>
            <span className="canned-preview">{fillPlaceholders(c.content, { visitorName: props.visitorName, botName: props.botName })}</span>
          </li>
        ))}
      </ul>
      <span className="sr-only" role="status" aria-live="polite">
        {open ? t("canned.matches", { count: matches.length }) : ""}
      </span>
    </div>
  );
}
