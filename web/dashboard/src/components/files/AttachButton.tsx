// The operator's "attach a file" button in the inbox reply box: uploads one picked file to the
// conversation (the message comes back on the socket like any other).

import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, uploadAttachment } from "../../api/attachments";
import { PaperclipIcon } from "./icons";

const ACCEPT = "image/png,image/jpeg,image/webp,image/gif,application/pdf,.png,.jpg,.jpeg,.webp,.gif,.pdf";

export function AttachButton({ conversationId, disabled }: { conversationId: string; disabled?: boolean }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  const pick = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    setError("");
    try {
      await uploadAttachment(conversationId, file);
    } catch (e) {
      const code = e instanceof ApiError ? e.code : "";
      setError(code === "payload_too_large" ? t("files.tooLarge")
        : code === "unsupported_media_type" || code === "image_too_large" ? t("files.unsupported")
        : t("files.failed"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <input ref={input} type="file" hidden accept={ACCEPT} data-testid="attach-input"
        onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ""; void pick(f); }} />
      <button type="button" className="button secondary" disabled={disabled || busy}
        onClick={() => input.current?.click()} aria-label={t("files.attach")} title={t("files.attach")}
        data-testid="attach-button">
        {busy ? "…" : <PaperclipIcon />}
      </button>
      {error && <p className="error" role="alert">{error}</p>}
    </>
  );
}
