import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

/**
 * A modal confirmation (native <dialog>: focus is trapped, Esc cancels). Shown while `open`;
 * `onConfirm` / `onCancel` decide. `danger` styles the confirm button as destructive.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="confirm-title"
      onCancel={(e) => { e.preventDefault(); props.onCancel(); }}>
      <h2 id="confirm-title">{props.title}</h2>
      <p>{props.message}</p>
      <div className="row end">
        <button type="button" className="button secondary" onClick={props.onCancel}>
          {t("common.cancel")}
        </button>
        <button type="button" className={props.danger ? "button danger" : "button"}
          disabled={props.busy} onClick={props.onConfirm} data-testid="confirm">
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
