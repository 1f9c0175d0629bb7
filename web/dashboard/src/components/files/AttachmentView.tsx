// A message's attachment in the inbox: an image thumbnail that opens the full picture in a
// lightbox, or a PDF link that downloads it (bytes fetched with the token, shown as blob: URLs).

import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { attachmentBlobUrl, type Attachment } from "../../api/attachments";
import { formatBytes } from "../../format";
import { FileIcon } from "./icons";

export function AttachmentView({ attachment }: { attachment: Attachment }) {
  const { t, i18n } = useTranslation();
  const [thumb, setThumb] = useState<string | null>(null);
  const [full, setFull] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const image = attachment.media_type.startsWith("image/") && attachment.thumbnail_url;

  useEffect(() => {
    if (!image || !attachment.thumbnail_url) return;
    let live = true;
    attachmentBlobUrl(attachment.thumbnail_url).then((u) => live && setThumb(u), () => live && setFailed(true));
    return () => { live = false; };
  }, [image, attachment.thumbnail_url]);

  useEffect(() => {
    if (!full) return;
    const onKey = (e: KeyboardEvent) => { if (e.key === "Escape") setFull(null); };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [full]);

  const open = () => attachmentBlobUrl(attachment.url).then(setFull, () => setFailed(true));
  const download = () => attachmentBlobUrl(attachment.url).then((u) => {
    const a = document.createElement("a");
    a.href = u;
    a.download = attachment.name;
    a.click();
  }, () => setFailed(true));

  if (image) {
    const scale = Math.min(1, 240 / Math.max(attachment.width || 1, attachment.height || 1));
    return (
      <div className="attachment" data-testid="attachment-image">
        <button type="button" className="attachment-thumb" onClick={open}
          aria-label={t("files.openImage", { name: attachment.name })}>
          {thumb
            ? <img src={thumb} alt={attachment.name} width={Math.round(attachment.width * scale) || undefined}
                height={Math.round(attachment.height * scale) || undefined} />
            : <span className="muted">{failed ? t("files.unavailable") : t("common.loading")}</span>}
        </button>
        {full && (
          <div className="lightbox" role="dialog" aria-modal="true" aria-label={attachment.name}
            onClick={() => setFull(null)} data-testid="lightbox">
            <img src={full} alt={attachment.name} />
            <button type="button" className="lightbox-close" aria-label={t("files.close")}>×</button>
          </div>
        )}
      </div>
    );
  }
  return (
    <div className="attachment" data-testid="attachment-file">
      <button type="button" className="link-button" onClick={download}>
        <FileIcon /> {attachment.name} · {formatBytes(attachment.size_bytes, i18n.language, t)}
      </button>
      {failed && <span className="muted"> {t("files.unavailable")}</span>}
    </div>
  );
}
