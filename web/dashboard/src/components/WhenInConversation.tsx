// A table cell's "when" line on the bot's Unanswered and Feedback pages: the date and time, then
// a link to the conversation in the inbox.
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../format";
import { Link } from "../router";

/**
 * `at` (ISO 8601 timestamp) in the UI language, and a link labelled `label` (already translated)
 * to /inbox/<conversationId>.
 */
export function WhenInConversation({ at, conversationId, label }: { at: string; conversationId: string; label: string }) {
  const { i18n } = useTranslation();
  return (
    <span className="asked-when">
      <span className="nowrap">{formatDateTime(at, i18n.language)}</span>
      <Link to={`/inbox/${conversationId}`}>{label}</Link>
    </span>
  );
}
